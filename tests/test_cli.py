"""The `talent` command through Typer's CliRunner: output, exit codes and what was stored."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from talent_tui.cli import common
from talent_tui.cli import main as cli
from talent_tui.core import locations
from talent_tui.services import roster
from talent_tui.store import db as dbmod


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
    assert result.exit_code == common.EXIT_DATABASE == 3
    assert f"cannot open database {bad.resolve()}:" in result.stderr and result.stdout == ""
    assert "sqlite:" not in result.stderr and "sqlalche.me" not in result.stderr


def test_database_without_its_driver_is_a_clean_error(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    for module in ("psycopg", "psycopg2"):  # as if neither driver were installed
        monkeypatch.setitem(sys.modules, module, None)
    result = run(runner, "--db", "postgresql://x@localhost/y", "creators", "list")
    assert result.exit_code == 3 and result.stdout == ""
    assert "error: cannot open database postgresql://x@localhost/y: no driver" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_option_value_is_usage_exit_2_not_the_database_code(
    runner: CliRunner, demo_db: dbmod.Database
) -> None:
    for value in ("0", "-1"):
        result = run(runner, "--db", demo_db.url, "creators", "list", "--limit", value, "--json")
        assert result.exit_code == 2, value
        assert result.stdout == "" and "--limit" in result.stderr
    one = run(runner, "--db", demo_db.url, "creators", "list", "--limit", "1", "--json")
    assert one.exit_code == 0 and len(json.loads(one.stdout)) == 1


def test_empty_database_is_named_and_points_at_the_demo(runner: CliRunner) -> None:
    before = run(runner, "creators", "list")
    assert before.exit_code == 0 and before.stdout == ""
    assert f"No creators in {locations.default_db_path()}." in before.stderr
    assert "demo.db" not in before.stderr  # no demo database yet

    assert run(runner, "demo", "--no-open").exit_code == 0
    after = run(runner, "creators", "list")
    demo_path = locations.demo_db_path()
    assert after.exit_code == 0 and after.stdout == ""
    assert f"No creators in {locations.default_db_path()}." in after.stderr
    assert f"talent --db {demo_path} creators list" in after.stderr
    assert "No creators yet" not in after.stderr

    on_demo = run(runner, "--db", str(demo_path), "creators", "list", "--archived")
    assert "No creators in" not in on_demo.stderr and "talent --db" not in on_demo.stderr


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


def test_import_report_reads_as_a_sentence(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_text("name,tiktok_handle\nMina Park,@mina.park\n", encoding="utf-8")
    db = str(tmp_path / "t.db")
    dry = run(runner, "--db", db, "import", "creators", str(path), "--dry-run")
    assert dry.exit_code == 0
    assert dry.stdout.splitlines() == [
        "Would import f.csv (creators): 1 row, 1 new, 0 updated, 0 unchanged.",
        "Dry run: nothing was written.",
    ]
    real = run(runner, "--db", db, "import", "creators", str(path))
    assert real.stdout.strip() == "Imported f.csv (creators): 1 row, 1 new, 0 updated, 0 unchanged."
    path.write_text("name,tiktok_handle\nMina Park,@mina.park\nLeo,@leo\n", encoding="utf-8")
    again = run(runner, "--db", db, "import", "creators", str(path))
    assert again.stdout.strip() == (
        "Imported f.csv (creators): 2 rows, 1 new, 0 updated, 1 unchanged."
    )
    database = dbmod.open_database(db)
    with database.session() as s:
        assert roster.count_creators(s) == 2
    database.dispose()


def test_failed_import_with_json_prints_the_errors_as_json(
    runner: CliRunner, tmp_path: Path
) -> None:
    path = tmp_path / "people.csv"
    path.write_text(
        "name,tiktok_handle,followers\nMina Park,@mina.park,1200\nBad,@bad,-5\n,@x,1\n",
        encoding="utf-8",
    )
    db = str(tmp_path / "t.db")
    result = run(runner, "--db", db, "import", "creators", str(path), "--json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data == {
        "ok": False,
        "errors": [
            {
                "source": "people.csv",
                "row": 3,
                "field": "followers",
                "message": "must not be negative: -5",
            },
            {"source": "people.csv", "row": 4, "field": "name", "message": "required"},
        ],
        "total_errors": 2,
    }
    assert "people.csv:3:followers" in result.stderr and "Traceback" not in result.stderr
    database = dbmod.open_database(db)
    with database.session() as s:
        assert roster.count_creators(s) == 0
    database.dispose()

    missing = run(runner, "--db", db, "import", "creators", str(tmp_path / "no.csv"), "--json")
    assert missing.exit_code == 1
    assert json.loads(missing.stdout)["errors"][0]["source"] == "no.csv"


@pytest.mark.parametrize(
    ("name", "text", "extra", "expected"),
    [
        ("e.json", "", [], "e.json: empty file"),
        ("e.csv", "", [], "e.csv: empty file: no header row"),
        ("h.csv", "foo,bar\n", [], "h.csv:1:foo: unknown column(s): bar, foo"),
        ("h.csv", "name,followers\n", [], "h.csv:1:tiktok_handle: missing column"),
        ("a.json", '[{"name": "A", "tiktok_handle": "@a"}]', ["--format", "csv"], "unknown column"),
        ("s.csv", "name,tiktok_handle,followers\nA,@a\n", [], "s.csv:2:row: 2 cells, header has 3"),
    ],
)
def test_files_that_cannot_be_imported_exit_1(
    runner: CliRunner, tmp_path: Path, name: str, text: str, extra: list[str], expected: str
) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    db = str(tmp_path / "t.db")
    result = run(runner, "--db", db, "import", "creators", str(path), *extra)
    assert result.exit_code == 1 and result.stdout == ""
    assert expected in result.stderr
    database = dbmod.open_database(db)
    with database.session() as s:
        assert roster.count_creators(s) == 0
    database.dispose()


def test_header_only_csv_with_valid_columns_imports_nothing(
    runner: CliRunner, tmp_path: Path
) -> None:
    path = tmp_path / "h.csv"
    path.write_text("name,tiktok_handle,followers\n", encoding="utf-8")
    result = run(runner, "--db", str(tmp_path / "t.db"), "import", "creators", str(path), "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) | {"ok": True} == {
        "ok": True,
        "kind": "creators",
        "file": "h.csv",
        "rows": 0,
        "new": 0,
        "updated": 0,
        "unchanged": 0,
        "dry_run": False,
        "changes": [],
        "changes_total": 0,
        "notes": {},
    }


def test_unknown_format_option_is_named(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "x.txt"
    path.write_text("name,tiktok_handle\nA,@aa\n", encoding="utf-8")
    db = str(tmp_path / "t.db")
    result = run(runner, "--db", db, "import", "creators", str(path), "--format", "xml")
    assert result.exit_code == 2  # a value that is not one of the option's choices
    assert "Invalid value for '--format': Value error, 'xml' is not one of 'csv', 'json'" in (
        " ".join(result.stderr.replace("│", " ").split())
    )
    assert "use .csv or .json or --format" not in result.stderr
    forced = run(runner, "--db", db, "import", "creators", str(path), "--format", "csv")
    assert forced.exit_code == 0


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
    assert missing.exit_code == 1
    assert "nope.csv: No such file or directory" in missing.stderr
    assert "nope.csv:0" not in missing.stderr
    unknown = run(runner, "--db", db, "import", "planets", str(tmp_path / "nope.csv"))
    assert unknown.exit_code == 2 and "planets" in unknown.stderr
