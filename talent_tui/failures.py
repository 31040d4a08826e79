"""The TUI's failure policy: nothing a handler or a worker raises ends the app.

- A `DomainError` (a bad value, a forbidden step) is the user's to fix: its words are shown
  as a notice (forms show them beside the field before it gets here).
- Anything else is a bug: its traceback goes to the log file (rotated, in the user log
  directory) and a short error notice names what failed and where the details are.
- What still escapes (an exception inside Textual itself) ends the app with exit code 1 and
  the log path, never 0 (see `TalentApp._handle_exception` and `launch`).

`Guarded` is mixed into the app and into every screen and widget class of talent's: it wraps
message dispatch (handlers, actions reached through key events) and turns a failed worker
(all workers run with `exit_on_error=False`) into the same report.
"""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.worker import Worker, WorkerState

from talent_tui.core.errors import DomainError

if TYPE_CHECKING:
    from textual.app import App
    from textual.message import Message

LOG_BYTES = 1_000_000
LOG_BACKUPS = 3
logger = logging.getLogger("talent")


def log_file() -> Path:
    """The log file, set up once per process with rotation."""
    from talent_tui.core.locations import log_path

    path = log_path()
    if not any(isinstance(h, logging.handlers.RotatingFileHandler) for h in logger.handlers):
        handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=LOG_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8"
        )
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
    return path


def describe(error: BaseException) -> str:
    """One line for a notice: the message, or the type when there is none. Markup-safe."""
    from rich.markup import escape

    text = str(error).strip() or type(error).__name__
    first = text.splitlines()[0] if text else ""
    if len(first) > 200:
        first = first[:199] + "…"
    return escape(first)


def report(app: App[Any], where: str, error: BaseException) -> None:
    """Show `error` to the user; log its traceback when it is not a domain refusal."""
    if isinstance(error, DomainError):
        app.notify(describe(error), severity="warning", timeout=8)
        return
    try:
        path: Path | None = log_file()
        logger.error("%s failed", where, exc_info=(type(error), error, error.__traceback__))
    except OSError:
        path = None
    where_text = f" Details: {path}" if path is not None else ""
    app.notify(
        f"{where} failed: {describe(error)}.{where_text}",
        title="Something went wrong",
        severity="error",
        timeout=12,
    )
    failures = getattr(app, "failures", None)
    if isinstance(failures, list):
        failures.append((where, error))


def log_escape(error: BaseException) -> Path | None:
    """Log an error that ends the app; returns the log file, or None when it cannot be written."""
    try:
        path = log_file()
        logger.critical("talent stopped", exc_info=(type(error), error, error.__traceback__))
    except OSError:
        return None
    return path


class Guarded:
    """Mixin: exceptions from this node's handlers and workers are reported, not fatal."""

    async def _on_message(self, message: Message) -> None:
        try:
            await super()._on_message(message)  # type: ignore[misc]
        except Exception as error:  # noqa: BLE001 - the policy: report, keep running
            node = type(self).__name__
            report(self.app, f"{node} ({type(message).__name__})", error)  # type: ignore[attr-defined]

    def _on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker.state is WorkerState.ERROR and worker.error is not None:
            what = worker.name or "background work"
            report(self.app, what, worker.error)  # type: ignore[attr-defined]
