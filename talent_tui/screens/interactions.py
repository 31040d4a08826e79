"""The interaction log of one creator: calls, e-mails, meetings and notes, with follow-ups."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from talent_tui.core.text import printable
from talent_tui.failures import Guarded
from talent_tui.screens.fields import FieldsForm, FormField, FormProblem
from talent_tui.services import interactions
from talent_tui.store.models import Interaction
from talent_tui.widgets.footer import KeysFooter
from talent_tui.widgets.tables import PlainTable


class InteractionsScreen(Guarded, ModalScreen[None]):
    BINDINGS = [
        Binding("n", "add", "Log"),
        Binding("space", "done", "Follow-up done"),
        Binding("escape", "close", "Close"),
    ]

    def __init__(self, creator_id: int | None = None, brand_id: int | None = None) -> None:
        super().__init__()
        self.creator_id = creator_id
        self.brand_id = brand_id

    def compose(self) -> ComposeResult:
        with Vertical(id="log-box"):
            yield Static(id="log-title")
            yield PlainTable(id="log-table", cursor_type="row")
            yield Static("n log a call, email, meeting or note · space marks a follow-up done",
                         id="log-hint")  # fmt: skip
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#log-table", DataTable).add_columns("Date", "Kind", "Summary", "Follow up")
        self.reload()

    @work(exit_on_error=False, thread=True, exclusive=True, name="Loading the log")
    def reload(self) -> None:
        with self.app.database.session() as session:
            name = interactions.party_name(session, self.creator_id, self.brand_id)
            items = interactions.interactions_of(session, self.creator_id, self.brand_id)
        self.app.call_from_thread(self.show, name, items)

    def show(self, name: str, items: list[Interaction]) -> None:
        if not self.is_attached:  # closed while loading
            return
        self.query_one("#log-title", Static).update(Text(f"Log · {printable(name)}"))
        table = self.query_one("#log-table", DataTable)
        table.clear()
        today = self.app.today
        for i in items:
            follow = "—"
            style = ""
            if i.follow_up_on is not None:
                follow = i.follow_up_on.isoformat() + (" ✓" if i.follow_up_done else "")
                if not i.follow_up_done and i.follow_up_on <= today:
                    style = "bold red"
            table.add_row(
                i.happened_on.isoformat(), i.kind.value, printable(i.summary), Text(follow, style=style),
                key=str(i.id),
            )  # fmt: skip
        table.focus()

    def action_add(self) -> None:
        today = self.app.today

        def submit(values: dict[str, str]) -> str:
            errors: dict[str, str] = {}
            kind = follow = None
            try:
                kind = interactions.parse_kind(values["kind"])
            except interactions.InteractionError as exc:
                errors["kind"] = str(exc)
            try:
                follow = interactions.parse_follow_up(values["follow_up"])
            except interactions.InteractionError as exc:
                errors["follow_up"] = str(exc)
            if not values["summary"].strip():
                errors["summary"] = "what happened, in a line"
            if errors or kind is None:
                raise FormProblem(errors)
            try:
                with self.app.database.transaction() as session:
                    interactions.log_interaction(
                        session, kind, values["summary"], today, self.app.actor,
                        creator_id=self.creator_id, brand_id=self.brand_id, follow_up_on=follow,
                    )  # fmt: skip
            except interactions.InteractionError as exc:
                raise FormProblem({exc.field if exc.field in values else "": str(exc)}) from None
            return "Logged"

        def done(message: str | None) -> None:
            if message:
                self.notify(message)
                self.reload()

        fields = [
            FormField("kind", "Kind", "call, email, meeting or note", "call"),
            FormField("summary", "Summary", "what happened"),
            FormField("follow_up", "Follow up on", "YYYY-MM-DD (optional)"),
        ]
        self.app.push_screen(FieldsForm("Log an interaction", fields, submit), done)

    def action_done(self) -> None:
        table = self.query_one("#log-table", DataTable)
        if not table.row_count:
            return
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        self.complete(int(str(row_key.value)))

    @work(exit_on_error=False, thread=True, name="Marking the follow-up done")
    def complete(self, interaction_id: int) -> None:
        with self.app.database.transaction() as session:
            interactions.complete_follow_up(session, interaction_id)
        self.app.call_from_thread(self.reload_if_open)

    def reload_if_open(self) -> None:
        """After a change: show it, unless the screen was closed meanwhile."""
        if self.is_attached:
            self.reload()

    def action_close(self) -> None:
        self.dismiss(None)
