"""The demo database, built once per server start, and each visitor's private copy of it.

Loading the demo runs every importer (about a second); copying the built file takes a few
milliseconds. So the server builds it once into its own private temporary folder, converts it
to a single file (no WAL beside it), and each visitor gets a copy made with SQLite's backup
API — a consistent snapshot even if something were reading the template — in a folder of
their own that is deleted, with the app's -wal and -shm files, when they leave.
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from pathlib import Path

from talent_tui.core.errors import DomainError

DEMO_NAME = "demo.db"


class DemoBuildError(DomainError):
    """The demo database could not be built."""


class DemoTemplate:
    """The built demo database in `root` (a private temporary folder the server owns)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.path = root / "template" / DEMO_NAME
        self.creators = 0
        self._next = 0

    @classmethod
    def build(cls, root: Path) -> DemoTemplate:
        from talent_tui.io.demo import load_demo
        from talent_tui.store import db as dbmod

        template = cls(root)
        template.path.parent.mkdir(mode=0o700)
        try:
            database = dbmod.open_database(str(template.path))
            try:
                reports = load_demo(database)
                dbmod.mark_demo(database)
            finally:
                database.dispose()
        except Exception as exc:  # noqa: BLE001 - any failure is "no demo", said in one line
            raise DemoBuildError(f"could not build the demo database: {exc}") from None
        template.creators = next((r.new for r in reports if r.kind == "creators"), 0)
        with sqlite3.connect(template.path) as connection:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            connection.execute("PRAGMA journal_mode=DELETE")
        connection.close()
        return template

    def copy_for_visitor(self) -> Path:
        """A new private folder holding a fresh copy of the demo; the caller deletes it
        with `discard`."""
        self._next += 1
        folder = Path(tempfile.mkdtemp(prefix=f"visitor-{self._next}-", dir=self.root))
        target = folder / DEMO_NAME
        source = sqlite3.connect(f"{self.path.as_uri()}?mode=ro", uri=True)
        try:
            copy = sqlite3.connect(target)
            try:
                source.backup(copy)
            finally:
                copy.close()
        except sqlite3.Error:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        finally:
            source.close()
        return target


def discard(copy: Path) -> None:
    """Delete a visitor's copy: its folder, with the database and its -wal/-shm files."""
    shutil.rmtree(copy.parent, ignore_errors=True)
