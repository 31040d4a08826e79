"""The brands (B from the roster): a searchable table; add, edit (contact details, category,
target audience), archive and unarchive. Archived brands are hidden until `a` shows them."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on, work
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.markup import escape
from textual.screen import Screen
from textual.widgets import DataTable, Header, Input, Static

from talent_tui.core.shares import format_share
from talent_tui.core.text import printable
from talent_tui.failures import Guarded
from talent_tui.screens.fields import FieldsForm, FormField, FormProblem
from talent_tui.screens.forms import ConfirmScreen
from talent_tui.services import brands
from talent_tui.services.fit import brand_target
from talent_tui.store.models import Dimension
from talent_tui.widgets.footer import KeysFooter
from talent_tui.widgets.inputs import SafeInput
from talent_tui.widgets.roster import fit as fit_text
from talent_tui.widgets.tables import PlainTable

# Actions that need a brand under the cursor.
NEEDS_BRAND = {"edit", "archive", "unarchive", "log"}


def brand_form(app: Any, brand_id: int | None, values: dict[str, str]) -> FieldsForm:
    """Add a brand (brand_id None) or edit one: its fields and its target audience, one line
    per dimension. Dismisses with the brand's id. Nothing is written until every field is
    valid; the brand and its target are saved in one transaction."""
    fields = [FormField(n, label, hint, values.get(n, "")) for n, label, hint in brands.FIELDS]
    labels = {Dimension.GENDER: "Target gender", Dimension.AGE: "Target age"}
    fields += [
        FormField(d.value, labels.get(d, "Target geo"), hint, values.get(d.value, ""))
        for d, hint in brands.TARGET_HINTS
    ]
    actor = app.actor

    def submit(typed: dict[str, str]) -> int:
        field_values = {name: typed[name] for name in brands.FIELD_NAMES}
        errors: dict[str, str] = {}
        targets: dict[Dimension, dict[str, float]] = {}
        try:
            brands.parse_fields(field_values)
        except brands.InvalidBrand as exc:
            errors.update(exc.errors)
        if "name" not in errors:  # a taken name is said with the other fields' problems
            try:
                with app.database.session() as session:
                    brands.check_name_free(session, field_values["name"].strip(), brand_id)
            except brands.InvalidBrand as exc:
                errors.update(exc.errors)
        try:
            targets = brands.parse_targets({d.value: typed[d.value] for d in Dimension})
        except brands.InvalidBrand as exc:
            errors.update(exc.errors)
        if errors:
            raise FormProblem(errors)
        try:
            with app.database.transaction() as session:
                if brand_id is not None:  # never over a change made since the form opened
                    brands.check_unchanged(session, brand_id, values)
                if brand_id is None:
                    saved = brands.add_brand(session, field_values, actor).id
                    assert saved is not None
                else:
                    brands.edit_brand(session, brand_id, field_values, actor)
                    saved = brand_id
                brands.set_targets(session, saved, targets, actor)
        except brands.InvalidBrand as exc:
            raise FormProblem(exc.errors) from None
        except brands.BrandChanged as exc:
            problem = {name: "changed elsewhere" for name in exc.fields}
            raise FormProblem(problem | {"": f"{exc}. Esc, then e, shows it now."}) from None
        return saved

    title = "Add a brand" if brand_id is None else f"Edit {values.get('name', 'brand')}"
    # A title is read as markup: every "[" escaped ("Sale[/" would be refused otherwise).
    return FieldsForm(printable(title).replace("[", "\\["), fields, submit)


def _contact(row: brands.BrandRow) -> str:
    texts = (row.contact_name, row.email, row.website)
    return " · ".join(t for t in texts if t) or "No contact details yet (e edits)."


class BrandsScreen(Guarded, Screen):
    CSS_PATH = "brands.tcss"
    BINDINGS = [
        Binding("escape", "back", "Back"),
        # Priority: "/glow" typed at machine speed searches instead of running n, e, a, …
        Binding("slash", "focus_search", "Find", priority=True),
        Binding("n", "add", "New"),
        Binding("e", "edit", "Edit"),
        Binding("x", "archive", "Archive"),
        Binding("u", "unarchive", "Unarchive"),
        Binding("a", "toggle_archived", "Archived"),
        Binding("l", "log", "Log", show=False),
        Binding("ctrl+r,f5", "refresh", "Refresh", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.search = ""
        self.include_archived = False
        self.rows: list[brands.BrandRow] = []
        self.brand_id: int | None = None

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="◆")
        with Vertical(id="brands-body"):
            yield SafeInput(
                placeholder="Search name, contact, email, category  (/)",
                id="brands-search",
                select_on_focus=False,
            )
            yield PlainTable(id="brands-table", cursor_type="row")
            yield Static(id="brands-detail")
            yield Static(id="brands-status")
        yield KeysFooter(compact=True)

    def on_mount(self) -> None:
        self.sub_title = "brands"
        table = self.query_one("#brands-table", DataTable)
        table.add_column("Brand", key="name")
        table.add_column("Category", key="category")
        table.add_column("Contact", key="contact")
        table.add_column(Text("Deals", justify="right"), key="deals")
        self.watch(self.query_one("#brands-search", Input), "value", self._typed, init=False)
        table.focus()
        self.reload()

    @property
    def table(self) -> DataTable[Any]:
        return self.query_one("#brands-table", DataTable)

    def row(self) -> brands.BrandRow | None:
        """The brand under the cursor."""
        for r in self.rows:
            if r.id == self.brand_id:
                return r
        return None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        current = self.row()
        if action == "archive" and current is not None and current.archived:
            return False  # u takes its place
        if action == "unarchive":
            return current is not None and current.archived
        if action in NEEDS_BRAND and current is None:
            return None  # dimmed: no brand under the cursor
        return True

    # ---- loading ------------------------------------------------------------------------

    def reload(self, keep_id: int | None = None) -> None:
        self.load(self.search, self.include_archived, keep_id or self.brand_id)

    @work(exit_on_error=False, thread=True, exclusive=True, group="brands", name="Loading brands")
    def load(self, search: str, include_archived: bool, keep_id: int | None) -> None:
        with self.app.database.session() as session:
            rows = brands.brand_rows(session, search, include_archived)
            hidden = 0
            if not include_archived:
                hidden = len(brands.brand_rows(session, search, True)) - len(rows)
        self.app.call_from_thread(self._show, search, include_archived, rows, hidden, keep_id)

    def _show(
        self,
        search: str,
        include_archived: bool,
        rows: list[brands.BrandRow],
        hidden: int,
        keep_id: int | None,
    ) -> None:
        if not self.is_attached or (search, include_archived) != (
            self.search,
            self.include_archived,
        ):
            return  # closed, or a newer search is on its way
        self.rows = rows
        table = self.table
        table.clear()
        width = max(20, (table.size.width or 76) - 44)
        for r in rows:
            name = Text(fit_text(printable(r.name), width))
            if r.archived:
                name = Text(fit_text(printable(r.name), width - 11)) + Text(" (archived)", "dim")
            table.add_row(
                name,
                fit_text(printable(r.category or ""), 14),
                fit_text(printable(r.contact_name or ""), 20),
                Text(str(r.campaigns), justify="right"),
                key=str(r.id),
            )
        index = next((i for i, r in enumerate(rows) if r.id == keep_id), 0)
        if rows:
            table.move_cursor(row=index, animate=False)
        self.brand_id = rows[index].id if rows else None
        self._update_status(len(rows), hidden)
        self._show_detail()
        self.refresh_bindings()

    def _update_status(self, shown: int, hidden: int) -> None:
        if not shown:
            words = f"No brand matches “{self.search}”." if self.search else "No brands yet."
            words += " n adds one."
        else:
            words = f"{shown} brand{'s' if shown != 1 else ''}"
            if self.search:
                words += f" matching “{self.search}”"
        if hidden:
            words += f" · {hidden} archived hidden (a shows them)"
        elif self.include_archived:
            words += " · archived shown (a hides them)"
        self.query_one("#brands-status", Static).update(Text(printable(words)))

    @on(DataTable.RowHighlighted, "#brands-table")
    def highlighted(self, event: DataTable.RowHighlighted) -> None:
        # No row key when the table was emptied under the cursor (a search that found nothing).
        key = event.row_key.value if event.row_key is not None else None
        self.brand_id = int(key) if key is not None else None
        self._show_detail()
        self.refresh_bindings()

    def _show_detail(self) -> None:
        """The brand under the cursor: contact details now, its target and notes once read."""
        current = self.row()
        detail = self.query_one("#brands-detail", Static)
        if current is None:
            detail.update("")
            return
        detail.update(Text(printable(_contact(current))))
        self.load_target(current.id)

    @work(exit_on_error=False, thread=True, exclusive=True, group="detail", name="Loading a brand")
    def load_target(self, brand_id: int) -> None:
        with self.app.database.session() as session:
            target = brand_target(session, brand_id)
            notes = brands.get_brand(session, brand_id).notes
        self.app.call_from_thread(self._show_target, brand_id, target, notes)

    def _show_target(self, brand_id: int, target: dict[str, dict[str, float]], notes: str) -> None:
        current = self.row()
        if not self.is_attached or current is None or current.id != brand_id:
            return
        lines = [_contact(current)]
        for dimension in (d.value for d, _ in brands.TARGET_HINTS):
            if dimension in target:
                shares = " · ".join(f"{b} {format_share(s)}" for b, s in target[dimension].items())
                lines.append(f"{dimension.capitalize():<8}{shares}")
        if not target:
            lines.append("Target  none yet (e sets it)")
        if notes:
            lines.append("Notes   " + notes.splitlines()[0])
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append("\n".join(printable(line) for line in lines))
        self.query_one("#brands-detail", Static).update(text)

    def _typed(self, value: str) -> None:
        search = value.strip()
        if search != self.search:
            self.search = search
            self.reload()

    @on(Input.Submitted, "#brands-search")
    def search_submitted(self) -> None:
        self.table.focus()

    @on(DataTable.RowSelected, "#brands-table")
    def chosen(self) -> None:
        self.action_edit()

    # ---- keys ---------------------------------------------------------------------------

    def action_focus_search(self) -> None:
        search = self.query_one("#brands-search", Input)
        if self.focused is search:
            raise SkipAction()  # a slash typed in the search box is text
        self.set_focus(search)

    def action_back(self) -> None:
        search = self.query_one("#brands-search", Input)
        if self.focused is search:
            if search.value:
                search.value = ""  # the watcher reloads the whole list
            self.table.focus()
            return
        self.app.pop_screen()

    def action_refresh(self) -> None:
        self.reload()

    def action_toggle_archived(self) -> None:
        self.include_archived = not self.include_archived
        self.reload()

    def action_add(self) -> None:
        def added(brand_id: int | None) -> None:
            if brand_id is not None:
                self.notify("Brand added")
                self._go_to(brand_id)

        start = {"name": self.search} if self.search and not self.rows else {}
        self.app.push_screen(brand_form(self.app, None, start), added)

    def _go_to(self, brand_id: int) -> None:
        """Show `brand_id` under the cursor, clearing a search that would hide it."""
        search = self.query_one("#brands-search", Input)
        if search.value:
            with search.prevent(Input.Changed):
                search.value = ""
            self.search = ""
        self.table.focus()
        self.reload(keep_id=brand_id)

    def action_edit(self) -> None:
        if self.brand_id is not None:
            self.load_for_edit(self.brand_id)

    @work(exit_on_error=False, thread=True, exclusive=True, group="form", name="Loading a brand")
    def load_for_edit(self, brand_id: int) -> None:
        with self.app.database.session() as session:
            values = brands.form_values(brands.get_brand(session, brand_id))
            values |= brands.target_texts(session, brand_id)
        self.app.call_from_thread(self._edit, brand_id, values)

    def _edit(self, brand_id: int, values: dict[str, str]) -> None:
        if not self.is_attached:
            return

        def saved(result: int | None) -> None:
            if result is not None:
                self.notify("Saved")
                self.reload(keep_id=brand_id)

        self.app.push_screen(brand_form(self.app, brand_id, values), saved)

    def action_archive(self) -> None:
        current = self.row()
        if current is None or current.archived:
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.set_archived(current.id, True)

        detail = (
            "It leaves the brand list and new offers; its campaigns, target and history stay. "
            "u brings it back (a shows archived brands)."
        )
        self.app.push_screen(ConfirmScreen(printable(f"Archive {current.name}?"), detail), answered)

    def action_unarchive(self) -> None:
        current = self.row()
        if current is not None and current.archived:
            self.set_archived(current.id, False)

    @work(exit_on_error=False, thread=True, exclusive=True, group="change", name="Archiving")
    def set_archived(self, brand_id: int, archived: bool) -> None:
        with self.app.database.transaction() as session:
            change = brands.archive_brand if archived else brands.unarchive_brand
            change(session, brand_id, self.app.actor)
            name = brands.get_brand(session, brand_id).name
        self.app.call_from_thread(self._archived, brand_id, name, archived)

    def _archived(self, brand_id: int, name: str, archived: bool) -> None:
        if not self.is_attached:
            return
        if archived:
            message = f"Archived {name}." + (
                "" if self.include_archived else " a shows it; u unarchives."
            )
            index = next((i for i, r in enumerate(self.rows) if r.id == brand_id), 0)
            neighbours = [r.id for r in self.rows[index + 1 :] + self.rows[:index][::-1]]
            keep = brand_id if self.include_archived else (neighbours[0] if neighbours else None)
        else:
            message, keep = f"Unarchived {name}.", brand_id
        self.notify(escape(printable(message)))
        self.reload(keep_id=keep)

    def action_log(self) -> None:
        if self.brand_id is None:
            return
        from talent_tui.screens.interactions import InteractionsScreen

        self.app.push_screen(InteractionsScreen(brand_id=self.brand_id))

    def refresh_data(self) -> None:
        """Another program committed (the app's change watcher): show it."""
        self.reload()
