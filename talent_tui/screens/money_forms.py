"""What the affiliate money screens (rules, review, payouts, an affiliate's money) share: a
form's save that names the field a service refused, whole numbers read as forms read them,
and the theme's colour for what is late."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual.app import App
from textual.timer import Timer
from textual.widget import Widget
from textual.worker import Worker, WorkerState

from talent_tui.core import fields
from talent_tui.core.errors import DomainError
from talent_tui.screens.affiliate_common import LOADING_AFTER_S
from talent_tui.screens.fields import FormProblem

ENDED = (WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED)


def field_name(exc: DomainError, values: dict[str, str]) -> str:
    """The form field a refusal names ("outlier-x" is the form's "outlier_x"), or "" for the
    form's status line."""
    name = str(getattr(exc, "field", "") or "").replace("-", "_")
    return name if name in values else ""


def words(exc: DomainError, name: str) -> str:
    """A refusal's words beside its field, without the field's name in front."""
    text = getattr(exc, "message", None) or str(exc)
    for prefix in (name, name.replace("_", "-")):
        if prefix and text.startswith(f"{prefix}: "):
            return text[len(prefix) + 2 :]
    return text


def save(app: App[Any], values: dict[str, str], do: Callable[[Any], str]) -> str:
    """Run `do(session)` in one transaction (the form's worker); a refusal goes beside the
    field it names, nothing is stored."""
    try:
        with app.database.transaction() as session:  # type: ignore[attr-defined]
            return str(do(session))
    except DomainError as exc:
        name = field_name(exc, values)
        raise FormProblem({name: words(exc, name)}) from None


def whole(values: dict[str, str], name: str) -> int:
    """A whole number typed in a form ("30", "1,000"); empty or odd, refused beside it."""
    if not values[name].strip():
        raise FormProblem({name: "required: a whole number"})
    try:
        number = fields.integer(values, name)
    except fields.FieldError as exc:
        raise FormProblem({name: exc.message}) from None
    assert number is not None
    return number


def late(app: App[Any], text: str, *, justify: str | None = None) -> Text:
    """`text` in the theme's error colour (what is overdue)."""
    colour = app.get_css_variables().get("error", "red")
    return Text(text, style=f"bold {colour}", justify=justify)  # type: ignore[arg-type]


class LatestRead:
    """A widget's loading indicator for the newest read of a screen (an exclusive worker):
    shown when that read takes longer than a moment, taken away when it ends however it
    ends — answered, failed, or cancelled before it ran (a cancelled thread worker may never
    run its `finally`, so a counter of started reads could stay up for good)."""

    def __init__(self, widget: Widget) -> None:
        self.widget = widget
        self.worker: Worker[Any] | None = None
        self.timer: Timer | None = None

    def start(self, worker: Worker[Any]) -> None:
        self.worker = worker
        if self.timer is None and not self.widget.loading:
            self.timer = self.widget.set_timer(LOADING_AFTER_S, self._show)

    def _show(self) -> None:
        self.timer = None
        if self.worker is not None and self.widget.is_attached:
            self.widget.loading = True

    def ended(self, worker: Worker[Any]) -> None:
        """A worker ended (Worker.StateChanged): the newest one takes the indicator away."""
        if worker is not self.worker or worker.state not in ENDED:
            return
        self.worker = None
        if self.timer is not None:
            self.timer.stop()
            self.timer = None
        if self.widget.is_attached:
            self.widget.loading = False
