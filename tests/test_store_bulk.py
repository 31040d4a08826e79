"""store.bulk.MovingInserts: batches staged on the caller's thread and moved into the table by
a worker, inside the caller's transaction: rows and ids as executemany would store them, a
rollback taking the moves back, a move's error raised on the caller's thread as SQLAlchemy
raises it, and nothing left behind (staging table, worker thread)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from talent_tui.store.bulk import MovingInserts
from talent_tui.store.db import make_engine

COLUMNS = ("code", "amount", "at", "note")


@pytest.fixture
def engine(tmp_path: Path) -> sa.Engine:
    made = make_engine(f"sqlite:///{tmp_path / 'bulk.db'}")  # a real BEGIN, as talent's
    with made.begin() as connection:
        connection.exec_driver_sql(
            "CREATE TABLE items (id INTEGER PRIMARY KEY, code VARCHAR(20) NOT NULL UNIQUE,"
            " amount BIGINT NOT NULL, at DATETIME, note TEXT)"
        )
        connection.exec_driver_sql("CREATE INDEX ix_items_amount ON items (amount, code)")
    return made


def _rows(start: int, count: int) -> list[tuple[object, ...]]:
    # "00042" is text in a VARCHAR column (TEXT affinity keeps it as written); the time is
    # text in a DATETIME (NUMERIC affinity) column and stays text; None stays NULL.
    return [
        (f"{n:05d}", n * 100, f"2026-10-{n % 28 + 1:02d} 10:00:00.000000", None if n % 3 else "x")
        for n in range(start, start + count)
    ]


def _stored(connection: sa.Connection) -> list[tuple[object, ...]]:
    return list(
        connection.exec_driver_sql(
            "SELECT id, code, typeof(code), amount, typeof(amount), at, typeof(at), note"
            " FROM items ORDER BY id"
        )
    )


def _staging_tables(connection: sa.Connection) -> list[str]:
    return [n for (n,) in connection.exec_driver_sql("SELECT name FROM sqlite_temp_master")]


def test_batches_are_stored_as_executemany_stores_them(engine: sa.Engine, tmp_path: Path) -> None:
    batches = [_rows(1, 700), _rows(701, 5), _rows(706, 1200)]
    with engine.begin() as connection:
        moving = MovingInserts(connection, "items", COLUMNS)
        for batch in batches:
            moving.add(batch)
        moving.close()
        assert _staging_tables(connection) == []
        moved = _stored(connection)
    plain = make_engine(f"sqlite:///{tmp_path / 'plain.db'}")
    with engine.connect() as source, plain.begin() as connection:
        (ddl,) = source.exec_driver_sql("SELECT sql FROM sqlite_master WHERE name = 'items'").one()
        connection.exec_driver_sql(ddl)
        for batch in batches:
            connection.exec_driver_sql(
                "INSERT INTO items (code, amount, at, note) VALUES (?, ?, ?, ?)", batch
            )
        assert _stored(connection) == moved
    assert len(moved) == 1905
    assert moved[41] == (
        42,
        "00042",
        "text",
        4200,
        "integer",
        "2026-10-15 10:00:00.000000",
        "text",
        "x",
    )
    assert not [t for t in threading.enumerate() if t.name.startswith("talent-moves")]


def test_a_rollback_takes_the_moved_rows_back(engine: sa.Engine) -> None:
    with engine.connect() as connection:
        transaction = connection.begin()
        moving = MovingInserts(connection, "items", COLUMNS)
        moving.add(_rows(1, 50))
        moving.add(_rows(51, 50))
        moving.close()
        assert connection.exec_driver_sql("SELECT count(*) FROM items").scalar() == 100
        transaction.rollback()
        assert connection.exec_driver_sql("SELECT count(*) FROM items").scalar() == 0
        assert _staging_tables(connection) == []


def test_a_moves_error_is_raised_on_the_callers_thread_as_sqlalchemy_raises_it(
    engine: sa.Engine,
) -> None:
    with engine.connect() as connection:
        transaction = connection.begin()
        moving = MovingInserts(connection, "items", COLUMNS)
        moving.add(_rows(1, 10))
        moving.add(_rows(5, 10))  # codes 00005…00009 again: the move breaks UNIQUE(code)
        with pytest.raises(sa.exc.IntegrityError, match="UNIQUE constraint failed: items.code"):
            moving.wait()
        moving.wait()  # the error was raised once; nothing is in flight now
        # The failed move changed nothing (SQLite undoes the statement); the connection and
        # its transaction go on.
        assert connection.exec_driver_sql("SELECT count(*) FROM items").scalar() == 10
        moving.close()
        assert _staging_tables(connection) == []
        transaction.rollback()
    assert not [t for t in threading.enumerate() if t.name.startswith("talent-moves")]


def test_an_error_is_raised_by_close_too_and_the_staging_table_still_goes(
    engine: sa.Engine,
) -> None:
    with engine.connect() as connection, connection.begin():
        moving = MovingInserts(connection, "items", COLUMNS)
        moving.add([("A", 1, None, None), ("A", 2, None, None)])
        with pytest.raises(sa.exc.IntegrityError):
            moving.close()
        assert _staging_tables(connection) == []
        with pytest.raises(RuntimeError, match="closed"):
            moving.add(_rows(1, 1))
