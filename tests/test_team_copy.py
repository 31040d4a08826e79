"""`talent db copy`: a solo SQLite file into the team's PostgreSQL database and back into a
new file, every table counted, values as they were, the source unchanged, and refusals that
leave everything as it was."""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from typer.testing import CliRunner

from talent_tui.cli import main as cli
from talent_tui.services import roster
from talent_tui.store import copy as copymod
from talent_tui.store import db as dbmod
from talent_tui.store.models import Creator, Rate


def digest(path: Path) -> str:
    """The file's bytes and its WAL's (after a checkpoint, so earlier writes are in the file)."""
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    wal = Path(f"{path}-wal")
    return hashlib.sha256(
        path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
    ).hexdigest()


def counts(url: str) -> dict[str, int]:
    database = dbmod.open_database(url)
    try:
        with database.engine.connect() as conn:
            return {
                table.name: conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
                for table in copymod.tables()
            }
    finally:
        database.dispose()


def copy(db: str, *args: str):  # noqa: ANN201
    return CliRunner().invoke(cli.app, ["--db", db, "db", "copy", *args])


WHEN = datetime(2026, 3, 29, 1, 30, 5, tzinfo=UTC)


def test_copy_to_postgres_and_back(demo_db: dbmod.Database, pg_url: str, tmp_path: Path) -> None:
    # Values that go wrong easily: a 64-bit money amount, a UTC time, unicode, a manager.
    with demo_db.transaction() as session:
        star = Creator(
            name="김민지 🎬 Zoë", tiktok_handle="@minji_zoe", followers=2_147_483_648,
            created_at=WHEN, updated_at=WHEN,
        )  # fmt: skip
        session.add(star)
        session.flush()
        assert star.id is not None
        session.add(Rate(creator_id=star.id, deliverable="video", amount_minor=3_000_000_000,
                         currency="KRW", updated_at=WHEN))  # fmt: skip
    run = CliRunner().invoke(cli.app, ["--db", demo_db.url, "--as", "mina", "team", "add", "mina"])
    assert run.exit_code == 0, run.output
    source = demo_db.path
    assert source is not None
    demo_db.dispose()
    before = digest(source)
    wanted = counts(str(source))
    assert wanted["creators"] > 10 and wanted["managers"] == 1 and wanted["rates"] > 1

    done = copy(str(source), "--to", pg_url)
    assert done.exit_code == 0, done.output
    assert f"creators {wanted['creators']:>10,}"[-10:] in done.stdout
    assert "every table's count checked" in done.stdout
    assert counts(pg_url) == wanted
    assert digest(source) == before  # the source was only read

    team_db = dbmod.open_database(pg_url)
    try:
        with team_db.session() as session:
            copied = session.exec(
                sa.select(Creator).where(Creator.tiktok_handle == "@minji_zoe")  # type: ignore[arg-type]
            ).scalar_one()
            assert (copied.name, copied.followers, copied.created_at) == (
                "김민지 🎬 Zoë",
                2_147_483_648,
                WHEN,
            )
            rate = session.exec(
                sa.select(Rate).where(Rate.creator_id == copied.id)  # type: ignore[arg-type]
            ).scalar_one()
            assert (rate.amount_minor, rate.currency, rate.updated_at) == (
                3_000_000_000,
                "KRW",
                WHEN,
            )
        # The sequences are past the copied ids: a new creator gets the next id.
        with team_db.transaction() as session:
            newcomer = Creator(name="New", tiktok_handle="@new_after_copy")
            session.add(newcomer)
            session.flush()
            assert newcomer.id == wanted["creators"] + 1  # the demo's ids are 1..N, no gaps
    finally:
        team_db.dispose()

    # A second copy into the same (now non-empty) database is refused, and changes nothing.
    again = copy(str(source), "--to", pg_url)
    assert again.exit_code == 3
    assert "is not empty" in again.stderr and "--replace" in again.stderr
    assert counts(pg_url)["creators"] == wanted["creators"] + 1

    # Back into a new file: the same counts, the same values, the search index rebuilt.
    back = tmp_path / "back.db"
    returned = copy(pg_url, "--to", str(back))
    assert returned.exit_code == 0, returned.output
    assert counts(str(back)) == wanted | {"creators": wanted["creators"] + 1}
    copied_file = dbmod.open_database(str(back))
    try:
        with copied_file.session() as session:
            found = roster.search_names(session, "민지 🎬")
            assert [r.tiktok_handle for r in found] == ["@minji_zoe"]
            assert roster.find_creator(session, "minji_zoe").created_at == WHEN
    finally:
        copied_file.dispose()
    assert not [p.name for p in tmp_path.iterdir() if "partial" in p.name]  # none left behind
    refused = copy(pg_url, "--to", str(back))
    assert refused.exit_code == 3 and "already exists" in refused.stderr


def test_replace_empties_the_target_first_in_the_same_transaction(
    database: dbmod.Database, pg_url: str
) -> None:
    with database.transaction() as session:
        session.add(Creator(name="Only", tiktok_handle="@only_one"))
    path = database.path
    assert path is not None
    target = dbmod.open_database(pg_url)
    with target.transaction() as session:
        session.add(Creator(name="Old", tiktok_handle="@old_one"))
    target.dispose()
    refused = copy(str(path), "--to", pg_url)
    assert refused.exit_code == 3 and "creators 1" in refused.stderr
    done = copy(str(path), "--to", pg_url, "--replace")
    assert done.exit_code == 0, done.output
    target = dbmod.open_database(pg_url)
    with target.engine.connect() as conn:
        handles = conn.exec_driver_sql("SELECT tiktok_handle FROM creators").scalars().all()
    target.dispose()
    assert handles == ["@only_one"]


def test_copy_refuses_an_older_source_and_odd_targets(tmp_path: Path) -> None:
    source = tmp_path / "solo.db"
    database = dbmod.open_database(str(source))
    database.dispose()
    to_url = copy(str(source), "--to", f"sqlite:///{tmp_path / 'x.db'}")
    assert to_url.exit_code == 1 and "as a file path" in to_url.stderr
    replace_file = copy(str(source), "--to", str(tmp_path / "y.db"), "--replace")
    assert replace_file.exit_code == 1
    no_folder = copy(str(source), "--to", str(tmp_path / "none" / "z.db"))
    assert no_folder.exit_code == 3 and "does not exist" in no_folder.stderr
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".db") == ["solo.db"]
    with sqlite3.connect(source) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0006_affiliates'")
    older = copy(str(source), "--to", str(tmp_path / "w.db"))
    assert older.exit_code == 3 and "upgrade it first" in older.stderr
    assert not (tmp_path / "w.db").exists()


def test_copy_with_an_owner_makes_them_the_admin_of_everything_copied(
    demo_db: dbmod.Database, pg_url: str
) -> None:
    import os

    owner = f"solo_{os.getpid()}"
    source = demo_db.path
    assert source is not None
    with demo_db.engine.connect() as conn:
        creators = conn.exec_driver_sql("SELECT count(*) FROM creators").scalar_one()
        affiliates = conn.exec_driver_sql("SELECT count(*) FROM affiliates").scalar_one()
        entries = conn.exec_driver_sql("SELECT count(*) FROM audit_entries").scalar_one()
    demo_db.dispose()
    done = copy(str(source), "--to", pg_url, "--owner", owner)
    assert done.exit_code == 0, done.output
    assert (
        f"{owner} is on the team as admin, responsible for {creators} creator(s) and "
        f"{affiliates} affiliate(s)."
    ) in done.stdout.replace("\n", " ")
    target = dbmod.open_database(pg_url)
    try:
        with target.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT name, role FROM managers").all() == [
                (owner, "admin")
            ]
            assert (
                conn.exec_driver_sql(
                    "SELECT count(*) FROM creators WHERE manager_id IS NULL"
                ).scalar_one()
                == 0
            )
            # one entry for adding them, one per creator and affiliate they took
            assert conn.exec_driver_sql("SELECT count(*) FROM audit_entries").scalar_one() == (
                entries + 1 + creators + affiliates
            )
            assert (
                conn.exec_driver_sql(
                    "SELECT rolcanlogin FROM pg_roles WHERE rolname = %(n)s", {"n": owner}
                ).scalar_one()
                is True
            )
    finally:
        target.dispose()
    bad = copy(str(source), "--to", pg_url, "--replace", "--owner", "Not A Role")
    assert bad.exit_code == 3 and "nothing was copied" in bad.stderr
    assert counts(pg_url)["managers"] == 1  # the copy before it stands, untouched
