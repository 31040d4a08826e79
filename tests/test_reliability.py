"""Nothing lost: kills in the middle of an import, fuzzed input, upgrades, concurrent writers,
backups and checks, permissions."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import SQLModel
from typer.testing import CliRunner

from talent_tui.app import TalentApp
from talent_tui.cli import main as cli
from talent_tui.core import money
from talent_tui.io import importers
from talent_tui.screens.campaign import parse_terms
from talent_tui.screens.fields import FormProblem
from talent_tui.services import creators, roster
from talent_tui.store import db as dbmod
from talent_tui.store.models import Creator
from talent_tui.widgets.roster import RosterList

from .conftest import TODAY, settle

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()


def creators_csv(path: Path, count: int, prefix: str = "k") -> None:
    lines = ["name,tiktok_handle,followers,engagement_rate,niche"]
    lines += [f"Kill Test {i},@{prefix}{i},{1000 + i},4.5%,food" for i in range(count)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def count_creators(path: Path) -> int:
    with sqlite3.connect(path) as connection:
        return connection.execute("SELECT count(*) FROM creators").fetchone()[0]


IMPORT = (
    "import sys; sys.path.insert(0, {root!r}); from pathlib import Path;"
    "from talent_tui.store import db; from talent_tui.io import importers;"
    "d = db.open_database({db!r}); print('open', flush=True);"
    "importers.import_file(d, 'creators', Path({csv!r})); print('done', flush=True)"
)


# ---- 1. crash safety ------------------------------------------------------------------------


def test_sigkill_during_an_import_leaves_all_or_nothing(tmp_path: Path) -> None:
    rows = 20_000
    csv_path = tmp_path / "big.csv"
    creators_csv(csv_path, rows)
    template = tmp_path / "template.db"
    dbmod.open_database(str(template)).dispose()

    def start(db_path: Path) -> subprocess.Popen[str]:
        code = IMPORT.format(root=str(ROOT), db=str(db_path), csv=str(csv_path))
        return subprocess.Popen(
            [sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, cwd=tmp_path
        )

    # How long does the import itself take here? Kills are spread over that window.
    timed = tmp_path / "timed.db"
    shutil.copyfile(template, timed)
    process = start(timed)
    assert process.stdout is not None and process.stdout.readline().strip() == "open"
    began = time.monotonic()
    assert process.wait(timeout=120) == 0
    duration = time.monotonic() - began
    assert count_creators(timed) == rows

    outcomes = []
    for attempt in range(10):
        db_path = tmp_path / f"kill{attempt}.db"
        shutil.copyfile(template, db_path)
        process = start(db_path)
        assert process.stdout is not None and process.stdout.readline().strip() == "open"
        time.sleep(duration * (0.05 + 0.09 * attempt))  # from the start to the very end
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        with sqlite3.connect(db_path) as connection:
            assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = count_creators(db_path)
        assert stored in (0, rows), f"kill {attempt}: {stored} of {rows} rows, a partial import"
        outcomes.append(stored)
        reopened = dbmod.open_database(str(db_path))  # the app opens it normally afterwards
        with reopened.session() as s:
            assert roster.count_creators(s) == stored
        reopened.dispose()
    assert 0 in outcomes  # at least one kill landed before the commit, i.e. mid-write


# ---- 2. bad input, fuzzed ---------------------------------------------------------------------

FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
CELL = st.one_of(
    st.text(max_size=20),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.sampled_from(["", "4.5%", "0.045", "45", "1,200", "2026-02-30", "USD", "₩1,000", '"', ","]),
)


def _expect_clean_outcome(database: dbmod.Database, kind: str, path: Path) -> None:
    before = {t: _count(database, t) for t in ("creators", "metric_snapshots", "rates", "brands")}
    try:
        importers.import_file(database, kind, path)
    except importers.ImportFailed as failed:
        assert failed.errors
        for error in failed.errors:
            assert error.source == path.name and isinstance(error.row, int) and error.field
        after = {t: _count(database, t) for t in before}
        assert after == before  # refused: nothing written


def _count(database: dbmod.Database, table: str) -> int:
    with database.engine.connect() as connection:
        return connection.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar_one()


@FUZZ
@given(
    data=st.binary(max_size=400),
    kind=st.sampled_from(importers.KINDS),
    ext=st.sampled_from(["csv", "json"]),
)
def test_arbitrary_bytes_never_crash_an_importer(
    database: dbmod.Database, tmp_path: Path, data: bytes, kind: str, ext: str
) -> None:
    path = tmp_path / f"fuzz.{ext}"
    path.write_bytes(data)
    _expect_clean_outcome(database, kind, path)


@FUZZ
@given(
    kind=st.sampled_from(importers.KINDS),
    columns=st.lists(
        st.sampled_from(
            sorted({c for s in importers.SPECS.values() for c in s.columns} | {"extra"})
        ),
        min_size=1,
        max_size=8,
        unique=True,
    ),
    rows=st.lists(st.lists(CELL, min_size=0, max_size=9), max_size=6),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1"]),
)
def test_near_valid_csv_imports_or_is_refused_cleanly(
    database: dbmod.Database,
    tmp_path: Path,
    kind: str,
    columns: list[str],
    rows: list[list[str]],
    encoding: str,
) -> None:
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    writer.writerows(rows)
    path = tmp_path / "near.csv"
    try:
        path.write_bytes(buffer.getvalue().encode(encoding))
    except UnicodeEncodeError:
        path.write_bytes(buffer.getvalue().encode("utf-8"))
    _expect_clean_outcome(database, kind, path)


@FUZZ
@given(values=st.dictionaries(st.sampled_from(creators.FIELD_NAMES), st.text(max_size=40)))
def test_creator_form_input_is_accepted_or_named_never_a_crash(values: dict[str, str]) -> None:
    try:
        creators.parse_fields(values)
    except creators.InvalidCreator as invalid:
        assert invalid.errors and all(isinstance(m, str) for m in invalid.errors.values())


@FUZZ
@given(
    values=st.fixed_dictionaries(
        {
            name: st.one_of(st.text(max_size=20), CELL)
            for name in (
                "fee",
                "deliverables",
                "usage_days",
                "exclusivity_days",
                "net_days",
                "upfront_pct",
                "respond_by",
            )
        }
    ),
    currency=st.sampled_from(["USD", "KRW", "EUR"]),
)
def test_terms_form_input_is_accepted_or_named_never_a_crash(
    values: dict[str, str], currency: str
) -> None:
    try:
        parse_terms(values, currency)
    except FormProblem as problem:
        assert problem.errors


@FUZZ
@given(text=st.text(max_size=30), currency=st.sampled_from([None, "USD", "KRW", "JPY", "BHD"]))
def test_money_parsing_never_rounds_or_crashes(text: str, currency: str | None) -> None:
    try:
        parsed = money.parse_money(text, currency)
    except money.MoneyError:
        return
    assert parsed.amount_minor >= 0 and len(parsed.currency) == 3


async def test_hostile_text_typed_into_the_creator_form_does_not_crash_the_app(
    demo_db: dbmod.Database,
) -> None:
    app = TalentApp(demo_db, today=TODAY)
    hostile = ["[bold]x[/", "'; DROP TABLE creators; --", "💥" * 30, "9" * 60, "%_\\", "\x1b[31m"]
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await pilot.pause()
        for name, text in zip(creators.FIELD_NAMES, hostile * 2, strict=False):
            app.screen.query_one(f"#field-{name}").value = text
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.is_running
    assert _count(demo_db, "creators") == 42  # the bad form saved nothing


async def test_markup_like_names_are_shown_as_written_everywhere(demo_db: dbmod.Database) -> None:
    from talent_tui.services import deals
    from talent_tui.store.models import Brand

    with demo_db.transaction() as s:
        creator = creators.add_creator(
            s,
            {
                "name": "[/b] Mina",
                "tiktok_handle": "@mina.markup",
                "niche": "[red]x",
                "tags": "[/]",
            },
        )
        brand = Brand(name="[bold]Brand[/")
        s.add(brand)
        s.flush()
        terms = deals.Terms(fee_minor=100, currency="USD", respond_by=TODAY)
        campaign = deals.add_campaign(s, creator.id, brand.id, "[/sale] Launch", terms, "me", TODAY)
        deals.log_interaction(
            s, deals.InteractionKind.NOTE, "[/oops]", TODAY, "me", creator_id=creator.id
        )
        creators.set_rate(s, creator.id, "[video]", "100 USD")
    app = TalentApp(demo_db, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"markup", "enter")
        await settle(pilot)
        for keys in (["enter", "enter"], ["l"], ["t"], ["m"], ["K"]):
            await pilot.press(*keys)
            await settle(pilot)
            assert app.is_running, keys
            await pilot.press("escape")
            await settle(pilot)
            if not isinstance(app.screen, type(app.screen_stack[0])):
                await pilot.press("escape")
                await settle(pilot)
        for keys in (["g"], ["f"], ["b"]):
            await pilot.press("r", *keys)
            await settle(pilot)
            assert app.is_running, keys
            await pilot.press("escape")
            await settle(pilot)
    assert campaign.id


# ---- 3. upgrades ----------------------------------------------------------------------------


def test_newer_schema_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    dbmod.open_database(str(path)).dispose()
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0099_from_the_future'")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    with pytest.raises(dbmod.DatabaseError, match="newer version of talent"):
        dbmod.open_database(str(path))
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest
    result = runner.invoke(cli.app, ["--db", str(path), "creators", "list"])
    assert result.exit_code == 3 and "newer version" in result.stderr


def test_only_the_last_few_migration_copies_are_kept(tmp_path: Path) -> None:
    from alembic import command

    path = tmp_path / "old.db"
    for _ in range(dbmod.KEEP_BACKUPS + 2):
        database = dbmod.open_database(str(path))
        command.downgrade(dbmod.alembic_config(database), "0002_roster_scale")
        database.dispose()
        time.sleep(0.01)
        reopened = dbmod.open_database(str(path))
        assert reopened.backup is not None and Path(reopened.backup).exists()
        reopened.dispose()
    assert len(list(tmp_path.glob("old.db.bak-*"))) == dbmod.KEEP_BACKUPS


def test_db_migrate_reports_the_copy(tmp_path: Path) -> None:
    from alembic import command

    path = tmp_path / "m.db"
    database = dbmod.open_database(str(path))
    with database.transaction() as s:
        s.add(Creator(name="Kept", tiktok_handle="@kept"))
    command.downgrade(dbmod.alembic_config(database), "0002_roster_scale")
    database.dispose()
    result = runner.invoke(cli.app, ["--db", str(path), "db", "migrate"])
    assert result.exit_code == 0 and f"0002_roster_scale → {dbmod.SCHEMA_HEAD}" in result.stdout
    assert "kept at" in result.stdout
    again = runner.invoke(cli.app, ["--db", str(path), "db", "migrate"])
    assert "up to date" in again.stdout
    with dbmod.open_database(str(path)).session() as s:
        assert roster.find_creator(s, "@kept").name == "Kept"


# ---- 4. concurrent use ------------------------------------------------------------------------


def test_two_cli_writers_at_once_both_succeed(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    dbmod.open_database(str(path)).dispose()
    files = []
    for prefix in ("a", "b"):
        csv_path = tmp_path / f"{prefix}.csv"
        creators_csv(csv_path, 8_000, prefix)
        files.append(csv_path)
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "talent_tui", "--db", str(path), "import", "creators", str(f)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for f in files
    ]
    results = [p.communicate(timeout=180) for p in processes]
    for process, (_out, err) in zip(processes, results, strict=True):
        assert process.returncode == 0, err
        assert "locked" not in err
    assert count_creators(path) == 16_000


async def test_the_app_sees_rows_another_program_imports(tmp_path: Path) -> None:
    path = tmp_path / "live.db"
    database = dbmod.open_database(str(path))
    first = tmp_path / "first.csv"
    creators_csv(first, 5, "first")
    importers.import_file(database, "creators", first)
    app = TalentApp(database, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        roster_list = app.screen.query_one(RosterList)
        assert roster_list.total == 5
        more = tmp_path / "more.csv"
        creators_csv(more, 7, "more")
        other = dbmod.open_database(str(path))  # as `talent import` would, its own connection

        def write() -> None:
            importers.import_file(other, "creators", more)

        writer = threading.Thread(target=write)
        writer.start()
        writer.join(timeout=60)
        other.dispose()
        for _ in range(40):  # the app notices within a few seconds, no key needed
            await pilot.pause(0.1)
            if roster_list.total == 12:
                break
        assert roster_list.total == 12
        await pilot.press("ctrl+r")  # and the key works too
        await settle(pilot)
        assert roster_list.total == 12
    database.dispose()


# ---- 5. backups and checks ------------------------------------------------------------------


def test_backup_while_the_database_is_in_use(demo_db: dbmod.Database, tmp_path: Path) -> None:
    target = tmp_path / "copy.db"
    with demo_db.session() as s:  # an open reader, as the app would have
        s.execute(sa.text("SELECT count(*) FROM creators")).scalar()
        result = runner.invoke(cli.app, ["--db", demo_db.url, "db", "backup", str(target)])
    assert result.exit_code == 0, result.output
    copy = dbmod.open_database(str(target))
    with copy.session() as s:
        assert roster.count_creators(s) == 42
    assert dbmod.check(copy).ok


def test_check_reports_broken_references(demo_db: dbmod.Database) -> None:
    assert runner.invoke(cli.app, ["--db", demo_db.url, "db", "check"]).exit_code == 0
    path = demo_db.path
    demo_db.dispose()
    with sqlite3.connect(path) as connection:  # foreign keys off: what a careless tool might do
        connection.execute(
            "INSERT INTO rates (creator_id, deliverable, amount_minor, currency, updated_at)"
            " VALUES (9999, 'video', 1, 'USD', '2026-01-01 00:00:00')"
        )
    result = runner.invoke(cli.app, ["--db", str(path), "db", "check", "--json"])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["ok"] is False and report["integrity"] == ["ok"]
    assert any("rates" in line and "creators" in line for line in report["foreign_keys"])


# ---- 6. permissions -------------------------------------------------------------------------


def test_new_database_is_private(tmp_path: Path) -> None:
    path = tmp_path / "talent.db"
    dbmod.open_database(str(path)).dispose()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_database_in_a_folder_that_does_not_exist_is_refused_not_created(
    tmp_path: Path,
) -> None:
    path = tmp_path / "Documnets" / "roster.db"  # a typo
    result = runner.invoke(cli.app, ["--db", str(path), "creators", "list"])
    assert result.exit_code == 1  # bad input, not a database that cannot be opened
    assert "does not exist" in result.stderr and str(path.parent) in result.stderr
    assert not path.parent.exists()


def test_no_place_to_store_platform_passwords_or_tokens() -> None:
    columns = [c.name.lower() for t in SQLModel.metadata.tables.values() for c in t.columns]
    for word in ("password", "passwd", "token", "secret", "session", "cookie"):
        assert not any(word in name for name in columns), word


def test_cli_prints_markup_like_names_as_written(database: dbmod.Database) -> None:
    added = runner.invoke(
        cli.app, ["--db", database.url, "creators", "add", "--name", "[/b] Mina", "--tiktok", "@m1"]
    )
    assert added.exit_code == 0, added.output
    for args in (["creators", "list"], ["creators", "show", "@m1"]):
        result = runner.invoke(cli.app, ["--db", database.url, *args])
        assert result.exit_code == 0 and "[/b] Mina" in result.stdout, result.output
