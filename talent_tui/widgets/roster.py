"""The roster list: every creator in the current view, two lines each, drawn and loaded lazily.

A Line-API widget: only the visible lines are rendered, and rows arrive in pages that the
screen fetches on request (`PageNeeded`), so a roster of 100,000 creators costs what a roster
of one screenful costs. The widget knows nothing about the database.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from talent_tui.core.money import compact_number
from talent_tui.core.text import printable
from talent_tui.failures import Guarded
from talent_tui.services.roster import RosterRow, SortKey

ROW_HEIGHT = 2
PAGE_SIZE = 100
MAX_PAGES = 60  # rows kept in memory: 6,000; the rest is fetched again when scrolled back to


def fit(text: str, width: int) -> str:
    """Cut `text` to `width` terminal cells (wide Hangul counts double), ending in '…'."""
    if width <= 0:
        return ""
    if cell_len(text) <= width:
        return text
    return set_cell_size(text, width - 1).rstrip() + "…"


def figure(row: RosterRow, sort: SortKey) -> str:
    """The number shown beside a name: the one the roster is sorted by (followers otherwise)."""
    if sort is SortKey.ENGAGEMENT:
        return f"{row.engagement_rate:.1%}" if row.engagement_rate is not None else "—"
    if sort is SortKey.GROWTH:
        growth = row.follower_growth_30d
        return f"{growth:+.1%}" if growth is not None else "—"
    if sort is SortKey.OPEN_DEALS:
        return f"{row.open_deals} open"
    return compact_number(row.followers)


class RosterList(Guarded, ScrollView, can_focus=True):
    """Creators as two-line rows: name and a figure, then the handle."""

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
        "roster--figure",
        "roster--cursor",
        "roster--empty",
        "roster--loading",
    }

    cursor: reactive[int] = reactive(0, always_update=True, init=False)

    class Highlighted(Message):
        """The cursor is on a creator (sent once the row is loaded)."""

        def __init__(self, roster: RosterList, creator_id: int) -> None:
            super().__init__()
            self.roster = roster
            self.creator_id = creator_id

        @property
        def control(self) -> RosterList:
            return self.roster

    class Selected(Highlighted):
        """The user chose a creator (Enter or click)."""

    class PageNeeded(Message):
        """Rows [page * PAGE_SIZE, ...) of view `generation` are wanted."""

        def __init__(self, roster: RosterList, generation: int, page: int) -> None:
            super().__init__()
            self.roster = roster
            self.generation = generation
            self.page = page

    def __init__(
        self, *, name: str | None = None, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.total = 0
        self.generation = 0
        self.sort = SortKey.NAME
        self.pages: dict[int, list[RosterRow]] = {}
        self._requested: set[int] = set()
        self._announced: int | None = None
        self.empty_text = "Loading…"  # until the screen's first answer

    # ---- data ---------------------------------------------------------------------------

    def reset(
        self,
        generation: int,
        total: int,
        pages: dict[int, list[RosterRow]],
        cursor: int = 0,
        sort: SortKey = SortKey.NAME,
    ) -> None:
        """Show a new view of `total` rows, with some pages already loaded."""
        self.generation = generation
        self.total = total
        self.sort = sort
        self.pages = dict(pages)
        self._requested = set(pages)
        self._announced = None
        self._set_rows(total)
        self.cursor = cursor
        self.refresh()

    def set_total(self, generation: int, total: int) -> None:
        """The view holds `total` rows after all (its count was first cut short)."""
        if generation != self.generation:
            return
        self.total = total
        self._set_rows(total)
        self.refresh()

    def _set_rows(self, total: int) -> None:
        """The scrollable height for `total` rows. The list's own size never depends on its
        rows (height: 1fr), so a new row count changes the scrollbar, not the screen's layout;
        assigning `virtual_size` would lay the whole screen out again (a layout reactive),
        5-15 ms on every search keystroke. The scrollbar appearing or going still lays the
        screen out (`show_vertical_scrollbar` is a layout reactive). Textual's own
        `_size_updated` updates a scroll view this way (pinned: textual <8.3)."""
        size = Size(0, total * ROW_HEIGHT)
        if size != self.virtual_size:
            self.set_reactive(RosterList.virtual_size, size)
            self._scroll_update(size)

    def add_page(self, generation: int, page: int, rows: Sequence[RosterRow]) -> None:
        if generation != self.generation:
            return  # an answer for a view we no longer show
        self.pages[page] = list(rows)
        self._evict()
        self.refresh()
        self._announce()

    def _evict(self) -> None:
        if len(self.pages) <= MAX_PAGES:
            return
        here = self.cursor // PAGE_SIZE
        for page in sorted(self.pages, key=lambda p: abs(p - here), reverse=True):
            if len(self.pages) <= MAX_PAGES:
                break
            del self.pages[page]
            self._requested.discard(page)

    def row_at(self, index: int) -> RosterRow | None:
        if not 0 <= index < self.total:
            return None
        page = self.pages.get(index // PAGE_SIZE)
        if page is None:
            self._request(index // PAGE_SIZE)
            return None
        offset = index % PAGE_SIZE
        return page[offset] if offset < len(page) else None

    def _request(self, page: int) -> None:
        if page not in self._requested:
            self._requested.add(page)
            self.post_message(self.PageNeeded(self, self.generation, page))

    @property
    def rows(self) -> list[RosterRow]:
        """The loaded rows in order (all of them when the view fits in the loaded pages)."""
        return [row for page in sorted(self.pages) for row in self.pages[page]]

    def index_of(self, creator_id: int) -> int | None:
        for page, rows in self.pages.items():
            for offset, row in enumerate(rows):
                if row.id == creator_id:
                    return page * PAGE_SIZE + offset
        return None

    @property
    def current(self) -> RosterRow | None:
        return self.row_at(self.cursor)

    def move_to(self, creator_id: int) -> bool:
        index = self.index_of(creator_id)
        if index is None:
            return False
        self.cursor = index
        return True

    # ---- cursor -------------------------------------------------------------------------

    def validate_cursor(self, value: int) -> int:
        return max(0, min(value, self.total - 1)) if self.total else 0

    def watch_cursor(self, old: int, new: int) -> None:
        self.refresh()
        self.scroll_to_region(Region(0, new * ROW_HEIGHT, 1, ROW_HEIGHT), animate=False, force=True)
        self._announce()

    def _announce(self) -> None:
        row = self.current
        if row is not None and row.id != self._announced:
            self._announced = row.id
            self.post_message(self.Highlighted(self, row.id))

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
        self.cursor = self.total - 1

    def action_select(self) -> None:
        row = self.current
        if row is not None:
            self.post_message(self.Selected(self, row.id))

    def _on_click(self, event: events.Click) -> None:
        index = (event.y + self.scroll_offset.y) // ROW_HEIGHT
        if 0 <= index < self.total:
            self.cursor = index
            row = self.row_at(index)
            if row is not None:
                self.post_message(self.Selected(self, row.id))

    def on_resize(self) -> None:
        # The list can shrink after it scrolled (say the status line below wraps): keep the
        # cursor's two lines in view.
        self.scroll_to_region(
            Region(0, self.cursor * ROW_HEIGHT, 1, ROW_HEIGHT), animate=False, force=True
        )

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    # ---- drawing ------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        line = y + self.scroll_offset.y
        index, part = divmod(line, ROW_HEIGHT)
        base = self.rich_style
        if self.total == 0:
            if line == 0:
                style = base + self.get_component_rich_style("roster--empty")
                text = fit(printable(f" {self.empty_text}"), width)
                return Strip([Segment(text, style)]).adjust_cell_length(width, base)
            return Strip.blank(width, base)
        if index >= self.total:
            return Strip.blank(width, base)
        background = base
        if index == self.cursor:
            background = base + self.get_component_rich_style("roster--cursor")
        row = self.row_at(index)
        if row is None:
            if part == 0:
                style = background + self.get_component_rich_style("roster--loading", partial=True)
                return Strip([Segment(" …", style)]).adjust_cell_length(width, background)
            return Strip.blank(width, background)
        if part == 0:
            number = figure(row, self.sort)
            name = fit(printable(row.name), width - cell_len(number) - 3)
            gap = width - 2 - cell_len(name) - cell_len(number)
            segments = [
                Segment(" ", background),
                Segment(
                    name, background + self.get_component_rich_style("roster--name", partial=True)
                ),
                Segment(" " * max(1, gap), background),
                Segment(
                    number,
                    background + self.get_component_rich_style("roster--figure", partial=True),
                ),
            ]
        else:
            handle = fit(printable(row.tiktok_handle), width - 2)
            segments = [
                Segment(" ", background),
                Segment(
                    handle,
                    background + self.get_component_rich_style("roster--handle", partial=True),
                ),
            ]
        return Strip(segments).adjust_cell_length(width, background)
