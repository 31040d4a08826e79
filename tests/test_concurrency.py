"""Several talents at once, through the real CLI in separate processes: a reader never waits
for a writer, a writer that waits too long says so (exit 3), a read-only file can be read,
many processes opening one new or old file make one schema and one copy, and a kill inside
the write transaction of an import leaves all or nothing, search index included."""

from __future__ import annotations

import contextlib
import hashlib
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from talent_tui.store import db as dbmod

from . import factories

ROOT = Path(__file__).resolve().parents[1]


def talent(db: Path, *args: str, wait: float = 30, **kwargs: object) -> subprocess.Popen[str]:
    env = os.environ | {
        "PYTHONPATH": str(ROOT),
        "TALENT_WAIT": str(wait),
        "TALENT_TODAY": "2026-11-27",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "talent_tui", "--db", str(db), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        **kwargs,  # type: ignore[call-overload]
    )


def finish(process: subprocess.Popen[str], timeout: float = 120) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=timeout)
    assert "Traceback" not in out + err
    return process.returncode, out, err


@contextlib.contextmanager
def write_lock_held(path: Path) -> Iterator[sqlite3.Connection]:
    """This process holds the database's write lock (as a long import would) until the end
    of the block."""
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("BEGIN IMMEDIATE")
    try:
        yield connection
    finally:
        connection.execute("ROLLBACK")
        connection.close()


def write_locked(path: Path) -> bool:
    """Another connection holds the write lock now (a write transaction is open)."""
    connection = sqlite3.connect(path, isolation_level=None, timeout=0)
    try:
        connection.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        assert "locked" in str(exc)
        return True
    finally:
        with contextlib.suppress(sqlite3.Error):
            connection.execute("ROLLBACK")
        connection.close()
    return False


def wait_for_write_lock(path: Path, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 120
    while not write_locked(path):
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the import never took the write lock"
        time.sleep(0.002)


def rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    with contextlib.closing(sqlite3.connect(path)) as connection:
        return connection.execute(sql).fetchall()


def count(path: Path, table: str) -> int:
    return int(rows(path, f"SELECT count(*) FROM {table}")[0][0])  # noqa: S608 - test tables


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def new_database(path: Path) -> dbmod.Database:
    database = dbmod.open_database(str(path))
    return database


def with_creator(path: Path, name: str, handle: str, *, schema: str | None = None) -> Path:
    """A database file holding one creator (at an older schema when `schema` is given)."""
    database = new_database(path)
    with database.transaction() as session:
        factories.creator(session, name=name, tiktok_handle=handle)
    if schema is not None:
        from alembic import command

        command.downgrade(dbmod.alembic_config(database), schema)
    database.dispose()
    return path


def with_overdue_offer(path: Path) -> int:
    """A database with one pending offer whose respond-by date (2026-11-10) has passed by the
    subprocesses' TALENT_TODAY (2026-11-27)."""
    database = new_database(path)
    with database.transaction() as session:
        someone = factories.creator(session, name="Dana Park", tiktok_handle="@dana.park")
        brand = factories.brand(session, name="Glowly")
        offer = factories.offer(
            session, someone, brand, name="Winter serum", received_on=date(2026, 11, 3)
        )  # respond by 2026-11-10
        offer_id = int(offer.id or 0)
    database.dispose()
    return offer_id


def status_of(path: Path, campaign_id: int) -> str:
    return str(rows(path, f"SELECT status FROM campaigns WHERE id = {campaign_id}")[0][0])


# ---- a reader never waits behind a writer ----------------------------------------------------


def test_reads_answer_at_once_while_another_talent_holds_the_write_lock(tmp_path: Path) -> None:
    path = tmp_path / "busy.db"
    offer_id = with_overdue_offer(path)
    with write_lock_held(path):
        # A minute's patience for writers: a read that queued behind the lock would hang
        # until communicate()'s timeout; a read answers from the last committed state.
        for args in (("creators", "list"), ("campaigns", "list"), ("creators", "show", "1")):
            code, out, err = finish(talent(path, *args, wait=60), timeout=30)
            assert code == 0, err
            assert "Dana Park" in out or "Winter serum" in out
        # The overdue offer could not expire now (that needs the write lock): it is left
        # for the next open, not waited for.
        assert status_of(path, offer_id) == "offer_received"
    code, _out, err = finish(talent(path, "campaigns", "list"))
    assert code == 0 and "expired" in err
    assert status_of(path, offer_id) == "expired"


def test_a_writer_that_waits_past_the_limit_exits_3_and_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "busy.db"
    new_database(path).dispose()
    with write_lock_held(path):
        writers = [talent(path, *add_args(f"w{i}"), wait=1) for i in range(4)]
        for process in writers:
            code, _out, err = finish(process)
            assert code == 3
            assert "another talent is writing" in err and "nothing was changed" in err
    assert count(path, "creators") == 0


def test_writers_queue_behind_each_other_and_all_land(tmp_path: Path) -> None:
    """More writers at once than could each take the lock immediately: they queue."""
    path = tmp_path / "queue.db"
    new_database(path).dispose()
    writers = [talent(path, *add_args(f"q{i}")) for i in range(6)]
    for process in writers:
        code, _out, err = finish(process)
        assert code == 0, err
    assert sorted(r[0] for r in rows(path, "SELECT tiktok_handle FROM creators")) == [
        f"@q{i}" for i in range(6)
    ]


def add_args(handle: str) -> tuple[str, ...]:
    return (
        "creators",
        "add",
        "--name",
        handle.upper(),
        "--tiktok",
        f"@{handle}",
        "--followers",
        "5",
    )


def creators_csv(path: Path, count: int, prefix: str = "k") -> Path:
    lines = ["name,tiktok_handle,followers,engagement_rate,niche"]
    lines += [f"Kill Test {i},@{prefix}{i},{1000 + i},4.5%,food" for i in range(count)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_read_during_a_long_import_sees_the_state_before_it(tmp_path: Path) -> None:
    path = tmp_path / "long.db"
    with_creator(path, "Already Here", "@already.here")
    source = creators_csv(tmp_path / "big.csv", 30_000)
    importer = talent(path, "import", "creators", str(source))
    wait_for_write_lock(path, importer)
    code, out, err = finish(talent(path, "creators", "list", "--json"), timeout=30)
    assert code == 0, err
    assert '"@already.here"' in out and '"@k0"' not in out  # not the import's rows yet
    code, _out, err = finish(importer)
    assert code == 0, err
    assert count(path, "creators") == 30_001


# ---- a read-only file -----------------------------------------------------------------------


@contextlib.contextmanager
def read_only(path: Path) -> Iterator[None]:
    """The file cannot be written by talent: immutable when the tests run as root (root
    ignores permission bits), else without write permission."""
    if os.geteuid() == 0:
        subprocess.run(["chattr", "+i", str(path)], check=True)
        try:
            yield
        finally:
            subprocess.run(["chattr", "-i", str(path)], check=True)
    else:
        mode = path.stat().st_mode
        path.chmod(stat.S_IRUSR)
        try:
            yield
        finally:
            path.chmod(mode)


def test_a_read_only_database_can_be_read_and_a_change_says_read_only(tmp_path: Path) -> None:
    path = tmp_path / "ro.db"
    with_creator(path, "Read Only", "@read.only")
    before = digest(path)
    with read_only(path):
        code, out, err = finish(talent(path, "creators", "list"))
        assert code == 0 and "Read Only" in out, err
        for change in (
            ("creators", "add", "--name", "New", "--tiktok", "@new.one", "--followers", "5"),
            ("rates", "set", "@read.only", "reel", "100 USD"),
            ("import", "creators", str(creators_csv(tmp_path / "c.csv", 3))),
        ):
            code, _out, err = finish(talent(path, *change))
            assert code == 3, err
            assert "read-only" in err and "nothing was changed" in err
    assert digest(path) == before
    assert count(path, "creators") == 1


# ---- many processes opening one file at once --------------------------------------------------


def test_four_processes_creating_one_new_database_at_once(tmp_path: Path) -> None:
    path = tmp_path / "fresh.db"
    openers = [talent(path, "creators", "list") for _ in range(4)]
    for process in openers:
        code, _out, err = finish(process)
        assert code == 0, err
    assert rows(path, "SELECT version_num FROM alembic_version") == [(dbmod.SCHEMA_HEAD,)]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not list(tmp_path.glob("fresh.db.bak-*"))  # nothing to copy in a new file


def test_four_processes_upgrading_one_old_database_make_one_copy(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with_creator(path, "Kept Safe", "@kept.safe", schema="0002_roster_scale")
    openers = [talent(path, "creators", "list") for _ in range(4)]
    upgraded = 0
    for process in openers:
        code, out, err = finish(process)
        assert code == 0, err
        assert "Kept Safe" in out
        upgraded += "Upgraded the schema" in err
    assert upgraded == 1
    assert rows(path, "SELECT version_num FROM alembic_version") == [(dbmod.SCHEMA_HEAD,)]
    copies = list(tmp_path.glob("old.db.bak-*"))
    assert len(copies) == 1 and copies[0].name.startswith("old.db.bak-0002_roster_scale-")
    assert stat.S_IMODE(copies[0].stat().st_mode) == 0o600
    assert rows(copies[0], "SELECT version_num FROM alembic_version") == [("0002_roster_scale",)]
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_a_failed_copy_leaves_no_file_and_does_not_count_toward_the_kept_three(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "old.db"
    with_creator(path, "Kept Safe", "@kept.safe", schema="0002_roster_scale")
    older = [tmp_path / f"old.db.bak-0001_baseline-2026010{i}T000000000000Z" for i in (1, 2, 3)]
    for copy in older:
        copy.write_bytes(b"an older copy")
    broken = tmp_path / "old.db.bak-0002_roster_scale-20260101T000000000000Z.tmp"
    broken.write_bytes(b"half a copy from a crashed run")

    def full_disk(source: object, target: object) -> None:
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as patch:
        patch.setattr(os, "replace", full_disk)
        with pytest.raises(dbmod.DatabaseError, match="No space left"):
            dbmod.open_database(str(path))
    assert sorted(tmp_path.glob("old.db.bak-*")) == sorted([*older, broken])
    assert rows(path, "SELECT version_num FROM alembic_version") == [("0002_roster_scale",)]
    # The next open makes a copy; the three older ones stay the newest three of four, and a
    # leftover .tmp is neither counted nor mistaken for a copy.
    reopened = dbmod.open_database(str(path))
    assert reopened.backup is not None
    reopened.dispose()
    kept = sorted(p.name for p in tmp_path.glob("old.db.bak-*") if not p.name.endswith(".tmp"))
    assert len(kept) == dbmod.KEEP_BACKUPS and Path(reopened.backup).name in kept


# ---- a kill inside the write transaction ------------------------------------------------------


def fts_consistent(path: Path) -> bool:
    with contextlib.closing(sqlite3.connect(path)) as connection:
        connection.execute("INSERT INTO creators_fts(creators_fts) VALUES ('integrity-check')")
        indexed = connection.execute(
            "SELECT count(*) FROM creators_fts WHERE creators_fts MATCH 'kill'"
        ).fetchone()[0]
        stored = connection.execute(
            "SELECT count(*) FROM creators WHERE name LIKE 'Kill %'"
        ).fetchone()[0]
    return bool(indexed == stored)


def campaigns_csv(path: Path, count: int) -> Path:
    lines = ["external_id,tiktok_handle,brand,name,fee,currency,status"]
    lines += [
        f"K-{i},@base{i % 50},Brand {i % 7},Kill Campaign {i},{100 + i},USD,offer_received"
        for i in range(count)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("kind", ["creators", "campaigns"])
def test_a_kill_inside_the_write_transaction_leaves_all_or_nothing(
    tmp_path: Path, kind: str
) -> None:
    template = tmp_path / "template.db"
    database = new_database(template)
    with database.transaction() as session:
        for i in range(50):
            factories.creator(session, name=f"Base {i}", tiktok_handle=f"@base{i}")
        for i in range(7):
            factories.brand(session, name=f"Brand {i}")
    database.dispose()
    size = 20_000
    if kind == "creators":
        source = creators_csv(tmp_path / "big.csv", size)
        table, already = "creators", 50
    else:
        source = campaigns_csv(tmp_path / "big.csv", size)
        table, already = "campaigns", 0

    outcomes = []
    for attempt, delay in enumerate((0.0, 0.05, 0.2, 0.5)):
        path = tmp_path / f"kill{attempt}.db"
        path.write_bytes(template.read_bytes())
        process = talent(path, "import", kind, str(source))
        wait_for_write_lock(path, process)
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        assert rows(path, "PRAGMA integrity_check") == [("ok",)]
        stored = count(path, table) - already
        assert stored in (0, size), f"kill {attempt}: {stored} of {size} rows, half an import"
        assert fts_consistent(path)
        outcomes.append(stored)
        code, _out, err = finish(talent(path, "creators", "list"))  # opens normally after
        assert code == 0, err
    assert 0 in outcomes  # at least one kill landed inside the transaction, before its commit


# ---- backups on request ----------------------------------------------------------------------


def test_db_backup_refuses_the_database_its_journals_folders_and_devices(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from talent_tui.cli import main as cli

    path = tmp_path / "b.db"
    new_database(path).dispose()
    before = digest(path)
    runner = CliRunner()
    for target, words in (
        (path, "the database"),
        (Path(f"{path}-wal"), "journals"),
        (Path(f"{path}-shm"), "journals"),
        (tmp_path, "folder"),
        (Path("/dev/null"), "not a regular file"),
        (tmp_path / "missing" / "b.db", "does not exist"),
    ):
        result = runner.invoke(cli.app, ["--db", str(path), "db", "backup", str(target)])
        assert result.exit_code == 1, (target, result.output)
        assert words in result.stderr, (target, result.stderr)
    assert digest(path) == before
    assert {p.name for p in tmp_path.iterdir()} <= {"b.db", "b.db-wal", "b.db-shm"}
    for journal in (Path(f"{path}-wal"), Path(f"{path}-shm")):  # SQLite's own, not a copy
        assert not journal.exists() or not journal.read_bytes().startswith(b"SQLite format 3")
    good = tmp_path / "copy.db"
    result = runner.invoke(cli.app, ["--db", str(path), "db", "backup", str(good)])
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(good.stat().st_mode) == 0o600
    assert rows(good, "SELECT version_num FROM alembic_version") == [(dbmod.SCHEMA_HEAD,)]


# ---- the app ------------------------------------------------------------------------------------


async def test_the_app_opens_and_a_save_is_refused_in_words_while_another_talent_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from talent_tui.widgets.roster import RosterList

    from .conftest import make_app, screen_text, settle, settle_despite_failures

    path = tmp_path / "busy.db"
    offer_id = with_overdue_offer(path)
    monkeypatch.setenv("TALENT_WAIT", "0.5")
    database = dbmod.open_database(str(path))
    try:
        with write_lock_held(path):
            app = make_app(database, today=date(2026, 11, 27))
            async with app.run_test(size=(140, 40)) as pilot:
                await settle(pilot)  # the roster loads: it never queued behind the lock
                roster = app.screen.query_one(RosterList)
                assert roster.total == 1
                assert status_of(path, offer_id) == "offer_received"  # expires next open
                await pilot.press("e")  # edit the highlighted creator
                await settle(pilot)
                await pilot.press("ctrl+s")
                await settle_despite_failures(pilot)
                assert "another talent" in screen_text(app)
                assert not app.failures  # a refusal in words, not a bug report
        assert rows(path, "SELECT name FROM creators") == [("Dana Park",)]
    finally:
        database.dispose()
