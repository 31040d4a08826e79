"""The affiliates workspace (`A` from the roster): programs on the left; for the chosen one,
its pipeline board by stage (move an affiliate with > and x, tick its checklist with t) and
its affiliates' KPIs for a month (sortable with s; [ and ] change the month); Enter opens an
affiliate's page. Forms add programs (N), affiliates (n), links (L) and promo codes (C).

Every read and write runs in a worker through services.affiliates; the KPIs are SQL
aggregates, so a program with a million conversions opens as fast as a small one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.markup import escape
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Header, Sparkline, Static, TabbedContent, TabPane

from talent_tui.core import dates, money
from talent_tui.core.errors import DomainError
from talent_tui.core.text import printable
from talent_tui.failures import Guarded
from talent_tui.screens.fields import FieldsForm, FormField, FormProblem
from talent_tui.services.affiliates import conversions as conversion_rules
from talent_tui.services.affiliates import kpis, lookup, members, programs, resources
from talent_tui.store.kinds import AffiliateStage
from talent_tui.widgets.footer import KeysFooter
from talent_tui.widgets.roster import fit
from talent_tui.widgets.tables import PlainTable

SORTS = ("revenue", "clicks", "conversions", "epc")


@dataclass
class ProgramData:
    programs: list[programs.ProgramView]
    program: programs.ProgramView | None
    affiliates: list[members.AffiliateRow]
    result: kpis.ProgramKpis | None


def _money(minor: int | None, currency: str) -> str:
    return "—" if minor is None else money.format_money(minor, currency, with_code=False)


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
        Binding("left_square_bracket", "period(-1)", "Prev month", show=False),
        Binding("right_square_bracket", "period(1)", "Next month", show=False),
        Binding("n", "add_affiliate", "New"),
        Binding("N", "add_program", "New program", show=False),
        Binding("L", "add_link", "Link", show=False),
        Binding("C", "add_code", "Code", show=False),
        Binding("B", "add_creative", "Creative", show=False),
        Binding("p", "focus_programs", "Programs", show=False),
        Binding("enter", "open", "Open", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.program_id: int | None = None
        self.period = kpis.month_period(dates.today())  # the app's today, once mounted
        self.sort = SORTS[0]
        self.data: ProgramData | None = None

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
        self.sub_title = "affiliate programs"
        self.period = kpis.month_period(self.app.today)
        # Widths set up front: a table drawn before it measures its rows would keep drawing
        # them at the headers' widths ("@k.beauty", "14 No").
        self.query_one("#aff-programs", DataTable).add_column("Program", width=18)
        pipeline = self.query_one("#aff-pipeline", DataTable)
        # At 80 columns beside the programs: the checklist as "2/3" ticked, "Since" a date.
        for label, width in (("Affiliate", 17), ("Name", 15), ("Ticked", 6), ("Since", 11)):
            pipeline.add_column(label, width=width)
        self.query_one("#aff-kpis", DataTable).add_columns(
            "Affiliate", "Clicks", "Conv", "Rate", "Revenue", "Comm.", "EPC", "AOV"
        )
        self.reload()

    def on_screen_resume(self) -> None:
        if self.data is not None:
            self.reload()

    # ---- reading ----------------------------------------------------------------------------

    @work(exit_on_error=False, thread=True, exclusive=True, name="Loading affiliate programs")
    def reload(self) -> None:
        period, wanted = self.period, self.program_id
        with self.app.database.session() as session:
            views = programs.list_programs(session)
            chosen = next((v for v in views if v.id == wanted), views[0] if views else None)
            rows: list[members.AffiliateRow] = []
            result = None
            if chosen is not None:
                rows = members.list_affiliates(session, chosen.id)
                program = lookup.find_program(session, str(chosen.id))
                result = kpis.program_kpis(session, program, period)
        self.app.call_from_thread(self.show, ProgramData(views, chosen, rows, result))

    def show(self, data: ProgramData) -> None:
        if not self.is_attached:
            return
        self.data = data
        self.program_id = data.program.id if data.program is not None else None
        table = self.query_one("#aff-programs", DataTable)
        table.clear()
        for view in data.programs:
            table.add_row(fit(printable(view.name), 18), key=f"program:{view.id}")
        if self.program_id is not None:
            index = next(i for i, v in enumerate(data.programs) if v.id == self.program_id)
            table.move_cursor(row=index)
        self._show_pipeline(data)
        self._show_kpis(data)
        self._status()

    def _show_pipeline(self, data: ProgramData) -> None:
        table = self.query_one("#aff-pipeline", DataTable)
        cursor_key = self._cursor_key(table)
        table.clear()
        by_stage: dict[str, list[members.AffiliateRow]] = {}
        for row in data.affiliates:
            by_stage.setdefault(row.stage, []).append(row)
        for stage in members.PIPELINE:
            listed = by_stage.get(stage.value, [])
            table.add_row(
                Text(f"{stage.value.capitalize()} · {len(listed)}", style="bold reverse"),
                "",
                "",
                "",
                key=f"stage:{stage.value}",
            )
            for row in listed:
                ticks = f"{row.ticked}/{row.checklist}" if row.checklist else ""
                table.add_row(
                    fit(printable(row.handle), 17),
                    fit(printable(row.name or ""), 15),
                    ticks,
                    dates.short_day(row.stage_since.date(), self.app.today),
                    key=f"affiliate:{row.id}",
                )
        self._restore_cursor(table, cursor_key)

    def _show_kpis(self, data: ProgramData) -> None:
        table = self.query_one("#aff-kpis", DataTable)
        cursor_key = self._cursor_key(table)
        table.clear()
        if data.result is None:
            return
        cur = data.result.currency
        order = {
            "revenue": lambda k: (-k.revenue_minor, k.handle or ""),
            "clicks": lambda k: (-k.clicks, k.handle or ""),
            "conversions": lambda k: (-k.conversions, k.handle or ""),
            "epc": lambda k: (-(k.epc_minor or -1), k.handle or ""),
        }[self.sort]
        for k in [*sorted(data.result.rows, key=order), data.result.total]:
            rate = "—" if k.conversion_rate is None else f"{k.conversion_rate:.1%}"
            table.add_row(
                fit(printable(k.handle or "Total"), 18),
                f"{k.clicks:,}",
                f"{k.conversions:,}",
                rate,
                _money(k.revenue_minor, cur),
                _money(k.commission_minor, cur),
                _money(k.epc_minor, cur),
                _money(k.aov_minor, cur),
                key=f"affiliate:{k.affiliate_id}" if k.affiliate_id else "total",
            )
        self._restore_cursor(table, cursor_key)

    def _status(self) -> None:
        data = self.data
        if data is None or data.program is None:
            text = "No programs yet: N adds one."
        else:
            p = data.program
            trend = ""
            if data.result is not None and data.result.total.previous is not None:
                change = kpis.trend(
                    data.result.total.revenue_minor, data.result.total.previous.revenue_minor
                )
                trend = (
                    ""
                    if change is None
                    else f" ({change:+.0%} vs {data.result.previous_period.label})"
                )
            revenue = _money(data.result.total.revenue_minor, p.currency) if data.result else ""
            text = (
                f"{p.name} · {p.rate} · {self.period.label}: revenue {revenue} {p.currency}"
                f"{trend} · sort {self.sort}"
            )
        self.query_one("#aff-status", Static).update(Text(printable(text), no_wrap=True))

    @staticmethod
    def _cursor_key(table: DataTable) -> str | None:
        if not table.row_count:
            return None
        try:
            return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
        except Exception:  # noqa: BLE001 - no row under the cursor
            return None

    @staticmethod
    def _restore_cursor(table: DataTable, key: str | None) -> None:
        keys = [str(k.value) for k in table.rows]
        if key in keys:
            table.move_cursor(row=keys.index(key))
        else:
            first = next((i for i, k in enumerate(keys) if k.startswith("affiliate:")), 0)
            if keys:
                table.move_cursor(row=first)

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

    def action_sort(self) -> None:
        self.sort = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)]
        if self.data is not None:
            self._show_kpis(self.data)
            self._status()

    def action_period(self, step: int) -> None:
        start = self.period.start
        index = start.year * 12 + start.month - 1 + step
        self.period = kpis.month_period(start.replace(year=index // 12, month=index % 12 + 1))
        self.reload()

    # ---- changing -------------------------------------------------------------------------

    @work(exit_on_error=False, thread=True, group="affiliate-change", name="Saving the change")
    def change(self, do: Any, done: str) -> None:  # noqa: ANN401
        try:
            with self.app.database.transaction() as session:
                message = do(session) or done
        except DomainError as exc:
            self.app.call_from_thread(self.notify, escape(str(exc)), severity="error", timeout=6)
            return
        self.app.call_from_thread(self.notify, escape(message))
        self.app.call_from_thread(self._reload_if_open)

    def _reload_if_open(self) -> None:
        if self.is_attached:
            self.reload()

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
            if message:
                self.notify(escape(message))
                self._reload_if_open()

        self.app.push_screen(FieldsForm(title, fields, submit), done)

    def _save(self, values: dict[str, str], do: Any) -> str:  # noqa: ANN401
        try:
            with self.app.database.transaction() as session:
                return str(do(session))
        except DomainError as exc:
            field = getattr(exc, "field", None)
            name = field if field in values else ""
            raise FormProblem({name: str(exc)}) from None

    def action_add_program(self) -> None:
        actor = self.app.actor

        def submit(values: dict[str, str]) -> str:
            def do(session: Any) -> str:  # noqa: ANN401
                days = {}
                for name in ("lock_days", "net_days"):
                    text = values[name].strip() or "30"
                    if not text.isdigit():
                        raise FormProblem({name: "a number of days"})
                    days[name] = int(text)
                data = programs.ProgramInput(
                    values["name"],
                    values["brand"],
                    values["currency"],
                    values["rate"],
                    lock_days=days["lock_days"],
                    net_days=days["net_days"],
                    forbidden=values["forbid"],
                )
                program = programs.add_program(session, data, actor)
                programs.set_checklist(session, program.id or 0, values["checklist"], actor)
                self.program_id = program.id
                return f"Added {program.name}"

            return self._save(values, do)

        self._form(
            "New affiliate program",
            [
                FormField("name", "Name"),
                FormField("brand", "Advertiser", "a brand's name"),
                FormField("currency", "Currency", "USD"),
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


@dataclass
class PageData:
    handle: str
    name: str | None
    program: str
    currency: str
    stage: str
    lines: list[str]
    trend: list[int]
    trend_label: str
    orders: list[conversion_rules.ConversionRow]


class AffiliatePage(Guarded, Screen):
    """One affiliate: stage history, checklist, what they were given, KPIs for the period
    with the last six months' revenue as a chart, and their newest orders (one page)."""

    CSS_PATH = "affiliates.tcss"
    BINDINGS = [Binding("escape", "app.pop_screen", "Back")]
    ORDERS_SHOWN = 50

    def __init__(self, program_id: int, affiliate_id: int, period: kpis.Period) -> None:
        super().__init__()
        self.program_id = program_id
        self.affiliate_id = affiliate_id
        self.period = period

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="◆")
        yield Static("", id="aff-page")
        yield Sparkline([], id="aff-trend")
        yield PlainTable(id="aff-orders", cursor_type="row")
        yield KeysFooter(compact=True)

    def on_mount(self) -> None:
        self.sub_title = "affiliate"
        self.query_one("#aff-orders", DataTable).add_columns(
            "When", "Order", "Amount", "Refund", "Status", "Source"
        )
        self.load()

    @work(exit_on_error=False, thread=True, exclusive=True, name="Loading the affiliate")
    def load(self) -> None:
        with self.app.database.session() as session:
            program = lookup.find_program(session, str(self.program_id))
            a = lookup.find_affiliate(session, self.program_id, str(self.affiliate_id))
            missing = set(members.missing_ticks(session, a))
            lines = [
                f"{a.handle}  {a.name or ''}  · {program.name} · {a.stage.value}"
                + ("  · roster creator" if a.creator_id else ""),
                "History: "
                + " → ".join(
                    f"{c.to_stage.value} {c.at.date().isoformat()}"
                    for c in members.history(session, a.id or 0)
                ),
            ]
            side = members.roster_side(session, a, program.brand_id)
            if side is not None:
                lines.append(side.describe())
            items = programs.checklist(session, self.program_id)
            if items:
                lines.append(
                    "Checklist: "
                    + "  ".join(f"[{' ' if i.label in missing else 'x'}] {i.label}" for i in items)
                )
            for g in resources.given_to(session, a):
                lines.append(f"{g.kind}: {g.code or g.data.get('name') or ''}  {g.detail}")
            result = kpis.program_kpis(session, program, self.period, affiliate_id=a.id)
            k = result.rows[0] if result.rows else None
            if k is not None:
                rate = "—" if k.conversion_rate is None else f"{k.conversion_rate:.1%}"
                cur = program.currency
                lines.append(
                    f"{self.period.label}: {k.clicks:,} clicks · {k.conversions:,} conversions"
                    f" ({rate}) · revenue {_money(k.revenue_minor, cur)} {cur} · AOV "
                    f"{_money(k.aov_minor, cur)} · commission {_money(k.commission_minor, cur)}"
                    f" · EPC {_money(k.epc_minor, cur)}"
                )
            trend = []
            period = self.period
            months = []
            for _ in range(6):
                months.append(period)
                period = period.previous()
            for month in reversed(months):
                one = kpis.program_kpis(session, program, month, affiliate_id=a.id)
                trend.append(one.rows[0].revenue_minor if one.rows else 0)
            orders = conversion_rules.page(
                session, self.program_id, affiliate_id=a.id, limit=self.ORDERS_SHOWN
            )
            data = PageData(
                a.handle,
                a.name,
                program.name,
                program.currency,
                a.stage.value,
                lines,
                trend,
                f"revenue {months[-1].label} … {months[0].label}",
                orders,
            )
        self.app.call_from_thread(self.show, data)

    def show(self, data: PageData) -> None:
        if not self.is_attached:
            return
        text = "\n".join(printable(line) for line in data.lines)
        self.query_one("#aff-page", Static).update(
            Text(text + f"\nBelow: {data.trend_label}", no_wrap=False)
        )
        self.query_one("#aff-trend", Sparkline).data = [float(v) for v in data.trend]
        table = self.query_one("#aff-orders", DataTable)
        table.clear()
        for o in data.orders:
            table.add_row(
                o.occurred_at.strftime("%Y-%m-%d %H:%M"),
                fit(printable(o.order_id), 16),
                money.format_money(o.amount_minor, o.currency, with_code=False),
                money.format_money(o.refund_minor, o.currency, with_code=False)
                if o.refund_minor
                else "",
                o.status,
                printable(o.source or ""),
                key=f"order:{o.order_id}",
            )
