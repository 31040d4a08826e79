"""The Textual application: one database, the main screen, help and the command palette.

Start-up is built for the first frame: the app can start on a `handle.DatabaseFile` (a
current SQLite file, read through the stdlib driver) or a `handle.DatabaseServer` (a current
PostgreSQL database, read through plain psycopg as the URL's login), paint the roster and the highlighted
creator from it, and only then open the database through SQLAlchemy in a worker, expire
overdue offers and import the other screens' modules, so a key pressed a moment later opens
its screen at once. Nothing on the path to the first frame imports SQLAlchemy, SQLModel,
Alembic, Typer, plotext or Markdown (tests/test_startup.py checks it).
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import select
import sys
import threading
import weakref
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import date
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from textual import events, work
from textual.app import App
from textual.binding import Binding
from textual.message_pump import MessagePump
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input
from textual.worker import Worker, WorkerState

from talent_tui import failures
from talent_tui.commands import CreatorCommands, TalentPalette
from talent_tui.core import dates
from talent_tui.core.config import settings
from talent_tui.failures import Guarded
from talent_tui.messages import DataChanged, JumpToCreator
from talent_tui.screens.main import MainScreen
from talent_tui.store.sqlitefile import ReadTooLong
from talent_tui.store.watch import DatabaseMissing, missing_message

if TYPE_CHECKING:
    from sqlmodel import Session
    from textual.notifications import Notify, SeverityLevel

    from talent_tui.store.db import Database
    from talent_tui.store.handle import DatabaseFile, DatabaseServer

# How long a worker that needs the ORM waits for the first frame before it goes ahead anyway.
FIRST_FRAME_WAIT_S = 3.0
# How long a screen's first read may take on the UI thread (see TalentApp.read_now): a deal
# reads in 5-20 ms; past this, a worker would not answer sooner either, but the screen must
# not look frozen.
SCREEN_READ_S = 0.15

T = TypeVar("T")

# Keys are never held longer than this (a screen that never says it is ready, a load that
# never ends): after it they are delivered as they are.
HOLD_AT_MOST_S = 5.0

# How long a confirmation ("Saved", "Creator added") shows, and at most (one with a key to
# press, "Archived … Press u to undo.", asks for longer).
NOTICE_S = 3.0
NOTICE_MAX_S = 8.0

# How often the app checks that its terminal is still there (see _watch_terminal).
TERMINAL_CHECK_S = 1.0

# What the other screens need, imported in the background once the first frame is up.
WARM_MODULES = (
    "talent_tui.screens.help",
    "talent_tui.screens.dealflow",
    "talent_tui.screens.campaign",
    "talent_tui.screens.metrics",
    "talent_tui.screens.forms",
    "talent_tui.screens.rates",
    "talent_tui.screens.filter",
    "talent_tui.screens.interactions",
    "talent_tui.screens.fit",
    "talent_tui.screens.document",
    "talent_tui.services.campaigns",
    "talent_tui.services.creators",
    "talent_tui.services.deals",
    "talent_tui.services.reports",
    "talent_tui.io.render",
)


class TalentApp(Guarded, App[None]):
    CSS_PATH = "app.tcss"
    # Notices: one at a time (see notify), a line or two, not a box over the table.
    CSS = """
    Toast {
        width: auto;
        max-width: 70%;
        padding: 0 1;
        margin-top: 0;
    }
    """
    TITLE = "talent"
    COMMANDS = App.COMMANDS | {CreatorCommands}
    COMMAND_PALETTE_DISPLAY = "^p"
    BINDINGS = [
        Binding("q", "quit", "Quit"),
        Binding("question_mark,f1", "help", "Help", key_display="?"),
        # Priority, so focus moves before the next key is delivered: text typed right after
        # Tab (a script, tmux, a fast typist) lands in the next field on every screen.
        Binding("tab", "focus_next", "Next field", show=False, priority=True),
        Binding("shift+tab", "focus_previous", "Previous field", show=False, priority=True),
    ]

    def __init__(
        self,
        database: Database | DatabaseFile | DatabaseServer,
        *,
        today: date | None = None,
        actor: str | None = None,
    ) -> None:
        super().__init__()
        # What went wrong and was reported, oldest first (see failures.report); tests read it.
        self.failures: list[tuple[str, BaseException]] = []
        self._handle: Database | DatabaseFile | DatabaseServer = database
        self._opened: Database | None = None if database.quick else database.open()
        # Held while a module is imported after start (the ORM, services, screens): one thread
        # imports at a time. Two threads importing the same packages at once can be handed a
        # partially initialised module (importlib's deadlock avoidance, SQLAlchemy's import
        # cycles). The background warm-up takes it per module; every lazy import in the main
        # screen and in workers takes it too (`with self.app.imports:`).
        self.imports = threading.RLock()
        self.frame_shown = threading.Event()  # the first frame with the roster is up
        self._early_keys: list[events.Key] | None = []  # until the main screen is built
        # Keys held back until the screen they are for can take them (see _must_hold), in the
        # order they came; what holds them; the screens that have settled since they opened.
        self._held_keys: list[events.Key | events.Paste] = []
        self._holds: set[object] = set()
        self._firm_holds: set[object] = set()  # not ended by HOLD_AT_MOST_S (a form saving)
        self._settled: weakref.WeakSet[Screen[Any]] = weakref.WeakSet()
        self._hold_timer: Timer | None = None
        self._today = today
        self.actor = actor or settings().actor
        # Team mode (issue 17): who acts (the main screen finds out, services.team.acting),
        # and the one "mine / all" choice every list screen follows (`w` flips it anywhere).
        self.acting: Any = None
        self.team_everything = False
        path = database.path
        self.sub_title = path.name if path is not None else database.describe()

    @property
    def database(self) -> Database:
        """The open database, for every write and the ORM's reads; opened on first use if the
        background opening has not finished yet (a worker then waits for it). While its file
        is gone from its path (deleted or moved away under the app) this refuses with
        `DatabaseMissing`: a pooled connection would write into the deleted file, a new one
        would make an empty file with no tables there. The main screen's watcher says so,
        and reopens a file put back."""
        self._refuse_missing()
        if self._opened is None:
            if threading.current_thread() is not threading.main_thread():
                # A worker that needs the ORM lets the first frame be painted first (the
                # import would compete with it); it then opens the database, or waits for
                # the background opening to finish.
                self.frame_shown.wait(FIRST_FRAME_WAIT_S)
            with self.imports:
                if self._opened is None:
                    self._opened = self._handle.open()
        return self._opened

    def reading(self, within_s: float | None = None) -> AbstractContextManager[Any]:
        """One read transaction for the roster's plain-SQL reads (see `services.roster`):
        available from the first frame, before SQLAlchemy is loaded. With `within_s` the read
        is stopped (`ReadTooLong`) if it runs longer: for reads on the UI thread."""
        self._refuse_missing()
        return (self._opened or self._handle).reading(within_s)

    def read_now(self, read: Callable[[Session], T], within_s: float = SCREEN_READ_S) -> T:
        """`read(session)` here, on the UI thread, for a screen's first view: done before the
        screen's first frame, the frame shows the data, where a worker's answer comes a frame
        or two later and lays the screen out again. Refused (`ReadTooLong`) while the
        database is still being opened in the background, or when the read runs past
        `within_s`; the screen then asks a worker, which also reports any other failure."""
        self._refuse_missing()
        if self._opened is None:
            raise ReadTooLong("the database is still being opened")
        with self._opened.session_within(within_s) as session:
            return read(session)

    def _refuse_missing(self) -> None:
        path = self._handle.path
        if path is not None and not path.exists():
            raise DatabaseMissing(missing_message(path))

    @property
    def database_handle(self) -> Database | DatabaseFile | DatabaseServer:
        """The database even while its file is missing (for the watcher)."""
        return self._opened or self._handle

    def use_database(self, database: Database) -> None:
        """Work on `database` from now on (the file at the same path, replaced under the app);
        the old handle is closed. Screens read `app.database` each time, so they follow."""
        with self.imports:
            old = self._opened
            self._handle = self._opened = database
        if old is not None:
            old.dispose()

    def first_frame_shown(self) -> None:
        """The roster is on screen: open the database fully and warm the other screens, in
        the background. Garbage collection, held off during start-up, resumes."""
        if self.frame_shown.is_set():
            return
        self.frame_shown.set()
        gc.freeze()  # see _open_in_background
        gc.enable()
        self._open_in_background()
        self._watch_terminal()

    def _watch_terminal(self) -> None:
        """End the app when its terminal goes away. A terminal that closes normally sends
        SIGHUP, but a pty whose other end is closed without one (a killed terminal emulator
        or multiplexer, a dropped pipe) leaves the input at end-of-file, and Textual's input
        thread then spins on it at full CPU forever. poll() sees the hang-up without reading
        (the input thread owns the reads)."""
        if self.is_headless:
            return
        try:
            poller = select.poll()
            poller.register(sys.__stdin__.fileno(), select.POLLIN)  # type: ignore[union-attr]
        except (AttributeError, OSError, ValueError):
            return  # no terminal to watch (stdin closed or not a file)
        self.set_interval(TERMINAL_CHECK_S, partial(self._check_terminal, poller))

    def _check_terminal(self, poller: select.poll) -> None:
        gone = select.POLLHUP | select.POLLERR | select.POLLNVAL
        if any(mask & gone for _fd, mask in poller.poll(0)):
            try:
                failures.log_file()
                failures.logger.warning("the terminal went away; talent is closing")
            except OSError:
                pass
            self.exit(return_code=1)

    @work(thread=True, exit_on_error=False, group="open", name="Opening the database")
    def _open_in_background(self) -> None:
        database = self.database
        with self.imports:
            from talent_tui.services import deals
        # Offers past their respond-by date expire when the app opens the database (never
        # waiting for another process that is writing: the next start does it then).
        expired = deals.expire_on_open(database, self.today)
        if expired:
            self.call_from_thread(self._expired, len(expired))
        for name in WARM_MODULES:  # one at a time: a waiting worker or key goes in between
            with self.imports:
                importlib.import_module(name)
        # What start-up and these imports made lives as long as the app (modules, classes,
        # compiled statements, the widget tree): out of the collector's way, so a full
        # collection does not walk it again and again (it took ~50 ms, often inside the next
        # screen's opening).
        gc.freeze()

    def on_unmount(self) -> None:
        """The app is closing: what was frozen out of the collector's way (see
        _open_in_background) can be collected again (many apps run in one test process)."""
        gc.unfreeze()

    def _expired(self, count: int) -> None:
        self.notify(f"{count} offer(s) passed their respond-by date and expired.", timeout=6)
        self.post_message(DataChanged())

    @property
    def today(self) -> date:
        """The date deadlines are measured from (fixed in tests and snapshots)."""
        return self._today or dates.today()

    def _handle_exception(self, error: Exception) -> None:
        """Something escaped every guard (an exception inside Textual itself): log it, then
        let Textual end the app with exit code 1; `launch` prints where the log is."""
        failures.log_escape(error)
        self.failures.append(("the app", error))
        super()._handle_exception(error)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and self._early_keys is not None:
            # The main screen is not built yet (it is the app's first screen): keep the key
            # and press it once it is (see keys_ready), so nothing typed at once is lost.
            self._early_keys.append(event)
            return
        if isinstance(event, (events.Key, events.Paste)) and not event.is_forwarded:
            # (A paste waits behind held keys too: typed, then pasted, it lands in that order.)
            if self._held_keys or self._must_hold():
                self._held_keys.append(event)
                self._start_hold_timer()
                with contextlib.suppress(Exception):  # no screen (closing)
                    told = getattr(self.screen, "key_held", None)
                    if told is not None and isinstance(event, events.Key):
                        told(event.key)  # the screen may say why it waits (a form saving)
                return
            await self._deliver(event)
            return
        await super().on_event(event)

    async def _deliver(self, event: events.Key | events.Paste) -> None:
        """Deliver a key as Textual does (priority bindings, then the focused widget), and
        hold the next keys until this one has finished its way up to the app."""
        if isinstance(event, events.Paste):
            await super().on_event(event)
            return
        target = self.focused or self.screen
        if self._queue_in_input(event):
            self._follow(target)  # its action (Enter: Submitted) runs in the Input's queue
            return
        await super().on_event(event)
        if event.is_forwarded:  # to the focused widget (or the screen): follow it up
            self._follow(target)

    def _follow(self, target: MessagePump) -> None:
        """Hold the next keys until the key just given to `target` has gone its way."""
        token = object()
        self._holds.add(token)
        self._key_passed(token, target, first=True)

    def keys_ready(self) -> None:
        """The main screen is built: press the keys that arrived before, in their order."""
        early, self._early_keys = self._early_keys, None
        self._settled.add(self.screen)
        for key in early or ():
            self.post_message(events.Key(key.key, key.character))

    # ---- keys typed faster than a screen opens or a focus moves ----------------------------
    #
    # Textual hands a key to the focused widget and goes on with the next key at once; the
    # key's bindings (n opens a form, Enter on a list opens a deal, c focuses the campaign
    # list) run only when it has bubbled back up to the app, by which time the keys typed
    # after it were already given to the old focus (a burst "n" + "Ada" ran roster keys; Tab
    # and text typed into a form just opened went nowhere or to the wrong field). So each key
    # is handled before the next is delivered, and keys are held, in order, while:
    # - a key is on its way (from the focused widget up to the app);
    # - the active screen has not yet handled what it was sent on opening (compose, mount,
    #   resume: where its focus is set);
    # - something asked them to wait (`hold_keys`: a form loading what it edits).

    @property
    def keys_pending(self) -> bool:
        """Whether a key is held or still on its way (tests wait for this to be False)."""
        return bool(self._held_keys or self._holds or self._early_keys)

    def hold_keys(self, token: object, *, firm: bool = False) -> None:
        """Hold the keys that arrive from now on until `release_keys(token)`. A `firm` hold
        (a form saving: its keys must not reach the form while it saves) outlasts
        HOLD_AT_MOST_S; its holder releases it however its work ends."""
        self._holds.add(token)
        if firm:
            self._firm_holds.add(token)

    def hold_keys_for(self, workers: list[Worker[Any]]) -> None:
        """Hold the keys until these workers have ended (a screen's re-read after a form
        saved: a key typed after Ctrl+S acts on what the screen shows once read again).
        Never longer than HOLD_AT_MOST_S, as any hold."""
        running = [w for w in workers if w.state in (WorkerState.PENDING, WorkerState.RUNNING)]
        if not running:
            return
        token = object()
        self.hold_keys(token)

        async def release_when_done() -> None:
            try:
                for worker in running:
                    with contextlib.suppress(Exception):  # failed or cancelled: ended too
                        await worker.wait()
            finally:
                self.release_keys(token)

        self.run_worker(
            release_when_done(),
            name="Holding keys for a re-read",
            group="keys",
            exit_on_error=False,
        )

    def drop_held_keys(self) -> int:
        """Forget the keys held now (typed ahead on an outcome that did not come: a save
        refused); how many."""
        dropped = len(self._held_keys)
        self._held_keys.clear()
        self._stop_hold_timer()
        return dropped

    def take_leading_held(self, keys: set[str]) -> list[str]:
        """Take the held presses of `keys` that come first, before any other key, out of the
        held keys: they were meant for what held them (Esc and Ctrl+S typed while a form
        saved, before anything meant for the next screen). The keys taken, in order."""
        taken = []
        while self._held_keys:
            event = self._held_keys[0]
            if not isinstance(event, events.Key) or event.key not in keys:
                break
            taken.append(self._held_keys.pop(0).key)  # type: ignore[union-attr]
        return taken

    def release_keys(self, token: object) -> None:
        """`token` no longer needs keys held; once nothing does, the held keys are delivered."""
        self._holds.discard(token)
        self._firm_holds.discard(token)
        if not self._holds and self._held_keys:
            self.call_later(self._deliver_held)

    def _key_passed(
        self, token: object, node: MessagePump | None, first: bool = False, again: bool = True
    ) -> None:
        """Follow a delivered key up: run in each node's queue after the key (if it got
        there), then in its parent's, up to the app, where its bindings run. Then once more
        from the focused widget up, after what the key's action posted there on its way up
        (a list's Selected message, whose handler moves the focus): then it is done."""
        if node is None or node is self:
            self.release_keys(token)
            return
        after = node if first else node.parent or self
        if after is self:  # the key's (or its messages') last stop
            if again:
                follow = partial(self._follow_again, token)
                if self.call_later(follow):
                    return
            elif self.call_later(self.release_keys, token):
                return
            self.release_keys(token)
        elif not after.call_later(self._key_passed, token, after, False, again):
            self.release_keys(token)  # closed (the key closed its screen): nothing follows

    def _follow_again(self, token: object) -> None:
        try:
            start: MessagePump = self.focused or self.screen
        except Exception:  # noqa: BLE001 - no screen (closing)
            self.release_keys(token)
            return
        self._key_passed(token, start, first=True, again=False)

    def _must_hold(self) -> bool:
        """Whether a key arriving now must wait (see above)."""
        if self._holds:
            return True
        try:
            screen = self.screen
        except Exception:  # noqa: BLE001 - no screen (closing): deliver as Textual does
            return False
        if screen in self._settled:
            return False
        if not screen.call_later(self._screen_settled, screen):
            return False  # its queue is closed: nothing to wait for
        self._holds.add(screen)
        return True

    def _screen_settled(self, screen: Screen[Any]) -> None:
        """Run by `screen` after what it was sent on opening: it has its focus now."""
        self._settled.add(screen)
        self.release_keys(screen)

    async def _deliver_held(self) -> None:
        while self._held_keys and not self._must_hold():
            await self._deliver(self._held_keys.pop(0))
        if not self._held_keys:
            self._stop_hold_timer()

    def _start_hold_timer(self) -> None:
        if self._hold_timer is None:
            self._hold_timer = self.set_timer(HOLD_AT_MOST_S, self._hold_expired)

    def _stop_hold_timer(self) -> None:
        if self._hold_timer is not None:
            self._hold_timer.stop()
            self._hold_timer = None

    def _hold_expired(self) -> None:
        """Held too long (a key's way cut short, a load that never ended): deliver them."""
        self._hold_timer = None
        with contextlib.suppress(Exception):
            self._settled.add(self.screen)
        self._holds &= self._firm_holds
        self.call_later(self._deliver_held)

    def _queue_in_input(self, event: events.Key) -> bool:
        """Run an editing key (Backspace, Delete, arrows, Home, End, Enter…) of the focused
        Input in that Input's own queue, after the characters typed before it.

        Textual delivers typed characters to the Input at once but runs the Input's own key
        bindings only after the key has bubbled back up to the app; keys sent in one burst
        (a script, tmux, a fast typist) then come out of order: "Hello" + Backspace gave
        "Hello" and the next field's text landed first. Queued this way, each key acts in the
        order it was pressed."""
        focused = self.focused
        if not isinstance(focused, Input) or event.is_printable:
            return False
        active = self.screen.active_bindings.get(event.key)
        if active is None or active.node is not focused or active.binding.priority:
            return False  # a priority binding, or the screen's / app's key: as Textual does
        self.app_focus = True
        focused.call_later(self.run_action, active.binding.action, focused)
        return True

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """One notice at a time, and short: a new one replaces the one showing (they stacked
        up over the campaign table); a confirmation ("Saved", "Sorted by name") has no title
        and goes after NOTICE_S (NOTICE_MAX_S at most); a warning or an error stays as long
        as its caller asked, to be read."""
        if severity == "information":
            title = ""
            timeout = min(timeout or NOTICE_S, NOTICE_MAX_S)
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    def _on_notify(self, event: Notify) -> None:
        self._notifications.clear()  # the newest notice replaces the one showing
        super()._on_notify(event)

    def team_scope(self) -> tuple[int | None, bool]:
        """(manager id, with the unassigned) the lists keep, or (None, _): no filter (solo,
        a viewer, someone not on the team); see services.team.Acting.owner_filter."""
        if self.acting is None:
            return None, False
        return self.acting.owner_filter(self.team_everything)  # type: ignore[no-any-return]

    def team_label(self) -> str:
        """What the lists show, for a screen's title: "mine", "mine + unassigned", "all", or
        "" when there is no choice (nobody's own roster here)."""
        if self.acting is None or self.acting.owner_filter(False)[0] is None:
            return ""
        manager_id, unassigned = self.team_scope()
        if manager_id is None:
            return "all"
        return "mine + unassigned" if unassigned else "mine"

    def toggle_team_view(self) -> bool:
        """`w`: flip between the acting person's own rows and all their role allows. False
        (and a notice) when there is nothing to flip."""
        if not self.team_label():
            self.notify(
                "Everyone's are shown: you have no roster of your own here "
                "(team mode: talent team add, talent creators assign).",
                title="Mine / all",
            )
            return False
        self.team_everything = not self.team_everything
        return True

    def get_default_screen(self) -> MainScreen:
        """The main screen is the app's first screen (not pushed over a blank one): its first
        frame is drawn once the app has started, instead of inside Textual's start-up batch,
        where a pushed screen's first full frame was dropped and the roster came a frame late."""
        return MainScreen()

    def on_data_changed(self, _message: DataChanged) -> None:
        """Another process committed: every open screen that shows data reloads it."""
        for screen in self.screen_stack:
            refresh = getattr(screen, "refresh_data", None)
            if callable(refresh):
                refresh()

    def on_jump_to_creator(self, message: JumpToCreator) -> None:
        for screen in reversed(self.screen_stack):
            if isinstance(screen, MainScreen):
                while self.screen is not screen:
                    self.pop_screen()
                screen.jump_to(message.creator_id, message.archived)
                return

    def action_command_palette(self) -> None:
        if self.use_command_palette and not TalentPalette.is_open(self):
            self.push_screen(TalentPalette(id="--command-palette"))

    def action_help(self) -> None:
        with self.imports:
            from talent_tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())
