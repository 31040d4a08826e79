"""The `talent` command through Typer's CliRunner: output, exit codes and what was stored."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from talent_tui import cli, locations, roster
from talent_tui import db as dbmod


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def run(runner: CliRunner, *args: str):  # noqa: ANN201
    return runner.invoke(cli.app, list(args), catch_exceptions=False)


def test_demo_no_open_loads_into_the_separate_demo_database(runner: CliRunner) -> None:
    result = run(runner, "demo", "--no-open")
    assert result.exit_code == 0, result.output
    demo_path = locations.demo_db_path()
    assert str(demo_path) in result.stdout
    assert not locations.default_db_path().exists()  # the user's real database is untouched
    database = dbmod.open_database(str(demo_path))
    with database.session() as s:
        assert roster.count_creators(s) >= 30
    database.dispose()


def test_demo_with_db_loads_there_and_reset_rebuilds(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "mine.db"
    assert run(runner, "--db", str(target), "demo", "--no-open").exit_code == 0
    database = dbmod.open_database(str(target))
    with database.transaction() as s:
        creator = roster.find_creator(s, "@haneul.eats")
        creator.name = "Renamed"
    database.dispose()

    again = run(runner, "--db", str(target), "demo", "--no-open")
    assert again.exit_code == 0
    database = dbmod.open_database(str(target))
    with database.session() as s:
        assert roster.find_creator(s, "@haneul.eats").name == "Renamed"  # kept without --reset
    database.dispose()

    reset = run(runner, "--db", str(target), "demo", "--reset", "--no-open")
    assert reset.exit_code == 0
    database = dbmod.open_database(str(target))
    with database.session() as s:
        assert roster.find_creator(s, "@haneul.eats").name == "김하늘"
    database.dispose()


def test_creators_list_json_is_only_json(runner: CliRunner, demo_db: dbmod.Database) -> None:
    result = run(runner, "--db", demo_db.url, "creators", "list", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    with demo_db.session() as s:
        assert len(data) == roster.count_creators(s, include_archived=False)
        stored = roster.find_creator(s, "@haneul.eats")
    row = next(r for r in data if r["tiktok_handle"] == "@haneul.eats")
    assert set(row) >= {"id", "name", "tiktok_handle", "followers", "engagement_rate"}
    assert row["id"] == stored.id and row["followers"] == stored.followers
    assert 0 < row["engagement_rate"] < 1 and row["engagement_rate"] == stored.engagement_rate


def test_creators_list_search(runner: CliRunner, demo_db: dbmod.Database) -> None:
    result = run(runner, "--db", demo_db.url, "creators", "list", "--search", "haneul")
    assert result.exit_code == 0
    assert "김하늘" in result.stdout and "@haneul.eats" in result.stdout
    assert "Olivia Bennett" not in result.stdout
    data = json.loads(
        run(runner, "--db", demo_db.url, "creators", "list", "-s", "zzz", "--json").stdout
    )
    assert data == []


def test_db_path_follows_flag_then_env(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run(runner, "db", "path").stdout.strip() == str(locations.data_home() / "talent.db")
    monkeypatch.setenv("TALENT_DB", str(tmp_path / "env.db"))
    assert run(runner, "db", "path").stdout.strip() == str((tmp_path / "env.db").resolve())
    flagged = run(runner, "--db", str(tmp_path / "f.db"), "db", "path").stdout.strip()
    assert flagged == str((tmp_path / "f.db").resolve())


def test_unopenable_database_is_an_error_on_stderr(runner: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "junk.db"
    bad.write_text("not a database" * 200)
    result = run(runner, "--db", str(bad), "creators", "list")
    assert result.exit_code == 2
    assert "junk.db" in result.stderr and result.stdout == ""


def test_import_reports_and_stores(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text("name,tiktok_handle,followers\nMina Park,@mina.park,1200\n", encoding="utf-8")
    db = str(tmp_path / "t.db")
    result = run(runner, "--db", db, "import", "creators", str(path), "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["new"] == 1
    database = dbmod.open_database(db)
    with database.session() as s:
        assert roster.find_creator(s, "@mina.park").followers == 1200
    database.dispose()


def test_bad_import_exits_non_zero_naming_file_row_field(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text(
        "name,tiktok_handle,followers\nMina Park,@mina.park,1200\nBad,@bad,-5\n", encoding="utf-8"
    )
    db = str(tmp_path / "t.db")
    result = run(runner, "--db", db, "import", "creators", str(path))
    assert result.exit_code == 1
    assert "people.csv:3:followers" in result.stderr
    database = dbmod.open_database(db)
    with database.session() as s:
        assert roster.count_creators(s) == 0
    database.dispose()


def test_missing_file_and_unknown_kind_are_errors(runner: CliRunner, tmp_path: Path) -> None:
    db = str(tmp_path / "t.db")
    missing = run(runner, "--db", db, "import", "creators", str(tmp_path / "nope.csv"))
    assert missing.exit_code == 1 and "nope.csv" in missing.stderr
    unknown = run(runner, "--db", db, "import", "planets", str(tmp_path / "nope.csv"))
    assert unknown.exit_code == 1 and "planets" in unknown.stderr
