"""The footer of every screen: Textual's Footer, rebuilt only when what it shows changes.

Textual's Footer rebuilds all its key widgets each time a screen says its bindings may have
changed (`refresh_bindings`); the main screen says so on every cursor move, and while the app
starts the footer was rebuilt five times for one set of keys. This one compares what it would
show (each shown key, its label and whether it is enabled) with what it shows, and rebuilds at
most once per frame, only when they differ.

In a compact footer Textual gives every key a right margin, the command palette's key too:
docked right, it then stopped one column short of the edge, and the last column showed a
letter of the keys scrolled beneath it ("^p palettee"). Here it has none.
"""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer


class KeysFooter(Footer):
    DEFAULT_CSS = """
    KeysFooter.-compact FooterKey.-command-palette {
        margin-right: 0;
    }
    """

    def __init__(self, *, compact: bool = False, show_command_palette: bool = True) -> None:
        super().__init__(compact=compact, show_command_palette=show_command_palette)
        self._shown: tuple[tuple[str, str, str, bool], ...] | None = None
        self._pending = False

    def _wanted(self) -> tuple[tuple[str, str, str, bool], ...]:
        return tuple(
            (binding.key, binding.action, binding.description, enabled)
            for (_node, binding, enabled, _tooltip) in self.screen.active_bindings.values()
            if binding.show
        )

    def bindings_changed(self, screen: Screen) -> None:  # type: ignore[type-arg]
        self._bindings_ready = True
        if not screen.app.app_focus or self._pending:
            return
        if self.is_attached and screen is self.screen:
            self._pending = True
            self.call_after_refresh(self._rebuild_if_changed)

    async def _rebuild_if_changed(self) -> None:
        self._pending = False
        if not self.is_attached:
            return
        wanted = self._wanted()
        if wanted != self._shown:
            self._shown = wanted
            await self.recompose()
