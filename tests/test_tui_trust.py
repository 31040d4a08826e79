"""Trust: nothing a user has stored is changed by anything they did not ask for, and what the
screen says matches what is stored (defects found by adversarial testing, each reproduced at
80×24 with real key presses)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import select
from textual.widgets import DataTable, Input, Static

from talent_tui.screens.forms import ConfirmScreen, CreatorForm
from talent_tui.screens.main import MainScreen
from talent_tui.screens.rates import RateEditor
from talent_tui.services import creators, roster
from talent_tui.store import db as dbmod
from talent_tui.store.db import Database
from talent_tui.store.models import Creator

from .conftest import TODAY, fill, focused_on, make_app, screen_text, settle, text_of, type_fast


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
        await pilot.press("a")
        await settle(pilot)
        await pilot.press("escape")  # Escape leaves the archive too
        await settle(pilot)
        assert header_title(app) == "talent — demo.db"
        assert not app.screen.view.archived
        await pilot.press("escape")  # and on the roster does nothing more
        await settle(pilot)
        assert header_title(app) == "talent — demo.db" and not app.screen.view.archived


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


# ---- an edit form never overwrites a change made elsewhere ---------------------------------


def elsewhere(database: Database) -> Database:
    """Another program on the same file (`talent creators edit`, a second window)."""
    return dbmod.open_database(str(database.path))


async def open_edit_form(pilot, database: Database, handle: str) -> tuple[CreatorForm, int]:  # noqa: ANN001
    with database.session() as s:
        creator_id = roster.find_creator(s, handle).id
    pilot.app.screen.jump_to(creator_id)
    await settle(pilot)
    await pilot.press("e")
    await settle(pilot)
    form = pilot.app.screen
    assert isinstance(form, CreatorForm)
    await focused_on(pilot, "#field-name")
    return form, creator_id


def status_of(form: CreatorForm) -> str:
    return text_of(form.query_one("#form-status", Static))


async def test_edit_form_refuses_to_overwrite_a_change_made_elsewhere(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        form, creator_id = await open_edit_form(pilot, demo_db, "@ava.moves")
        other = elsewhere(demo_db)
        with other.transaction() as s:  # meanwhile, in another terminal
            creators.update_fields(s, creator_id, {"notes": "No alcohol brands, ever."})
        other.dispose()
        await fill(pilot, "phone", "+1 415-555-0100")  # the user's own edit
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form  # still open, the user's input kept
        assert form.query_one("#field-phone", Input).value == "+1 415-555-0100"
        assert "changed elsewhere" in status_of(form)
        assert "Notes" in status_of(form)
        assert "No alcohol brands" in text_of(form.query_one("#error-notes", Static))
        assert stored(demo_db, "@ava.moves").notes == "No alcohol brands, ever."
        assert stored(demo_db, "@ava.moves").phone != "+1 415-555-0100"
        assert {"ctrl+r", "ctrl+o"} <= set(form.active_bindings)  # the way out, in the footer

        await pilot.press("ctrl+s")  # saving again is refused again, not let through
        await settle(pilot)
        assert app.screen is form
        assert stored(demo_db, "@ava.moves").notes == "No alcohol brands, ever."

        await pilot.press("ctrl+r")  # load their change; my phone stays
        await settle(pilot)
        assert form.query_one("#field-notes", Input).value == "No alcohol brands, ever."
        assert form.query_one("#field-phone", Input).value == "+1 415-555-0100"
        assert "ctrl+o" not in form.active_bindings
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
    creator = stored(demo_db, "@ava.moves")
    assert creator.notes == "No alcohol brands, ever."  # theirs
    assert creator.phone == "+1 415-555-0100"  # and mine


async def test_edit_form_overwrites_only_when_asked(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        form, creator_id = await open_edit_form(pilot, demo_db, "@ava.moves")
        other = elsewhere(demo_db)
        with other.transaction() as s:
            creators.update_fields(s, creator_id, {"name": "Ava M."})
        await fill(pilot, "name", "Ava Martinez-Ruiz")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        assert "Ava M. was changed elsewhere" in status_of(form)
        # A further change arrives after the user saw the first: Ctrl+O is refused again.
        with other.transaction() as s:
            creators.update_fields(s, creator_id, {"niche": "fitness"})
        other.dispose()
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert app.screen is form
        assert "Niche" in status_of(form)
        assert stored(demo_db, "@ava.moves").name == "Ava M."
        await pilot.press("ctrl+o")  # now seen: saved over it, as asked
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
    creator = stored(demo_db, "@ava.moves")
    assert creator.name == "Ava Martinez-Ruiz"
    assert creator.niche == "dance"  # the form's value, chosen with Ctrl+O


async def test_edit_form_notices_a_metrics_change_too(demo_db: Database) -> None:
    """Followers change with a metrics import, which leaves updated_at alone."""
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        form, creator_id = await open_edit_form(pilot, demo_db, "@ava.moves")
        other = elsewhere(demo_db)
        with other.transaction() as s:
            s.execute(sa.update(Creator).where(Creator.id == creator_id).values(followers=300_000))
        other.dispose()
        await fill(pilot, "notes", "renewed")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        assert "Followers" in status_of(form)
    creator = stored(demo_db, "@ava.moves")
    assert creator.followers == 300_000
    assert creator.notes != "renewed"


async def test_edit_form_says_so_as_soon_as_the_change_is_seen(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        form, creator_id = await open_edit_form(pilot, demo_db, "@ava.moves")
        other = elsewhere(demo_db)
        with other.transaction() as s:
            creators.update_fields(s, creator_id, {"email": "ava@agency.example"})
        other.dispose()
        for _ in range(60):  # the change watcher polls every 2 s
            if "changed elsewhere" in status_of(form):
                break
            await pilot.pause(0.1)
        assert "just changed elsewhere (Email)" in status_of(form)
        assert form.query_one("#field-email", Input).value != "ava@agency.example"  # untouched
        assert "ctrl+r" in form.active_bindings


# ---- a database file replaced under the app ------------------------------------------------


async def test_demo_reset_elsewhere_reloads_the_new_file(demo_db: Database) -> None:
    from typer.testing import CliRunner

    from talent_tui.cli.main import build_app

    dbmod.mark_demo(demo_db)  # as `talent demo` leaves it (reset empties only a demo file)
    with demo_db.transaction() as s:  # in the file about to be thrown away
        creators.archive(s, roster.find_creator(s, "@ava.moves").id)
        roster.find_creator(s, "@haneul.eats").name = "Only in the old file"
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        main = app.screen
        status = main.query_one("#roster-status", Static)
        assert text_of(status).startswith("41 ")

        path = str(demo_db.path)
        reset = CliRunner().invoke(
            build_app(), ["--db", path, "demo", "--reset", "--no-open"], catch_exceptions=False
        )
        assert reset.exit_code == 0, reset.output

        for _ in range(80):  # the change watcher looks every 2 s
            if text_of(status).startswith("42 "):
                break
            await pilot.pause(0.1)
        await settle(pilot)
        assert text_of(status).startswith("42 ")  # the new file's roster, not the deleted one's
        assert app.database is not demo_db
        assert any("replaced" in n.message for n in app._notifications)
        assert app.failures == []

        # What the user does now lands in the new file.
        await pilot.press("slash", *"haneul", "enter")
        await settle(pilot)
        assert "김하늘" in screen_text(app)
        await pilot.press("x")
        await settle(pilot)
    fresh = dbmod.open_database(path)
    with fresh.session() as s:
        assert roster.find_creator(s, "@haneul.eats").archived_at is not None
        assert roster.find_creator(s, "@ava.moves").archived_at is None
    fresh.dispose()


async def test_rate_typed_at_machine_speed_lands_in_its_fields(demo_db: Database) -> None:
    """Deliverable, Enter, amount, Enter in one burst (a script, tmux): the amount used to
    land in the deliverable field, behind the Enter that had not yet moved focus."""
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        editor, creator_id = await open_rates(pilot, demo_db, "@zoecarter.style")
        editor.query_one("#rate-deliverable", Input).focus()
        await focused_on(pilot, "#rate-deliverable")
        await type_fast(pilot, *"podcast", "enter", *"250 usd", "enter")
        await settle(pilot)
        assert app.failures == []
    with demo_db.session() as s:
        rates = {
            r.deliverable: (r.amount_minor, r.currency) for r in creators.rates_of(s, creator_id)
        }
    assert rates["podcast"] == (25_000, "USD")


async def test_counter_form_never_builds_on_terms_changed_elsewhere(demo_db: Database) -> None:
    from talent_tui.screens.campaign import CampaignScreen
    from talent_tui.screens.fields import FieldsForm
    from talent_tui.services import deals
    from talent_tui.store.models import Party

    from .test_tui_deals import open_first_pending

    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        campaign_id = await open_first_pending(pilot)
        await pilot.press("c")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FieldsForm)
        other = elsewhere(demo_db)
        with other.transaction() as s:  # the brand's counter, recorded in another terminal
            currency = deals.campaign_detail(s, campaign_id, TODAY).terms.currency
            changes = deals.parse_terms({"usage_days": "365"}, currency)
            deals.propose(s, campaign_id, changes, "jo", Party.BRAND, "", TODAY)
        other.dispose()
        with demo_db.session() as s:
            before = [v.version for v in deals.versions(s, campaign_id)]
        await fill(pilot, "note", "our counter")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form  # refused, the input kept
        assert "changed elsewhere" in text_of(form.query_one("#form-status", Static))
        with demo_db.session() as s:
            assert [v.version for v in deals.versions(s, campaign_id)] == before
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, CampaignScreen)
