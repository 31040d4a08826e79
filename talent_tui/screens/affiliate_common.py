"""What the affiliates workspace and an affiliate's page share: amounts in narrow columns,
the trend in words, the KPI table's order and columns, and a loading indicator for reads in
workers that appears only when a read takes more than a moment."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import DataTable
from textual.worker import Worker, WorkerState

from talent_tui.core import money
from talent_tui.services.affiliates import kpis

LOADING_AFTER_S = 0.15  # a read quicker than this shows its answer without a loading flash
ENDED = (WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED)


# The KPI table at 80 columns (the program list stands aside while it shows): label, width.
KPI_COLUMNS = (
    ("Affiliate", 14),
    ("Clicks", 7),
    ("Conv", 5),
    ("Rate", 5),
    ("Revenue", 10),
    ("Comm.", 8),
    ("EPC", 5),
    ("AOV", 8),
)


def _money(minor: int | None, currency: str, width: int | None = None) -> str:
    """An amount without its code; wider than `width`, shortened to thousands or millions
    ("4.15M"), so a big program's total is never cut off in its column."""
    if minor is None:
        return "—"
    text = money.format_money(minor, currency, with_code=False)
    if width is None or len(text) <= width:
        return text
    major = float(money.to_major(minor, currency))
    for divisor, suffix in ((1e3, "k"), (1e6, "M"), (1e9, "G"), (1e12, "T")):
        for digits in (2, 1, 0):
            short = f"{major / divisor:,.{digits}f}{suffix}"
            if len(short) <= width:
                return short
    return text


def _count(number: int, width: int) -> str:
    """A count with thousands separators; wider than `width`, shortened as amounts are
    ("200k", "12.3M"): never cut off in its column."""
    text = f"{number:,}"
    if len(text) <= width:
        return text
    for divisor, suffix in ((1e3, "k"), (1e6, "M"), (1e9, "G"), (1e12, "T")):
        for digits in (2, 1, 0):
            short = f"{number / divisor:,.{digits}f}{suffix}"
            if len(short) <= width:
                return short
    return text


def _rate(rate: float | None, width: int) -> str:
    """A conversion rate: "3.4%", without its decimal when that does not fit ("556%")."""
    if rate is None:
        return "—"
    text = f"{rate:.1%}"
    return text if len(text) <= width else f"{rate:.0%}"


def sort_kpis(rows: list[kpis.Kpi], by: str) -> list[kpis.Kpi]:
    """The KPI table's order: the chosen figure, highest first, then the handle."""
    key = {
        "revenue": lambda k: (-k.revenue_minor, k.handle or ""),
        "clicks": lambda k: (-k.clicks, k.handle or ""),
        "conversions": lambda k: (-k.conversions, k.handle or ""),
        "epc": lambda k: (-(k.epc_minor if k.epc_minor is not None else -1), k.handle or ""),
    }[by]
    return sorted(rows, key=key)


def before_words(period: kpis.Period) -> str:
    """The previous period as a trend names it: "2026-10", "2026-Q3", "prev. 11 days"."""
    if period.kind == "range":
        return f"prev. {(period.end - period.start).days} days"
    return period.previous().label


def trend_words(now: int, before: int | None, period: kpis.Period) -> str:
    """ "+12% vs 2026-10", or what stands for it without a base."""
    change = kpis.trend(now, before)
    label = before_words(period)
    if change is None:  # no revenue before: no percentage to give
        return f"nothing in {label}"
    return f"{change:+.0%} vs {label}"


def right(text: str) -> Text:
    """A number for a table cell, right-aligned."""
    return Text(text, justify="right")


class Loading:
    """A widget's loading indicator while workers read for it: shown only when a read takes
    longer than LOADING_AFTER_S, taken away when the last of them ended (answered, failed or
    cancelled by a newer one: the screen passes every worker's end to `ended`).

    A cancelled worker is never waited for: an exclusive read cancelled by a newer one before
    its task first ran stays RUNNING for good and never reports an end (Textual sets RUNNING
    when it creates the task, and a task cancelled before its first step never runs the code
    that would say CANCELLED), so waiting for it kept the indicator up until the screen was
    left. Whoever cancelled it started the read that answers instead."""

    def __init__(self, widget: Widget, after: Callable[[], None] | None = None) -> None:
        self.widget = widget
        self.after = after  # run once the indicator is gone and the widget laid out again
        self.timer: Timer | None = None
        self.workers: set[Worker[Any]] = set()

    def _prune(self) -> None:
        self.workers = {w for w in self.workers if not w.is_cancelled and w.state not in ENDED}

    def start(self, worker: Worker[Any]) -> None:
        self._prune()
        if worker.state in ENDED or worker.is_cancelled:
            self._done_if_idle()
            return
        self.workers.add(worker)
        if self.timer is None and not self.widget.loading:
            self.timer = self.widget.set_timer(LOADING_AFTER_S, self._show)

    def _show(self) -> None:
        self.timer = None
        self._prune()
        if self.workers and self.widget.is_attached:
            self.widget.loading = True

    def ended(self, worker: Worker[Any]) -> None:
        """Any worker of the screen ended (Worker.StateChanged): the indicator goes when none
        of the reads it waits for is left."""
        self.workers.discard(worker)
        self._prune()
        self._done_if_idle()

    def _done_if_idle(self) -> None:
        if self.workers:
            return
        if self.timer is not None:
            self.timer.stop()
            self.timer = None
        if self.widget.is_attached and self.widget.loading:
            self.widget.loading = False
            if self.after is not None:
                self.widget.call_after_refresh(self.after)


class LazyRows:
    """A DataTable's rows drawn a page at a time: all of them are known (read and sorted in a
    worker), but only the first DRAWN_PAGE are added, and the next page when the cursor comes
    near the last drawn row. Adding a row costs the table a measure of each of its cells
    (2,000 affiliates: ~0.4 s on the UI thread), so a sort or a new period redraws 100 rows,
    not all of them, and scrolling down draws the rest as it is reached. A row's cells are
    made (`cells(item)`: formatting, Text objects) only when it is drawn."""

    DRAWN_PAGE = 100
    MARGIN = 10  # rows before the last drawn one where the next page is drawn
    TOP_ROWS = 10  # a cursor above this row is shown without scrolling (at 80x24)

    def __init__(
        self,
        table: DataTable,  # type: ignore[type-arg]
        cells: Callable[[Any], tuple[object, ...]] = tuple,
    ) -> None:
        self.table = table
        self.cells = cells
        self.rows: list[tuple[Any, str]] = []
        self.drawn = 0
        if hasattr(table, "lazy_rows"):
            table.lazy_rows = self  # End draws the rest first (widgets.tables.PlainTable)

    @property
    def keys(self) -> list[str]:
        return [key for _item, key in self.rows]

    def reset(self, rows: list[tuple[Any, str]], keep: str | None) -> None:
        """Show `rows` (item, key) with the cursor on the row `keep` (drawn as far as it),
        else on the first affiliate."""
        table = self.table
        table.clear()
        self.rows, self.drawn = rows, 0
        keys = self.keys
        if keep in keys:
            at = keys.index(keep)
        else:
            at = next((i for i, k in enumerate(keys) if k.startswith("affiliate:")), 0)
        self.draw_to(at + 1)
        if self.rows:
            # Near the top the table shows its top (the stage header above the first
            # affiliate); further down it is scrolled to the cursor.
            # (DataTable scrolls to its cursor after the next refresh, with whatever height it
            # has then: near the top the view is put back at the top after that.)
            table.move_cursor(row=at)
            if at < self.TOP_ROWS:
                table.call_after_refresh(self.to_top)

    def to_top(self) -> None:
        """Back at the top when the cursor is near it (after the table was covered by a
        loading indicator, during which it scrolled to its cursor with no height)."""
        if self.table.cursor_row < self.TOP_ROWS:
            self.table.scroll_to(y=0, animate=False)

    def draw_to(self, count: int) -> None:
        """Draw whole pages until at least `count` rows are drawn (or all of them)."""
        pages = -(-max(count, 1) // self.DRAWN_PAGE)
        end = min(len(self.rows), pages * self.DRAWN_PAGE)
        for item, key in self.rows[self.drawn : end]:
            self.table.add_row(*self.cells(item), key=key)
        self.drawn = max(self.drawn, end)

    def draw_all(self) -> None:
        self.draw_to(len(self.rows))

    def near(self, row: int) -> None:
        """The cursor is on `row`: the next page, when it comes near the end of the drawn."""
        if self.drawn < len(self.rows) and row >= self.drawn - self.MARGIN:
            self.draw_to(self.drawn + 1)
