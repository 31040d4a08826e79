"""What a second adversarial pass found: campaigns made in talent copied on re-import, upgrade
copies pruning the user's own files, exports over another database, folder-like --db values,
week dates in TALENT_TODAY, the last day there is, and JSON keys given twice."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from talent_tui.cli import main as cli
from talent_tui.store import db as dbmod
from talent_tui.store.models import Campaign

from . import factories

runner = CliRunner()


def talent(db: Path, *args: str, env: dict[str, str] | None = None):  # noqa: ANN201
    return runner.invoke(cli.app, ["--db", str(db), *args], env=env)


def external_ids(path: Path) -> list[str | None]:
    with sqlite3.connect(path) as connection:
        return [r[0] for r in connection.execute("SELECT external_id FROM campaigns ORDER BY id")]


def seeded(path: Path) -> Path:
    database = dbmod.open_database(str(path))
    with database.transaction() as session:
        factories.creator(session, name="Dana Park", tiktok_handle="@dana.park")
        factories.brand(session, name="Glowly")
    database.dispose()
    return path


def test_a_campaign_made_in_talent_is_matched_not_copied_when_its_export_comes_back(
    tmp_path: Path,
) -> None:
    path = seeded(tmp_path / "a.db")
    added = talent(
        path, "campaigns", "add", "--creator", "@dana.park", "--brand", "Glowly",
        "--name", "Winter serum", "--fee", "1,500 USD",
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    assert external_ids(path) == ["talent-1"]
    for step in (("export", "creators", "-o"), ("export", "brands", "-o")):
        out = tmp_path / f"{step[1]}.csv"
        assert talent(path, *step, str(out)).exit_code == 0
    exported = tmp_path / "campaigns.csv"
    assert talent(path, "export", "campaigns", "-o", str(exported)).exit_code == 0
    again = talent(path, "import", "campaigns", str(exported))
    assert again.exit_code == 0 and "0 new, 0 updated, 1 unchanged" in again.stdout
    assert external_ids(path) == ["talent-1"]

    # Into a new database: the imported campaign keeps its id, and one made there afterwards
    # gets an id of its own, so the next export has no key twice.
    fresh = tmp_path / "fresh.db"
    for kind in ("creators", "brands", "campaigns"):
        result = talent(fresh, "import", kind, str(tmp_path / f"{kind}.csv"))
        assert result.exit_code == 0, result.output
    database = dbmod.open_database(str(fresh))
    with database.transaction() as session:
        # An imported campaign whose id is what talent would give the next one it makes.
        session.exec(select(Campaign)).one().external_id = "talent-2"
    database.dispose()
    made = talent(
        fresh, "campaigns", "add", "--creator", "@dana.park", "--brand", "Glowly",
        "--name", "Spring serum", "--fee", "900 USD",
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    ids = external_ids(fresh)
    assert ids == ["talent-2", "talent-2-2"]


def test_a_campaign_stored_without_an_id_is_matched_by_the_id_its_export_gives_it(
    tmp_path: Path,
) -> None:
    path = seeded(tmp_path / "legacy.db")
    database = dbmod.open_database(str(path))
    with database.transaction() as session:
        campaign = factories.offer(session, name="Old deal")
        campaign.external_id = None  # made before talent gave every campaign an id
    database.dispose()
    exported = tmp_path / "c.csv"
    assert talent(path, "export", "campaigns", "-o", str(exported)).exit_code == 0
    assert "talent-1," in exported.read_text(encoding="utf-8")
    result = talent(path, "import", "campaigns", str(exported))
    assert result.exit_code == 0 and "0 new" in result.stdout, result.output
    with sqlite3.connect(path) as connection:
        assert connection.execute("SELECT count(*) FROM campaigns").fetchone()[0] == 1


def test_only_copies_talent_made_are_pruned(tmp_path: Path) -> None:
    from alembic import command

    path = tmp_path / "o.db"
    mine = tmp_path / "o.db.bak-before-my-experiment"
    mine.write_bytes(b"the user's own copy")
    os.utime(mine, (1, 1))  # the oldest file of all
    for _ in range(dbmod.KEEP_BACKUPS + 1):
        database = dbmod.open_database(str(path))
        command.downgrade(dbmod.alembic_config(database), "0002_roster_scale")
        database.dispose()
        time.sleep(0.01)
        dbmod.open_database(str(path)).dispose()
    assert mine.read_bytes() == b"the user's own copy"
    made = [p for p in tmp_path.glob("o.db.bak-0002_roster_scale-*")]
    assert len(made) == dbmod.KEEP_BACKUPS


def test_an_export_never_writes_over_another_database(tmp_path: Path) -> None:
    path = seeded(tmp_path / "a.db")
    victim = seeded(tmp_path / "victim.db")
    before = victim.read_bytes()
    for args in (
        ("export", "creators", "-o", str(victim)),
        ("report", "creator", "@dana.park", "-f", "md", "-o", str(victim)),
    ):
        result = talent(path, *args)
        assert result.exit_code == 1, result.output
        assert "is a database" in result.stderr
    assert victim.read_bytes() == before


@pytest.mark.parametrize("value", ["{dir}/newdir/", "{dir}"])
def test_a_folder_is_not_a_database(tmp_path: Path, value: str) -> None:
    given = value.format(dir=tmp_path)
    result = runner.invoke(cli.app, ["--db", given, "creators", "list"])
    assert result.exit_code == 3
    assert "is a folder" in result.stderr and "talent.db" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_talent_today_is_strictly_a_day_and_the_last_day_there_is_works(tmp_path: Path) -> None:
    path = seeded(tmp_path / "a.db")
    week = talent(path, "deals", "due", env={"TALENT_TODAY": "2026-W01-1"})
    assert week.exit_code == 1 and "YYYY-MM-DD" in week.stderr
    database = dbmod.open_database(str(path))
    with database.transaction() as session:
        factories.agreed_offer(session, name="Late deal")
    database.dispose()
    for day in ("9999-12-31", "9999-12-25", "0001-01-01"):
        for args in (("deals", "due", "--days", "30"), ("deals", "due", "--days", "3650")):
            result = talent(path, *args, env={"TALENT_TODAY": day})
            assert result.exit_code == 0, (day, args, result.output)


def test_a_json_key_given_twice_is_refused(tmp_path: Path) -> None:
    path = seeded(tmp_path / "a.db")
    source = tmp_path / "twice.json"
    source.write_text('[{"name": "X", "tiktok_handle": "@xyz.one", "name": "Y"}]')
    result = talent(path, "import", "creators", str(source))
    assert result.exit_code == 1
    assert "twice.json:1:name: duplicate key 'name'" in result.stderr
    with sqlite3.connect(path) as connection:
        assert connection.execute("SELECT count(*) FROM creators").fetchone()[0] == 1


@pytest.mark.parametrize(
    "args",
    [
        ("creators", "list", "--sort", "bogus"),
        ("campaigns", "list", "--tab", "bogus"),
        ("export", "creators", "--format", "xml"),
        ("export", "bogus"),
        ("import", "bogus", "x.csv"),
        ("report", "bogus", "x"),
        ("mediakit", "@dana.park", "-f", "docx"),
    ],
)
def test_a_value_that_is_not_one_of_the_choices_is_usage_exit_2(
    tmp_path: Path, args: tuple[str, ...]
) -> None:
    result = talent(seeded(tmp_path / "a.db"), *args)
    assert result.exit_code == 2, result.output
    assert "unknown" in result.stderr or "is not one of" in result.stderr  # ours, or Click's


def test_what_export_prints_carries_no_control_character(tmp_path: Path) -> None:
    path = seeded(tmp_path / "a.db")
    with sqlite3.connect(path) as connection:  # another program wrote it; imports refuse it
        connection.execute(
            "UPDATE creators SET name = ?, notes = ?",
            ("Evil\x1b[2J\x1b]0;PWNED\x07Name\u202e", "line one\nline\x9btwo"),
        )
    for fmt in ("csv", "json"):
        result = talent(path, "export", "creators", "--format", fmt)
        assert result.exit_code == 0, result.output
        shown = result.stdout
        # CSV shows them as pictures; JSON escapes C0 itself (\u001b) and the rest as pictures.
        visible = "Evil␛[2J␛]0;PWNED␇Name" if fmt == "csv" else "Evil\\u001b[2J"
        assert visible in shown
        assert not any(ch in shown for ch in "\x1b\x07\x9b\u202e")
    result = talent(path, "mediakit", "@dana.park", "-f", "md")
    assert result.exit_code == 0 and "\x1b" not in result.stdout and "␛" in result.stdout
