"""The help screen: every key binding and what the screen shows, from help.md."""

from __future__ import annotations

from importlib.resources import files

from rich.markdown import Markdown
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from talent_tui.failures import Guarded


def help_text() -> str:
    return files("talent_tui").joinpath("help.md").read_text(encoding="utf-8")


class HelpScreen(Guarded, ModalScreen[None]):
    BINDINGS = [
        Binding("escape,q,question_mark,f1", "dismiss", "Close"),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body"):
            # Rich's Markdown in one widget: Textual's Markdown widget mounts a widget per
            # block and took several times as long to open.
            yield Static(Markdown(help_text()), id="help-text")

    def on_mount(self) -> None:
        self.query_one("#help-body").focus()
