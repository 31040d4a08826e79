"""The path to the first frame: what it imports, what it shows, and when it is taken.

`talent` on an up-to-date SQLite file paints the roster and the highlighted creator's panel
from plain reads through the stdlib driver (`services.roster` on `store.sqlitefile`), and
only then loads the ORM in the background. These tests keep that path free of the heavy
modules, check it shows exactly what the ORM's own view of the same rows gives, and check
that anything the quick path cannot vouch for takes the full command line.
"""

from __future__ import annotations

import json
import random
import sqlite3
import subprocess
import sys
import textwrap
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from talent_tui.launch import quick_target
from talent_tui.services import metrics, roster
from talent_tui.services.roster import RosterQuery, SortKey
from talent_tui.store import db as dbmod
from talent_tui.store import sqlitefile
from talent_tui.store.models import Creator, MetricSnapshot, Rate
from tests import factories

HEAVY = ("sqlalchemy", "sqlmodel", "alembic", "typer", "click", "plotext", "markdown_it")

PROBE = textwrap.dedent(
    """
    import asyncio, json, sys
    from talent_tui.launch import quick_target
    from talent_tui.store.handle import DatabaseFile
    from talent_tui.app import TalentApp
    from talent_tui.screens.main import MainScreen

    seen = {}

    def frame(app):  # the roster is painted: record, and do not start the background load
        seen["frame"] = sorted(sys.modules)
        app.frame_shown.set()  # workers waiting for the first frame may go on

    show_profile = MainScreen._show_profile

    def profile(screen, data):  # the panel's data arrives (its worker waits for this)
        seen.setdefault("panel", sorted(sys.modules))
        seen["name"] = data.name
        show_profile(screen, data)

    TalentApp.first_frame_shown = frame
    MainScreen._show_profile = profile

    async def main():
        path, actor = quick_target(sys.argv[1:])
        app = TalentApp(DatabaseFile(path), actor=actor)
        async with app.run_test(size=(80, 24)) as pilot:
            for _ in range(2000):
                if "frame" in seen and "panel" in seen:
                    break
                await asyncio.sleep(0.005)
            await pilot.pause()
            seen["first_row"] = app.screen.query_one("#roster").rows[0].name
            seen["status"] = str(app.screen.query_one("#roster-status").render())

    asyncio.run(main())
    print(json.dumps(seen))
    """
)


def test_the_first_frame_imports_no_orm_typer_chart_or_markdown(demo_db: dbmod.Database) -> None:
    """Run in a fresh interpreter: the modules loaded when the roster is painted and when the
    highlighted creator's panel has its data include none of the heavy ones."""
    path = demo_db.path
    assert path is not None
    demo_db.dispose()
    result = subprocess.run(
        [sys.executable, "-c", PROBE, "--db", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    for moment in ("frame", "panel"):
        loaded = set(seen[moment])
        assert "talent_tui.screens.main" in loaded  # the probe really ran the app
        heavy = sorted(m for m in loaded if m.split(".")[0] in HEAVY)
        assert heavy == [], f"loaded before the {moment}: {heavy[:10]}"
    with sqlite3.connect(path) as connection:
        first = connection.execute(
            "SELECT name FROM creators WHERE archived_at IS NULL ORDER BY name, id LIMIT 1"
        ).fetchone()[0]
        live = connection.execute(
            "SELECT count(*) FROM creators WHERE archived_at IS NULL"
        ).fetchone()[0]
    assert seen["first_row"] == first
    assert seen["name"] == first  # the panel shows the highlighted (first) creator
    assert seen["status"].startswith(f"{live} · by name")


# ---- the quick read path shows what the ORM's view of the same rows gives -----------------


def _reference_order(creators: list[Creator], open_deals: dict[int, int], sort: SortKey):
    """The roster's documented order, computed in Python from ORM objects: ties by id, and
    a missing engagement or growth figure last."""

    def key(c: Creator):  # noqa: ANN202
        if sort is SortKey.NAME:
            return (c.name, c.id)
        if sort is SortKey.FOLLOWERS:
            return (-c.followers, c.id)
        if sort is SortKey.ENGAGEMENT:
            v = c.engagement_rate
            return (v is None, -(v or 0), c.id)
        if sort is SortKey.GROWTH:
            v = c.follower_growth_30d
            return (v is None, -(v or 0), c.id)
        return (-open_deals.get(c.id or 0, 0), c.name, c.id)

    return sorted(creators, key=key)


@pytest.fixture
def varied(database: dbmod.Database) -> dbmod.Database:
    """Creators with tied followers, missing figures, archived ones and open deals."""
    rng = random.Random(5)
    with database.transaction() as s:
        made = []
        for i in range(60):
            fields: dict[str, object] = {
                "name": rng.choice(["Ana", "Bo", "Cy", "Ana Lee", "bo"]) + f" {i % 7}",
                "followers": rng.choice([1_000, 5_000, 5_000, 20_000]),
                "niche": rng.choice(["food", "tech"]),
            }
            if rng.random() < 0.7:
                fields["engagement_rate"] = rng.choice(["2%", "3.5%", "3.5%"])
            made.append(factories.creator(s, **fields))
        for c in made[:15]:
            factories.offer(s, c)
        for c in made[::9]:
            c.archived_at = datetime.now(UTC)
            s.add(c)
        for c in made[::4]:
            c.follower_growth_30d = rng.choice([None, 0.1, -0.05, 0.1])
            s.add(c)
    return database


@pytest.mark.parametrize("sort", list(SortKey))
@pytest.mark.parametrize("archived", [False, True])
def test_plain_reads_match_the_orm_in_every_order(
    varied: dbmod.Database, sort: SortKey, archived: bool
) -> None:
    with varied.session() as s:
        everyone = list(s.exec(select(Creator)))
        deals = {c.id or 0: roster.open_deal_count(s, c.id or 0) for c in everyone}
    view = [c for c in everyone if (c.archived_at is not None) == archived]
    expected = _reference_order(view, deals, sort)
    path = varied.path
    assert path is not None
    query = RosterQuery(sort=sort, archived=archived)
    with sqlitefile.reading(path) as connection:
        rows = query.page(connection, 0, None)
        assert query.count(connection) == len(expected)
        assert [r.id for r in rows] == [c.id for c in expected]
        for row, creator in zip(rows, expected, strict=True):
            assert (row.name, row.followers, row.engagement_rate, row.follower_growth_30d) == (
                creator.name,
                creator.followers,
                creator.engagement_rate,
                creator.follower_growth_30d,
            )
            assert row.open_deals == deals[row.id]
            assert row.archived is archived
            # Keeping the cursor on a creator after a sort change: counted, not numbered.
            assert query.position_of(connection, row.id) == rows.index(row)
        # Pages are slices of the same order.
        assert [r.id for r in query.page(connection, 7, 5)] == [c.id for c in expected[7:12]]
    # And through a session (the ORM's own connection) the very same rows.
    with varied.session() as s:
        assert query.page(s, 0, None) == rows


def test_position_of_a_creator_outside_the_view_is_none(varied: dbmod.Database) -> None:
    path = varied.path
    assert path is not None
    with sqlitefile.reading(path) as connection:
        archived_id = RosterQuery(archived=True).page(connection, 0, 1)[0].id
        assert RosterQuery().position_of(connection, archived_id) is None
        assert RosterQuery(niche="food").position_of(connection, 10**9) is None


def test_the_panel_read_plainly_equals_the_orm_figures(demo_db: dbmod.Database) -> None:
    """Every creator of the demo: the profile from plain reads has the ORM's numbers."""
    path = demo_db.path
    assert path is not None
    with demo_db.session() as s, sqlitefile.reading(path) as connection:
        for creator in s.exec(select(Creator)):
            cid = creator.id or 0
            plain = roster.profile(connection, cid)
            history = list(
                s.exec(
                    select(MetricSnapshot)
                    .where(MetricSnapshot.creator_id == cid)
                    .order_by(MetricSnapshot.captured_on)  # type: ignore[arg-type]
                )
            )
            assert plain.metrics == metrics.summarize(history) or not history
            rates = {
                (r.deliverable, r.amount_minor, r.currency, r.updated_at.date())
                for r in s.exec(select(Rate).where(Rate.creator_id == cid))
            }
            assert {
                (x.deliverable, x.amount_minor, x.currency, x.updated_on) for x in plain.rates
            } == (rates)
            assert (plain.name, plain.tiktok_handle, plain.commission_bp, plain.niche) == (
                creator.name,
                creator.tiktok_handle,
                creator.commission_bp,
                creator.niche,
            )
            assert plain.archived is (creator.archived_at is not None)
            assert plain == roster.profile(s, cid)  # the same function through the session


def test_a_search_counts_the_first_thousand_then_the_exact_number(
    database: dbmod.Database,
) -> None:
    path = database.path
    assert path is not None
    with database.transaction() as s:
        now = datetime.now(UTC).replace(tzinfo=None)
        rows = [
            {"name": f"Kara {i:04}", "tiktok_handle": f"@kara{i}", "followers": i, "now": now}
            for i in range(1_234)
        ]
        s.connection().exec_driver_sql(
            "INSERT INTO creators (name, tiktok_handle, followers, commission_bp, tags, notes,"
            " created_at, updated_at) VALUES (?, ?, ?, 0, '', '', ?, ?)",
            [(r["name"], r["tiktok_handle"], r["followers"], r["now"], r["now"]) for r in rows],
        )
    query = RosterQuery(search="kar")
    with sqlitefile.reading(path) as connection:
        assert query.count(connection, upto=1_000) == 1_000
        assert query.count(connection) == 1_234
        assert RosterQuery(search="ka").count(connection, upto=5_000) == 1_234


# ---- when the quick path is taken ---------------------------------------------------------


def test_quick_start_takes_only_an_up_to_date_talent_file(
    database: dbmod.Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = database.path
    assert path is not None
    assert quick_target(["--db", str(path)]) == (path, None)
    assert quick_target([f"--db={path}", "--as", "mina"]) == (path, "mina")
    monkeypatch.setenv("TALENT_DB", str(path))
    assert quick_target([]) == (path, None)
    # Anything else is the full command line's to do (and to refuse, with its messages).
    for argv in (
        ["--help"],
        ["creators", "list"],
        ["--db", str(path), "--db", str(path)],
        ["--db"],
        ["--db", str(tmp_path / "new.db")],  # a new file: created and migrated there
        ["--db", str(tmp_path)],  # a folder
        ["--db", "sqlite:///" + str(path)],  # a URL
        ["--db", str(path), "--as", "bad\x1bname"],
        ["--db", str(path), "demo", "--reset"],
        ["demo"],  # no demo database built yet
    ):
        assert quick_target(argv) is None, argv
    monkeypatch.setenv("TALENT_TODAY", "yesterday")
    assert quick_target(["--db", str(path)]) is None


def test_quick_start_refuses_an_older_schema_and_a_foreign_file(
    database: dbmod.Database, tmp_path: Path
) -> None:
    path = database.path
    assert path is not None
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0002_roster_scale'")
    assert quick_target(["--db", str(path)]) is None  # the full path upgrades it
    foreign = tmp_path / "other.db"
    with sqlite3.connect(foreign) as connection:
        connection.execute("CREATE TABLE notes (x)")
    assert quick_target(["--db", str(foreign)]) is None
    assert foreign.read_bytes()[:16] == b"SQLite format 3\x00"  # untouched


def test_demo_opens_quickly_only_once_the_demo_is_built(demo_db: dbmod.Database) -> None:
    path = demo_db.path
    assert path is not None
    assert quick_target(["--db", str(path), "demo"]) == (path, None)


def test_schema_head_is_the_newest_migration() -> None:
    versions = Path(dbmod.__file__).parent / "migrations" / "versions"
    newest = max(p.stem for p in versions.glob("[0-9][0-9][0-9][0-9]_*.py"))
    assert sqlitefile.SCHEMA_HEAD == newest


def test_a_deleted_file_is_not_recreated_by_a_read(database: dbmod.Database) -> None:
    path = database.path
    assert path is not None
    database.dispose()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    with pytest.raises(sqlite3.OperationalError), sqlitefile.reading(path):
        pass
    assert not path.exists()


def test_the_day_of_a_rate_is_its_utc_day(database: dbmod.Database) -> None:
    """A rate saved just before midnight UTC shows that UTC day (as the ORM gives it)."""
    path = database.path
    assert path is not None
    with database.transaction() as s:
        c = factories.creator(s)
        late = datetime(2026, 11, 26, 23, 59, 59, tzinfo=UTC)
        s.add(
            Rate(
                creator_id=c.id or 0,
                deliverable="video",
                amount_minor=100,
                currency="USD",
                updated_at=late,
            )
        )
        cid = c.id or 0
    with sqlitefile.reading(path) as connection:
        (line,) = roster.profile(connection, cid).rates
    assert line.updated_on == date(2026, 11, 26) == (late + timedelta(0)).date()


# ---- in the app -----------------------------------------------------------------------------


async def test_the_app_starts_on_a_plain_file_then_opens_it_and_expires_overdue_offers(
    database: dbmod.Database,
) -> None:
    """Started on a DatabaseFile (as `talent` does), the roster shows at once; after the first
    frame the database is opened in the background and an overdue offer expires, with a
    notice, and the campaigns list follows."""
    from talent_tui.app import TalentApp
    from talent_tui.store.handle import DatabaseFile
    from tests.conftest import settle

    path = database.path
    assert path is not None
    with database.transaction() as s:
        dana = factories.creator(s, name="Dana Park")
        offer = factories.offer(s, dana, received_on=date(2026, 11, 3))  # respond by the 10th
        offer_id = offer.id
    database.dispose()
    app = TalentApp(DatabaseFile(path), today=date(2026, 11, 27), actor="mina")
    assert app._opened is None  # nothing opened through the ORM yet
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await settle(pilot)
        assert app.frame_shown.is_set()
        assert app._opened is not None
        notices = " ".join(str(n.message) for n in app._notifications)
        assert "1 offer(s) passed their respond-by date and expired" in notices
        assert app.screen.query_one("#roster").rows[0].name == "Dana Park"
    with sqlite3.connect(path) as connection:
        status = connection.execute(
            "SELECT status FROM campaigns WHERE id = ?", (offer_id,)
        ).fetchone()[0]
    assert status == "expired"


async def test_a_broad_search_shows_its_first_page_then_the_exact_count(
    database: dbmod.Database,
) -> None:
    from tests.conftest import make_app, settle

    with database.transaction() as s:
        now = datetime.now(UTC).replace(tzinfo=None)
        s.connection().exec_driver_sql(
            "INSERT INTO creators (name, tiktok_handle, followers, commission_bp, tags, notes,"
            " created_at, updated_at) VALUES (?, ?, ?, 0, '', '', ?, ?)",
            [(f"Kara {i:04}", f"@kara{i}", i, now, now) for i in range(1_234)]
            + [(f"Zed {i}", f"@zed{i}", i, now, now) for i in range(3)],
        )
    app = make_app(database)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("slash", "k", "a")
        await settle(pilot)
        roster_list = app.screen.query_one("#roster")
        assert roster_list.total == 1_234
        assert roster_list.rows[0].name == "Kara 0000"
        status = str(app.screen.query_one("#roster-status").render())
        assert status.startswith("1,234/1,237 · by name"), status


def test_a_read_given_no_time_is_stopped_by_sqlite(database: dbmod.Database) -> None:
    path = database.path
    assert path is not None
    with database.transaction() as s:
        now = datetime.now(UTC).replace(tzinfo=None)
        s.connection().exec_driver_sql(
            "INSERT INTO creators (name, tiktok_handle, followers, commission_bp, tags, notes,"
            " created_at, updated_at) VALUES (?, ?, ?, 0, '', '', ?, ?)",
            [(f"Ana {i:04}", f"@ana{i}", i, now, now) for i in range(3_000)],
        )
    query = RosterQuery(search="a", sort=SortKey.FOLLOWERS)
    with pytest.raises(sqlitefile.ReadTooLong), sqlitefile.reading(path, within_s=0) as conn:
        query.page(conn, 0, None)
    with sqlitefile.reading(path, within_s=5) as conn:  # time enough: the whole answer
        assert len(query.page(conn, 0, None)) == 3_000


async def test_a_search_too_slow_for_the_ui_thread_is_answered_by_a_worker(
    demo_db: dbmod.Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With no time at all for a read on the UI thread, every keystroke's search goes to the
    worker, and the list still ends up showing exactly the matches."""
    from talent_tui.screens import main
    from tests.conftest import make_app, settle

    monkeypatch.setattr(main, "INLINE_S", 0.0)
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"aiko")
        await settle(pilot)
        names = [row.name for row in app.screen.query_one("#roster").rows]
        assert names == ["Aiko Tanaka"]
        assert app.failures == []


async def test_keys_typed_before_the_main_screen_is_built_act_once_it_is(
    demo_db: dbmod.Database,
) -> None:
    """The main screen is the app's first screen: keys that arrive before it is built are
    held, then pressed in order (a search typed at once is not lost, and no action runs on a
    screen without its widgets)."""
    from tests.conftest import make_app, settle

    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app._early_keys = []  # as at start: the screen not built yet
        await pilot.press("slash", *"bella")
        await pilot.pause()
        search = app.screen.query_one("#search")
        assert search.value == ""  # held, not acted on
        app.keys_ready()
        await settle(pilot)
        assert search.value == "bella"
        assert [row.name for row in app.screen.query_one("#roster").rows] == ["Bella Ross"]
        assert app.failures == []


async def test_an_action_that_fails_is_reported_and_the_app_keeps_running(
    demo_db: dbmod.Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A key's action that raises is shown and logged like any handler's failure: here the
    search key, a priority binding, which the app runs from its own key event."""
    from talent_tui.screens.main import MainScreen
    from tests.conftest import make_app, settle

    def broken(self: MainScreen) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(MainScreen, "action_focus_search", broken)
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        await settle(pilot)
        assert app.is_running
        assert [str(error) for _, error in app.failures] == ["boom"]
