"""A database before SQLAlchemy opens it: the TUI's first frame is read from this.

Two kinds: a current talent SQLite file (`DatabaseFile`, read through the stdlib driver) and a
current talent PostgreSQL database (`DatabaseServer`, read through plain psycopg, as the URL's
login, so row-level security applies to every read exactly as it does through the engine).
Both only read; `open()` gives the full `store.db.Database` for everything else.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from talent_tui.store.pgurl import PgUrl, pg_url
from talent_tui.store.sqlitefile import SCHEMA_HEAD, ReadTooLong, path_to_url, reading

if TYPE_CHECKING:
    from talent_tui.store.db import Database


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

# How long the fast start's check waits for a server that does not answer (libpq's shortest
# connect_timeout) before the full command line tries, with the URL's own timeout.
QUICK_CONNECT_S = 2


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

    def connect(self, timeout_s: int | None = None) -> Any:
        """A connection as the engine makes one; `timeout_s`, when shorter than the URL's own
        `connect_timeout` (or when it has none), bounds the wait for the server instead."""
        import psycopg

        args = self.parsed.connect_args()
        given = str(args.get("connect_timeout", "0")).strip()  # 0: wait as long as it takes
        if (
            timeout_s is not None
            and given.isascii()
            and given.isdigit()
            and not 0 < int(given) <= timeout_s
        ):
            args["connect_timeout"] = timeout_s  # (a value libpq refuses is left to refuse)
        return psycopg.connect(**args)

    @contextlib.contextmanager
    def reading(self, within_s: float | None = None) -> Iterator[Any]:
        """One read transaction on a psycopg connection (READ COMMITTED, as a session's).
        With `within_s`, the server stops any statement of it still running after that many
        seconds (`statement_timeout`) and `ReadTooLong` is raised, as `sqlitefile.reading`
        does: the first frame's read runs on the UI thread, as on SQLite."""
        import psycopg

        with self._lock:
            connection = self._idle.pop() if self._idle else None
        if connection is None:
            connection = self.connect()
        try:
            if within_s is not None:
                limit_ms = max(1, round(within_s * 1000))
                connection.execute(f"SET LOCAL statement_timeout = {limit_ms}")
            try:
                yield connection
            except psycopg.errors.QueryCanceled:
                if within_s is None:
                    raise
                message = f"a read of {self.describe()} took longer than {within_s:g} s"
                raise ReadTooLong(message) from None
        finally:
            self._give_back(connection)

    def keep(self, connection: Any) -> None:
        """Keep `connection` for the next read."""
        with self._lock:
            self._idle.append(connection)

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
        # A server that does not answer is waited for again by the full path (which then
        # says so): this first wait is kept short (libpq's shortest), not added in full.
        server.keep(server.connect(timeout_s=QUICK_CONNECT_S))
        with server.reading() as connection:
            found = connection.execute("SELECT version_num FROM alembic_version").fetchall()
    except Exception:  # noqa: BLE001 - no driver, no server, no login, no table: the full path says
        server.close()
        return None
    if [tuple(row) for row in found] != [(SCHEMA_HEAD,)]:
        server.close()
        return None
    return server
