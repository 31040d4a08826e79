"""Trust: nothing a user has stored is changed by anything they did not ask for, and what the
screen says matches what is stored (defects found by adversarial testing, each reproduced at
80×24 with real key presses)."""

from __future__ import annotations

from sqlmodel import select
from textual.widgets import DataTable, Input, Static

from talent_tui.screens.forms import ConfirmScreen
from talent_tui.screens.main import MainScreen
from talent_tui.screens.rates import RateEditor
from talent_tui.services import creators, roster
from talent_tui.store.db import Database
from talent_tui.store.models import Creator

from .conftest import make_app, screen_text, settle, text_of


def stored(database: Database, handle: str) -> Creator | None:
    with database.session() as s:
        return s.exec(select(Creator).where(Creator.tiktok_handle == handle)).first()


def rate_kinds(database: Database, creator_id: int) -> set[str]:
    with database.session() as s:
        return {r.deliverable for r in creators.rates_of(s, creator_id)}


def footer_keys(screen: MainScreen) -> set[str]:
    """The keys the footer shows (dimmed or not) on the roster screen."""
    return {key for key, active in screen.active_bindings.items() if active.binding.show}


# ---- the rate editor asks before removing a rate -----------------------------------------


async def open_rates(pilot, database: Database, handle: str) -> tuple[RateEditor, int]:  # noqa: ANN001
    with database.session() as s:
        creator_id = roster.find_creator(s, handle).id
    pilot.app.screen.jump_to(creator_id)
    await settle(pilot)
    await pilot.press("t")
    await settle(pilot)
    editor = pilot.app.screen
    assert isinstance(editor, RateEditor)
    assert editor.query_one("#rates-table", DataTable).has_focus
    return editor, creator_id


async def test_removing_a_rate_asks_first_and_cancel_keeps_it(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        editor, creator_id = await open_rates(pilot, demo_db, "@zoecarter.style")
        before = rate_kinds(demo_db, creator_id)
        table = editor.query_one("#rates-table", DataTable)
        first = str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
        for cancel in ("escape", "n"):
            await pilot.press("x")
            await settle(pilot)
            assert isinstance(app.screen, ConfirmScreen)
            assert first in screen_text(app)  # it says which rate
            await pilot.press(cancel)
            await settle(pilot)
            assert app.screen is editor
            assert rate_kinds(demo_db, creator_id) == before  # nothing removed
        await pilot.press("delete")  # the other key for it asks too
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("enter")  # Enter confirms
        await settle(pilot)
        assert app.screen is editor
        assert rate_kinds(demo_db, creator_id) == before - {first}
        table.focus()
        second = str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
        await pilot.press("x", "y")  # and so does y
        await settle(pilot)
        assert rate_kinds(demo_db, creator_id) == before - {first, second}


# ---- an error goes when the field is corrected ---------------------------------------------


async def test_amount_error_clears_when_the_amount_is_corrected(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        editor, creator_id = await open_rates(pilot, demo_db, "@zoecarter.style")
        error = editor.query_one("#error-amount", Static)
        editor.query_one("#rate-deliverable", Input).focus()
        await pilot.press(*"podcast", "enter", *"12.345 usd", "enter")
        await settle(pilot)
        assert "decimals" in text_of(error)
        assert "decimals" in screen_text(app)
        await pilot.press(*["backspace"] * 6)  # "12.3": no mistake of decimals any more
        await settle(pilot)
        await pilot.press(*"4 usd")  # "12.34 usd": a good amount, not saved yet
        await settle(pilot)
        assert text_of(error) == ""
        assert "decimals" not in screen_text(app)
        assert "podcast" not in rate_kinds(demo_db, creator_id)
        await pilot.press("enter")
        await settle(pilot)
        assert "podcast" in rate_kinds(demo_db, creator_id)


async def test_amount_error_follows_a_new_mistake(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        editor, _ = await open_rates(pilot, demo_db, "@zoecarter.style")
        error = editor.query_one("#error-amount", Static)
        editor.query_one("#rate-deliverable", Input).focus()
        await pilot.press(*"podcast", "enter", *"12.345 usd", "enter")
        await settle(pilot)
        assert "decimals" in text_of(error)
        await pilot.press(*"x")  # "12.345 usdx": wrong in another way now
        await settle(pilot)
        assert "decimals" not in text_of(error)
        assert text_of(error) != ""


async def test_a_form_field_error_goes_when_the_field_is_edited(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        form = app.screen
        form.query_one("#field-name", Input).focus()
        await pilot.press(*"Yuki", "ctrl+s")
        await settle(pilot)
        error = form.query_one("#error-tiktok_handle", Static)
        assert text_of(error) != ""
        form.query_one("#field-tiktok_handle", Input).focus()
        await pilot.press(*"yuki.mori")
        await settle(pilot)
        assert text_of(error) == ""
        assert not form.query_one("#field-tiktok_handle", Input).has_class("-invalid")


# ---- the title and the footer follow the archive view --------------------------------------


def header_title(app) -> str:  # noqa: ANN001
    """The title line of the screen on top, as its Header shows it."""
    return app.screen.query_one("Header").format_title().plain


async def test_title_comes_back_after_the_archive_view(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert header_title(app) == "talent — demo.db"
        await pilot.press("a")
        await settle(pilot)
        assert header_title(app) == "talent — demo.db · archive"  # says which view
        await pilot.press("a")
        await settle(pilot)
        assert header_title(app) == "talent — demo.db"


async def test_footer_follows_the_archive_view(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        main = app.screen
        assert isinstance(main, MainScreen)
        roster_keys = footer_keys(main)
        assert "u" not in roster_keys and "D" not in roster_keys and "x" in roster_keys
        await pilot.press("a")  # an empty archive: nothing to archive, restore or delete
        await settle(pilot)
        keys = footer_keys(main)
        assert "x" not in keys
        assert not main.active_bindings["u"].enabled
        await pilot.press("a")
        await settle(pilot)
        assert footer_keys(main) == roster_keys

        # Archive one (u is its undo), look at the archive, delete it for good there, leave:
        # no u in the footer (it used to stay, and pressed, said "no creator with id …").
        target = main.creator_id
        await pilot.press("x")
        await settle(pilot)
        assert "u" in footer_keys(main)
        await pilot.press("a")
        await settle(pilot)
        assert main.creator_id == target
        assert {"u", "D"} <= footer_keys(main) and "x" not in footer_keys(main)
        await pilot.press("D", "y")
        await settle(pilot)
        with demo_db.session() as s:
            assert s.get(Creator, target) is None
        await pilot.press("a")
        await settle(pilot)
        assert footer_keys(main) == roster_keys
        await pilot.press("u")
        await settle(pilot)
        assert app.failures == []
        assert "no creator" not in screen_text(app)


async def test_leaving_the_archive_view_ends_the_undo(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        main = app.screen
        target = main.creator_id
        await pilot.press("x")
        await settle(pilot)
        await pilot.press("a", "a")  # look at the archive, come back
        await settle(pilot)
        assert "u" not in footer_keys(main)
        await pilot.press("u")
        await settle(pilot)
        with demo_db.session() as s:
            assert s.get(Creator, target).archived_at is not None  # u did nothing here
