"""Modal forms: add or edit a creator, and a yes/no confirmation."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Label, Static
from textual.worker import get_current_worker

from talent_tui import creators, roster
from talent_tui.screens.fields import FieldList


class CreatorForm(ModalScreen[int | None]):
    """Add a creator (creator_id None) or edit one. Dismisses with the saved creator's id.

    Nothing is written until every field is valid; each invalid field shows its message on
    the line beneath it.
    """

    AUTO_FOCUS = "Input"
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", priority=True),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, creator_id: int | None = None) -> None:
        super().__init__()
        self.creator_id = creator_id

    def compose(self) -> ComposeResult:
        title = "Add a creator" if self.creator_id is None else "Edit creator"
        with Vertical(id="form-box"):
            yield Static(title, id="form-title")
            with FieldList(id="form-fields"):
                for name, label, hint in creators.FIELDS:
                    with Horizontal(classes="form-row"):
                        yield Label(label, classes="form-label")
                        yield Input(
                            placeholder=hint,
                            id=f"field-{name}",
                            classes="form-input",
                            select_on_focus=False,
                        )
                    yield Static("", id=f"error-{name}", classes="field-error")
            yield Static("", id="form-status")
        yield Footer()

    def on_mount(self) -> None:
        if self.creator_id is not None:
            self.load_values(self.creator_id)

    @work(thread=True, exclusive=True, group="form")
    def load_values(self, creator_id: int) -> None:
        with self.app.database.session() as session:
            values = creators.form_values(roster.get_creator(session, creator_id))
        self.app.call_from_thread(self._fill, values)

    def _fill(self, values: dict[str, str]) -> None:
        for name, value in values.items():
            self.query_one(f"#field-{name}", Input).value = value
        self.query_one("#field-name", Input).focus()

    def values(self) -> dict[str, str]:
        return {
            name: self.query_one(f"#field-{name}", Input).value for name in creators.FIELD_NAMES
        }

    @on(Input.Submitted)
    def next_field(self, event: Input.Submitted) -> None:
        if event.input.id == f"field-{creators.FIELD_NAMES[-1]}":
            self.action_save()
        else:
            self.focus_next()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_save(self) -> None:
        self.query_one("#form-status", Static).update("Saving…")
        self.save(self.values())

    @work(thread=True, exclusive=True, group="form")
    def save(self, values: dict[str, str]) -> None:
        worker = get_current_worker()
        try:
            with self.app.database.transaction() as session:
                if self.creator_id is None:
                    creator = creators.add_creator(session, values)
                else:
                    creator = creators.edit_creator(session, self.creator_id, values)
                saved = creator.id
        except creators.InvalidCreator as exc:
            if not worker.is_cancelled:
                self.app.call_from_thread(self.show_errors, exc.errors)
            return
        if not worker.is_cancelled:
            self.app.call_from_thread(self.dismiss, saved)

    def show_errors(self, errors: dict[str, str]) -> None:
        first: Input | None = None
        for name in creators.FIELD_NAMES:
            field_error = errors.get("commission_bp" if name == "commission_pct" else name)
            field_error = field_error or errors.get(name)
            error = self.query_one(f"#error-{name}", Static)
            field = self.query_one(f"#field-{name}", Input)
            error.update(Text(field_error or ""))
            error.set_class(bool(field_error), "-shown")
            field.set_class(bool(field_error), "-invalid")
            if field_error and first is None:
                first = field
        count = len(errors)
        self.query_one("#form-status", Static).update(
            f"{count} field{'s' if count != 1 else ''} to fix; nothing was saved."
        )
        if first is not None:
            first.focus()


class ConfirmScreen(ModalScreen[bool]):
    """A yes/no question. `y` confirms; `n` or Esc cancels."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n,escape", "answer(False)", "No"),
    ]

    def __init__(self, question: str, detail: str = "") -> None:
        super().__init__()
        self.question = question
        self.detail = detail

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Static(self.question, id="confirm-question")
            if self.detail:
                yield Static(self.detail, id="confirm-detail")
            yield Static("[b]y[/b] yes    [b]n[/b] / [b]Esc[/b] no", id="confirm-keys")
        yield Footer()

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)
