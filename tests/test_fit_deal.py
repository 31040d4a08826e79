"""The deal screen at 80×24: the footer fits (the rest of the keys are in `?`), 1–4 switch its
tabs, and the history's "What" is never cut while "Who" is narrow."""

from __future__ import annotations

from textual.widgets import DataTable, TabbedContent
from textual.widgets._footer import FooterKey

from talent_tui.screens.campaign import WHO_MAX, CampaignScreen
from talent_tui.screens.help import help_text
from talent_tui.store.db import Database

from .conftest import make_app, settle
from .test_tui_deals import open_first_pending


def footer_fits(screen: CampaignScreen, width: int = 80) -> list[str]:
    """The footer's keys (as "a Accept"), each asserted to be whole on screen."""
    keys = list(screen.query(FooterKey))
    assert keys
    for key in keys:
        assert key.region.width > 0 and key.region.right <= width, key.description
    return [f"{key.key_display} {key.description}" for key in keys]


async def test_the_footer_fits_80_columns_in_each_state(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await open_first_pending(pilot)
        screen = app.screen
        assert isinstance(screen, CampaignScreen)
        shown = footer_fits(screen)
        assert "a Accept" in shown and "? Help" in shown
        await pilot.press("a", "y")  # accepted
        await settle(pilot)
        shown = footer_fits(screen)
        assert "p Start" in shown and "? Help" in shown
        await pilot.press("p")  # in production
        await settle(pilot)
        shown = footer_fits(screen)
        assert "o Complete" in shown and "? Help" in shown
    # What the footer leaves out is in the help.
    for key in ("`v` mark as under review", "`x` cancel", "`s` move", "`m` mark", "`1`–`4`"):
        assert key in help_text()


async def test_1_to_4_switch_the_deal_tabs(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await open_first_pending(pilot)
        tabs = app.screen.query_one("#deal-tabs", TabbedContent)
        for key, pane in (
            ("4", "pane-history"), ("2", "pane-deliverables"), ("3", "pane-invoices"),
            ("1", "pane-offers"),
        ):  # fmt: skip
            await pilot.press(key)
            await pilot.pause()
            assert tabs.active == pane


async def test_history_what_is_whole_and_who_is_narrow(demo_db: Database) -> None:
    app = make_app(demo_db, actor="import:campaigns-2026-autumn.csv")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await open_first_pending(pilot)
        await pilot.press("c")
        await pilot.pause()
        await pilot.press("ctrl+u", *"9,000,000", "tab", "ctrl+u", *"2 videos + 1 story", "ctrl+s")
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        history = app.screen.query_one("#deal-history", DataTable)
        when, who, what = history.columns.values()
        assert who.width <= WHO_MAX and what.width >= 40
        assert when.width + who.width + what.width + 6 <= history.size.width
        newest = [str(cell) for cell in history.get_row_at(0)]
        assert newest[1] == "import:camp…"
        assert newest[2].startswith("version 2: our counter-offer (fee")
        assert newest[2].endswith("2 videos + 1 story)")  # whole, wrapped onto more lines
        assert history.rows[history.coordinate_to_cell_key((0, 0)).row_key].height > 1
