"""Showing text people typed without letting it drive the terminal.

Field rules refuse control characters in new values, but older rows, imported files from
elsewhere and search boxes can still carry them. A raw ESC starts a terminal escape sequence
(colours, cursor moves, a changed window title); NUL ends an FTS5 string. Human output and
search phrases go through these helpers; `--json` output is escaped by JSON itself.
"""

from __future__ import annotations

import unicodedata

REPLACEMENT = "\ufffd"  # �: visible, and unmistakably not part of the name


def is_control(ch: str) -> bool:
    return unicodedata.category(ch) == "Cc"


def printable(text: str, *, keep_newlines: bool = False) -> str:
    """`text` with every control character shown as �; newlines and tabs kept on request."""
    if not any(is_control(ch) for ch in text):
        return text
    kept = "\n\t" if keep_newlines else ""
    return "".join(REPLACEMENT if is_control(ch) and ch not in kept else ch for ch in text)


def without_controls(text: str) -> str:
    """`text` with control characters replaced by spaces, then stripped (for search boxes)."""
    return "".join(" " if is_control(ch) else ch for ch in text).strip()
