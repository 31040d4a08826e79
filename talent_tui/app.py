"""The Textual application: one database, the main screen, help and the command palette."""

from __future__ import annotations

from datetime import date

from textual.app import App
from textual.binding import Binding

from talent_tui import dates
from talent_tui.commands import CreatorCommands
from talent_tui.db import Database
from talent_tui.deals import default_actor
from talent_tui.screens.help import HelpScreen
from talent_tui.screens.main import MainScreen


class TalentApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "talent"
    COMMANDS = App.COMMANDS | {CreatorCommands}
    COMMAND_PALETTE_DISPLAY = "^p"
    BINDINGS = [
        Binding("q", "quit", "Quit"),
        Binding("question_mark,f1", "help", "Help", key_display="?"),
    ]

    def __init__(
        self, database: Database, *, today: date | None = None, actor: str | None = None
    ) -> None:
        super().__init__()
        self.database = database
        self._today = today
        self.actor = actor or default_actor()
        path = database.path
        self.sub_title = path.name if path is not None else database.describe()

    @property
    def today(self) -> date:
        """The date deadlines are measured from (fixed in tests and snapshots)."""
        return self._today or dates.today()

    def on_mount(self) -> None:
        self.push_screen(MainScreen())

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())
