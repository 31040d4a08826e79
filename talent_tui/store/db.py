"""The database handle: URL resolution, engine, SQLite pragmas, sessions, migrations on open.

Opening a database always brings its schema to the current Alembic head. A SQLite file that
already holds data is copied aside (``<name>.bak-<revision>``) before it is upgraded.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import sqlite3
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session

from talent_tui.core import locations
from talent_tui.core.config import settings
from talent_tui.core.errors import DomainError

# Kept in step with the newest file in migrations/versions (a test checks it), so opening an
# up-to-date database needs no Alembic import at all.
SCHEMA_HEAD = "0003_deals"

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


# Tables that live outside the SQLModel metadata on purpose (the FTS5 search index and its
# shadow tables); migrations create them and schema comparison ignores them.
UNMANAGED_PREFIXES = ("creators_fts", "ix_creators_name_lower")


def include_object(obj, name, type_, reflected, compare_to) -> bool:  # noqa: ANN001
    """Alembic filter: leave the unmanaged search-index tables out of autogenerate."""
    unmanaged = name is not None and name.startswith(UNMANAGED_PREFIXES)
    return not (type_ in ("table", "index") and unmanaged)


class DatabaseError(DomainError):
    """The database cannot be opened or upgraded; the message says why and where."""


_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def is_url(value: str) -> bool:
    """A `scheme://…` URL; anything else given as a database is a plain file path."""
    return _SCHEME.match(value) is not None


def resolve_url(db: str | None = None) -> str:
    """`--db PATH|URL`, else $TALENT_DB, else the user's data directory. A value without
    `scheme://` is a file path, whatever it contains (`?`, `%41`, `#` are part of the name)."""
    value = db or settings().db
    if value is None:
        return path_to_url(locations.default_db_path())
    if is_url(value):
        return value
    return path_to_url(Path(value).expanduser())


def path_to_url(path: Path) -> str:
    """The SQLite URL of a file. `%`, `?` and `#` are escaped so the URL parser hands the exact
    name back (it unquotes the database part and would take `?` as the start of options)."""
    text = str(path.resolve())
    for char, escaped in (("%", "%25"), ("?", "%3F"), ("#", "%23")):
        text = text.replace(char, escaped)
    return f"sqlite:///{text}"


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL, or None for other databases, in-memory SQLite and URLs
    that do not parse (opening those reports the problem)."""
    try:
        parsed = make_url(url)
    except sa.exc.ArgumentError:
        return None
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    if parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def _on_sqlite_connect(dbapi_connection: sqlite3.Connection, _record) -> None:  # noqa: ANN001
    # The sqlite3 module's own transaction handling starts transactions late and turns
    # SAVEPOINT/RELEASE into a commit; SQLAlchemy's documented fix is to switch it off and
    # emit BEGIN ourselves (see _on_sqlite_begin), so every session is one real transaction.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


BUSY_TIMEOUT_MS = 30_000  # a writer waits this long for another writer (a big import) to finish
WRITE = {"talent_write": True}


def _on_sqlite_begin(connection: sa.Connection) -> None:
    # A transaction that will write takes the write lock at BEGIN (IMMEDIATE), so two writers
    # queue on busy_timeout instead of one failing with "database is locked" when a read
    # transaction tries to turn into a write one.
    immediate = connection.get_execution_options().get("talent_write", False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def make_engine(url: str) -> Engine:
    path = sqlite_path(url)
    if path is not None:
        _prepare_sqlite_file(path)
    engine = sa.create_engine(url)
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", _on_sqlite_connect)
        sa.event.listen(engine, "begin", _on_sqlite_begin)
    return engine


def _prepare_sqlite_file(path: Path) -> None:
    """Create the parent directory (0700) and an empty file (0600) before SQLite does."""
    if not path.parent.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not path.exists():
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
        os.close(fd)


@dataclass
class Database:
    """An open, migrated database. Services take sessions from it; nothing else opens one."""

    url: str
    engine: Engine
    backup: str | None = None  # the copy taken before the last schema upgrade, if any

    @property
    def path(self) -> Path | None:
        return sqlite_path(self.url)

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    @contextmanager
    def writer(self) -> Iterator[Session]:
        """A session whose transactions take the write lock at BEGIN (see _on_sqlite_begin);
        the caller begins, commits or rolls back."""
        with self.engine.connect().execution_options(**WRITE) as connection:
            with Session(bind=connection, expire_on_commit=False) as session:
                yield session

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work that writes: commit on success, roll back everything on error."""
        with self.writer() as session, session.begin():
            yield session

    def describe(self) -> str:
        return describe_url(self.url)

    def dispose(self) -> None:
        self.engine.dispose()


def describe_url(url: str) -> str:
    """A database for people: the file path for SQLite, else the URL without its password."""
    path = sqlite_path(url)
    if path is not None:
        return str(path)
    try:
        return make_url(url).render_as_string()
    except sa.exc.ArgumentError:
        return url


def _reason(exc: BaseException) -> str:
    """Why opening failed, without SQLAlchemy's statement echo and "Background" link."""
    if isinstance(exc, ModuleNotFoundError):
        return f"no driver installed (Python module {exc.name!r} is missing)"
    if isinstance(exc, sa.exc.DBAPIError) and exc.orig is not None:
        return str(exc.orig).strip() or type(exc.orig).__name__
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    text = str(exc)
    return text.split("\n(Background on this error at:")[0].strip() or type(exc).__name__


# PRAGMA application_id of a database built by `talent demo` ("TLDM"): only such a database
# may be thrown away by `demo --reset`. Setting it needs no schema change.
DEMO_APPLICATION_ID = 0x544C444D

# Talent's Alembic revisions are named NNNN_words (a newer talent's too).
_TALENT_REVISION = re.compile(r"^\d{4}_[a-z0-9_]+$")


def _read_only(path: Path) -> sqlite3.Connection:
    """A connection that cannot change the file (no journal mode switch, no tables)."""
    uri = "file:" + urllib.parse.quote(str(path.resolve())) + "?mode=ro"
    return sqlite3.connect(uri, uri=True)


def application_id(path: Path) -> int | None:
    """The file's PRAGMA application_id, read without changing it; None when unreadable."""
    try:
        with contextlib.closing(_read_only(path)) as conn:
            return int(conn.execute("PRAGMA application_id").fetchone()[0])
    except (sqlite3.Error, OSError):
        return None


def is_demo_file(path: Path) -> bool:
    return application_id(path) == DEMO_APPLICATION_ID


def mark_demo(database: Database) -> None:
    """Mark the database as built by `talent demo` (so `demo --reset` may empty it)."""
    if database.path is None:
        return
    with database.engine.begin() as conn:
        conn.exec_driver_sql(f"PRAGMA application_id={DEMO_APPLICATION_ID}")


def refuse_foreign(path: Path) -> None:
    """A file that is neither empty nor a talent database (talent's `alembic_version`) is
    refused before anything opens it for writing, so it stays byte for byte as it was."""
    try:
        if not path.is_file() or path.stat().st_size == 0:
            return
        with contextlib.closing(_read_only(path)) as conn:
            names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
            if not names:
                return  # a SQLite file with nothing in it yet
            revision = None
            if "alembic_version" in names:
                row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
                revision = row[0] if row else None
    except sqlite3.Error as exc:
        raise DatabaseError(
            f"cannot open database {path}: {_reason(exc)}; it is not a talent database and "
            "was not changed"
        ) from exc
    except OSError as exc:
        raise DatabaseError(f"cannot open database {path}: {_reason(exc)}") from exc
    if not isinstance(revision, str) or not _TALENT_REVISION.match(revision):
        raise DatabaseError(
            f"cannot open database {path}: it is a SQLite file of another application, not a "
            "talent database; it was not changed. Give --db a new file name, or a talent "
            "database."
        )


def open_database(db: str | None = None, *, migrate: bool = True) -> Database:
    url = resolve_url(db)
    path = sqlite_path(url)
    if path is not None:
        refuse_foreign(path)
    try:
        engine = make_engine(url)
        database = Database(url=url, engine=engine)
        if migrate:
            database.backup = upgrade(database)
    except DatabaseError:
        raise
    except (sa.exc.SQLAlchemyError, OSError, ImportError) as exc:
        raise DatabaseError(f"cannot open database {describe_url(url)}: {_reason(exc)}") from exc
    return database


def current_revision(database: Database) -> str | None:
    with database.engine.connect() as conn:
        if not sa.inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


def _has_user_tables(database: Database) -> bool:
    with database.engine.connect() as conn:
        return any(name != "alembic_version" for name in sa.inspect(conn).get_table_names())


KEEP_BACKUPS = 3


def known_revisions(database: Database) -> set[str]:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config(database))
    return {rev.revision for rev in script.walk_revisions()}


def upgrade(database: Database) -> str | None:
    """Bring the schema to head, after copying the SQLite file aside. Returns the copy's path.
    A database written by a newer talent (an unknown revision) is refused, untouched."""
    revision = current_revision(database)
    if revision == SCHEMA_HEAD:
        return None
    if revision is not None and revision not in known_revisions(database):
        raise DatabaseError(
            f"{database.describe()} was written by a newer version of talent (schema "
            f"{revision}); this version knows schemas up to {SCHEMA_HEAD}. Upgrade talent "
            "to open it; the file was not changed."
        )
    backup: str | None = None
    path = database.path
    if path is not None and _has_user_tables(database):
        backup = str(backup_before_migration(database, revision))
    from alembic import command

    command.upgrade(alembic_config(database), "head")
    return backup


def backup_before_migration(database: Database, revision: str | None) -> Path:
    """`<file>.bak-<old revision>-<UTC time>` beside the database; the newest few are kept."""
    from datetime import UTC, datetime

    path = database.path
    assert path is not None
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = path.with_name(f"{path.name}.bak-{revision or 'unversioned'}-{stamp}")
    backup_sqlite(database, target)
    copies = sorted(path.parent.glob(f"{path.name}.bak-*"), key=lambda p: p.stat().st_mtime)
    for old in copies[:-KEEP_BACKUPS]:
        old.unlink(missing_ok=True)
    return target


@dataclass(frozen=True)
class CheckReport:
    integrity: list[str]
    foreign_keys: list[str]

    @property
    def ok(self) -> bool:
        return self.integrity == ["ok"] and not self.foreign_keys


def check(database: Database) -> CheckReport:
    """SQLite's integrity check and foreign-key check, as lines for people."""
    with database.engine.connect() as conn:
        integrity = [row[0] for row in conn.exec_driver_sql("PRAGMA integrity_check")]
        problems = [
            f"{table} row {rowid} points at a missing {parent}"
            for table, rowid, parent, _ in conn.exec_driver_sql("PRAGMA foreign_key_check")
        ]
    return CheckReport(integrity, problems)


def backup_sqlite(database: Database, target: Path) -> None:  # noqa: D401
    """A consistent copy through SQLite's online backup API (safe with WAL and live readers)."""
    source = database.path
    if source is None:
        raise DatabaseError("backups are only available for SQLite files")
    tmp = target.with_name(target.name + ".tmp")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with sqlite3.connect(source) as src, sqlite3.connect(tmp) as dst:
            src.backup(dst)
        os.chmod(tmp, 0o600)
        shutil.move(tmp, target)
    except (OSError, sqlite3.Error) as exc:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise DatabaseError(f"cannot write {target}: {_reason(exc)}") from exc


def alembic_config(database: Database):  # noqa: ANN201 - alembic is imported lazily
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = database.engine
    return config
