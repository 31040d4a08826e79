"""The baseline for talent's first paint: a bare Textual app with the same kinds of widgets
as talent's main screen, and nothing else (no SQLAlchemy, no Alembic, no services).

    python tests/bench/bare_app.py DB

Header, an Input, a Line-API ScrollView list of two-line rows (name and followers, then the
handle) showing the first page (100 rows) of live creators ordered by name then id, read with
stdlib sqlite3 from the same database file; a Static side panel with the first creator; a
DataTable; a Footer with 15 bindings. `q` quits. It reads the rows in `on_mount` (as talent
reads its first page after mounting), so the cost of the query is in its first paint too.
"""

from __future__ import annotations

import sqlite3
import sys

from rich.segment import Segment
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import DataTable, Footer, Header, Input, Static

PAGE = 100


class RowList(ScrollView, can_focus=True):
    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.rows: list[tuple[int, str, str, int]] = []

    def show(self, rows: list[tuple[int, str, str, int]]) -> None:
        self.rows = rows
        self.virtual_size = Size(0, len(rows) * 2)
        self.refresh()

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        index, part = divmod(y + self.scroll_offset.y, 2)
        if index >= len(self.rows):
            return Strip.blank(width)
        _id, name, handle, followers = self.rows[index]
        text = f" {name[: max(0, width - 10)]}  {followers:,}" if part == 0 else f" {handle}"
        return Strip([Segment(text[:width])]).adjust_cell_length(width)


class BareApp(App[None]):
    CSS = """
    #sidebar { width: 22; }
    #search { height: 1; border: none; padding: 0 1; }
    #list { height: 1fr; }
    #detail { width: 1fr; }
    #panel { height: auto; }
    #table { height: 1fr; }
    """
    BINDINGS = [
        Binding("q", "quit", "Quit"),
        Binding("slash", "focus('search')", "Find"),
        Binding("n", "noop", "New"),
        Binding("e", "noop", "Edit"),
        Binding("t", "noop", "Rates"),
        Binding("x", "noop", "Archive"),
        Binding("s", "noop", "Sort"),
        Binding("f", "noop", "Filter"),
        Binding("g", "noop", "Deals"),
        Binding("question_mark", "noop", "Help", key_display="?"),
        Binding("m", "noop", "Metrics", show=False),
        Binding("l", "noop", "Log", show=False),
        Binding("b", "noop", "Brand fit", show=False),
        Binding("c", "noop", "Campaigns", show=False),
        Binding("r", "noop", "Roster", show=False),
    ]

    def __init__(self, db: str) -> None:
        super().__init__()
        self.db = db
        self.title = "bare"

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="◆")
        with Horizontal():
            with Vertical(id="sidebar"):
                yield Input(placeholder="Search  (/)", id="search")
                yield RowList(id="list")
            with Vertical(id="detail"):
                yield Static(id="panel")
                yield DataTable(id="table")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        with sqlite3.connect(f"file:{self.db}?mode=ro", uri=True) as connection:
            rows = connection.execute(
                "SELECT id, name, tiktok_handle, followers FROM creators"
                " WHERE archived_at IS NULL ORDER BY name, id LIMIT ?",
                (PAGE,),
            ).fetchall()
        connection.close()
        self.query_one(RowList).show(rows)
        self.query_one(RowList).focus()
        if rows:
            _id, name, handle, followers = rows[0]
            self.query_one("#panel", Static).update(f"{name}  {handle}\nFollowers {followers:,}")
        table = self.query_one(DataTable)
        table.add_columns("Campaign", "Brand", "Fee", "Status", "Next")
        for i in range(5):
            table.add_row(f"Campaign {i}", "Brand", "1,000 USD", "New offer", "1 Dec")

    def action_noop(self) -> None:
        pass


if __name__ == "__main__":
    BareApp(sys.argv[1]).run()
