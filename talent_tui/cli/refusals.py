"""A command's refusals as the CLI reports them: a `DomainError` raised by a service (an
unknown program, a stage move the pipeline forbids) is printed on stderr with exit code 1
(3 for the database), never as a traceback."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


def refused(command: F) -> F:
    """Wrap a command so a service's refusal exits cleanly (the signature Typer reads is the
    command's own, through `functools.wraps`)."""

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        from talent_tui.cli.common import refuse
        from talent_tui.core.errors import DomainError

        try:
            return command(*args, **kwargs)
        except DomainError as exc:
            raise refuse(exc) from None

    return run  # type: ignore[return-value]
