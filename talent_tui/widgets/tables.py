"""A DataTable for data people typed: text is shown as written, never read as markup (a
campaign called "[/sale]" must not crash the table), and control characters are drawn
harmlessly. Cells given as strings are stored (and read back by `get_row`) as Rich Text:
use `str(cell)` for the words. In a table of rows, Home and End go to the first and the last
row (DataTable scrolls sideways), the last drawn in full first when the rows are drawn a page
at a time (`lazy_rows`)."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.binding import Binding
from textual.widgets import DataTable

from talent_tui.core.text import printable
from talent_tui.failures import Guarded


class _Plain(Text):
    """A cell that was given as a plain string (`original` keeps it as given)."""

    def __init__(self, original: str) -> None:
        super().__init__(printable(original))
        self.original = original


class PlainTable(Guarded, DataTable):
    BINDINGS = [
        Binding("home", "first_row", "First row", show=False),
        Binding("end", "last_row", "Last row", show=False),
    ]
    lazy_rows: Any = None  # an object with draw_all() when the rows are drawn page by page

    def action_first_row(self) -> None:
        if self.cursor_type == "row":
            self.action_scroll_top()
        else:
            self.action_scroll_home()

    def action_last_row(self) -> None:
        if self.cursor_type == "row":
            if self.lazy_rows is not None:
                self.lazy_rows.draw_all()
            self.action_scroll_bottom()
        else:
            self.action_scroll_end()

    def add_row(self, *cells: Any, **kwargs: Any) -> Any:  # noqa: ANN401
        plain = [_Plain(c) if isinstance(c, str) else c for c in cells]
        return super().add_row(*plain, **kwargs)

    def update_cell(self, row_key: Any, column_key: Any, value: Any, **kwargs: Any) -> None:  # noqa: ANN401
        super().update_cell(
            row_key, column_key, _Plain(value) if isinstance(value, str) else value, **kwargs
        )
