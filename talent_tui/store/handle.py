"""A database before SQLAlchemy opens it: the TUI's first frame is read from this.

Two kinds: a current talent SQLite file (`DatabaseFile`, read through the stdlib driver) and a
current talent PostgreSQL database (`DatabaseServer`, read through plain psycopg, as the URL's
login, so row-level security applies to every read exactly as it does through the engine).
Both only read; `open()` gives the full `store.db.Database` for everything else.
"""

from __future__ import annotations

import contextlib
import re
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, quote, quote_plus, unquote

from talent_tui.store.sqlitefile import SCHEMA_HEAD, ReadTooLong, path_to_url, reading

if TYPE_CHECKING:
    from talent_tui.store.db import Database

# What every psycopg connection talent makes is given (the engine's `connect_args` too, see
# store.db._engine_options for why): no server-side prepared statements.
PG_CONNECT_ARGS: dict[str, Any] = {"prepare_threshold": None}
# The NOTIFY channel of talent's commits (store.db sends, store.watch listens).
PG_CHANNEL = "talent_changes"


class DatabaseFile:
    """A current talent SQLite file (see `sqlitefile.is_current`) that SQLAlchemy has not opened yet: it
    can be read (`reading`) at once, and `open()` gives the full `store.db.Database` for
    everything else. The TUI starts on one and opens it in the background."""

    quick = True  # read without the ORM until opened

    def __init__(self, path: Path) -> None:
        self.path = path
        self.url = path_to_url(path)

    def describe(self) -> str:
        return str(self.path)

    def reading(
        self, within_s: float | None = None
    ) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        return reading(self.path, within_s)

    def open(self) -> Database:
        from talent_tui.store.db import open_database

        return open_database(str(self.path))


def current_file(db: str | None) -> DatabaseFile | None:
    """The SQLite file `--db` (else $TALENT_DB, else the default) names, when it is an
    up-to-date talent database that can be read as it is; None for anything the full
    `store.db.open_database` must handle (a URL, a new, older or foreign file, a folder…),
    which also says what is wrong."""
    from talent_tui.store import sqlitefile

    try:
        path = sqlitefile.file_for(db)
        if path is None or not path.is_file() or not sqlitefile.is_current(path):
            return None
    except (sqlitefile.DatabaseError, OSError):
        return None
    return DatabaseFile(path)


# ---- PostgreSQL ------------------------------------------------------------------------------

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


class DatabaseServer:
    """A talent PostgreSQL database at this version's schema that SQLAlchemy has not opened
    yet: read (`reading`) through plain psycopg connections made as the engine makes them (the
    same login, so row-level security applies; the same options), and `open()` gives the
    full `store.db.Database`. Connections are kept for the next read until it is opened."""

    quick = True  # read without the ORM until opened
    path: Path | None = None  # no file: never replaced, never gone

    def __init__(self, url: str, parsed: PgUrl) -> None:
        self.url = url
        self.parsed = parsed
        self._idle: list[Any] = []
        self._lock = threading.Lock()
        self._closed = False

    def describe(self) -> str:
        return self.parsed.describe()

    def connect(self) -> Any:
        import psycopg

        return psycopg.connect(**self.parsed.connect_args())

    @contextlib.contextmanager
    def reading(self, within_s: float | None = None) -> Iterator[Any]:
        """One read transaction on a psycopg connection (READ COMMITTED, as a session's).
        A time limit cannot be kept, so one is refused before anything is read (as
        `store.db.Database.reading` does on PostgreSQL)."""
        if within_s is not None:
            raise ReadTooLong(f"{self.describe()}: a read cannot be given a time limit")
        with self._lock:
            connection = self._idle.pop() if self._idle else None
        if connection is None:
            connection = self.connect()
        try:
            yield connection
        finally:
            self._give_back(connection)

    def _give_back(self, connection: Any) -> None:
        try:
            connection.rollback()
        except Exception:  # noqa: BLE001 - a broken connection is closed, not kept
            connection.close()
            return
        with self._lock:
            if not self._closed and not connection.closed:
                self._idle.append(connection)
                return
        connection.close()

    def close(self) -> None:
        """Close the kept connections (those in use close when their read ends)."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for connection in idle:
            with contextlib.suppress(Exception):
                connection.close()

    def open(self) -> Database:
        from talent_tui.store.db import open_database

        database = open_database(self.url)
        self.close()  # from now on the engine's connections do the reading
        return database


def current_server(value: str) -> DatabaseServer | None:
    """The PostgreSQL database `value` names, when it is a talent database at this version's
    schema (one query on `alembic_version`); None for anything the full
    `store.db.open_database` must handle, and say what is wrong with: another kind of URL, a
    server that cannot be reached, a login refused, a database older, newer or not talent's."""
    parsed = pg_url(value)
    if parsed is None:
        return None
    server = DatabaseServer(value, parsed)
    try:
        with server.reading() as connection:
            found = connection.execute("SELECT version_num FROM alembic_version").fetchall()
    except Exception:  # noqa: BLE001 - no driver, no server, no login, no table: the full path says
        server.close()
        return None
    if [tuple(row) for row in found] != [(SCHEMA_HEAD,)]:
        server.close()
        return None
    return server
