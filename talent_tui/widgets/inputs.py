"""The one-line text field every form uses, and running an action after the keys typed before it.

`SafeInput` draws its text through `core.text.printable`: a value loaded from the database
(written there by another program) that holds ESC, BEL, NUL or a bidi override is shown as
␛, ␇, ␀ or �, never sent to the terminal. The mapping is one character for one character, so
the cursor stays where the user thinks it is; `.value` keeps the real text (saving it is then
refused by the field rules, beside the field).

`after_typed_keys` runs something (saving a form) once every field of a screen has handled the
keys delivered to it before: Textual hands each typed key to the focused field's own queue, and
a priority binding such as Ctrl+S runs in the app at once, so a burst "niche1" + Ctrl+S read
the fields before the text had arrived and stored a prefix of it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from rich.text import Text
from textual.dom import DOMNode
from textual.widgets import Input

from talent_tui.core.text import printable


class SafeInput(Input):
    """An Input that never sends a control character of its value to the terminal."""

    @property
    def _value(self) -> Text:
        text = super()._value
        if self.password or text.plain.isprintable():
            return text
        shown = printable(text.plain)
        if len(shown) != len(text.plain):  # never: printable maps 1 character to 1
            shown = "".join(printable(ch)[:1] or "\ufffd" for ch in text.plain)
        safe = Text(shown, no_wrap=True, overflow="ignore", end="", style=text.style)
        for span in text.spans:
            safe.stylize(span.style, span.start, span.end)
        return safe


def after_typed_keys(node: DOMNode, callback: Callable[[], Any]) -> None:
    """Run `callback` once every Input under `node` (a screen) has handled the keys (and the
    editing actions the app queued for it) delivered to it before this call."""
    inputs = [widget for widget in node.query(Input) if widget.is_attached]
    waiting: set[int] = set()

    def arrived(key: int) -> None:
        waiting.discard(key)
        if not waiting:
            callback()

    for widget in inputs:
        key = id(widget)
        waiting.add(key)
        if not widget.call_later(arrived, key):  # closing: nothing more will reach it
            waiting.discard(key)
    if not waiting:
        callback()


Action = TypeVar("Action", bound=Callable[..., None])


def after_typing(action: Action) -> Action:
    """An action method (of a screen) that reads what was typed: it runs after the keys typed
    before it, however fast they came (Ctrl+S at the end of a burst saves the whole burst)."""

    @functools.wraps(action)
    def deferred(self: DOMNode, *args: Any, **kwargs: Any) -> None:
        def run() -> None:
            if self.is_attached:  # not once the screen has closed meanwhile (Esc)
                action(self, *args, **kwargs)

        after_typed_keys(self, run)

    return deferred  # type: ignore[return-value]
