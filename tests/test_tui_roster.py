"""Managing the roster from the keyboard: add, edit, archive, restore, delete, rates,
sort, filter, and a roster too big to load at once."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import select
from textual.widgets import Input, Static

from talent_tui.io import importers
from talent_tui.screens.filter import FilterScreen
from talent_tui.screens.forms import ConfirmScreen, CreatorForm
from talent_tui.screens.main import MainScreen
from talent_tui.screens.rates import RateEditor
from talent_tui.services import roster
from talent_tui.store import db as dbmod
from talent_tui.store.db import Database
from talent_tui.store.models import Creator, Rate
from talent_tui.widgets.roster import PAGE_SIZE, ROW_HEIGHT, RosterList

from .conftest import fill, goto, make_app, settle


def stored(database: Database, handle: str) -> Creator | None:
    with database.session() as s:
        return s.exec(select(Creator).where(Creator.tiktok_handle == handle)).first()


async def test_add_a_creator_through_the_form(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, CreatorForm)
        await fill(pilot, "name", "Yuki Mori")
        await fill(pilot, "tiktok_handle", "yuki.mori")
        await fill(pilot, "followers", "12,300")
        await fill(pilot, "engagement_rate", "4.5%")
        await fill(pilot, "commission_pct", "15")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        creator = stored(demo_db, "@yuki.mori")
        assert creator is not None
        assert (creator.name, creator.followers, creator.commission_bp) == (
            "Yuki Mori",
            12300,
            1500,
        )
        assert creator.engagement_rate == 0.045
        await settle(pilot)
        assert app.screen.creator_id == creator.id  # the new creator is selected


async def test_invalid_form_names_each_field_and_saves_nothing(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await pilot.pause()
        await fill(pilot, "tiktok_handle", "@haneul.eats")  # taken
        await fill(pilot, "followers", "lots")
        await fill(pilot, "engagement_rate", "45")
        await pilot.press("ctrl+s")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, CreatorForm)
        shown = {
            w.id.removeprefix("error-"): str(w.render()) for w in form.query(".field-error.-shown")
        }
        assert set(shown) == {"name", "followers", "engagement_rate"}
        assert "required" in shown["name"] and "ambiguous" in shown["engagement_rate"]
        assert app.focused is form.query_one("#field-name", Input)
        # fix those: now only the taken handle is wrong
        await fill(pilot, "name", "Someone")
        await fill(pilot, "followers", "10")
        await fill(pilot, "engagement_rate", "0.045")
        await pilot.press("ctrl+s")
        await settle(pilot)
        shown = [w.id for w in form.query(".field-error.-shown")]
        assert shown == ["error-tiktok_handle"]
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
    with demo_db.session() as s:
        assert roster.find_creator(s, "@haneul.eats").name == "김하늘"
        assert s.exec(select(Creator).where(Creator.name == "Someone")).first() is None


async def test_edit_changes_what_is_stored(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await goto(pilot, "haneul")
        await pilot.press("e")
        await settle(pilot)
        assert app.screen.query_one("#field-name", Input).value == "김하늘"
        await fill(pilot, "name", "김하늘 Kim")
        await fill(pilot, "niche", "Cooking")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        title = str(app.screen.query_one("#stats-title", Static).render())
        assert "김하늘 Kim" in title
    creator = stored(demo_db, "@haneul.eats")
    assert creator is not None and (creator.name, creator.niche) == ("김하늘 Kim", "cooking")


async def test_archive_undo_restore_and_delete(demo_db: Database) -> None:
    target = stored(demo_db, "@haneul.eats")
    assert target is not None
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await goto(pilot, "haneul")
        await pilot.press("escape")  # full list, still on 김하늘
        await settle(pilot)
        assert app.screen.creator_id == target.id
        await pilot.press("x")
        await settle(pilot)
        assert stored(demo_db, "@haneul.eats").archived_at is not None
        assert app.screen.query_one(RosterList).index_of(target.id) is None
        assert app.screen.creator_id != target.id  # the cursor moved to a neighbour
        await pilot.press("u")  # undo
        await settle(pilot)
        assert stored(demo_db, "@haneul.eats").archived_at is None
        assert app.screen.creator_id == target.id

        await pilot.press("x")
        await settle(pilot)
        await pilot.press("D")  # not in the roster view: nothing happens
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        await pilot.press("a")  # the archive
        await settle(pilot)
        assert [r.id for r in app.screen.query_one(RosterList).rows] == [target.id]
        assert "Archive: 1" in str(app.screen.query_one("#roster-status", Static).render())
        await pilot.press("D")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")  # changed our mind
        await pilot.pause()
        assert stored(demo_db, "@haneul.eats") is not None
        await pilot.press("D", "y")
        await settle(pilot)
        assert stored(demo_db, "@haneul.eats") is None
        assert app.screen.query_one(RosterList).total == 0


async def test_restore_from_the_archive_view(demo_db: Database) -> None:
    with demo_db.transaction() as s:
        from talent_tui.services import creators

        creators.archive(s, roster.find_creator(s, "@liv.bennett").id)
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        await pilot.press("u")
        await settle(pilot)
        assert stored(demo_db, "@liv.bennett").archived_at is None


async def test_rate_card_add_change_remove(demo_db: Database) -> None:
    creator = stored(demo_db, "@haneul.eats")
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await goto(pilot, "haneul")
        await pilot.press("escape", "t")
        await settle(pilot)
        editor = app.screen
        assert isinstance(editor, RateEditor)
        editor.query_one("#rate-deliverable", Input).focus()
        await pilot.press(*"Live", "enter", *"1,200.50 usd", "enter")
        await settle(pilot)
        editor.query_one("#rate-deliverable", Input).focus()
        await pilot.press(*"video", "enter")
        # Pilot cannot type "₩" as a key; a terminal sends it as text, which lands the same way
        editor.query_one("#rate-amount", Input).insert_text_at_cursor("₩9,000,000")
        await pilot.press("enter")
        await settle(pilot)
        editor.query_one("#rate-deliverable", Input).focus()
        await pilot.press(*"story", "enter", *"12.5 KRW", "enter")  # KRW has no decimals
        await settle(pilot)
        assert "decimals" in str(editor.query_one("#error-amount", Static).render())
        table = editor.query_one("#rates-table")
        table.focus()
        table.move_cursor(row=table.get_row_index("bundle"))
        await pilot.press("x", "y")  # asked first (tests/test_tui_trust.py)
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
    with demo_db.session() as s:
        rates = {
            r.deliverable: (r.amount_minor, r.currency)
            for r in s.exec(select(Rate).where(Rate.creator_id == creator.id))
        }
    assert rates["live"] == (120050, "USD")
    assert rates["video"] == (9_000_000, "KRW")
    assert rates["story"] == (3_350_000, "KRW")  # unchanged by the rejected amount
    assert "bundle" not in rates


async def test_sort_cycles_and_says_so(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        status = app.screen.query_one("#roster-status", Static)
        assert "by name" in str(status.render())
        await pilot.press("s")
        await settle(pilot)
        assert "by followers" in str(status.render())
        followers = [r.followers for r in app.screen.query_one(RosterList).rows]
        assert followers == sorted(followers, reverse=True)
        await pilot.press("s", "s")
        await settle(pilot)
        assert "by 30-day growth" in str(status.render())
        growth = [r.follower_growth_30d for r in app.screen.query_one(RosterList).rows]
        assert growth == sorted(growth, reverse=True)
        await pilot.press("s")
        await settle(pilot)
        deals = [r.open_deals for r in app.screen.query_one(RosterList).rows]
        assert deals == sorted(deals, reverse=True) and deals[0] > 0


async def test_filter_by_niche_and_clear(demo_db: Database) -> None:
    with demo_db.session() as s:
        food = {c.id for c in s.exec(select(Creator).where(Creator.niche == "food"))}
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
        assert isinstance(app.screen, FilterScreen)
        await pilot.press(*"food", "enter")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert {r.id for r in app.screen.query_one(RosterList).rows} == food
        assert "niche food" in str(app.screen.query_one("#roster-status", Static).render())
        await pilot.press("f")
        await settle(pilot)
        await pilot.press("enter")  # "All creators" is first
        await settle(pilot)
        assert len(app.screen.query_one(RosterList).rows) > len(food)


async def test_a_big_roster_loads_page_by_page(tmp_path: Path) -> None:
    database = dbmod.open_database(str(tmp_path / "big.db"))
    rows = [
        importers.SourceRow(i + 2, {"name": f"Creator {i:05d}", "tiktok_handle": f"@c{i:05d}"})
        for i in range(2500)
    ]
    with database.transaction() as s:
        importers.import_rows(s, "creators", rows, "big.csv")
    app = make_app(database)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        roster_list = app.screen.query_one(RosterList)
        assert roster_list.total == 2500
        assert len(roster_list.pages) == 1  # startup loaded one page, not the roster
        await pilot.press("end")
        await settle(pilot)
        await settle(pilot)
        last = stored(database, "@c02499")
        assert app.screen.creator_id == last.id
        assert roster_list.cursor == 2499 and (2499 // PAGE_SIZE) in roster_list.pages
        await pilot.press("slash", *"c0123")
        await settle(pilot)
        assert [r.tiktok_handle for r in roster_list.rows] == [f"@c0123{i}" for i in range(10)]
    database.dispose()


async def test_the_scrollbar_and_status_follow_a_search(tmp_path: Path) -> None:
    """A keystroke changes the list's row count without laying the screen out again
    (RosterList._set_rows): the scrollbar still comes and goes with the rows, the list
    still scrolls to its last row, and the status line shows each new count."""
    database = dbmod.open_database(str(tmp_path / "big.db"))
    rows = [
        importers.SourceRow(i + 2, {"name": f"Creator {i:05d}", "tiktok_handle": f"@c{i:05d}"})
        for i in range(300)
    ]
    with database.transaction() as s:
        importers.import_rows(s, "creators", rows, "big.csv")
    app = make_app(database)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        roster_list = screen.query_one(RosterList)
        status = screen.query_one("#roster-status", Static)
        assert roster_list.show_vertical_scrollbar
        await pilot.press("slash", *"c0012")  # 10 rows: they fit, no scrollbar
        await settle(pilot)
        assert roster_list.total == 10 and not roster_list.show_vertical_scrollbar
        assert roster_list.max_scroll_y == 0
        assert str(status.render()).startswith("10/300")
        await pilot.press("backspace")  # "c001": 100 rows
        await settle(pilot)
        assert roster_list.total == 100 and roster_list.show_vertical_scrollbar
        assert roster_list.max_scroll_y == 100 * ROW_HEIGHT - roster_list.size.height
        assert str(status.render()).startswith("100/300")
        await pilot.press("enter", "end")
        await settle(pilot)
        assert roster_list.cursor == 99 and roster_list.scroll_y == roster_list.max_scroll_y
        assert screen.creator_id == stored(database, "@c00199").id
    database.dispose()


async def test_typing_a_search_reads_the_panel_once_typing_pauses(demo_db: Database) -> None:
    """While the search box has the keys, the highlighted creator's panel is not read per
    keystroke but once typing pauses (PANEL_AFTER_TYPING_S), or at once on leaving the box."""
    from talent_tui.screens import main as main_screen
    from talent_tui.widgets.stats import StatsPanel

    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        loads: list[int] = []
        real = screen.load_creator
        screen.load_creator = lambda creator_id: (loads.append(creator_id), real(creator_id))
        await pilot.press("slash", *"av")  # "a" keeps Aiko Tanaka, "av" highlights Ava Martin
        await settle(pilot)
        assert loads == []  # typing: nothing read yet
        await pilot.pause(main_screen.PANEL_AFTER_TYPING_S + 0.2)
        await settle(pilot)
        assert loads == [screen.creator_id]  # the pause: the one under the cursor
        title = str(screen.query_one(StatsPanel).query_one("#stats-title", Static).render())
        assert screen.roster_list.current.name in title
        await pilot.press("backspace")  # another creator highlighted; Enter leaves the box
        await pilot.press("enter")
        await settle(pilot)
        assert loads[-1] == screen.creator_id and len(loads) == 2
