"""The Textual application: one database, the main screen, help and the command palette."""

from __future__ import annotations

from datetime import date

from textual import events
from textual.app import App
from textual.binding import Binding
from textual.widgets import Input

from talent_tui import failures
from talent_tui.commands import CreatorCommands, TalentPalette
from talent_tui.core import dates
from talent_tui.failures import Guarded
from talent_tui.messages import DataChanged, JumpToCreator
from talent_tui.screens.help import HelpScreen
from talent_tui.screens.main import MainScreen
from talent_tui.services.deals import default_actor
from talent_tui.store.db import Database
from talent_tui.store.watch import DatabaseMissing, missing_message


class TalentApp(Guarded, App[None]):
    CSS_PATH = "app.tcss"
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
        self, database: Database, *, today: date | None = None, actor: str | None = None
    ) -> None:
        super().__init__()
        # What went wrong and was reported, oldest first (see failures.report); tests read it.
        self.failures: list[tuple[str, BaseException]] = []
        self._database = database
        self._today = today
        self.actor = actor or default_actor()
        path = database.path
        self.sub_title = path.name if path is not None else database.describe()

    @property
    def database(self) -> Database:
        """The open database, for every read and write. While its file is gone from its path
        (deleted or moved away under the app) this refuses with `DatabaseMissing`: a pooled
        connection would write into the deleted file, a new one would make an empty file with
        no tables there. The main screen's watcher says so, and reopens a file put back."""
        handle = self._database
        if handle.path is not None and not handle.path.exists():
            raise DatabaseMissing(missing_message(handle.path))
        return handle

    @property
    def database_handle(self) -> Database:
        """The open database handle even while its file is missing (for the watcher)."""
        return self._database

    def use_database(self, database: Database) -> None:
        """Work on `database` from now on (the file at the same path, replaced under the app);
        the old handle is closed. Screens read `app.database` each time, so they follow."""
        old, self._database = self._database, database
        old.dispose()

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
        if isinstance(event, events.Key) and not event.is_forwarded and self._queue_in_input(event):
            return
        await super().on_event(event)

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

    def on_mount(self) -> None:
        self.push_screen(MainScreen())

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
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())
