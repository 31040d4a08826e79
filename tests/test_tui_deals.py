"""Running a negotiation from the keyboard: open a deal, counter, record the brand's counter,
accept; decline with a reason; deliverables and invoices; the deal-flow screen."""

from __future__ import annotations

from sqlmodel import select
from textual.widgets import DataTable, Input, Static

from talent_tui.core.money import to_minor
from talent_tui.screens.campaign import CampaignScreen
from talent_tui.screens.dealflow import DealFlowScreen
from talent_tui.screens.fields import FieldsForm
from talent_tui.screens.main import MainScreen
from talent_tui.services import deals, roster
from talent_tui.store.db import Database
from talent_tui.store.models import (
    Campaign,
    CampaignStatus,
    Deliverable,
    Invoice,
    Offer,
    Party,
    Tab,
)
from talent_tui.widgets.campaigns import CampaignTabs

from .conftest import TODAY, fill, make_app, screen_text, settle


async def open_first_pending(pilot, handle: str = "haneul") -> int:  # noqa: ANN001
    await pilot.press("slash", *handle, "enter")
    await settle(pilot)
    await pilot.press("enter")  # to the campaign list (Pending tab)
    await pilot.pause()
    table = pilot.app.screen.query_one(CampaignTabs).table(Tab.PENDING)
    row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
    await pilot.press("enter")  # open the deal
    await settle(pilot)
    assert isinstance(pilot.app.screen, CampaignScreen)
    return int(row_key.value)


async def test_counter_offer_round_trip(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        campaign_id = await open_first_pending(pilot)
        await pilot.press("c")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, FieldsForm)
        assert app.focused is form.query_one("#field-fee", Input)  # first field has focus
        await fill(pilot, "fee", "12,500,000")
        await fill(pilot, "usage_days", "90")
        await fill(pilot, "upfront_pct", "50")
        await fill(pilot, "note", "usage costs extra")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CampaignScreen)
        versions = screen_text(app)
        assert "v2 us" in versions and "12,500,000 KRW *" in versions

        await pilot.press("b")
        await pilot.pause()
        await fill(pilot, "fee", "11,000,000")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("a")  # asks first
        await pilot.pause()
        assert "Accept the newest terms (11,000,000 KRW)?" in screen_text(app)
        await pilot.press("y")
        await settle(pilot)
        assert "accepted" in screen_text(app)

    with demo_db.session() as s:
        campaign = s.get(Campaign, campaign_id)
        offers = s.exec(select(Offer).where(Offer.campaign_id == campaign_id)).all()
        trail = [(e.actor, e.action) for e in deals.history(s, campaign_id)]
    assert campaign.status is CampaignStatus.ACCEPTED and campaign.fee_minor == 11_000_000
    v2, v3 = offers[-2], offers[-1]
    assert (v2.proposed_by, v2.fee_minor, v2.usage_days, v2.upfront_bp, v2.note) == (
        Party.MANAGER, 12_500_000, 90, 5000, "usage costs extra",
    )  # fmt: skip
    assert (v3.proposed_by, v3.fee_minor, v3.usage_days) == (Party.BRAND, 11_000_000, 90)
    assert v2.created_by == "mina"
    assert trail[-1][0] == "mina" and trail[-1][1].startswith("status: negotiating → accepted")


async def test_bad_counter_fields_are_named_and_nothing_is_stored(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        campaign_id = await open_first_pending(pilot)
        await pilot.press("c")
        await pilot.pause()
        await fill(pilot, "fee", "12.5")  # KRW has no decimals
        await fill(pilot, "net_days", "soon")
        await pilot.press("ctrl+s")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FieldsForm)
        shown = {w.id for w in form.query(".field-error.-shown")}
        assert shown == {"error-fee", "error-net_days"}
        await pilot.press("escape")
        await pilot.pause()
    with demo_db.session() as s:
        assert len(deals.offers(s, campaign_id)) == 1


async def test_decline_with_reason_and_forbidden_keys_do_nothing(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        campaign_id = await open_first_pending(pilot)
        await pilot.press("o")  # complete: not allowed for an offer
        await settle(pilot)
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("ctrl+s")  # no reason yet
        await settle(pilot)
        assert "say why" in str(app.screen.query_one("#error-reason", Static).render())
        await fill(pilot, "reason", "Clashes with an exclusive")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CampaignScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        inactive = app.screen.query_one(CampaignTabs).table(Tab.INACTIVE)
        assert str(campaign_id) in {k.value for k in inactive.rows}  # moved tabs
    with demo_db.session() as s:
        campaign = s.get(Campaign, campaign_id)
    assert campaign.status is CampaignStatus.DECLINED
    assert "Clashes with an exclusive" in campaign.notes


async def test_deliverables_and_invoices_from_the_keyboard(demo_db: Database) -> None:
    with demo_db.session() as s:
        active = s.exec(
            select(Campaign).where(Campaign.status == CampaignStatus.IN_PRODUCTION)
        ).first()
    assert active is not None
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(CampaignScreen(active.id))
        await settle(pilot)
        await pilot.press("n")
        await pilot.pause()
        await fill(pilot, "kind", "video")
        await fill(pilot, "due", "2026-10-30")
        await pilot.press("ctrl+s")
        await settle(pilot)
        table = app.screen.query_one("#deal-deliverables", DataTable)
        assert table.row_count == 1 and "overdue" in str(table.get_row_at(0)[1])
        table.focus()
        await pilot.press("s")  # next status: draft submitted
        await pilot.pause()
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("f")
        await pilot.pause()
        await fill(pilot, "text", "Bigger logo")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Bigger logo" in screen_text(app)
        await pilot.press("i")
        await pilot.pause()
        await fill(pilot, "amount", "1,000,000")
        await pilot.press("ctrl+s")
        await settle(pilot)
        invoices = app.screen.query_one("#deal-invoices", DataTable)
        invoices.focus()
        await pilot.press("m", "y")
        await settle(pilot)
    with demo_db.session() as s:
        [item] = s.exec(select(Deliverable).where(Deliverable.campaign_id == active.id)).all()
        [invoice] = s.exec(select(Invoice).where(Invoice.campaign_id == active.id)).all()
        feedback = deals.feedback_of(s, item.id)
    assert item.status.value == "draft_submitted" and [f.text for f in feedback] == ["Bigger logo"]
    expected = to_minor("1000000", active.currency)  # typed without a code: the deal's currency
    assert (invoice.amount_minor, invoice.currency, invoice.paid_on) == (
        expected,
        active.currency,
        TODAY,
    )


async def test_deal_flow_lists_stages_and_opens_a_deal(demo_db: Database) -> None:
    with demo_db.session() as s:
        stages = deals.deal_flow(s)
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("g")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DealFlowScreen)
        table = screen.query_one("#flow-pipeline", DataTable)
        keys = [k.value for k in table.rows]
        assert [k for k in keys if k.startswith("stage:")] == [
            f"stage:{st.status.value}" for st in stages
        ]
        assert len([k for k in keys if k.startswith("campaign:")]) == sum(
            len(st.deals) for st in stages
        )
        table.focus()
        first_deal = keys.index(f"campaign:{stages[0].deals[0].campaign_id}")
        table.move_cursor(row=first_deal)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CampaignScreen)
        assert app.screen.campaign_id == stages[0].deals[0].campaign_id
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("2")
        await pilot.pause()
        due = screen.query_one("#flow-due", DataTable)
        assert due.row_count > 0


async def test_interaction_log_from_the_roster(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"haneul", "enter")
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        await pilot.press("n")
        await pilot.pause()
        await fill(pilot, "summary", "Called about Q1 rates")
        await fill(pilot, "follow_up", "2026-11-05")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("escape")
        await pilot.pause()
    with demo_db.session() as s:
        creator = roster.find_creator(s, "@haneul.eats")
        [item] = deals.interactions_of(s, creator_id=creator.id)
    assert item.summary == "Called about Q1 rates" and str(item.follow_up_on) == "2026-11-05"
    assert item.created_by == "mina"
