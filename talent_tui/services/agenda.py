"""The agenda: one list of everything due across the roster, by date, overdue first, each item
saying what to do next.

    offer           a pending offer's respond-by date      "Answer the offer", or in a
                                                           negotiation whose last word is
                                                           ours "Chase the brand's answer"
    deliverable     a deliverable not yet approved          "Hand in the video", …
    campaign-start  an accepted deal's start date           "Start production"
    campaign-end    an active deal's end date               "Wrap up the campaign"; past it,
                                                           "Close or extend the campaign"
    invoice         an unpaid invoice's due date            "Check the payment arrives";
                                                           past it, "Chase payment"
    follow-up       an interaction's follow-up date         "Follow up with NAME"
    usage           the day an agreed deal's usage rights   "Renew or end the usage rights"
                    end (its current terms' usage_until)
    statement       an open affiliate statement's due date  "Pay the affiliate"; past it,
                                                           "Pay the affiliate, overdue"

An item is in the agenda when it is due within the horizon (`days` from today) or overdue
(due before today). Usage rights are never overdue (once they have ended there is nothing to
do) and show from `USAGE_NOTICE_DAYS` ahead even when the horizon is shorter. Work of
archived creators is left out, but not their unpaid invoices: money owed is still owed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from talent_tui.core import money
from talent_tui.core.dates import days_after
from talent_tui.services import interactions
from talent_tui.services.deals.conflicts import current_terms
from talent_tui.services.deals.states import AGREED, OPEN_STATUSES, id_of
from talent_tui.store.models import (
    Brand,
    Campaign,
    CampaignStatus,
    Creator,
    Deliverable,
    DeliverableStatus,
    Interaction,
    Invoice,
    Offer,
    Party,
    Tab,
    statuses_in,
)

S = CampaignStatus
D = DeliverableStatus

DEFAULT_DAYS = 14
USAGE_NOTICE_DAYS = 30  # usage rights ending this soon are always in the agenda

# The order of kinds on one day.
KINDS = (
    "offer",
    "deliverable",
    "campaign-start",
    "campaign-end",
    "invoice",
    "follow-up",
    "usage",
    "statement",
)

_DELIVERABLE_STEP = {
    D.PLANNED: "Hand in the {kind}",
    D.DRAFT_SUBMITTED: "Get the {kind} approved",
    D.CHANGES_REQUESTED: "Send the revised {kind}",
}


@dataclass(frozen=True)
class AgendaItem:
    """One thing due: what (`kind`), when, whether it is late, for whom, and what to do
    (`action`, and `what`: the action with its subject, the line a person reads)."""

    kind: str
    due_on: date
    overdue: bool
    creator: str | None
    campaign_id: int | None
    action: str
    subject: str
    brand: str | None
    ref_id: int  # the campaign's, deliverable's, invoice's or interaction's id
    creator_id: int | None = None
    brand_id: int | None = None

    @property
    def what(self) -> str:
        return f"{self.action}: {self.subject}" if self.subject else self.action

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "due_on": self.due_on,
            "overdue": self.overdue,
            "creator": self.creator,
            "campaign_id": self.campaign_id,
            "what": self.what,
            "action": self.action,
            "brand": self.brand,
            "id": self.ref_id,
            "creator_id": self.creator_id,
            "brand_id": self.brand_id,
        }


def agenda(session: Session, today: date, days: int = DEFAULT_DAYS) -> list[AgendaItem]:
    """Everything due within `days` of `today`, and everything overdue: overdue first, then
    by date."""
    horizon = days_after(today, days)
    items = [
        *_offers(session, today, horizon),
        *_deliverables(session, today, horizon),
        *_campaign_dates(session, today, horizon),
        *_invoices(session, today, horizon),
        *_follow_ups(session, today, days),
        *_usage(session, today, days_after(today, max(days, USAGE_NOTICE_DAYS))),
        *_statements(session, today, horizon),
    ]
    items.sort(key=lambda i: (not i.overdue, i.due_on, KINDS.index(i.kind), i.ref_id))
    return items


def _deals(*columns: Any) -> Any:
    """Campaigns with their creator's and brand's names, archived creators left out."""
    return (
        select(Campaign, Creator.name, Brand.name, *columns)
        .join(Creator, col(Creator.id) == col(Campaign.creator_id))
        .join(Brand, col(Brand.id) == col(Campaign.brand_id))
        .where(col(Creator.archived_at).is_(None))
    )


def _offers(session: Session, today: date, horizon: date) -> list[AgendaItem]:
    statement = (
        _deals(Offer.proposed_by)
        .outerjoin(Offer, current_terms())
        .where(
            col(Campaign.status).in_(statuses_in(Tab.PENDING)),
            col(Campaign.respond_by).is_not(None),
            col(Campaign.respond_by) <= horizon,
        )
    )
    items = []
    for campaign, creator, brand, proposed_by in session.exec(statement):
        if campaign.status is not S.NEGOTIATING:
            action = "Answer the offer"
        elif proposed_by is Party.MANAGER:  # the last word is ours
            action = "Chase the brand's answer"
        else:
            action = "Answer the brand's counter"
        items.append(
            _campaign_item("offer", campaign.respond_by, today, campaign, creator, brand, action)
        )
    return items


def _campaign_item(
    kind: str,
    due_on: date,
    today: date,
    campaign: Campaign,
    creator: str,
    brand: str,
    action: str,
    overdue: bool | None = None,
) -> AgendaItem:
    return AgendaItem(
        kind,
        due_on,
        due_on < today if overdue is None else overdue,
        creator,
        id_of(campaign),
        action,
        f"{campaign.name} ({brand})",
        brand,
        id_of(campaign),
        campaign.creator_id,
        campaign.brand_id,
    )


def _deliverables(session: Session, today: date, horizon: date) -> list[AgendaItem]:
    statement = (
        _deals(Deliverable)
        .join(Deliverable, col(Deliverable.campaign_id) == col(Campaign.id))
        .where(
            col(Deliverable.status).in_(list(_DELIVERABLE_STEP)),
            col(Deliverable.due_on).is_not(None),
            col(Deliverable.due_on) <= horizon,
            col(Campaign.status).in_(OPEN_STATUSES),
        )
    )
    items = []
    for campaign, creator, brand, deliverable in session.exec(statement):
        due = deliverable.due_on
        assert due is not None  # selected so
        items.append(
            AgendaItem(
                "deliverable",
                due,
                due < today,
                creator,
                id_of(campaign),
                _DELIVERABLE_STEP[deliverable.status].format(kind=deliverable.kind),
                f"{campaign.name} ({brand})",
                brand,
                id_of(deliverable),
                campaign.creator_id,
                campaign.brand_id,
            )
        )
    return items


def _campaign_dates(session: Session, today: date, horizon: date) -> list[AgendaItem]:
    """Accepted deals to start, and active deals reaching or past their end date."""
    statement = _deals().where(
        col(Campaign.status).in_(AGREED),
        sa.or_(
            sa.and_(col(Campaign.status) == S.ACCEPTED, col(Campaign.start_on) <= horizon),
            col(Campaign.end_on) <= horizon,
        ),
    )
    items = []
    for campaign, creator, brand in session.exec(statement):
        start, end = campaign.start_on, campaign.end_on
        ended = end is not None and end < today  # then closing it is the one thing to do
        if campaign.status is S.ACCEPTED and start is not None and start <= horizon and not ended:
            items.append(
                _campaign_item(
                    "campaign-start", start, today, campaign, creator, brand, "Start production"
                )
            )
        if end is not None and end <= horizon:
            action = "Close or extend the campaign" if ended else "Wrap up the campaign"
            items.append(
                _campaign_item("campaign-end", end, today, campaign, creator, brand, action)
            )
    return items


def _invoices(session: Session, today: date, horizon: date) -> list[AgendaItem]:
    statement = (
        select(Invoice, Campaign, Creator.name, Brand.name)
        .join(Campaign, col(Campaign.id) == col(Invoice.campaign_id))
        .join(Creator, col(Creator.id) == col(Campaign.creator_id))
        .join(Brand, col(Brand.id) == col(Campaign.brand_id))
        .where(col(Invoice.paid_on).is_(None), col(Invoice.due_on) <= horizon)
    )
    items = []
    for invoice, campaign, creator, brand in session.exec(statement):
        late = invoice.due_on < today
        amount = money.format_money(invoice.amount_minor, invoice.currency)
        number = invoice.number or f"#{invoice.id}"
        items.append(
            AgendaItem(
                "invoice",
                invoice.due_on,
                late,
                creator,
                id_of(campaign),
                "Chase payment" if late else "Check the payment arrives",
                f"invoice {number}, {amount}, {campaign.name} ({brand})",
                brand,
                id_of(invoice),
                campaign.creator_id,
                campaign.brand_id,
            )
        )
    return items


def _follow_ups(session: Session, today: date, days: int) -> list[AgendaItem]:
    with_follow_ups = select(Interaction.creator_id).where(
        col(Interaction.follow_up_on).is_not(None), col(Interaction.follow_up_done).is_(False)
    )
    archived = set(
        session.exec(
            select(Creator.id).where(
                col(Creator.archived_at).is_not(None), col(Creator.id).in_(with_follow_ups)
            )
        )
    )
    items = []
    for follow_up in interactions.follow_ups_due(session, today, days):
        interaction = follow_up.interaction
        if interaction.creator_id in archived:
            continue
        with_creator = interaction.creator_id is not None
        items.append(
            AgendaItem(
                "follow-up",
                follow_up.due_on,
                follow_up.due_on < today,
                follow_up.who if with_creator else None,
                None,
                f"Follow up with {follow_up.who}",
                interaction.summary,
                None if with_creator else follow_up.who,
                id_of(interaction),
                interaction.creator_id,
                interaction.brand_id,
            )
        )
    return items


def _usage(session: Session, today: date, horizon: date) -> list[AgendaItem]:
    statement = (
        _deals(Offer.usage_until)
        .join(Offer, current_terms())
        .where(
            col(Campaign.status).in_([*AGREED, S.COMPLETED]),
            col(Offer.usage_until) >= today,
            col(Offer.usage_until) <= horizon,
        )
    )
    items = []
    for campaign, creator, brand, usage_until in session.exec(statement):
        items.append(
            _campaign_item(
                "usage",
                usage_until,
                today,
                campaign,
                creator,
                brand,
                "Renew or end the usage rights",
                overdue=False,
            )
        )
    return items


def overdue_count(items: list[AgendaItem]) -> int:
    return sum(1 for i in items if i.overdue)


def _statements(session: Session, today: date, horizon: date) -> list[AgendaItem]:
    """Open affiliate statements (issue 16) due by the horizon: to pay, or overdue."""
    from talent_tui.store.models import Affiliate, Program, Statement, StatementStatus

    query = (
        select(Statement, Affiliate.handle, Program.name, Brand.name)
        .join(Affiliate, col(Affiliate.id) == col(Statement.affiliate_id))
        .join(Program, col(Program.id) == col(Statement.program_id))
        .join(Brand, col(Brand.id) == col(Program.brand_id))
        .where(Statement.status == StatementStatus.OPEN, col(Statement.due_on) <= horizon)
    )
    items = []
    for statement, handle, program, brand in session.exec(query):
        late = statement.due_on < today
        amount = money.format_money(statement.total_minor, statement.currency)
        items.append(
            AgendaItem(
                "statement",
                statement.due_on,
                late,
                handle,
                None,
                "Pay the affiliate, overdue" if late else "Pay the affiliate",
                f"statement #{statement.id}, {amount}, {program} {statement.month:%Y-%m}",
                brand,
                id_of(statement),
            )
        )
    return items
