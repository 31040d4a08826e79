"""The brands screen (B), driven by real key presses at 80×24: search, add with a target
audience, edit, archive after confirming, show archived, unarchive; what was stored."""

from __future__ import annotations

from sqlmodel import select

from talent_tui.screens.brands import BrandsScreen
from talent_tui.screens.fields import FieldsForm
from talent_tui.screens.forms import ConfirmScreen
from talent_tui.screens.main import MainScreen
from talent_tui.services import brands, fit
from talent_tui.store.db import Database
from talent_tui.store.models import AuditEntry, Brand

from . import factories
from .conftest import fill, make_app, settle, text_of


def seeded(database: Database) -> None:
    with database.transaction() as s:
        factories.creator(s, name="Ana")
        brands.add_brand(s, {"name": "Peak Fuel", "contact_name": "Derek"}, "seed")
        brands.add_brand(s, {"name": "Glow Lab", "category": "beauty"}, "seed")
        brands.add_brand(s, {"name": "Byte Audio"}, "seed")


def names(screen: BrandsScreen) -> list[str]:
    return [r.name for r in screen.rows]


async def open_brands(pilot) -> BrandsScreen:  # noqa: ANN001
    await settle(pilot)
    await pilot.press("B")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, BrandsScreen)
    return screen


async def test_brands_open_with_B_list_by_name_and_narrow_as_you_type(database: Database) -> None:
    seeded(database)
    app = make_app(database)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_brands(pilot)
        assert names(screen) == ["Byte Audio", "Glow Lab", "Peak Fuel"]
        await pilot.press("slash", *"DEREK")  # the contact matches too
        await settle(pilot)
        assert names(screen) == ["Peak Fuel"]
        assert "1 brand matching “DEREK”" in text_of(screen.query_one("#brands-status"))
        await pilot.press("escape")  # clears the search, back to the table
        await settle(pilot)
        assert names(screen) == ["Byte Audio", "Glow Lab", "Peak Fuel"]
        assert app.focused is screen.table
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


async def test_adding_a_brand_with_its_target_audience(database: Database) -> None:
    seeded(database)
    app = make_app(database)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_brands(pilot)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, FieldsForm)
        await fill(pilot, "name", "glow lab")
        await fill(pilot, "email", "nope")
        await fill(pilot, "gender", "female=0.7; male=0.2")
        await pilot.press("ctrl+s")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FieldsForm)  # refused, nothing saved
        assert "already exists" in text_of(form.query_one("#error-name"))
        assert "not an email address" in text_of(form.query_one("#error-email"))
        assert "sum to 0.900" in text_of(form.query_one("#error-gender"))

        await fill(pilot, "name", "Fresh Co")
        await fill(pilot, "email", "hi@fresh.example")
        await fill(pilot, "category", "Food")
        await fill(pilot, "gender", "female=0.8; male=0.2")
        await fill(pilot, "age", "18-24=50%; 25-34=50%")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        current = screen.row()
        assert current is not None and current.name == "Fresh Co"  # the cursor is on it
        assert "female 80%" in text_of(screen.query_one("#brands-detail"))
    with database.session() as s:
        brand = s.exec(select(Brand).where(Brand.name == "Fresh Co")).one()
        target = fit.brand_target(s, brand.id)
        actions = [
            (e.actor, e.action)
            for e in s.exec(select(AuditEntry).where(AuditEntry.entity_id == brand.id))
            if e.entity == "brand"
        ]
    assert (brand.email, brand.category) == ("hi@fresh.example", "food")
    assert target == {"gender": {"female": 0.8, "male": 0.2}, "age": {"18-24": 0.5, "25-34": 0.5}}
    assert actions == [
        ("mina", "brand added"), ("mina", "target gender set"), ("mina", "target age set"),
    ]  # fmt: skip


async def test_enter_edits_the_brand_under_the_cursor(database: Database) -> None:
    seeded(database)
    app = make_app(database)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_brands(pilot)
        await pilot.press("down", "enter")  # Glow Lab
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FieldsForm)
        assert form.query_one("#field-category").value == "beauty"
        await fill(pilot, "contact_name", "Ana Kim")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        assert "Ana Kim" in text_of(screen.query_one("#brands-detail"))
    with database.session() as s:
        assert brands.find_brand(s, "Glow Lab").contact_name == "Ana Kim"


async def test_archiving_asks_first_and_a_shows_the_archived_for_u_to_bring_back(
    database: Database,
) -> None:
    seeded(database)
    app = make_app(database)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_brands(pilot)
        await pilot.press("down", "x")  # Glow Lab
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")  # changed my mind
        await settle(pilot)
        assert names(screen) == ["Byte Audio", "Glow Lab", "Peak Fuel"]
        await pilot.press("x", "y")
        await settle(pilot)
        assert names(screen) == ["Byte Audio", "Peak Fuel"]
        assert "1 archived hidden" in text_of(screen.query_one("#brands-status"))
        await pilot.press("a")
        await settle(pilot)
        assert names(screen) == ["Byte Audio", "Glow Lab", "Peak Fuel"]
        assert screen.row().name == "Peak Fuel"  # the cursor stayed where it was
        await pilot.press("up")
        await settle(pilot)
        assert screen.row().archived
        assert not screen.check_action("archive", ()) and screen.check_action("unarchive", ())
        with database.session() as s:
            assert brands.find_brand(s, "Glow Lab").archived_at is not None
        await pilot.press("u")
        await settle(pilot)
        assert not screen.row().archived
    with database.session() as s:
        entries = s.exec(select(AuditEntry).where(AuditEntry.entity == "brand")).all()
        assert brands.find_brand(s, "Glow Lab").archived_at is None
    assert [e.action for e in entries if e.actor == "mina"] == [
        "brand archived", "brand unarchived",
    ]  # fmt: skip


async def test_an_edit_never_overwrites_a_change_made_since_the_form_opened(
    database: Database,
) -> None:
    seeded(database)
    app = make_app(database)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_brands(pilot)
        await pilot.press("down", "e")  # Glow Lab
        await settle(pilot)
        form = app.screen
        with database.transaction() as s:  # another window, meanwhile
            brand = brands.find_brand(s, "Glow Lab")
            brands.edit_brand(s, brand.id, {"contact_name": "Someone Else"}, "jun")
        await fill(pilot, "contact_name", "Ana Kim")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        assert "changed elsewhere" in text_of(form.query_one("#error-contact_name"))
        assert "nothing was saved" in text_of(form.query_one("#form-status"))
    with database.session() as s:
        assert brands.find_brand(s, "Glow Lab").contact_name == "Someone Else"


async def test_n_after_a_search_that_found_nothing_starts_with_that_name(
    database: Database,
) -> None:
    seeded(database)
    app = make_app(database)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_brands(pilot)
        await pilot.press("slash", *"Fresh Co", "enter")
        await settle(pilot)
        assert names(screen) == []
        await pilot.press("n")
        await settle(pilot)
        assert app.screen.query_one("#field-name").value == "Fresh Co"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert names(screen) == ["Byte Audio", "Fresh Co", "Glow Lab", "Peak Fuel"]
        assert screen.row().name == "Fresh Co"
