"""Noticing that another process changed the database, so an open screen can refresh.

SQLite: `PRAGMA data_version` on a read-only connection of the watcher's own, which changes
only when another connection commits. (PostgreSQL will use LISTEN/NOTIFY behind the same
interface.)
"""

from __future__ import annotations

import sqlite3
from pathlib import Path


class ChangeWatcher:
    """Notices commits by other connections through SQLite's PRAGMA data_version, which only
    changes when someone else writes. One tiny query every few seconds, on a connection of
    its own that never writes."""

    def __init__(self, path: Path | None) -> None:
        self.connection: sqlite3.Connection | None = None
        self.version: int | None = None
        if path is not None:
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


def watcher_for(database: object) -> ChangeWatcher:
    """The watcher for a database handle (one without a file watches nothing)."""
    return ChangeWatcher(getattr(database, "path", None))
