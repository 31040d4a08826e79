"""What the main screen looks like, pinned at the smallest supported size and a roomy one.

Regenerate after an intended visual change with `pytest tests/test_snapshots.py
--snapshot-update` and review the SVGs in the diff.
"""

from __future__ import annotations

from talent_tui.app import TalentApp
from talent_tui.store.db import Database

from .conftest import TODAY


async def _loaded(pilot) -> None:  # noqa: ANN001
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def test_main_screen_80x24(snap_compare, demo_db: Database) -> None:
    assert snap_compare(TalentApp(demo_db, today=TODAY), terminal_size=(80, 24), run_before=_loaded)


def test_main_screen_140x40(snap_compare, demo_db: Database) -> None:
    async def open_campaigns(pilot) -> None:  # noqa: ANN001
        await _loaded(pilot)
        await pilot.press("slash", *"haneul", "enter")
        await _loaded(pilot)

    app = TalentApp(demo_db, today=TODAY)
    assert snap_compare(app, terminal_size=(140, 40), run_before=open_campaigns)


def test_empty_database_80x24(snap_compare, database: Database, monkeypatch) -> None:
    # The empty screen names the database file; pin it so the picture does not hold tmp paths.
    monkeypatch.setattr(
        Database, "describe", lambda self: "/home/you/.local/share/talent/talent.db"
    )
    assert snap_compare(
        TalentApp(database, today=TODAY), terminal_size=(80, 24), run_before=_loaded
    )


def test_affiliates_workspace_80x24(snap_compare, demo_db: Database) -> None:
    async def open_workspace(pilot) -> None:  # noqa: ANN001
        pilot.app.animation_level = "none"  # the tabs' underline slides in: a moving picture
        await _loaded(pilot)
        await pilot.press("A")
        await _loaded(pilot)

    app = TalentApp(demo_db, today=TODAY)
    assert snap_compare(app, terminal_size=(80, 24), run_before=open_workspace)


def test_affiliate_kpis_80x24(snap_compare, demo_db: Database) -> None:
    async def open_kpis(pilot) -> None:  # noqa: ANN001
        pilot.app.animation_level = "none"  # the tabs' underline slides in: a moving picture
        await _loaded(pilot)
        await pilot.press("A")
        await _loaded(pilot)
        await pilot.press("2", "left_square_bracket")  # October: the demo's last full month
        await _loaded(pilot)

    app = TalentApp(demo_db, today=TODAY)
    assert snap_compare(app, terminal_size=(80, 24), run_before=open_kpis)


def test_affiliate_page_80x24(snap_compare, demo_db: Database) -> None:
    async def open_page(pilot) -> None:  # noqa: ANN001
        pilot.app.animation_level = "none"  # the tabs' underline slides in: a moving picture
        await _loaded(pilot)
        await pilot.press("A")
        await _loaded(pilot)
        await pilot.press("2", "left_square_bracket")
        await _loaded(pilot)
        await pilot.press("ctrl+home", "down", "enter")  # the top affiliate, under the total
        await _loaded(pilot)

    app = TalentApp(demo_db, today=TODAY)
    assert snap_compare(app, terminal_size=(80, 24), run_before=open_page)


async def _loaded_despite_cancels(pilot) -> None:  # noqa: ANN001
    """`_loaded`, when keys came faster than reads (a newer read cancels the one before)."""
    from textual.worker import WorkerCancelled

    for _ in range(3):
        try:
            await pilot.app.workers.wait_for_complete()
        except WorkerCancelled:
            pass
        await pilot.pause()


def test_affiliate_payouts_80x24(snap_compare, demo_db: Database) -> None:
    """Peak Fuel's statements of the month with the overdue one (the theme's error colour)."""

    async def open_payouts(pilot) -> None:  # noqa: ANN001
        await _loaded(pilot)
        await pilot.press("A")
        await _loaded(pilot)
        await pilot.press("P", "down")  # Peak Fuel Athletes
        await _loaded_despite_cancels(pilot)
        await pilot.press("dollar_sign")
        await _loaded_despite_cancels(pilot)
        await pilot.press("left_square_bracket")
        await _loaded_despite_cancels(pilot)

    app = TalentApp(demo_db, today=TODAY)
    assert snap_compare(app, terminal_size=(80, 24), run_before=open_payouts)


def test_affiliate_review_queue_80x24(snap_compare, demo_db: Database) -> None:
    async def open_queue(pilot) -> None:  # noqa: ANN001
        await _loaded(pilot)
        await pilot.press("A")
        await _loaded(pilot)
        await pilot.press("v")
        await _loaded_despite_cancels(pilot)

    app = TalentApp(demo_db, today=TODAY)
    assert snap_compare(app, terminal_size=(80, 24), run_before=open_queue)
