"""Bulk inserts on SQLite that let SQLite's work and the caller's run at once.

A large import spends about a third of its time inside SQLite, putting rows into a table and
its indexes while the interpreter waits, and the rest preparing rows in Python while SQLite
waits. `MovingInserts` overlaps the two on a machine with a second core: each batch of rows
is written on the caller's thread (executemany) into a TEMP staging table, which has no index
and costs little, and one `INSERT INTO table … SELECT … FROM staging` then moves the batch
into the table on a worker thread while the caller prepares the next batch. sqlite3 lets
other threads run while SQLite executes a statement, and a single statement takes the
interpreter's lock back only once, when it ends. (A worker running executemany itself would
take the lock back after every row, each time waiting for the caller's thread to give it up:
far slower than not overlapping at all.)

The rules:

- The connection is the caller's and so is the write transaction: the moves are part of it,
  committed or rolled back with everything else. The caller must hold the write lock already
  (talent's writers take it at BEGIN), so a move never waits for another process.
- While a move runs nothing else may use the connection. `add` first waits for the move in
  flight; the caller calls `wait()` before it uses the connection for anything else, and
  `close()` at the end (it waits, then drops the staging table).
- An error a move raised is raised by the next `add`, `wait` or `close`, as SQLAlchemy raises
  a driver's error (a `sqlalchemy.exc.DBAPIError` subclass such as IntegrityError).
- The staging columns have no type, so a value stays exactly as bound until the move gives it
  the table column's affinity, as executemany would; the move reads the staging table in the
  order the rows were added, so the rows get the ids executemany would have given them.

SQLite only: on another database `for_connection` gives None and the caller inserts as usual.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor

import sqlalchemy as sa


class MovingInserts:
    """Rows for `table`'s `columns` in batches: see the module's rules."""

    def __init__(self, connection: sa.Connection, table: str, columns: Sequence[str]):
        raw = connection.connection.driver_connection
        if not isinstance(raw, sqlite3.Connection):
            raise TypeError("MovingInserts works on SQLite only")
        self._connection = connection
        self._raw = raw
        quote = connection.dialect.identifier_preparer.quote
        names = ", ".join(quote(c) for c in columns)
        stage = quote(f"talent_staging_{table}")
        self._stage = f"temp.{stage}"
        self._insert = f"INSERT INTO {self._stage} VALUES ({', '.join('?' * len(columns))})"
        self._move = (
            f"INSERT INTO {quote(table)} ({names}) SELECT {names} FROM {self._stage} ORDER BY rowid"
        )
        self._clear = f"DELETE FROM {self._stage}"
        connection.exec_driver_sql(f"DROP TABLE IF EXISTS {self._stage}")
        connection.exec_driver_sql(f"CREATE TEMP TABLE {stage} ({names})")
        self._pool: ThreadPoolExecutor | None = ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="talent-moves"
        )
        self._pending: Future[None] | None = None
        self._moved = False  # the staging table holds rows already moved

    @classmethod
    def for_connection(
        cls, connection: sa.Connection, table: str, columns: Sequence[str]
    ) -> MovingInserts | None:
        """A MovingInserts on a SQLite connection; None on any other."""
        if not isinstance(connection.connection.driver_connection, sqlite3.Connection):
            return None
        return cls(connection, table, columns)

    def add(self, rows: Sequence[Sequence[object]]) -> None:
        """Stage `rows` (tuples in the order of `columns`) and start moving them."""
        self.wait()
        if not rows:
            return
        if self._pool is None:
            raise RuntimeError("MovingInserts is closed")
        if self._moved:  # the last batch's rows, moved: emptied here (a quick truncate)
            self._connection.exec_driver_sql(self._clear)
        self._connection.exec_driver_sql(self._insert, list(rows))
        self._pending = self._pool.submit(self._move_staged)
        self._moved = True

    def _move_staged(self) -> None:
        """On the worker thread: the staged rows into the table. One statement: each one
        the worker runs ends by waiting for the interpreter's lock, which the caller's
        thread, busy with the next batch, gives up only at its switch interval."""
        cursor = self._raw.cursor()
        try:
            cursor.execute(self._move)
        finally:
            cursor.close()

    def wait(self) -> None:
        """Until the move in flight has ended; its error, if it had one."""
        pending, self._pending = self._pending, None
        if pending is None:
            return
        try:
            pending.result()
        except sqlite3.Error as exc:
            raise sa.exc.DBAPIError.instance(
                self._move, None, exc, sqlite3.Error, dialect=self._connection.dialect
            ) from exc

    def close(self) -> None:
        """Wait for the last move, drop the staging table, stop the worker."""
        pool, self._pool = self._pool, None
        if pool is None:
            return
        try:
            self.wait()
        finally:
            pool.shutdown(wait=True)
            self._connection.exec_driver_sql(f"DROP TABLE IF EXISTS {self._stage}")
