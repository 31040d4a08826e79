"""`talent db check` and `talent db backup` on both stores (issue 17): on PostgreSQL the check
tests every foreign key and CHECK constraint against the rows (no PRAGMA) and counts every
table; the backup is pg_dump's, and without pg_dump it says so and writes nothing."""

from __future__ import annotations

import json
import sqlite3
import stat
import subprocess
from pathlib import Path

import pytest
from sqlmodel import func, select
from typer.testing import CliRunner

from talent_tui.cli import main as cli
from talent_tui.store import db as dbmod
from talent_tui.store import pgtools
from talent_tui.store.models import Campaign, Creator, Rate
from tests import factories, pgserver

runner = CliRunner()


@pytest.fixture(autouse=True)
def _pinned_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TALENT_TODAY", "2026-11-01")  # the offers' reply dates are ahead


def run(db: dbmod.Database, *args: str):  # noqa: ANN201
    return runner.invoke(cli.app, ["--db", db.url, *args])


def filled(db: dbmod.Database) -> int:
    """Two creators, one campaign, one rate; the id of the rate."""
    with db.transaction() as s:
        creator = factories.creator(s)
        factories.offer(s, creator)
        factories.creator(s)
        rate = Rate(
            creator_id=creator.id, deliverable="video", amount_minor=150_000, currency="USD"
        )
        s.add(rate)
        s.flush()
        return int(rate.id)  # type: ignore[arg-type]


def test_check_passes_and_counts_every_table(database: dbmod.Database) -> None:
    filled(database)
    result = run(database, "db", "check", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["ok"] is True and report["foreign_keys"] == []
    assert report["integrity"] == ["ok"]
    assert report["store"] == database.engine.dialect.name
    with database.session() as s:
        stored = {
            "creators": s.exec(select(func.count()).select_from(Creator)).one(),
            "campaigns": s.exec(select(func.count()).select_from(Campaign)).one(),
        }
    assert stored == {"creators": 2, "campaigns": 1}
    assert {k: report["rows"][k] for k in stored} == stored
    assert report["rows"]["rates"] == 1
    human = run(database, "db", "check")
    assert "Foreign keys: ok" in human.stdout and "creators 2" in human.stdout
    assert "All good." in human.stdout


def _orphan(db: dbmod.Database, rate_id: int) -> None:
    """Point the rate at a creator that does not exist, past the foreign key."""
    if db.path is not None:
        with sqlite3.connect(db.path) as raw:  # foreign_keys is off on a plain connection
            raw.execute("UPDATE rates SET creator_id = 999999 WHERE id = ?", (rate_id,))
        return
    with db.engine.begin() as conn:  # as a restore with --disable-triggers would
        conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
        conn.exec_driver_sql(f"UPDATE rates SET creator_id = 999999 WHERE id = {rate_id}")


def test_check_finds_a_row_pointing_at_nothing(database: dbmod.Database) -> None:
    rate_id = filled(database)
    _orphan(database, rate_id)
    result = run(database, "db", "check", "--json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["ok"] is False
    assert len(report["foreign_keys"]) == 1
    line = report["foreign_keys"][0]
    assert line.startswith(f"rates row {rate_id} points at a missing creators")
    human = run(database, "db", "check")
    assert "Problems found" in human.stdout and f"rates row {rate_id}" in human.stdout


@pytest.fixture
def pg(pg_url: str) -> dbmod.Database:
    db = dbmod.open_database(pg_url)
    yield db  # type: ignore[misc]
    db.dispose()


def test_check_on_postgres_finds_rows_breaking_a_check_added_not_valid(
    pg: dbmod.Database,
) -> None:
    filled(pg)
    with pg.engine.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE campaigns DROP CONSTRAINT fee_not_negative")
        conn.exec_driver_sql("UPDATE campaigns SET fee_minor = -5")
        conn.exec_driver_sql(
            "ALTER TABLE campaigns ADD CONSTRAINT fee_not_negative CHECK (fee_minor >= 0) NOT VALID"
        )
        campaign_id = conn.exec_driver_sql("SELECT id FROM campaigns").scalar()
    report = dbmod.check(pg)
    assert not report.ok and report.foreign_keys == []
    assert report.integrity == [
        f"campaigns row {campaign_id} breaks fee_not_negative: (fee_minor >= 0)"
    ]
    result = run(pg, "db", "check")
    assert result.exit_code == 1
    assert f"Constraints: campaigns row {campaign_id} breaks fee_not_negative" in result.stdout


def test_backup_on_postgres_is_a_pg_dump_that_restores(
    pg: dbmod.Database,
    pg_databases: pgserver.Databases,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    filled(pg)
    monkeypatch.chdir(tmp_path)
    result = run(pg, "db", "backup")
    assert result.exit_code == 0, result.output
    assert "custom format: restore it with pg_restore" in result.stdout
    [dump] = list(tmp_path.glob("*-backup-*.dump"))
    assert stat.S_IMODE(dump.stat().st_mode) == 0o600
    assert not list(tmp_path.glob("*.tmp"))
    again = run(pg, "db", "backup", str(dump))
    assert again.exit_code == 1 and "already exists" in again.output
    copy = pg_databases.create()
    program = pgtools.pg_dump_path()
    assert program is not None
    restored = subprocess.run(
        [str(program.with_name("pg_restore")), "--no-owner", f"--dbname={_libpq(copy)}", str(dump)],
        capture_output=True,
        text=True,
    )
    assert restored.returncode == 0, restored.stderr
    back = dbmod.open_database(copy)
    try:
        with back.session() as s:
            assert s.exec(select(func.count()).select_from(Creator)).one() == 2
            assert s.exec(select(Rate.amount_minor)).all() == [150_000]
    finally:
        back.dispose()
        pg_databases.drop(copy)


def _libpq(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def test_backup_on_postgres_without_pg_dump_says_so_and_writes_nothing(
    pg: dbmod.Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "no-bin"))
    monkeypatch.setattr(pgtools, "PG_BIN_GLOB", str(tmp_path / "no-such" / "*" / "bin"))
    target = tmp_path / "copy.dump"
    result = run(pg, "db", "backup", str(target))
    assert result.exit_code == 1
    assert "pg_dump was not found" in result.output
    assert "postgresql-client" in result.output
    assert list(tmp_path.iterdir()) == []


def test_a_read_with_a_time_limit_is_kept_on_both_stores(database: dbmod.Database) -> None:
    """A search keystroke's first page and a screen's first view are read on the UI thread
    with a time limit (a worker answers when it is exceeded). On PostgreSQL the limit is the
    transaction's statement_timeout (it was refused, so every such read took a worker's
    round trip); the read sees the rows, and a longer one ends in ReadTooLong."""
    from talent_tui.services.roster import RosterQuery
    from talent_tui.store.plain import dbapi
    from talent_tui.store.sqlitefile import ReadTooLong

    with database.transaction() as s:
        factories.creator(s, name="Ana Lee", tiktok_handle="@ana.lee")
    with database.reading(within_s=5) as source:
        assert [r.name for r in RosterQuery(search="ana").page(source, 0, 10)] == ["Ana Lee"]
    with database.session_within(5) as session:
        assert session.exec(select(func.count()).select_from(Creator)).one() == 1
    slow = (
        "SELECT pg_sleep(1)"
        if database.engine.dialect.name == "postgresql"
        else "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT max(i) FROM n"
    )
    with pytest.raises(ReadTooLong, match="took longer than 0.05 s"):
        with database.reading(within_s=0.05) as source:
            cursor = dbapi(source).cursor()
            cursor.execute(slow)
            cursor.fetchall()
    with database.session() as s:  # the connection went back to the pool usable
        assert s.exec(select(func.count()).select_from(Creator)).one() == 1
