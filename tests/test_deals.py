"""The deal lifecycle, offers and counters, deliverables, invoices, deal flow and the audit
trail, on a real temporary database."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import select

from talent_tui.services import deals, interactions, roster
from talent_tui.store.db import Database
from talent_tui.store.models import (
    AuditEntry,
    Brand,
    Campaign,
    CampaignStatus,
    DeliverableStatus,
    InteractionKind,
    Offer,
    Party,
)

from . import factories
from .conftest import TODAY

S = CampaignStatus
ACTOR = "tester"


def new_campaign(db: Database, status: CampaignStatus = S.OFFER_RECEIVED, **terms) -> int:
    """A fresh campaign (a new creator and brand from the factories), moved to `status` by
    allowed steps."""
    path = {
        S.OFFER_RECEIVED: [],
        S.REVIEWING: [S.REVIEWING],
        S.NEGOTIATING: [S.NEGOTIATING],
        S.ACCEPTED: [S.ACCEPTED],
        S.IN_PRODUCTION: [S.ACCEPTED, S.IN_PRODUCTION],
        S.COMPLETED: [S.ACCEPTED, S.IN_PRODUCTION, S.COMPLETED],
        S.DECLINED: [S.DECLINED],
        S.EXPIRED: [S.EXPIRED],
        S.CANCELLED: [S.CANCELLED],
    }[status]
    with db.transaction() as s:
        creator, brand = factories.creator(s), factories.brand(s)
        respond_by = terms.pop("respond_by", TODAY + timedelta(days=5))
        base = deals.Terms(
            fee_minor=terms.pop("fee_minor", 1_000_000),
            currency=terms.pop("currency", "KRW"),
            respond_by=TODAY + timedelta(days=5),
            **terms,
        )
        campaign = deals.add_campaign(s, creator.id, brand.id, "Test deal", base, ACTOR, TODAY)
        campaign.respond_by = respond_by  # as if time had passed since the offer came in
        for step in path:
            deals.transition(s, campaign.id, step, ACTOR, "test")
        return campaign.id


def status_of(db: Database, campaign_id: int) -> CampaignStatus:
    with db.session() as s:
        return s.get(Campaign, campaign_id).status


ALLOWED = sorted((a, b) for a, targets in deals.TRANSITIONS.items() for b in targets)


@pytest.mark.parametrize(("start", "to"), ALLOWED, ids=[f"{a}->{b}" for a, b in ALLOWED])
def test_every_allowed_transition_happens_and_is_audited(
    database: Database, start: CampaignStatus, to: CampaignStatus
) -> None:
    campaign_id = new_campaign(database, start)
    with database.transaction() as s:
        before = len(deals.history(s, campaign_id))
        deals.transition(s, campaign_id, to, ACTOR)
    assert status_of(database, campaign_id) is to
    with database.session() as s:
        trail = deals.history(s, campaign_id)
    assert len(trail) == before + 1
    assert trail[-1].actor == ACTOR and trail[-1].action.endswith(deals.STATUS_LABELS[to])


FORBIDDEN = [
    (S.OFFER_RECEIVED, S.COMPLETED),
    (S.OFFER_RECEIVED, S.IN_PRODUCTION),
    (S.REVIEWING, S.OFFER_RECEIVED),
    (S.ACCEPTED, S.NEGOTIATING),
    (S.ACCEPTED, S.DECLINED),
    (S.IN_PRODUCTION, S.ACCEPTED),
    (S.COMPLETED, S.CANCELLED),
    (S.DECLINED, S.ACCEPTED),
    (S.EXPIRED, S.NEGOTIATING),
    (S.CANCELLED, S.IN_PRODUCTION),
]


@pytest.mark.parametrize(("start", "to"), FORBIDDEN, ids=[f"{a}->{b}" for a, b in FORBIDDEN])
def test_forbidden_transitions_change_nothing(
    database: Database, start: CampaignStatus, to: CampaignStatus
) -> None:
    campaign_id = new_campaign(database, start)
    with database.session() as s:
        trail = len(deals.history(s, campaign_id))
    with pytest.raises(deals.IllegalTransition, match=f"cannot become {deals.STATUS_LABELS[to]}"):
        with database.transaction() as s:
            deals.transition(s, campaign_id, to, ACTOR)
    assert status_of(database, campaign_id) is start
    with database.session() as s:
        assert len(deals.history(s, campaign_id)) == trail


def test_counter_offers_keep_every_version_and_mark_changes(database: Database) -> None:
    campaign_id = new_campaign(database, net_days=30, usage_days=30)
    with database.transaction() as s:
        deals.propose(
            s, campaign_id, {"fee_minor": 1_500_000, "usage_days": 60}, "me", Party.MANAGER,
            "usage is worth more",
        )  # fmt: skip
    with database.transaction() as s:
        deals.propose(s, campaign_id, {"fee_minor": 1_300_000}, "brand-rep", Party.BRAND)
    with database.session() as s:
        history = deals.versions(s, campaign_id)
        campaign = s.get(Campaign, campaign_id)
    assert [(v.version, v.proposed_by) for v in history] == [
        (1, Party.BRAND),
        (2, Party.MANAGER),
        (3, Party.BRAND),
    ]
    assert history[1].changed == {"fee", "usage rights"}
    assert history[2].changed == {"fee"}
    assert history[2].terms.usage_days == 60 and history[2].terms.net_days == 30  # carried over
    assert campaign.status is S.NEGOTIATING and campaign.fee_minor == 1_300_000

    with database.transaction() as s:
        deals.accept(s, campaign_id, "me")
    with database.session() as s:
        accepted = s.get(Campaign, campaign_id)
        trail = [e.action for e in deals.history(s, campaign_id)]
    assert accepted.status is S.ACCEPTED and accepted.fee_minor == 1_300_000
    assert trail[-1] == "status: negotiating → accepted (terms of version 3)"
    assert (
        "version 2: our counter-offer (fee 1,000,000 KRW → 1,500,000 KRW, usage rights 30 days → 60 days)"
        in trail
    )
    assert any(a.startswith("version 3: brand's counter (fee") for a in trail)


def test_counter_with_no_change_or_on_a_closed_deal_is_refused(database: Database) -> None:
    open_id = new_campaign(database)
    with pytest.raises(deals.DealError, match="nothing changed"), database.transaction() as s:
        deals.propose(s, open_id, {"fee_minor": 1_000_000}, "me")
    done = new_campaign(database, S.COMPLETED)
    with pytest.raises(deals.IllegalTransition), database.transaction() as s:
        deals.propose(s, done, {"fee_minor": 5}, "me")
    with database.session() as s:
        assert len(deals.offers(s, open_id)) == 1 and len(deals.offers(s, done)) == 1


def test_money_and_dates_that_make_no_sense_are_refused(database: Database) -> None:
    pending = new_campaign(database)
    with pytest.raises(deals.DealError, match="in the past"), database.transaction() as s:
        deals.propose(s, pending, {"respond_by": TODAY - timedelta(days=1)}, "me", today=TODAY)
    with pytest.raises(deals.DealError, match="accepted deals"), database.transaction() as s:
        deals.add_invoice(s, pending, "100", None, TODAY, TODAY, "me")
    with pytest.raises(deals.DealError, match="accepted deals"), database.transaction() as s:
        deals.add_deliverable(s, pending, "video", None, "me")
    agreed = new_campaign(database, S.IN_PRODUCTION)
    with database.transaction() as s:
        for amount, currency, message in [
            ("100", "USD", "the deal is in KRW"),
            ("0", None, "more than zero"),
        ]:
            with pytest.raises(deals.DealError, match=message):
                deals.add_invoice(s, agreed, amount, currency, TODAY, TODAY, "me")
        invoice = deals.add_invoice(s, agreed, "100", None, TODAY, TODAY, "me", "A-1")
        with pytest.raises(deals.DealError, match="already has an invoice"):
            deals.add_invoice(s, agreed, "100", None, TODAY, TODAY, "me", "A-1")
        with pytest.raises(deals.DealError, match="before the invoice was issued"):
            deals.mark_paid(s, invoice.id, TODAY - timedelta(days=1), "me", TODAY)
        with pytest.raises(deals.DealError, match="in the future"):
            deals.mark_paid(s, invoice.id, TODAY + timedelta(days=1), "me", TODAY)
        item = deals.add_deliverable(s, agreed, "video", None, "me")
        deals.set_deliverable_status(s, item.id, DeliverableStatus.DRAFT_SUBMITTED, "me")
        deals.set_deliverable_status(s, item.id, DeliverableStatus.APPROVED, "me")
        with pytest.raises(deals.DealError, match="not a web address"):
            deals.set_deliverable_status(s, item.id, DeliverableStatus.POSTED, "me", "notaurl")
    with pytest.raises(deals.DealError, match="nothing changed"), database.transaction() as s:
        deals.propose(s, pending, {"upfront_bp": None}, "me")


def test_decline_needs_a_reason_and_keeps_it(database: Database) -> None:
    campaign_id = new_campaign(database, S.REVIEWING)
    with pytest.raises(deals.DealError, match="reason"), database.transaction() as s:
        deals.decline(s, campaign_id, "  ", ACTOR)
    with database.transaction() as s:
        deals.decline(s, campaign_id, "clashes with an exclusive", ACTOR)
    with database.session() as s:
        campaign = s.get(Campaign, campaign_id)
        last = deals.history(s, campaign_id)[-1]
    assert campaign.status is S.DECLINED and "clashes with an exclusive" in campaign.notes
    assert "clashes with an exclusive" in last.action


def test_a_decline_reason_never_takes_the_notes_past_their_limit(database: Database) -> None:
    from talent_tui.core.fields import MAX_NOTES

    campaign_id = new_campaign(database, S.REVIEWING)
    full = "n" * (MAX_NOTES - 5)
    with database.transaction() as s:
        s.get(Campaign, campaign_id).notes = full
    with database.transaction() as s:
        deals.decline(s, campaign_id, "clashes with an exclusive", ACTOR)
    with database.session() as s:
        campaign = s.get(Campaign, campaign_id)
        last = deals.history(s, campaign_id)[-1]
    assert campaign.status is S.DECLINED and campaign.notes == full  # still within the limit
    assert "clashes with an exclusive" in last.action  # the reason is kept in the history


def test_overdue_offers_expire_with_a_history_entry(database: Database) -> None:
    late = new_campaign(database, S.NEGOTIATING, respond_by=TODAY - timedelta(days=1))
    on_time = new_campaign(database, S.REVIEWING, respond_by=TODAY)
    active = new_campaign(database, S.ACCEPTED, respond_by=TODAY - timedelta(days=9))
    with database.transaction() as s:
        expired = deals.expire_overdue(s, TODAY)
    assert late in expired and on_time not in expired and active not in expired
    assert status_of(database, late) is S.EXPIRED
    assert status_of(database, on_time) is S.REVIEWING
    with database.session() as s:
        entry = deals.history(s, late)[-1]
    assert entry.actor == "talent" and "respond-by date" in entry.action
    with database.transaction() as s:
        assert late not in deals.expire_overdue(s, TODAY)  # once only


def test_invoice_totals_stay_per_currency(database: Database) -> None:
    krw = new_campaign(database, S.IN_PRODUCTION, fee_minor=1_500_000)
    usd = new_campaign(database, S.IN_PRODUCTION, fee_minor=500_000, currency="USD")
    with database.transaction() as s:
        a = deals.add_invoice(s, krw, "1,000,000", None, TODAY - timedelta(days=40),
                              TODAY - timedelta(days=10), ACTOR, "INV-1")  # fmt: skip
        deals.add_invoice(s, krw, "₩500,000", None, TODAY, TODAY + timedelta(days=30), ACTOR)
        deals.add_invoice(s, usd, "2,500.50", "USD", TODAY - timedelta(days=35),
                          TODAY - timedelta(days=5), ACTOR)  # fmt: skip
        paid = deals.add_invoice(s, usd, "100 USD", None, TODAY, TODAY, ACTOR)
        deals.mark_paid(s, paid.id, TODAY, ACTOR)
    with database.session() as s:
        totals = deals.invoice_totals(s, TODAY)
        invoice = s.get(type(a), a.id)
    assert totals.outstanding == {"KRW": 1_500_000, "USD": 250_050}
    assert totals.overdue == {"KRW": 1_000_000, "USD": 250_050}
    assert deals.format_totals(totals.overdue) == "1,000,000 KRW + 2,500.50 USD"
    assert invoice.number == "INV-1"
    with pytest.raises(deals.DealError, match="already paid"), database.transaction() as s:
        deals.mark_paid(s, paid.id, TODAY, ACTOR)


def test_commission_rounds_half_up_in_minor_units() -> None:
    assert deals.commission_minor(1_000_000, 1500) == 150_000
    assert deals.commission_minor(333, 1000) == 33
    assert deals.commission_minor(335, 1000) == 34  # 33.5 -> 34


def test_deliverable_flow_feedback_and_overdue(database: Database) -> None:
    campaign_id = new_campaign(database, S.IN_PRODUCTION)
    D = DeliverableStatus
    with database.transaction() as s:
        item = deals.add_deliverable(s, campaign_id, "Video", TODAY - timedelta(days=1), ACTOR)
        item_id = item.id
        assert deals.deliverable_overdue(item, TODAY)
        deals.set_deliverable_status(s, item_id, D.DRAFT_SUBMITTED, ACTOR)
        deals.add_feedback(s, item_id, "Brand", "Logo bigger", TODAY - timedelta(days=1), ACTOR)
        deals.add_feedback(s, item_id, "Brand", "Earlier note", TODAY - timedelta(days=3), ACTOR)
        deals.set_deliverable_status(s, item_id, D.CHANGES_REQUESTED, ACTOR)
        deals.set_deliverable_status(s, item_id, D.DRAFT_SUBMITTED, ACTOR)
        deals.set_deliverable_status(s, item_id, D.APPROVED, ACTOR)
    with pytest.raises(deals.DealError, match="post URL"), database.transaction() as s:
        deals.set_deliverable_status(s, item_id, D.POSTED, ACTOR)
    with pytest.raises(deals.DealError, match="cannot become planned"), database.transaction() as s:
        deals.set_deliverable_status(s, item_id, D.PLANNED, ACTOR)
    with database.transaction() as s:
        deals.set_deliverable_status(s, item_id, D.POSTED, ACTOR, "https://tiktok.example/v/1")
    with database.session() as s:
        [stored] = deals.deliverables_of(s, campaign_id)
        notes = [f.text for f in deals.feedback_of(s, item_id)]
        trail = [e.action for e in deals.history(s, campaign_id)]
    assert stored.status is D.POSTED and stored.post_url == "https://tiktok.example/v/1"
    assert not deals.deliverable_overdue(stored, TODAY)
    assert notes == ["Earlier note", "Logo bigger"]  # oldest first
    assert "video: posted" in trail


def test_deal_flow_groups_open_deals_with_totals_per_currency(demo_db: Database) -> None:
    with demo_db.session() as s:
        stages = deals.deal_flow(s)
        open_campaigns = s.exec(
            select(Campaign).where(Campaign.status.in_(deals.OPEN_STATUSES))  # type: ignore[union-attr]
        ).all()
    assert [stage.status for stage in stages] == deals.OPEN_STATUSES
    assert sum(len(stage.deals) for stage in stages) == len(open_campaigns)
    for stage in stages:
        expected: dict[str, int] = {}
        for c in open_campaigns:
            if c.status is stage.status:
                expected[c.currency] = expected.get(c.currency, 0) + c.fee_minor
        assert stage.totals == expected


def test_due_items_cover_offers_deliverables_invoices_and_follow_ups(database: Database) -> None:
    offer = new_campaign(database, S.REVIEWING, respond_by=TODAY + timedelta(days=2))
    work = new_campaign(database, S.IN_PRODUCTION)
    with database.transaction() as s:
        creator = factories.creator(s, name="김하늘")
        deals.add_deliverable(s, work, "story", TODAY - timedelta(days=2), ACTOR)
        deals.add_invoice(s, work, "10000", None, TODAY, TODAY + timedelta(days=3), ACTOR)
        deals.log_interaction(
            s, InteractionKind.CALL, "Talk rates", TODAY, ACTOR, creator_id=creator.id,
            follow_up_on=TODAY + timedelta(days=1),
        )  # fmt: skip
        deals.log_interaction(
            s, InteractionKind.EMAIL, "Far off", TODAY, ACTOR, creator_id=creator.id,
            follow_up_on=TODAY + timedelta(days=30),
        )  # fmt: skip
    with database.session() as s:
        items = deals.due_items(s, TODAY)
    kinds = {(i.kind, i.campaign_id) for i in items}
    assert ("offer", offer) in kinds and ("deliverable", work) in kinds
    assert ("invoice", work) in kinds
    follow_ups = [i for i in items if i.kind == "follow-up"]
    assert [i.label for i in follow_ups if "김하늘" in i.label] == [
        "Follow up with 김하늘: Talk rates"
    ]
    assert items[0].overdue  # overdue first
    assert all(i.due_on <= TODAY + timedelta(days=7) for i in items)


def test_interaction_needs_one_party(database: Database) -> None:
    with pytest.raises(interactions.InteractionError), database.transaction() as s:
        interactions.log_interaction(s, InteractionKind.NOTE, "x", TODAY, ACTOR)


def test_audience_fit_is_a_share(demo_db: Database) -> None:
    with demo_db.session() as s:
        creator = roster.find_creator(s, "@haneul.eats")
        fits = [deals.audience_fit(s, creator.id, b.id) for b in s.exec(select(Brand))]
    known = [f for f in fits if f is not None]
    assert known and all(0 <= f <= 1 for f in known) and len(set(known)) > 1


def test_imported_campaigns_get_a_first_version_and_an_audit_entry(demo_db: Database) -> None:
    with demo_db.session() as s:
        campaign = s.exec(select(Campaign).order_by(Campaign.id)).first()
        [offer] = s.exec(select(Offer).where(Offer.campaign_id == campaign.id)).all()
        entries = s.exec(select(AuditEntry).where(AuditEntry.entity_id == campaign.id)).all()
    assert (offer.version, offer.proposed_by, offer.fee_minor) == (
        1,
        Party.BRAND,
        campaign.fee_minor,
    )
    assert any(e.action.startswith("imported as") for e in entries if e.entity == "campaign")


def test_a_failed_change_leaves_no_audit_entry(database: Database) -> None:
    campaign_id = new_campaign(database)
    with database.session() as s:
        count = len(s.exec(select(AuditEntry)).all())
    with pytest.raises(RuntimeError), database.transaction() as s:
        deals.transition(s, campaign_id, S.REVIEWING, ACTOR)
        raise RuntimeError("crash after the change, before commit")
    with database.session() as s:
        assert len(s.exec(select(AuditEntry)).all()) == count
    assert status_of(database, campaign_id) is S.OFFER_RECEIVED


def test_dates_helper_is_pinned_by_env(monkeypatch: pytest.MonkeyPatch) -> None:
    from talent_tui.core import dates

    monkeypatch.setenv("TALENT_TODAY", "2026-02-03")
    assert dates.today() == date(2026, 2, 3)
