"""Out-of-range ids, limits and names on the command line are refusals (exit 1, or 2 for an
option out of range) with a message — never exit 70, the code for a bug."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from talent_tui.cli import common
from talent_tui.cli import main as cli
from talent_tui.store.db import Database, open_database
from talent_tui.store.models import AuditEntry, Campaign

HUGE = "99999999999999999999999"


@pytest.fixture
def db(demo_db: Database) -> str:
    return str(demo_db.path)


def _run(db: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli.app, ["--db", db, *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (("creators", "show", HUGE), common.EXIT_INPUT),
        (("brands", "show", HUGE), common.EXIT_INPUT),
        (("campaigns", "show", HUGE), 2),
        (("log", "done", HUGE), 2),
        (("invoices", "paid", HUGE), 2),
        (("deliverables", "status", HUGE, "draft_submitted"), 2),
        (("creators", "list", "--limit", "9223372036854775808"), 2),
    ],
)
def test_ids_beyond_a_64_bit_column_are_refused(db: str, args: tuple[str, ...], code: int) -> None:
    exit_code, _output = _run(db, *args)
    assert exit_code == code


def test_as_with_an_escape_sequence_is_refused_and_nothing_recorded(db: str) -> None:
    code, output = _run(db, "--as", "\x1b[31mevil", "campaigns", "review", "1")
    assert code == common.EXIT_INPUT and "--as" in output
    code, _ = _run(db, "--as", "x" * 101, "campaigns", "review", "1")
    assert code == common.EXIT_INPUT
    database = open_database(db)
    with database.session() as s:
        assert not [e for e in s.exec(select(AuditEntry)) if "evil" in e.actor]


def test_tags_with_control_characters_are_refused(db: str) -> None:
    code, output = _run(
        db, "creators", "add", "--name", "T", "--tiktok", "@tt", "--tags", "a;\x1b[5mb"
    )
    assert code == common.EXIT_INPUT and "tags" in output


def test_deeply_nested_json_is_a_file_error(db: str, tmp_path: Path) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000, encoding="utf-8")
    code, output = _run(db, "import", "creators", str(deep), "--json")
    assert code == common.EXIT_INPUT
    assert "nested too deeply" in output


def test_a_second_campaign_with_the_same_external_id_is_refused(db: str) -> None:
    args = ("campaigns", "add", "--creator", "@haneul.eats", "--brand", "Hanok Kitchen")
    args += ("--name", "Dup", "--fee", "1000 USD", "--external-id", "X1")
    assert _run(db, *args)[0] == 0
    code, output = _run(db, *args)
    assert code == common.EXIT_INPUT and "X1" in output
    database = open_database(db)
    with database.session() as s:
        assert len(s.exec(select(Campaign).where(Campaign.external_id == "X1")).all()) == 1


def test_json_stays_json(db: str) -> None:
    result = CliRunner().invoke(cli.app, ["--db", db, "creators", "list", "--json", "--limit", "2"])
    assert result.exit_code == 0 and len(json.loads(result.stdout)) == 2


def test_talent_as_from_the_environment_follows_the_same_rule(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TALENT_AS", "\x1b]0;owned\x07")
    code, output = _run(db, "campaigns", "review", "1")
    assert code == common.EXIT_INPUT and "TALENT_AS" in output
