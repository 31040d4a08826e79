"""Campaigns as the main screen shows them: per creator, per tab, with what is needed next."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session, col, select

from talent_tui.core.dates import short_day
from talent_tui.store.models import TAB_OF_STATUS, Brand, Campaign, CampaignStatus, Tab, statuses_in

S = CampaignStatus


@dataclass(frozen=True, slots=True)
class CampaignRow:
    id: int
    name: str
    brand: str
    fee_minor: int
    currency: str
    status: CampaignStatus
    status_text: str
    key_date: date | None
    key_date_label: str
    urgent: bool

    @property
    def tab(self) -> Tab:
        return TAB_OF_STATUS[self.status]


def key_date(campaign: Campaign) -> date | None:
    """The one date that matters next for a campaign in its current state."""
    status = campaign.status
    if TAB_OF_STATUS[status] is Tab.PENDING:
        return campaign.respond_by
    if status is S.ACCEPTED:
        return campaign.start_on or campaign.end_on
    if status in (S.IN_PRODUCTION, S.COMPLETED, S.CANCELLED):
        return campaign.end_on
    return campaign.respond_by or campaign.end_on


def status_text(campaign: Campaign, today: date) -> tuple[str, bool]:
    """What the status means now, short enough for an 80-column table ("New offer · 2d",
    "Overdue · 3d late"), and whether it needs attention within three days."""
    status = campaign.status
    when = key_date(campaign)
    days = (when - today).days if when is not None else None
    soon = days is not None and days <= 3
    lead = {
        S.OFFER_RECEIVED: "New offer",
        S.REVIEWING: "Reviewing",
        S.NEGOTIATING: "Negotiating",
        S.ACCEPTED: "Accepted",
        S.IN_PRODUCTION: "Producing",
        S.COMPLETED: "Completed",
        S.DECLINED: "Declined",
        S.EXPIRED: "Expired",
        S.CANCELLED: "Cancelled",
    }[status]
    if TAB_OF_STATUS[status] in (Tab.COMPLETED, Tab.INACTIVE) or days is None:
        return lead, False
    if days < 0:
        if status is S.ACCEPTED:
            return lead, False  # started; the next date is the delivery
        return f"{lead} · {-days}d late", True
    if status is S.ACCEPTED:
        return f"{lead} · {_in_days(days)}", False
    return f"{lead} · {_in_days(days)}", soon


def _in_days(days: int) -> str:
    return "today" if days == 0 else f"{days}d"


def tab_counts(session: Session, creator_id: int) -> dict[Tab, int]:
    statement = (
        sa.select(Campaign.status, sa.func.count())
        .where(Campaign.creator_id == creator_id)
        .group_by(Campaign.status)
    )
    counts = dict.fromkeys(Tab, 0)
    for status, count in session.execute(statement):
        counts[TAB_OF_STATUS[CampaignStatus(status)]] += count
    return counts


def for_creator(session: Session, creator_id: int, tab: Tab, today: date) -> list[CampaignRow]:
    statement = (
        select(Campaign, Brand.name)
        .join(Brand, col(Brand.id) == col(Campaign.brand_id))
        .where(Campaign.creator_id == creator_id, col(Campaign.status).in_(statuses_in(tab)))
    )
    rows = [_row(campaign, brand, today) for campaign, brand in session.exec(statement)]
    # Open work: soonest first. History: most recent first.
    if tab in (Tab.PENDING, Tab.ACTIVE):
        rows.sort(key=lambda r: (r.key_date or date.max, r.id))
    else:
        rows.sort(key=lambda r: (r.key_date or date.min, r.id), reverse=True)
    return rows


def by_tab(session: Session, creator_id: int, today: date) -> dict[Tab, list[CampaignRow]]:
    return {tab: for_creator(session, creator_id, tab, today) for tab in Tab}


def _row(campaign: Campaign, brand: str, today: date) -> CampaignRow:
    text, urgent = status_text(campaign, today)
    when = key_date(campaign)
    return CampaignRow(
        id=campaign.id,
        name=campaign.name,
        brand=brand,
        fee_minor=campaign.fee_minor,
        currency=campaign.currency,
        status=campaign.status,
        status_text=text,
        key_date=when,
        key_date_label=short_day(when, today) if when else "—",
        urgent=urgent,
    )
