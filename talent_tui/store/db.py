"""The database handle: URL resolution, engine, SQLite pragmas, sessions, migrations on open.

Opening a database always brings its schema to the current Alembic head. A SQLite file that
already holds data is copied aside (``<name>.bak-<revision>``) before it is upgraded.
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, SQLModel

from talent_tui.core.config import settings
from talent_tui.store.pgurl import PG_CHANNEL, PG_CONNECT_ARGS
from talent_tui.store.sqlitefile import (  # noqa: F401 - re-exported for callers of store.db
    DEMO_APPLICATION_ID,
    SCHEMA_HEAD,
    DatabaseBusy,
    DatabaseError,
    DatabaseReadOnly,
    ReadTooLong,
    application_id,
    busy_timeout_ms,
    file_for,
    is_demo_file,
    is_url,
    path_to_url,
    read_only_connection,
    reading,
    refuse_foreign,
)

T = TypeVar("T")

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


# Tables and indexes that live outside the SQLModel metadata on purpose (the FTS5 search index
# and its shadow tables, the lower(name) index, the roster's partial sort indexes, which
# reflection cannot describe); migrations create them and schema comparison ignores them.
UNMANAGED_PREFIXES = ("creators_fts", "ix_creators_name_lower", "ix_creators_roster_")


def include_object(obj, name, type_, reflected, compare_to) -> bool:  # noqa: ANN001
    """Alembic filter: leave the unmanaged tables and indexes (UNMANAGED_PREFIXES) out of
    autogenerate."""
    unmanaged = name is not None and name.startswith(UNMANAGED_PREFIXES)
    return not (type_ in ("table", "index") and unmanaged)


def resolve_url(db: str | None = None) -> str:
    """`--db PATH|URL`, else $TALENT_DB, else the user's data directory, as a URL (the rule
    itself is `sqlitefile.file_for`)."""
    path = file_for(db)
    if path is not None:
        return path_to_url(path)
    return db or settings().db or ""


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
    # The wait comes first: switching a new file to WAL takes a lock that another process
    # opening the same file at the same moment may hold for a few milliseconds.
    cursor.execute(f"PRAGMA busy_timeout={busy_timeout_ms()}")
    cursor.execute("PRAGMA foreign_keys=ON")
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
    except sqlite3.OperationalError as exc:
        if not _is_read_only(exc):
            raise
        # A read-only file that is not in WAL mode yet: it can still be read as it is.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


WRITE = {"talent_write": True}


def _on_sqlite_begin(connection: sa.Connection) -> None:
    # A transaction that will write takes the write lock at BEGIN (IMMEDIATE), so two writers
    # queue on busy_timeout instead of one failing with "database is locked" when a read
    # transaction tries to turn into a write one.
    immediate = connection.get_execution_options().get("talent_write", False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _is_read_only(exc: BaseException) -> bool:
    code = getattr(exc, "sqlite_errorname", "")
    return code.startswith("SQLITE_READONLY") or "readonly database" in str(exc)


def _is_busy(exc: BaseException) -> bool:
    code = getattr(exc, "sqlite_errorname", "")
    return code.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "database is locked" in str(exc)


def _on_sqlite_error(context: sa.engine.ExceptionContext) -> None:
    """Turn SQLite's "locked" and "read-only" into refusals a person can act on (exit code 3
    in the CLI, a notice in the app), instead of an internal error with a statement echo."""
    original = context.original_exception
    if not isinstance(original, sqlite3.Error):
        return
    where = _describe_engine(context)
    if _is_busy(original):
        raise DatabaseBusy(
            f"another talent is writing to {where} and did not finish within "
            f"{settings().wait_s:g} s; nothing was changed. Try again when it has finished "
            f"(or set TALENT_WAIT to wait longer)."
        ) from original
    if _is_read_only(original):
        raise DatabaseReadOnly(
            f"{where} is read-only: talent can show it but not change it; nothing was "
            "changed. Check the file's permissions (and its folder's)."
        ) from original


def _describe_engine(context: sa.engine.ExceptionContext) -> str:
    engine = context.engine
    if engine is None and context.connection is not None:
        engine = context.connection.engine
    return describe_url(str(engine.url)) if engine is not None else "the database"


# ---- PostgreSQL: one writer at a time, as on SQLite ---------------------------------------
# A transaction that will write (`Database.writer`, `transaction`, imports, migrations) first
# takes a transaction-scoped advisory lock, the same key for every talent on the database, and
# holds it until it commits or rolls back: talent's writers queue behind each other exactly as
# SQLite's BEGIN IMMEDIATE makes them, and each then reads (READ COMMITTED: every statement sees
# what was committed before it) the state the previous writer left. So two managers accepting
# and declining one offer, paying one invoice twice or importing the same keys at once get
# what one after the other would: the second is refused in words ("campaign 12 is accepted; it
# cannot become declined"), or updates what the first inserted, never a doubled row or a
# UniqueViolation. Readers never take it (MVCC: they see the last commit and never wait). The
# wait is bounded by TALENT_WAIT (`lock_timeout`), past which the writer gets DatabaseBusy, as
# on SQLite. Services also lock the row they change (`store.locks.for_change`), so a writer
# that is not talent's (or a later one without this lock) cannot slip between a check and its
# change either.
CHANNEL = PG_CHANNEL  # NOTIFY channel of talent's commits (store.watch listens)
PG_WRITE_LOCK = 0x74616C656E74  # "talent": one key per database (advisory locks are per database)
_PG_LOCK_NOT_AVAILABLE = "55P03"
_PG_DEADLOCK = "40P01"
_PG_SERIALIZATION = "40001"


def _on_pg_begin(connection: sa.Connection) -> None:
    mode = connection.get_execution_options().get("talent_write", False)
    if not mode:
        return
    if mode == "nowait":
        got = connection.exec_driver_sql(f"SELECT pg_try_advisory_xact_lock({PG_WRITE_LOCK})")
        if not got.scalar():
            raise DatabaseBusy(
                f"another talent is writing to {describe_url(str(connection.engine.url))}; "
                "nothing was changed"
            )
        _notify(connection)
        return
    # 0 would mean "wait for ever" to PostgreSQL; TALENT_WAIT=0 means "do not wait".
    connection.exec_driver_sql(f"SET LOCAL lock_timeout = {max(1, busy_timeout_ms())}")
    connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({PG_WRITE_LOCK})")
    _notify(connection)


def _notify(connection: sa.Connection) -> None:
    """Tell every open talent that this transaction changed the database: PostgreSQL holds
    the NOTIFY until the commit and drops it on a rollback (store.watch.PgChangeWatcher)."""
    connection.exec_driver_sql(f"NOTIFY {CHANNEL}")


def _on_pg_error(context: sa.engine.ExceptionContext) -> None:
    """PostgreSQL's "could not obtain lock" (TALENT_WAIT passed), deadlock and serialization
    failures: the same refusal as SQLite's "locked" (exit code 3, a notice in the app)."""
    code = getattr(context.original_exception, "sqlstate", None)
    if code in (_PG_LOCK_NOT_AVAILABLE, _PG_DEADLOCK, _PG_SERIALIZATION):
        raise DatabaseBusy(
            f"another talent is writing to {_describe_engine(context)} and did not finish "
            f"within {settings().wait_s:g} s; nothing was changed. Try again when it has "
            "finished (or set TALENT_WAIT to wait longer)."
        ) from context.original_exception


def _engine_options(url: str) -> dict[str, Any]:
    """psycopg prepares a statement on the server after its 5th run and then keeps one
    generic plan for it. An import runs the same lookup (`handle IN (…500 keys)`) on a table
    it is filling: planned while the table was small, the kept plan scanned the whole table
    for every batch, comparing each row with each key, and 100,000 creators took 2 minutes
    (10,000: 3 s). Without server-side prepared statements every statement is planned with
    its values and the table as it is (100,000 in seconds). The options are
    `pgurl.PG_CONNECT_ARGS`, which the app's first reads (before this engine) use too."""
    if sa.engine.make_url(url).get_backend_name() == "postgresql":
        return {"connect_args": dict(PG_CONNECT_ARGS)}
    return {}


def make_engine(url: str) -> Engine:
    path = sqlite_path(url)
    if path is not None:
        _prepare_sqlite_file(path)
    engine = sa.create_engine(url, **_engine_options(url))
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", _on_sqlite_connect)
        sa.event.listen(engine, "begin", _on_sqlite_begin)
        sa.event.listen(engine, "handle_error", _on_sqlite_error)
    elif engine.dialect.name == "postgresql":
        sa.event.listen(engine, "begin", _on_pg_begin)
        sa.event.listen(engine, "handle_error", _on_pg_error)
        # team mode: a change the login may not make, said in words (store.roles)
        from talent_tui.store import roles

        roles.listen(engine)
    return engine


class NoSuchFolder(DatabaseError):
    """A database path (--db, TALENT_DB) in a folder that does not exist: bad input (exit
    code 1), never a folder and an empty database made up on the spot."""


def _prepare_sqlite_file(path: Path) -> None:
    """Create an empty file (0600) before SQLite does. The folder must exist: talent's own
    data folder always does (it is made private, 0700), and a folder named by --db or
    TALENT_DB that does not is most likely a typo, not a place to start a new roster."""
    if not path.parent.is_dir():
        raise NoSuchFolder(
            f"cannot open database {path}: the folder {path.parent} does not exist; create "
            "it first, or check the path"
        )
    if not path.exists():
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
        os.close(fd)


@dataclass
class Database:
    """An open, migrated database. Services take sessions from it; nothing else opens one."""

    url: str
    engine: Engine
    backup: str | None = None  # the copy taken before the last schema upgrade, if any
    quick = False  # open already (see store.handle.DatabaseFile)

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

    def write_if_free(self, change: Callable[[Session], T]) -> tuple[bool, T | None]:
        """Run `change(session)` in one write transaction without waiting: (False, None)
        when another process is writing or the file is read-only, and nothing is done.
        For housekeeping that a reader must never wait behind."""
        with self.engine.connect() as connection:
            raw = connection.connection.driver_connection
            nowait = self.path is not None and raw is not None
            if nowait:
                raw.execute("PRAGMA busy_timeout=0")
            # PostgreSQL: the writers' lock is tried, not waited for (see _on_pg_begin).
            mode = WRITE if self.path is not None else {"talent_write": "nowait"}
            try:
                with (
                    Session(
                        bind=connection.execution_options(**mode), expire_on_commit=False
                    ) as session,
                    session.begin(),
                ):
                    return True, change(session)
            except (DatabaseBusy, DatabaseReadOnly):
                return False, None
            finally:
                if nowait:
                    with contextlib.suppress(sqlite3.Error):
                        raw.execute(f"PRAGMA busy_timeout={busy_timeout_ms()}")

    def describe(self) -> str:
        return describe_url(self.url)

    def open(self) -> Database:
        """Already open (the same call as on a `sqlitefile.DatabaseFile`)."""
        return self

    @contextmanager
    def reading(self, within_s: float | None = None) -> Iterator[Any]:
        """One read transaction for the roster's plain-SQL reads (`services.roster`): the
        stdlib driver on a SQLite file, else a session (its connection runs the same SQL).
        A time limit (`within_s`, see `sqlitefile.reading` and `session_within`) is kept on
        SQLite and PostgreSQL; elsewhere it is refused with `ReadTooLong` before any read."""
        path = self.path
        if path is not None:
            with reading(path, within_s) as connection:
                yield connection
        elif within_s is not None:
            with self.session_within(within_s) as session:
                yield session
        else:
            with self.session() as session:
                yield session

    @contextmanager
    def session_within(self, within_s: float) -> Iterator[Session]:
        """A session for a read on the UI thread (a screen's first view, a search keystroke's
        first page) stopped if it runs longer than `within_s` (`ReadTooLong`; the caller then
        asks a worker): SQLite's progress handler stops the whole read; PostgreSQL's
        statement_timeout (SET LOCAL, this transaction only) each statement of it, as the
        fast start's reads (`handle.DatabaseServer`). Elsewhere it is refused before any read."""
        if self.path is None:
            if self.engine.dialect.name != "postgresql":
                raise ReadTooLong(f"{self.describe()}: a read cannot be given a time limit")
            with self.session() as session:
                # Per statement: a read on the UI thread is two or three statements (a count
                # and a page), so each gets half the read's time, and a slow one gives way to
                # the worker about when SQLite's whole-read limit would.
                limit_ms = max(1, round(within_s * 1000 / 2))
                session.execute(sa.text(f"SET LOCAL statement_timeout = {limit_ms}"))
                try:
                    yield session
                except Exception as exc:
                    # Through the session (wrapped by SQLAlchemy) or its raw connection
                    # (services.roster's plain SQL): query_canceled either way.
                    if getattr(getattr(exc, "orig", exc), "sqlstate", None) == "57014":
                        message = f"a read of {self.describe()} took longer than {within_s:g} s"
                        raise ReadTooLong(message) from None
                    raise
                finally:
                    session.rollback()
            return
        with self.session() as session:
            raw = session.connection().connection.driver_connection
            deadline = time.perf_counter() + within_s
            raw.set_progress_handler(lambda: time.perf_counter() > deadline, 1_000)
            try:
                yield session
            except sa.exc.OperationalError as exc:
                if "interrupted" in str(exc.orig):
                    message = f"a read of {self.path} took longer than {within_s:g} s"
                    raise ReadTooLong(message) from None
                raise
            finally:
                raw.set_progress_handler(None, 0)
                session.rollback()

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


def mark_demo(database: Database) -> None:
    """Mark the database as built by `talent demo` (so `demo --reset` may empty it)."""
    if database.path is None:
        return
    with database.engine.begin() as conn:
        conn.exec_driver_sql(f"PRAGMA application_id={DEMO_APPLICATION_ID}")


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
        return _revision(conn)


def _revision(conn: sa.Connection) -> str | None:
    if not sa.inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


def _has_user_tables(conn: sa.Connection) -> bool:
    return any(name != "alembic_version" for name in sa.inspect(conn).get_table_names())


KEEP_BACKUPS = 3
# What follows `<file>` in the name of a copy talent made: only these are ever pruned (a
# `talent.db.bak-before-my-experiment` of the user's own is not talent's to delete).
_COPY_NAME = re.compile(r"\.bak-(?:\d{4}_[a-z0-9_]+|unversioned)-\d{8}T\d{12}Z")


def known_revisions(database: Database) -> set[str]:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config(database))
    return {rev.revision for rev in script.walk_revisions()}


def _refuse_newer(database: Database, revision: str | None) -> None:
    if revision is not None and revision not in known_revisions(database):
        raise DatabaseError(
            f"{database.describe()} was written by a newer version of talent (schema "
            f"{revision}); this version knows schemas up to {SCHEMA_HEAD}. Upgrade talent "
            "to open it; the file was not changed."
        )


def upgrade(database: Database) -> str | None:
    """Bring the schema to head, after copying the SQLite file aside. Returns the copy's path.
    A database written by a newer talent (an unknown revision) is refused, untouched.

    An up-to-date database is only read. Otherwise one process upgrades: it takes the write
    lock first (others opening the same file wait for it, up to TALENT_WAIT), looks at the
    revision again under the lock, and copies and upgrades in that one transaction, so
    several processes opening an old or new file at once make one copy and one upgrade."""
    revision = current_revision(database)
    if revision == SCHEMA_HEAD:
        return None
    _refuse_newer(database, revision)
    from alembic import command

    try:
        with database.engine.connect().execution_options(**WRITE) as conn, conn.begin():
            revision = _revision(conn)  # another process may have upgraded meanwhile
            if revision == SCHEMA_HEAD:
                return None
            _refuse_newer(database, revision)
            backup: str | None = None
            if database.path is not None and _has_user_tables(conn):
                backup = str(backup_before_migration(database, revision))
            config = alembic_config(database)
            config.attributes["connection"] = conn
            command.upgrade(config, "head")
    except DatabaseReadOnly:
        raise DatabaseReadOnly(
            f"{database.describe()} needs a schema upgrade (from {revision or 'nothing'} to "
            f"{SCHEMA_HEAD}) but it is read-only; it was not changed. Open it once with "
            "write permission."
        ) from None
    return backup


def backup_before_migration(database: Database, revision: str | None) -> Path:
    """`<file>.bak-<old revision>-<UTC time>` beside the database; the newest few are kept.
    Only finished copies count (a failed copy leaves nothing behind)."""
    from datetime import UTC, datetime

    path = database.path
    assert path is not None
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = path.with_name(f"{path.name}.bak-{revision or 'unversioned'}-{stamp}")
    backup_sqlite(database, target)
    copies = sorted(
        (
            p
            for p in path.parent.glob(f"{path.name}.bak-*")
            if _COPY_NAME.fullmatch(p.name[len(path.name) :])
        ),
        key=lambda p: p.stat().st_mtime,
    )
    for old in copies[:-KEEP_BACKUPS]:
        old.unlink(missing_ok=True)
    return target


@dataclass(frozen=True)
class CheckReport:
    integrity: list[str]
    foreign_keys: list[str]
    # Rows per table (PostgreSQL: every table of the schema; SQLite: talent's tables).
    rows: dict[str, int] = field(default_factory=dict)
    how: str = "sqlite"  # which checks ran: "sqlite" (PRAGMAs) or "postgresql" (pgtools)

    @property
    def ok(self) -> bool:
        return self.integrity == ["ok"] and not self.foreign_keys


def check(database: Database) -> CheckReport:
    """SQLite's integrity check and foreign-key check, or on PostgreSQL every foreign key and
    CHECK constraint tested against the rows (`store.pgtools.check`); as lines for people,
    with every table's row count."""
    with database.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            from talent_tui.store import pgtools

            found = pgtools.check(conn)
            return CheckReport(
                found.constraints or ["ok"], found.foreign_keys, found.rows, "postgresql"
            )
        integrity = [row[0] for row in conn.exec_driver_sql("PRAGMA integrity_check")]
        problems = [
            f"{table} row {rowid} points at a missing {parent}"
            for table, rowid, parent, _ in conn.exec_driver_sql("PRAGMA foreign_key_check")
        ]
        from talent_tui.store import models  # noqa: F401 - talent's tables, on the metadata

        present = set(sa.inspect(conn).get_table_names())
        rows = {
            table: int(conn.exec_driver_sql(f'SELECT count(*) FROM "{table}"').scalar() or 0)
            for table in sorted(present & set(SQLModel.metadata.tables))
        }
    return CheckReport(integrity, problems, rows)


def backup_sqlite(database: Database, target: Path) -> None:  # noqa: D401
    """A consistent copy through SQLite's online backup API (safe with WAL and live readers),
    private to the user (0600) from its first byte, in place only once it is complete."""
    source = database.path
    if source is None:
        raise DatabaseError("backups are only available for SQLite files")
    tmp = target.with_name(target.name + ".tmp")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(tmp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600))
        with (
            contextlib.closing(read_only_connection(source)) as src,
            contextlib.closing(sqlite3.connect(tmp)) as dst,
        ):
            src.backup(dst)
        os.chmod(tmp, 0o600)
        os.replace(tmp, target)
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
