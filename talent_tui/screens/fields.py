"""A small modal form: labelled one-line fields, a submit function that runs in a worker and
either succeeds or names what is wrong beside the field (or on the status line)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static
from textual.worker import Worker, WorkerState

from talent_tui.core.errors import DomainError
from talent_tui.failures import Guarded
from talent_tui.widgets.footer import KeysFooter
from talent_tui.widgets.inputs import SafeInput, after_typing


class FieldList(Guarded, VerticalScroll, can_focus=False):
    """Scrolls the fields of a form; Tab goes from field to field, never to the list."""


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    hint: str = ""
    value: str = ""


class FormProblem(Exception):
    """Raised by a submit function: `errors` maps field names (or "" for the form) to text."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


# submit(values) runs in a thread and returns its result (a confirmation, an id), or raises
# FormProblem naming the fields that are wrong.
Submit = Callable[[dict[str, str]], Any]


class FieldsForm(Guarded, ModalScreen[Any]):
    """Dismisses with what the submit function returned, or None when cancelled."""

    AUTO_FOCUS = "Input"
    # Enter (next field / save) and Esc are priority bindings, as Tab is app-wide: the app
    # runs them before it delivers the next key, so text typed at machine speed after Enter
    # lands in the next field, not in the one being left.
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", priority=True),
        Binding("escape", "cancel", "Cancel", priority=True),
        Binding("enter", "submit_field", "Next field / save", show=False, priority=True),
    ]

    def __init__(self, title: str, fields: Sequence[FormField], submit: Submit) -> None:
        super().__init__()
        self.title_text = title
        self.form_fields = list(fields)
        self.submit = submit
        self._close_with: tuple[Any] | None = None  # what to close with, once saved
        self._judged: dict[str, str] = {}  # the values the shown errors are about
        self._saving = False  # from Ctrl+S (or Enter on the last field) until the save ended
        self._cancel_asked = False  # Esc came while saving: said when the save has ended
        # Keys typed while a save runs wait for it (App.hold_keys), then go where they would
        # have gone typed slowly: to the screen below once the form has closed and that
        # screen has handled the result (a reload holds them further), or back to the form
        # when it was refused. Esc and Ctrl+S typed right after Ctrl+S (before any other key)
        # are about this form: Esc waits for the save, then closes it only if saved; a second
        # Ctrl+S does not save again. They are not passed on.
        self._save_hold: object | None = None
        self._handing_over = False  # saved and closed: the hold waits for the screen below

    def compose(self) -> ComposeResult:
        with Vertical(id="form-box", classes="fields-form"):
            yield Static(self.title_text, id="form-title")
            with FieldList(id="form-fields"):
                for f in self.form_fields:
                    with Horizontal(classes="form-row"):
                        yield Label(f.label, classes="form-label")
                        yield SafeInput(
                            value=f.value,
                            placeholder=f.hint,
                            id=f"field-{f.name}",
                            select_on_focus=False,
                        )
                    yield Static("", id=f"error-{f.name}", classes="field-error")
            yield Static("Ctrl+S saves · Esc cancels", id="form-status")
        yield KeysFooter()

    def on_input_changed(self, event: Input.Changed) -> None:
        """An edited field's error goes with the edit (it was about the old value); saving
        checks everything again."""
        name = (event.input.id or "").removeprefix("field-")
        errors = self.query(f"#error-{name}")
        if not name or not errors or self._judged.get(name) == event.value:
            return  # a late echo of a key typed before saving: the error is about this value
        error = errors.first(Static)
        if error.has_class("-shown"):
            error.update("")
            error.remove_class("-shown")
            event.input.remove_class("-invalid")

    def values(self) -> dict[str, str]:
        return {f.name: self.query_one(f"#field-{f.name}", Input).value for f in self.form_fields}

    def action_submit_field(self) -> None:
        """Enter moves to the next field; on the last field it saves."""
        focused = self.focused
        if focused is not None and focused.id == f"field-{self.form_fields[-1].name}":
            self.action_save()
        else:
            self.focus_next()

    def action_cancel(self) -> None:
        """Closes without saving; while a save runs (Esc right after Ctrl+S), waits for it:
        its thread cannot be stopped, so closing "cancelled" would hide a save that still
        happens. Saved, the form closes with what was saved (the caller says so); refused,
        it stays open with the reasons."""
        if self._saving:
            self._cancel_asked = True
            self.query_one("#form-status", Static).update(
                "Saving… (Esc came after Ctrl+S: the form closes if it is saved)"
            )
            return
        self.dismiss(None)

    def key_held(self, key: str) -> None:
        """A key typed while the save runs waits for it (App.hold_keys): an Esc is said."""
        if key == "escape" and self._saving and self.is_attached:
            self.query_one("#form-status", Static).update(
                "Saving… (Esc came after Ctrl+S: the form closes if it is saved)"
            )

    def action_save(self) -> None:
        """Saves what was typed, all of it; once at a time (Ctrl+S again while saving waits
        with the first)."""
        if self._saving:
            return
        self._saving = True
        self._save_hold = object()
        self.app.hold_keys(self._save_hold, firm=True)  # type: ignore[attr-defined]
        self.query_one("#form-status", Static).update("Saving…")
        self._save_typed()

    @after_typing
    def _save_typed(self) -> None:
        """After the keys typed before Ctrl+S (or Enter) have reached their fields, however
        fast they came."""
        values = self.values()
        self._judged = dict(values)
        self.run_submit(values)

    @work(exit_on_error=False, thread=True, exclusive=True, group="form", name="Saving the form")
    def run_submit(self, values: dict[str, str]) -> tuple[bool, Any]:
        """(saved, what submit returned). The form closes once this worker has finished (see
        `submitted`): closing it from inside would cancel the very worker doing it."""
        try:
            message = self.submit(values)
        except FormProblem as problem:
            self.app.call_from_thread(self.show_errors, problem.errors)
            return False, None
        except DomainError as refused:  # a rule said no (a brand deleted meanwhile, …)
            self.app.call_from_thread(self.show_errors, {"": str(refused)})
            return False, None
        return True, message

    @on(Worker.StateChanged)
    def submitted(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        ended = (WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED)
        if worker.group != "form" or worker.state not in ended:
            return
        self._saving = False
        cancel_asked, self._cancel_asked = self._cancel_asked, False
        app: Any = self.app
        if "escape" in app.take_leading_held({"escape", "ctrl+s", "enter"}):
            cancel_asked = True  # Esc typed right after Ctrl+S: for this form, not the one below
        if worker.state is WorkerState.SUCCESS:
            saved, message = worker.result
            if saved:
                self._close_with = (message,)
                self._close_if_on_top()
                return
        elif self.is_attached:  # failed (the failure policy's notice says what)
            self.query_one("#form-status", Static).update("Not saved: saving failed.")
        # Refused: what was typed after Ctrl+S was typed for the screen the form would have
        # left open (a decision, a next form): never into this form, never run. Dropped.
        dropped = app.drop_held_keys()
        self._release_held()
        if (cancel_asked or dropped) and self.is_attached:
            also = f"; {dropped} key(s) typed after Ctrl+S were dropped" if dropped else ""
            self.notify(
                f"Not saved; the form stays open with the reason{also} (Esc cancels).",
                severity="warning",
                timeout=8,
            )

    def on_screen_resume(self) -> None:
        self._close_if_on_top()  # saved while help (say) was open over the form

    def _close_if_on_top(self) -> None:
        if self._close_with is not None and self.is_attached and self.app.screen is self:
            (message,) = self._close_with
            # The result's callback runs next in the queue of the screen that opened the
            # form; the keys typed meanwhile wait for it and for what it starts (a re-read
            # of the screen below: `e` right after saving a new creator edits that one).
            requester = self._result_callbacks[-1].requester if self._result_callbacks else None
            app: Any = self.app
            before = set(app.workers)
            self._handing_over = True  # the hold outlives the form (see on_unmount)
            self.dismiss(message)
            pump = requester or app

            def hand_over() -> None:
                self._handing_over = False
                started = [w for w in app.workers if w not in before]
                app.hold_keys_for(started)  # before the save's own hold goes
                self._release_held()

            # after the callback and what it posts; at once if that screen has closed
            if not pump.call_later(lambda: pump.call_later(hand_over) or hand_over()):
                hand_over()
        else:
            self._release_held()

    def _release_held(self) -> None:
        token, self._save_hold = self._save_hold, None
        if token is not None:
            self.app.release_keys(token)

    def on_unmount(self) -> None:
        if not self._handing_over:
            self._release_held()

    def show_errors(self, errors: dict[str, str]) -> None:
        if not self.is_attached:  # closed before its worker finished
            return
        first: Input | None = None
        for f in self.form_fields:
            message = errors.get(f.name, "")
            error = self.query_one(f"#error-{f.name}", Static)
            error.update(Text(message))
            error.set_class(bool(message), "-shown")
            field = self.query_one(f"#field-{f.name}", Input)
            field.set_class(bool(message), "-invalid")
            if message and first is None:
                first = field
        general = errors.get("", "")
        self.query_one("#form-status", Static).update(
            Text(general or "Fix the marked field(s); nothing was saved.")
        )
        if first is not None:
            first.focus()
