"""Configuration: the one reader of talent's environment variables.

| variable       | meaning                                                        |
|----------------|----------------------------------------------------------------|
| `TALENT_DB`    | database file or SQLAlchemy URL (`--db` on the command line wins) |
| `TALENT_TODAY` | pins today's date (YYYY-MM-DD) for scripted demos and tests      |
| `TALENT_AS`    | who is making changes, for the history (`--as` wins; default: OS user) |
| `TALENT_THEME` | the Textual theme to start with                                 |
| `TALENT_WAIT`  | seconds a change waits for another talent's write (default 30)  |

A frozen dataclass read from `os.environ` on each call rather than pydantic-settings: the
first screen must paint without importing pydantic (see the start-up budget in the README),
and four string variables need no schema machinery. Values are validated here, once.
"""

from __future__ import annotations

import getpass
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from talent_tui.core.errors import DomainError
from talent_tui.core.text import is_safe

PREFIX = "TALENT_"
DB_VAR = "TALENT_DB"
TODAY_VAR = "TALENT_TODAY"
ACTOR_VAR = "TALENT_AS"
THEME_VAR = "TALENT_THEME"
WAIT_VAR = "TALENT_WAIT"
DEFAULT_WAIT_S = 30.0  # a writer waits this long for another writer (a big import) to finish
MAX_WAIT_S = 3600.0
MAX_ACTOR = 100  # as `--as` (core.fields.MAX_ACTOR)


class ConfigError(DomainError):
    """A TALENT_* variable holds a value talent cannot use."""


def os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name in this environment (containers, CI)
        return "unknown"


@dataclass(frozen=True)
class Settings:
    db: str | None = None
    today: date | None = None
    actor: str = "unknown"
    theme: str | None = None
    wait_s: float = DEFAULT_WAIT_S

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ

        def value(name: str) -> str | None:
            text = env.get(name, "").strip()
            return text or None

        pinned = value(TODAY_VAR)
        today = None
        if pinned is not None:
            try:
                if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", pinned):
                    raise ValueError  # fromisoformat also reads week dates (2026-W01-1)
                today = date.fromisoformat(pinned)
            except ValueError:
                raise ConfigError(
                    f"{TODAY_VAR}: not a date in YYYY-MM-DD form: {pinned!r}"
                ) from None
        actor = value(ACTOR_VAR)
        if actor is not None and (len(actor) > MAX_ACTOR or not is_safe(actor)):
            raise ConfigError(
                f"{ACTOR_VAR}: a name of at most {MAX_ACTOR} characters, without control characters"
            )
        wait = value(WAIT_VAR)
        wait_s = DEFAULT_WAIT_S
        if wait is not None:
            try:
                wait_s = float(wait)
                if not 0 <= wait_s <= MAX_WAIT_S:
                    raise ValueError
            except ValueError:
                raise ConfigError(
                    f"{WAIT_VAR}: a number of seconds from 0 to {MAX_WAIT_S:.0f}: {wait!r}"
                ) from None
        return cls(
            db=value(DB_VAR),
            wait_s=wait_s,
            today=today,
            actor=actor or os_user(),
            theme=value(THEME_VAR),
        )


def settings() -> Settings:
    """The settings as the environment gives them now (cheap; tests change the environment)."""
    return Settings.from_env()
