"""What people type on deals, read by one rule each: terms (fee, days, upfront share,
respond-by), free text (no control characters, markup kept as written), follow-up dates, and
the campaign list. Every refusal is a DomainError naming the field; nothing is half-written."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlmodel import select

from talent_tui.core.errors import DomainError
from talent_tui.services import campaigns, deals, interactions
from talent_tui.services.deals.offers import check_terms
from talent_tui.store.db import Database
from talent_tui.store.models import (
    AuditEntry,
    CampaignStatus,
    Interaction,
    InteractionKind,
    Offer,
    Tab,
)

from . import factories
from .factories import DAY

S = CampaignStatus


# ---- typed terms ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "field"),
    [
        ({"fee": "1e30 KRW"}, "fee"),
        ({"fee": "1E+999999999 KRW"}, "fee"),  # must be refused at once, not computed
        ({"fee": "9" * 26}, "fee"),
        ({"fee": "nan"}, "fee"),
        ({"fee": "inf KRW"}, "fee"),
        ({"fee": "-5"}, "fee"),
        ({"fee": ""}, "fee"),
        ({"fee": "100 USD"}, "fee"),  # the deal is in KRW
        ({"fee": "12.5"}, "fee"),  # KRW has no decimals
        ({"upfront_pct": "inf"}, "upfront_pct"),
        ({"upfront_pct": "nan"}, "upfront_pct"),
        ({"upfront_pct": "-5"}, "upfront_pct"),
        ({"upfront_pct": "101"}, "upfront_pct"),
        ({"upfront_pct": "12.345"}, "upfront_pct"),
        ({"upfront_pct": "1e400"}, "upfront_pct"),
        ({"usage_days": "9" * 26}, "usage_days"),
        ({"usage_days": "-5"}, "usage_days"),
        ({"usage_days": "nan"}, "usage_days"),
        ({"usage_days": "1.5"}, "usage_days"),
        ({"exclusivity_days": "inf"}, "exclusivity_days"),
        ({"net_days": "soon"}, "net_days"),
        ({"respond_by": "2026-02-30"}, "respond_by"),
        ({"deliverables": "2 videos\x1b[31m"}, "deliverables"),
    ],
)
def test_bad_typed_terms_are_named_per_field(typed: dict[str, str], field: str) -> None:
    with pytest.raises(deals.TermsInvalid) as refused:
        deals.parse_terms(typed, "KRW")
    assert set(refused.value.errors) == {field}
    assert isinstance(refused.value, DomainError)


def test_typed_terms_people_write_are_read_exactly() -> None:
    changes = deals.parse_terms(
        {
            "fee": "₩12,500,000",
            "usage_days": "１２３",  # full-width digits are digits
            "exclusivity_days": "1e3",
            "net_days": "",  # cleared
            "upfront_pct": "12.5%",
            "deliverables": "2 videos + 1 [b]story[/b]",  # markup-looking text is text
            "respond_by": "2026-11-20",
        },
        "KRW",
    )
    assert changes == {
        "fee_minor": 12_500_000,
        "currency": "KRW",
        "usage_days": 123,
        "exclusivity_days": 1000,
        "net_days": None,
        "upfront_bp": 1250,
        "deliverables": "2 videos + 1 [b]story[/b]",
        "respond_by": DAY.replace(day=20),
    }
    assert deals.parse_terms({"fee": "1500"}, "USD", fee_currency="usd") == {
        "fee_minor": 150_000,
        "currency": "USD",
    }
    assert deals.parse_terms({}, "USD") == {}  # nothing typed, nothing changed


@settings(max_examples=300, deadline=None)
@given(
    typed=st.dictionaries(
        st.sampled_from(deals.TYPED_TERMS),
        st.one_of(
            st.text(max_size=30),
            st.from_regex(r"-?[0-9１-９]{0,30}(\.[0-9]{0,5})?([eE][+-]?[0-9]{1,12})?( KRW| USD)?"),
        ),
    )
)
def test_any_typed_terms_are_read_or_named_never_a_crash(typed: dict[str, str]) -> None:
    try:
        changes = deals.parse_terms(typed, "KRW")
    except deals.TermsInvalid as refused:
        assert refused.errors and set(refused.errors) <= set(typed)
        return
    terms = {"fee_minor": 0, "currency": "KRW"} | changes
    check_terms(terms)  # whatever is read is within the stored bounds


def test_stored_fee_bound_holds_however_the_terms_arrive(database: Database) -> None:
    with database.transaction() as s:
        creator, brand = factories.creator(s), factories.brand(s)
    huge = deals.Terms(fee_minor=10**30, currency="KRW")
    with pytest.raises(deals.DealError, match="too large"), database.transaction() as s:
        deals.add_campaign(s, creator.id, brand.id, "Huge", huge, "me", DAY)
    with database.session() as s:
        assert s.exec(select(Offer)).all() == []


def test_counter_with_bad_terms_stores_nothing(database: Database) -> None:
    with database.transaction() as s:
        campaign = factories.offer(s, fee="1,000,000 KRW")
    for changes in ({"fee_minor": 10**30}, {"usage_days": 10**25}, {"upfront_bp": 10**9}):
        with pytest.raises(deals.DealError), database.transaction() as s:
            deals.propose(s, campaign.id, changes, "me")
    with database.session() as s:
        assert len(deals.offers(s, campaign.id)) == 1
        assert [e.action for e in s.exec(select(AuditEntry))] == ["offer received"]


def test_new_terms_take_the_currency_the_fee_names() -> None:
    terms = deals.new_terms({"fee": "1,500 USD", "net_days": "30"})
    assert (terms.fee_minor, terms.currency, terms.net_days) == (150_000, "USD", 30)
    with pytest.raises(deals.TermsInvalid) as refused:
        deals.new_terms({"fee": "1500"})  # no currency anywhere
    assert set(refused.value.errors) == {"fee"}


# ---- free text ------------------------------------------------------------------------------

CONTROL = ["Red\x1b[31m", "bell\x07", "nul\x00", "two\nlines", "\x9b31m"]


@pytest.mark.parametrize("typed", CONTROL)
def test_control_characters_are_refused_wherever_text_is_typed(
    database: Database, typed: str
) -> None:
    with database.transaction() as s:
        pending = factories.offer(s)
        agreed = factories.agreed_offer(s)
        item = deals.add_deliverable(s, agreed.id, "video", None, "me")
        creator = factories.creator(s)
    attempts = [
        ("name", lambda s: factories.offer(s, name=typed)),
        ("note", lambda s: deals.propose(s, pending.id, {"usage_days": 30}, "me", note=typed)),
        ("reason", lambda s: deals.decline(s, pending.id, typed, "me")),
        ("kind", lambda s: deals.add_deliverable(s, agreed.id, typed, None, "me")),
        ("text", lambda s: deals.add_feedback(s, item.id, "brand", typed, DAY, "me")),
        ("author", lambda s: deals.add_feedback(s, item.id, typed, "ok", DAY, "me")),
        ("number", lambda s: deals.add_invoice(s, agreed.id, "10", None, DAY, DAY, "me", typed)),
    ]
    for field, attempt in attempts:
        with pytest.raises(deals.DealError, match="control character") as refused:
            with database.transaction() as s:
                attempt(s)
        assert refused.value.field == field
    with pytest.raises(interactions.InteractionError) as refused, database.transaction() as s:
        interactions.log_interaction(
            s, InteractionKind.NOTE, typed, DAY, "me", creator_id=creator.id
        )
    assert refused.value.field == "summary"
    with database.session() as s:
        assert deals.offers(s, pending.id)[-1].version == 1
        assert deals.feedback_of(s, item.id) == []
        assert deals.invoices_of(s, agreed.id) == []
        assert s.exec(select(Interaction)).all() == []


def test_markup_looking_text_is_stored_as_written(database: Database) -> None:
    with database.transaction() as s:
        agreed = factories.agreed_offer(s, name="[red]Sale[/red]")
        item = deals.add_deliverable(s, agreed.id, "video", None, "me")
        deals.add_feedback(s, item.id, "brand", "[/b] bigger [bold]logo", DAY, "me")
    with database.session() as s:
        detail = deals.campaign_detail(s, agreed.id, DAY)
    assert detail.summary.name == "[red]Sale[/red]"
    assert detail.deliverables[0].feedback[0].text == "[/b] bigger [bold]logo"


# ---- interactions ---------------------------------------------------------------------------


def test_follow_up_before_the_interaction_is_refused_on_its_field(database: Database) -> None:
    with database.transaction() as s:
        creator = factories.creator(s)
    with pytest.raises(interactions.InteractionError, match="before the interaction") as refused:
        with database.transaction() as s:
            interactions.log_interaction(
                s, InteractionKind.CALL, "Rates", DAY, "me", creator_id=creator.id,
                follow_up_on=DAY - timedelta(days=1),
            )  # fmt: skip
    assert refused.value.field == "follow_up"
    for typed, field in (("2026-13-01", "follow_up"), ("tomorrow", "follow_up")):
        with pytest.raises(interactions.InteractionError) as bad:
            interactions.parse_follow_up(typed)
        assert bad.value.field == field
    assert interactions.parse_follow_up("  ") is None
    with pytest.raises(interactions.InteractionError) as bad_kind:
        interactions.parse_kind("fax")
    assert bad_kind.value.field == "kind"
    with database.session() as s:
        assert s.exec(select(Interaction)).all() == []


# ---- invoices -------------------------------------------------------------------------------


def test_invoice_due_date_defaults_to_the_terms_net_days(database: Database) -> None:
    with database.transaction() as s:
        plain = factories.agreed_offer(s, fee="1,000 USD")
        net = factories.offer(s, fee="1,000 USD")
        deals.propose(s, net.id, {"net_days": 45}, "me")
        deals.accept(s, net.id, "me")
        a = deals.add_invoice(s, plain.id, "100", None, DAY, None, "me")
        b = deals.add_invoice(s, net.id, "100", None, DAY, None, "me")
    assert a.due_on == DAY + timedelta(days=deals.DEFAULT_NET_DAYS)
    assert b.due_on == DAY + timedelta(days=45)
    assert deals.due_after(DAY, 0) == DAY


def test_invoice_amounts_beyond_any_fee_are_refused_on_the_amount(database: Database) -> None:
    with database.transaction() as s:
        agreed = factories.agreed_offer(s, fee="1,000 USD")
    for typed in ("1e30", "9" * 26, "1E+999999999", "nan", "-5", ""):
        with pytest.raises(deals.DealError) as refused, database.transaction() as s:
            deals.add_invoice(s, agreed.id, typed, None, DAY, DAY, "me")
        assert refused.value.field == "amount", typed
    with database.session() as s:
        assert deals.invoices_of(s, agreed.id) == []


def test_campaign_detail_totals_are_the_invoice_totals(database: Database) -> None:
    with database.transaction() as s:
        agreed = factories.agreed_offer(s, fee="1,000 USD")
        deals.add_invoice(s, agreed.id, "100", None, DAY - timedelta(days=40), None, "me")
        paid = deals.add_invoice(s, agreed.id, "50", None, DAY, None, "me")
        deals.mark_paid(s, paid.id, DAY, "me", DAY)
        deals.add_invoice(s, agreed.id, "25", None, DAY, None, "me")
    with database.session() as s:
        detail = deals.campaign_detail(s, agreed.id, DAY)
        assert detail.totals == deals.invoice_totals(s, DAY, agreed.id)
    assert detail.totals.outstanding == {"USD": 12_500}
    assert detail.totals.overdue == {"USD": 10_000}
    assert [i.overdue for i in detail.invoices] == [True, False, False]


# ---- the campaign list ----------------------------------------------------------------------


def test_campaign_list_filters_and_sorts_open_work_first(database: Database) -> None:
    with database.transaction() as s:
        mina, other = factories.creator(s), factories.creator(s)
        soon = factories.offer(s, mina, respond_in_days=2)
        later = factories.offer(s, mina, respond_in_days=9)
        declined = factories.offer(s, mina, respond_in_days=5)
        deals.decline(s, declined.id, "no", "me")
        factories.offer(s, other)
    with database.session() as s:
        all_of_mina = campaigns.list_campaigns(s, creator_id=mina.id)
        pending = campaigns.list_campaigns(s, creator_id=mina.id, tab=Tab.PENDING)
        everyone = campaigns.list_campaigns(s)
    assert [c.id for c in all_of_mina] == [soon.id, later.id, declined.id]
    assert [c.id for c in pending] == [soon.id, later.id]
    assert len(everyone) == 4
    assert all_of_mina[0].to_json()["tab"] == "pending"
    assert all_of_mina[0].creator.id == mina.id
    with pytest.raises(DomainError, match="unknown tab"):
        campaigns.parse_tab("someday")
    assert campaigns.parse_tab(" Active ") is Tab.ACTIVE
