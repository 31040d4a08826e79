"""A database before SQLAlchemy opens it: the TUI's first frame is read from this."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from talent_tui.store.sqlitefile import path_to_url, reading

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
