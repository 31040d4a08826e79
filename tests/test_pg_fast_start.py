"""The app's fast start on PostgreSQL (issue 17): `talent [--db URL] [--as NAME] [demo]` on a
database at head skips the command tree and reads its first frame through plain psycopg, as
the URL's login (row-level security applies), with who acts decided as the command line
decides it; anything else (an older schema, a server that cannot be reached, a login
refused, `--as` not allowed) takes the full command line, which says what is wrong."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from talent_tui.app import TalentApp
from talent_tui.launch import quick_target
from talent_tui.screens.main import MainScreen
from talent_tui.services import roster, team
from talent_tui.store import db as dbmod
from talent_tui.store.handle import DatabaseServer
from talent_tui.store.pgurl import PG_CONNECT_ARGS, pg_url
from talent_tui.store.sqlitefile import SCHEMA_HEAD, ReadTooLong

from .conftest import TODAY, settle, text_of

ROOT = Path(__file__).resolve().parent.parent
# Roles belong to the whole server, shared by every test process: names of this process.
PID = os.getpid()
BOSS, MINA, JOE = (f"fast_{who}_{PID}" for who in ("boss", "mina", "joe"))
OWNER = team.Acting("postgres", login="postgres", owner=True)
HEAVY = ("sqlalchemy", "sqlmodel", "alembic", "typer", "click")


def url_as(url: str, user: str) -> str:
    return make_url(url).set(username=user).render_as_string(hide_password=False)


def quick(argv: list[str]) -> tuple[DatabaseServer, str] | None:
    """quick_target on a PostgreSQL URL: the connected database (closed here) and who acts."""
    found = quick_target(argv)
    if found is None:
        return None
    server, actor = found
    assert isinstance(server, DatabaseServer) and actor is not None
    server.close()
    return server, actor


def run_talent(*argv: str, home: Path) -> subprocess.CompletedProcess[str]:
    """The real `talent` executable's entry point, in a fresh process, without a terminal."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TALENT_")}
    env.update(HOME=str(home), XDG_DATA_HOME=str(home / "data"), PYTHONPATH=str(ROOT))
    return subprocess.run(
        [sys.executable, "-m", "talent_tui", *argv],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        stdin=subprocess.DEVNULL,
    )


@pytest.fixture(scope="module")
def team_db(pg_databases, pg_template) -> Iterator[str]:  # noqa: ANN001 - fixtures
    """One database for the module: an admin and two managers, a creator each for the
    managers and one unassigned. Its URL (as the tables' owner)."""
    url = pg_databases.create(template=pg_template)
    database = dbmod.open_database(url)
    with database.transaction() as session:
        team.add(session, OWNER, BOSS, "admin")
        team.add(session, OWNER, MINA, "manager")
        team.add(session, OWNER, JOE, "manager")
    with database.engine.begin() as conn:
        for who, name in ((MINA, "Mina Star"), (JOE, "Joe Star"), (None, "Nobody Yet")):
            conn.execute(
                sa.text(
                    "INSERT INTO creators (name, tiktok_handle, followers, tags, commission_bp,"
                    " notes, created_at, updated_at, open_deals, manager_id) VALUES (:name,"
                    " :handle, 1000, '', 0, '', now(), now(), 0,"
                    " (SELECT id FROM managers WHERE name = :who))"
                ),
                {"name": name, "handle": "@" + name.lower().replace(" ", "_"), "who": who},
            )
    database.dispose()
    yield url
    pg_databases.drop(url)


# ---- the URL, as the engine reads it ---------------------------------------------------------


def test_a_url_means_what_it_means_to_sqlalchemy() -> None:
    """The connection the first frame reads on is the engine's: the same keywords to
    psycopg.connect (with talent's own options), and the same URL shown, password hidden."""
    engine = sa.create_engine("postgresql+psycopg://", poolclass=sa.NullPool)
    for url in (
        "postgresql+psycopg://mina:s%40cret%2Fx@db.example:6543/talent",
        "postgresql+psycopg://mina@127.0.0.1/talent?connect_timeout=3&sslmode=disable",
        "postgresql+psycopg://mina:p@ss@host/talent",  # an unescaped @: the host is "ss@host"
        "postgresql+psycopg://[::1]:5432/my%20team?application_name=talent+app",
        "postgresql+psycopg:///talent",
        "postgresql+psycopg://u@h/db?options=-c%20statement_timeout%3D5000",
        "postgresql://mina@h:5/talent",
    ):
        parsed = pg_url(url)
        assert parsed is not None, url
        expected = dict(engine.dialect.create_connect_args(make_url(url))[1])
        expected.pop("context", None)
        assert parsed.connect_args() == {**expected, **PG_CONNECT_ARGS}, url
        assert parsed.describe() == dbmod.describe_url(url), url
    assert pg_url("postgresql+psycopg://mina:s%40cret@h/db").connect_args()["password"] == "s@cret"  # type: ignore[union-attr]
    for other in (
        "sqlite:////tmp/x.db",
        "postgresql+psycopg2://u@h/db",  # another driver: the engine's to open
        "postgresql+psycopg://u@h:notaport/db",
        "postgresql+psycopg://u@/db?host=a&host=b",  # several hosts
        "postgresql+psycopg://u@h/db?port=1",
        "postgresql+psycopg://u@h/db?sslmode=a&sslmode=b",
        "/home/mina/talent.db",
        "",
    ):
        assert pg_url(other) is None, other


# ---- which start ----------------------------------------------------------------------------


def test_a_database_at_head_starts_quickly_as_its_login(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    login = make_url(pg_url).username
    found = quick(["--db", pg_url])
    assert found is not None and found[1] == login
    assert found[0].url == pg_url and found[0].describe() == dbmod.describe_url(pg_url)
    assert quick([f"--db={pg_url}"]) is not None
    monkeypatch.setenv("TALENT_DB", pg_url)
    assert quick([]) is not None
    # The URL's own options reach the connection, with talent's (no prepared statements).
    server, _ = quick(["--db", pg_url + "?application_name=fast_start_test"]) or (None, None)
    assert server is not None
    with server.reading() as connection:
        assert connection.prepare_threshold is None
        assert connection.execute("SELECT current_setting('application_name')").fetchone() == (
            "fast_start_test",
        )
        assert connection.execute("SELECT current_user").fetchone() == (login,)
    server.close()
    # The check waits at most 2 s for a server (the full path then waits the URL's own time
    # and says what is wrong); the app's connections wait as the URL says, as the engine's.
    found = quick_target(["--db", pg_url + "?connect_timeout=30"])
    assert found is not None and isinstance(found[0], DatabaseServer)
    with found[0].reading() as first, found[0].reading() as second:
        assert "connect_timeout=2" in first.info.dsn.split()
        assert "connect_timeout=30" in second.info.dsn.split()
    found[0].close()
    # `demo` opens quickly once the database has creators (else the demo is loaded first).
    assert quick(["--db", pg_url, "demo"]) is None
    with psycopg.connect(**pg_url_args(pg_url), autocommit=True) as owner:
        owner.execute(
            "INSERT INTO creators (name, tiktok_handle, followers, tags, commission_bp, notes,"
            " created_at, updated_at, open_deals) VALUES ('Aiko', '@aiko', 5, '', 0, '', now(),"
            " now(), 0)"
        )
    assert quick(["--db", pg_url, "demo"]) is not None
    # Anything else is the full command line's to do.
    for argv in (
        ["--db", pg_url, "creators", "list"],
        ["--db", pg_url, "--help"],
        ["--db", pg_url + "?connect_timeout=soon"],  # psycopg refuses it, as the engine does
        ["--db", pg_url.replace("postgresql+psycopg", "postgresql+psycopg2")],
    ):
        assert quick_target(argv) is None, argv


def pg_url_args(url: str) -> dict[str, object]:
    parsed = pg_url(url)
    assert parsed is not None
    return parsed.connect_args()


def test_an_older_newer_or_empty_schema_takes_the_full_command_line(
    pg_url: str, pg_databases, tmp_path: Path
) -> None:  # noqa: ANN001
    with psycopg.connect(**pg_url_args(pg_url), autocommit=True) as owner:
        for revision in ("0002_roster_scale", "0099_from_the_future"):
            owner.execute("UPDATE alembic_version SET version_num = %s", (revision,))
            assert quick_target(["--db", pg_url]) is None, revision
        owner.execute("UPDATE alembic_version SET version_num = %s", (SCHEMA_HEAD,))
    assert quick(["--db", pg_url]) is not None
    empty = pg_databases.create()
    try:
        assert quick_target(["--db", empty]) is None
        # The full command line migrates the empty database; the next start is quick.
        migrated = run_talent("--db", empty, "db", "migrate", home=tmp_path)
        assert migrated.returncode == 0, migrated.stderr
        assert quick(["--db", empty]) is not None
    finally:
        pg_databases.drop(empty)


def test_a_server_or_login_that_fails_takes_the_full_command_line_which_says_why(
    pg_url: str, tmp_path: Path
) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    down = make_url(pg_url).set(host="127.0.0.1", port=port).render_as_string(False)
    nobody = url_as(pg_url, f"nobody_{PID}")
    for url, says in ((down, "Connection refused"), (nobody, f'role "nobody_{PID}" does not')):
        assert quick_target(["--db", url]) is None
        ran = run_talent("--db", url, home=tmp_path)
        assert ran.returncode == 3, ran.stderr
        assert f"cannot open database {dbmod.describe_url(url)}" in ran.stderr
        assert says in ran.stderr
        assert "Traceback" not in ran.stderr and ran.stdout == ""


def test_a_read_given_a_time_limit_is_stopped_by_the_server(pg_url: str) -> None:
    found = quick_target(["--db", pg_url])
    assert found is not None
    server = found[0]
    assert isinstance(server, DatabaseServer)
    with pytest.raises(ReadTooLong, match="took longer than 0.05 s"):
        with server.reading(0.05) as connection:
            connection.execute("SELECT pg_sleep(2)")
    with server.reading() as connection:  # the connection is kept, with no limit left
        assert connection.execute("SELECT current_setting('statement_timeout')").fetchone() == (
            "0",
        )
        connection.execute("SELECT pg_sleep(0.1)")
        kept = connection
    database = server.open()  # the engine reads from now on; kept connections are closed
    try:
        assert kept.closed
        assert dbmod.current_revision(database) == SCHEMA_HEAD
    finally:
        database.dispose()


# ---- team mode: who acts, and what the first frame shows ------------------------------------


def test_who_acts_is_decided_as_the_command_line_decides_it(
    team_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    as_mina, as_boss = url_as(team_db, MINA), url_as(team_db, BOSS)
    found = quick(["--db", as_mina])
    assert found is not None and found[1] == MINA
    # The first read is hers: row-level security leaves her creators and the unassigned one.
    with found[0].reading() as connection:
        assert roster.count_creators(connection) == 2
        assert team.acting(connection, MINA, MINA).owner_filter(False)[0] is not None
    found[0].close()
    assert quick(["--db", as_mina, "--as", MINA]) is not None
    # `--as` is for admins: a manager's is refused by the full command line, in words.
    assert quick_target(["--db", as_mina, "--as", BOSS]) is None
    monkeypatch.setenv("TALENT_AS", BOSS)
    assert quick_target(["--db", as_mina]) is None
    monkeypatch.delenv("TALENT_AS")
    refused = run_talent("--db", as_mina, "--as", BOSS, home=tmp_path)
    assert refused.returncode == 1
    assert "--as (and TALENT_AS) is for admins" in refused.stderr
    assert "Traceback" not in refused.stderr
    acting_for = quick(["--db", as_boss, "--as", MINA])
    assert acting_for is not None and acting_for[1] == MINA


async def test_a_managers_first_frame_shows_her_own_roster(team_db: str) -> None:
    found = quick_target(["--db", url_as(team_db, MINA)])
    assert found is not None
    server, actor = found
    assert isinstance(server, DatabaseServer)
    first: list[list[str]] = []
    app = TalentApp(server, today=TODAY, actor=actor)
    shown = app.first_frame_shown

    def frame() -> None:  # the roster is painted, before the ORM opens
        first.append([row.name for row in app.screen.query_one("#roster").rows])  # type: ignore[attr-defined]
        first.append([str(app.database_handle is server)])
        shown()

    app.first_frame_shown = frame  # type: ignore[method-assign]
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        main = app.screen
        assert isinstance(main, MainScreen)
        assert first == [["Mina Star"], ["True"]]
        assert app.acting.name == MINA and app.team_label() == "mine"
        assert " · mine · " in text_of(main.query_one("#roster-status"))  # type: ignore[arg-type]
        await pilot.press("w")  # all her role allows: still not Joe's
        await settle(pilot)
        assert [row.name for row in main.query_one("#roster").rows] == [  # type: ignore[attr-defined]
            "Mina Star",
            "Nobody Yet",
        ]
        assert not app.failures


PROBE = textwrap.dedent(
    """
    import asyncio, json, sys
    from talent_tui.launch import quick_target
    from talent_tui.app import TalentApp

    seen = {}

    def frame(app):  # the roster is painted: record, and do not open the database
        seen["heavy"] = sorted(m for m in sys.modules if m.split(".")[0] in HEAVY)
        seen["rows"] = [row.name for row in app.screen.query_one("#roster").rows]
        app.frame_shown.set()

    TalentApp.first_frame_shown = frame

    async def main():
        server, actor = quick_target(sys.argv[1:])
        seen["actor"] = actor
        app = TalentApp(server, actor=actor)
        async with app.run_test(size=(80, 24)) as pilot:
            for _ in range(2000):
                if "rows" in seen:
                    break
                await asyncio.sleep(0.005)

    asyncio.run(main())
    print(json.dumps(seen))
    """
)


def test_the_first_frame_on_postgresql_imports_no_orm_or_command_line(team_db: str) -> None:
    """In a fresh interpreter: when the roster is painted, none of SQLAlchemy, SQLModel,
    Alembic, Typer or Click is loaded, and the rows are the login's own."""
    probe = f"HEAVY = {HEAVY!r}\n" + PROBE
    result = subprocess.run(
        [sys.executable, "-c", probe, "--db", url_as(team_db, MINA)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen == {"heavy": [], "rows": ["Mina Star"], "actor": MINA}
