"""Keys sent at machine speed (a script, `tmux send-keys`, a fast typist) land where a person
pressing them one by one would see them land: keys that move focus take effect before the
next key is delivered."""

from __future__ import annotations

from sqlmodel import select
from textual.widgets import Input

from talent_tui.screens.fields import FieldsForm
from talent_tui.screens.main import MainScreen
from talent_tui.store.db import Database
from talent_tui.store.models import Creator
from talent_tui.widgets.roster import RosterList

from .conftest import focused_on, make_app, settle, type_fast


async def test_slash_then_a_name_searches_instead_of_running_roster_keys(
    demo_db: Database,
) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        # 'a' is the archive view and 'n' a new creator on the roster: neither may fire.
        await type_fast(pilot, *"/haneul")
        assert isinstance(app.screen, MainScreen)
        assert app.screen.query_one("#search", Input).value == "haneul"
        assert [r.tiktok_handle for r in app.screen.query_one(RosterList).rows] == ["@haneul.eats"]


async def test_a_slash_typed_in_the_search_box_is_kept(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await type_fast(pilot, *"/a/b")
        assert app.screen.query_one("#search", Input).value == "a/b"


async def test_a_form_filled_at_machine_speed_stores_each_field(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, FieldsForm)
        await focused_on(pilot, "#field-name")
        await type_fast(pilot, *"Test Person", "tab", *"@testperson", "shift+tab", "tab")
        await type_fast(pilot, "tab", "tab", "tab", *"fitness", "enter", *"gym")
        form = app.screen
        assert form.query_one("#field-name", Input).value == "Test Person"
        assert form.query_one("#field-tiktok_handle", Input).value == "@testperson"
        assert form.query_one("#field-niche", Input).value == "fitness"
        assert form.query_one("#field-tags", Input).value == "gym"
        await type_fast(pilot, "ctrl+s")
        assert isinstance(app.screen, MainScreen)
    with demo_db.session() as s:
        stored = s.exec(select(Creator).where(Creator.tiktok_handle == "@testperson")).one()
        assert (stored.name, stored.niche, stored.tags) == ("Test Person", "fitness", "gym")


async def test_editing_keys_act_in_the_order_they_were_typed(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        await focused_on(pilot, "#field-name")
        name = app.screen.query_one("#field-name", Input)
        await type_fast(pilot, *"Hello", "backspace")
        assert name.value == "Hell"
        await type_fast(pilot, *["backspace"] * 10, *"Yuki", "left", "left", "delete", *"X")
        assert name.value == "YuXi"
        await type_fast(pilot, "home", *"A", "end", *"Z")
        assert name.value == "AYuXiZ"


async def test_text_typed_right_after_tab_lands_in_the_next_field_of_the_rate_editor(
    demo_db: Database,
) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        await type_fast(pilot, "tab")
        await focused_on(pilot, "#rate-deliverable")
        await type_fast(pilot, *"story", "tab", *"250 USD")
        assert app.screen.query_one("#rate-deliverable", Input).value == "story"
        assert app.screen.query_one("#rate-amount", Input).value == "250 USD"
