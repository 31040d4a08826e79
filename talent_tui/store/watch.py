"""Noticing that another process changed the database, so an open screen can refresh.

SQLite: `PRAGMA data_version` on a read-only connection of the watcher's own, which changes
only when another connection commits. PostgreSQL: LISTEN on a connection of the watcher's own;
every transaction that writes sends NOTIFY on the same channel (`store.db._on_pg_begin`), which
PostgreSQL delivers only when it commits (`PgChangeWatcher`). The screen asks every 2 seconds
either way. A file replaced under the app (`talent demo --reset` deletes the file and builds
a new one) is noticed by its identity on disk: the app then opens the new file.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Any

from talent_tui.core.errors import DomainError
from talent_tui.core.text import printable

if TYPE_CHECKING:
    from talent_tui.store import db as dbmod
    from talent_tui.store.handle import DatabaseFile


class DatabaseMissing(DomainError):
    """The database file was deleted or moved away while the app had it open."""


def missing_message(path: Path) -> str:
    return (
        f"The database file {printable(str(path))} was deleted or moved; talent cannot save "
        "anything until it is back."
    )


def _identity(path: Path) -> tuple[int, int] | None:
    """Which file is at `path` (device and inode), or None when there is none."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_dev, stat.st_ino


class ChangeWatcher:
    """Notices commits by other connections through SQLite's PRAGMA data_version, which only
    changes when someone else writes. One tiny query every few seconds, on a connection of
    its own that never writes."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.connection: sqlite3.Connection | None = None
        self.version: int | None = None
        self.identity: tuple[int, int] | None = None
        if path is not None:
            self.identity = _identity(path)
            try:
                self.connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
                self.version = self._read()
            except sqlite3.Error:
                self.connection = None

    def _read(self) -> int | None:
        if self.connection is None:
            return None
        return self.connection.execute("PRAGMA data_version").fetchone()[0]

    def changed(self) -> bool:
        try:
            now = self._read()
        except sqlite3.Error:
            return False
        if now == self.version:
            return False
        self.version = now
        return True

    def replaced(self) -> bool:
        """Whether another file now stands at the watched path (the one the app has open was
        deleted or renamed away, and a new one made). Not while there is no file at all:
        whoever removed it is still making the new one."""
        if self.path is None or self.identity is None:
            return False
        now = _identity(self.path)
        return now is not None and now != self.identity

    def gone(self) -> bool:
        """Whether no file is at the watched path any more (deleted or moved away, and
        nothing put there yet)."""
        return self.path is not None and self.identity is not None and _identity(self.path) is None

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


class PgChangeWatcher(ChangeWatcher):
    """Notices commits on PostgreSQL: LISTEN on an autocommit connection of its own, and
    `changed()` takes whatever notifications arrived since it last looked, without waiting.
    A lost connection is opened again at the next look, which then says "changed" (a commit
    may have been missed meanwhile). A server that cannot be reached watches nothing until it
    can, tried again every RETRY_S (each try runs on the screen's tick, so it must not come
    every 2 seconds while a server is away). No file: never replaced, never gone."""

    RETRY_S = 30.0
    CONNECT_TIMEOUT_S = 2

    def __init__(self, url: str) -> None:
        super().__init__(None)
        self.url = url
        self.listener: Any = None
        self.retry_at = 0.0
        self._listen()

    def _listen(self) -> bool:
        import time

        if time.monotonic() < self.retry_at:
            return False
        import psycopg

        from talent_tui.store.pgurl import PG_CHANNEL, pg_url

        # The URL read as the engine reads it, without importing SQLAlchemy when it need not
        # be (the main screen starts this before its first frame).
        plain = pg_url(self.url)
        if plain is not None:
            conninfo, options = "", plain.connect_args()
        else:
            from sqlalchemy.engine import make_url

            parsed = make_url(self.url)
            conninfo = parsed.set(drivername="postgresql", password=None).render_as_string()
            options = {"password": parsed.password or None}
        try:
            self.listener = psycopg.connect(
                conninfo,
                **{**options, "autocommit": True, "connect_timeout": self.CONNECT_TIMEOUT_S},
            )
            self.listener.execute(f"LISTEN {PG_CHANNEL}")
        except psycopg.Error:
            self.close()
            self.retry_at = time.monotonic() + self.RETRY_S
            return False
        return True

    def changed(self) -> bool:
        import psycopg

        if self.listener is None or self.listener.closed:
            return self._listen()
        try:
            return bool(list(self.listener.notifies(timeout=0)))
        except psycopg.Error:
            self.close()
            return self._listen()

    def close(self) -> None:
        if self.listener is not None:
            with contextlib.suppress(Exception):
                self.listener.close()
            self.listener = None


def watcher_for(database: object) -> ChangeWatcher:
    """The watcher for a database handle: SQLite's file, PostgreSQL's notifications, else
    nothing watched."""
    path = getattr(database, "path", None)
    url = str(getattr(database, "url", "") or "")
    if path is None and url.startswith("postgresql"):
        return PgChangeWatcher(url)
    return ChangeWatcher(path)


def open_replacement(database: dbmod.Database | DatabaseFile) -> dbmod.Database | None:
    """The database now at `database`'s path, opened without changing it, once it is ready
    (its schema complete: whoever made it has finished migrating); None while it is not, or
    when it is not a talent database."""
    from talent_tui.store import db as dbmod

    if database.path is None or not database.path.exists():
        return None
    try:
        fresh = dbmod.open_database(database.url, migrate=False)
    except dbmod.DatabaseError:
        return None
    try:
        ready = dbmod.current_revision(fresh) == dbmod.SCHEMA_HEAD
    except Exception:  # noqa: BLE001 - half-written: try again on the next look
        ready = False
    if not ready:
        fresh.dispose()
        return None
    return fresh
