"""Deals: the campaign state machine, offer versions, deliverables, feedback, invoices,
interactions, the deal flow, and the audit trail that records every change.

Every function works inside the caller's transaction (`Database.transaction()`), and writes
its audit entry in that same transaction, so a change and its record land together or not at
all. `actor` is who did it: the OS user, `--as NAME`, or "talent" for automatic changes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, fields
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from talent_tui.core import money
from talent_tui.core.config import settings
from talent_tui.core.errors import DomainError
from talent_tui.services import audit
from talent_tui.store.models import (
    TAB_OF_STATUS,
    AuditEntry,
    Brand,
    Campaign,
    CampaignStatus,
    Creator,
    Deliverable,
    DeliverableStatus,
    Feedback,
    Interaction,
    InteractionKind,
    Invoice,
    Offer,
    Party,
    Tab,
    statuses_in,
    utcnow,
)

S = CampaignStatus
D = DeliverableStatus

# The lifecycle. Anything not listed is refused. (Which tab a state shows in is TAB_OF_STATUS.)
TRANSITIONS: dict[CampaignStatus, frozenset[CampaignStatus]] = {
    S.OFFER_RECEIVED: frozenset(
        {S.REVIEWING, S.NEGOTIATING, S.ACCEPTED, S.DECLINED, S.EXPIRED, S.CANCELLED}
    ),
    S.REVIEWING: frozenset({S.NEGOTIATING, S.ACCEPTED, S.DECLINED, S.EXPIRED, S.CANCELLED}),
    S.NEGOTIATING: frozenset({S.NEGOTIATING, S.ACCEPTED, S.DECLINED, S.EXPIRED, S.CANCELLED}),
    S.ACCEPTED: frozenset({S.IN_PRODUCTION, S.CANCELLED}),
    S.IN_PRODUCTION: frozenset({S.COMPLETED, S.CANCELLED}),
    S.COMPLETED: frozenset(),
    S.DECLINED: frozenset(),
    S.EXPIRED: frozenset(),
    S.CANCELLED: frozenset(),
}

DELIVERABLE_FLOW: dict[DeliverableStatus, frozenset[DeliverableStatus]] = {
    D.PLANNED: frozenset({D.DRAFT_SUBMITTED}),
    D.DRAFT_SUBMITTED: frozenset({D.CHANGES_REQUESTED, D.APPROVED}),
    D.CHANGES_REQUESTED: frozenset({D.DRAFT_SUBMITTED}),
    D.APPROVED: frozenset({D.POSTED}),
    D.POSTED: frozenset(),
}

STATUS_LABELS = {
    S.OFFER_RECEIVED: "offer received",
    S.REVIEWING: "reviewing",
    S.NEGOTIATING: "negotiating",
    S.ACCEPTED: "accepted",
    S.IN_PRODUCTION: "in production",
    S.COMPLETED: "completed",
    S.DECLINED: "declined",
    S.EXPIRED: "expired",
    S.CANCELLED: "cancelled",
}


class DealError(DomainError):
    """A change that is not allowed; nothing was written."""


class IllegalTransition(DealError):
    def __init__(self, campaign: Campaign, to: CampaignStatus):
        allowed = sorted(
            STATUS_LABELS[s] for s in TRANSITIONS[campaign.status] if s not in (to, S.EXPIRED)
        )
        where = STATUS_LABELS[campaign.status]
        options = ", ".join(allowed) if allowed else "nothing: it is final"
        super().__init__(
            f"campaign {campaign.id} is {where}; it cannot become {STATUS_LABELS[to]} "
            f"(it can become: {options})"
        )
        self.campaign_id = campaign.id
        self.current = campaign.status
        self.target = to


def default_actor() -> str:
    return settings().actor


def history(session: Session, campaign_id: int) -> list[AuditEntry]:
    """The audit trail of a campaign and of its deliverables and invoices, oldest first."""
    deliverable_ids = select(Deliverable.id).where(Deliverable.campaign_id == campaign_id)
    invoice_ids = select(Invoice.id).where(Invoice.campaign_id == campaign_id)
    statement = (
        select(AuditEntry)
        .where(
            sa.or_(
                sa.and_(AuditEntry.entity == "campaign", AuditEntry.entity_id == campaign_id),
                sa.and_(
                    AuditEntry.entity == "deliverable",
                    col(AuditEntry.entity_id).in_(deliverable_ids),
                ),
                sa.and_(AuditEntry.entity == "invoice", col(AuditEntry.entity_id).in_(invoice_ids)),
            )
        )
        .order_by(col(AuditEntry.at), col(AuditEntry.id))
    )
    return list(session.exec(statement))


# ---- terms and offers --------------------------------------------------------------------


@dataclass(frozen=True)
class Terms:
    """What is on the table: the fee and the conditions around it."""

    fee_minor: int
    currency: str
    deliverables: str = ""
    usage_days: int | None = None
    exclusivity_days: int | None = None
    net_days: int | None = None
    upfront_bp: int | None = None
    respond_by: date | None = None

    def describe(self) -> dict[str, str]:
        """Readable value per term, for side-by-side views."""
        return {
            "fee": money.format_money(self.fee_minor, self.currency),
            "deliverables": self.deliverables or "—",
            "usage rights": _days(self.usage_days),
            "exclusivity": _days(self.exclusivity_days),
            "payment": _payment(self.net_days, self.upfront_bp),
            "respond by": self.respond_by.isoformat() if self.respond_by else "—",
        }


TERM_FIELDS = tuple(f.name for f in fields(Terms))


def _days(value: int | None) -> str:
    return "—" if value is None else f"{value} days"


def _payment(net_days: int | None, upfront_bp: int | None) -> str:
    parts = []
    if upfront_bp:
        parts.append(f"{upfront_bp / 100:g}% upfront")
    if net_days is not None:
        parts.append(f"net {net_days}")
    return ", ".join(parts) or "—"


def terms_of(offer: Offer) -> Terms:
    return Terms(**{name: getattr(offer, name) for name in TERM_FIELDS})


def offers(session: Session, campaign_id: int) -> list[Offer]:
    statement = select(Offer).where(Offer.campaign_id == campaign_id).order_by(col(Offer.version))
    return list(session.exec(statement))


def current_offer(session: Session, campaign: Campaign) -> Offer:
    """The newest version of the terms (created from the campaign if it has none yet)."""
    versions = offers(session, campaign.id)
    if versions:
        return versions[-1]
    offer = Offer(
        campaign_id=campaign.id,
        version=1,
        proposed_by=Party.BRAND,
        fee_minor=campaign.fee_minor,
        currency=campaign.currency,
        respond_by=campaign.respond_by,
        created_by="talent",
    )
    session.add(offer)
    session.flush()
    return offer


@dataclass(frozen=True)
class Version:
    """One offer version with the terms that changed since the one before it."""

    version: int
    proposed_by: Party
    created_by: str
    created_at: Any
    note: str
    terms: Terms
    changed: frozenset[str] = field(default_factory=frozenset)


def versions(session: Session, campaign_id: int) -> list[Version]:
    result: list[Version] = []
    previous: Terms | None = None
    for offer in offers(session, campaign_id):
        terms = terms_of(offer)
        changed = frozenset()
        if previous is not None:
            before, after = previous.describe(), terms.describe()
            changed = frozenset(k for k in after if after[k] != before[k])
        result.append(
            Version(
                offer.version,
                offer.proposed_by,
                offer.created_by,
                offer.created_at,
                offer.note,
                terms,
                changed,
            )
        )
        previous = terms
    return result


def get_campaign(session: Session, campaign_id: int) -> Campaign:
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise DealError(f"no campaign with id {campaign_id}")
    return campaign


def _snapshot(campaign: Campaign) -> dict[str, Any]:
    return {
        "status": campaign.status.value,
        "fee": money.format_money(campaign.fee_minor, campaign.currency),
        "respond_by": campaign.respond_by,
    }


def transition(
    session: Session,
    campaign_id: int,
    to: CampaignStatus,
    actor: str,
    reason: str = "",
) -> Campaign:
    campaign = get_campaign(session, campaign_id)
    if to not in TRANSITIONS[campaign.status]:
        raise IllegalTransition(campaign, to)
    before = _snapshot(campaign)
    action = f"status: {STATUS_LABELS[campaign.status]} → {STATUS_LABELS[to]}"
    campaign.status = to
    campaign.updated_at = utcnow()
    if reason:
        action = f"{action} ({reason})"
        if to in (S.DECLINED, S.CANCELLED):
            campaign.notes = (campaign.notes + "\n" if campaign.notes else "") + (
                f"{STATUS_LABELS[to].capitalize()}: {reason}"
            )
    audit.record(session, actor, "campaign", campaign.id, action, before, _snapshot(campaign))
    session.flush()
    return campaign


def start_review(session: Session, campaign_id: int, actor: str) -> Campaign:
    return transition(session, campaign_id, S.REVIEWING, actor)


def accept(session: Session, campaign_id: int, actor: str) -> Campaign:
    """Accept the newest terms: they become the campaign's fee."""
    campaign = get_campaign(session, campaign_id)
    if S.ACCEPTED not in TRANSITIONS[campaign.status]:
        raise IllegalTransition(campaign, S.ACCEPTED)
    offer = current_offer(session, campaign)
    campaign.fee_minor, campaign.currency = offer.fee_minor, offer.currency
    return transition(session, campaign_id, S.ACCEPTED, actor, f"terms of version {offer.version}")


def decline(session: Session, campaign_id: int, reason: str, actor: str) -> Campaign:
    if not reason.strip():
        raise DealError("a reason is required to decline")
    return transition(session, campaign_id, S.DECLINED, actor, reason.strip())


def propose(
    session: Session,
    campaign_id: int,
    changes: dict[str, Any],
    actor: str,
    side: Party = Party.MANAGER,
    note: str = "",
    today: date | None = None,
) -> Offer:
    """Record a new version of the terms: ours (a counter-offer) or the brand's counter.
    Fields not in `changes` carry over from the current version."""
    campaign = get_campaign(session, campaign_id)
    if S.NEGOTIATING not in TRANSITIONS[campaign.status]:
        raise IllegalTransition(campaign, S.NEGOTIATING)
    unknown = set(changes) - set(TERM_FIELDS)
    if unknown:
        raise DealError(f"unknown term(s): {', '.join(sorted(unknown))}")
    current = current_offer(session, campaign)
    terms = asdict(terms_of(current)) | {k: v for k, v in changes.items()}
    _check_terms(terms)
    if "respond_by" in changes:
        _check_respond_by(changes["respond_by"], today)
    if Terms(**terms).describe() == terms_of(current).describe():
        raise DealError("nothing changed: give at least one new term")
    offer = Offer(
        campaign_id=campaign.id,
        version=current.version + 1,
        proposed_by=side,
        note=note,
        created_by=actor,
        **terms,
    )
    session.add(offer)
    before = _snapshot(campaign)
    campaign.fee_minor, campaign.currency = offer.fee_minor, offer.currency
    if offer.respond_by is not None:
        campaign.respond_by = offer.respond_by
    who = "our counter-offer" if side is Party.MANAGER else "brand's counter"
    if campaign.status is not S.NEGOTIATING:
        campaign.status = S.NEGOTIATING
    campaign.updated_at = utcnow()
    changed = {
        k: v for k, v in Terms(**terms).describe().items() if terms_of(current).describe()[k] != v
    }
    summary = ", ".join(f"{k} {terms_of(current).describe()[k]} → {v}" for k, v in changed.items())
    audit.record(
        session,
        actor,
        "campaign",
        campaign.id,
        f"version {offer.version}: {who} ({summary})",
        before | {"terms": terms_of(current).describe()},
        _snapshot(campaign) | {"changed": changed},
    )
    session.flush()
    return offer


def _check_respond_by(respond_by: date | None, today: date | None) -> None:
    """A reply date already past would expire the offer the next time talent opens."""
    if respond_by is not None and today is not None and respond_by < today:
        raise DealError(f"respond-by date {respond_by} is in the past (today is {today})")


def _check_terms(terms: dict[str, Any]) -> None:
    if terms["fee_minor"] is None or terms["fee_minor"] < 0:
        raise DealError("fee must be zero or more")
    terms["currency"] = money.normalize_currency(terms["currency"])
    for name in ("usage_days", "exclusivity_days", "net_days"):
        value = terms.get(name)
        if value is not None and (value < 0 or value > 3650):
            raise DealError(f"{name.replace('_', ' ')} must be between 0 and 3650")
    upfront = terms.get("upfront_bp")
    if upfront is not None and not (isinstance(upfront, int) and 0 <= upfront <= 10_000):
        raise DealError("upfront share must be between 0% and 100%")


def add_campaign(
    session: Session,
    creator_id: int,
    brand_id: int,
    name: str,
    terms: Terms,
    actor: str,
    received_on: date,
    external_id: str | None = None,
) -> Campaign:
    if not name.strip():
        raise DealError("a campaign name is required")
    data = asdict(terms)
    _check_terms(data)
    _check_respond_by(data["respond_by"], received_on)
    campaign = Campaign(
        external_id=external_id,
        creator_id=creator_id,
        brand_id=brand_id,
        name=name.strip(),
        fee_minor=data["fee_minor"],
        currency=data["currency"],
        status=S.OFFER_RECEIVED,
        offer_received_on=received_on,
        respond_by=data["respond_by"],
    )
    session.add(campaign)
    session.flush()
    session.add(
        Offer(campaign_id=campaign.id, version=1, proposed_by=Party.BRAND, created_by=actor, **data)
    )
    audit.record(
        session, actor, "campaign", campaign.id, "offer received", None, _snapshot(campaign)
    )
    session.flush()
    return campaign


def expire_overdue(session: Session, today: date, actor: str = "talent") -> list[int]:
    """Pending offers whose respond-by date has passed become expired. Returns their ids."""
    statement = select(Campaign).where(
        col(Campaign.status).in_(statuses_in(Tab.PENDING)),
        col(Campaign.respond_by).is_not(None),
        col(Campaign.respond_by) < today,
    )
    expired = []
    for campaign in session.exec(statement):
        when = campaign.respond_by.isoformat() if campaign.respond_by else "?"
        transition(session, campaign.id, S.EXPIRED, actor, f"respond-by date {when} passed")
        expired.append(campaign.id)
    return expired


def expire_on_open(database: Any, today: date | None = None) -> list[int]:
    """The rule every front end follows when it opens a database: offers past their
    respond-by date expire, in one transaction, recorded as done by talent."""
    from talent_tui.core.dates import today as local_today

    with database.transaction() as session:
        return expire_overdue(session, today or local_today())


# ---- audience fit ------------------------------------------------------------------------


def audience_fit(session: Session, creator_id: int, brand_id: int) -> float | None:
    """The fit score (see talent_tui.services.fit) as a fraction 0–1, or None when unknown."""
    from talent_tui.services import fit

    result = fit.fit_for(session, creator_id, brand_id)
    return None if result is None else result.score / 100


# ---- deliverables and feedback -------------------------------------------------------------


AGREED = (S.ACCEPTED, S.IN_PRODUCTION)


def _require_agreed(campaign: Campaign, what: str, also: tuple[CampaignStatus, ...] = ()) -> None:
    if campaign.status not in AGREED + also:
        raise DealError(
            f"campaign {campaign.id} is {STATUS_LABELS[campaign.status]}: {what} belong to "
            "accepted deals"
        )


def add_deliverable(
    session: Session, campaign_id: int, kind: str, due_on: date | None, actor: str
) -> Deliverable:
    _require_agreed(get_campaign(session, campaign_id), "deliverables")
    kind = " ".join(kind.split()).lower()
    if not kind:
        raise DealError("a deliverable kind is required (e.g. video)")
    deliverable = Deliverable(campaign_id=campaign_id, kind=kind, due_on=due_on)
    session.add(deliverable)
    session.flush()
    audit.record(
        session, actor, "deliverable", deliverable.id, f"added {kind}", None, {"due_on": due_on}
    )
    return deliverable


def set_deliverable_status(
    session: Session, deliverable_id: int, to: DeliverableStatus, actor: str, url: str = ""
) -> Deliverable:
    deliverable = session.get(Deliverable, deliverable_id)
    if deliverable is None:
        raise DealError(f"no deliverable with id {deliverable_id}")
    if to not in DELIVERABLE_FLOW[deliverable.status]:
        allowed = ", ".join(s.value for s in DELIVERABLE_FLOW[deliverable.status]) or "nothing"
        raise DealError(
            f"deliverable {deliverable_id} is {deliverable.status.value}; it cannot become "
            f"{to.value} (it can become: {allowed})"
        )
    if to is D.POSTED and not url.strip():
        raise DealError("a posted deliverable needs the post URL")
    if url.strip() and not url.strip().lower().startswith(("http://", "https://")):
        raise DealError(f"not a web address: {url.strip()!r} (it starts with https://)")
    before = {"status": deliverable.status.value}
    deliverable.status = to
    if url.strip():
        deliverable.post_url = url.strip()
    deliverable.updated_at = utcnow()
    after = {"status": to.value, "post_url": deliverable.post_url}
    audit.record(
        session,
        actor,
        "deliverable",
        deliverable.id,
        f"{deliverable.kind}: {to.value}",
        before,
        after,
    )
    session.flush()
    return deliverable


def add_feedback(
    session: Session, deliverable_id: int, author: str, text: str, given_on: date, actor: str
) -> Feedback:
    deliverable = session.get(Deliverable, deliverable_id)
    if deliverable is None:
        raise DealError(f"no deliverable with id {deliverable_id}")
    if not text.strip():
        raise DealError("feedback text is required")
    item = Feedback(
        deliverable_id=deliverable_id,
        author=author.strip() or "brand",
        text=text.strip(),
        given_on=given_on,
    )
    session.add(item)
    session.flush()
    audit.record(
        session,
        actor,
        "deliverable",
        deliverable_id,
        f"feedback from {item.author} on {deliverable.kind}",
        None,
        {"text": item.text, "given_on": given_on},
    )
    return item


def deliverables_of(session: Session, campaign_id: int) -> list[Deliverable]:
    statement = (
        select(Deliverable)
        .where(Deliverable.campaign_id == campaign_id)
        .order_by(col(Deliverable.due_on).is_(None), col(Deliverable.due_on), col(Deliverable.id))
    )
    return list(session.exec(statement))


def feedback_of(session: Session, deliverable_id: int) -> list[Feedback]:
    statement = (
        select(Feedback)
        .where(Feedback.deliverable_id == deliverable_id)
        .order_by(col(Feedback.given_on), col(Feedback.id))
    )
    return list(session.exec(statement))


def deliverable_overdue(deliverable: Deliverable, today: date) -> bool:
    open_ = deliverable.status not in (D.APPROVED, D.POSTED)
    return open_ and deliverable.due_on is not None and deliverable.due_on < today


# ---- invoices and commission -----------------------------------------------------------------


def add_invoice(
    session: Session,
    campaign_id: int,
    amount: str,
    currency: str | None,
    issued_on: date,
    due_on: date,
    actor: str,
    number: str = "",
) -> Invoice:
    campaign = get_campaign(session, campaign_id)
    _require_agreed(campaign, "invoices", (S.COMPLETED,))
    price = money.parse_money(amount, currency, default=campaign.currency)
    if price.currency != campaign.currency:
        raise DealError(
            f"the deal is in {campaign.currency}; an invoice in {price.currency} would not add up"
        )
    if price.amount_minor <= 0:
        raise DealError("an invoice amount must be more than zero")
    if due_on < issued_on:
        raise DealError(f"due date {due_on} is before the issue date {issued_on}")
    number = number.strip()
    if (
        number
        and session.exec(
            select(Invoice).where(Invoice.campaign_id == campaign_id, Invoice.number == number)
        ).first()
    ):
        raise DealError(f"this deal already has an invoice numbered {number!r}")
    invoice = Invoice(
        campaign_id=campaign_id,
        number=number.strip(),
        amount_minor=price.amount_minor,
        currency=price.currency,
        issued_on=issued_on,
        due_on=due_on,
    )
    session.add(invoice)
    session.flush()
    audit.record(
        session,
        actor,
        "invoice",
        invoice.id,
        f"invoice {invoice.number or invoice.id} issued",
        None,
        {"amount": str(price), "due_on": due_on},
    )
    return invoice


def mark_paid(
    session: Session, invoice_id: int, paid_on: date, actor: str, today: date | None = None
) -> Invoice:
    invoice = session.get(Invoice, invoice_id)
    if invoice is None:
        raise DealError(f"no invoice with id {invoice_id}")
    if paid_on < invoice.issued_on:
        raise DealError(f"paid {paid_on} is before the invoice was issued ({invoice.issued_on})")
    if today is not None and paid_on > today:
        raise DealError(f"paid {paid_on} is in the future (today is {today})")
    if invoice.paid_on is not None:
        raise DealError(f"invoice {invoice_id} was already paid on {invoice.paid_on}")
    invoice.paid_on = paid_on
    audit.record(
        session,
        actor,
        "invoice",
        invoice.id,
        f"invoice {invoice.number or invoice.id} paid",
        {"paid_on": None},
        {"paid_on": paid_on},
    )
    session.flush()
    return invoice


def invoices_of(session: Session, campaign_id: int) -> list[Invoice]:
    statement = (
        select(Invoice).where(Invoice.campaign_id == campaign_id).order_by(col(Invoice.issued_on))
    )
    return list(session.exec(statement))


def commission_minor(fee_minor: int, commission_bp: int) -> int:
    """The manager's cut of a fee, rounded half up to the currency's minor unit."""
    return (fee_minor * commission_bp + 5_000) // 10_000


@dataclass(frozen=True)
class MoneyTotals:
    """Per currency, never added across currencies."""

    outstanding: dict[str, int]
    overdue: dict[str, int]


def invoice_totals(session: Session, today: date, campaign_id: int | None = None) -> MoneyTotals:
    statement = select(Invoice).where(col(Invoice.paid_on).is_(None))
    if campaign_id is not None:
        statement = statement.where(Invoice.campaign_id == campaign_id)
    outstanding: dict[str, int] = defaultdict(int)
    overdue: dict[str, int] = defaultdict(int)
    for invoice in session.exec(statement):
        outstanding[invoice.currency] += invoice.amount_minor
        if invoice.due_on < today:
            overdue[invoice.currency] += invoice.amount_minor
    return MoneyTotals(dict(sorted(outstanding.items())), dict(sorted(overdue.items())))


def format_totals(totals: dict[str, int]) -> str:
    if not totals:
        return "—"
    return " + ".join(money.format_money(amount, code) for code, amount in totals.items())


# ---- deal flow ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DealRow:
    campaign_id: int
    name: str
    creator: str
    brand: str
    status: CampaignStatus
    fee_minor: int
    currency: str
    key_date: date | None


@dataclass(frozen=True)
class Stage:
    status: CampaignStatus
    deals: list[DealRow]
    totals: dict[str, int]


@dataclass(frozen=True)
class DueItem:
    """Something with a date: an offer to answer, a deliverable to hand in, an invoice to chase,
    a follow-up to make."""

    kind: str  # "offer", "deliverable", "invoice", "follow-up"
    due_on: date
    label: str
    campaign_id: int | None
    overdue: bool
    ref_id: int


OPEN_STATUSES = statuses_in(Tab.PENDING) + statuses_in(Tab.ACTIVE)


def deal_flow(session: Session) -> list[Stage]:
    """Every open deal across the roster, by stage, with totals per currency."""
    from talent_tui.services.campaigns import key_date

    statement = (
        select(Campaign, Creator.name, Brand.name)
        .join(Creator, col(Creator.id) == col(Campaign.creator_id))
        .join(Brand, col(Brand.id) == col(Campaign.brand_id))
        .where(col(Campaign.status).in_(OPEN_STATUSES), col(Creator.archived_at).is_(None))
    )
    by_status: dict[CampaignStatus, list[DealRow]] = {s: [] for s in OPEN_STATUSES}
    for campaign, creator, brand in session.exec(statement):
        by_status[campaign.status].append(
            DealRow(
                campaign.id,
                campaign.name,
                creator,
                brand,
                campaign.status,
                campaign.fee_minor,
                campaign.currency,
                key_date(campaign),
            )
        )
    stages = []
    for status in OPEN_STATUSES:
        deals = sorted(by_status[status], key=lambda d: (d.key_date or date.max, d.campaign_id))
        totals: dict[str, int] = defaultdict(int)
        for deal in deals:
            totals[deal.currency] += deal.fee_minor
        stages.append(Stage(status, deals, dict(sorted(totals.items()))))
    return stages


def due_items(session: Session, today: date, days: int = 7) -> list[DueItem]:
    """Overdue items and those due within `days`: offer replies, deliverables, unpaid invoices,
    follow-ups. Overdue first, then by date."""
    horizon = today + timedelta(days=days)
    items: list[DueItem] = []
    pending = statuses_in(Tab.PENDING)
    offers_due = session.exec(
        select(Campaign, Creator.name)
        .join(Creator, col(Creator.id) == col(Campaign.creator_id))
        .where(
            col(Campaign.status).in_(pending),
            col(Campaign.respond_by).is_not(None),
            col(Campaign.respond_by) <= horizon,
        )
    )
    for campaign, creator in offers_due:
        items.append(
            DueItem(
                "offer",
                campaign.respond_by,
                f"Reply to {campaign.name} ({creator})",
                campaign.id,
                campaign.respond_by < today,
                campaign.id,
            )
        )
    deliverables = session.exec(
        select(Deliverable, Campaign.name)
        .join(Campaign, col(Campaign.id) == col(Deliverable.campaign_id))
        .where(
            col(Deliverable.status).not_in([D.APPROVED, D.POSTED]),
            col(Deliverable.due_on).is_not(None),
            col(Deliverable.due_on) <= horizon,
            col(Campaign.status).in_(OPEN_STATUSES),
        )
    )
    for deliverable, campaign_name in deliverables:
        items.append(
            DueItem(
                "deliverable",
                deliverable.due_on,
                f"{deliverable.kind.capitalize()} for {campaign_name}",
                deliverable.campaign_id,
                deliverable.due_on < today,
                deliverable.id,
            )
        )
    invoices = session.exec(
        select(Invoice, Campaign.name)
        .join(Campaign, col(Campaign.id) == col(Invoice.campaign_id))
        .where(col(Invoice.paid_on).is_(None), col(Invoice.due_on) <= horizon)
    )
    for invoice, campaign_name in invoices:
        amount = money.format_money(invoice.amount_minor, invoice.currency)
        items.append(
            DueItem(
                "invoice",
                invoice.due_on,
                f"Invoice {invoice.number or invoice.id} · {amount} · {campaign_name}",
                invoice.campaign_id,
                invoice.due_on < today,
                invoice.id,
            )
        )
    for interaction, who in follow_ups_due(session, today, days):
        items.append(
            DueItem(
                "follow-up",
                interaction.follow_up_on,
                f"Follow up with {who}: {interaction.summary}",
                None,
                interaction.follow_up_on < today,
                interaction.id,
            )
        )
    items.sort(key=lambda i: (not i.overdue, i.due_on, i.kind, i.ref_id))
    return items


# ---- interactions -----------------------------------------------------------------------------


def log_interaction(
    session: Session,
    kind: InteractionKind,
    summary: str,
    happened_on: date,
    actor: str,
    creator_id: int | None = None,
    brand_id: int | None = None,
    follow_up_on: date | None = None,
) -> Interaction:
    if (creator_id is None) == (brand_id is None):
        raise DealError("an interaction is with one creator or one brand")
    if not summary.strip():
        raise DealError("a summary is required")
    if follow_up_on is not None and follow_up_on < happened_on:
        raise DealError(f"follow-up {follow_up_on} is before the interaction ({happened_on})")
    item = Interaction(
        creator_id=creator_id,
        brand_id=brand_id,
        kind=kind,
        summary=summary.strip(),
        happened_on=happened_on,
        follow_up_on=follow_up_on,
        created_by=actor,
    )
    session.add(item)
    session.flush()
    return item


def interactions_of(
    session: Session, creator_id: int | None = None, brand_id: int | None = None
) -> list[Interaction]:
    statement = select(Interaction)
    if creator_id is not None:
        statement = statement.where(Interaction.creator_id == creator_id)
    if brand_id is not None:
        statement = statement.where(Interaction.brand_id == brand_id)
    statement = statement.order_by(col(Interaction.happened_on).desc(), col(Interaction.id).desc())
    return list(session.exec(statement))


def follow_ups_due(
    session: Session, today: date, days: int = 7
) -> Iterable[tuple[Interaction, str]]:
    horizon = today + timedelta(days=days)
    statement = (
        select(Interaction, Creator.name, Brand.name)
        .outerjoin(Creator, col(Creator.id) == col(Interaction.creator_id))
        .outerjoin(Brand, col(Brand.id) == col(Interaction.brand_id))
        .where(
            col(Interaction.follow_up_on).is_not(None),
            col(Interaction.follow_up_on) <= horizon,
            col(Interaction.follow_up_done).is_(False),
        )
        .order_by(col(Interaction.follow_up_on))
    )
    for interaction, creator, brand in session.exec(statement):
        yield interaction, creator or brand or "?"


def complete_follow_up(session: Session, interaction_id: int) -> Interaction:
    item = session.get(Interaction, interaction_id)
    if item is None:
        raise DealError(f"no interaction with id {interaction_id}")
    if item.follow_up_on is None:
        raise DealError(f"interaction {interaction_id} has no follow-up to complete")
    item.follow_up_done = True
    session.flush()
    return item


def campaign_detail(
    session: Session, campaign: Campaign, today: date, full: bool = False
) -> dict[str, Any]:
    """Everything about a campaign as plain data (the CLI prints it; the TUI shows it)."""
    from talent_tui.services import campaigns as campaigns_mod

    creator = session.get(Creator, campaign.creator_id)
    brand = session.get(Brand, campaign.brand_id)
    data: dict[str, Any] = {
        "id": campaign.id,
        "external_id": campaign.external_id,
        "name": campaign.name,
        "creator": {"id": creator.id, "name": creator.name, "tiktok_handle": creator.tiktok_handle},
        "brand": {"id": brand.id, "name": brand.name},
        "status": campaign.status.value,
        "tab": TAB_OF_STATUS[campaign.status].value,
        "fee_minor": campaign.fee_minor,
        "currency": campaign.currency,
        "respond_by": campaign.respond_by,
        "start_on": campaign.start_on,
        "end_on": campaign.end_on,
        "next_date": campaigns_mod.key_date(campaign),
    }
    if not full:
        return data
    current = current_offer(session, campaign)
    terms = terms_of(current)
    data["terms"] = {
        "version": current.version,
        "fee_minor": terms.fee_minor,
        "currency": terms.currency,
        "deliverables": terms.deliverables,
        "usage_days": terms.usage_days,
        "exclusivity_days": terms.exclusivity_days,
        "net_days": terms.net_days,
        "upfront_pct": None if terms.upfront_bp is None else terms.upfront_bp / 100,
        "respond_by": terms.respond_by,
    }
    fit = audience_fit(session, campaign.creator_id, campaign.brand_id)
    data["audience_fit"] = None if fit is None else round(fit, 4)
    data["commission_minor"] = commission_minor(campaign.fee_minor, creator.commission_bp)
    data["versions"] = [
        {
            "version": v.version,
            "proposed_by": v.proposed_by.value,
            "by": v.created_by,
            "at": v.created_at,
            "note": v.note,
            "terms": v.terms.describe(),
            "changed": sorted(v.changed),
        }
        for v in versions(session, campaign.id)
    ]
    data["deliverables"] = [
        {
            "id": d.id,
            "kind": d.kind,
            "due_on": d.due_on,
            "status": d.status.value,
            "post_url": d.post_url,
            "overdue": deliverable_overdue(d, today),
            "feedback": [
                {"author": f.author, "text": f.text, "given_on": f.given_on}
                for f in feedback_of(session, d.id)
            ],
        }
        for d in deliverables_of(session, campaign.id)
    ]
    data["invoices"] = [
        {
            "id": i.id,
            "number": i.number,
            "amount_minor": i.amount_minor,
            "currency": i.currency,
            "issued_on": i.issued_on,
            "due_on": i.due_on,
            "paid_on": i.paid_on,
        }
        for i in invoices_of(session, campaign.id)
    ]
    data["history"] = [
        {"at": e.at, "actor": e.actor, "action": e.action, "entity": e.entity}
        for e in history(session, campaign.id)
    ]
    return data


def tab_of(status: CampaignStatus) -> Tab:
    return TAB_OF_STATUS[status]
