"""Defects found by adversarial QA, each reproduced with real keys (a burst as tmux sends it)
and checked against what is stored."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from textual.widgets import Input

from talent_tui.screens.document import DocumentScreen
from talent_tui.screens.fields import FieldsForm
from talent_tui.screens.forms import CreatorForm
from talent_tui.screens.main import MainScreen
from talent_tui.screens.metrics import MetricsScreen
from talent_tui.screens.rates import RateEditor
from talent_tui.services import creators, metrics, roster
from talent_tui.store import db as dbmod
from talent_tui.store.db import Database
from talent_tui.store.models import Creator, MetricSnapshot

from .conftest import (
    focused_on,
    make_app,
    screen_text,
    settle,
    settle_despite_failures,
    type_fast,
)

HANDLE = "@zoecarter.style"


def creator_id_of(database: Database, handle: str = HANDLE) -> int:
    with database.session() as s:
        return roster.find_creator(s, handle).id


def stored_creator(database: Database, creator_id: int) -> Creator:
    with database.session() as s:
        return roster.get_creator(s, creator_id)


async def open_edit(pilot, creator_id: int) -> CreatorForm:  # noqa: ANN001
    pilot.app.screen.jump_to(creator_id)
    await settle(pilot)
    await pilot.press("e")
    await settle(pilot)
    form = pilot.app.screen
    assert isinstance(form, CreatorForm)
    await focused_on(pilot, "#field-name")
    return form


# ---- 1. a burst ending in Ctrl+S saves everything typed before it ---------------------------


async def test_a_burst_ending_in_ctrl_s_saves_every_key_of_it(demo_db: Database) -> None:
    creator_id = creator_id_of(demo_db)
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await open_edit(pilot, creator_id)
        await type_fast(pilot, "tab", "tab", "tab", "tab", "ctrl+u", *"niche1", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)  # saved and closed
        assert app.failures == []
    assert stored_creator(demo_db, creator_id).niche == "niche1"


async def test_a_burst_across_fields_ending_in_enter_on_the_last_field_saves_it_all(
    demo_db: Database,
) -> None:
    creator_id = creator_id_of(demo_db)
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await open_edit(pilot, creator_id)
        keys = ["ctrl+u", *"Zoe Q", "tab", "tab", "tab", "tab", "ctrl+u", *"knits"]
        keys += ["shift+tab"] * 4 + ["tab"] * 11 + ["ctrl+u", *"fast note", "enter"]
        await type_fast(pilot, *keys)
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
    saved = stored_creator(demo_db, creator_id)
    assert (saved.name, saved.niche, saved.notes) == ("Zoe Q", "knits", "fast note")


async def test_a_rate_burst_ending_in_ctrl_s_saves_the_rate(demo_db: Database) -> None:
    creator_id = creator_id_of(demo_db)
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.screen.jump_to(creator_id)
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, RateEditor)
        app.screen.query_one("#rate-deliverable", Input).focus()
        await focused_on(pilot, "#rate-deliverable")
        await type_fast(pilot, *"podcast", "tab", *"275 usd", "ctrl+s")
        await settle(pilot)
        assert app.failures == []
    with demo_db.session() as s:
        rates = {
            r.deliverable: (r.amount_minor, r.currency) for r in creators.rates_of(s, creator_id)
        }
    assert rates["podcast"] == (27_500, "USD")


async def test_a_report_path_typed_fast_then_ctrl_s_is_written(
    demo_db: Database, tmp_path: Path
) -> None:
    target = tmp_path / "fast-report.md"
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.screen.jump_to(creator_id_of(demo_db))
        await settle(pilot)
        await pilot.press("R")
        await settle(pilot)
        assert isinstance(app.screen, DocumentScreen)
        await pilot.press("w")
        await settle(pilot)
        assert isinstance(app.screen, FieldsForm)
        await focused_on(pilot, "#field-format")
        await type_fast(pilot, "ctrl+u", *"md", "tab", "ctrl+u", *str(target), "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, DocumentScreen), screen_text(app)
        assert app.failures == []
    assert target.read_text(encoding="utf-8").strip()


# ---- 2. control characters stored by another program never reach the terminal --------------


async def test_the_edit_form_shows_control_characters_as_symbols(demo_db: Database) -> None:
    creator_id = creator_id_of(demo_db)
    hostile = "Zoe\x1b[2J\x1b]0;PWNED\x07\x00x"
    with demo_db.engine.begin() as connection:  # as another program would write it
        connection.execute(
            sa.text("update creators set name = :n, niche = :n where id = :id"),
            {"n": hostile, "id": creator_id},
        )
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        form = await open_edit(pilot, creator_id)
        assert form.query_one("#field-name", Input).value == hostile  # the real text is kept
        shown = screen_text(app)
        assert "\x1b" not in shown and "\x07" not in shown and "\x00" not in shown
        assert "Zoe␛[2J␛]0;PWNED␇␀x" in shown
        # The cursor moves over it one symbol per character.
        name = form.query_one("#field-name", Input)
        await pilot.press("end", "left", "left")
        assert name.cursor_position == len(hostile) - 2
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert app.failures == []
    assert stored_creator(demo_db, creator_id).name == hostile  # nothing was written


async def test_saving_a_control_character_is_refused_beside_the_field(demo_db: Database) -> None:
    creator_id = creator_id_of(demo_db)
    with demo_db.engine.begin() as connection:
        connection.execute(
            sa.text("update creators set niche = :n where id = :id"),
            {"n": "be\x1bauty", "id": creator_id},
        )
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        form = await open_edit(pilot, creator_id)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        assert "control character" in str(form.query_one("#error-niche").render())
    assert stored_creator(demo_db, creator_id).niche == "be\x1bauty"


# ---- 3. the metrics chart draws snapshots dated at the ends of the calendar ----------------


def only_snapshots(database: Database, creator_id: int, *days: date) -> None:
    with database.transaction() as s:
        for old in metrics.snapshots(s, creator_id):
            s.delete(old)
        s.flush()
        for n, day in enumerate(days):
            s.add(
                MetricSnapshot(
                    creator_id=creator_id,
                    captured_on=day,
                    followers=10_000 + n * 5_000,
                    avg_views=2_000 + n,
                    engagement_rate=0.04 + n / 100,
                )
            )
        s.flush()
        metrics.refresh_latest(s, [creator_id])


async def chart_through_every_key(pilot, creator_id: int) -> list[str]:  # noqa: ANN001
    """Open the metrics screen and press every range and metric key; what the screen showed."""
    pilot.app.screen.jump_to(creator_id)
    await settle(pilot)
    await pilot.press("m")
    await settle(pilot)
    assert isinstance(pilot.app.screen, MetricsScreen)
    shown = []
    for key in ("3", "6", "y", "0", "v", "e", "f"):
        await pilot.press(key)
        await settle(pilot)
        await pilot.pause(0.05)  # the chart redraws on a timer
        shown.append(screen_text(pilot.app))
    return shown


async def test_metrics_dated_year_1_and_year_9999_are_charted(demo_db: Database) -> None:
    creator_id = creator_id_of(demo_db)
    only_snapshots(demo_db, creator_id, date(1, 1, 1), date(9999, 12, 31))
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        shown = await chart_through_every_key(pilot, creator_id)
        assert app.failures == []
        assert isinstance(app.screen, MetricsScreen)
    everything = shown[3]  # "0": all of it
    assert "0001-01-01" in everything and "9999-12-31" in everything
    assert "9999-12-31" in shown[0]  # 3 months: the newest point only


async def test_a_single_snapshot_dated_year_1_is_charted(demo_db: Database) -> None:
    creator_id = creator_id_of(demo_db)
    only_snapshots(demo_db, creator_id, date(1, 1, 1))
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        shown = await chart_through_every_key(pilot, creator_id)
        assert app.failures == []
    assert all("0001-01-01" in text for text in shown)


# ---- 4. the database file deleted while the app is open -------------------------------------


def archived_at(database_path: Path, handle: str = HANDLE) -> object:
    fresh = dbmod.open_database(str(database_path), migrate=False)
    try:
        with fresh.session() as s:
            return roster.find_creator(s, handle).archived_at
    finally:
        fresh.dispose()


async def wait_for_notice(pilot, words: str, attempts: int = 60) -> None:  # noqa: ANN001
    """The change watcher looks every 2 s."""
    for _ in range(attempts):
        if any(words in f"{n.title}: {n.message}" for n in pilot.app._notifications):
            return
        await pilot.pause(0.1)
    messages = [n.message for n in pilot.app._notifications]
    raise AssertionError(f"no notice saying {words!r}: {messages}")


async def test_a_deleted_database_file_is_said_and_nothing_is_written(
    demo_db: Database, demo_template: Path
) -> None:
    path = demo_db.path
    assert path is not None
    creator_id = creator_id_of(demo_db)
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.screen.jump_to(creator_id)
        await settle(pilot)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)

        await pilot.press("x")  # archive: before the watcher has even looked
        await settle_despite_failures(pilot)
        assert not path.exists()  # no empty file made in its place
        notices = [n.message for n in app._notifications]
        assert any(f"{path} was deleted or moved" in n for n in notices), notices
        assert app.failures == []

        await wait_for_notice(pilot, "Database file missing: The database file")
        assert "file missing" in str(app.screen.query_one("HeaderTitle").render())
        await pilot.press("e")  # the form cannot load either: said, not crashed
        await settle_despite_failures(pilot)
        if isinstance(app.screen, CreatorForm):
            await pilot.press("escape")
            await settle_despite_failures(pilot)
        assert not path.exists()
        assert app.failures == []

        # A file put back at the path is opened, as a replaced file is, and used.
        shutil.copyfile(demo_template, path)
        await wait_for_notice(pilot, "reloaded")
        await settle(pilot)
        app.screen.jump_to(creator_id_of(app.database))
        await settle(pilot)
        await pilot.press("x")
        await settle(pilot)
        assert app.failures == []
    assert archived_at(path) is not None


async def test_a_database_file_moved_away_and_back_is_used_again(demo_db: Database) -> None:
    path = demo_db.path
    assert path is not None
    aside = path.with_name("aside.db")
    creator_id = creator_id_of(demo_db)
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.screen.jump_to(creator_id)
        await settle(pilot)
        path.rename(aside)
        await wait_for_notice(pilot, "Database file missing: The database file")
        await pilot.press("x")
        await settle_despite_failures(pilot)
        assert not path.exists()
        aside.rename(path)
        await wait_for_notice(pilot, "is back")
        await settle(pilot)
        await pilot.press("x")
        await settle(pilot)
        assert app.failures == []
    assert archived_at(path) is not None


async def test_a_report_saved_after_the_file_was_deleted_is_refused_in_words(
    demo_db: Database, tmp_path: Path
) -> None:
    path = demo_db.path
    assert path is not None
    target = tmp_path / "gone-report.md"
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.screen.jump_to(creator_id_of(demo_db))
        await settle(pilot)
        await pilot.press("R")
        await settle(pilot)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        await pilot.press("w")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FieldsForm)
        await focused_on(pilot, "#field-format")
        await type_fast(pilot, "ctrl+u", *"md", "tab", "ctrl+u", *str(target), "ctrl+s")
        await settle(pilot)
        assert app.screen is form
        assert "was deleted or moved" in str(form.query_one("#form-status").render())
        assert app.failures == []
    assert not path.exists() and not target.exists()
