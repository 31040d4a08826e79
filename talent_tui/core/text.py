"""Showing text people typed without letting it drive the terminal.

Field rules refuse control characters in new values, but older rows, files imported from
elsewhere and search boxes can still carry them. A raw ESC starts a terminal escape sequence
(colours, cursor moves, a changed window title, a cleared screen); NUL ends an FTS5 string;
a right-to-left override reorders what follows. Everything talent draws or prints for people
(TUI widgets, notices, the CLI's human output) goes through `printable`; `--json` output is
escaped by JSON itself.

The one rule: C0 controls are shown as their Unicode "control pictures" (ESC as ␛, BEL as ␇,
NUL as ␀), DEL as ␡, C1 controls and bidirectional overrides/isolates as �. Tabs and newlines
become spaces unless the caller keeps them (multi-line notes, files with CRLF lines).
"""

from __future__ import annotations

import unicodedata

REPLACEMENT = "\ufffd"  # �: visible, and unmistakably not part of the name

_TABLE: dict[int, int] = {code: 0x2400 + code for code in range(0x20)}
_TABLE.update({0x09: 0x20, 0x0A: 0x20, 0x0D: 0x20, 0x7F: 0x2421})
_TABLE.update({code: 0xFFFD for code in range(0x80, 0xA0)})
_TABLE.update({code: 0xFFFD for code in (0x202A, 0x202B, 0x202C, 0x202D, 0x202E)})
_TABLE.update({code: 0xFFFD for code in range(0x2066, 0x206A)})
_KEEP_LINES = {k: v for k, v in _TABLE.items() if k not in (0x09, 0x0A, 0x0D)}


def is_control(ch: str) -> bool:
    return unicodedata.category(ch) == "Cc"


def printable(text: str, *, keep_newlines: bool = False) -> str:
    """`text` with every control character shown as a visible symbol (see the module)."""
    if text.isprintable():
        return text
    return text.translate(_KEEP_LINES if keep_newlines else _TABLE)


def is_safe(text: str) -> bool:
    """No C0/C1 control character: what `printable` guarantees."""
    return not any(is_control(ch) for ch in text)


def without_controls(text: str) -> str:
    """`text` with control characters replaced by spaces, then stripped (for search boxes)."""
    return "".join(" " if is_control(ch) else ch for ch in text).strip()
