"""Typing right after a key that opens a form, Tab or Enter lands where a person would see it
land, however fast the keys come: Pilot presses without pauses between keys, and bursts
queued all at once (`type_fast`, as a script or `tmux send-keys` sends them). Each test checks
the fields and what is stored after saving."""

from __future__ import annotations

import time

import pytest
from sqlmodel import select
from textual import events
from textual.widgets import Input
from textual.worker import WorkerCancelled

from talent_tui.screens.campaign import CampaignScreen
from talent_tui.screens.fields import FieldsForm
from talent_tui.screens.forms import CreatorForm
from talent_tui.screens.main import MainScreen
from talent_tui.services import deals
from talent_tui.store.db import Database
from talent_tui.store.models import Creator, Deliverable

from .conftest import key_event, make_app, settle
from .test_tui_deals import open_first_pending


async def type_burst(pilot, *keys: str) -> None:  # noqa: ANN001
    """Keys as `type_fast` sends them (all queued at once), then waiting until each of them
    has been delivered and handled and the app is quiet: by what the app says is pending, not
    by the time it looks idle (a loaded machine looks idle early). A creator's load
    superseded meanwhile (a newer highlight cancels it) is not a failure."""
    app = pilot.app
    for key in keys:
        event = key_event(key)
        event.set_sender(app)
        app._driver.send_message(event)

    def pending() -> bool:
        return app.keys_pending or not app._message_queue.empty()

    for _ in range(1_000):
        await pilot.pause()
        if pending():
            continue
        try:
            await settle(pilot)
        except WorkerCancelled:
            continue
        if not pending():
            return
    raise AssertionError(f"keys still pending: {app._held_keys!r}, held by {app._holds!r}")


def values(form: FieldsForm) -> dict[str, str]:
    return {(i.id or "").removeprefix("field-"): i.value for i in form.query(Input)}


async def test_add_creator_typed_with_tab_and_no_pauses(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await pilot.press(*"Ada Lee", "tab", *"@ada.lee", "tab", *"@adalee")
        form = app.screen
        assert isinstance(form, CreatorForm)
        typed = values(form)
        assert (typed["name"], typed["tiktok_handle"], typed["instagram_handle"]) == (
            "Ada Lee", "@ada.lee", "@adalee",
        )  # fmt: skip
        await pilot.press("tab", *"@ada.tube", "tab", *"fitness", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
    with demo_db.session() as s:
        stored = s.exec(select(Creator).where(Creator.tiktok_handle == "@ada.lee")).one()
    assert (stored.name, stored.instagram_handle, stored.youtube_handle, stored.niche) == (
        "Ada Lee", "@adalee", "@ada.tube", "fitness",
    )  # fmt: skip


async def test_a_burst_that_opens_the_form_fills_it_field_by_field(demo_db: Database) -> None:
    """'n' and the text after it in one burst: the text lands in the form's fields (before,
    it went to the roster as keys: 'a' toggled the archive, 'e' opened the edit form)."""
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await type_burst(
            pilot, "n", *"Ada Lee", "tab", *"@ada.lee", "enter", *"@adalee", "enter", "enter",
            *"fitness", "ctrl+s",
        )  # fmt: skip
        main = app.screen
        assert isinstance(main, MainScreen)
        assert not main.view.archived
    with demo_db.session() as s:
        stored = s.exec(select(Creator).where(Creator.tiktok_handle == "@ada.lee")).one()
    assert (stored.name, stored.instagram_handle, stored.youtube_handle, stored.niche) == (
        "Ada Lee", "@adalee", None, "fitness",
    )  # fmt: skip


async def test_the_edit_form_takes_keys_typed_before_it_loaded(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        creator_id = app.screen.creator_id
        await type_burst(pilot, "e", "tab", "tab", "tab", *"@ada.tube", "ctrl+s")
        assert isinstance(app.screen, MainScreen)
    with demo_db.session() as s:
        stored = s.get(Creator, creator_id)
    assert stored is not None and stored.youtube_handle == "@ada.tube"
    assert stored.name == "Aiko Tanaka"  # the name field kept what was loaded


async def test_counter_offer_typed_with_tab_and_no_pauses(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        campaign_id = await open_first_pending(pilot)
        await pilot.press("c")
        await pilot.press("ctrl+u", *"1,500", "tab", "ctrl+u", *"2 videos", "tab", "ctrl+u", *"30")
        form = app.screen
        assert isinstance(form, FieldsForm)
        typed = values(form)
        assert (typed["fee"], typed["deliverables"], typed["usage_days"]) == (
            "1,500", "2 videos", "30",
        )  # fmt: skip
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CampaignScreen)
    with demo_db.session() as s:
        newest = deals.offers(s, campaign_id)[-1]
    assert (newest.version, newest.fee_minor, newest.deliverables, newest.usage_days) == (
        2, 1_500, "2 videos", 30,
    )  # fmt: skip


async def test_brand_counter_in_one_burst_with_enter(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        campaign_id = await open_first_pending(pilot)
        await type_burst(
            pilot, "b", "ctrl+u", *"1,500", "enter", "ctrl+u", *"2 videos", "enter",
            "ctrl+u", *"30", "ctrl+s",
        )  # fmt: skip
        assert isinstance(app.screen, CampaignScreen)
    with demo_db.session() as s:
        newest = deals.offers(s, campaign_id)[-1]
    assert (newest.fee_minor, newest.deliverables, newest.usage_days) == (1_500, "2 videos", 30)


async def test_a_deliverable_typed_in_the_burst_that_opens_its_form(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        campaign_id = await open_first_pending(pilot)
        await pilot.press("a", "y")  # accept: deliverables can be added
        await settle(pilot)
        await type_burst(pilot, "n", *"video", "tab", *"2026-12-10", "enter")
        assert isinstance(app.screen, CampaignScreen)
    with demo_db.session() as s:
        added = s.exec(select(Deliverable).where(Deliverable.campaign_id == campaign_id)).all()
    assert [(d.kind, str(d.due_on)) for d in added] == [("video", "2026-12-10")]


async def test_enter_in_the_search_box_then_a_key_acts_on_the_list(demo_db: Database) -> None:
    """The known limit: a character right after Enter in the search box went into the box."""
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await type_burst(pilot, "slash", *"haneul", "enter", "e")
        form = app.screen
        assert isinstance(form, CreatorForm)
        await settle(pilot)
        assert form.query_one("#field-tiktok_handle", Input).value == "@haneul.eats"
        await type_burst(pilot, "escape")
        main = app.screen
        assert isinstance(main, MainScreen)
        assert main.query_one("#search", Input).value == "haneul"
        assert main.roster_list.has_focus


async def test_a_burst_opens_the_deal_of_the_creator_just_found(demo_db: Database) -> None:
    """'/haneul' Enter Enter Enter at once: the deal opened is 김하늘's, not one of the creator
    highlighted before (whose campaigns the list still showed)."""
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await type_burst(pilot, "slash", *"haneul", "enter", "enter", "enter")
        deal = app.screen
        assert isinstance(deal, CampaignScreen)
        assert deal.data is not None
        assert deal.data.summary.creator.name == "김하늘"


async def test_keys_for_the_campaign_list_wait_for_a_slow_load(
    demo_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The creator's campaigns take a while (a busy disk): Enter on the list still opens a
    deal of the creator under the cursor, not one of the list shown before."""
    from talent_tui.services import campaigns

    by_tab = campaigns.by_tab

    def slow_by_tab(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        time.sleep(0.3)
        return by_tab(*args, **kwargs)

    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        monkeypatch.setattr(campaigns, "by_tab", slow_by_tab)
        await type_burst(pilot, "slash", *"haneul", "enter", "enter", "enter")
        deal = app.screen
        assert isinstance(deal, CampaignScreen)
        assert deal.data is not None
        assert deal.data.summary.creator.name == "김하늘"


async def test_a_paste_right_after_the_key_that_opens_the_form_lands_in_it(
    demo_db: Database,
) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        paste = events.Paste("Ada Lee")
        paste.set_sender(app)
        app._driver.send_message(key_event("n"))
        app._driver.send_message(paste)
        await type_burst(pilot, "tab", *"@ada.lee")
        form = app.screen
        assert isinstance(form, CreatorForm)
        assert values(form)["name"] == "Ada Lee"
        assert values(form)["tiktok_handle"] == "@ada.lee"


async def test_a_filter_chosen_with_enter_then_a_roster_key(demo_db: Database) -> None:
    """Enter in the filter's search box chooses and closes it; the key after it acts on the
    roster (before, it was typed into the closing filter box)."""
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await type_burst(pilot, "f", *"fitness", "enter", "s")
        main = app.screen
        assert isinstance(main, MainScreen)
        assert main.view.niche == "fitness"
        assert main.view.sort.label == "followers"


async def test_a_filter_typed_before_its_choices_are_read_still_chooses(
    demo_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The filter's choices come from a worker; on a loaded machine they arrived after the
    burst, so Enter met an empty list, chose nothing, and "s" went into the search box of a
    filter that stayed open. The keys now wait for the choices."""
    from talent_tui.services import roster

    real = roster.facets

    def slow(source):  # noqa: ANN001, ANN202
        time.sleep(0.4)
        return real(source)

    monkeypatch.setattr(roster, "facets", slow)
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await type_burst(pilot, "f", *"fitness", "enter", "s")
        main = app.screen
        assert isinstance(main, MainScreen)
        assert main.view.niche == "fitness"
        assert main.view.sort.label == "followers"
