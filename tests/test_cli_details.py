"""Command-line details: a --db in a folder that does not exist is bad input (exit 1), a value
that is not one of an option's choices is Click's usage error (exit 2), plain flags take no
value in --help, and `creators list --json` carries the contact fields."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from talent_tui.cli import main as cli
from talent_tui.core import locations
from talent_tui.store.db import Database

from . import factories

runner = CliRunner()


@pytest.mark.parametrize("via", ["--db", "TALENT_DB"])
def test_a_database_in_a_missing_folder_is_exit_1_and_nothing_is_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, via: str
) -> None:
    path = tmp_path / "no-such-folder" / "roster.db"
    if via == "TALENT_DB":
        monkeypatch.setenv("TALENT_DB", str(path))
        args = ["creators", "list"]
    else:
        args = ["--db", str(path), "creators", "list"]
    result = runner.invoke(cli.app, args)
    assert result.exit_code == 1, result.output
    assert f"the folder {path.parent} does not exist" in " ".join(result.stderr.split())
    assert not path.parent.exists()


def test_the_default_database_is_created_on_first_use() -> None:
    default = Path(os.environ["XDG_DATA_HOME"]) / "talent" / "talent.db"  # see conftest
    assert not default.parent.exists()
    result = runner.invoke(cli.app, ["creators", "list", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [] and default.is_file()
    assert default == locations.default_db_path()


@pytest.mark.parametrize(
    "args",
    [
        ["creators", "list", "--sort", "bogus"],
        ["campaigns", "list", "--tab", "x"],
        ["report", "period", "--format", "docx"],
        ["report", "bogus"],
        ["mediakit", "@a", "--format", "pdf"],
        ["export", "creators", "--format", "xml"],
        ["import", "creators", "x.csv", "--format", "xml"],
    ],
    ids=" ".join,
)
def test_a_value_outside_the_choices_is_clicks_usage_error(
    database: Database, args: list[str]
) -> None:
    result = runner.invoke(cli.app, ["--db", database.url, *args])
    assert result.exit_code == 2, result.output
    text = " ".join(result.stderr.replace("│", " ").split())
    assert "Invalid value for" in text and "is not one of" in text


def test_choices_are_read_in_any_case(database: Database) -> None:
    assert (
        runner.invoke(
            cli.app, ["--db", database.url, "creators", "list", "--sort", "Followers"]
        ).exit_code
        == 0
    )
    assert (
        runner.invoke(
            cli.app, ["--db", database.url, "campaigns", "list", "--tab", "ACTIVE"]
        ).exit_code
        == 0
    )


@pytest.mark.parametrize(
    ("args", "flags"),
    [
        (["creators", "list"], ["--archived", "--json"]),
        (["creators", "delete"], ["--yes"]),
        (["import"], ["--dry-run", "--json"]),
        (["db", "check"], ["--json"]),
        (["demo"], ["--reset", "--no-open"]),
        (["deliverables", "edit"], ["--clear-due"]),
        (["deliverables", "delete"], ["--yes"]),
        (["invoices", "totals"], ["--json"]),
    ],
)
def test_plain_flags_take_no_value_in_help(args: list[str], flags: list[str]) -> None:
    result = runner.invoke(cli.app, [*args, "--help"], env={"COLUMNS": "100"})
    assert result.exit_code == 0, result.output
    for flag in flags:
        line = next(line for line in result.stdout.splitlines() if re.search(rf"{flag}\b", line))
        assert "<bool>" not in line, line


def test_creators_list_json_has_niche_tags_email_and_commission(database: Database) -> None:
    with database.transaction() as s:
        factories.creator(
            s, name="Ana Lee", niche="beauty", tags="skincare;kbeauty", email="ana@example.com",
            commission_pct="12.5",
        )  # fmt: skip
        factories.creator(s, name="Bo Kim")
    result = runner.invoke(cli.app, ["--db", database.url, "creators", "list", "--json"])
    assert result.exit_code == 0, result.output
    ana, bo = json.loads(result.stdout)
    assert {k: ana[k] for k in ("name", "niche", "tags", "email", "commission_pct")} == {
        "name": "Ana Lee",
        "niche": "beauty",
        "tags": ["skincare", "kbeauty"],
        "email": "ana@example.com",
        "commission_pct": 12.5,  # a percentage (stored as 1250 basis points)
    }
    assert (bo["niche"], bo["tags"], bo["email"]) == ("", [], "")
    shown = json.loads(
        runner.invoke(
            cli.app, ["--db", database.url, "creators", "show", str(ana["id"]), "--json"]
        ).stdout
    )
    assert {k: shown[k] for k in ("niche", "tags", "email", "commission_pct")} == {
        k: ana[k] for k in ("niche", "tags", "email", "commission_pct")
    }
