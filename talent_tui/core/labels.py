"""Stored words (enum values, kinds typed into a rate card) as people write them on screen and
in documents: "ugc" is UGC, "in_production" is "In production". `str.capitalize` and
`str.title` made "Ugc" of it; everything shown goes through `label`.

And a name for a file made from a handle or a name ("@haneul.eats" → "haneul.eats"): the
media kit's default file name says whose it is instead of a database id."""

from __future__ import annotations

import re
import unicodedata

# Words written in capitals or with an inner capital; the rest are capitalised.
WRITTEN = {
    "ugc": "UGC",
    "tiktok": "TikTok",
    "youtube": "YouTube",
}


def label(value: str) -> str:
    """`value` ("ugc", "in_production", "video") as a label: "UGC", "In production", "Video"."""
    words = value.replace("_", " ").strip()
    written = WRITTEN.get(words.lower())
    if written is not None:
        return written
    return words[:1].upper() + words[1:]


_UNSAFE = re.compile(r"[^\w.-]+")


def file_stem(text: str, fallback: str = "creator") -> str:
    """`text` as the stem of a file name on any system: letters (any script), digits, '.',
    '-' and '_' kept, runs of anything else one '-'; no leading '@' or dot, at most 60
    characters; `fallback` when nothing is left."""
    stem = unicodedata.normalize("NFC", text)
    stem = _UNSAFE.sub("-", stem).strip("-._")
    stem = stem[:60].rstrip("-._")
    return stem or fallback
