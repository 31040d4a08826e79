"""Commands and groups registered by name, whose module is imported only when they run.

`build_app()` registers a placeholder for each command or group of another module: its name
and the one-line help `talent --help` lists (Typer builds it from a callback with no
parameters, so it costs nothing). When the command is invoked — to run it, to parse its
arguments or to show its own `--help` — the placeholder imports its module, lets the module's
`register(app)` add the real command to a throwaway Typer app, and hands the arguments to
that command (`make_context`), so what runs, parses and prints help is the real command.

This is Click's lazy-loading pattern moved down one level. Click's recipe (a group whose
`get_command` imports the module) does not fit Typer: Typer's help lists every command through
`get_command`, so `talent --help` would import every module anyway; here the root lists the
placeholders and only the invoked one loads.

Why not just light modules (every module importing the database stack inside its commands,
which they also do)? Measured on cold processes, CPU time, best of 7 (the shared 2-core
machine made wall time too noisy), against a one-command Typer app's `--help` (112 ms):
with light modules alone `talent --help` took 158 ms (1.42x) and `talent creators --help`
226 ms; with placeholders, 124 ms (1.11x) and 202 ms, and a real command
(`creators list --json`) 486 ms instead of 534 ms. The difference is Typer converting the
whole tree (~60 commands) into Click commands on every invocation, about 18 ms, plus
importing the other command modules. The price is the one-line help of each command
kept in `main.build_app`'s table as well as in the command; a test checks they agree.
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
