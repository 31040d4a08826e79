"""Text that looks like markup or carries control characters, stored in every kind of row
(as older rows or files from elsewhere can have it), is drawn as written on every screen:
it never ends the app and never reaches the terminal raw."""

from __future__ import annotations

from sqlmodel import select

from talent_tui.store.db import Database
from talent_tui.store.models import Brand, Campaign, Creator, Interaction, InteractionKind, Rate

from .conftest import TODAY, make_app, screen_text, settle

HOSTILE = "Bad [/b] [red]x[link=y] \x1b[2J"


def _poison(database: Database) -> None:
    with database.transaction() as s:
        creator = s.exec(select(Creator).where(Creator.tiktok_handle == "@haneul.eats")).one()
        creator.name = f"Aa {HOSTILE}"  # sorts first: the list, the panel and the palette show it
        creator.niche = "[/i]food"
        creator.tags = "[b];\x1b]0;t\x07"
        s.add(
            Rate(
                creator_id=creator.id,
                deliverable="[red]x🎉 라이브[/b]",
                amount_minor=123,
                currency="KRW",
            )
        )
        s.add(
            Interaction(
                creator_id=creator.id,
                kind=InteractionKind.CALL,
                summary=f"[/u] {HOSTILE}",
                happened_on=TODAY,
            )
        )
        for campaign in s.exec(select(Campaign).where(Campaign.creator_id == creator.id)):
            campaign.name = f"[/] {HOSTILE}"
            brand = s.get(Brand, campaign.brand_id)
            assert brand is not None
            brand.name = f"[/s] {HOSTILE} {brand.id}"
            s.add(campaign)
            s.add(brand)
        s.add(creator)


async def test_hostile_text_is_drawn_as_written_on_every_screen(demo_db: Database) -> None:
    _poison(demo_db)
    app = make_app(demo_db)
    trips = [
        ["ctrl+p"], ["escape"],
        ["ctrl+p", *"bad"], ["enter"],
        ["t"], ["escape"],
        ["l"], ["escape"],
        ["enter"], ["enter"], ["escape"], ["escape"],
        ["g"], ["2"], ["escape"],
        ["m"], ["escape"],
        ["b"], ["escape"],
        ["K"], ["escape"],
        ["R"], ["escape"],
    ]  # fmt: skip
    seen: list[str] = []
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        for keys in trips:
            await pilot.press(*keys)
            await settle(pilot)
            assert app.is_running, keys
            assert app.failures == [], (keys, app.failures)
            shown = screen_text(app)
            assert "\x1b" not in shown and "\x07" not in shown, keys
            seen.append(shown)
    # The name is shown as written (markup as text, the escape as a visible ␛).
    assert any("Aa Bad [/b] [red]x[link=y] ␛[2J" in shown for shown in seen)
    assert any("[red]x🎉 라이브[/b]" in shown.replace("[Red]", "[red]") for shown in seen)
