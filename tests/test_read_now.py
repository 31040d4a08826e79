"""A screen's first read on the UI thread (TalentApp.read_now, Database.session_within): kept
to a time limit by SQLite itself, refused while the database is still opening, and leaving
the pooled connection as it found it."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from talent_tui.app import TalentApp
from talent_tui.store import db as dbmod
from talent_tui.store.handle import DatabaseFile
from talent_tui.store.sqlitefile import ReadTooLong
from tests import factories

# A statement that runs for seconds: a recursive count to fifty million.
SLOW = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50000000) SELECT count(*) FROM n"


def test_a_read_past_its_limit_is_stopped_and_the_connection_is_clean(
    database: dbmod.Database,
) -> None:
    with database.transaction() as s:
        factories.creator(s, name="Mina Park")
    with pytest.raises(ReadTooLong), database.session_within(0.05) as session:
        session.execute(sa.text(SLOW)).scalar_one()
    # The same pooled connection answers afterwards, without a time limit left on it.
    with database.session_within(5) as session:
        assert session.execute(sa.text("SELECT count(*) FROM creators")).scalar_one() == 1
    with database.session() as session:
        assert (
            session.execute(sa.text("SELECT count(*) FROM (SELECT 1 FROM creators)")).scalar_one()
            == 1
        )
        small = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300000) SELECT count(*) FROM n"
        assert session.execute(sa.text(small)).scalar_one() == 300_000


def test_other_errors_pass_through(database: dbmod.Database) -> None:
    with pytest.raises(sa.exc.OperationalError), database.session_within(1) as session:
        session.execute(sa.text("SELECT * FROM no_such_table"))


def test_read_now_waits_for_nothing(tmp_path: Path) -> None:
    path = tmp_path / "talent.db"
    dbmod.open_database(str(path)).dispose()
    quick = TalentApp(DatabaseFile(path))  # the ORM is opened after the first frame
    with pytest.raises(ReadTooLong):
        quick.read_now(lambda session: 1)
    opened = dbmod.open_database(str(path))
    app = TalentApp(opened)
    assert app.read_now(lambda s: s.execute(sa.text("SELECT 41 + 1")).scalar_one()) == 42
    with pytest.raises(ReadTooLong):
        app.read_now(lambda s: s.execute(sa.text(SLOW)).scalar_one(), within_s=0.05)
    opened.dispose()
