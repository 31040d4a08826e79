"""Trust in paths: no output path, `--db` value or `demo --reset` can lose a manager's data,
and a foreign SQLite file given as --db is refused untouched."""

from __future__ import annotations

import gc
import hashlib
import os
import sqlite3
from pathlib import Path

import pytest
from textual.widgets import Input, Static
from typer.testing import CliRunner

from talent_tui.app import TalentApp
from talent_tui.cli import main as cli
from talent_tui.io.files import OutputPathError, check_output_path
from talent_tui.screens.document import DocumentScreen
from talent_tui.store import db as dbmod
from talent_tui.store.db import Database

from .conftest import TODAY, settle

runner = CliRunner()


@pytest.fixture(autouse=True)
def _pinned_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TALENT_TODAY", TODAY.isoformat())


def talent(*args: str):  # noqa: ANN201
    return runner.invoke(cli.app, list(args))


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def creators_in(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute("SELECT count(*) FROM creators").fetchone()[0])


# ---- 1. no output over the database --------------------------------------------------------

WRITERS = [
    ("export", "creators"),
    ("report", "period"),
    ("mediakit", "@haneul.eats"),
]


def _targets(db: Path, tmp_path: Path) -> list[Path]:
    link = tmp_path / "link.html"
    link.symlink_to(db)
    fifo = tmp_path / "pipe.html"
    os.mkfifo(fifo)
    (tmp_path / "folder").mkdir()
    return [
        db,
        link,
        tmp_path / "sub" / ".." / db.name,
        Path(f"{db}-wal"),
        Path(f"{db}-shm"),
        Path(f"{db}-journal"),
        db.with_name(f"{db.name}.bak-0002_roster_scale-20260101T000000Z"),
        db.with_name(f"{db.stem}-backup-20260101T000000Z{db.suffix}"),
        tmp_path / "folder",
        fifo,
        Path("/dev/full"),
        tmp_path / "missing" / "out.csv",
    ]


@pytest.mark.parametrize("writer", WRITERS, ids=[w[0] for w in WRITERS])
def test_cli_output_never_lands_on_the_database_or_a_non_file(
    demo_db: Database, tmp_path: Path, writer: tuple[str, str]
) -> None:
    path = demo_db.path
    assert path is not None
    (tmp_path / "sub").mkdir()
    before = creators_in(path)
    backups = []
    for target in _targets(path, tmp_path):
        if ".bak-" in target.name or "-backup-" in target.name:
            target.write_bytes(b"a backup")
            backups.append(target)
        result = talent("--db", demo_db.url, *writer, "-o", str(target))
        assert result.exit_code == 1, (target, result.stderr)
        assert "error:" in result.stderr
        assert creators_in(path) == before
        assert dbmod.check(demo_db).ok
    for backup in backups:
        assert backup.read_bytes() == b"a backup"
    assert not (tmp_path / "missing").exists()
    assert (tmp_path / "folder").is_dir() and not any((tmp_path / "folder").iterdir())


def test_relative_output_paths_are_compared_resolved(
    demo_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = demo_db.path
    assert path is not None
    monkeypatch.chdir(tmp_path)
    before = creators_in(path)
    for target in ("demo.db", "./demo.db", f"../{tmp_path.name}/demo.db"):
        result = talent("--db", demo_db.url, "export", "creators", "-o", target)
        assert result.exit_code == 1 and "database" in result.stderr
    assert creators_in(path) == before
    fine = talent("--db", demo_db.url, "export", "creators", "-o", "./creators.csv")
    assert fine.exit_code == 0 and (tmp_path / "creators.csv").read_text().startswith("name,")


def test_check_output_path_accepts_plain_files(tmp_path: Path) -> None:
    db = tmp_path / "talent.db"
    assert check_output_path(tmp_path / "new.csv", db) == (tmp_path / "new.csv").resolve()
    (tmp_path / "old.csv").write_text("x")
    assert check_output_path(tmp_path / "old.csv", db) == (tmp_path / "old.csv").resolve()
    # a name that only starts like the database is someone else's file
    assert check_output_path(tmp_path / "talent.dbx", db)
    for bad in (db, tmp_path / "talent.db-wal", tmp_path, Path("/dev/null")):
        with pytest.raises(OutputPathError):
            check_output_path(bad, db)


async def _save_as(database: Database, typed: str) -> tuple[str, str]:
    app = TalentApp(database, today=TODAY)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"haneul", "enter")
        await settle(pilot)
        await pilot.press("escape", "K")
        await settle(pilot)
        assert isinstance(app.screen, DocumentScreen)
        await pilot.press("w")
        await pilot.pause()
        field = app.screen.query_one("#field-path", Input)
        field.value = typed
        await pilot.press("ctrl+s")
        await settle(pilot)
        if isinstance(app.screen, DocumentScreen):
            return "", ""  # saved: the form closed
        field = app.screen.query_one("#field-path", Input)
        error = app.screen.query_one("#error-path", Static)
        return field.value, str(error.render())


async def test_tui_save_as_refuses_the_database_and_keeps_what_was_typed(
    demo_db: Database, tmp_path: Path
) -> None:
    path = demo_db.path
    assert path is not None
    before = creators_in(path)
    typed, error = await _save_as(demo_db, str(path))
    assert typed == str(path)
    assert "database" in error
    assert creators_in(path) == before
    assert not path.with_suffix(".html").exists()


async def test_tui_save_as_refuses_a_folder_instead_of_writing_beside_it(
    demo_db: Database, tmp_path: Path
) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    typed, error = await _save_as(demo_db, f"{folder}/")
    assert typed == f"{folder}/"
    assert "folder" in error
    assert not (tmp_path / "out.html").exists() and not any(folder.iterdir())


async def test_tui_save_as_keeps_an_extension_the_user_typed(
    demo_db: Database, tmp_path: Path
) -> None:
    assert await _save_as(demo_db, str(tmp_path / "kit.txt")) == ("", "")
    assert "김하늘" in (tmp_path / "kit.txt").read_text(encoding="utf-8")
    assert not (tmp_path / "kit.html").exists()


# ---- 2. `?` and `%XX` in a --db path are part of the file name ------------------------------


@pytest.mark.parametrize("name", ["my?data.db", "a%41b.db", "x#y.db", "p%3Fq.db"])
def test_db_path_with_url_characters_is_a_plain_file(tmp_path: Path, name: str) -> None:
    target = tmp_path / name
    added = talent("--db", str(target), "creators", "add", "--name", "Mina", "--tiktok", "@mm")
    assert added.exit_code == 0, added.stderr
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(name)) == []
    assert creators_in(target) == 1
    shown = talent("--db", str(target), "db", "path")
    assert shown.stdout.strip() == str(target.resolve())


def test_demo_reset_with_a_question_mark_never_touches_another_file(tmp_path: Path) -> None:
    unrelated = tmp_path / "important"
    unrelated.write_bytes(b"precious")
    result = talent("--db", str(tmp_path / "important?.db"), "demo", "--reset", "--no-open")
    assert result.exit_code == 0, result.stderr
    assert unrelated.read_bytes() == b"precious"
    assert creators_in(tmp_path / "important?.db") > 0


# ---- 3. demo --reset only on a demo database ------------------------------------------------


def test_demo_reset_refuses_a_real_database(database: Database) -> None:
    path = database.path
    assert path is not None
    talent("--db", database.url, "creators", "add", "--name", "Mina", "--tiktok", "@mm")
    database.dispose()
    # The in-process command's engine is not disposed as a process exit would: collect it and
    # checkpoint now, so a later garbage collection cannot change the file under the test.
    gc.collect()
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    before = digest(path)
    result = talent("--db", str(path), "demo", "--reset", "--no-open")
    assert result.exit_code == 1
    assert "not a demo database" in result.stderr
    assert digest(path) == before and creators_in(path) == 1


def test_demo_reset_rebuilds_a_demo_database(tmp_path: Path) -> None:
    path = tmp_path / "mine-demo.db"
    first = talent("--db", str(path), "demo", "--no-open")
    assert first.exit_code == 0, first.stderr
    assert dbmod.is_demo_file(path)
    talent("--db", str(path), "creators", "add", "--name", "Extra", "--tiktok", "@extra")
    count = creators_in(path)
    again = talent("--db", str(path), "demo", "--reset", "--no-open")
    assert again.exit_code == 0, again.stderr
    assert creators_in(path) == count - 1 and dbmod.is_demo_file(path)


def test_default_demo_database_resets(tmp_path: Path) -> None:
    assert talent("demo", "--no-open").exit_code == 0
    assert talent("demo", "--reset", "--no-open").exit_code == 0


# ---- 4. a foreign SQLite file is refused untouched ------------------------------------------


def test_foreign_sqlite_file_is_refused_byte_for_byte(tmp_path: Path) -> None:
    foreign = tmp_path / "other-app.db"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
        conn.execute("INSERT INTO notes (body) VALUES ('keep me')")
    before = digest(foreign)
    for args in (("creators", "list"), ("db", "migrate"), ("demo", "--reset", "--no-open")):
        result = talent("--db", str(foreign), *args)
        assert result.exit_code in (1, 3), (args, result.stderr)
        assert "not a talent database" in result.stderr or "not a demo" in result.stderr
    result = talent("--db", str(foreign), "creators", "list")
    assert result.exit_code == 3
    assert digest(foreign) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other-app.db"]


def test_foreign_alembic_database_and_non_sqlite_file_are_refused(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
        conn.execute("INSERT INTO alembic_version VALUES ('ae1027a6acf')")
    text = tmp_path / "notes.txt"
    text.write_text("just some text, long enough to not be a database header\n" * 10)
    for path in (other, text):
        before = digest(path)
        result = talent("--db", str(path), "creators", "list")
        assert result.exit_code == 3, result.stderr
        assert digest(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt", "other.db"]


def test_empty_file_and_talent_database_still_open(tmp_path: Path) -> None:
    empty = tmp_path / "new.db"
    empty.touch()
    assert talent("--db", str(empty), "creators", "list").exit_code == 0
    assert talent("--db", str(empty), "creators", "list").exit_code == 0


# ---- 5. db path hides a password ------------------------------------------------------------


def test_db_path_masks_the_password() -> None:
    result = talent("--db", "postgresql+psycopg://u:secret@h/db", "db", "path")
    assert result.exit_code == 0
    assert "secret" not in result.stdout
    assert "u:***@h/db" in result.stdout
