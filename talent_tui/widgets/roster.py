"""The roster list: every creator that matches the search, two lines each, drawn lazily.

A Line-API widget so that a roster of tens of thousands of creators scrolls as fast as one
of ten: only the visible lines are ever rendered. The widget knows nothing about the
database; the screen hands it rows and listens for its messages.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from talent_tui.money import compact_number
from talent_tui.roster import RosterRow

ROW_HEIGHT = 2


def fit(text: str, width: int) -> str:
    """Cut `text` to `width` terminal cells (wide Hangul counts double), ending in '…'."""
    if width <= 0:
        return ""
    if cell_len(text) <= width:
        return text
    return set_cell_size(text, width - 1).rstrip() + "…"


class RosterList(ScrollView, can_focus=True):
    """Creators as two-line rows: name and followers, then the handle."""

    BINDINGS = [
        Binding("up,k", "cursor_up", "Up", show=False),
        Binding("down,j", "cursor_down", "Down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("home", "first", "First", show=False),
        Binding("end", "last", "Last", show=False),
        Binding("enter", "select", "Open", show=False),
    ]

    COMPONENT_CLASSES = {
        "roster--name",
        "roster--handle",
        "roster--followers",
        "roster--cursor",
        "roster--empty",
    }

    cursor: reactive[int] = reactive(0, always_update=True, init=False)

    class Highlighted(Message):
        """The cursor moved onto a creator."""

        def __init__(self, roster: RosterList, creator_id: int) -> None:
            super().__init__()
            self.roster = roster
            self.creator_id = creator_id

        @property
        def control(self) -> RosterList:
            return self.roster

    class Selected(Highlighted):
        """The user chose a creator (Enter or click)."""

    def __init__(
        self, *, name: str | None = None, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.rows: list[RosterRow] = []
        self.empty_text = "No creators match."

    # ---- data ---------------------------------------------------------------------------

    def set_rows(self, rows: Sequence[RosterRow], keep_id: int | None = None) -> None:
        """Show `rows`, keeping the cursor on `keep_id` when it is among them."""
        self.rows = list(rows)
        self.virtual_size = Size(0, len(self.rows) * ROW_HEIGHT)
        index = self.index_of(keep_id) if keep_id is not None else None
        self.cursor = index if index is not None else 0
        self.refresh()

    def index_of(self, creator_id: int) -> int | None:
        for index, row in enumerate(self.rows):
            if row.id == creator_id:
                return index
        return None

    @property
    def current(self) -> RosterRow | None:
        if 0 <= self.cursor < len(self.rows):
            return self.rows[self.cursor]
        return None

    def move_to(self, creator_id: int) -> bool:
        index = self.index_of(creator_id)
        if index is None:
            return False
        self.cursor = index
        return True

    # ---- cursor -------------------------------------------------------------------------

    def validate_cursor(self, value: int) -> int:
        return max(0, min(value, len(self.rows) - 1)) if self.rows else 0

    def watch_cursor(self, old: int, new: int) -> None:
        self.refresh()
        self.scroll_to_region_of(new)
        row = self.current
        if row is not None:
            self.post_message(self.Highlighted(self, row.id))

    def scroll_to_region_of(self, index: int) -> None:
        from textual.geometry import Region

        region = Region(0, index * ROW_HEIGHT, self.size.width, ROW_HEIGHT)
        self.scroll_to_region(region, animate=False, force=True)

    def action_cursor_up(self) -> None:
        self.cursor -= 1

    def action_cursor_down(self) -> None:
        self.cursor += 1

    def _page_rows(self) -> int:
        return max(1, self.scrollable_content_region.height // ROW_HEIGHT - 1)

    def action_page_up(self) -> None:
        self.cursor -= self._page_rows()

    def action_page_down(self) -> None:
        self.cursor += self._page_rows()

    def action_first(self) -> None:
        self.cursor = 0

    def action_last(self) -> None:
        self.cursor = len(self.rows) - 1

    def action_select(self) -> None:
        row = self.current
        if row is not None:
            self.post_message(self.Selected(self, row.id))

    def _on_click(self, event: events.Click) -> None:
        index = (event.y + self.scroll_offset.y) // ROW_HEIGHT
        if 0 <= index < len(self.rows):
            self.cursor = index
            self.post_message(self.Selected(self, self.rows[index].id))

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def on_resize(self) -> None:
        self.virtual_size = Size(0, len(self.rows) * ROW_HEIGHT)

    # ---- drawing ------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        line = y + self.scroll_offset.y
        index, part = divmod(line, ROW_HEIGHT)
        base = self.rich_style
        if not self.rows:
            if line == 0:
                style = base + self.get_component_rich_style("roster--empty")
                return Strip(
                    [Segment(fit(f" {self.empty_text}", width), style)]
                ).adjust_cell_length(width, base)
            return Strip.blank(width, base)
        if index >= len(self.rows):
            return Strip.blank(width, base)
        row = self.rows[index]
        highlighted = index == self.cursor
        background = base
        if highlighted:
            background = base + self.get_component_rich_style("roster--cursor")
        if part == 0:
            followers = compact_number(row.followers)
            name_width = width - cell_len(followers) - 3
            name = fit(row.name, name_width)
            gap = width - 2 - cell_len(name) - cell_len(followers)
            segments = [
                Segment(" ", background),
                Segment(name, background + self.get_component_rich_style("roster--name")),
                Segment(" " * max(1, gap), background),
                Segment(followers, background + self.get_component_rich_style("roster--followers")),
            ]
        else:
            handle = fit(row.tiktok_handle, width - 2)
            segments = [
                Segment(" ", background),
                Segment(handle, background + self.get_component_rich_style("roster--handle")),
            ]
        return Strip(segments).adjust_cell_length(width, background)
