"""Campaign lists of one creator, one tab per state group, with counts in the tab titles."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.text import Text
from textual.containers import Vertical
from textual.widgets import Static, TabbedContent, TabPane

from talent_tui.core.money import format_short, format_whole
from talent_tui.core.text import printable
from talent_tui.failures import Guarded
from talent_tui.store.kinds import CampaignStatus, Tab
from talent_tui.widgets.roster import fit
from talent_tui.widgets.tables import PlainTable

if TYPE_CHECKING:
    from talent_tui.services.campaigns import CampaignRow

TAB_TITLES = {
    Tab.PENDING: "Pending",
    Tab.ACTIVE: "Active",
    Tab.COMPLETED: "Completed",
    Tab.INACTIVE: "Inactive",
}
HEADERS = ("Campaign", "Brand", "Fee", "Status", "Next")
GUTTER = 1  # one blank cell before each column (DataTable padding would cost two)


def pane_id(tab: Tab) -> str:
    return f"tab-{tab.value}"


# The status column's short words, used when the full ones would cut the names: the days
# left stay ("Offer · 2d", "Nego · 5d", "Offer · 3d late" in red when overdue).
SHORT_STATUS = {
    CampaignStatus.OFFER_RECEIVED: "Offer",
    CampaignStatus.REVIEWING: "Review",
    CampaignStatus.NEGOTIATING: "Nego",
    CampaignStatus.ACCEPTED: "Agreed",
    CampaignStatus.IN_PRODUCTION: "Prod",
    CampaignStatus.COMPLETED: "Done",
    CampaignStatus.DECLINED: "Declined",
    CampaignStatus.EXPIRED: "Expired",
    CampaignStatus.CANCELLED: "Cancelled",
}


def full_status(campaign: CampaignRow) -> str:
    return campaign.status_text


def short_status(campaign: CampaignRow) -> str:
    """`campaign.status_text` ("New offer · 2d") with the status in a word ("Offer · 2d")."""
    _lead, dot, when = campaign.status_text.partition(" · ")
    return SHORT_STATUS[campaign.status] + (f" · {when}" if dot else "")


def column_widths(rows: Sequence[tuple[str, ...]], available: int) -> list[int]:
    """Widths for HEADERS that fit `available` cells: shrink Campaign, then Brand; Status
    (which carries the days left) only when the names are down to a few cells."""
    natural = [max([cell_len(h)] + [cell_len(r[i]) for r in rows]) for i, h in enumerate(HEADERS)]
    widths = list(natural)
    budget = available - GUTTER * len(HEADERS)
    for index, floor in ((0, 16), (1, 10), (0, 13), (1, 9), (0, 8), (1, 6), (3, 9)):
        excess = sum(widths) - budget
        if excess <= 0:
            break
        widths[index] = max(min(floor, widths[index]), widths[index] - excess)
    if sum(widths) < budget:
        widths[0] += budget - sum(widths)  # give the slack to the campaign name
    return widths


def fits_comfortably(rows: Sequence[tuple[str, ...]], available: int) -> bool:
    """Whether the columns fit with at least 16 cells of campaign name and 12 of brand."""
    natural = [max([cell_len(h)] + [cell_len(r[i]) for r in rows]) for i, h in enumerate(HEADERS)]
    natural[0], natural[1] = min(natural[0], 16), min(natural[1], 12)
    return sum(natural) + GUTTER * len(HEADERS) <= available


class CampaignTable(PlainTable):
    """One tab's campaigns. Rows are keyed by campaign id."""

    def __init__(self, tab: Tab, **kwargs) -> None:  # noqa: ANN003
        super().__init__(cursor_type="row", cell_padding=0, **kwargs)
        self.tab = tab
        self.campaigns: list[CampaignRow] = []

    def fill(self, campaigns: Sequence[CampaignRow]) -> None:
        self.campaigns = list(campaigns)
        self._rebuild()

    def _texts(
        self, fee: Callable[[int, str], str], status: Callable[[CampaignRow], str]
    ) -> list[tuple[str, ...]]:
        return [
            (
                printable(c.name),
                printable(c.brand),
                fee(c.fee_minor, c.currency),
                printable(status(c)),
                printable(c.key_date_label),
            )
            for c in self.campaigns
        ]

    def on_resize(self) -> None:
        self._rebuild()

    def _rebuild(self) -> None:
        available = (self.size.width or 58) - 1
        # Whole fees and the status in words if the names still get their room; else the
        # status in a word, then compact fees too (1.85M KRW), rather than cut the names.
        for fee, status in (
            (format_whole, full_status),
            (format_whole, short_status),
            (format_short, short_status),
        ):
            texts = self._texts(fee, status)
            if fits_comfortably(texts, available):
                break
        widths = column_widths(texts, available)
        cursor = self.cursor_row
        self.clear(columns=True)
        pad = " " * GUTTER
        for header, width in zip(HEADERS, widths, strict=True):
            label = Text(pad + header, justify="right" if header == "Fee" else "left")
            self.add_column(label, width=width + GUTTER, key=header.lower())
        for campaign, row in zip(self.campaigns, texts, strict=True):
            name, brand, fee, status, next_day = row
            status_style = "bold red" if campaign.urgent else ""
            self.add_row(
                pad + fit(name, widths[0]),
                pad + fit(brand, widths[1]),
                Text(pad + fee, justify="right"),
                Text(pad + fit(status, widths[3]), style=status_style),
                pad + next_day,
                key=str(campaign.id),
            )
        if self.campaigns:
            self.move_cursor(row=min(cursor, len(self.campaigns) - 1), animate=False)


class CampaignTabs(Guarded, Vertical):
    """Pending / Active / Completed / Inactive, each a CampaignTable; titles carry counts.

    The tabs (four tables and their headers, a good part of the main screen's widgets) are
    built when the first campaigns arrive, which is after the first frame: the roster is on
    screen sooner. A tab chosen or focus asked for before then is applied once they are built.
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._wanted_tab: Tab | None = None
        self._wants_focus = False

    @property
    def built(self) -> bool:
        return bool(self.query("#campaign-tabs"))

    def _tabbed_content(self) -> TabbedContent:
        panes = []
        for tab in Tab:
            table = CampaignTable(tab, id=f"table-{tab.value}")
            empty = Static(
                f"No {TAB_TITLES[tab].lower()} campaigns.",
                id=f"empty-{tab.value}",
                classes="tab-empty",
            )
            panes.append(TabPane(TAB_TITLES[tab], table, empty, id=pane_id(tab)))
        tabbed = TabbedContent(id="campaign-tabs")
        for pane in panes:  # as `with TabbedContent(): yield pane` does in a compose
            tabbed.compose_add_child(pane)
        return tabbed

    @property
    def tabbed(self) -> TabbedContent:
        return self.query_one("#campaign-tabs", TabbedContent)

    @property
    def active(self) -> str:
        return self.tabbed.active if self.built else ""

    def table(self, tab: Tab) -> CampaignTable:
        return self.query_one(f"#table-{tab.value}", CampaignTable)

    async def show(self, rows: Mapping[Tab, Sequence[CampaignRow]]) -> None:
        if not self.built:
            await self.mount(self._tabbed_content())
            if self._wanted_tab is not None:
                self.tabbed.active = pane_id(self._wanted_tab)
            if self._wants_focus:
                self.table(self._wanted_tab or Tab.PENDING).focus()
        for tab in Tab:
            campaigns = rows.get(tab, ())
            self.tabbed.get_tab(pane_id(tab)).label = f"{TAB_TITLES[tab]} {len(campaigns)}"
            self.table(tab).fill(campaigns)
            self.query_one(f"#empty-{tab.value}").display = not campaigns

    def focus_table(self, tab: Tab | None = None) -> None:
        """Focus `tab`'s table (the active one if None), now or once the tabs are built."""
        if not self.built:
            self._wanted_tab = tab or self._wanted_tab
            self._wants_focus = True
            return
        if tab is not None:
            self.tabbed.active = pane_id(tab)
        active = self.tabbed.active or pane_id(Tab.PENDING)
        self.table(Tab(active.removeprefix("tab-"))).focus()

    def select_tab(self, tab: Tab) -> None:
        if not self.built:
            self._wanted_tab = tab
            return
        self.tabbed.active = pane_id(tab)
