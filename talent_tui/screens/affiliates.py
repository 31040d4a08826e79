"""The affiliates workspace (`A` from the roster): programs on the left; for the chosen one,
its pipeline board by stage (move an affiliate with > and x, tick its checklist with t) and
its affiliates' KPIs for a period (sortable with s; p switches month → quarter → a custom
range, [ and ] step to the period before / after); Enter opens an affiliate's page
(screens/affiliate_page.py). Forms add programs (N), affiliates (n), links (L), promo codes
(C) and creatives (B).

Every read and write runs in a worker through services.affiliates: the programs and the
board in one, the KPIs in their own (one SQL statement per view, aggregated in the database),
so a program with a million conversions shows its board at once and its KPIs when they are
summed; a table whose read takes longer than a moment shows a loading indicator meanwhile.

Where later screens hook in: add their keys to BINDINGS (a free letter; see help.md) and an
`action_…` that pushes the screen with `self.program_id` and, for one affiliate,
`self._affiliate_id()`; `self.period` is the period the manager chose.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from rich.markup import escape
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static, TabbedContent, TabPane
from textual.worker import Worker, get_current_worker

from talent_tui.core import dates
from talent_tui.core.errors import DomainError
from talent_tui.core.text import printable
from talent_tui.failures import Guarded
from talent_tui.screens import money_forms
from talent_tui.screens.affiliate_common import (
    ENDED,
    KPI_COLUMNS,
    LazyRows,
    Loading,
    _count,
    _money,
    _rate,
    right,
    sort_kpis,
    trend_words,
)
from talent_tui.screens.fields import FieldsForm, FormField, FormProblem
from talent_tui.services.affiliates import kpis, lookup, members, programs, resources
from talent_tui.store.kinds import AffiliateStage
from talent_tui.widgets.footer import KeysFooter
from talent_tui.widgets.roster import fit
from talent_tui.widgets.tables import PlainTable

SORTS = ("revenue", "clicks", "conversions", "epc")
PERIOD_KINDS = ("month", "quarter", "range")


@dataclass
class ProgramData:
    programs: list[programs.ProgramView]
    program: programs.ProgramView | None
    affiliates: list[members.AffiliateRow]
    result: kpis.ProgramKpis | None = None


def period_form_fields(period: kpis.Period) -> list[FormField]:
    last = period.end - timedelta(days=1)
    return [
        FormField("from", "From", "YYYY-MM-DD", period.start.isoformat()),
        FormField("to", "To", "YYYY-MM-DD (included)", last.isoformat()),
    ]


def submit_range(values: dict[str, str]) -> kpis.Period:
    """The range a period form names; a bad, missing or reversed date is said beside its
    field (FormProblem), the form stays open."""
    empty = {name: "give a day, YYYY-MM-DD" for name in ("from", "to") if not values[name].strip()}
    if empty:
        raise FormProblem(empty)
    try:
        return kpis.parse_range(values["from"], values["to"])
    except DomainError as exc:
        field = getattr(exc, "field", None)
        name = field if field in values else ""
        raise FormProblem({name: str(exc).removeprefix(f"{name}: ")}) from None


def forward(stage: AffiliateStage) -> AffiliateStage:
    """Where `>` moves an affiliate: the first move the pipeline lists for its stage."""
    return members.MOVES[stage][0]


def drop(stage: AffiliateStage) -> AffiliateStage | None:
    """Where `x` moves an affiliate: rejected while recruiting, ended once onboarded."""
    for target in (AffiliateStage.REJECTED, AffiliateStage.ENDED):
        if target in members.MOVES[stage]:
            return target
    return None


class AffiliatesScreen(Guarded, Screen):
    CSS_PATH = "affiliates.tcss"
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("1", "pane('aff-pane-pipeline')", "Pipeline", show=False),
        Binding("2", "pane('aff-pane-kpis')", "KPIs", show=False),
        Binding("greater_than_sign", "advance", "Advance"),
        Binding("x", "drop", "Reject/end"),
        Binding("t", "tick", "Tick"),
        Binding("s", "sort", "Sort"),
        Binding("p", "period_kind", "Period"),
        Binding("left_square_bracket", "period(-1)", "Period before", show=False),
        Binding("right_square_bracket", "period(1)", "Period after", show=False),
        Binding("n", "add_affiliate", "New"),
        Binding("N", "add_program", "New program", show=False),
        Binding("L", "add_link", "Link", show=False),
        Binding("C", "add_code", "Code", show=False),
        Binding("B", "add_creative", "Creative", show=False),
        Binding("P", "focus_programs", "Programs", show=False),
        Binding("enter", "open", "Open", show=False),
        # Issue 16, the money screens (screens/affiliate_rules|review|payouts.py).
        Binding("r", "money_rules", "Rules", show=False),
        Binding("v", "money_review", "Review", show=False),
        Binding("dollar_sign,o", "money_payouts", "Money", key_display="$"),
        Binding("w", "toggle_mine", "Mine/all", show=False),
        Binding("R", "report", "Report", show=False),
        Binding("M", "report(True)", "Mgmt report", show=False),
        Binding("ctrl+r,f5", "refresh", "Refresh", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.program_id: int | None = None
        self.period = kpis.month_period(dates.today())  # the app's today, once mounted
        self.sort = SORTS[0]
        self.data: ProgramData | None = None
        self.resum = True
        # Stage moves and ticks wait here and run one after another, in the order their keys
        # were pressed (`change`); `_changing` while a worker is running them.
        self._changes: deque[tuple[Any, str]] = deque()
        self._changes_lock = threading.Lock()
        self._changing = False
        # Where p is in its cycle month → quarter → range → month: a range form left with Esc
        # keeps the period shown, and the next p goes on to the month.
        self.period_step = 0
        self._month_left: kpis.Period | None = None  # the month p left for the quarter

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="◆")
        with Horizontal(id="aff-body"):
            yield PlainTable(id="aff-programs", cursor_type="row")
            with TabbedContent(id="aff-tabs"):
                with TabPane("Pipeline", id="aff-pane-pipeline"):
                    yield PlainTable(id="aff-pipeline", cursor_type="row")
                with TabPane("KPIs", id="aff-pane-kpis"):
                    yield PlainTable(id="aff-kpis", cursor_type="row")
        yield Static("", id="aff-status")
        yield KeysFooter(compact=True)

    def on_mount(self) -> None:
        self._title()
        self.period = kpis.month_period(self.app.today)
        # Widths set up front: a table drawn before it measures its rows would keep drawing
        # them at the headers' widths ("@k.beauty", "14 No"); with them, adding a row does not
        # measure its cells (2,000 affiliates are added in one go).
        self.query_one("#aff-programs", DataTable).add_column("Program", width=18)
        pipeline = self.query_one("#aff-pipeline", DataTable)
        # At 80 columns beside the programs: the checklist as "2/3" ticked, "Since" a date.
        for label, width in (("Affiliate", 17), ("Name", 15), ("Ticked", 6), ("Since", 11)):
            pipeline.add_column(label, width=width)
        table = self.query_one("#aff-kpis", DataTable)
        for label, width in KPI_COLUMNS:
            table.add_column(label, width=width)
        self.pipeline_rows = LazyRows(pipeline, self._pipeline_cells)
        self.kpi_rows = LazyRows(table, self._kpi_cells)
        self.board_loading = Loading(self.query_one("#aff-body"), self.pipeline_rows.to_top)
        self.kpis_loading = Loading(table, self.kpi_rows.to_top)
        self.reload()

    def on_screen_resume(self) -> None:
        """Back from a form or another screen: read again (what was saved there, `w` pressed
        there). The one reload after a form: its done callback only says what was saved."""
        self._title()  # `w` may have been pressed on another screen
        if self.data is not None:
            self.reload()

    def refresh_data(self) -> None:
        """Another process committed (the app's change watcher: a CLI import): read again,
        the sums too."""
        if self.is_attached and self.data is not None:
            self.data.result = None
            self.reload()

    def action_refresh(self) -> None:
        """Ctrl+R / F5: read everything again now."""
        self.refresh_data()
        self.notify("Refreshed", timeout=2)

    def _title(self) -> None:
        """The title says whose affiliates these are in team mode (`w`: mine / all)."""
        label = self.app.team_label()
        self.sub_title = f"affiliate programs · {label}" if label else "affiliate programs"

    def action_toggle_mine(self) -> None:
        """Team mode: the acting manager's own affiliates (board and KPIs), or all their role
        allows (the app's one choice: the roster and the deal flow follow it too)."""
        if self.app.toggle_team_view():
            self._title()
            if self.data is not None:
                self.data.result = None  # other affiliates: the sums are summed again
            self.reload()

    # ---- reading ----------------------------------------------------------------------------

    def reload(self, resum: bool = True) -> None:
        """Read the programs and the chosen one's board, then its KPIs (each in a worker).
        `resum=False` (after a stage move or a tick) keeps the sums when the program, the
        period and its affiliates are the same."""
        self.resum = resum
        self.board_loading.start(self.read_board(self.program_id))

    @work(exit_on_error=False, thread=True, exclusive=True, group="board", name="Loading programs")
    def read_board(self, wanted: int | None) -> None:
        with self.app.database.session() as session:
            views = programs.list_programs(session)
            chosen = next((v for v in views if v.id == wanted), views[0] if views else None)
            manager_id, unassigned = self.app.team_scope()
            rows = (
                members.list_affiliates(
                    session, chosen.id, manager_id=manager_id, unassigned=unassigned
                )
                if chosen
                else []
            )
        if not get_current_worker().is_cancelled:  # a newer read (another program) follows
            self.app.call_from_thread(self.show, ProgramData(views, chosen, rows), wanted)

    def load_kpis(self) -> None:
        if self.program_id is None:
            return
        self._status()
        self.kpis_loading.start(self.read_kpis(self.program_id, self.period))

    @work(exit_on_error=False, thread=True, exclusive=True, group="kpis", name="Summing the KPIs")
    def read_kpis(self, program_id: int, period: kpis.Period) -> None:
        with self.app.database.session() as session:
            program = lookup.find_program(session, str(program_id))
            manager_id, unassigned = self.app.team_scope()
            result = kpis.program_kpis(
                session, program, period, manager_id=manager_id, unassigned=unassigned
            )
        scope = (manager_id, unassigned)
        self.app.call_from_thread(self.show_kpis, program_id, period, result, scope)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state in ENDED:
            self.board_loading.ended(event.worker)
            self.kpis_loading.ended(event.worker)

    def show(self, data: ProgramData, wanted: int | None = None) -> None:
        if not self.is_attached or wanted != self.program_id:
            return  # closed, or another program was chosen meanwhile (its read follows)
        previous = self.data
        self.data = data
        self.program_id = data.program.id if data.program is not None else None
        table = self.query_one("#aff-programs", DataTable)
        # Refilled without announcing highlights: each would read as "the manager chose
        # this program" and start another read (a loop between two programs).
        with table.prevent(DataTable.RowHighlighted):
            table.clear()
            for view in data.programs:
                table.add_row(fit(printable(view.name), 18), key=f"program:{view.id}")
            if self.program_id is not None:
                index = next(i for i, v in enumerate(data.programs) if v.id == self.program_id)
                table.move_cursor(row=index)
        self._show_pipeline(data)
        kept = previous.result if previous is not None else None
        if kept is not None and kept.program_id == self.program_id:
            data.result = kept  # shown until new sums come
            if (
                not self.resum
                and kept.period == self.period
                and len(kept.rows) == len(data.affiliates)
            ):
                self._status()
                return  # a stage move or a tick: the sums stand
        else:
            self.kpi_rows.reset([], None)
        self.load_kpis()

    def show_kpis(
        self,
        program_id: int,
        period: kpis.Period,
        result: kpis.ProgramKpis,
        scope: tuple[int | None, bool] = (None, False),
    ) -> None:
        if not self.is_attached or self.data is None:
            return
        if program_id != self.program_id or period != self.period:
            return  # the manager moved on while this was summed; its own read follows
        if scope != self.app.team_scope():
            return  # `w` was pressed meanwhile: the other view's sums follow
        self.data.result = result
        self._show_kpis(self.data)
        self._status()

    def _show_pipeline(self, data: ProgramData) -> None:
        table = self.query_one("#aff-pipeline", DataTable)
        cursor_key = self._cursor_key(table)
        by_stage: dict[str, list[members.AffiliateRow]] = {}
        for row in data.affiliates:
            by_stage.setdefault(row.stage, []).append(row)
        rows: list[tuple[object, str]] = []
        for stage in members.PIPELINE:
            listed = by_stage.get(stage.value, [])
            rows.append(((stage, len(listed)), f"stage:{stage.value}"))
            rows.extend((row, f"affiliate:{row.id}") for row in listed)
        self.pipeline_rows.reset(rows, cursor_key)

    def _pipeline_cells(self, item: object) -> tuple[object, ...]:
        if isinstance(item, members.AffiliateRow):
            return (
                fit(printable(item.handle), 17),
                fit(printable(item.name or ""), 15),
                f"{item.ticked}/{item.checklist}" if item.checklist else "",
                dates.short_day(item.stage_since.date(), self.app.today),
            )
        stage, count = item  # type: ignore[misc]
        return (Text(f"{stage.value.capitalize()} · {count}", style="bold reverse"), "", "", "")

    def _show_kpis(self, data: ProgramData, keep_cursor: bool = True) -> None:
        """The KPI rows in the chosen order; the cursor stays on its affiliate (a new period),
        or goes to the top (a new order: the first page is all that is drawn)."""
        table = self.query_one("#aff-kpis", DataTable)
        cursor_key = self._cursor_key(table) if keep_cursor else None
        if data.result is None:
            self.kpi_rows.reset([], None)
            return
        # The program's total first: the table is drawn a page at a time (LazyRows).
        ordered = [data.result.total, *sort_kpis(data.result.rows, self.sort)]
        self._fit_kpi_columns(table, ordered)
        rows = [(k, f"affiliate:{k.affiliate_id}" if k.affiliate_id else "total") for k in ordered]
        self.kpi_rows.reset(rows, cursor_key)

    def _fit_kpi_columns(self, table: DataTable, ordered: list[kpis.Kpi]) -> None:  # type: ignore[type-arg]
        """A column as wide as its widest figure, when that is wider than its usual width (a
        count or an amount already shortened to "200k" / "4.15M", a rate of "55558%"): a
        number is never cut off by its column. The columns are set again only when their
        widths change (the table is cleared then: its rows are added after this)."""
        widths = [width for _label, width in KPI_COLUMNS]
        # The widest figure of a column is that of its highest or its lowest value (a
        # negative commission): only those rows are formatted (not 2,000 of them).
        candidates: dict[int, kpis.Kpi] = {}
        for figure in (
            lambda k: k.clicks,
            lambda k: k.conversions,
            lambda k: k.conversion_rate or 0.0,
            lambda k: k.revenue_minor,
            lambda k: k.commission_minor,
            lambda k: k.epc_minor or 0,
            lambda k: k.aov_minor or 0,
        ):
            for k in (max(ordered, key=figure), min(ordered, key=figure)):
                candidates[id(k)] = k
        for k in candidates.values():
            for i, text in enumerate(self._kpi_numbers(k), start=1):
                widths[i] = max(widths[i], len(text))
        shown = [column.width for column in table.columns.values()]
        if shown != widths:
            table.clear(columns=True)
            for (label, _usual), width in zip(KPI_COLUMNS, widths, strict=True):
                table.add_column(label, width=width)

    @staticmethod
    def _kpi_numbers(k: kpis.Kpi) -> tuple[str, ...]:
        """The figures of a KPI row (all but the handle), each fitted to its usual width."""
        cur, width = k.currency, [w for _label, w in KPI_COLUMNS]
        return (
            _count(k.clicks, width[1]),
            _count(k.conversions, width[2]),
            _rate(k.conversion_rate, width[3]),
            _money(k.revenue_minor, cur, width[4]),
            _money(k.commission_minor, cur, width[5]),
            _money(k.epc_minor, cur, width[6]),
            _money(k.aov_minor, cur, width[7]),
        )

    def _kpi_cells(self, k: kpis.Kpi) -> tuple[object, ...]:
        handle = (
            fit(printable(k.handle), KPI_COLUMNS[0][1]) if k.handle else Text("Total", style="bold")
        )
        return (handle, *(right(text) for text in self._kpi_numbers(k)))

    @on(DataTable.RowHighlighted, "#aff-pipeline")
    def pipeline_moved(self, event: DataTable.RowHighlighted) -> None:
        self.pipeline_rows.near(event.cursor_row)

    @on(DataTable.RowHighlighted, "#aff-kpis")
    def kpis_moved(self, event: DataTable.RowHighlighted) -> None:
        self.kpi_rows.near(event.cursor_row)

    def _status(self) -> None:
        """One line: the program, the period, its revenue with the trend, the order. When the
        line is longer than the screen is wide the program's name gives way first (it is
        shortened, then left out), then the order."""
        data = self.data
        if data is None or data.program is None:
            text = "No programs yet: N adds one."
        else:
            p = data.program
            result = data.result if data.result and data.result.period == self.period else None
            if result is None:
                figures = "summing…"
            else:
                total = result.total
                trend = trend_words(total.revenue_minor, total.previous_revenue_minor, self.period)
                figures = f"{_money(total.revenue_minor, p.currency)} {p.currency} ({trend})"
            width = self.app.size.width - 2
            rest = f" · {self.period.label}: {figures}"
            order = f" · by {self.sort}"
            room = width - len(rest + order)
            if room >= 8:
                text = fit(printable(p.name), room) + rest + order
            elif len(rest + order) - 3 <= width:  # no room for the name: the figures first
                text = (rest + order)[3:]
            else:
                text = rest[3:]
        self.query_one("#aff-status", Static).update(Text(printable(text), no_wrap=True))

    @staticmethod
    def _cursor_key(table: DataTable) -> str | None:
        if not table.row_count:
            return None
        try:
            return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
        except Exception:  # noqa: BLE001 - no row under the cursor
            return None

    def _affiliate_id(self) -> int | None:
        """The affiliate under the cursor of the visible table."""
        tabs = self.query_one("#aff-tabs", TabbedContent)
        table_id = "#aff-pipeline" if tabs.active == "aff-pane-pipeline" else "#aff-kpis"
        key = self._cursor_key(self.query_one(table_id, DataTable)) or ""
        kind, _, rest = key.partition(":")
        return int(rest) if kind == "affiliate" and rest.isdigit() else None

    def _row(self, affiliate_id: int) -> members.AffiliateRow | None:
        if self.data is None:
            return None
        return next((r for r in self.data.affiliates if r.id == affiliate_id), None)

    # ---- choosing -------------------------------------------------------------------------

    @on(DataTable.RowHighlighted, "#aff-programs")
    def program_highlighted(self, event: DataTable.RowHighlighted) -> None:
        key = str(event.row_key.value or "") if event.row_key is not None else ""
        kind, _, rest = key.partition(":")
        if kind == "program" and rest.isdigit() and int(rest) != self.program_id:
            self.program_id = int(rest)
            self.reload()

    @on(DataTable.RowSelected, "#aff-programs")
    def program_selected(self, _event: DataTable.RowSelected) -> None:
        self.action_pane("aff-pane-pipeline")

    @on(DataTable.RowSelected, "#aff-pipeline, #aff-kpis")
    def affiliate_selected(self, _event: DataTable.RowSelected) -> None:
        affiliate_id = self._affiliate_id()
        if affiliate_id is not None and self.program_id is not None:
            from talent_tui.screens.affiliate_page import AffiliatePage

            self.app.push_screen(AffiliatePage(self.program_id, affiliate_id, self.period))

    def action_open(self) -> None:
        focused = self.focused
        if isinstance(focused, DataTable) and focused.row_count:
            focused.action_select_cursor()

    def action_pane(self, pane: str) -> None:
        self.query_one("#aff-tabs", TabbedContent).active = pane
        table_id = "#aff-pipeline" if pane == "aff-pane-pipeline" else "#aff-kpis"
        self.query_one(table_id, DataTable).focus()

    def action_focus_programs(self) -> None:
        self.action_pane("aff-pane-pipeline")
        self.query_one("#aff-programs", DataTable).focus()

    @on(TabbedContent.TabActivated, "#aff-tabs")
    def pane_shown(self, event: TabbedContent.TabActivated) -> None:
        # The KPI table needs the whole width of an 80-column terminal: the program list
        # stands aside while it shows (p brings it back).
        kpis_shown = event.pane.id == "aff-pane-kpis"
        self.query_one("#aff-programs", DataTable).display = not kpis_shown
        if kpis_shown:
            # Filled while hidden, the table scrolled to its cursor with no height, hiding the
            # Total row above the first affiliate: back at the top once it has its size.
            self.call_after_refresh(self.kpi_rows.to_top)

    def action_sort(self) -> None:
        """The next order of the KPI table (in memory: the rows are already summed)."""
        self.sort = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)]
        if self.data is not None:
            self._show_kpis(self.data, keep_cursor=False)
            self._status()

    def action_period(self, step: int) -> None:
        """The period before (-1) or after (1) the shown one, of the same kind."""
        try:
            self.period = self.period.step(step)
        except DomainError as exc:
            self.notify(escape(str(exc)), timeout=3)
            return
        self.load_kpis()

    def action_period_kind(self) -> None:
        """Month → quarter → a custom range (a form asks its days) → month, each around the
        first day of the shown period (the month is the one left for the quarter when it is
        in the period shown). The cycle goes on from where p left it: after a range
        form left with Esc (the quarter still shown), the next p is the month."""
        self.period_step = (self.period_step + 1) % len(PERIOD_KINDS)
        kind = PERIOD_KINDS[self.period_step]
        if kind == "month":
            # Back to the month left for the quarter when it is still in the period shown.
            left = self._month_left
            inside = left is not None and self.period.start <= left.start < self.period.end
            self.set_period(left if inside and left else kpis.month_period(self.period.start))
        elif kind == "quarter":
            self._month_left = self.period if self.period.kind == "month" else None
            self.set_period(kpis.quarter_of(self.period.start))
        else:
            self.ask_range()

    def ask_range(self) -> None:
        """A form for a custom range's first and last days (Esc keeps the shown period). The
        KPIs are read when the workspace shows again (`on_screen_resume`), once."""

        def done(period: kpis.Period | None) -> None:
            if period is not None:
                self.period = period
            else:
                self.notify(f"Kept {self.period.label}; p again: the month.", timeout=3)
            self.action_pane("aff-pane-kpis")

        self.app.push_screen(
            FieldsForm("KPIs for the days", period_form_fields(self.period), submit_range), done
        )

    def set_period(self, period: kpis.Period) -> None:
        self.period = period
        self.action_pane("aff-pane-kpis")
        self.load_kpis()

    # ---- changing -------------------------------------------------------------------------

    def change(self, do: Any, done: str) -> None:  # noqa: ANN401
        """A stage move or a tick, made after those asked for before it: the keys are applied
        in the order they were pressed, however fast (one worker each ran them in parallel,
        committed in any order: `> x` could end up as `x >`)."""
        with self._changes_lock:
            self._changes.append((do, done))
            if self._changing:
                return  # the running worker takes it after the others
            self._changing = True
        self._run_changes()

    @work(exit_on_error=False, thread=True, group="affiliate-change", name="Saving the change")
    def _run_changes(self) -> None:
        """Every queued change, one transaction each, oldest first; the board is read again
        once they are all made. A change refused (a rule) is said and the next one made; a
        failure (a bug) drops those queued after it, and says so."""
        made = False
        try:
            while True:
                with self._changes_lock:
                    if not self._changes:
                        self._changing = False
                        break
                    do, done = self._changes.popleft()
                try:
                    with self.app.database.transaction() as session:
                        message = do(session) or done
                except DomainError as exc:
                    self.app.call_from_thread(
                        self.notify, escape(str(exc)), severity="error", timeout=6
                    )
                    continue
                made = True
                self.app.call_from_thread(self.notify, escape(message))
        except BaseException:
            with self._changes_lock:
                dropped = len(self._changes)
                self._changes.clear()
                self._changing = False
            if dropped:
                self.app.call_from_thread(
                    self.notify,
                    f"{dropped} change(s) typed after it were not made.",
                    severity="error",
                    timeout=8,
                )
            self.app.call_from_thread(self._reload_if_open, False)
            raise
        if made:
            self.app.call_from_thread(self._reload_if_open, False)

    def _reload_if_open(self, resum: bool = True) -> None:
        if self.is_attached:
            self.reload(resum)

    def _move(self, target_of: Any) -> None:  # noqa: ANN401
        affiliate_id, program_id = self._affiliate_id(), self.program_id
        if affiliate_id is None or program_id is None:
            self.notify("Choose an affiliate first (1: pipeline).", timeout=3)
            return
        actor = self.app.actor

        def do(session: Any) -> str:  # noqa: ANN401
            affiliate = lookup.find_affiliate(session, program_id, str(affiliate_id))
            target = target_of(affiliate.stage)
            if target is None:
                return f"{affiliate.handle} stays {affiliate.stage.value}"
            members.set_stage(session, affiliate, target, actor)
            return f"{affiliate.handle}: {target.value}"

        self.change(do, "Moved")

    def action_advance(self) -> None:
        self._move(forward)

    def action_drop(self) -> None:
        self._move(drop)

    def action_tick(self) -> None:
        affiliate_id, program_id = self._affiliate_id(), self.program_id
        if affiliate_id is None or program_id is None:
            self.notify("Choose an affiliate first (1: pipeline).", timeout=3)
            return
        actor = self.app.actor

        def do(session: Any) -> str:  # noqa: ANN401
            affiliate = lookup.find_affiliate(session, program_id, str(affiliate_id))
            missing = members.missing_ticks(session, affiliate)
            if not missing:
                return f"{affiliate.handle}: nothing left to tick"
            item = members.tick(session, affiliate, missing[0], actor)
            return f"{affiliate.handle}: ticked {item.label}"

        self.change(do, "Ticked")

    def _form(self, title: str, fields: list[FormField], submit: Any) -> None:  # noqa: ANN401
        def done(message: str | None) -> None:
            # The workspace reads again when it shows again (on_screen_resume): once. (A
            # second read here cancelled the first before it started, and the loading
            # indicator waited for it for good.)
            if message:
                self.notify(escape(message))

        self.app.push_screen(FieldsForm(title, fields, submit), done)

    def _save(self, values: dict[str, str], do: Any) -> str:  # noqa: ANN401
        try:
            with self.app.database.transaction() as session:
                return str(do(session))
        except DomainError as exc:
            raise FormProblem(money_forms.problems(exc, values)) from None

    def action_add_program(self) -> None:
        actor = self.app.actor

        def submit(values: dict[str, str]) -> str:
            def do(session: Any) -> str:  # noqa: ANN401
                days, wrong = {}, {}
                for name in ("lock_days", "net_days"):
                    text = values[name].strip() or "30"
                    if text.isascii() and text.isdigit() and len(text) <= 9:
                        days[name] = int(text)
                    else:  # named with the service's refusals of the other fields
                        days[name], wrong[name] = 30, "a number of days"
                data = programs.ProgramInput(
                    values["name"],
                    values["brand"],
                    values["currency"],
                    values["rate"],
                    lock_days=days["lock_days"],
                    net_days=days["net_days"],
                    forbidden=values["forbid"],
                )
                try:
                    program = programs.add_program(session, data, actor)
                except DomainError as exc:
                    raise FormProblem(money_forms.problems(exc, values) | wrong) from None
                if wrong:
                    raise FormProblem(wrong)  # the transaction is rolled back
                programs.set_checklist(session, program.id or 0, values["checklist"], actor)
                self.program_id = program.id
                return f"Added {program.name}"

            return self._save(values, do)

        shown = self.data.program if self.data is not None else None
        currency = shown.currency if shown is not None else "USD"
        self._form(
            "New affiliate program",
            [
                FormField("name", "Name"),
                FormField("brand", "Advertiser", "a brand's name"),
                # the program shown's currency to start from (a placeholder looked typed)
                FormField("currency", "Currency", "ISO code: USD, EUR, KRW…", currency),
                FormField("rate", "Base rate", "10%"),
                FormField("lock_days", "Lock days", "30", "30"),
                FormField("net_days", "Net days", "30", "30"),
                FormField("forbid", "Forbidden", "brand keyword bidding; coupon sites"),
                FormField("checklist", "Checklist", "Signed terms; Tax form"),
            ],
            submit,
        )

    def action_add_affiliate(self) -> None:
        program_id, actor = self.program_id, self.app.actor
        if program_id is None:
            self.notify("Add a program first (N).", timeout=3)
            return

        def submit(values: dict[str, str]) -> str:
            def do(session: Any) -> str:  # noqa: ANN401
                data = members.AffiliateInput(
                    values["handle"],
                    values["name"] or None,
                    values["email"] or None,
                    values["site"] or None,
                    values["stage"] or "prospect",
                )
                affiliate = members.add_affiliate(session, program_id, data, actor)
                return f"Added {affiliate.handle}"

            return self._save(values, do)

        self._form(
            "New affiliate",
            [
                FormField("handle", "Handle", "@name"),
                FormField("name", "Name"),
                FormField("email", "E-mail"),
                FormField("site", "Site", "https://…"),
                FormField("stage", "Stage", "prospect", "prospect"),
            ],
            submit,
        )

    def _for_affiliate(self, title: str, fields: list[FormField], make: Any) -> None:  # noqa: ANN401
        affiliate_id, program_id = self._affiliate_id(), self.program_id
        if affiliate_id is None or program_id is None:
            self.notify("Choose an affiliate first (1: pipeline).", timeout=3)
            return

        def submit(values: dict[str, str]) -> str:
            def do(session: Any) -> str:  # noqa: ANN401
                program = lookup.find_program(session, str(program_id))
                affiliate = lookup.find_affiliate(session, program_id, str(affiliate_id))
                return str(make(session, program, affiliate, values))

            return self._save(values, do)

        self._form(title, fields, submit)

    def action_add_link(self) -> None:
        actor = self.app.actor

        def make(session: Any, program: Any, affiliate: Any, values: dict[str, str]) -> str:  # noqa: ANN401
            link = resources.add_link(
                session, program, affiliate, values["url"], actor, name=values["name"] or None
            )
            return f"{affiliate.handle}: link {link.code}"

        self._for_affiliate(
            "New tracking link",
            [FormField("url", "URL", "https://…"), FormField("name", "Label")],
            make,
        )

    def action_add_code(self) -> None:
        actor = self.app.actor

        def make(session: Any, program: Any, affiliate: Any, values: dict[str, str]) -> str:  # noqa: ANN401
            promo = resources.add_code(
                session, program, affiliate, values["code"], actor, discount=values["discount"]
            )
            return f"{affiliate.handle}: code {promo.code}"

        self._for_affiliate(
            "New promo code",
            [FormField("code", "Code", "NORA10"), FormField("discount", "Discount", "10%")],
            make,
        )

    def action_add_creative(self) -> None:
        """A banner or text link for the whole program, or for one affiliate (a handle)."""
        program_id, actor = self.program_id, self.app.actor
        if program_id is None:
            self.notify("Add a program first (N).", timeout=3)
            return

        def submit(values: dict[str, str]) -> str:
            def do(session: Any) -> str:  # noqa: ANN401
                program = lookup.find_program(session, str(program_id))
                handle = values["affiliate"].strip()
                who = lookup.find_affiliate(session, program_id, handle) if handle else None
                creative = resources.add_creative(
                    session,
                    program,
                    values["kind"],
                    values["name"],
                    actor,
                    affiliate=who,
                    size=values["size"] or None,
                    text=values["text"] or None,
                    path=values["path"] or None,
                )
                return f"Added {creative.kind.value} {creative.name}"

            return self._save(values, do)

        self._form(
            "New creative",
            [
                FormField("kind", "Kind", "banner or text", "banner"),
                FormField("name", "Name"),
                FormField("size", "Size", "300x250"),
                FormField("path", "File", "creatives/spring.png"),
                FormField("text", "Text", "for a text link"),
                FormField("affiliate", "For", "a handle, or empty for everyone"),
            ],
            submit,
        )

    # ---- money (issue 16) -----------------------------------------------------------------

    def action_money_rules(self) -> None:
        """The commission rules of the highlighted program."""
        if self.program_id is None:
            self.notify("Add a program first (N).", timeout=3)
            return
        from talent_tui.screens.affiliate_rules import RulesScreen

        self.app.push_screen(RulesScreen(self.program_id))

    def action_report(self, management: bool = False) -> None:
        """The highlighted program's report for the period shown (for its advertiser; with
        `management`, the management report: pipeline movement and payout timeliness), as a
        document to read and save as md, csv or html (`w`)."""
        if self.program_id is None:
            self.notify("Add a program first (N).", timeout=3)
            return
        from talent_tui.io import affiliate_reports
        from talent_tui.screens.document import DocumentScreen
        from talent_tui.services.affiliates import program_report

        app, program_id, period = self.app, self.program_id, self.period

        def produce(fmt: str) -> str:
            with app.database.session() as session:
                program = lookup.find_program(session, str(program_id))
                report = program_report.build_report(
                    session, program, period, app.today, management=management
                )
            return affiliate_reports.render(report, fmt)

        renderers = {fmt: (lambda f=fmt: produce(f)) for fmt in ("md", "csv", "html")}
        kind = "management" if management else "report"
        stem = f"program-{program_id}-{kind}-{period.start.isoformat()}"
        title = "program management report" if management else "program report"
        self.app.push_screen(DocumentScreen(title, renderers, f"{stem}.html"))

    def action_money_review(self) -> None:
        """The review queue, every program's."""
        from talent_tui.screens.affiliate_review import ReviewScreen

        self.app.push_screen(ReviewScreen())

    def action_money_payouts(self) -> None:
        """The highlighted program's statements, month by month."""
        if self.program_id is None:
            self.notify("Add a program first (N).", timeout=3)
            return
        from talent_tui.screens.affiliate_payouts import PayoutsScreen

        self.app.push_screen(PayoutsScreen(self.program_id))
