"""The main screen: roster on the left, the chosen creator's stats, rates and campaigns right.

The screen is the only place here that talks to services. Database work runs in thread
workers (exclusive per kind, so a newer search supersedes an older one) and results come
back with `call_from_thread`; the UI never waits on SQLite. The roster arrives a page at a
time: a count and the page around the cursor first, further pages as the list asks for them.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.markup import escape
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable, Header, Input, Static
from textual.worker import Worker, WorkerState, get_current_worker

from talent_tui import failures
from talent_tui.core.labels import file_stem
from talent_tui.core.text import printable
from talent_tui.failures import Guarded
from talent_tui.messages import DataChanged
from talent_tui.services import roster, team
from talent_tui.store.kinds import Tab
from talent_tui.store.watch import missing_message, open_replacement, watcher_for
from talent_tui.widgets.campaigns import CampaignTable, CampaignTabs
from talent_tui.widgets.footer import KeysFooter
from talent_tui.widgets.inputs import SafeInput
from talent_tui.widgets.roster import PAGE_SIZE, RosterList
from talent_tui.widgets.stats import StatsPanel

if TYPE_CHECKING:
    from talent_tui.screens.filter import Choice
    from talent_tui.services import creators
    from talent_tui.store.db import Database

# The first frame is painted from `app.reading()` (no ORM); the screens, forms and services
# for changes are imported where they are used (the app warms them in the background).

# A search counts this far before the first page is drawn; the exact count follows.
COUNT_FIRST = 1_000
# How long a read on the UI thread may take (a keystroke's search; the first view) before it
# is left to a worker (see MainScreen._read_inline). Most searches take a few milliseconds; a
# one-letter search at 100,000 creators takes 15-30, and answered here it is still sooner than
# a worker's answer would be.
INLINE_S = 0.025
FIRST_VIEW_S = 0.05
# While the search box has the keys, the highlighted creator's panel is read once typing
# pauses this long: a panel per keystroke is a read and a relayout of a dozen widgets that the
# next keystroke's frame would wait behind. Leaving the box shows it at once.
PANEL_AFTER_TYPING_S = 0.15

EMPTY_TEXT = """\
[b]No creators yet.[/b]

Add one now:                          press [b]n[/b]
Load the demo roster to look around:  [b]talent demo[/b]
Import your own from a CSV file:      [b]talent --db {db} import creators FILE.csv[/b]

Press [b]?[/b] for help, [b]q[/b] to quit."""


# Actions that need a creator under the cursor, and those only for one view of the roster.
NEEDS_CREATOR = {
    "edit",
    "archive",
    "rates",
    "delete",
    "focus_campaigns",
    "show_tab",
    "interactions",
    "metrics",
    "media_kit",
    "report",
    "new_offer",
}
ROSTER_ONLY = {"archive", "new_offer"}
# Actions on the creator that the footer offers only while focus is not in the campaign list.
ROSTER_FOCUS_ONLY = {"archive"}
ARCHIVE_ONLY = {"delete"}


class MainScreen(Guarded, Screen):
    AUTO_FOCUS = "#roster"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]
    BINDINGS = [
        # Priority: the search box has focus before the next key arrives, so "/haneul" typed
        # at machine speed searches instead of running the roster's own keys (a, n, e, …).
        Binding("slash", "focus_search", "Find", priority=True),
        # Priority too: Enter in the search box moves to the list before the next key is
        # delivered, so "/haneul" Enter "e" at machine speed edits 김하늘.
        Binding("enter", "leave_search", "To the list", show=False, priority=True),
        Binding("n", "add", "New"),
        Binding("e", "edit", "Edit"),
        Binding("t", "rates", "Rates"),
        Binding("x", "archive", "Archive"),
        Binding("u", "restore", "Restore"),
        Binding("D", "delete", "Delete"),
        Binding("s", "cycle_sort", "Sort"),
        Binding("f", "filter", "Filter"),
        Binding("a", "toggle_archive", "Archive view", show=False),
        Binding("g", "deal_flow", "Deals"),
        Binding("A", "affiliates", "Affiliates", show=False),
        Binding("ctrl+p", "app.command_palette", "Jump"),
        Binding("ctrl+r,f5", "refresh", "Refresh", show=False),
        Binding("l", "interactions", "Log", show=False),
        Binding("m", "metrics", "Metrics", show=False),
        Binding("b", "brand_fit", "Brand fit", show=False),
        Binding("B", "brands", "Brands", show=False),
        Binding("o", "new_offer", "New offer", show=False),
        Binding("K", "media_kit", "Media kit", show=False),
        Binding("R", "report", "Report", show=False),
        Binding("escape", "escape", "Back", show=False),
        Binding("1", "show_tab('pending')", "Pending", show=False),
        Binding("2", "show_tab('active')", "Active", show=False),
        Binding("3", "show_tab('completed')", "Completed", show=False),
        Binding("4", "show_tab('inactive')", "Inactive", show=False),
        Binding("c", "focus_campaigns", "Campaigns", show=False),
        Binding("r", "focus_roster", "Roster", show=False),
        Binding("w", "toggle_mine", "Mine/all", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.creator_id: int | None = None
        self.view = roster.RosterQuery()
        self.generation = 0
        self.live_total = 0
        self._panel_timer: Timer | None = None  # see PANEL_AFTER_TYPING_S
        self._status_lines = 0  # lines the roster's status line takes (see _update_status)
        self._totals_fresh = False
        self.last_archived: tuple[int, str] | None = None
        self._ready = False  # built and mounted (see check_action)
        self._campaigns_of: int | None = None  # whose campaigns the tabs show
        self.acting: team.Acting | None = None  # team mode: who acts (see _find_acting)

    # ---- layout -------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="◆")
        with Horizontal(id="body"):
            with Vertical(id="sidebar"):
                yield SafeInput(placeholder="Search  (/)", id="search", select_on_focus=False)
                yield RosterList(id="roster")
                yield Static(id="roster-status")
            with Vertical(id="detail"):
                yield StatsPanel(id="stats")
                yield CampaignTabs(id="campaigns")
        yield Static(id="empty")
        yield KeysFooter(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self._ready = True
        self.watch(self.query_one("#search", Input), "value", self._search_typed, init=False)
        self._watcher = watcher_for(self.app.database_handle)
        self._replacement_tries = 0
        self._missing = False  # the file is gone from its path, and the user was told
        self.set_interval(2.0, self._poll_changes)
        try:
            self._find_acting()
            self._read_inline(within_s=FIRST_VIEW_S)
        finally:
            self.app.keys_ready()  # what was typed meanwhile acts on the roster now shown

    def _find_acting(self) -> None:
        """Team mode: who acts, and their own roster as the first view (`w` shows what their
        role allows). One indexed read; on trouble everyone's roster is shown (on PostgreSQL
        the database still shows only what the login may see) and the trouble is logged."""
        try:
            with self.app.reading() as connection:
                self.acting = team.acting(connection, self.app.actor, self.app.actor)
        except Exception as exc:  # noqa: BLE001 - reported (and logged); the roster opens
            failures.report(self.app, "Reading who you are on the team", exc)
            return
        self.app.acting = self.acting  # the other list screens follow the same choice
        owner, unassigned = self.app.team_scope()
        self.view = replace(self.view, manager_id=owner, unassigned=unassigned)

    def action_toggle_mine(self) -> None:
        """Team mode: the acting manager's own creators, or all their role allows (the
        app's one choice, TalentApp.toggle_team_view: the other screens follow it)."""
        if not self.app.toggle_team_view():
            return
        self._follow_team_view()
        self.roster_list.focus()

    def _follow_team_view(self) -> None:
        """Show the roster the app's mine/all choice asks for (flipped here or elsewhere)."""
        owner, unassigned = self.app.team_scope()
        if (owner, unassigned) == (self.view.manager_id, self.view.unassigned):
            return
        self._show_view(replace(self.view, manager_id=owner, unassigned=unassigned))
        self.reload(keep_id=self.creator_id)

    def _poll_changes(self) -> None:
        """Another program (say `talent import`) committed: show the new data.

        Not while this screen is still loading or saving: that work shows fresh data anyway,
        and a refresh that keeps the *current* cursor would race with a reload meant to
        select something else (the creator just added). The commit is seen on the next tick."""
        if any(w.node is self and w.is_running for w in self.workers):
            return
        if self._watcher.gone():
            self._file_missing()
            return
        if self._missing and not self._watcher.replaced():
            self._file_back()
        if self._watcher.replaced():
            self._open_replacement()
            return
        if self._watcher.changed():
            self.action_refresh(quiet=True)
            self.app.post_message(DataChanged())  # screens above this one reload too

    def _file_missing(self) -> None:
        """The file was deleted or moved away (not replaced): say so, once, and keep saying
        it in the title; every read and write is refused meanwhile (see `app.database`)."""
        if self._missing:
            return
        self._missing = True
        path = self.app.database_handle.path
        self.app.sub_title = f"{path.name if path else ''} — file missing"
        self.notify(
            missing_message(path) if path else "The database file is missing.",
            title="Database file missing",
            severity="error",
            timeout=30,
        )

    def _file_back(self) -> None:
        """The same file was put back (moved back): carry on with it."""
        self._missing = False
        path = self.app.database_handle.path
        self.app.sub_title = path.name if path else ""
        self.action_refresh(quiet=True)
        self.app.post_message(DataChanged())
        self.notify("The database file is back; saving works again.", timeout=8)

    @work(
        exit_on_error=False,
        thread=True,
        exclusive=True,
        group="reopen",
        name="Opening the replaced database",
    )
    def _open_replacement(self) -> None:
        """The file was replaced (`talent demo --reset` in another terminal): open the new
        one, off the event loop (opening may wait while its maker still holds the lock)."""
        fresh = open_replacement(self.app.database_handle)
        self.app.call_from_thread(self._use_replacement, fresh)

    def _use_replacement(self, fresh: Database | None) -> None:
        """Show the new file instead of the deleted file's data. Until it is ready (still
        being built), the next tick tries again; if it never is, the user is told."""
        if fresh is None:
            self._replacement_tries += 1
            if self._replacement_tries == 5:
                self.notify(
                    "The database file was replaced, and the new file cannot be opened (yet); "
                    "still showing the old data. Restart talent to open it.",
                    severity="warning",
                    timeout=12,
                )
            return
        self._replacement_tries = 0
        if self._missing:
            self._missing = False
            self.app.sub_title = fresh.path.name if fresh.path else ""
        self.app.use_database(fresh)
        self._watcher.close()
        self._watcher = watcher_for(fresh)
        self.last_archived = None  # a creator of the old file
        self.action_refresh(quiet=True)
        self.app.post_message(DataChanged())  # screens above this one reload too
        self.notify(
            "The database file was replaced (talent demo --reset?); reloaded.",
            title="Database replaced",
            timeout=8,
        )

    def action_refresh(self, quiet: bool = False) -> None:
        self.reload(keep_id=self.creator_id, fresh_totals=True)
        if self.creator_id is not None:
            self.load_creator(self.creator_id)
        if not quiet:
            self.notify("Refreshed", timeout=2)

    @property
    def database(self):  # noqa: ANN201
        return self.app.database

    @property
    def roster_list(self) -> RosterList:
        return self.query_one(RosterList)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Hide keys that cannot do anything here (the footer follows)."""
        if not self._ready:
            return False  # keys typed before the screen is built (it is the app's first)
        empty = self.has_class("-empty")
        if empty and action not in {
            "add",
            "toggle_archive",
            "deal_flow",
            "brands",
            "affiliates",
            "toggle_mine",
        }:
            return False
        # Which view first: a key of the other view is hidden, not merely dimmed.
        if action in ROSTER_ONLY and self.view.archived:
            return False
        if action in ROSTER_FOCUS_ONLY and isinstance(self.focused, CampaignTable):
            return False  # x in the campaign list would read as "cancel this campaign"
        if action in ARCHIVE_ONLY and not self.view.archived:
            return False
        if action == "restore":
            if not self.view.archived:  # the roster's u is "undo the archiving just done"
                return self.last_archived is not None
            return None if self.creator_id is None else True
        if action in NEEDS_CREATOR and self.creator_id is None:
            return None  # shown dimmed: there is no creator under the cursor
        return True

    # ---- roster -------------------------------------------------------------------------

    def reload(self, keep_id: int | None = None, fresh_totals: bool = False) -> None:
        """Fetch the current view again, keeping the cursor on `keep_id` if it is in it.
        `fresh_totals` re-counts the whole roster too (after changes, not after keystrokes)."""
        if fresh_totals:
            self._totals_fresh = False
        self.generation += 1
        self.load_roster(self.generation, self.view, keep_id)

    def _read_inline(self, keep_id: int | None = None, within_s: float = INLINE_S) -> None:
        """Read the current view here, on the UI thread, and show it: the roster's reads are
        a few indexed queries through the stdlib driver (milliseconds), and done here the
        frame that follows already shows them, where a worker's round trip costs a frame.
        SQLite stops the read if it runs past `within_s` (a broad search on a huge roster);
        then, or on any other trouble, a worker reads again (and reports what failed)."""
        self.generation += 1
        generation, view = self.generation, self.view
        searching = bool(view.search)
        try:
            with self.app.reading(within_s) as connection:
                shown = self._read_view(
                    connection, view, keep_id, COUNT_FIRST if searching else None
                )
        except Exception:  # noqa: BLE001 - the worker reads again and reports what failed
            self.load_roster(generation, view, keep_id)
            return
        self._show_roster(generation, view, *shown)
        if searching and shown[1] >= COUNT_FIRST:
            self.count_exactly(generation, view)

    def _read_view(
        self,
        connection: object,
        view: roster.RosterQuery,
        keep_id: int | None,
        upto: int | None = None,
    ) -> tuple[int, int, dict[int, list[roster.RosterRow]], int, bool]:
        """(live total, total, {page: rows}, cursor, whether anything is archived) of a view."""
        unfiltered = view == roster.RosterQuery(sort=view.sort)
        if unfiltered and self._totals_fresh and self.live_total:
            total = self.live_total  # a new order of the same roster (counted since it changed)
        else:
            total = view.count(connection, upto=upto)
        if unfiltered:
            live_total = total
        elif self._totals_fresh and self.live_total:
            live_total = self.live_total  # a search keystroke does not change the roster
        else:
            live_total = roster.count_creators(connection, False)
        cursor = 0
        if keep_id is not None:
            position = view.position_of(connection, keep_id)
            cursor = position if position is not None else 0
        page = cursor // PAGE_SIZE
        pages = {page: view.page(connection, page * PAGE_SIZE, PAGE_SIZE)}
        archived_any = live_total == 0 and roster.count_creators(connection) > 0
        return live_total, total, pages, cursor, archived_any

    @work(
        exit_on_error=False, thread=True, exclusive=True, group="roster", name="Loading the roster"
    )
    def load_roster(self, generation: int, view: roster.RosterQuery, keep_id: int | None) -> None:
        worker = get_current_worker()
        searching = bool(view.search)
        with self.app.reading() as connection:
            # A search keystroke counts only as far as it must to draw the first page; the
            # exact number of matches follows (a one-letter search can match 100,000).
            upto = COUNT_FIRST if searching else None
            shown = self._read_view(connection, view, keep_id, upto)
            if worker.is_cancelled:
                return
            self.app.call_from_thread(self._show_roster, generation, view, *shown)
        if searching and shown[1] >= COUNT_FIRST and not worker.is_cancelled:
            self.app.call_from_thread(self.count_exactly, generation, view)

    @work(exit_on_error=False, thread=True, exclusive=True, group="count", name="Counting")
    def count_exactly(self, generation: int, view: roster.RosterQuery) -> None:
        """The exact number of matches of a broad search, after its first page was drawn."""
        worker = get_current_worker()
        with self.app.reading() as connection:
            total = view.count(connection)
        if not worker.is_cancelled:
            self.app.call_from_thread(self._show_total, generation, total)

    def _show_total(self, generation: int, total: int) -> None:
        """The exact number of matches, after the first page was drawn."""
        if self.is_attached and generation == self.generation:
            self.roster_list.set_total(generation, total)
            self._update_status(total)

    def _show_roster(
        self,
        generation: int,
        view: roster.RosterQuery,
        live_total: int,
        total: int,
        pages: dict[int, list[roster.RosterRow]],
        cursor: int,
        archived_any: bool,
    ) -> None:
        if not self.is_attached:  # closed before its worker finished
            return
        if generation != self.generation:
            return
        self.live_total = live_total
        self._totals_fresh = True
        empty = live_total == 0 and not view.archived and not archived_any
        self.set_class(empty, "-empty")
        if empty:
            where = escape(printable(self.database.describe()))  # a path may hold "[" or "\x1b"
            self.query_one("#empty", Static).update(EMPTY_TEXT.format(db=where))
        roster_list = self.roster_list
        roster_list.empty_text = self._empty_text(view)
        roster_list.reset(generation, total, pages, cursor, view.sort)
        self._update_status(total, counting=bool(view.search) and total >= COUNT_FIRST)
        self.query_one("#detail").display = total > 0
        if total == 0:
            self.creator_id = None
        self.refresh_bindings()
        if generation == 1:
            self.call_after_refresh(self.app.first_frame_shown)

    def _empty_text(self, view: roster.RosterQuery) -> str:
        if view.search:
            return f"Nothing matches “{view.search}”."
        if view.archived:
            return "The archive is empty."
        if view.niche or view.tag:
            return "No creator has this niche or tag."
        return "No creators."

    def _update_status(self, total: int, counting: bool = False) -> None:
        view = self.view
        filtered = bool(view.search or view.niche or view.tag)
        shown = f"{total:,}+" if counting else f"{total:,}"  # "+": still counting
        if view.archived:
            count = f"Archive: {shown}"
        elif filtered:
            count = f"{shown}/{self.live_total:,}"
        else:
            count = shown
        detail = view.describe().removeprefix("archived · ").removeprefix("archived")
        status = self.query_one("#roster-status", Static)
        text = Text(f"{count} · {detail}".rstrip(" ·"))
        # The line may wrap (height auto): the screen is laid out again only when the number
        # of lines changes, not on every keystroke's new count.
        width = status.content_size.width
        lines = len(text.wrap(self.app.console, width)) if width else 0
        status.update(text, layout=not lines or lines != self._status_lines)
        self._status_lines = lines

    @on(RosterList.PageNeeded)
    def page_needed(self, event: RosterList.PageNeeded) -> None:
        if event.generation == self.generation:
            self.load_page(event.generation, self.view, event.page)

    @work(exit_on_error=False, thread=True, group="pages", name="Loading a page of the roster")
    def load_page(self, generation: int, view: roster.RosterQuery, page: int) -> None:
        with self.app.reading() as connection:
            rows = view.page(connection, page * PAGE_SIZE, PAGE_SIZE)
        self.app.call_from_thread(self.roster_list.add_page, generation, page, rows)

    def _search_typed(self, value: str) -> None:
        """The search box's text changed (a watcher: called as the key is handled, before
        Textual draws the typed character, so the character and its result share a frame)."""
        search = value.strip()
        if search == self.view.search:
            return
        self.view = replace(self.view, search=search)
        self._read_inline()

    @on(Input.Submitted, "#search")
    def search_submitted(self) -> None:
        self.roster_list.focus()

    @on(RosterList.Highlighted)
    def creator_highlighted(self, event: RosterList.Highlighted) -> None:
        if event.creator_id != self.creator_id:
            self.creator_id = event.creator_id
            self.refresh_bindings()
            self._cancel_panel_timer()
            if self.query_one("#search", Input).has_focus:
                self._panel_timer = self.set_timer(
                    PANEL_AFTER_TYPING_S, partial(self._load_highlighted, event.creator_id)
                )
            else:
                # After the list is drawn: the panel's update (and its layout) would otherwise
                # go first and hold back the frame that shows where the cursor is.
                self.call_after_refresh(self._load_highlighted, event.creator_id)

    @on(Input.Blurred, "#search")
    def search_left(self) -> None:
        """Out of the search box (Enter, Escape, Tab): the panel typing held back, now."""
        if self._panel_timer is not None and self.creator_id is not None:
            self._cancel_panel_timer()
            self._load_highlighted(self.creator_id)

    def _cancel_panel_timer(self) -> None:
        if self._panel_timer is not None:
            self._panel_timer.stop()
            self._panel_timer = None

    def _load_highlighted(self, creator_id: int) -> None:
        self._panel_timer = None
        if creator_id == self.creator_id and self.is_attached:
            self.load_creator(creator_id)

    @on(RosterList.Selected)
    def creator_selected(self, event: RosterList.Selected) -> None:
        self.action_focus_campaigns()

    def jump_to(self, creator_id: int, archived: bool = False) -> None:
        """Show `creator_id` in the roster, clearing whatever hides it."""
        self.roster_list.focus()
        if self.view.archived == archived and self.roster_list.move_to(creator_id):
            return
        search = self.query_one("#search", Input)
        with search.prevent(Input.Changed):
            search.value = ""
        # What hides it may be team mode's own-roster view: then what the role allows.
        self.app.team_everything = True
        owner, unassigned = self.app.team_scope()
        self._show_view(
            roster.RosterQuery(
                sort=self.view.sort, archived=archived, manager_id=owner, unassigned=unassigned
            )
        )
        self.reload(keep_id=creator_id, fresh_totals=True)

    # ---- one creator --------------------------------------------------------------------

    @work(
        exit_on_error=False,
        thread=True,
        exclusive=True,
        group="creator",
        name="Loading the creator",
    )
    def load_creator(self, creator_id: int) -> None:
        """The stats panel first (plain reads, ready from the first frame), then the
        campaigns (through the ORM, which may still be loading just after start)."""
        worker = get_current_worker()
        today = self.app.today
        with self.app.reading() as connection:
            try:
                profile = roster.profile(connection, creator_id)
            except roster.CreatorNotFound:
                return
        if worker.is_cancelled:
            return
        self.app.call_from_thread(self._show_profile, profile)
        database = self.database  # after the first frame (see TalentApp.database)
        with self.app.imports:  # see TalentApp.imports
            from talent_tui.services import campaigns

        with database.session() as session:
            rows = campaigns.by_tab(session, creator_id, today)
        if not worker.is_cancelled:
            self.app.call_from_thread(self._show_campaigns, creator_id, rows)

    def _show_profile(self, profile: roster.CreatorProfile) -> None:
        if not self.is_attached or profile.id != self.creator_id:
            return  # closed, or the cursor moved on while this was loading
        self.query_one(StatsPanel).show(profile)

    async def _show_campaigns(self, creator_id: int, rows: dict) -> None:  # type: ignore[type-arg]
        if not self.is_attached or creator_id != self.creator_id:
            return
        await self.query_one(CampaignTabs).show(rows)
        self._campaigns_of = creator_id
        self.app.release_keys(CampaignTabs)

    def _hold_keys_for_campaigns(self) -> None:
        """Keys for the campaign list wait until it shows the highlighted creator's campaigns
        ("/haneul" Enter Enter Enter typed at once opened a deal of the creator before)."""
        if self.creator_id is not None and self._campaigns_of != self.creator_id:
            self.app.hold_keys(CampaignTabs)

    @on(Worker.StateChanged)
    def _creator_loaded(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "creator" and event.state is WorkerState.ERROR:
            self.app.release_keys(CampaignTabs)  # nothing more will come (it was reported)

    @on(DataTable.RowSelected)
    def campaign_chosen(self, event: DataTable.RowSelected) -> None:
        if isinstance(event.data_table, CampaignTable) and event.row_key.value is not None:
            self.open_campaign(int(event.row_key.value))

    def open_campaign(self, campaign_id: int) -> None:
        with self.app.imports:  # see TalentApp.imports
            from talent_tui.screens.campaign import CampaignScreen

        self.app.push_screen(CampaignScreen(campaign_id))

    def on_screen_resume(self) -> None:
        # Back from a campaign, the deal flow or a form: show what may have changed.
        self._follow_team_view()  # `w` may have been pressed on another screen
        if self.creator_id is not None:
            self.load_creator(self.creator_id)

    def action_deal_flow(self) -> None:
        with self.app.imports:  # see TalentApp.imports
            from talent_tui.screens.dealflow import DealFlowScreen

        self.app.push_screen(DealFlowScreen())

    def action_affiliates(self) -> None:
        with self.app.imports:  # see TalentApp.imports
            from talent_tui.screens.affiliates import AffiliatesScreen

        self.app.push_screen(AffiliatesScreen())

    def action_metrics(self) -> None:
        if self.creator_id is None:
            return
        with self.app.imports:  # see TalentApp.imports
            from talent_tui.screens.metrics import MetricsScreen

        self.app.push_screen(MetricsScreen(self.creator_id))

    def action_media_kit(self) -> None:
        if self.creator_id is None:
            return
        with self.app.imports:  # see TalentApp.imports
            from talent_tui.io import render
            from talent_tui.screens.document import DocumentScreen
            from talent_tui.services import reports

        creator_id, today, app = self.creator_id, self.app.today, self.app

        def produce(fmt: str) -> str:
            with app.database.session() as session:
                return render.media_kit(reports.media_kit(session, creator_id, today), fmt)

        renderers = {fmt: (lambda f=fmt: produce(f)) for fmt in render.MEDIA_KIT_FORMATS}
        name = f"mediakit-{self._file_stem(creator_id)}.html"
        self.app.push_screen(DocumentScreen("media kit", renderers, name))

    def action_report(self) -> None:
        if self.creator_id is None:
            return
        with self.app.imports:  # see TalentApp.imports
            from talent_tui.io import render
            from talent_tui.screens.document import DocumentScreen
            from talent_tui.services import reports

        creator_id, today, app = self.creator_id, self.app.today, self.app

        def produce(fmt: str) -> str:
            with app.database.session() as session:
                report = reports.build_report(session, today, creator_id=creator_id)
            return render.report(report, fmt)

        renderers = {fmt: (lambda f=fmt: produce(f)) for fmt in render.REPORT_FORMATS}
        name = f"report-{self._file_stem(creator_id)}.html"
        self.app.push_screen(DocumentScreen("creator report", renderers, name))

    def _file_stem(self, creator_id: int) -> str:
        """Whose a document is, for its file name: the creator's handle (or name)."""
        row = self.roster_list.current
        if row is None or row.id != creator_id:
            return str(creator_id)
        return file_stem(row.tiktok_handle or row.name, fallback=str(creator_id))

    def action_brand_fit(self) -> None:
        with self.app.imports:  # see TalentApp.imports
            from talent_tui.screens.fit import FitScreen

        self.app.push_screen(FitScreen())

    def action_brands(self) -> None:
        with self.app.imports:  # see TalentApp.imports
            from talent_tui.screens.brands import BrandsScreen

        self.app.push_screen(BrandsScreen())

    def action_new_offer(self) -> None:
        """A new incoming offer for the creator under the cursor; once saved, the campaign
        list shows it highlighted in its tab."""
        if self.creator_id is None:
            return
        with self.app.imports:  # see TalentApp.imports
            from talent_tui.screens.offer_form import OfferForm

        creator_id = self.creator_id

        def saved(campaign_id: int | None) -> None:
            if campaign_id is not None:
                self.notify("Offer recorded")
                self.reload(keep_id=creator_id, fresh_totals=True)  # its open-deal count
                self.show_new_campaign(creator_id, campaign_id)

        self.app.push_screen(OfferForm(creator_id), saved)

    @work(exit_on_error=False, thread=True, group="new-offer", name="Showing the new offer")
    def show_new_campaign(self, creator_id: int, campaign_id: int) -> None:
        with self.app.imports:  # see TalentApp.imports
            from talent_tui.services import campaigns

        with self.database.session() as session:
            rows = campaigns.by_tab(session, creator_id, self.app.today)
        self.app.call_from_thread(self._highlight_campaign, creator_id, campaign_id, rows)

    async def _highlight_campaign(self, creator_id: int, campaign_id: int, rows: dict) -> None:  # type: ignore[type-arg]
        if not self.is_attached or creator_id != self.creator_id:
            return
        await self._show_campaigns(creator_id, rows)
        tab = next(
            (t for t, found in rows.items() if any(r.id == campaign_id for r in found)), None
        )
        if tab is None:
            return
        tabs = self.query_one(CampaignTabs)
        tabs.focus_table(tab)
        table = tabs.table(tab)
        table.move_cursor(row=table.get_row_index(str(campaign_id)), animate=False)

    def action_interactions(self) -> None:
        if self.creator_id is None:
            return
        with self.app.imports:  # see TalentApp.imports
            from talent_tui.screens.interactions import InteractionsScreen

        self.app.push_screen(InteractionsScreen(creator_id=self.creator_id))

    # ---- navigation ---------------------------------------------------------------------

    def action_focus_search(self) -> None:
        search = self.query_one("#search", Input)
        if self.focused is search:  # (has_focus lags until the widget sees its Focus event)
            raise SkipAction()  # a slash typed in the search box is text: the box gets the key
        self.set_focus(search)  # now, not after the keys already on their way (as focus() would)

    def action_leave_search(self) -> None:
        if self.focused is not self.query_one("#search", Input):
            raise SkipAction()  # Enter on the lists: theirs
        self.set_focus(self.roster_list)

    def action_focus_roster(self) -> None:
        self.roster_list.focus()

    def action_focus_campaigns(self) -> None:
        self._hold_keys_for_campaigns()
        self.query_one(CampaignTabs).focus_table()

    def action_show_tab(self, tab: str) -> None:
        self._hold_keys_for_campaigns()
        self.query_one(CampaignTabs).focus_table(Tab(tab))

    def action_escape(self) -> None:
        search = self.query_one("#search", Input)
        if self.view.archived and self.roster_list.has_focus:
            self.action_toggle_archive()  # Escape on the archive's list: back to the roster
            return
        if search.has_focus and search.value:
            keep = self.creator_id
            with search.prevent(Input.Changed):
                search.value = ""
            self.view = replace(self.view, search="")
            self.reload(keep_id=keep)  # back to the full list, still on the creator you found
        self.roster_list.focus()

    # ---- sort, filter, archive view -----------------------------------------------------

    def action_cycle_sort(self) -> None:
        self.view = replace(self.view, sort=self.view.sort.next())
        self.notify(f"Sorted by {self.view.sort.label}", timeout=2)
        self._read_inline(keep_id=self.creator_id)

    def action_filter(self) -> None:
        with self.app.imports:  # see TalentApp.imports
            from talent_tui.screens.filter import FilterScreen

        def apply(choice: Choice | None) -> None:
            if choice is None:
                return
            kind, value = choice
            if kind == "niche":
                self.view = replace(self.view, niche=value, tag=None)
            elif kind == "tag":
                self.view = replace(self.view, tag=value, niche=None)
            else:
                self.view = replace(self.view, niche=None, tag=None)
            self.reload(keep_id=self.creator_id)
            self.roster_list.focus()

        self.app.push_screen(FilterScreen(), apply)

    def _show_view(self, view: roster.RosterQuery) -> None:
        """Switch to `view`; the title, the screen's class and the footer follow it."""
        if view.archived != self.view.archived:
            # Undo of an archiving lasts until the view changes: in the archive, u restores
            # the creator under the cursor; back in the roster, there is nothing to undo.
            self.last_archived = None
        self.view = view
        # Back in the roster, the app's subtitle (the database's name) again: None, as ""
        # would replace it with nothing.
        self.sub_title = f"{self.app.sub_title} · archive" if view.archived else None
        self.set_class(view.archived, "-archive")
        self.refresh_bindings()

    def action_toggle_archive(self) -> None:
        self.creator_id = None
        self._show_view(replace(self.view, archived=not self.view.archived))
        self.reload()
        self.roster_list.focus()

    # ---- changes ------------------------------------------------------------------------

    def action_add(self) -> None:
        with self.app.imports:  # see TalentApp.imports
            from talent_tui.screens.forms import CreatorForm

        def added(creator_id: int | None) -> None:
            if creator_id is not None:
                self.notify("Creator added")
                self.jump_to(creator_id)

        self.app.push_screen(CreatorForm(), added)

    def action_edit(self) -> None:
        with self.app.imports:  # see TalentApp.imports
            from talent_tui.screens.forms import CreatorForm

        if self.creator_id is None:
            return
        creator_id = self.creator_id

        def edited(saved: int | None) -> None:
            if saved is not None:
                self.notify("Saved")
                self.reload(keep_id=creator_id, fresh_totals=True)
                self.load_creator(creator_id)

        self.app.push_screen(CreatorForm(creator_id), edited)

    def action_rates(self) -> None:
        with self.app.imports:  # see TalentApp.imports
            from talent_tui.screens.rates import RateEditor

        if self.creator_id is None:
            return
        creator_id = self.creator_id

        def closed(changed: bool | None) -> None:
            if changed:
                self.load_creator(creator_id)

        self.app.push_screen(RateEditor(creator_id), closed)

    def action_archive(self) -> None:
        if self.creator_id is not None and not self.view.archived:
            self.set_archived(self.creator_id, True)

    def action_restore(self) -> None:
        if self.view.archived and self.creator_id is not None:
            self.set_archived(self.creator_id, False)
        elif self.last_archived is not None:
            self.set_archived(self.last_archived[0], False)

    @work(
        exit_on_error=False,
        thread=True,
        exclusive=True,
        group="change",
        name="Archiving or restoring",
    )
    def set_archived(self, creator_id: int, archived: bool) -> None:
        with self.app.imports:  # see TalentApp.imports
            from talent_tui.services import creators

        with self.database.transaction() as session:
            if archived:
                name = creators.archive(session, creator_id).name
            else:
                name = creators.restore(session, creator_id).name
        self.app.call_from_thread(self._archived_changed, creator_id, name, archived)

    def _archived_changed(self, creator_id: int, name: str, archived: bool) -> None:
        next_id = self._neighbour_of(creator_id)
        if archived:
            self.last_archived = (creator_id, name)
            self.notify(escape(printable(f"Archived {name}. Press u to undo.")), timeout=8)
            self.reload(keep_id=next_id, fresh_totals=True)
        else:
            if self.last_archived and self.last_archived[0] == creator_id:
                self.last_archived = None
            self.notify(escape(printable(f"Restored {name}.")))
            if self.view.archived:
                self.reload(keep_id=next_id, fresh_totals=True)
            else:
                self.reload(keep_id=creator_id, fresh_totals=True)
        self.refresh_bindings()

    def _neighbour_of(self, creator_id: int) -> int | None:
        """The creator the cursor should land on when `creator_id` leaves the list."""
        roster_list = self.roster_list
        index = roster_list.index_of(creator_id)
        if index is None:
            return None
        for candidate in (index + 1, index - 1):
            row = roster_list.row_at(candidate)
            if row is not None:
                return row.id
        return None

    def action_delete(self) -> None:
        if self.creator_id is None or not self.view.archived:
            return
        self.ask_delete(self.creator_id)

    @work(
        exit_on_error=False,
        thread=True,
        exclusive=True,
        group="change",
        name="Checking the creator can be deleted",
    )
    def ask_delete(self, creator_id: int) -> None:
        with self.app.imports:  # see TalentApp.imports
            from talent_tui.services import creators

        with self.database.session() as session:
            summary = creators.deletable(session, creator_id)
        self.app.call_from_thread(self._confirm_delete, creator_id, summary)

    def _confirm_delete(self, creator_id: int, summary: creators.DeleteSummary) -> None:
        with self.app.imports:  # see TalentApp.imports
            from talent_tui.screens.forms import ConfirmScreen

        def answered(yes: bool | None) -> None:
            if yes:
                self.delete_creator(creator_id)

        question = printable(f"Delete {summary.name} for good?")
        detail = (
            f"This removes {summary.campaigns} campaign(s), {summary.rates} rate(s) and all "
            "metrics. It cannot be undone."
        )
        self.app.push_screen(ConfirmScreen(question, detail), answered)

    @work(
        exit_on_error=False,
        thread=True,
        exclusive=True,
        group="change",
        name="Deleting a creator for good",
    )
    def delete_creator(self, creator_id: int) -> None:
        with self.app.imports:  # see TalentApp.imports
            from talent_tui.services import creators

        with self.database.transaction() as session:
            summary = creators.delete(session, creator_id)
        self.app.call_from_thread(self._deleted, creator_id, summary.name)

    def _deleted(self, creator_id: int, name: str) -> None:
        self.notify(escape(printable(f"Deleted {name}.")))
        if self.last_archived and self.last_archived[0] == creator_id:
            self.last_archived = None  # nothing to restore any more
        self.creator_id = None
        self.reload(keep_id=self._neighbour_of(creator_id), fresh_totals=True)
