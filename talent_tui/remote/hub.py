"""What every connection and session of one server shares: its settings, its seats (who is
connected and in a session, from which address), the demo template and the connection log.
"""

from __future__ import annotations

import os
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from talent_tui.core.fields import FieldError, actor_name
from talent_tui.remote.connlog import ConnectionLog
from talent_tui.remote.copies import DemoTemplate
from talent_tui.remote.limits import Limits

# What a visitor's app process inherits from the server's environment: enough to find Python,
# its packages and the user's directories; never the server's other variables (tokens,
# TALENT_DB, TALENT_AS). TERM comes from the visitor's client.
INHERITED = (
    "PATH",
    "HOME",
    "LANG",
    "LC_ALL",
    "LC_CTYPE",
    "TZ",
    "TMPDIR",
    "PYTHONPATH",
    "VIRTUAL_ENV",
    "XDG_DATA_HOME",
    "XDG_CONFIG_HOME",
    "XDG_CACHE_HOME",
    "XDG_STATE_HOME",
    "TALENT_TODAY",
    "TALENT_THEME",
    "TALENT_WAIT",
)
DEFAULT_TERM = "xterm-256color"
DEMO_ACTOR = "visitor"


@dataclass(frozen=True)
class ServeSettings:
    host: str = "127.0.0.1"
    port: int = 2222
    limits: Limits = field(default_factory=Limits)
    authorized_keys: Path | None = None
    # A real database (path or URL) served to key holders; None serves demo copies.
    real_db: str | None = None
    banner: str | None = None  # None: the default for the mode; "": none


def safe_term(term: str) -> str:
    """The client's TERM when it is a plain terminal name; a sane default otherwise."""
    name = term.strip()
    if 0 < len(name) <= 64 and all(ch.isascii() and (ch.isalnum() or ch in "._+-") for ch in name):
        return name
    return DEFAULT_TERM


class Hub:
    def __init__(
        self, settings: ServeSettings, template: DemoTemplate | None, log: ConnectionLog
    ) -> None:
        self.settings = settings
        self.limits = settings.limits
        self.template = template
        self.log = log
        self.port = settings.port  # the bound port, once listening
        self.connections: Counter[str] = Counter()  # address → open connections
        self.seats: Counter[str] = Counter()  # address → sessions running the app
        self.sessions: set[object] = set()  # live sessions, ended on shutdown
        self.gates: set[object] = set()  # open connections, closed on shutdown
        self.banner = settings.banner if settings.banner is not None else self.default_banner()

    def default_banner(self) -> str:
        if self.settings.real_db is not None:
            return ""
        return (
            "talent demo: the whole app on a private copy of the demo data, deleted when you "
            "leave. Press ? for help, q to quit.\n"
        )

    @property
    def connection_count(self) -> int:
        return sum(self.connections.values())

    @property
    def seat_count(self) -> int:
        return sum(self.seats.values())

    def seat_refusal(self, address: str) -> tuple[str, str] | None:
        """Why a new session from `address` cannot start now (for the log, for the visitor),
        or None when it can."""
        if self.seat_count >= self.limits.max_sessions:
            seats = self.limits.max_sessions
            taken = f"all {seats} seats" if seats > 1 else "the one seat"
            return "server full", (
                f"{taken} of this talent server {'are' if seats > 1 else 'is'} taken; "
                "please try again in a few minutes."
            )
        if self.seats[address] >= self.limits.max_per_address:
            return "per-address limit", (
                f"{self.limits.max_per_address} sessions are already open from your address "
                "(the limit per address); close one and try again."
            )
        return None

    def actor_for(self, user: str) -> str | None:
        """The name a visitor's changes are recorded under: their SSH user name. None when
        the name cannot be one (a control character, too long): a demo then records
        "visitor", a real database refuses the session."""
        try:
            return actor_name(user)
        except FieldError:
            return None

    def child_env(self, term: str) -> dict[str, str]:
        env = {key: os.environ[key] for key in INHERITED if key in os.environ}
        env.setdefault("LANG", "C.UTF-8")
        env["TERM"] = safe_term(term)
        if self.settings.real_db is not None:
            # Given in the environment, not argv: a URL's password stays out of `ps`.
            env["TALENT_DB"] = self.settings.real_db
        return env

    def child_argv(self, copy: Path | None, actor: str) -> list[str]:
        argv = [sys.executable, "-m", "talent_tui"]
        if copy is not None:
            argv.append(f"--db={copy}")
        return [*argv, f"--as={actor}"]  # one word: a name starting with "-" stays a value


@dataclass
class Visit:
    """One SSH connection: who and from where, and what happened (for the log line)."""

    address: str
    peer: str  # address:port, as logged
    started: datetime
    user: str | None = None
    events: list[str] = field(default_factory=list)

    def note(self, event: str) -> None:
        if event not in self.events:
            self.events.append(event)

    def outcome(self, default: str) -> str:
        return "; ".join(self.events) or default
