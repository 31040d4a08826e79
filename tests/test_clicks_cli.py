"""`talent clicks list` and `talent export clicks`: stored click days come back as listed and
exported rows (filters by program, affiliate and days; JSON keys), the export is
spreadsheet-safe and re-imports to the same numbers, and bad input is refused with a non-zero
exit and nothing written."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from talent_tui.cli import main as cli


@pytest.fixture
def talent(tmp_path: Path):  # noqa: ANN201
    runner = CliRunner()
    db = str(tmp_path / "t.db")

    def run(*args: str, code: int = 0):  # noqa: ANN202
        result = runner.invoke(cli.app, ["--db", db, *args], catch_exceptions=False)
        assert result.exit_code == code, (result.stdout, result.stderr)
        return result

    brands = tmp_path / "brands.csv"
    brands.write_text("name\nGlow Labs\n", encoding="utf-8")
    run("import", "brands", str(brands))
    # A program whose name a spreadsheet would run as a formula.
    for name in ("Glow Spring", "=Glow Fall"):
        run("programs", "add", name, "--brand", "Glow Labs", "--currency", "USD", "--rate", "10%")
    run("affiliates", "add", "@nora", "-p", "glow-spring")
    run("affiliates", "add", "@sam", "-p", "glow-spring")
    run("affiliates", "add", "@nora", "-p", "glow-fall")
    run("links", "add", "@nora", "-p", "glow-spring", "https://glow.example/")
    clicks = tmp_path / "clicks.csv"
    clicks.write_text(
        "date,affiliate,link_code,clicks,impressions\n"
        "2026-10-01,,nora-1,300,4000\n"
        "2026-10-02,sam,,100,\n"
        "2026-09-30,sam,,7,70\n",
        encoding="utf-8",
    )
    run("import", "clicks", str(clicks), "-p", "glow-spring")
    fall = tmp_path / "fall.csv"
    fall.write_text("date,affiliate,clicks\n2026-10-03,nora,55\n", encoding="utf-8")
    run("import", "clicks", str(fall), "-p", "glow-fall")
    run.db = db  # type: ignore[attr-defined]
    return run


def test_list_filters_and_json_keys(talent) -> None:  # noqa: ANN001
    everything = json.loads(talent("clicks", "list", "--json").stdout)
    assert [(r["program"], r["date"], r["affiliate"], r["clicks"]) for r in everything] == [
        ("=Glow Fall", "2026-10-03", "@nora", 55),
        ("Glow Spring", "2026-09-30", "@sam", 7),
        ("Glow Spring", "2026-10-01", "@nora", 300),
        ("Glow Spring", "2026-10-02", "@sam", 100),
    ]
    assert set(everything[0]) == {
        "program",
        "affiliate",
        "date",
        "link_code",
        "clicks",
        "impressions",
    }
    assert everything[2]["link_code"] == "nora-1" and everything[2]["impressions"] == 4000
    assert everything[3]["link_code"] is None and everything[3]["impressions"] is None
    # One affiliate in all their programs, or in one; a range of days (both included).
    nora = json.loads(talent("clicks", "list", "-a", "nora", "--json").stdout)
    assert [(r["program"], r["clicks"]) for r in nora] == [("=Glow Fall", 55), ("Glow Spring", 300)]
    one = json.loads(talent("clicks", "list", "-a", "@nora", "-p", "glow-fall", "--json").stdout)
    assert [r["clicks"] for r in one] == [55]
    days = talent("clicks", "list", "-p", "glow-spring", "--from", "2026-10-01", "--to",
                  "2026-10-02", "--json").stdout  # fmt: skip
    assert [r["date"] for r in json.loads(days)] == ["2026-10-01", "2026-10-02"]
    limited = talent("clicks", "list", "--limit", "2")
    assert "Showing 2 of 4 click days" in limited.stderr
    table = talent("clicks", "list", "-p", "glow-spring").stdout
    assert "nora-1" in table and "4,000" in table


def test_list_refuses_bad_input(talent) -> None:  # noqa: ANN001
    assert "no such date" in talent("clicks", "list", "--from", "2026-02-30", code=2).stderr
    assert "before" in talent("clicks", "list", "--from", "2026-10-05", "--to", "2026-10-01",
                              code=2).stderr  # fmt: skip
    assert "no program" in talent("clicks", "list", "-p", "nope", code=1).stderr
    assert "no affiliate" in talent("clicks", "list", "-a", "@ghost", code=1).stderr
    assert talent("clicks", "list", "-a", "@sam", "-p", "glow-fall", code=1).stderr


def test_export_is_spreadsheet_safe_and_reimports(talent, tmp_path: Path) -> None:  # noqa: ANN001
    out = tmp_path / "clicks.csv"
    talent("export", "clicks", "-o", str(out))
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert list(rows[0]) == ["program", "date", "affiliate", "link_code", "clicks", "impressions"]
    assert [
        (r["program"], r["date"], r["affiliate"], r["link_code"], r["clicks"], r["impressions"])
        for r in rows
    ] == [  # fmt: skip
        ("'=Glow Fall", "2026-10-03", "'@nora", "", "55", ""),
        ("Glow Spring", "2026-09-30", "'@sam", "", "7", "70"),
        ("Glow Spring", "2026-10-01", "'@nora", "nora-1", "300", "4000"),
        ("Glow Spring", "2026-10-02", "'@sam", "", "100", ""),
    ]
    spring = talent("export", "clicks", "-p", "glow-spring", "-f", "json").stdout
    assert [r["clicks"] for r in json.loads(spring)] == [7, 300, 100]
    # Back in through `talent import clicks` as it is: each row's program says which of her two
    # programs @nora's clicks are in (no --program needed); nothing changes.
    before = _click_days(talent.db)
    talent("import", "clicks", str(out))
    assert _click_days(talent.db) == before
    # A row naming a program that does not exist, or not the one --program gives, is refused.
    wrong = tmp_path / "wrong.csv"
    wrong.write_text(
        "program,date,affiliate,clicks\nNo Such,2026-10-05,@sam,3\nglow-spring,2026-10-05,@sam,4\n",
        encoding="utf-8",
    )
    failed = talent("import", "clicks", str(wrong), code=1).stderr
    assert "wrong.csv:2:program: unknown program No Such" in failed
    failed = talent("import", "clicks", str(wrong), "-p", "=Glow Fall", code=1).stderr
    assert "wrong.csv:3:program: not the --program given: glow-spring" in failed
    assert _click_days(talent.db) == before


def test_export_refuses_the_database_and_a_wrong_program(talent) -> None:  # noqa: ANN001
    before = Path(talent.db).read_bytes()
    said = talent("export", "clicks", "-o", talent.db, code=1).stderr
    assert "is the database" in said
    assert Path(talent.db).read_bytes() == before
    assert "no program" in talent("export", "clicks", "-p", "nope", code=1).stderr
    assert "--program is for" in talent("export", "creators", "-p", "glow-spring", code=2).stderr


def _click_days(db: str) -> list[tuple]:
    con = sqlite3.connect(db)
    try:
        return con.execute(
            "SELECT program_id, affiliate_id, link_id, day, clicks, impressions FROM click_days"
            " ORDER BY id"
        ).fetchall()
    finally:
        con.close()
