"""The main screen driven by key presses through Textual's Pilot."""

from __future__ import annotations

import html

from sqlmodel import select
from textual.widgets import Input, Static

from talent_tui.core.money import format_money
from talent_tui.screens.help import HelpScreen
from talent_tui.screens.main import MainScreen
from talent_tui.services import campaigns, roster
from talent_tui.store.db import Database
from talent_tui.store.models import Campaign, Rate, Tab
from talent_tui.widgets.campaigns import CampaignTabs
from talent_tui.widgets.roster import RosterList
from talent_tui.widgets.stats import StatsPanel

from .conftest import make_app, settle, text_of


async def test_typing_in_search_narrows_the_list(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        roster_list = app.screen.query_one(RosterList)
        with demo_db.session() as s:
            assert len(roster_list.rows) == roster.count_creators(s, include_archived=False)
        await pilot.press("slash")
        assert isinstance(app.focused, Input)
        await pilot.press(*"haneul")
        await settle(pilot)
        assert [r.tiktok_handle for r in roster_list.rows] == ["@haneul.eats"]
        assert text_of(app.screen.query_one("#roster-status", Static)).startswith("1/42 ")
        await pilot.press("escape")  # clears the search, back in the list
        await settle(pilot)
        assert app.focused is roster_list
        assert len(roster_list.rows) > 1
        assert roster_list.current is not None
        assert roster_list.current.tiktok_handle == "@haneul.eats"  # selection kept


async def test_a_search_with_no_match_says_so(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"qqqzzz")
        await settle(pilot)
        roster_list = app.screen.query_one(RosterList)
        assert roster_list.rows == []
        assert "qqqzzz" in roster_list.empty_text
        assert not app.screen.query_one("#detail").display


async def test_selecting_shows_followers_and_rates_as_stored(demo_db: Database) -> None:
    with demo_db.session() as s:
        creator = roster.find_creator(s, "@haneul.eats")
        rates = s.exec(select(Rate).where(Rate.creator_id == creator.id)).all()
    app = make_app(demo_db)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"haneul", "enter")
        await settle(pilot)
        stats = app.screen.query_one(StatsPanel)
        assert "김하늘" in text_of(stats.query_one("#stats-title", Static))
        assert f"{creator.followers:,}" in text_of(stats.query_one("#fig-followers", Static))
        rendered = html.unescape(app.export_screenshot()).replace("\xa0", " ")
        assert len(rates) >= 3
        for rate in rates:
            assert format_money(rate.amount_minor, rate.currency) in rendered


async def test_arrow_keys_move_between_creators(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        roster_list = app.screen.query_one(RosterList)
        first, second = roster_list.rows[0], roster_list.rows[1]
        assert app.screen.creator_id == first.id
        await pilot.press("down")
        await settle(pilot)
        assert app.screen.creator_id == second.id
        assert second.name in text_of(app.screen.query_one("#stats-title", Static))
        await pilot.press("end")
        await settle(pilot)
        assert app.screen.creator_id == roster_list.rows[-1].id


async def test_each_tab_lists_exactly_that_creators_campaigns_in_that_state(
    demo_db: Database,
) -> None:
    with demo_db.session() as s:
        creator = roster.find_creator(s, "@haneul.eats")
        stored = s.exec(select(Campaign).where(Campaign.creator_id == creator.id)).all()
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"haneul", "enter")
        await settle(pilot)
        tabs = app.screen.query_one(CampaignTabs)
        for key, tab in zip("1234", Tab, strict=True):
            await pilot.press(key)
            await pilot.pause()
            assert tabs.active == f"tab-{tab.value}"
            table = tabs.table(tab)
            assert app.focused is table
            shown = {int(row_key.value) for row_key in table.rows}
            expected = {c.id for c in stored if campaigns.TAB_OF_STATUS[c.status] is tab}
            assert shown == expected and expected
            label = str(tabs.tabbed.get_tab(f"tab-{tab.value}").label)
            assert label.endswith(f" {len(expected)}")


async def test_tabs_follow_the_selected_creator(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"yuna.dance", "enter")
        await settle(pilot)
        tabs = app.screen.query_one(CampaignTabs)
        with demo_db.session() as s:
            creator = roster.find_creator(s, "@yuna.dance")
            counts = campaigns.tab_counts(s, creator.id)
        for tab in Tab:
            assert len(tabs.table(tab).rows) == counts[tab]


async def test_empty_database_shows_the_empty_state(database: Database) -> None:
    app = make_app(database)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        assert screen.has_class("-empty")
        empty = screen.query_one("#empty", Static)
        assert empty.display and "talent demo" in text_of(empty)
        assert not screen.query_one("#body").display


async def test_help_opens_and_closes(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


async def test_palette_jumps_to_a_creator_hidden_by_the_search(demo_db: Database) -> None:
    with demo_db.session() as s:
        target = roster.find_creator(s, "@yuna.dance")
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"haneul")
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"yuna")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await settle(pilot)
        await settle(pilot)
        assert app.screen.creator_id == target.id
        assert app.screen.query_one("#search", Input).value == ""


async def test_q_quits(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


async def test_clicking_a_creator_selects_it(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        roster_list = app.screen.query_one(RosterList)
        third = roster_list.rows[2]
        await pilot.click(RosterList, offset=(3, 4))  # rows are two lines tall
        await settle(pilot)
        assert app.screen.creator_id == third.id
        assert isinstance(app.focused, type(app.screen.query_one(CampaignTabs).table(Tab.PENDING)))
