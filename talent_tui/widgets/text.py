"""People's text made safe to draw: no control character reaches the terminal raw.

A creator named "\\x1b]0;pwned\\x07" or "\\x1b[2J" must not set the window title or clear
the screen. Every widget that draws text people typed passes it through `printable`.
(Candidate for `core/text.py`, shared with the CLI's human output.)
"""

from __future__ import annotations

import unicodedata

# C0 controls as their Unicode "control pictures" (␛ ␇ ␀ …), DEL as ␡; C1 controls and
# Unicode format characters that reorder text (bidi overrides) as the replacement character.
_TABLE = {code: 0x2400 + code for code in range(0x20)}
_TABLE.update({0x09: 0x20, 0x0A: 0x20, 0x0D: 0x20, 0x7F: 0x2421})
_TABLE.update({code: 0xFFFD for code in range(0x80, 0xA0)})
_TABLE.update({code: 0xFFFD for code in (0x202A, 0x202B, 0x202C, 0x202D, 0x202E)})
_TABLE.update({code: 0xFFFD for code in range(0x2066, 0x206A)})


def printable(text: str) -> str:
    """`text` on one line with every control character shown as a visible symbol."""
    if text.isprintable():
        return text
    return text.translate(_TABLE)


def is_safe(text: str) -> bool:
    """No C0/C1 control characters (what `printable` guarantees)."""
    return not any(unicodedata.category(ch) == "Cc" for ch in text)
