"""The main screen at 80×24 and to a person's hands: the footer offers only what the focused
list can do, notices come one at a time and short, a creator just added is under the cursor."""

from __future__ import annotations

from textual.widgets import Input

from talent_tui.screens.main import MainScreen
from talent_tui.store.db import Database
from talent_tui.widgets.campaigns import CampaignTable
from talent_tui.widgets.footer import KeysFooter
from talent_tui.widgets.roster import RosterList

from .conftest import goto, make_app, screen_text, settle
from .test_typing_speed_fit import type_burst


def footer_keys(app) -> set[str]:  # noqa: ANN001
    """The keys the footer offers (shown and enabled), as "x Archive"."""
    footer = app.screen.query_one(KeysFooter)
    return {f"{key} {label}" for key, _action, label, enabled in footer._wanted() if enabled}


async def test_x_archive_is_offered_on_the_roster_not_in_the_campaign_list(
    demo_db: Database,
) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        main = app.screen
        assert isinstance(main, MainScreen)
        assert "x Archive" in footer_keys(app)
        await goto(pilot, "haneul")
        await pilot.press("enter")  # into the campaign list
        await settle(pilot)
        assert isinstance(app.focused, CampaignTable)
        assert "x Archive" not in footer_keys(app)
        await pilot.press("x")  # does nothing here
        await settle(pilot)
        assert not main.last_archived
        assert [r.tiktok_handle for r in main.query_one(RosterList).rows] == ["@haneul.eats"]
        await pilot.press("r")  # back to the roster: x archives again
        await settle(pilot)
        assert "x Archive" in footer_keys(app)


async def test_notices_come_one_at_a_time_without_a_title(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await type_burst(pilot, "s", "s", "s")  # three "Sorted by …" notices
        shown = list(app._notifications)
        assert [n.message for n in shown] == ["Sorted by 30-day growth"]
        await pilot.press("x")  # archive: a notice with a key to press stays a little longer
        await settle(pilot)
        (notice,) = list(app._notifications)
        assert notice.title == "" and "Press u to undo" in notice.message
        assert notice.timeout <= 8
        app.notify("It failed", severity="error", title="Something went wrong", timeout=12)
        await pilot.pause()
        (notice,) = list(app._notifications)
        assert (notice.title, notice.timeout) == ("Something went wrong", 12)


async def test_after_adding_a_creator_the_cursor_is_on_them(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        main = app.screen
        assert isinstance(main, MainScreen)
        await type_burst(pilot, "slash", *"haneul")  # a search that will hide the new creator
        await type_burst(pilot, "escape", "s")  # and sorted by followers
        await type_burst(pilot, "n", *"Zed Quinn", "tab", *"@zed.quinn", "ctrl+s")
        await settle(pilot)
        assert app.screen is main
        current = main.query_one(RosterList).current
        assert current is not None and current.tiktok_handle == "@zed.quinn"
        assert main.creator_id == current.id
        assert main.query_one("#search", Input).value == ""
        assert "Zed Quinn" in screen_text(app)
