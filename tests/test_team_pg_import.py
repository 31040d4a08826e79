"""Team mode on PostgreSQL: a manager importing (or adding) a creator whose TikTok handle is
another manager's. Row-level security hides that creator from the manager's login, so the
import would insert it and meet the unique key: instead the import ends with the row named
at file:row:field, exit code 1, nothing written, no traceback. Connects as the manager's
role, as tests/test_team_pg.py does."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from talent_tui.cli import main as cli
from talent_tui.services import team
from talent_tui.store import db as dbmod

from .test_team_pg import OWNER, connect_as, rows, url_as

PID = os.getpid()
MINA, JOE = f"imp_mina_{PID}", f"imp_joe_{PID}"


@pytest.fixture(scope="module")
def team_db(pg_databases, pg_template) -> Iterator[str]:  # noqa: ANN001
    """Two managers; joe owns @joe_star."""
    url = pg_databases.create(template=pg_template)
    database = dbmod.open_database(url)
    with database.transaction() as session:
        team.add(session, OWNER, MINA, "manager")
        team.add(session, OWNER, JOE, "manager")
    with database.engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO creators (name, tiktok_handle, followers, tags, commission_bp,"
                " notes, created_at, updated_at, open_deals, manager_id) VALUES ('Joe Star',"
                " '@joe_star', 1000, '', 0, '', now(), now(), 0,"
                " (SELECT id FROM managers WHERE name = :n))"
            ),
            {"n": JOE},
        )
    database.dispose()
    yield url
    pg_databases.drop(url)


def _creators(url: str) -> list[tuple]:
    with connect_as(url, "postgres") as owner:
        return rows(owner, "SELECT tiktok_handle, followers FROM creators ORDER BY tiktok_handle")


def _audit_count(url: str) -> int:
    with connect_as(url, "postgres") as owner:
        return int(rows(owner, "SELECT count(*) FROM audit_entries")[0][0])


def test_importing_another_managers_handle_is_refused_at_its_row(
    team_db: str, tmp_path: Path
) -> None:
    before, history = _creators(team_db), _audit_count(team_db)
    assert before == [("@joe_star", 1000)]
    path = tmp_path / "mine.csv"
    path.write_text(
        "name,tiktok_handle,followers\n"
        "Ana,@ana_new,500\n"
        "Joe,@joe_star,700\n"  # joe's: invisible to mina
        "Bo,@bo_new,600\n"
    )
    done = CliRunner().invoke(
        cli.app, ["--db", url_as(team_db, MINA), "import", "creators", str(path)]
    )
    assert done.exit_code == 1, done.output
    assert isinstance(done.exception, SystemExit)  # a clean exit, no traceback
    assert "mine.csv:3:tiktok_handle: @joe_star belongs to another manager's roster" in (
        done.stderr
    ), done.output
    assert "mine.csv:2" not in done.stderr and "mine.csv:4" not in done.stderr
    assert _creators(team_db) == before  # nothing written, joe's creator untouched
    assert _audit_count(team_db) == history


def test_a_file_of_only_new_handles_still_imports_as_the_manager(
    team_db: str, tmp_path: Path
) -> None:
    path = tmp_path / "fresh.csv"
    path.write_text("name,tiktok_handle,followers\nCy,@cy_new,300\n")
    done = CliRunner().invoke(
        cli.app, ["--db", url_as(team_db, MINA), "import", "creators", str(path)]
    )
    assert done.exit_code == 0, done.output
    with connect_as(team_db, "postgres") as owner:
        assert rows(
            owner,
            "SELECT c.followers, m.name FROM creators c JOIN managers m ON m.id = c.manager_id"
            " WHERE c.tiktok_handle = '@cy_new'",
        ) == [(300, MINA)]


def test_adding_another_managers_handle_is_refused_in_words(team_db: str) -> None:
    before, history = _creators(team_db), _audit_count(team_db)
    done = CliRunner().invoke(
        cli.app,
        [
            "--db",
            url_as(team_db, MINA),
            "creators",
            "add",
            "--name",
            "Joe again",
            "--tiktok",
            "@joe_star",
        ],
    )
    assert isinstance(done.exception, SystemExit)  # a clean exit, no traceback
    assert done.exit_code == 1
    assert "tiktok_handle: @joe_star belongs to another manager's roster" in done.stderr, (
        done.output
    )
    assert _creators(team_db) == before
    assert _audit_count(team_db) == history


def test_renaming_to_another_managers_handle_is_refused_in_words(team_db: str) -> None:
    with connect_as(team_db, "postgres") as owner:
        owner.execute(
            "INSERT INTO creators (name, tiktok_handle, followers, tags, commission_bp, notes,"
            " created_at, updated_at, open_deals, manager_id) VALUES ('Mina Own', '@mina_own',"
            f" 800, '', 0, '', now(), now(), 0, (SELECT id FROM managers WHERE name = '{MINA}'))"
        )
    before, history = _creators(team_db), _audit_count(team_db)
    done = CliRunner().invoke(
        cli.app,
        ["--db", url_as(team_db, MINA), "creators", "edit", "@mina_own", "--tiktok", "@joe_star"],
    )
    assert isinstance(done.exception, SystemExit)  # a clean exit, no traceback
    assert done.exit_code == 1
    assert "tiktok_handle: @joe_star belongs to another manager's roster" in done.stderr, (
        done.output
    )
    assert _creators(team_db) == before
    assert _audit_count(team_db) == history
