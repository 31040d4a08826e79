"""Modal forms: add or edit a creator, and a yes/no confirmation."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Static

from talent_tui.failures import Guarded
from talent_tui.screens.fields import FieldsForm, FormField, FormProblem
from talent_tui.services import creators, roster


class CreatorForm(FieldsForm):
    """Add a creator (creator_id None) or edit one. Dismisses with the saved creator's id.

    Nothing is written until every field is valid; each invalid field shows its message on
    the line beneath it (the shared FieldsForm does the form; this says what saving means).
    """

    def __init__(self, creator_id: int | None = None) -> None:
        title = "Add a creator" if creator_id is None else "Edit creator"
        fields = [FormField(name, label, hint) for name, label, hint in creators.FIELDS]
        super().__init__(title, fields, self._save)
        self.creator_id = creator_id

    def on_mount(self) -> None:
        if self.creator_id is not None:
            self.load_values(self.creator_id)

    @work(
        exit_on_error=False, thread=True, exclusive=True, group="load", name="Loading the creator"
    )
    def load_values(self, creator_id: int) -> None:
        with self.app.database.session() as session:
            values = creators.form_values(roster.get_creator(session, creator_id))
        self.app.call_from_thread(self._fill, values)

    def _fill(self, values: dict[str, str]) -> None:
        if not self.is_attached:  # closed before its worker finished
            return
        for name, value in values.items():
            self.query_one(f"#field-{name}", Input).value = value
        self.query_one("#field-name", Input).focus()

    def _save(self, values: dict[str, str]) -> int:
        try:
            with self.app.database.transaction() as session:
                if self.creator_id is None:
                    creator = creators.add_creator(session, values)
                else:
                    creator = creators.edit_creator(session, self.creator_id, values)
                return creator.id
        except creators.InvalidCreator as exc:
            raise FormProblem(exc.errors) from None


class ConfirmScreen(Guarded, ModalScreen[bool]):
    """A yes/no question. `y` confirms (Enter too, when `enter_confirms`); `n` or Esc
    cancels."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes"),
        Binding("enter", "enter", "Yes", show=False),
        Binding("n,escape", "answer(False)", "No"),
    ]

    def __init__(self, question: str, detail: str = "", *, enter_confirms: bool = False) -> None:
        super().__init__()
        self.question = question
        self.detail = detail
        self.enter_confirms = enter_confirms

    def compose(self) -> ComposeResult:
        yes = "[b]y[/b] / [b]Enter[/b] yes" if self.enter_confirms else "[b]y[/b] yes"
        with Vertical(id="confirm-box"):
            yield Static(Text(self.question), id="confirm-question")
            if self.detail:
                yield Static(Text(self.detail), id="confirm-detail")
            yield Static(f"{yes}    [b]n[/b] / [b]Esc[/b] no", id="confirm-keys")
        yield Footer()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.enter_confirms if action == "enter" else True

    def action_enter(self) -> None:
        if self.enter_confirms:
            self.dismiss(True)

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)
