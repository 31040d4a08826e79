"""The deal flow, one key from the roster: at the top the agenda (everything due, overdue
first, in red, each saying what to do next), below it every open deal across the roster by
stage with totals per currency."""

from __future__ import annotations

from datetime import date
from typing import Any

from rich.cells import cell_len
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static
from textual.widgets.data_table import RowDoesNotExist

from talent_tui.core import money
from talent_tui.core.dates import days_after, short_day
from talent_tui.core.text import printable
from talent_tui.failures import Guarded
from talent_tui.services import agenda, deals
from talent_tui.widgets.footer import KeysFooter
from talent_tui.widgets.roster import fit
from talent_tui.widgets.tables import PlainTable

AGENDA_ROWS = 6  # the agenda's height at most; it scrolls (the pipeline gets the rest)


class DealFlowScreen(Guarded, Screen):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("1", "pane('#flow-pipeline')", "Pipeline"),
        Binding("2", "pane('#flow-agenda')", "Agenda"),
        Binding("enter", "open", "Open", show=False),
        Binding("R", "report", "Report"),
        Binding("M", "report(True)", "Mgmt report"),
        Binding("w", "toggle_mine", "Mine/all", show=False),
    ]
    _shown = False  # the data has been shown once
    _agenda: dict[str, agenda.AgendaItem]  # the agenda's items by row key

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="◆")
        yield Static(id="flow-agenda-status", classes="flow-status")
        yield PlainTable(id="flow-agenda", cursor_type="row", show_header=False)
        yield Static(id="flow-pipeline-status", classes="flow-status")
        yield PlainTable(id="flow-pipeline", cursor_type="row")
        yield KeysFooter(compact=True)

    def on_mount(self) -> None:
        self._agenda = {}
        self._title()
        # Read here when it is quick (the screen's first frame then shows the data), else in
        # a worker; no loading overlay (a widget mounted and removed, a restyle each time).
        today, scope = self.app.today, self.app.team_scope()
        try:
            stages, due = self.app.read_now(lambda session: _read(session, today, scope))
        except Exception:  # noqa: BLE001 - the worker reads again and reports what failed
            self.reload()
            return
        self.show(stages, due)

    def _title(self) -> None:
        """The title says whose deals these are in team mode (`w`: mine / all)."""
        label = self.app.team_label()
        self.sub_title = f"deal flow · {label}" if label else "deal flow"

    def on_screen_resume(self) -> None:
        self._title()  # `w` may have been pressed on another screen
        if self._shown:  # back from a deal: what changed there shows here (the first time,
            self.reload()  # on_mount has just asked)

    def action_toggle_mine(self) -> None:
        """Team mode: the acting manager's own deals and agenda, or all their role allows
        (the app's one choice: the roster and the affiliates follow it too)."""
        if self.app.toggle_team_view():
            self._title()
            self.reload()

    def refresh_data(self) -> None:
        """Another process changed the database (see TalentApp.on_data_changed)."""
        if self.is_attached:
            self.reload()

    @work(exit_on_error=False, thread=True, exclusive=True, name="Loading the deal flow")
    def reload(self) -> None:
        today, scope = self.app.today, self.app.team_scope()
        with self.app.database.session() as session:
            stages, due = _read(session, today, scope)
        self.app.call_from_thread(self.show, stages, due)

    def show(self, stages: list[deals.Stage], due: list[agenda.AgendaItem]) -> None:
        if not self.is_attached:  # closed while loading
            return
        first = not self._shown
        self._shown = True
        self._show_agenda(due)
        self._show_pipeline(stages, first)

    def _show_agenda(self, due: list[agenda.AgendaItem]) -> None:
        today = self.app.today
        table = self.query_one("#flow-agenda", DataTable)
        keep = _cursor_key(table)
        table.styles.height = max(1, min(len(due), AGENDA_ROWS))
        table.display = bool(due)
        rows: list[tuple[list[Any], str]] = []
        for item in due:
            style = "bold red" if item.overdue else ""
            when = short_day(item.due_on, today) + (" late" if item.overdue else "")
            cells = [
                Text(when, style=style),
                Text(fit(printable(item.creator or item.brand or "—"), 14), style=style),
                Text(fit(printable(item.what), 44), style="red" if item.overdue else ""),
            ]
            rows.append((cells, f"{item.kind}:{item.ref_id}"))
        _fill(table, ("Due", "Creator", "What"), rows)
        _restore_cursor(table, keep)
        late = agenda.overdue_count(due)
        until = short_day(days_after(today, agenda.DEFAULT_DAYS), today)
        status = Text.assemble(("Agenda", "bold"), " · ")
        if due:
            status.append(f"{len(due)} due by {until}")
            if late:
                status.append(" · ")
                status.append(f"{late} overdue", style="bold red")
        else:
            status.append(f"nothing due by {until}, nothing overdue")
        self.query_one("#flow-agenda-status", Static).update(status)
        self._agenda = {f"{i.kind}:{i.ref_id}": i for i in due}

    def _show_pipeline(self, stages: list[deals.Stage], first: bool) -> None:
        today = self.app.today
        table = self.query_one("#flow-pipeline", DataTable)
        keep = _cursor_key(table)
        rows: list[tuple[list[Any], str]] = []
        for stage in stages:
            label = f"{deals.STATUS_LABELS[stage.status].capitalize()} · {len(stage.deals)}"
            rows.append(
                ([Text(label, style="bold reverse"), "", "", ""], f"stage:{stage.status.value}")
            )
            for code, amount in stage.totals.items():  # one line per currency, never summed
                total = Text(money.format_short(amount, code), style="bold")
                key = f"total:{stage.status.value}:{code}"
                rows.append(([Text(f"  total in {code}", style="dim"), "", total, ""], key))
            for deal in stage.deals:
                when = short_day(deal.key_date, today) if deal.key_date else "—"
                late = deal.key_date is not None and deal.key_date < today
                cells = [
                    fit(printable(deal.name), 28),
                    fit(printable(f"{deal.creator} · {deal.brand}"), 26),
                    money.format_short(deal.fee_minor, deal.currency),
                    Text(when, style="bold red" if late else ""),
                ]
                rows.append((cells, f"campaign:{deal.campaign_id}"))
        _fill(table, ("Campaign", "Creator", "Fee", "Next"), rows)
        if first or not _restore_cursor(table, keep):
            # The first deal under the cursor (Enter opens it), the table at its top: the
            # first stage's totals stay in view.
            first_deal = next(
                (i for i, k in enumerate(table.rows) if str(k.value).startswith("campaign:")), None
            )
            if first_deal is not None:
                table.move_cursor(row=first_deal)
            table.scroll_home(animate=False)
        open_deals = sum(len(s.deals) for s in stages)
        self.query_one("#flow-pipeline-status", Static).update(
            Text.assemble(
                ("Pipeline", "bold"),
                f" · {open_deals} open deal{'' if open_deals == 1 else 's'} by stage",
            )
        )

    def action_report(self, management: bool = False) -> None:
        """The period report for advertisers; with `management`, the management report (the
        manager's commission per won deal and in total)."""
        from talent_tui.core.dates import parse_iso_date
        from talent_tui.io import render
        from talent_tui.screens.document import DocumentScreen
        from talent_tui.screens.fields import FieldsForm, FormField, FormProblem
        from talent_tui.services import reports

        today, app = self.app.today, self.app

        def submit(values: dict[str, str]) -> str:
            days = {}
            errors = {}
            for name in ("start", "end"):
                try:
                    days[name] = parse_iso_date(values[name])
                except ValueError as exc:
                    errors[name] = str(exc)
            if not errors and days["end"] < days["start"]:
                errors["end"] = "before the start"
            if errors:
                raise FormProblem(errors)
            return f"{days['start'].isoformat()} {days['end'].isoformat()}"

        def chosen(result: str | None) -> None:
            if not result:
                return
            start, end = (parse_iso_date(p) for p in result.split())

            def produce(fmt: str) -> str:
                with app.database.session() as session:
                    report = reports.build_report(
                        session, today, start=start, end=end, management=management
                    )
                return render.report(report, fmt)

            renderers = {fmt: (lambda f=fmt: produce(f)) for fmt in ("md", "csv", "html")}
            kind = "management" if management else "report"
            name = f"{kind}-{start.isoformat()}-{end.isoformat()}.html"
            title = "management report" if management else "period report"
            self.app.push_screen(DocumentScreen(title, renderers, name))

        fields = [
            FormField("start", "From", "YYYY-MM-DD", today.replace(month=1, day=1).isoformat()),
            FormField("end", "To", "YYYY-MM-DD", today.isoformat()),
        ]
        heading = "Management report for a period" if management else "Report for a period"
        self.app.push_screen(FieldsForm(heading, fields, submit), chosen)

    def action_pane(self, table: str) -> None:
        widget = self.query_one(table, DataTable)
        if widget.display:
            widget.focus()

    @on(DataTable.RowSelected)
    def chosen(self, event: DataTable.RowSelected) -> None:
        key = str(event.row_key.value or "")
        kind, _, rest = key.partition(":")
        if kind == "campaign":
            self._open_deal(int(rest))
            return
        item = self._agenda.get(key)
        if item is None:
            return
        if item.campaign_id is not None:
            self._open_deal(item.campaign_id)
        elif item.creator_id is not None or item.brand_id is not None:
            from talent_tui.screens.interactions import InteractionsScreen

            self.app.push_screen(InteractionsScreen(item.creator_id, item.brand_id))

    def _open_deal(self, campaign_id: int) -> None:
        from talent_tui.screens.campaign import CampaignScreen

        self.app.push_screen(CampaignScreen(campaign_id))

    def action_open(self) -> None:
        focused = self.focused
        if isinstance(focused, DataTable) and focused.row_count:
            focused.action_select_cursor()


def _read(
    session: Any,  # noqa: ANN401 - a Session
    today: date,
    scope: tuple[int | None, bool],
) -> tuple[list[deals.Stage], list[agenda.AgendaItem]]:
    """The open deals and the agenda; team mode (`scope`: TalentApp.team_scope): only the
    acting manager's creators' and affiliates' (an affiliate's statement to pay follows the
    affiliate; a brand's follow-up, with no creator, stays, as `talent agenda` keeps it)."""
    from talent_tui.services import team

    manager_id, unassigned = scope
    stages = deals.deal_flow(session, manager_id, unassigned)
    due = agenda.agenda(session, today)
    if manager_id is not None:
        kept = team.owned_ids(session, "creators", manager_id, unassigned)
        statements = (
            team.owned_ids(session, "statements", manager_id, unassigned)
            if any(i.kind == "statement" for i in due)
            else set()
        )

        def theirs(item: agenda.AgendaItem) -> bool:
            if item.kind == "statement":
                return item.ref_id in statements
            return item.creator_id is None or item.creator_id in kept

        due = [i for i in due if theirs(i)]
    return stages, due


def _fill(
    table: DataTable[Any], columns: tuple[str, ...], rows: list[tuple[list[Any], str]]
) -> None:
    """Replace the table's columns and rows (cells, key), each column as wide as its widest
    cell, given up front: a DataTable measures auto-width columns only when idle, and a cell
    drawn before that (a busy moment) stays drawn at the header's width."""
    widths = [cell_len(label) for label in columns]
    for cells, _ in rows:
        for i, cell in enumerate(cells):
            shown = cell.cell_len if isinstance(cell, Text) else cell_len(printable(cell))
            widths[i] = max(widths[i], shown)
    table.clear(columns=True)
    for label, width in zip(columns, widths, strict=True):
        table.add_column(label, width=width)
    for cells, key in rows:
        table.add_row(*cells, key=key)


def _cursor_key(table: DataTable[Any]) -> str | None:
    """The key of the row under the cursor, to find it again after a reload."""
    if not table.row_count:
        return None
    row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
    return str(row_key.value)


def _restore_cursor(table: DataTable[Any], key: str | None) -> bool:
    """Put the cursor back on the row with `key`, if it is still there."""
    if key is None:
        return False
    try:
        index = table.get_row_index(key)
    except RowDoesNotExist:  # gone (done, or moved on)
        return False
    table.move_cursor(row=index)
    return True
