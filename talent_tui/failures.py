"""The TUI's failure policy: nothing a handler or a worker raises ends the app.

- A `DomainError` (a bad value, a forbidden step) is the user's to fix: its words are shown
  as a notice (forms show them beside the field before it gets here).
- Anything else is a bug: its traceback goes to the log file (rotated, in the user log
  directory) and a short error notice names what failed and where the details are.
- What still escapes (an exception inside Textual itself) ends the app with exit code 1 and
  the log path, never 0 (see `TalentApp._handle_exception` and `launch`).

`Guarded` is mixed into the app and into every screen and widget class of talent's: it wraps
message dispatch (handlers, actions reached through key events) and turns a failed worker
(all workers run with `exit_on_error=False`) into the same report; callbacks of its timers
(`set_interval`, `set_timer`) are guarded the same way.
"""

from __future__ import annotations

import inspect
import logging
import logging.handlers
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.worker import Worker, WorkerState

from talent_tui.core.errors import DomainError

if TYPE_CHECKING:
    from textual.app import App
    from textual.message import Message
    from textual.timer import Timer

LOG_BYTES = 1_000_000
LOG_BACKUPS = 3
logger = logging.getLogger("talent")


def log_file() -> Path:
    """The log file, set up once per process (again if its location changed), rotated."""
    from talent_tui.core.locations import log_path

    path = log_path()
    current = [h for h in logger.handlers if isinstance(h, logging.handlers.RotatingFileHandler)]
    if current and current[0].baseFilename != os.path.abspath(path):
        # The log directory changed (another user dir, a test's home): write where it says now.
        for handler in current:
            logger.removeHandler(handler)
            handler.close()
        current = []
    if not current:
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
    # No control character from an error's words reaches the terminal (a name in a message).
    first = "".join(ch if ch.isprintable() else "\ufffd" for ch in first)
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


def log_detached(where: str, error: BaseException) -> None:
    """A failure of work whose screen was already closed: logged, not shown."""
    try:
        log_file()
        logger.warning(
            "%s failed after its screen closed",
            where,
            exc_info=(type(error), error, error.__traceback__),
        )
    except OSError:
        pass


def _mark_reported(error: BaseException) -> None:
    try:
        error.__talent_reported__ = True  # type: ignore[attr-defined]
    except AttributeError:  # pragma: no cover - exceptions without a __dict__
        pass


def _was_reported(error: BaseException) -> bool:
    return bool(getattr(error, "__talent_reported__", False))


class Guarded:
    """Mixin: exceptions from this node's handlers and workers are reported, not fatal."""

    async def _on_message(self, message: Message) -> None:
        try:
            await super()._on_message(message)  # type: ignore[misc]
        except Exception as error:  # noqa: BLE001 - the policy: report, keep running
            node = type(self).__name__
            report(self.app, f"{node} ({type(message).__name__})", error)  # type: ignore[attr-defined]

    async def on_event(self, event: Message) -> None:
        """Events (a key, and the action its binding runs) reach a node here, not through
        `_on_message`: guarded the same way."""
        try:
            await super().on_event(event)  # type: ignore[misc]
        except Exception as error:  # noqa: BLE001 - the policy: report, keep running
            node = type(self).__name__
            report(self.app, f"{node} ({type(event).__name__})", error)  # type: ignore[attr-defined]

    def run_worker(
        self, work: Any, name: str | None = "", *args: Any, **kwargs: Any
    ) -> Worker[Any]:
        """Workers report their own failure through the app's queue, so a failure is never
        lost with a closed screen's messages; one of a closed screen is only logged."""
        if callable(work) and not inspect.iscoroutinefunction(work):
            app = self.app  # type: ignore[attr-defined]
            what = name or getattr(work, "__name__", "") or "background work"
            function = work

            def work(*call_args: Any, **call_kwargs: Any) -> Any:
                try:
                    return function(*call_args, **call_kwargs)
                except Exception as error:
                    _mark_reported(error)
                    app.call_later(self._report_worker_failure, app, what, error)
                    raise

        return super().run_worker(work, name, *args, **kwargs)  # type: ignore[misc]

    def _report_worker_failure(self, app: App[Any], what: str, error: BaseException) -> None:
        if self._talent_screen_gone(app):
            # Its screen closed while it ran (a result with nowhere to go): not the user's
            # concern now, but kept in the log.
            log_detached(what, error)
        else:
            report(app, what, error)

    def _talent_screen_gone(self, app: App[Any]) -> bool:
        """Whether this node's screen has left the app (or is being taken apart)."""
        from textual.app import App
        from textual.screen import Screen

        if isinstance(self, App):
            return False
        if not getattr(self, "is_attached", False):
            return True
        try:
            screen = self if isinstance(self, Screen) else self.screen  # type: ignore[attr-defined]
        except Exception:  # noqa: BLE001 - no screen any more
            return True
        return screen not in app.screen_stack

    def _on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        error = worker.error
        if worker.state is WorkerState.ERROR and error is not None and not _was_reported(error):
            report(self.app, worker.name or "background work", error)  # type: ignore[attr-defined]

    def _guard_callback(
        self, callback: Callable[[], Any] | None, what: str
    ) -> Callable[[], Awaitable[None]] | None:
        if callback is None:
            return None

        async def guarded() -> None:
            try:
                result = callback()
                if inspect.isawaitable(result):
                    await result
            except Exception as error:  # noqa: BLE001 - the policy: report, keep running
                report(self.app, f"{type(self).__name__} ({what})", error)  # type: ignore[attr-defined]

        return guarded

    def set_interval(
        self, interval: float, callback: Callable[[], Any] | None = None, **kwargs: Any
    ) -> Timer:
        name = getattr(callback, "__name__", "timer")
        return super().set_interval(interval, self._guard_callback(callback, name), **kwargs)  # type: ignore[misc]

    def set_timer(
        self, delay: float, callback: Callable[[], Any] | None = None, **kwargs: Any
    ) -> Timer:
        name = getattr(callback, "__name__", "timer")
        return super().set_timer(delay, self._guard_callback(callback, name), **kwargs)  # type: ignore[misc]
