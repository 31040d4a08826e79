"""One affiliate's page (Enter on an affiliate in the workspace): who they are and their KPIs
for the period chosen in the workspace with the trend against the period before, six periods
of revenue as a chart, then three panes — their orders (1), their click days (2) and the
details (3: stage history, checklist, what they were given).

Orders and click days are paged: only one page (PAGE rows) is read and drawn at a time,
`]` and `[` go to the next and previous page of the pane shown, so an affiliate with 100,000
orders opens as fast as one with ten. Every read runs in a worker; a table whose page takes
longer than a moment shows a loading indicator.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Header, Sparkline, Static, TabbedContent, TabPane
from textual.worker import Worker

from talent_tui.core import money
from talent_tui.core.errors import DomainError
from talent_tui.core.text import printable
from talent_tui.failures import Guarded
from talent_tui.screens.affiliate_common import ENDED, Loading, _money, right, trend_words
from talent_tui.screens.affiliate_money import AffiliateMoney
from talent_tui.services.affiliates import clicks as click_days
from talent_tui.services.affiliates import kpis, lookup, members, programs, resources
from talent_tui.widgets.footer import KeysFooter
from talent_tui.widgets.roster import fit
from talent_tui.widgets.tables import PlainTable

PAGE = 100
CHART_PERIODS = 6
PANES = {
    "orders": "page-orders",
    "clicks": "page-clicks",
    "details": "page-details",
    "money": "page-money",  # issue 16: statements and conversions with rates
}
MONEY_STATUS = "Money: statements (Enter: lines), conversions with rate and status · Tab"


@dataclass
class PageData:
    summary: list[str]
    details: list[str]
    chart: list[int]
    chart_label: str
    totals: dict[str, int] = field(default_factory=dict)  # orders, clicks: rows in all


class AffiliatePage(Guarded, Screen):
    CSS_PATH = "affiliates.tcss"
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("1", "pane('orders')", "Orders"),
        Binding("2", "pane('clicks')", "Clicks"),
        Binding("3", "pane('details')", "Details"),
        Binding("4", "pane('money')", "Money"),
        Binding("right_square_bracket", "page(1)", "Next"),
        Binding("left_square_bracket", "page(-1)", "Prev page", show=False),
        Binding("ctrl+r,f5", "refresh", "Refresh", show=False),
    ]

    def __init__(self, program_id: int, affiliate_id: int, period: kpis.Period) -> None:
        super().__init__()
        self.program_id = program_id
        self.affiliate_id = affiliate_id
        self.period = period
        self.pages = {"orders": 0, "clicks": 0}
        self.totals: dict[str, int] = {}
        self.data: PageData | None = None

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="◆")
        yield Static("", id="aff-page")
        yield Sparkline([], id="aff-trend")
        with TabbedContent(id="page-tabs"):
            with TabPane("Orders", id="page-orders"):
                yield PlainTable(id="aff-orders", cursor_type="row")
            with TabPane("Click days", id="page-clicks"):
                yield PlainTable(id="aff-clicks", cursor_type="row")
            with TabPane("Details", id="page-details"), VerticalScroll(id="page-details-scroll"):
                yield Static("", id="page-details-text")
            with TabPane("Money", id="page-money"):
                yield AffiliateMoney(self.program_id, self.affiliate_id, id="page-money-section")
        yield Static("", id="page-status")
        yield KeysFooter(compact=True)

    def on_mount(self) -> None:
        self.sub_title = "affiliate"
        orders = self.query_one("#aff-orders", DataTable)
        for label, width in (
            ("When (UTC)", 16),
            ("Order", 13),
            ("Amount", 10),
            ("Refund", 9),
            ("Status", 8),
            ("Source", 10),
        ):
            orders.add_column(label, width=width)
        clicks = self.query_one("#aff-clicks", DataTable)
        for label, width in (("Day", 10), ("Link", 16), ("Clicks", 9), ("Impressions", 11)):
            clicks.add_column(label, width=width)
        self.loading_of = {
            "orders": Loading(orders),
            "clicks": Loading(clicks),
            "summary": Loading(self.query_one("#aff-page")),
        }
        self.loading_of["summary"].start(self.load())
        for kind in self.pages:
            self.loading_of[kind].start(self.read_page(kind, 0))
        orders.focus()

    # ---- reading ----------------------------------------------------------------------------

    def refresh_data(self) -> None:
        """Another process committed (the app's change watcher: a CLI import of orders or
        clicks): read the summary, the pages shown and the money again."""
        if not self.is_attached:
            return
        self.loading_of["summary"].start(self.load())
        for kind, page in self.pages.items():
            self.loading_of[kind].start(self.read_page(kind, page))
        money_section = self.query_one(AffiliateMoney)
        if money_section.data is not None:  # read once shown (pane 4), not before
            money_section.reload()

    def action_refresh(self) -> None:
        """Ctrl+R / F5: read everything again now."""
        self.refresh_data()
        self.notify("Refreshed", timeout=2)

    @work(
        exit_on_error=False, thread=True, exclusive=True, group="page", name="Loading the affiliate"
    )
    def load(self) -> None:
        with self.app.database.session() as session:
            data = self._read(session)
        self.app.call_from_thread(self.show, data)

    def _read(self, session: object) -> PageData:
        from sqlmodel import Session

        assert isinstance(session, Session)
        program = lookup.find_program(session, str(self.program_id))
        a = lookup.find_affiliate(session, self.program_id, str(self.affiliate_id))
        cur = program.currency
        summary = [
            f"{a.handle}  {a.name or ''} · {program.name} · {a.stage.value}"
            + (" · roster creator" if a.creator_id else "")
        ]
        result = kpis.program_kpis(session, program, self.period, affiliate_id=a.id)
        k = result.rows[0] if result.rows else None
        if k is not None:
            rate = "—" if k.conversion_rate is None else f"{k.conversion_rate:.1%}"
            ctr = "" if k.ctr is None else f" (CTR {k.ctr:.1%})"
            trend = trend_words(k.revenue_minor, k.previous_revenue_minor, self.period)
            summary.append(
                f"{self.period.label}: revenue {_money(k.revenue_minor, cur)} {cur} ({trend}) · "
                f"{k.clicks:,} clicks{ctr} · {k.conversions:,} conv. ({rate}) · AOV "
                f"{_money(k.aov_minor, cur)} · comm. {_money(k.commission_minor, cur)} · EPC "
                f"{_money(k.epc_minor, cur)}"
            )
        periods = [self.period]
        for _ in range(CHART_PERIODS - 1):
            try:
                periods.insert(0, periods[0].step(-1))
            except DomainError:
                break
        chart = kpis.revenue_series(session, program, periods, a.id or 0)
        label = f"Revenue per {self.period.kind}: {periods[0].label} … {periods[-1].label}"
        missing = set(members.missing_ticks(session, a))
        details = [
            "History: "
            + " → ".join(
                f"{c.to_stage.value} {c.at.date().isoformat()}"
                for c in members.history(session, a.id or 0)
            )
        ]
        side = members.roster_side(session, a, program.brand_id)
        if side is not None:
            details.append(side.describe())
        items = programs.checklist(session, self.program_id)
        if items:
            details.append(
                "Checklist: "
                + "  ".join(f"[{' ' if i.label in missing else 'x'}] {i.label}" for i in items)
            )
        for g in resources.given_to(session, a):
            details.append(f"{g.kind}: {g.code or g.data.get('name') or ''}  {g.detail}")
        totals = {
            "orders": kpis.order_count(session, a.id or 0),
            "clicks": click_days.count(session, self._clicks_filter()),
        }
        return PageData(summary, details, chart, label, totals)

    def _clicks_filter(self) -> click_days.ClickFilter:
        return click_days.ClickFilter(program_id=self.program_id, affiliate_id=self.affiliate_id)

    def read_page(self, kind: str, page: int) -> Worker[None]:
        """One page of orders or click days, in a worker of its own kind's group."""
        return self.run_worker(
            partial(self._read_page, kind, page),
            name="Loading a page",
            group=kind,
            thread=True,
            exit_on_error=False,
        )

    def _read_page(self, kind: str, page: int) -> None:
        with self.app.database.session() as session:
            if kind == "orders":
                rows: list[Any] = kpis.order_page(
                    session, self.affiliate_id, limit=PAGE, offset=page * PAGE
                )
            else:
                rows = click_days.page(
                    session,
                    self._clicks_filter(),
                    limit=PAGE,
                    offset=page * PAGE,
                    newest_first=True,
                )
        self.app.call_from_thread(self.show_page, kind, page, rows)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state in ENDED:
            for loading in self.loading_of.values():
                loading.ended(event.worker)

    def show(self, data: PageData) -> None:
        if not self.is_attached:
            return
        self.data = data
        self.totals = data.totals
        summary = "\n".join(printable(line) for line in data.summary)
        self.query_one("#aff-page", Static).update(Text(f"{summary}\n{data.chart_label}"))
        self.query_one("#aff-trend", Sparkline).data = [float(v) for v in data.chart]
        details = "\n".join(printable(line) for line in data.details)
        self.query_one("#page-details-text", Static).update(Text(details))
        self._status()

    def show_page(self, kind: str, page: int, rows: list) -> None:
        if not self.is_attached or page != self.pages[kind]:
            return
        table = self.query_one("#aff-orders" if kind == "orders" else "#aff-clicks", DataTable)
        table.clear()
        if kind == "orders":
            for o in rows:
                table.add_row(
                    o.occurred_at.strftime("%Y-%m-%d %H:%M"),
                    fit(printable(o.order_id), 13),
                    right(money.format_money(o.amount_minor, o.currency, with_code=False)),
                    right(
                        money.format_money(o.refund_minor, o.currency, with_code=False)
                        if o.refund_minor
                        else ""
                    ),
                    o.status,
                    fit(printable(o.source or ""), 10),
                    key=f"order:{o.order_id}",
                )
        else:
            for i, c in enumerate(rows):
                table.add_row(
                    c.day.isoformat(),
                    fit(printable(c.link_code or "(no link)"), 16),
                    right(f"{c.clicks:,}"),
                    right("" if c.impressions is None else f"{c.impressions:,}"),
                    key=f"click:{page * PAGE + i}",
                )
        table.move_cursor(row=0)
        self._status()

    def _status(self) -> None:
        kind = self._shown_kind()
        if kind == "details":
            text = "Details: stage history, checklist, what was given"
        elif kind == "money":
            text = MONEY_STATUS
        else:
            total = self.totals.get(kind)
            first = self.pages[kind] * PAGE
            what = "Orders" if kind == "orders" else "Click days"
            if total is None:
                text = f"{what}: reading…"
            elif total == 0:
                text = f"{what}: none yet"
            else:
                last = min(total, first + PAGE)
                text = f"{what} {first + 1:,}–{last:,} of {total:,}, newest first"
                ways = [
                    w for w, more in (("] next", last < total), ("[ previous", first > 0)) if more
                ]
                if ways:
                    text += " · " + ", ".join(ways) + " page"
        self.query_one("#page-status", Static).update(Text(text, no_wrap=True))

    # ---- keys ---------------------------------------------------------------------------------

    def _shown_kind(self) -> str:
        active = self.query_one("#page-tabs", TabbedContent).active
        return next((k for k, pane in PANES.items() if pane == active), "orders")

    def action_pane(self, kind: str) -> None:
        self.query_one("#page-tabs", TabbedContent).active = PANES[kind]
        target = {"orders": "#aff-orders", "clicks": "#aff-clicks"}.get(kind)
        if target:
            self.query_one(target, DataTable).focus()
        elif kind == "money":
            self.query_one(AffiliateMoney).focus_first()
        else:
            self.query_one("#page-details-scroll").focus()
        self._status()

    def on_tabbed_content_tab_activated(self, _event: TabbedContent.TabActivated) -> None:
        self._status()

    def action_page(self, step: int) -> None:
        kind = self._shown_kind()
        if kind in ("details", "money"):
            return
        total = self.totals.get(kind, 0)
        last_page = max(0, (total - 1) // PAGE)
        page = min(max(0, self.pages[kind] + step), last_page)
        if page == self.pages[kind]:
            self.notify("No more pages that way.", timeout=2)
            return
        self.pages[kind] = page
        self._status()
        self.loading_of[kind].start(self.read_page(kind, page))
