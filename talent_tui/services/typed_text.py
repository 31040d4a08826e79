"""Free text people type on deals and in the log (a campaign name, a reason, feedback, a
summary): trimmed, bounded, and never carrying control characters or terminal escape
sequences, which would be drawn raw by a terminal. Markup-looking text ("[red]") is fine:
it is text, and every front end shows it as written. (Text stored before this rule is shown
through `core.text.printable`.)"""

from __future__ import annotations

from talent_tui.core.errors import DomainError
from talent_tui.core.fields import MAX_LINE
from talent_tui.core.text import is_control


class TextRefused(DomainError):
    """Typed text that cannot be stored as it is."""


def has_control(text: str) -> bool:
    """True when the text holds a control character (ESC, NUL, a bell, a tab, a newline…)."""
    return any(is_control(ch) for ch in text)


def line(text: str, what: str, *, required: bool = False, max_len: int = MAX_LINE) -> str:
    """One line of typed text, trimmed; refused with a reason naming `what` otherwise."""
    cleaned = (text or "").strip()
    if required and not cleaned:
        raise TextRefused(f"{what} is required")
    if has_control(cleaned):
        raise TextRefused(f"{what} contains a control character; type plain text")
    if len(cleaned) > max_len:
        raise TextRefused(f"{what} is longer than {max_len} characters")
    return cleaned
