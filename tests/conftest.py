"""Shared fixtures (an empty store; the demo store, loaded once and copied per test) and the
Pilot helpers every TUI test uses. Tests about a rule build their rows with `factories`."""

from __future__ import annotations

import html
import inspect
import os
import shutil
import unicodedata
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Verbosity, settings
from textual import _wait as textual_wait
from textual import events
from textual.keys import REPLACED_KEYS, _character_to_key, _get_unicode_name_from_key
from textual.widgets import Input, Static

from talent_tui.app import TalentApp
from talent_tui.io import demo
from talent_tui.store import db as dbmod

from . import pgserver

# The demo files are anchored on this day; loading "as of" it keeps dates exactly as written.
TODAY = date(2026, 11, 1)


# ---- Hypothesis profiles: `ci` (the default) and `--slow` ------------------------------------
# ci: 200 examples per property, derandomized (the same examples on every run and machine, so a
# red CI run is reproducible by running the same test again). slow: 5,000 random examples per
# property; a failure prints `@reproduce_failure(...)` and the seed to paste back
# (`--hypothesis-seed=N`). Tests that set their own `max_examples` keep it.
_FUZZ_HEALTH = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
settings.register_profile(
    "ci",
    max_examples=200,
    deadline=None,
    derandomize=True,
    print_blob=True,
    suppress_health_check=_FUZZ_HEALTH,
)
settings.register_profile(
    "slow",
    max_examples=5_000,
    deadline=None,
    print_blob=True,
    verbosity=Verbosity.normal,
    suppress_health_check=[*_FUZZ_HEALTH, HealthCheck.data_too_large],
)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--slow",
        action="store_true",
        default=False,
        help="Run the Hypothesis properties with 5,000 random examples each (default: 200, "
        "derandomized).",
    )


def pytest_configure(config: pytest.Config) -> None:
    settings.load_profile("slow" if config.getoption("--slow") else "ci")


# The longest tests (the monkey's walks, ~40 s each; a kill test of 16 s; a terminal test
# that waits for a process) run first: with the collection split in halves between the xdist
# workers, one begun near the end would run on alone while the other worker has nothing left
# to take. The rest keeps its order (module fixtures stay shared).
RUN_FIRST = (
    "tests/test_monkey.py::test_monkey[",
    "tests/test_reliability.py::test_sigkill_during_an_import_leaves_all_or_nothing",
    "tests/test_terminal_gone.py::",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: not item.nodeid.startswith(RUN_FIRST))


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """No test may touch the real user data or log dir, or inherit a TALENT_* setting."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / "state"))  # the log file
    monkeypatch.setenv("HOME", str(home))
    for name in ("TALENT_DB", "TALENT_TODAY", "TALENT_AS", "TALENT_THEME"):
        monkeypatch.delenv(name, raising=False)


# ---- The store: SQLite, and PostgreSQL for the modules in BOTH_STORES ------------------------
# The store, service and CLI tests run on both stores: their `database` and `demo_db` come in a
# [sqlite] and a [postgres] flavour. TUI, snapshot and SSH tests (and every async test) stay on
# SQLite. PostgreSQL is the server $TALENT_TEST_PG names (.ci/run starts one), else a throwaway
# server this test process starts from the machine's binaries (tests/pgserver.py); when none
# can be started the PostgreSQL tests fail, saying why: they are never skipped.

BOTH_STORES = frozenset(
    {
        "test_affiliates",
        "test_affiliate_money",
        "test_affiliate_money_cli",
        "test_affiliate_money_review",
        "test_clicks_cli",
        "test_affiliates_cli",
        "test_agenda",
        "test_brands",
        "test_cli",
        "test_cli_deals",
        "test_cli_details",
        "test_cli_roster",
        "test_cli_startup",
        "test_concurrency_stores",
        "test_conflicts",
        "test_conversions_import",
        "test_deal_input",
        "test_deals",
        "test_deliverables",
        "test_factories",
        "test_field_rules",
        "test_fit_consistency",
        "test_hardening",
        "test_hygiene",
        "test_import_export",
        "test_import_partial",
        "test_importers",
        "test_insights",
        "test_invoice_cap",
        "test_pg_db",
        "test_pg_limits",
        "test_pg_roster",
        "test_pg_watch",
        "test_reliability",
        "test_reopen",
        "test_reports",
        "test_roster_sorts",
        "test_round_trips_and_edges",
        "test_services",
        "test_spreadsheet_safety",
        "test_store",
        "test_affiliate_money_late",
    }
)

# Tests in those modules about SQLite itself (its file, pragmas, journal), with the reason.
SQLITE_ONLY: dict[str, str] = {
    "test_hardening.py::test_backup_failures_are_database_errors": "SQLite's backup API",
    "test_reliability.py::test_backup_while_the_database_is_in_use": "SQLite's backup API",
    "test_reliability.py::test_check_reports_broken_references": "PRAGMA foreign_keys=OFF",
    "test_import_partial.py::test_cli_json_report_has_the_changes": "passes the file's path",
    "test_store.py::test_every_connection_gets_the_pragmas": "SQLite's per-connection pragmas",
    "test_roster_sorts.py::test_the_triggers_hold_exactly_the_open_statuses": "sqlite_master",
    "test_roster_sorts.py::test_every_page_is_read_in_index_order": "SQLite's query plans",
    "test_roster_sorts.py::test_count_before_is_an_index_range_and_matches_the_order": (
        "SQLite's query plans"
    ),
    "test_conversions_import.py::test_conversions_import_resolves_affiliates_by_handle_link_or_code": (
        "compares the file through sqlite3's iterdump"
    ),
    "test_deliverables.py::test_a_deleted_deliverables_history_stays_with_its_deal_even_when_its_id_is_reused": (
        "SQLite gives a deleted row's id to the next row; PostgreSQL's sequences never do"
    ),
}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    module = metafunc.module.__name__.rsplit(".", 1)[-1]
    if module not in BOTH_STORES or inspect.iscoroutinefunction(metafunc.function):
        return
    if f"{module}.py::{metafunc.function.__name__}" in SQLITE_ONLY:
        return
    if {"database", "demo_db"} & set(metafunc.fixturenames):
        metafunc.parametrize("store", ["sqlite", "postgres"], indirect=True)


@pytest.fixture
def store(request: pytest.FixtureRequest) -> str:
    """Which store `database` and `demo_db` are on: "sqlite" unless parametrized."""
    return str(getattr(request, "param", "sqlite"))


@pytest.fixture(scope="session")
def pg_databases() -> Iterator[pgserver.Databases]:
    """Databases on the test PostgreSQL server ($TALENT_TEST_PG, else one started here)."""
    url = os.environ.get("TALENT_TEST_PG")
    server = None
    if not url:
        server = pgserver.PgServer()
        try:
            url = server.start()
        except pgserver.PgServerError as exc:
            server.stop()
            pytest.fail(f"PostgreSQL tests need a server: {exc}", pytrace=False)
    databases = pgserver.Databases(url)
    try:
        yield databases
    finally:
        databases.dispose()
        if server is not None:
            server.stop()


@pytest.fixture(scope="session")
def pg_template(pg_databases: pgserver.Databases) -> str:
    """The name of a database migrated to head, to copy for each test."""
    name = f"tpl{os.getpid()}"
    db = dbmod.open_database(pg_databases.create(name=name))
    db.dispose()
    return name


@pytest.fixture
def pg_url(pg_databases: pgserver.Databases, pg_template: str) -> Iterator[str]:
    """A fresh, migrated PostgreSQL database of this test's own (dropped afterwards)."""
    url = pg_databases.take(pg_template)
    yield url
    pg_databases.drop_soon(url)


@pytest.fixture
def database(
    store: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[dbmod.Database]:
    if store == "postgres":
        db = dbmod.open_database(request.getfixturevalue("pg_url"))
    else:
        # A copy of a file migrated once per worker: the same bytes migrating from scratch
        # would write, in ~5 ms instead of ~150 ms (migrating is tested where it is the point).
        path = tmp_path / "talent.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        path.chmod(0o600)
        db = dbmod.open_database(str(path))
    yield db
    db.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty SQLite database migrated to head (its WAL folded in), to copy for each test."""
    path = tmp_path_factory.mktemp("template") / "talent.db"
    db = dbmod.open_database(str(path))
    with db.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.dispose()
    return path


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    db = dbmod.open_database(str(path))
    demo.load_demo(db, today=TODAY)
    with db.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.dispose()
    return path


@pytest.fixture(scope="session")
def pg_demo_template(pg_databases: pgserver.Databases, pg_template: str) -> str:
    """The name of a PostgreSQL database holding the demo, to copy for each test."""
    name = f"demo{os.getpid()}"
    db = dbmod.open_database(pg_databases.create(template=pg_template, name=name))
    demo.load_demo(db, today=TODAY)
    db.dispose()
    return name


@pytest.fixture
def demo_db(store: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[dbmod.Database]:
    if store == "postgres":
        databases: pgserver.Databases = request.getfixturevalue("pg_databases")
        url = databases.take(request.getfixturevalue("pg_demo_template"))
        db = dbmod.open_database(url)
        yield db
        db.dispose()
        databases.drop_soon(url)
        return
    path = tmp_path / "demo.db"
    shutil.copyfile(request.getfixturevalue("demo_template"), path)
    path.chmod(0o600)
    db = dbmod.open_database(str(path))
    yield db
    db.dispose()


# ---- Pilot helpers ------------------------------------------------------------------------

# Pilot.press waits twice after every key, and pilot.pause() once, until the app is idle:
# textual._wait.wait_for_idle sleeps in steps of SLEEP_GRANULARITY (20 ms) until one step
# passes in which this process used (almost) no CPU (SLEEP_IDLE, a 20th of a step). Steps of
# 5 ms wait for the same condition, a whole step with nothing to do, and stop up to 15 ms
# sooner each time: a test typing 200 characters spent 8 s in those steps.
textual_wait.SLEEP_GRANULARITY = 0.005
textual_wait.SLEEP_IDLE = textual_wait.SLEEP_GRANULARITY / 20


def make_app(
    database: dbmod.Database, today: date = TODAY, actor: str | None = "mina"
) -> TalentApp:
    return TalentApp(database, today=today, actor=actor)


async def settle(pilot) -> None:  # noqa: ANN001
    """Wait until every worker has finished and the messages they posted are handled."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def settle_despite_failures(pilot) -> None:  # noqa: ANN001
    """`settle`, for tests about failures: a worker that failed (or was cancelled by a newer
    one) does not raise here (the failure policy reported it; read `app.failures`)."""
    from textual.worker import WorkerCancelled, WorkerFailed

    for _ in range(2):
        try:
            await pilot.app.workers.wait_for_complete()
        except (WorkerFailed, WorkerCancelled):
            pass
        await pilot.pause()


def text_of(widget: Static) -> str:
    return str(widget.render())


def screen_text(app: TalentApp) -> str:
    """What the terminal shows, as text (styled runs are separate SVG text elements)."""
    return html.unescape(app.export_screenshot()).replace("\xa0", " ")


async def fill(pilot, field: str, text: str) -> None:  # noqa: ANN001
    """Replace the text of a form field (`#field-NAME`) by typing it."""
    widget = pilot.app.screen.query_one(f"#field-{field}", Input)
    widget.focus()
    widget.value = ""
    await pilot.press(*text)


async def goto(pilot, text: str) -> None:  # noqa: ANN001
    """Search the roster for `text` and open the first match."""
    await pilot.press("slash", *text, "enter")
    await settle(pilot)


def key_event(key: str) -> events.Key:
    """The event a terminal sends for `key`: a character ("/", "a", "김") or a key name
    ("tab", "ctrl+s", "space"), as Pilot.press builds it but without its waits."""
    if len(key) == 1:
        return events.Key(_character_to_key(key) if not key.isalnum() else key, key)
    original = REPLACED_KEYS.get(key, key)
    try:
        char: str | None = unicodedata.lookup(_get_unicode_name_from_key(original))
    except KeyError:
        char = None
    return events.Key(key, char)


async def type_fast(pilot, *keys: str) -> None:  # noqa: ANN001
    """Keys as a script or `tmux send-keys` delivers them: all queued at once, no waiting
    between them (Pilot.press waits after each key, which hides ordering bugs)."""
    app = pilot.app
    for key in keys:
        event = key_event(key)
        event.set_sender(app)
        app._driver.send_message(event)
    await settle(pilot)


async def focused_on(pilot, selector: str, attempts: int = 50) -> None:  # noqa: ANN001
    """Wait (by yielding to the app, not sleeping) until the widget `selector` has focus, as a
    person waits to see the cursor in a field before typing into it."""
    for _ in range(attempts):
        focused = pilot.app.focused
        if focused is not None and focused.id == selector.lstrip("#"):
            return
        await pilot.pause()
    raise AssertionError(f"{selector} never got focus (focused: {pilot.app.focused!r})")
