"""A DataTable for data people typed: text is shown as written, never read as markup (a
campaign called "[/sale]" must not crash the table)."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.widgets import DataTable

from talent_tui.failures import Guarded


class PlainTable(Guarded, DataTable):
    def add_row(self, *cells: Any, **kwargs: Any) -> Any:  # noqa: ANN401
        plain = [Text(c) if isinstance(c, str) else c for c in cells]
        return super().add_row(*plain, **kwargs)
