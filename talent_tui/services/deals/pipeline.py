"""Deals read as a whole: the deal flow across the roster by stage, everything due (offer
replies, deliverables, invoices, follow-ups), a campaign's audit trail, and the full read
model of one campaign (`CampaignDetail`) that the deal screen shows and the CLI prints."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from talent_tui.core import money
from talent_tui.core.dates import days_after
from talent_tui.core.fields import deliverable_label
from talent_tui.services import campaigns, interactions
from talent_tui.services.deals.conflicts import Windows
from talent_tui.services.deals.deliverables import (
    D,
    deliverable_overdue,
    deliverables_of,
    feedback_of,
    history_spans,
    is_open,
)
from talent_tui.services.deals.invoices import (
    MoneyTotals,
    commission_minor,
    invoice_overdue,
    invoice_totals,
    invoices_of,
)
from talent_tui.services.deals.offers import Terms, Version, current_offer, terms_of, versions
from talent_tui.services.deals.states import OPEN_STATUSES, DealError, id_of
from talent_tui.store.models import (
    AuditEntry,
    Brand,
    Campaign,
    CampaignStatus,
    Creator,
    Deliverable,
    DeliverableStatus,
    Invoice,
    Tab,
    statuses_in,
)


def history(session: Session, campaign_id: int) -> list[AuditEntry]:
    """The audit trail of a campaign and of its deliverables (deleted ones too) and invoices,
    oldest first."""
    deliverables = [
        sa.and_(
            col(AuditEntry.entity) == "deliverable",
            col(AuditEntry.entity_id) == deliverable_id,
            col(AuditEntry.at) >= since,
            col(AuditEntry.at) <= until if until is not None else sa.true(),
        )
        for deliverable_id, since, until in history_spans(session, campaign_id)
    ]
    invoice_ids = select(Invoice.id).where(Invoice.campaign_id == campaign_id)
    statement = (
        select(AuditEntry)
        .where(
            sa.or_(
                sa.and_(
                    col(AuditEntry.entity) == "campaign", col(AuditEntry.entity_id) == campaign_id
                ),
                *deliverables,
                sa.and_(
                    col(AuditEntry.entity) == "invoice",
                    col(AuditEntry.entity_id).in_(invoice_ids),
                ),
            )
        )
        .order_by(col(AuditEntry.at), col(AuditEntry.id))
    )
    return list(session.exec(statement))


def audience_fit(session: Session, creator_id: int, brand_id: int) -> float | None:
    """The fit score (see talent_tui.services.fit) as a fraction 0–1, or None when unknown."""
    from talent_tui.services import fit

    result = fit.fit_for(session, creator_id, brand_id)
    return None if result is None else result.score / 100


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

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "due_on": self.due_on,
            "overdue": self.overdue,
            "label": self.label,
            "campaign_id": self.campaign_id,
            "id": self.ref_id,
        }


def deal_flow(
    session: Session, manager_id: int | None = None, unassigned: bool = False
) -> list[Stage]:
    """Every open deal across the roster, by stage, with totals per currency. Team mode:
    with `manager_id`, only the deals of that manager's creators (and with `unassigned`, of
    nobody's), services.team.Acting.owner_filter; the totals are theirs."""
    statement = (
        select(Campaign, Creator.name, Brand.name)
        .join(Creator, col(Creator.id) == col(Campaign.creator_id))
        .join(Brand, col(Brand.id) == col(Campaign.brand_id))
        .where(col(Campaign.status).in_(OPEN_STATUSES), col(Creator.archived_at).is_(None))
    )
    if manager_id is not None:
        owner = col(Creator.manager_id) == manager_id
        statement = statement.where(
            sa.or_(owner, col(Creator.manager_id).is_(None)) if unassigned else owner
        )
    by_status: dict[CampaignStatus, list[DealRow]] = {s: [] for s in OPEN_STATUSES}
    for campaign, creator, brand in session.exec(statement):
        by_status[campaign.status].append(
            DealRow(
                id_of(campaign),
                campaign.name,
                creator,
                brand,
                campaign.status,
                campaign.fee_minor,
                campaign.currency,
                campaigns.key_date(campaign),
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
    horizon = days_after(today, days)
    items: list[DueItem] = []
    offers_due = session.exec(
        select(Campaign, Creator.name)
        .join(Creator, col(Creator.id) == col(Campaign.creator_id))
        .where(
            col(Campaign.status).in_(statuses_in(Tab.PENDING)),
            col(Campaign.respond_by).is_not(None),
            col(Campaign.respond_by) <= horizon,
        )
    )
    for campaign, creator in offers_due:
        if campaign.respond_by is not None:
            items.append(
                DueItem(
                    "offer",
                    campaign.respond_by,
                    f"Reply to {campaign.name} ({creator})",
                    campaign.id,
                    campaign.respond_by < today,
                    id_of(campaign),
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
        if deliverable.due_on is not None:
            items.append(
                DueItem(
                    "deliverable",
                    deliverable.due_on,
                    f"{deliverable_label(deliverable.kind)} for {campaign_name}",
                    deliverable.campaign_id,
                    deliverable.due_on < today,
                    id_of(deliverable),
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
                invoice_overdue(invoice, today),
                id_of(invoice),
            )
        )
    for follow_up in interactions.follow_ups_due(session, today, days):
        items.append(
            DueItem(
                "follow-up",
                follow_up.due_on,
                f"Follow up with {follow_up.who}: {follow_up.interaction.summary}",
                None,
                follow_up.due_on < today,
                id_of(follow_up.interaction),
            )
        )
    items.sort(key=lambda i: (not i.overdue, i.due_on, i.kind, i.ref_id))
    return items


# ---- one campaign ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedbackView:
    author: str
    text: str
    given_on: date


@dataclass(frozen=True)
class DeliverableView:
    id: int
    kind: str
    due_on: date | None
    status: DeliverableStatus
    post_url: str | None
    overdue: bool
    feedback: list[FeedbackView]

    @property
    def open(self) -> bool:
        return is_open(self.status)


@dataclass(frozen=True)
class InvoiceView:
    id: int
    number: str
    amount_minor: int
    currency: str
    issued_on: date
    due_on: date
    paid_on: date | None
    overdue: bool


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    actor: str
    action: str
    entity: str


@dataclass(frozen=True)
class CampaignDetail:
    """Everything about one campaign, as read models (the deal screen and `campaigns show`)."""

    summary: campaigns.CampaignSummary
    version: int  # of the current terms
    terms: Terms  # the current terms
    audience_fit: float | None
    commission_minor: int
    versions: list[Version]
    deliverables: list[DeliverableView]
    invoices: list[InvoiceView]
    history: list[HistoryEntry]
    totals: MoneyTotals  # unpaid invoices, per currency
    windows: Windows = Windows()  # the current terms' exclusivity and usage-rights dates

    @property
    def id(self) -> int:
        return self.summary.id

    @property
    def status(self) -> CampaignStatus:
        return self.summary.status

    def to_json(self) -> dict[str, Any]:
        terms = self.terms
        return self.summary.to_json() | {
            "terms": {
                "version": self.version,
                "fee_minor": terms.fee_minor,
                "currency": terms.currency,
                "deliverables": terms.deliverables,
                "usage_days": terms.usage_days,
                "exclusivity_days": terms.exclusivity_days,
                "net_days": terms.net_days,
                "upfront_pct": None if terms.upfront_bp is None else terms.upfront_bp / 100,
                "respond_by": terms.respond_by,
                "usage_until": terms.usage_until,
                "exclusivity_category": terms.exclusivity_category,
                "exclusive_from": terms.exclusive_from,
                "exclusive_until": terms.exclusive_until,
            },
            "audience_fit": self.audience_fit,
            "commission_minor": self.commission_minor,
            "versions": [
                {
                    "version": v.version,
                    "proposed_by": v.proposed_by.value,
                    "by": v.created_by,
                    "at": v.created_at,
                    "note": v.note,
                    "terms": v.terms.describe(),
                    "changed": sorted(v.changed),
                }
                for v in self.versions
            ],
            "deliverables": [
                {
                    "id": d.id,
                    "kind": d.kind,
                    "due_on": d.due_on,
                    "status": d.status.value,
                    "post_url": d.post_url,
                    "overdue": d.overdue,
                    "feedback": [
                        {"author": f.author, "text": f.text, "given_on": f.given_on}
                        for f in d.feedback
                    ],
                }
                for d in self.deliverables
            ],
            "invoices": [
                {
                    "id": i.id,
                    "number": i.number,
                    "amount_minor": i.amount_minor,
                    "currency": i.currency,
                    "issued_on": i.issued_on,
                    "due_on": i.due_on,
                    "paid_on": i.paid_on,
                }
                for i in self.invoices
            ],
            "history": [
                {"at": e.at, "actor": e.actor, "action": e.action, "entity": e.entity}
                for e in self.history
            ],
        }


def campaign_detail(session: Session, campaign_id: int, today: date) -> CampaignDetail:
    """Everything about one campaign; DealError when there is no such campaign."""
    summary = campaigns.summary(session, campaign_id)
    campaign = session.get(Campaign, campaign_id)
    creator = session.get(Creator, summary.creator.id) if summary else None
    if summary is None or campaign is None or creator is None:
        raise DealError(f"no campaign with id {campaign_id}")
    current = current_offer(session, campaign)
    fit = audience_fit(session, summary.creator.id, summary.brand.id)
    deliverables = [
        DeliverableView(
            id_of(d),
            d.kind,
            d.due_on,
            d.status,
            d.post_url,
            deliverable_overdue(d, today),
            [FeedbackView(f.author, f.text, f.given_on) for f in feedback_of(session, id_of(d))],
        )
        for d in deliverables_of(session, campaign_id)
    ]
    invoices = [
        InvoiceView(
            id_of(i),
            i.number,
            i.amount_minor,
            i.currency,
            i.issued_on,
            i.due_on,
            i.paid_on,
            invoice_overdue(i, today),
        )
        for i in invoices_of(session, campaign_id)
    ]
    return CampaignDetail(
        summary=summary,
        version=current.version,
        terms=terms_of(current),
        audience_fit=None if fit is None else round(fit, 4),
        commission_minor=commission_minor(campaign.fee_minor, creator.commission_bp),
        versions=versions(session, campaign_id),
        deliverables=deliverables,
        invoices=invoices,
        history=[
            HistoryEntry(e.at, e.actor, e.action, e.entity) for e in history(session, campaign_id)
        ],
        totals=invoice_totals(session, today, campaign_id),
        windows=Windows.of(current),
    )
