"""Modal forms: add or edit a creator, and a yes/no confirmation."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static
from textual.worker import Worker, WorkerState

from talent_tui.failures import Guarded
from talent_tui.screens.fields import FieldsForm, FormField, FormProblem
from talent_tui.services import creators, roster
from talent_tui.widgets.footer import KeysFooter

_ENDED = (WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED)


class CreatorForm(FieldsForm):
    """Add a creator (creator_id None) or edit one. Dismisses with the saved creator's id.

    Nothing is written until every field is valid; each invalid field shows its message on
    the line beneath it (the shared FieldsForm does the form; this says what saving means).

    Editing never overwrites a change made elsewhere (another window, `talent creators
    edit`, an import) after the form was filled: saving is refused with the user's input
    kept, each field changed elsewhere shows what is stored now, and the user picks with a
    key: Ctrl+R loads the other change into the form (their own other edits stay), Ctrl+O
    saves theirs over it. Ctrl+S alone keeps refusing until one of them is chosen.
    """

    BINDINGS = [
        Binding("ctrl+r", "load_theirs", "Load their change", priority=True),
        Binding("ctrl+o", "overwrite", "Save mine over it", priority=True),
    ]

    def __init__(self, creator_id: int | None = None) -> None:
        title = "Add a creator" if creator_id is None else "Edit creator"
        fields = [FormField(name, label, hint) for name, label, hint in creators.FIELDS]
        super().__init__(title, fields, self._save)
        self.creator_id = creator_id
        # The stored version the form was filled from (None until it is loaded), and the one
        # found changed elsewhere when saving was refused (None when there is no conflict).
        self.original: dict[str, str] | None = None
        self.conflict: dict[str, str] | None = None
        self._overwrite = False

    def on_mount(self) -> None:
        if self.creator_id is not None:
            # Keys typed before the creator is loaded wait for it: typed into empty fields,
            # they would be overwritten (and focus moved back to the name).
            self.app.hold_keys(self)
            self.load_values(self.creator_id)

    @on(Worker.StateChanged)
    def loaded(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "load" and event.worker.state in _ENDED:
            self.app.release_keys(self)

    def on_unmount(self) -> None:
        self.app.release_keys(self)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in {"load_theirs", "overwrite"}:
            return self.conflict is not None
        return True

    def _stored(self, creator_id: int) -> dict[str, str]:
        with self.app.database.session() as session:
            return creators.form_values(roster.get_creator(session, creator_id))

    @work(
        exit_on_error=False, thread=True, exclusive=True, group="load", name="Loading the creator"
    )
    def load_values(self, creator_id: int) -> None:
        self.app.call_from_thread(self._fill, self._stored(creator_id))

    def _fill(self, values: dict[str, str]) -> None:
        if not self.is_attached:  # closed before its worker finished
            return
        self.original = dict(values)
        for name, value in values.items():
            self.query_one(f"#field-{name}", Input).value = value
        self.set_focus(self.query_one("#field-name", Input))  # now, before the held keys

    def _save(self, values: dict[str, str]) -> int:
        expected = None
        if self.creator_id is not None:
            expected = self.conflict if self._overwrite else self.original
            self._overwrite = False
            if expected is None:
                raise FormProblem({"": "Still loading the creator; nothing was saved."})
        try:
            with self.app.database.transaction() as session:
                if self.creator_id is None:
                    creator = creators.add_creator(session, values)
                else:
                    creator = creators.edit_creator(
                        session, self.creator_id, values, expected_values=expected
                    )
                return creator.id
        except creators.InvalidCreator as exc:
            raise FormProblem(exc.errors) from None
        except creators.CreatorChanged as exc:
            self.app.call_from_thread(self._conflicted, exc.current)
            errors = {f: f"changed elsewhere to: {exc.current[f] or '(empty)'}" for f in exc.fields}
            errors[""] = f"{exc} · Ctrl+R loads their change · Ctrl+O saves yours over it"
            raise FormProblem(errors) from None

    def _conflicted(self, current: dict[str, str]) -> None:
        self.conflict = current
        self.refresh_bindings()

    def refresh_data(self) -> None:
        """Another program committed (the app's change watcher): if it changed this creator,
        say so now, before the user saves (nothing in the form changes)."""
        if self.creator_id is not None and self.original is not None and self.conflict is None:
            self.check_stored(self.creator_id)

    @work(
        exit_on_error=False, thread=True, exclusive=True, group="check", name="Checking the creator"
    )
    def check_stored(self, creator_id: int) -> None:
        try:
            stored = self._stored(creator_id)
        except roster.CreatorNotFound:
            return  # saving will say so
        self.app.call_from_thread(self._noticed, stored)

    def _noticed(self, stored: dict[str, str]) -> None:
        if not self.is_attached or self.original is None or self.conflict is not None:
            return
        changed = [name for name, value in stored.items() if value != self.original.get(name)]
        if not changed:
            return
        self._conflicted(stored)
        labels = dict((field, label) for field, label, _ in creators.FIELDS)
        what = ", ".join(labels[name] for name in changed)
        self.query_one("#form-status", Static).update(
            Text(
                f"{stored['name']} was just changed elsewhere ({what}) · Ctrl+R loads their "
                "change · Ctrl+O saves yours over it"
            )
        )

    def action_overwrite(self) -> None:
        """Save the form as it is over the change seen (a newer change is refused again)."""
        if self.conflict is None:
            return
        self._overwrite = True
        self.action_save()

    def action_load_theirs(self) -> None:
        if self.conflict is None or self.creator_id is None:
            return
        self.load_theirs(self.creator_id)

    @work(
        exit_on_error=False, thread=True, exclusive=True, group="load", name="Loading the creator"
    )
    def load_theirs(self, creator_id: int) -> None:
        self.app.call_from_thread(self._merge, self._stored(creator_id))

    def _merge(self, stored: dict[str, str]) -> None:
        """Fields changed elsewhere take the stored value; the user's other edits stay."""
        if not self.is_attached or self.original is None:
            return
        changed = [name for name, value in stored.items() if value != self.original.get(name)]
        for name in changed:
            self.query_one(f"#field-{name}", Input).value = stored[name]
        self.original = dict(stored)
        self.conflict = None
        self.show_errors({})
        labels = dict((field, label) for field, label, _ in creators.FIELDS)
        what = ", ".join(labels[name] for name in changed) or "nothing new"
        self.query_one("#form-status", Static).update(
            Text(
                f"Loaded the change made elsewhere ({what}); your other edits are kept. "
                "Ctrl+S saves."
            )
        )
        self.refresh_bindings()


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
        yield KeysFooter()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.enter_confirms if action == "enter" else True

    def action_enter(self) -> None:
        if self.enter_confirms:
            self.dismiss(True)

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)
