"""A talent SQLite file before SQLAlchemy is loaded: where it is, whether it is talent's and
current, and plain reads through the stdlib driver.

The TUI paints its first frame and the command line answers reads through this module, so
neither waits for the ORM to import (it costs several times what the read itself does).
Everything that writes, migrates or needs the models goes through `store.db` as before; this
module only ever reads (`PRAGMA query_only`), and it never changes the file.
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

from talent_tui.core import locations
from talent_tui.core.config import settings
from talent_tui.core.errors import DomainError

# Kept in step with the newest file in migrations/versions (a test checks it), so opening an
# up-to-date database needs no Alembic import at all.
SCHEMA_HEAD = "0016_zero_statements"

# PRAGMA application_id of a database built by `talent demo` ("TLDM"): only such a database
# may be thrown away by `demo --reset`. Setting it needs no schema change.
DEMO_APPLICATION_ID = 0x544C444D

# Talent's Alembic revisions are named NNNN_words (a newer talent's too).
_TALENT_REVISION = re.compile(r"^\d{4}_[a-z0-9_]+$")

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


class DatabaseError(DomainError):
    """The database cannot be opened or upgraded; the message says why and where."""


class DatabaseBusy(DatabaseError):
    """Another process held the write lock for longer than a change may wait."""


class DatabaseReadOnly(DatabaseError):
    """The database file (or its folder) cannot be written; reading it works."""


def is_url(value: str) -> bool:
    """A `scheme://…` URL; anything else given as a database is a plain file path."""
    return _SCHEME.match(value) is not None


def file_for(db: str | None = None) -> Path | None:
    """The SQLite file `--db PATH|URL` (else $TALENT_DB, else the user's data directory)
    names, or None when it is a URL (the full `store.db` path resolves those). A value
    without `scheme://` is a file path, whatever it contains (`?`, `%41`, `#` are part of the
    name); a folder is refused."""
    value = db or settings().db
    if value is None:
        return locations.default_db_path()
    if is_url(value):
        return None
    path = Path(value).expanduser()
    if value.endswith(("/", os.sep)) or path.is_dir():
        raise DatabaseError(
            f"{value} is a folder; give the database a file name, such as {path / 'talent.db'}"
        )
    return path


def path_to_url(path: Path) -> str:
    """The SQLite URL of a file. `%`, `?` and `#` are escaped so the URL parser hands the exact
    name back (it unquotes the database part and would take `?` as the start of options)."""
    text = str(path.resolve())
    for char, escaped in (("%", "%25"), ("?", "%3F"), ("#", "%23")):
        text = text.replace(char, escaped)
    return f"sqlite:///{text}"


def reason(exc: BaseException) -> str:
    """Why a file could not be read, in a few words."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc).strip() or type(exc).__name__


def read_only_connection(path: Path) -> sqlite3.Connection:
    """A connection that cannot change the file (no journal mode switch, no tables)."""
    uri = "file:" + urllib.parse.quote(str(path.resolve())) + "?mode=ro"
    return sqlite3.connect(uri, uri=True)


def application_id(path: Path) -> int | None:
    """The file's PRAGMA application_id, read without changing it; None when unreadable."""
    try:
        with contextlib.closing(read_only_connection(path)) as conn:
            return int(conn.execute("PRAGMA application_id").fetchone()[0])
    except (sqlite3.Error, OSError):
        return None


def is_demo_file(path: Path) -> bool:
    return application_id(path) == DEMO_APPLICATION_ID


def revision_of(path: Path) -> str | None:
    """The talent schema revision of a file (None: empty, or no talent tables yet). A file
    that is neither empty nor a talent database is refused, so it stays byte for byte as
    it was: nothing opens it for writing."""
    try:
        if not path.is_file() or path.stat().st_size == 0:
            return None
        with contextlib.closing(read_only_connection(path)) as conn:
            names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
            if not names:
                return None  # a SQLite file with nothing in it yet
            revision = None
            if "alembic_version" in names:
                row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
                revision = row[0] if row else None
    except sqlite3.Error as exc:
        raise DatabaseError(
            f"cannot open database {path}: {reason(exc)}; it is not a talent database and "
            "was not changed"
        ) from exc
    except OSError as exc:
        raise DatabaseError(f"cannot open database {path}: {reason(exc)}") from exc
    if not isinstance(revision, str) or not _TALENT_REVISION.match(revision):
        raise DatabaseError(
            f"cannot open database {path}: it is a SQLite file of another application, not a "
            "talent database; it was not changed. Give --db a new file name, or a talent "
            "database."
        )
    return revision


def refuse_foreign(path: Path) -> None:
    """Refuse a file that is neither empty nor a talent database (see `revision_of`)."""
    revision_of(path)


def is_current(path: Path) -> bool:
    """The file is a talent database at this version's schema: it can be read as it is,
    with no upgrade (and so without Alembic or the ORM)."""
    return revision_of(path) == SCHEMA_HEAD


def busy_timeout_ms() -> int:
    """How long a change waits for another writer (`TALENT_WAIT`, default 30 s)."""
    return int(settings().wait_s * 1000)


class ReadTooLong(DatabaseError):
    """A read given a time limit (`reading(path, within_s=…)`) did not finish within it."""


@contextlib.contextmanager
def reading(path: Path, within_s: float | None = None) -> Iterator[sqlite3.Connection]:
    """One read transaction on the file through the stdlib driver: every query inside sees
    the same committed state, and none can write. In WAL mode a reader never waits for a
    writer; the busy timeout covers the moment another process switches a file to WAL.

    With `within_s`, SQLite itself stops any statement still running after that many seconds
    (a progress handler) and `ReadTooLong` is raised: for a read on the UI thread that must
    not hold up the screen, which then asks a worker instead."""
    # mode=rw: a file deleted meanwhile is an error here, not a new empty database.
    uri = "file:" + urllib.parse.quote(str(path.resolve())) + "?mode=rw"
    connection = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
    try:
        connection.execute(f"PRAGMA busy_timeout={busy_timeout_ms()}")
        connection.execute("PRAGMA query_only=1")
        connection.execute("BEGIN")
        if within_s is not None:
            deadline = time.perf_counter() + within_s
            connection.set_progress_handler(lambda: time.perf_counter() > deadline, 1_000)
        try:
            yield connection
        except sqlite3.OperationalError as exc:
            if within_s is not None and "interrupted" in str(exc):
                raise ReadTooLong(f"a read of {path} took longer than {within_s:g} s") from None
            raise
    finally:
        with contextlib.suppress(sqlite3.Error):
            connection.rollback()
        connection.close()
