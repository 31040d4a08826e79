"""The creators' search index (SQLite FTS5 `creators_fts`, made by migration 0002) during a
bulk insert: the index is filled once for the new rows instead of by the after-insert
trigger row by row (that trigger is about 40% of a 100,000-row import).

`deferred_insert_indexing(connection)` runs inside the caller's write transaction:

1. it reads the after-insert trigger's SQL from `sqlite_master` (the definition lives once,
   in the migration) and drops the trigger. DDL is transactional in SQLite: other connections
   never see the trigger gone, and a rollback brings it back with everything else;
2. with the write lock held (the DROP takes it), it notes the largest creator id. Creators
   have no AUTOINCREMENT, so SQLite gives a new row max(id) + 1: every row inserted from here
   on has a larger id than the one noted, and no row stored before has. (An id freed by a
   delete is only reused when it is above the largest remaining one, so "larger than the
   largest id at the start, read in the same write transaction" is exactly the new rows.)
   Ids near 2**63 are the exception (SQLite then picks random free ids): such a table keeps
   the trigger;
3. when the block ends it adds exactly those rows to the index (one INSERT … SELECT) and
   creates the trigger again from the SQL it read.

Updates and deletes of stored rows inside the block go through their own triggers as always.
The block must not update or delete a row it inserted (that row is not in the index yet);
the importer never does (a handle appears once per file). It must be entered outside any
savepoint that could be rolled back before the block ends.

Other databases, and a SQLite file without the index or trigger, use the triggers (or no
index) as they are: the block then does nothing.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass

import sqlalchemy as sa

INDEX = "creators_fts"
INSERT_TRIGGER = "creators_fts_ai"
# Past this largest id SQLite may pick random free ids for new rows (at 2**63 - 1).
_MAX_SAFE_ID = 1 << 62

_FILL = (
    f"INSERT INTO {INDEX}(rowid, name, tiktok_handle) "
    "SELECT id, name, tiktok_handle FROM creators WHERE id > ?"
)


@dataclass(frozen=True, slots=True)
class Suspended:
    """An after-insert trigger dropped inside the current transaction: its SQL, and the
    largest creator id when it was dropped."""

    trigger_sql: str
    last_id: int


def _exists(connection: sa.Connection, kind: str, name: str) -> str | None:
    row = connection.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = ? AND name = ? AND tbl_name = ?",
        (kind, name, "creators" if kind == "trigger" else name),
    ).first()
    return None if row is None else str(row[0] or "")


def _in_transaction(connection: sa.Connection) -> bool:
    raw = connection.connection.driver_connection
    return bool(getattr(raw, "in_transaction", True))


def suspend(connection: sa.Connection) -> Suspended | None:
    """Drop the after-insert trigger inside the caller's (write) transaction, or return None
    and leave everything as it is: not SQLite, no index or trigger, ids near their limit."""
    if connection.dialect.name != "sqlite":
        return None
    if not connection.in_transaction() or not _in_transaction(connection):
        raise RuntimeError("the search index is suspended only inside a transaction")
    if _exists(connection, "table", INDEX) is None:
        return None
    trigger_sql = _exists(connection, "trigger", INSERT_TRIGGER)
    if not trigger_sql:
        return None
    largest = connection.exec_driver_sql("SELECT max(id) FROM creators").scalar()
    if largest is not None and largest >= _MAX_SAFE_ID:
        return None
    connection.exec_driver_sql(f"DROP TRIGGER {INSERT_TRIGGER}")
    # The DROP holds the write lock (a deferred transaction whose snapshot went stale fails
    # right there): read the largest id again under it.
    last_id = connection.exec_driver_sql("SELECT coalesce(max(id), 0) FROM creators").scalar()
    return Suspended(trigger_sql, int(last_id or 0))


def resume(connection: sa.Connection, suspended: Suspended) -> int:
    """Index the rows inserted since `suspend` and create the trigger again; the number of
    rows indexed."""
    filled = connection.exec_driver_sql(_FILL, (suspended.last_id,))
    connection.exec_driver_sql(suspended.trigger_sql)
    return max(filled.rowcount, 0)


@contextlib.contextmanager
def deferred_insert_indexing(connection: sa.Connection) -> Iterator[Suspended | None]:
    """Insert creators in the block; the index is filled once at its end (see the module's
    doc). Yields what was suspended, or None when the triggers stay (nothing to do)."""
    suspended = suspend(connection)
    if suspended is None:
        yield None
        return
    try:
        yield suspended
    except BaseException:
        # The caller rolls back, which restores the trigger; put it back anyway while the
        # transaction is alive, so a caller that commits after a failure still leaves the
        # trigger and a consistent index. A transaction SQLite already ended is left alone.
        if _in_transaction(connection):
            with contextlib.suppress(sa.exc.DBAPIError):
                resume(connection, suspended)
        raise
    resume(connection, suspended)
