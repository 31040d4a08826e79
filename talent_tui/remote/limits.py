"""What one visitor, one address and the whole server may use, and the flags' values.

A demo server is open to anyone who can reach the port, so every resource a visitor can hold
has a bound: seats (concurrent sessions), seats per address, time without a key press, time in
all, and input (more bytes in a burst than typing or an honest paste produce).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from talent_tui.core.errors import DomainError

_DURATION = re.compile(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?")
_SIZE = re.compile(r"(\d+)\s*(|b|k|kb|kib|m|mb|mib)", re.IGNORECASE)
MAX_SECONDS = 7 * 24 * 3600


class LimitError(DomainError):
    """A limit's value that cannot be used."""


def parse_duration(text: str, what: str) -> float:
    """Seconds from `90s`, `10m`, `1h`, `1h30m` or a bare number of seconds; 0 is refused
    (a limit that ends every session at once is a mistake, not a setting)."""
    value = text.strip().lower()
    seconds: float
    if value.isascii() and value.isdigit():
        seconds = float(value)
    else:
        match = _DURATION.fullmatch(value)
        if not value or match is None:
            raise LimitError(f"{what}: not a duration like 90s, 10m or 1h30m: {text!r}")
        hours, minutes, secs = (int(part or 0) for part in match.groups())
        seconds = float(hours * 3600 + minutes * 60 + secs)
    if not 0 < seconds <= MAX_SECONDS:
        raise LimitError(f"{what}: from 1 second to 7 days, not {text!r}")
    return seconds


def parse_size(text: str, what: str) -> int:
    """Bytes from `4096`, `16k`, `64KiB` or `1m` (binary multiples)."""
    match = _SIZE.fullmatch(text.strip())
    if match is None:
        raise LimitError(f"{what}: not a size like 4096, 16k or 1m: {text!r}")
    number, unit = int(match.group(1)), match.group(2).lower()
    size = number * (1024 if unit.startswith("k") else 1024 * 1024 if unit.startswith("m") else 1)
    if not 256 <= size <= 64 * 1024 * 1024:
        raise LimitError(f"{what}: from 256 bytes to 64 MiB, not {text!r}")
    return size


def describe_seconds(seconds: float) -> str:
    """`10 minutes`, `1 hour`, `90 seconds`: how a limit is named to a visitor."""
    whole = int(seconds)
    for size, unit in ((3600, "hour"), (60, "minute")):
        if whole >= size and whole % size == 0:
            count = whole // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return f"{whole} second{'s' if whole != 1 else ''}"


def describe_size(size: int) -> str:
    """`16 KiB`, `1 MiB`, `700 bytes`."""
    for unit, name in ((1024 * 1024, "MiB"), (1024, "KiB")):
        if size >= unit and size % unit == 0:
            return f"{size // unit} {name}"
    return f"{size:,} bytes"


@dataclass(frozen=True)
class Limits:
    max_sessions: int = 8
    max_per_address: int = 3
    idle_timeout_s: float = 600.0
    session_timeout_s: float = 3600.0
    # Input a visitor may send in one second (a burst): typing is a few bytes per key, a
    # mouse drag some hundreds; a paste of this much into a demo is a flood, not a search.
    max_input_bytes: int = 16 * 1024

    def __post_init__(self) -> None:
        if not 1 <= self.max_sessions <= 1000:
            raise LimitError("--max-sessions: from 1 to 1000")
        if not 1 <= self.max_per_address <= 1000:
            raise LimitError("--max-per-address: from 1 to 1000")

    @property
    def max_connections(self) -> int:
        """Connections held open at once, counting those not (yet) in a session: enough for
        every seat plus people being told the server is full, not an unbounded pile."""
        return self.max_sessions * 2 + 8


class InputBudget:
    """A token bucket: `capacity` bytes, refilled at `capacity` per second. `spend` says
    whether a chunk of input fits; typing and pasting never notice it, a flood does."""

    def __init__(self, capacity: int, now: float) -> None:
        self.capacity = capacity
        self._tokens = float(capacity)
        self._at = now

    def spend(self, size: int, now: float) -> bool:
        self._tokens = min(self.capacity, self._tokens + (now - self._at) * self.capacity)
        self._at = now
        if size > self._tokens:
            return False
        self._tokens -= size
        return True
