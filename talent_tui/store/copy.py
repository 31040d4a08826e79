"""Copying a whole database into another (`talent db copy`): a solo manager's SQLite file into
the team's PostgreSQL database, or a PostgreSQL database (what its login may see) into a new
SQLite file.

Rules:
- Every table of the models (`SQLModel.metadata`, parents before children) is copied row by
  row with its ids, through the models' column types (so UTC timestamps, money in minor units,
  dates and text arrive as they were). Tables outside the models are either rebuilt by the
  target itself (SQLite's search index `creators_fts`, filled by its triggers) or the schema's
  own (`alembic_version`, SQLite's `sqlite_*`); any other table is refused, not skipped.
- The source is only read, in one read transaction (one consistent snapshot); it must be at
  the current schema (an older one is refused: upgrading it would change it).
- The target is migrated to the current schema first, then filled in ONE transaction: on any
  failure nothing is left in it. It must be empty (no row in any table) unless `replace`:
  then its rows are deleted in that same transaction first.
- After the copy each table's rows are counted in the target, in the transaction, and compared
  with the source's; a difference rolls everything back. On PostgreSQL every id sequence is set
  past the largest copied id.
- The team-mode trigger that gives a new creator to the manager adding it stays out of the
  way (`talent.copying`): a copied creator keeps its manager or none.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import SQLModel

from talent_tui.store import db as dbmod

BATCH = 1_000
# Tables that are not the models' and are not copied: the schema's version, SQLite's own, and
# the search index a SQLite target rebuilds from its triggers.
NOT_COPIED_PREFIXES = ("alembic_version", "sqlite_", "creators_fts")

Progress = Callable[[str, int, int], None]  # (table, rows copied so far, rows in table)
Then = Callable[[sa.Connection], object]  # more work in the copy's transaction, once checked


class CopyError(dbmod.DatabaseError):
    """The copy was refused or failed; the target was left as it was."""


@dataclass(frozen=True)
class TableCount:
    table: str
    rows: int


def tables() -> list[sa.Table]:
    import talent_tui.store.models  # noqa: F401 - registers the tables

    return list(SQLModel.metadata.sorted_tables)


def _check_source(source: dbmod.Database) -> None:
    revision = dbmod.current_revision(source)
    if revision != dbmod.SCHEMA_HEAD:
        raise CopyError(
            f"{source.describe()} is at schema {revision or 'none'}, not {dbmod.SCHEMA_HEAD}: "
            "upgrade it first (talent db migrate); the copy never changes its source"
        )
    known = {table.name for table in tables()}
    names = sa.inspect(source.engine).get_table_names()
    strangers = sorted(
        name for name in names if name not in known and not name.startswith(NOT_COPIED_PREFIXES)
    )
    if strangers:
        raise CopyError(
            f"{source.describe()} holds tables talent does not know ({', '.join(strangers)}); "
            "nothing was copied"
        )


def _counts(connection: sa.Connection) -> dict[str, int]:
    return {
        table.name: int(
            connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
        )
        for table in tables()
    }


def copy_database(
    source: dbmod.Database,
    target: dbmod.Database,
    *,
    replace: bool = False,
    progress: Progress | None = None,
    then: Then | None = None,
) -> list[TableCount]:
    """Copy every table of `source` into `target` (see the module's rules). Returns the rows
    copied per table, in copy order. `then(connection)` runs in the same transaction after
    the counts were checked (a failure there undoes the copy too)."""
    _check_source(source)
    if source.url == target.url:
        raise CopyError("the source and the target are the same database")
    try:
        return _copy(source, target, replace, progress, then)
    except sa.exc.DBAPIError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else str(exc)
        raise CopyError(
            f"the copy into {target.describe()} failed ({reason}); nothing was copied"
        ) from exc


def _copy(
    source: dbmod.Database,
    target: dbmod.Database,
    replace: bool,
    progress: Progress | None,
    then: Then | None,
) -> list[TableCount]:
    with source.engine.connect() as read, read.begin():
        wanted = _counts(read)
        with target.engine.connect().execution_options(**dbmod.WRITE) as write, write.begin():
            if target.engine.dialect.name == "postgresql":
                _refuse_restricted_login(write, target)
                write.exec_driver_sql("SET LOCAL talent.copying = 'on'")
            present = {name: n for name, n in _counts(write).items() if n}
            if present and not replace:
                listed = ", ".join(f"{name} {n}" for name, n in sorted(present.items())[:6])
                raise CopyError(
                    f"{target.describe()} is not empty ({listed}); nothing was copied. "
                    "Use --replace to delete its rows and copy in their place."
                )
            for table in reversed(tables()):
                if present.get(table.name):
                    write.execute(table.delete())
            done: list[TableCount] = []
            for table in tables():
                total = wanted[table.name]
                copied = 0
                if progress is not None:
                    progress(table.name, 0, total)
                order = list(table.primary_key.columns)
                result = read.execution_options(yield_per=BATCH).execute(
                    sa.select(table).order_by(*order)
                )
                for chunk in result.partitions(BATCH):
                    write.execute(table.insert(), [dict(row._mapping) for row in chunk])
                    copied += len(chunk)
                    if progress is not None:
                        progress(table.name, copied, total)
                done.append(TableCount(table.name, copied))
            found = _counts(write)
            wrong = [
                f"{name}: {wanted[name]} in the source, {found[name]} in the copy"
                for name in wanted
                if wanted[name] != found[name]
            ]
            if wrong:
                raise CopyError("the counts differ, nothing was copied: " + "; ".join(wrong))
            if target.engine.dialect.name == "postgresql":
                _set_sequences(write)
            if then is not None:
                then(write)
    return done


def _refuse_restricted_login(connection: sa.Connection, target: dbmod.Database) -> None:
    role = connection.exec_driver_sql("SELECT talent_team_role()").scalar_one()
    if role not in ("owner", "admin"):
        raise CopyError(
            f"{target.describe()}: copying into a team database is for its owner or an admin "
            f"(this login is {role}); nothing was copied"
        )


def _set_sequences(connection: sa.Connection) -> None:
    """Every id sequence past the largest id (the next new row gets max + 1)."""
    for table in tables():
        key = list(table.primary_key.columns)
        if len(key) != 1 or not isinstance(key[0].type, sa.Integer | sa.BigInteger):
            continue
        column = key[0].name
        sequence = connection.execute(
            sa.text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table.name, "c": column}
        ).scalar_one()
        if sequence is None:
            continue
        connection.execute(
            sa.text(
                f"SELECT setval(:s, coalesce((SELECT max({column}) FROM {table.name}), 0) + 1,"
                " false)"
            ),
            {"s": sequence},
        )


@contextlib.contextmanager
def new_sqlite_file(path: Path) -> Iterator[dbmod.Database]:
    """A new SQLite database at `path`, made under a temporary name beside it and put in place
    only when the block succeeds (on failure nothing is left). An existing file is refused."""
    if path.exists():
        raise CopyError(f"{path} already exists; a copy never overwrites a file. Choose another")
    if not path.parent.is_dir():
        raise CopyError(f"{path.parent} does not exist; create the folder first")
    partial = path.with_name(f".{path.name}.partial-{os.getpid()}")
    database = dbmod.open_database(str(partial))
    try:
        yield database
        database.dispose()
        try:
            os.link(partial, path)  # never over a file that appeared meanwhile
        except FileExistsError:
            raise CopyError(f"{path} appeared meanwhile; the copy was not put there") from None
    finally:
        database.dispose()
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{partial}{suffix}").unlink(missing_ok=True)
