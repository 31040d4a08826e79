"""Commands and groups registered by name, whose module is imported only when they run.

`build_app()` registers a placeholder for each command or group of another module: its name
and the one-line help `talent --help` lists (Typer builds it from a callback with no
parameters, so it costs nothing). When the command is invoked — to run it, to parse its
arguments or to show its own `--help` — the placeholder imports its module, lets the module's
`register(app)` add the real command to a throwaway Typer app, and hands the arguments to
that command (`make_context`), so what runs, parses and prints help is the real command.

This is Click's lazy-loading pattern, moved down one level: Click's documented recipe makes
`get_command` import the module, but Typer's help lists every command through `get_command`,
so `talent --help` would import every module; here the root group lists placeholders and only
the invoked placeholder loads. What it saves on every invocation is Typer's conversion of the
whole tree into Click commands (about 18 ms for talent's ~60 commands) and the import of the
other command modules (a few ms).
"""

from __future__ import annotations

import importlib
from typing import Any, ClassVar

import typer
import typer.main
from typer.core import TyperCommand, TyperGroup


class Deferred:
    """What a placeholder command and a placeholder group share: load the real one and give
    it the arguments."""

    module: ClassVar[str]  # the module whose `register(app)` adds the real command
    name: str | None
    rich_markup_mode: Any

    def load(self) -> Any:
        """The real Click command (built once): the module's `register` on a Typer app of its
        own, with the root's markup mode, as `add_typer` would have built it."""
        real = self.__dict__.get("_real")
        if real is None:
            holder = typer.Typer(rich_markup_mode=self.rich_markup_mode)
            importlib.import_module(self.module).register(holder)
            assert self.name is not None
            real = self.__dict__["_real"] = typer.main.get_group(holder).commands[self.name]
        return real

    def make_context(self, info_name: str | None, args: list[str], **extra: Any) -> Any:
        # The context's command is the real one: the caller invokes `sub_ctx.command`.
        return self.load().make_context(info_name, args, **extra)


class _DeferredCommand(Deferred, TyperCommand):
    pass


class _DeferredGroup(Deferred, TyperGroup):
    pass


def _placeholder() -> None:
    """Never runs: invoking a placeholder runs the command it loads."""
    raise AssertionError("a deferred command ran without being loaded")


def command(app: typer.Typer, name: str, module: str, help: str) -> None:
    """Register the command `name` of `module`, listed with `help` until it runs."""
    cls = type(f"Deferred_{name}", (_DeferredCommand,), {"module": module})
    app.command(name, help=help, cls=cls)(_placeholder)


def group(app: typer.Typer, name: str, module: str, help: str) -> None:
    """Register the command group `name` of `module`, listed with `help` until it runs."""
    cls = type(f"Deferred_{name}", (_DeferredGroup,), {"module": module})
    app.add_typer(typer.Typer(), name=name, help=help, cls=cls)
