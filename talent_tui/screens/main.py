"""The main screen: roster on the left, the chosen creator's stats, rates and campaigns right.

The screen is the only place here that talks to services. Database work runs in thread
workers (exclusive per kind, so a newer search supersedes an older one) and results come
back with `call_from_thread`; the UI never waits on SQLite.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Static
from textual.worker import get_current_worker

from talent_tui import campaigns, roster
from talent_tui.models import Tab
from talent_tui.widgets.campaigns import CampaignTabs, pane_id
from talent_tui.widgets.roster import RosterList
from talent_tui.widgets.stats import StatsPanel

EMPTY_TEXT = """\
[b]No creators yet.[/b]

Load the demo roster to look around:    [b]talent demo[/b]
Or import your own from a CSV file:      [b]talent import creators FILE.csv[/b]

Press [b]?[/b] for help, [b]q[/b] to quit."""


@dataclass(frozen=True)
class CreatorView:
    profile: roster.CreatorProfile
    campaigns: dict[Tab, list[campaigns.CampaignRow]]


class MainScreen(Screen):
    AUTO_FOCUS = "#roster"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]
    BINDINGS = [
        Binding("slash", "focus_search", "Search"),
        Binding("escape", "escape", "Back", show=False),
        Binding("1", "show_tab('pending')", "Pending", show=False),
        Binding("2", "show_tab('active')", "Active", show=False),
        Binding("3", "show_tab('completed')", "Completed", show=False),
        Binding("4", "show_tab('inactive')", "Inactive", show=False),
        Binding("c", "focus_campaigns", "Campaigns"),
        Binding("r", "focus_roster", "Roster"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.creator_id: int | None = None
        self._jump_to: int | None = None
        self._total = 0

    # ---- layout -------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="◆")
        with Horizontal(id="body"):
            with Vertical(id="sidebar"):
                yield Input(placeholder="Search  (/)", id="search")
                yield RosterList(id="roster")
                yield Static(id="roster-count")
            with Vertical(id="detail"):
                yield StatsPanel(id="stats")
                yield CampaignTabs(id="campaigns")
        yield Static(EMPTY_TEXT, id="empty")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#body").loading = True
        self.load_roster("")

    @property
    def database(self):  # noqa: ANN201
        return self.app.database

    # ---- roster -------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="roster")
    def load_roster(self, search: str) -> None:
        worker = get_current_worker()
        query = roster.RosterQuery(search=search)
        with self.database.session() as session:
            total = roster.count_creators(session, include_archived=False)
            rows = query.page(session, 0, None)
        if not worker.is_cancelled:
            self.app.call_from_thread(self._show_roster, search, rows, total)

    def _show_roster(self, search: str, rows: list[roster.RosterRow], total: int) -> None:
        self._total = total
        body = self.query_one("#body")
        body.loading = False
        empty = total == 0
        self.set_class(empty, "-empty")
        roster_list = self.query_one(RosterList)
        roster_list.empty_text = f"No creator matches “{search}”." if search else "No creators."
        keep = self._jump_to if self._jump_to is not None else self.creator_id
        roster_list.set_rows(rows, keep_id=keep)
        self._jump_to = None
        count = self.query_one("#roster-count", Static)
        count.update(f"{len(rows):,} of {total:,}" if search else f"{total:,} creators")
        self.query_one("#detail").display = bool(rows)
        if not rows:
            self.creator_id = None

    @on(Input.Changed, "#search")
    def search_changed(self, event: Input.Changed) -> None:
        self.load_roster(event.value.strip())

    @on(Input.Submitted, "#search")
    def search_submitted(self) -> None:
        self.query_one(RosterList).focus()

    @on(RosterList.Highlighted)
    def creator_highlighted(self, event: RosterList.Highlighted) -> None:
        if event.creator_id != self.creator_id:
            self.creator_id = event.creator_id
            self.load_creator(event.creator_id)

    @on(RosterList.Selected)
    def creator_selected(self, event: RosterList.Selected) -> None:
        self.action_focus_campaigns()

    def jump_to(self, creator_id: int) -> None:
        """Show `creator_id` in the roster, clearing a search that hides it."""
        roster_list = self.query_one(RosterList)
        if roster_list.move_to(creator_id):
            roster_list.focus()
            return
        self._jump_to = creator_id
        search = self.query_one("#search", Input)
        if search.value:
            search.value = ""  # Input.Changed reloads the roster, then we land on the creator
        else:
            self.load_roster("")
        roster_list.focus()

    # ---- one creator --------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="creator")
    def load_creator(self, creator_id: int) -> None:
        worker = get_current_worker()
        today = self.app.today
        with self.database.session() as session:
            try:
                profile = roster.profile(session, creator_id)
            except roster.CreatorNotFound:
                return
            rows = campaigns.by_tab(session, creator_id, today)
        if not worker.is_cancelled:
            self.app.call_from_thread(self._show_creator, CreatorView(profile, rows))

    def _show_creator(self, view: CreatorView) -> None:
        if view.profile.id != self.creator_id:
            return  # the cursor moved on while this was loading
        self.query_one(StatsPanel).show(view.profile)
        self.query_one(CampaignTabs).show(view.campaigns)

    # ---- actions ------------------------------------------------------------------------

    def action_focus_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_focus_roster(self) -> None:
        self.query_one(RosterList).focus()

    def action_focus_campaigns(self) -> None:
        tabs = self.query_one(CampaignTabs)
        active = tabs.active or pane_id(Tab.PENDING)
        tabs.table(Tab(active.removeprefix("tab-"))).focus()

    def action_show_tab(self, tab: str) -> None:
        tabs = self.query_one(CampaignTabs)
        tabs.select_tab(Tab(tab))
        tabs.table(Tab(tab)).focus()

    def action_escape(self) -> None:
        search = self.query_one("#search", Input)
        if search.has_focus:
            search.value = ""  # the roster reloads and keeps the creator you were on
        self.query_one(RosterList).focus()
