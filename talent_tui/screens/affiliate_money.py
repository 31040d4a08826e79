"""An affiliate's money, as a section of their page (pane 4): their statements (month,
currency, conversions, total, due, status — overdue in the theme's error colour; Enter shows
a statement's lines) and every conversion, newest first, with its status, its rate and what
it earns (from its statement line once built, else the engine's estimate, marked ~), held
ones with the review that holds them. The line under the tables says why the highlighted
conversion has its rate. Conversions come a page (PAGE) at a time: `]` `[` page them while
the conversions have the focus; Tab goes between the two tables. Reads run in a worker."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import DataTable, Static
from textual.worker import Worker

from talent_tui.core import fields, money
from talent_tui.core.text import printable
from talent_tui.failures import Guarded
from talent_tui.screens import money_forms
from talent_tui.screens.affiliate_common import _money, right
from talent_tui.services.affiliates import lookup, payouts
from talent_tui.widgets.roster import fit
from talent_tui.widgets.tables import PlainTable

PAGE = 100
CONVERSION_COLUMNS = (
    ("When", 10),
    ("Order", 12),
    ("Net", 9),
    ("Status", 8),
    ("Rate", 6),
    ("Earns", 8),
    ("Stmt", 5),
)
STATEMENT_COLUMNS = (
    ("Month", 7),
    ("Cur", 3),
    ("Conv", 5),
    ("Total", 10),
    ("Due", 10),
    ("Status", 24),
)


@dataclass
class MoneyData:
    statements: list[payouts.StatementView]
    conversions: list[payouts.ConversionRate]
    page: int


class AffiliateMoney(Guarded, Widget):
    DEFAULT_CSS = """
    AffiliateMoney { height: 1fr; }
    AffiliateMoney #money-statements { height: auto; max-height: 5; }
    AffiliateMoney #money-conversions { height: 1fr; }
    AffiliateMoney #money-why { height: 1; padding: 0 1; color: $text-muted; }
    """
    BINDINGS = [
        Binding("right_square_bracket", "page(1)", "Next page", show=False),
        Binding("left_square_bracket", "page(-1)", "Prev page", show=False),
    ]

    def __init__(self, program_id: int, affiliate_id: int, **kwargs: str) -> None:
        super().__init__(**kwargs)
        self.program_id = program_id
        self.affiliate_id = affiliate_id
        self.page = 0
        self.data: MoneyData | None = None
        self._focus_when_read = False

    def compose(self) -> ComposeResult:
        yield PlainTable(id="money-statements", cursor_type="row")
        yield PlainTable(id="money-conversions", cursor_type="row")
        yield Static("", id="money-why")

    def on_mount(self) -> None:
        statements = self.query_one("#money-statements", DataTable)
        for label, width in STATEMENT_COLUMNS:
            statements.add_column(label, width=width)
        conversions = self.query_one("#money-conversions", DataTable)
        for label, width in CONVERSION_COLUMNS:
            conversions.add_column(label, width=width)
        self.reading = money_forms.LatestRead(conversions)

    def on_show(self) -> None:
        """Read when first shown (pane 4), not with the page: the page opens as fast as
        before."""
        if self.data is None:
            self.reload()

    @on(Worker.StateChanged)
    def read_ended(self, event: Worker.StateChanged) -> None:
        self.reading.ended(event.worker)

    def on_unmount(self) -> None:
        self.reading.stop()  # keys held for a read of a screen now closed go on

    def reload(self) -> None:
        self.reading.start(self.read(self.page))

    @work(exit_on_error=False, thread=True, exclusive=True, group="money", name="Loading money")
    def read(self, page: int) -> None:
        today = self.app.today
        with self.app.database.session() as session:
            program = lookup.find_program(session, str(self.program_id))
            views = payouts.statements(
                session, program_id=self.program_id, affiliate_id=self.affiliate_id, today=today
            )
            rows = payouts.affiliate_conversions(
                session, program, self.affiliate_id, limit=PAGE, offset=page * PAGE
            )
        self.app.call_from_thread(self.show, MoneyData(views, rows, page))

    def show(self, data: MoneyData) -> None:
        if not self.is_attached or data.page != self.page:
            return
        self.data = data
        statements = self.query_one("#money-statements", DataTable)
        statements.clear()
        for v in data.statements:
            if v.status == "paid":
                state: Text | str = f"paid {v.paid_on}"
            elif v.overdue:
                state = money_forms.late(self.app, "overdue")
            else:
                state = v.status
            statements.add_row(
                v.month_label,
                v.currency,
                right(f"{v.conversions:,}"),
                right(_money(v.total_minor, v.currency, 10)),
                money_forms.late(self.app, str(v.due_on)) if v.overdue else str(v.due_on),
                state,
                key=f"statement:{v.id}",
            )
        conversions = self.query_one("#money-conversions", DataTable)
        conversions.clear()
        for c in data.conversions:
            earns = ""
            if c.rate_bp is not None:
                earns = ("~" if c.estimate else "") + _money(c.commission_minor, c.currency, 8)
            conversions.add_row(
                c.occurred_at.date().isoformat(),
                fit(printable(c.order_id), 12),
                right(money.format_money(c.net_minor, c.currency, with_code=False)),
                c.status,
                right(fields.format_bp(c.rate_bp) if c.rate_bp is not None else ""),
                right(earns),
                right(f"#{c.statement_id}" if c.statement_id else ""),
                key=f"conversion:{c.conversion_id}",
            )
        self._why()
        if self._focus_when_read:
            self._focus_when_read = False
            self.focus_first()

    @on(DataTable.RowHighlighted, "#money-conversions")
    def highlighted(self, _event: DataTable.RowHighlighted) -> None:
        self._why()

    def _why(self) -> None:
        table = self.query_one("#money-conversions", DataTable)
        text = ""
        if self.data is not None:
            rows = self.data.conversions
            if rows and 0 <= table.cursor_row < len(rows):
                c = rows[table.cursor_row]
                text = f"{c.order_id}: {c.why}" + (
                    " (estimate, not built yet)" if c.estimate else ""
                )
            elif not rows:
                text = "No conversions yet."
        self.query_one("#money-why", Static).update(Text(printable(text), no_wrap=True))

    @on(DataTable.RowSelected, "#money-statements")
    def statement_selected(self, event: DataTable.RowSelected) -> None:
        key = str(event.row_key.value or "") if event.row_key is not None else ""
        kind, _, rest = key.partition(":")
        if kind == "statement" and rest.isdigit():
            from talent_tui.screens.affiliate_payouts import StatementScreen

            self.app.push_screen(StatementScreen(int(rest)), lambda _: self._reload_if_shown())

    def _reload_if_shown(self) -> None:
        if self.is_attached:
            self.reload()

    def action_page(self, step: int) -> None:
        if self.data is None:
            return
        page = self.page + step
        if page < 0 or (step > 0 and len(self.data.conversions) < PAGE):
            self.notify("No more pages that way.", timeout=2)
            return
        self.page = page
        self.reload()

    def focus_first(self) -> None:
        """The statements take the focus (the conversions when there are none); before the
        first read has answered, once it has."""
        if self.data is None:
            self._focus_when_read = True
        table = "#money-statements" if self.data and self.data.statements else "#money-conversions"
        self.query_one(table, DataTable).focus()
