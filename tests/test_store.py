"""The store: where the database lives, how it is opened, and that migrations match models."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlmodel import SQLModel

from talent_tui.core import locations
from talent_tui.store import db as dbmod
from talent_tui.store import models


def test_url_prefers_flag_then_env_then_user_data_dir(tmp_path: Path, monkeypatch) -> None:
    default = dbmod.resolve_url(None)
    assert dbmod.sqlite_path(default) == locations.data_home() / "talent.db"
    assert str(tmp_path) not in default

    monkeypatch.setenv("TALENT_DB", str(tmp_path / "env.db"))
    assert dbmod.sqlite_path(dbmod.resolve_url(None)) == (tmp_path / "env.db").resolve()

    flag = tmp_path / "flag.db"
    assert dbmod.sqlite_path(dbmod.resolve_url(str(flag))) == flag.resolve()
    assert dbmod.resolve_url("sqlite:///:memory:") == "sqlite:///:memory:"


def test_first_open_creates_private_dir_and_file(tmp_path: Path) -> None:
    database = dbmod.open_database(None)
    path = database.path
    assert path is not None and path.exists()
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    database.dispose()


def test_every_connection_gets_the_pragmas(database: dbmod.Database) -> None:
    with database.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == dbmod.busy_timeout_ms()


def test_foreign_keys_are_enforced(database: dbmod.Database) -> None:
    with pytest.raises(sa.exc.IntegrityError), database.transaction() as session:
        session.add(
            models.Rate(creator_id=999, deliverable="video", amount_minor=1, currency="USD")
        )
        session.flush()


def test_open_applies_the_baseline_migration(database: dbmod.Database) -> None:
    assert dbmod.current_revision(database) == dbmod.SCHEMA_HEAD
    with database.engine.connect() as conn:
        tables = set(sa.inspect(conn).get_table_names())
    assert {
        "creators",
        "metric_snapshots",
        "audience_segments",
        "rates",
        "brands",
        "campaigns",
    } <= tables


def test_schema_head_constant_is_the_newest_migration(database: dbmod.Database) -> None:
    script = ScriptDirectory.from_config(dbmod.alembic_config(database))
    assert script.get_current_head() == dbmod.SCHEMA_HEAD


@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
def test_autogenerate_finds_no_difference_between_migrations_and_models(
    database: dbmod.Database,
) -> None:
    with database.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_object": dbmod.include_object}
        )
        diff = compare_metadata(context, SQLModel.metadata)
    assert diff == []


def test_reopening_an_up_to_date_database_takes_no_backup(tmp_path: Path) -> None:
    path = tmp_path / "t.db"
    first = dbmod.open_database(str(path))
    assert dbmod.upgrade(first) is None
    first.dispose()
    dbmod.open_database(str(path)).dispose()
    assert not list(tmp_path.glob("t.db.bak-*"))


def test_a_file_that_is_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "notes.db"
    bad.write_text("this is not sqlite\n" * 100)
    with pytest.raises(dbmod.DatabaseError, match="notes.db"):
        dbmod.open_database(str(bad))


def test_upgrade_from_the_baseline_keeps_data_backs_up_and_backfills(tmp_path: Path) -> None:
    from alembic import command

    path = tmp_path / "old.db"
    old = dbmod.Database(
        url=dbmod.path_to_url(path), engine=dbmod.make_engine(dbmod.path_to_url(path))
    )
    command.upgrade(dbmod.alembic_config(old), "0001_baseline")
    with old.engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO creators (id, name, tiktok_handle, followers, tags, commission_bp,"
            " notes, created_at, updated_at) VALUES (1, 'Mina Park', '@mina.park', 1100, '', 0,"
            " '', '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
        )
        conn.exec_driver_sql(
            "INSERT INTO metric_snapshots (creator_id, captured_on, followers) VALUES"
            " (1, '2026-10-01', 1000), (1, '2026-10-31', 1100)"
        )
        conn.exec_driver_sql(
            "INSERT INTO brands (id, name, notes, created_at) VALUES"
            " (1, 'Oat', '', '2026-01-01 00:00:00')"
        )
        conn.exec_driver_sql(
            "INSERT INTO campaigns (id, creator_id, brand_id, name, fee_minor, currency, status,"
            " respond_by, notes, created_at, updated_at) VALUES (1, 1, 1, 'Deal', 150000, 'USD',"
            " 'negotiating', '2026-12-01', '', '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
        )
    old.dispose()

    database = dbmod.open_database(str(path))
    assert dbmod.current_revision(database) == dbmod.SCHEMA_HEAD
    [backup] = tmp_path.glob("old.db.bak-0001_baseline-*")
    assert (
        dbmod.current_revision(dbmod.open_database(str(backup), migrate=False)) == "0001_baseline"
    )
    with database.session() as s:
        creator = s.get(models.Creator, 1)
        assert creator.name == "Mina Park"
        assert creator.follower_growth_30d == pytest.approx(0.1)
        from talent_tui.services import roster

        assert [r.id for r in roster.list_creators(s, search="mina")] == [1]  # search index built
        [offer] = s.exec(sa.select(models.Offer)).scalars().all()  # terms became version 1
        assert (offer.campaign_id, offer.version, offer.fee_minor, offer.currency) == (
            1,
            1,
            150000,
            "USD",
        )
        assert offer.proposed_by is models.Party.BRAND
    database.dispose()


def test_a_failed_write_inside_a_savepoint_leaves_nothing(database: dbmod.Database) -> None:
    """SQLite's driver would commit on RELEASE SAVEPOINT; our engine must not."""
    with pytest.raises(RuntimeError), database.transaction() as session:
        session.execute(sa.text("SELECT 1"))
        with session.begin_nested():
            session.add(models.Creator(name="Ghost", tiktok_handle="@ghost"))
        raise RuntimeError("abort the outer transaction")
    with database.session() as session:
        assert session.execute(sa.text("SELECT count(*) FROM creators")).scalar() == 0
