"""Edit a creator's rate card in place: add, change or remove the rate for a deliverable."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on, work
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.markup import escape
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Label, Static
from textual.worker import Worker, WorkerState

from talent_tui.core import money
from talent_tui.core.errors import DomainError
from talent_tui.core.money import format_money
from talent_tui.core.text import printable
from talent_tui.failures import Guarded
from talent_tui.screens.forms import ConfirmScreen
from talent_tui.services import creators, roster
from talent_tui.widgets.footer import KeysFooter
from talent_tui.widgets.inputs import SafeInput, after_typing
from talent_tui.widgets.tables import PlainTable


class RateEditor(Guarded, ModalScreen[bool]):
    """Dismisses with True when anything changed."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save rate", priority=True),
        Binding("delete,x", "remove", "Remove rate"),
        Binding("escape", "close", "Done"),
        # Priority, as the forms' Enter: focus is in Amount before the next key is delivered,
        # so "video", Enter, "250 usd", Enter typed at machine speed fills both fields.
        Binding("enter", "enter", "Next field / save", show=False, priority=True),
    ]

    def __init__(self, creator_id: int) -> None:
        super().__init__()
        self.creator_id = creator_id
        self.changed = False
        # The amount shown for each deliverable, as plain text a user could type back.
        self.amounts: dict[str, str] = {}
        # Keys typed while a rate saves wait for it (a firm App.hold_keys): saved, they go to
        # the Deliverable field, emptied for the next rate; refused, they are dropped (typed
        # for a next rate that the refusal did not let come) and a notice says so.
        self._save_hold: object | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="rates-box"):
            yield Static("Rate card", id="rates-editor-title")
            yield PlainTable(id="rates-table", cursor_type="row")
            yield Static("", id="rates-empty")
            with Horizontal(classes="form-row"):
                yield Label("Deliverable", classes="form-label")
                yield SafeInput(
                    placeholder="video, live, story, bundle, ugc…",
                    id="rate-deliverable",
                    select_on_focus=False,
                )
            yield Static("", id="error-deliverable", classes="field-error")
            with Horizontal(classes="form-row"):
                yield Label("Amount", classes="form-label")
                yield SafeInput(
                    placeholder="1,200.50 USD  ·  ₩1,500,000  ·  1200 eur",
                    id="rate-amount",
                    select_on_focus=False,
                )
            yield Static("", id="error-amount", classes="field-error")
            yield Static(
                "Enter on a rate: edit it · Ctrl+S or Enter in Amount: save · x: remove",
                id="rates-hint",
            )
        yield KeysFooter()

    def on_mount(self) -> None:
        table = self.query_one("#rates-table", DataTable)
        table.add_column("Deliverable", key="deliverable")
        table.add_column("Rate", key="rate")
        table.add_column("Updated", key="updated")
        self.reload()

    @work(exit_on_error=False, thread=True, exclusive=True, group="rates", name="Loading the rates")
    def reload(self, focus_key: str | None = None, next_rate: bool = False) -> None:
        with self.app.database.session() as session:
            creator = roster.get_creator(session, self.creator_id)
            rates = creators.rates_of(session, self.creator_id)
            rows = [
                (
                    r.deliverable,
                    format_money(r.amount_minor, r.currency),
                    r.updated_at.date().isoformat(),
                )
                for r in rates
            ]
        self.app.call_from_thread(self._show, creator.name, rows, focus_key, next_rate)

    def _show(
        self,
        name: str,
        rows: list[tuple[str, str, str]],
        focus_key: str | None,
        next_rate: bool = False,
    ) -> None:
        if not self.is_attached:  # closed before its worker finished
            return
        self.query_one("#rates-editor-title", Static).update(Text(printable(f"Rate card · {name}")))
        table = self.query_one("#rates-table", DataTable)
        table.clear()
        self.amounts = {deliverable: amount for deliverable, amount, _ in rows}
        for deliverable, amount, updated in rows:
            table.add_row(deliverable, amount, updated, key=deliverable)
        self.query_one("#rates-empty", Static).update(
            "" if rows else "No rates yet: add one below."
        )
        if focus_key is not None and focus_key in table.rows:
            table.move_cursor(row=table.get_row_index(focus_key))
        if rows and not next_rate:
            table.focus()
        else:  # no rate yet, or one just saved: ready for the next
            self.set_focus(self.query_one("#rate-deliverable", Input))
        if next_rate:
            self._release_held()

    @on(DataTable.RowSelected, "#rates-table")
    def edit_row(self, event: DataTable.RowSelected) -> None:
        """Put the rate under the cursor into the form, to change its amount."""
        deliverable = str(event.row_key.value)
        self.query_one("#rate-deliverable", Input).value = deliverable
        amount_input = self.query_one("#rate-amount", Input)
        amount_input.value = self.amounts.get(deliverable, "")
        amount_input.focus()

    def action_enter(self) -> None:
        """Enter in Deliverable goes to Amount; in Amount it saves; on the table it edits the
        rate under the cursor (the table's own Enter)."""
        focused = self.focused
        if focused is not None and focused.id == "rate-deliverable":
            self.set_focus(self.query_one("#rate-amount", Input))  # now, not after the queue
        elif focused is not None and focused.id == "rate-amount":
            self.action_save()  # after the keys typed before Enter (see after_typing)
        else:
            raise SkipAction()

    @on(Input.Changed, "#rate-deliverable")
    @on(Input.Changed, "#rate-amount")
    def recheck(self, event: Input.Changed) -> None:
        """A field showing an error is checked again as it is corrected: the error goes as
        soon as the value is good (or says what is wrong now), never outlives the mistake."""
        field = "amount" if event.input.id == "rate-amount" else "deliverable"
        if not self.query_one(f"#error-{field}", Static).has_class("-shown"):
            return
        try:
            if field == "amount":
                money.parse_money(event.value, None)
            else:
                creators.normalize_deliverable(event.value)
        except DomainError as exc:
            self._error(field, str(exc))
        else:
            self._error(field, "")

    def _error(self, field: str, message: str) -> None:
        error = self.query_one(f"#error-{field}", Static)
        error.update(Text(message))
        error.set_class(bool(message), "-shown")
        self.query_one(f"#rate-{field}", Input).set_class(bool(message), "-invalid")

    def action_save(self) -> None:
        """Saves what was typed, all of it (once at a time: Ctrl+S again while saving waits
        with the first); the keys typed after it wait for the save."""
        if self._save_hold is not None:
            return
        self._save_hold = object()
        self.app.hold_keys(self._save_hold, firm=True)  # type: ignore[attr-defined]
        self._save_typed()

    @after_typing
    def _save_typed(self) -> None:
        """After the keys typed before Ctrl+S (or Enter) have reached their fields, however
        fast they came."""
        deliverable = self.query_one("#rate-deliverable", Input).value
        amount = self.query_one("#rate-amount", Input).value
        self._error("deliverable", "")
        self._error("amount", "")
        try:
            kind = creators.normalize_deliverable(deliverable)
        except DomainError as exc:
            self._error("deliverable", str(exc))
            self.query_one("#rate-deliverable", Input).focus()
            self._refused()
            return
        self.save(kind, amount)

    def _refused(self) -> None:
        """A refused save: the keys typed after it are dropped (said), the rest go on."""
        app: Any = self.app
        app.take_leading_held({"escape", "ctrl+s", "enter"})  # about this save
        dropped = app.drop_held_keys()
        self._release_held()
        if dropped:
            self.notify(
                f"Not saved; {dropped} key(s) typed after it were dropped.",
                severity="warning",
                timeout=8,
            )

    def _release_held(self) -> None:
        token, self._save_hold = self._save_hold, None
        if token is not None:
            self.app.release_keys(token)  # type: ignore[attr-defined]

    def on_unmount(self) -> None:
        self._release_held()

    @on(Worker.StateChanged)
    def save_failed(self, event: Worker.StateChanged) -> None:
        """A save that failed (the failure policy says what): the keys typed after it are
        dropped, never held for good."""
        if event.state is WorkerState.ERROR and event.worker.name == "Saving the rate":
            self._refused()

    @work(exit_on_error=False, thread=True, exclusive=True, group="rates", name="Saving the rate")
    def save(self, kind: str, amount: str) -> None:
        try:
            with self.app.database.transaction() as session:
                rate, created = creators.set_rate(session, self.creator_id, kind, amount)
                text = format_money(rate.amount_minor, rate.currency)
        except DomainError as exc:
            self.app.call_from_thread(self._rejected, str(exc))
            return
        self.app.call_from_thread(self._saved, kind, text, created)

    def _rejected(self, message: str) -> None:
        if not self.is_attached:  # closed before its worker finished
            return
        self._error("amount", message)
        self.query_one("#rate-amount", Input).focus()
        self._refused()

    def _saved(self, kind: str, text: str, created: bool) -> None:
        self.changed = True
        self.query_one("#rate-deliverable", Input).value = ""
        self.query_one("#rate-amount", Input).value = ""
        self.notify(escape(f"{'Added' if created else 'Changed'} {kind}: {text}"))
        app: Any = self.app
        app.take_leading_held({"ctrl+s", "enter"})  # pressed twice: about this save
        # saved: the keys wait on for the list read again, as for any read (not firm)
        self._release_held()
        self._save_hold = object()
        app.hold_keys(self._save_hold)
        self.reload(kind, next_rate=True)

    def action_remove(self) -> None:
        table = self.query_one("#rates-table", DataTable)
        if not table.has_focus or table.row_count == 0:
            return
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        kind = str(row_key.value)
        amount = self.amounts.get(kind, "")

        def answered(yes: bool | None) -> None:
            if yes:
                self.remove_rate(kind)

        question = printable(f"Remove the {kind} rate ({amount})?".replace(" ()", ""))
        self.app.push_screen(ConfirmScreen(question, enter_confirms=True), answered)

    @work(exit_on_error=False, thread=True, exclusive=True, group="rates", name="Removing the rate")
    def remove_rate(self, kind: str) -> None:
        with self.app.database.transaction() as session:
            creators.remove_rate(session, self.creator_id, kind)
        self.app.call_from_thread(self._removed, kind)

    def _removed(self, kind: str) -> None:
        self.changed = True
        self.notify(escape(f"Removed the {kind} rate"))
        self.reload()

    def action_close(self) -> None:
        self.dismiss(self.changed)
