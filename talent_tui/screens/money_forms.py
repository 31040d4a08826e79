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
from talent_tui.core.dates import parse_iso_date
from talent_tui.core.errors import DomainError
from talent_tui.screens.affiliate_common import LOADING_AFTER_S
from talent_tui.screens.fields import FormProblem

ENDED = (WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED)


def plain(text: str) -> str:
    """`text` for a place that reads markup (a notice, a form's title): every "[" escaped, so
    a name such as "Sale[/" is drawn as written (rich's and Textual's `escape` leave an
    unclosed "[/" alone, and Textual then refuses it)."""
    return text.replace("[", "\\[")


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


def problems(exc: DomainError, values: dict[str, str]) -> dict[str, str]:
    """A refusal's words by form field: each of several (AffiliateErrors), or the one."""
    several = getattr(exc, "errors", None)
    if isinstance(several, dict):
        found: dict[str, str] = {}
        for key, text in several.items():
            name = key.replace("-", "_") if key.replace("-", "_") in values else ""
            found[name] = f"{found[name]}; {text}" if name in found else text
        return found
    name = field_name(exc, values)
    return {name: words(exc, name)}


def save(app: App[Any], values: dict[str, str], do: Callable[[Any], str]) -> str:
    """Run `do(session)` in one transaction (the form's worker); a refusal goes beside the
    field it names, nothing is stored."""
    try:
        with app.database.transaction() as session:  # type: ignore[attr-defined]
            return str(do(session))
    except DomainError as exc:
        raise FormProblem(problems(exc, values)) from None


def percent(text: str) -> object:
    return fields.percent_to_bp("rate", text)


def day(text: str) -> object:
    return parse_iso_date(text)


def check(values: dict[str, str], readers: dict[str, Callable[[str], object]]) -> None:
    """Every field read at once by the same reader the service uses (a whole number, a
    percentage, a day, an amount, a factor): all the wrong ones are named together, beside
    each field, before anything is written. An empty field is named too."""
    errors = {}
    for name, read in readers.items():
        text = values[name]
        if not text.strip():
            errors[name] = "required"
            continue
        try:
            read(text)
        except (DomainError, ValueError) as exc:
            message = getattr(exc, "message", None) or str(exc)
            errors[name] = words_of(message, name)
    if errors:
        raise FormProblem(errors)


def words_of(text: str, name: str) -> str:
    for prefix in (name, name.replace("_", "-"), "rate", "amount"):
        if text.startswith(f"{prefix}: "):
            return text[len(prefix) + 2 :]
    return text


def count(text: str) -> int:
    number = fields.integer({"n": text}, "n")
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
        self.holding = False

    def start(self, worker: Worker[Any]) -> None:
        """Keys typed meanwhile wait for this read (App.hold_keys): a key acts on what it
        shows (a decision's key on the queue read again after the last decision)."""
        self.worker = worker
        if not self.holding and hasattr(self.widget.app, "hold_keys"):
            self.holding = True
            self.widget.app.hold_keys(self)
        if self.timer is None and not self.widget.loading:
            self.timer = self.widget.set_timer(LOADING_AFTER_S, self._show)

    def stop(self) -> None:
        """No longer hold keys (the read ended, or its screen closed)."""
        if self.holding:
            self.holding = False
            self.widget.app.release_keys(self)

    def _show(self) -> None:
        self.timer = None
        if self.worker is not None and self.widget.is_attached:
            self.widget.loading = True

    def ended(self, worker: Worker[Any]) -> None:
        """A worker ended (Worker.StateChanged): the newest one takes the indicator away."""
        if worker is not self.worker or worker.state not in ENDED:
            return
        self.worker = None
        self.stop()
        if self.timer is not None:
            self.timer.stop()
            self.timer = None
        if self.widget.is_attached:
            self.widget.loading = False
