"""A PostgreSQL URL read without SQLAlchemy, and what every psycopg connection talent makes is
given: the app's first reads (`store.handle.DatabaseServer`) and the change watcher
(`store.watch`) connect before (or without) the engine, exactly as the engine would."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, quote, quote_plus, unquote

# What every psycopg connection talent makes is given (the engine's `connect_args` too, see
# store.db._engine_options for why): no server-side prepared statements.
PG_CONNECT_ARGS: dict[str, Any] = {"prepare_threshold": None}
# The NOTIFY channel of talent's commits (store.db sends, store.watch listens).
PG_CHANNEL = "talent_changes"


# SQLAlchemy's own URL pattern (sqlalchemy.engine.url._parse_url), so a URL means here what it
# means to the engine; tests/test_pg_fast_start.py compares the two.
_URL = re.compile(
    r"""
        (?P<name>[\w\+]+)://
        (?:
            (?P<username>[^:/]*)
            (?::(?P<password>[^@]*))?
        @)?
        (?:
            (?:
                \[(?P<ipv6host>[^/\?]+)\] |
                (?P<ipv4host>[^/:\?]+)
            )?
            (?::(?P<port>[^/\?]*))?
        )?
        (?:/(?P<database>[^\?]*))?
        (?:\?(?P<query>.*))?
    """,
    re.X,
)
# The drivers that are psycopg 3 to SQLAlchemy (2.1 made it the default for postgresql://).
_PSYCOPG_DRIVERS = ("postgresql+psycopg", "postgresql")


@dataclass(frozen=True)
class PgUrl:
    """A `postgresql+psycopg://` URL taken apart as SQLAlchemy takes it apart."""

    drivername: str
    username: str | None
    password: str | None
    host: str | None
    port: int | None
    database: str | None
    query: tuple[tuple[str, str], ...]

    def connect_args(self) -> dict[str, Any]:
        """psycopg.connect's keywords, as SQLAlchemy's psycopg dialect builds them
        (`create_connect_args`), with talent's own options (PG_CONNECT_ARGS)."""
        args: dict[str, Any] = {}
        for key, value in (
            ("host", self.host),
            ("dbname", self.database),
            ("user", self.username),
            ("password", self.password),
            ("port", self.port),
        ):
            if value:
                args[key] = value
        args.update(self.query)
        args.update(PG_CONNECT_ARGS)
        return args

    def describe(self) -> str:
        """The URL without its password, as `store.db.describe_url` shows it (SQLAlchemy's
        `render_as_string`)."""
        text = self.drivername + "://"
        if self.username is not None:
            text += quote(self.username, safe=" +")
            if self.password is not None:
                text += ":***"
            text += "@"
        if self.host is not None:
            text += f"[{self.host}]" if ":" in self.host else self.host
        if self.port is not None:
            text += f":{self.port}"
        if self.database is not None:
            text += "/" + quote(self.database, safe=" +/")
        if self.query:
            text += "?" + "&".join(
                f"{quote_plus(k)}={quote_plus(v)}"
                for k, v in sorted(self.query, key=lambda q: q[0])
            )
        return text


def pg_url(value: str) -> PgUrl | None:
    """`value` taken apart when it is a plain psycopg PostgreSQL URL; None for anything else
    (another database or driver, a URL that does not parse, several hosts or repeated
    options): the full `store.db.open_database` opens those, or says what is wrong."""
    found = _URL.match(value)
    if found is None or found["name"] not in _PSYCOPG_DRIVERS:
        return None
    if found["name"] == "postgresql" and not _default_driver_is_psycopg():
        return None
    query = tuple(parse_qsl(found["query"] or ""))
    keys = [key for key, _ in query]
    if len(set(keys)) != len(keys) or "host" in keys or "port" in keys:
        return None  # SQLAlchemy's multi-host forms: the engine's own to read
    try:
        port = int(found["port"]) if found["port"] else None
    except ValueError:
        return None
    parts = {
        k: unquote(found[k]) if found[k] is not None else None
        for k in ("username", "password", "database")
    }
    return PgUrl(
        found["name"],
        parts["username"],
        parts["password"],
        found["ipv4host"] or found["ipv6host"],
        port,
        parts["database"],
        query,
    )


def _default_driver_is_psycopg() -> bool:
    """SQLAlchemy 2.1 reads `postgresql://` with psycopg 3; 2.0 with psycopg2."""
    from importlib import metadata

    try:
        major, minor = (int(part) for part in metadata.version("sqlalchemy").split(".")[:2])
    except (metadata.PackageNotFoundError, ValueError):
        return False
    return (major, minor) >= (2, 1)
