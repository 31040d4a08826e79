"""Running a negotiation from the keyboard: open a deal, counter, record the brand's counter,
accept; decline with a reason; deliverables and invoices; the deal-flow screen."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select
from textual.widgets import DataTable, Input, Static

from talent_tui.core.money import to_minor
from talent_tui.screens.campaign import CampaignScreen
from talent_tui.screens.dealflow import DealFlowScreen
from talent_tui.screens.fields import FieldsForm
from talent_tui.screens.main import MainScreen
from talent_tui.services import deals, interactions, roster
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

from . import factories
from .conftest import TODAY, fill, make_app, screen_text, settle, text_of


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


async def new_log_entry(pilot) -> None:  # noqa: ANN001
    """From the roster: 김하늘's log (l), a new entry (n)."""
    await settle(pilot)
    await pilot.press("slash", *"haneul", "enter")
    await settle(pilot)
    await pilot.press("l")
    await settle(pilot)
    await pilot.press("n")
    await pilot.pause()


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
        await pilot.press("a")  # asks first (after the conflict check)
        await settle(pilot)
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
        await fill(pilot, "over_fee_reason", "agreed extra cut")  # kept only when over the fee
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
        agenda = screen.query_one("#flow-agenda", DataTable)
        assert agenda.row_count > 0 and app.focused is agenda


async def test_interaction_log_from_the_roster(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await new_log_entry(pilot)
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


def field_errors(app) -> dict[str, str]:  # noqa: ANN001
    """The messages shown beside the fields of the open form, by field name."""
    form = app.screen
    assert isinstance(form, FieldsForm), type(form)
    return {w.id.removeprefix("error-"): text_of(w) for w in form.query(".field-error.-shown")}


async def test_interaction_follow_up_before_today_is_named_and_nothing_stored(
    demo_db: Database,
) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await new_log_entry(pilot)
        await fill(pilot, "summary", "Called about Q1 rates")
        await fill(pilot, "follow_up", "2026-10-30")  # before today's call
        await pilot.press("ctrl+s")
        await settle(pilot)
        errors = field_errors(app)  # the form is still open
        assert set(errors) == {"follow_up"} and "before the interaction" in errors["follow_up"]
        await fill(pilot, "follow_up", "2026-11-05")
        await fill(pilot, "kind", "fax")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert set(field_errors(app)) == {"kind"}
        await pilot.press("escape")
        await pilot.pause()
    with demo_db.session() as s:
        creator = roster.find_creator(s, "@haneul.eats")
        assert interactions.interactions_of(s, creator_id=creator.id) == []


# Each bad value in a counter form of its own, opened afresh on one deal (one app, not one a
# case: opening the app and the deal was most of each case's time).
BAD_COUNTER_FIELDS = [
    ("upfront_pct", "inf"),
    ("upfront_pct", "nan"),
    ("upfront_pct", "-5"),
    ("fee", "1e30 KRW"),
    ("fee", "1E+999999999 KRW"),
    ("fee", "9" * 26),
    ("fee", "100 USD"),  # the deal is in KRW
    ("fee", ""),
    ("usage_days", "9" * 26),
    ("net_days", "-5"),
    ("respond_by", "2026-10-01"),  # in the past
    ("deliverables", "2 videos\x1b[31m"),
    ("note", "why\x07"),
]


async def test_counter_form_names_a_bad_field_and_stores_nothing(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        campaign_id = await open_first_pending(pilot)
        for field, typed in BAD_COUNTER_FIELDS:
            case = f"{field}={typed!r}"
            await pilot.press("c")
            await pilot.pause()
            assert isinstance(app.screen, FieldsForm), case
            app.screen.query_one(f"#field-{field}", Input).value = typed  # as typed or pasted
            await pilot.press("ctrl+s")
            await settle(pilot)
            errors = field_errors(app)
            assert set(errors) == {field}, (case, errors)
            assert not any(ch in message for message in errors.values() for ch in "\x1b\x07")
            await pilot.press("escape")
            await settle(pilot)
            assert isinstance(app.screen, CampaignScreen), case
            with demo_db.session() as s:
                assert len(deals.offers(s, campaign_id)) == 1, case


async def test_agreed_deal_forms_name_bad_fields_and_show_text_as_written(
    demo_db: Database,
) -> None:
    with demo_db.session() as s:
        active = s.exec(
            select(Campaign).where(Campaign.status == CampaignStatus.IN_PRODUCTION)
        ).first()
    assert active is not None

    async def submit(pilot, key: str, values: dict[str, str]) -> dict[str, str]:  # noqa: ANN001
        await pilot.press(key)
        await pilot.pause()
        for name, text in values.items():
            app.screen.query_one(f"#field-{name}", Input).value = text
        await pilot.press("ctrl+s")
        await settle(pilot)
        if isinstance(app.screen, FieldsForm):
            errors = field_errors(app)
            await pilot.press("escape")
            await settle(pilot)
            return errors
        return {}

    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(CampaignScreen(active.id))
        await settle(pilot)
        assert set(await submit(pilot, "n", {"kind": "\x1b[31mvideo"})) == {"kind"}
        assert set(await submit(pilot, "n", {"kind": "", "due": ""})) == {"kind"}
        assert set(await submit(pilot, "n", {"kind": "video", "due": "2026-02-30"})) == {"due"}
        assert set(await submit(pilot, "n", {"kind": "video [/b]", "due": "2026-11-20"})) == {
            "kind"
        }
        assert await submit(pilot, "n", {"kind": "UGC", "due": "2026-11-20"}) == {}
        table = app.screen.query_one("#deal-deliverables", DataTable)
        table.focus()
        assert set(await submit(pilot, "f", {"text": ""})) == {"text"}
        assert set(await submit(pilot, "f", {"text": "bell\x07"})) == {"text"}
        assert await submit(pilot, "f", {"text": "[red]Bigger[/red] logo [/b]"}) == {}
        assert "[red]Bigger[/red] logo [/b]" in screen_text(app)
        for amount in ("1e30", "1E+999999999", "9" * 26, "nan", "-5", "", "100 USD"):
            errors = await submit(pilot, "i", {"amount": amount})
            assert set(errors) == {"amount"}, (amount, errors)
        assert set(await submit(pilot, "i", {"amount": "100", "due": "someday"})) == {"due"}
        assert set(await submit(pilot, "i", {"amount": "100", "issued": ""})) == {"issued"}
        assert set(await submit(pilot, "i", {"amount": "100", "number": "A\x1b[2J"})) == {"number"}
        assert set(await submit(pilot, "x", {"reason": "over\x1b[31m"})) == {"reason"}
        assert isinstance(app.screen, CampaignScreen)
    with demo_db.session() as s:
        [item] = deals.deliverables_of(s, active.id)
        feedback = deals.feedback_of(s, item.id)
        assert deals.invoices_of(s, active.id) == []
        assert s.get(Campaign, active.id).status is CampaignStatus.IN_PRODUCTION
    assert item.kind == "ugc"  # one of the rate card's kinds, typed in any case
    assert [f.text for f in feedback] == ["[red]Bigger[/red] logo [/b]"]


async def test_invoice_form_offers_the_terms_due_date_and_the_service_totals(
    demo_db: Database,
) -> None:
    with demo_db.transaction() as s:
        creator = roster.find_creator(s, "@haneul.eats")
        campaign = factories.offer(s, creator, fee="1,000 USD", received_on=TODAY)
        deals.propose(s, campaign.id, {"net_days": 45}, "me")
        deals.accept(s, campaign.id, "me")
        deals.add_invoice(s, campaign.id, "100", None, TODAY - timedelta(days=60), None, "me")
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(CampaignScreen(campaign.id))
        await settle(pilot)
        totals = text_of(app.screen.query_one("#deal-invoice-totals", Static))
        assert totals == "Outstanding 100.00 USD · overdue 100.00 USD"
        await pilot.press("i")
        await pilot.pause()
        due = app.screen.query_one("#field-due", Input).value
        assert due == (TODAY + timedelta(days=45)).isoformat()
        await pilot.press("escape")
        await settle(pilot)


async def test_stored_control_characters_are_never_drawn_raw(demo_db: Database) -> None:
    with demo_db.transaction() as s:
        active = s.exec(
            select(Campaign).where(Campaign.status == CampaignStatus.IN_PRODUCTION)
        ).first()
        active.name = "Evil\x1b[31mRed"
        item = deals.add_deliverable(s, active.id, "video", None, "me")
        item.kind = "vid\x1b[2Jeo"  # as an old import might have left it
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(CampaignScreen(active.id))
        await settle(pilot)
        assert "Evil␛[31mRed" in text_of(app.screen.query_one("#deal-title", Static))
        table = app.screen.query_one("#deal-deliverables", DataTable)
        assert (
            str(table.get_row_at(0)[0]) == "Vid␛[2Jeo"
        )  # a kind outside the list, labelled (core.labels)
        assert "\x1b" not in screen_text(app)


async def test_a_deal_loaded_after_its_screen_closed_is_dropped(demo_db: Database) -> None:
    """Escape while the deal is still loading: the loader's result finds no screen to fill."""
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        campaign_id = await open_first_pending(pilot)
        screen = app.screen
        assert isinstance(screen, CampaignScreen) and screen.data is not None
        loaded = screen.data
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        screen.show(loaded)  # what the worker's call_from_thread does after the close
        screen.reload_if_open()  # what a change saved just before the close asks for
        assert not [w for w in app.workers if w.name == "Loading the deal"]
        await settle(pilot)
        assert loaded.id == campaign_id


async def test_the_deal_screen_shows_a_change_made_by_another_process(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        campaign_id = await open_first_pending(pilot)
        title = app.screen.query_one("#deal-title", Static)
        assert "offer received" in text_of(title)
        main = app.screen_stack[0]  # the main screen is the first screen
        assert isinstance(main, MainScreen)
        with demo_db.transaction() as s:  # another process starts reviewing it…
            deals.start_review(s, campaign_id, "someone else")
        main._poll_changes()  # …the watcher's next tick (every 2 s) sees the commit
        await settle(pilot)
        assert "reviewing" in text_of(title)
        with demo_db.transaction() as s:  # …then declines it; Ctrl+R shows it at once
            deals.decline(s, campaign_id, "budget cut", "someone else")
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert "declined" in text_of(title)
