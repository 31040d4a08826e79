"""Campaigns as lists show them: per creator and tab on the main screen, and the campaign
list of the command line (filtered by creator and tab), each sorted the one way: open work
soonest first, history most recent first; with the date and status text that matter next."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from talent_tui.core.dates import short_day
from talent_tui.core.errors import DomainError
from talent_tui.store.models import (
    TAB_OF_STATUS,
    Brand,
    Campaign,
    CampaignStatus,
    Creator,
    Tab,
    statuses_in,
)

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
        sa.select(col(Campaign.status), sa.func.count())
        .where(col(Campaign.creator_id) == creator_id)
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
    return in_list_order(rows, lambda r: (TAB_OF_STATUS[r.status], r.key_date, r.id))


OPEN_TABS = (Tab.PENDING, Tab.ACTIVE)


def in_list_order(rows: list[Any], key: Any) -> list[Any]:
    """The one order of campaign lists: open work (pending, active) soonest first, then
    history (completed, inactive) most recent first. `key(row)` gives (tab, date, id)."""
    open_rows = [r for r in rows if key(r)[0] in OPEN_TABS]
    done_rows = [r for r in rows if key(r)[0] not in OPEN_TABS]
    open_rows.sort(key=lambda r: (key(r)[1] or date.max, key(r)[2]))
    done_rows.sort(key=lambda r: (key(r)[1] or date.min, key(r)[2]), reverse=True)
    return open_rows + done_rows


def by_tab(session: Session, creator_id: int, today: date) -> dict[Tab, list[CampaignRow]]:
    return {tab: for_creator(session, creator_id, tab, today) for tab in Tab}


def _row(campaign: Campaign, brand: str, today: date) -> CampaignRow:
    text, urgent = status_text(campaign, today)
    when = key_date(campaign)
    assert campaign.id is not None  # a stored row
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


# ---- the campaign list (command line) ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class CreatorRef:
    id: int
    name: str
    tiktok_handle: str


@dataclass(frozen=True, slots=True)
class BrandRef:
    id: int
    name: str


@dataclass(frozen=True, slots=True)
class CampaignSummary:
    """A campaign with whom it is with and the date that matters next."""

    id: int
    external_id: str | None
    name: str
    creator: CreatorRef
    brand: BrandRef
    status: CampaignStatus
    fee_minor: int
    currency: str
    respond_by: date | None
    start_on: date | None
    end_on: date | None
    next_date: date | None

    @property
    def tab(self) -> Tab:
        return TAB_OF_STATUS[self.status]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "external_id": self.external_id,
            "name": self.name,
            "creator": {
                "id": self.creator.id,
                "name": self.creator.name,
                "tiktok_handle": self.creator.tiktok_handle,
            },
            "brand": {"id": self.brand.id, "name": self.brand.name},
            "status": self.status.value,
            "tab": self.tab.value,
            "fee_minor": self.fee_minor,
            "currency": self.currency,
            "respond_by": self.respond_by,
            "start_on": self.start_on,
            "end_on": self.end_on,
            "next_date": self.next_date,
        }


def _summary(campaign: Campaign, creator: Creator, brand: Brand) -> CampaignSummary:
    assert campaign.id is not None and creator.id is not None and brand.id is not None
    return CampaignSummary(
        id=campaign.id,
        external_id=campaign.external_id,
        name=campaign.name,
        creator=CreatorRef(creator.id, creator.name, creator.tiktok_handle),
        brand=BrandRef(brand.id, brand.name),
        status=campaign.status,
        fee_minor=campaign.fee_minor,
        currency=campaign.currency,
        respond_by=campaign.respond_by,
        start_on=campaign.start_on,
        end_on=campaign.end_on,
        next_date=key_date(campaign),
    )


def _with_parties(campaign_filter: Any) -> Any:
    return (
        select(Campaign, Creator, Brand)
        .join(Creator, col(Creator.id) == col(Campaign.creator_id))
        .join(Brand, col(Brand.id) == col(Campaign.brand_id))
        .where(campaign_filter)
    )


def summary(session: Session, campaign_id: int) -> CampaignSummary | None:
    """One campaign as the list shows it, or None when there is no such campaign."""
    row = session.exec(_with_parties(col(Campaign.id) == campaign_id)).first()
    return None if row is None else _summary(*row)


def list_campaigns(
    session: Session, creator_id: int | None = None, tab: Tab | None = None
) -> list[CampaignSummary]:
    """Campaigns, optionally of one creator and in one tab, in list order."""
    conditions: list[sa.ColumnElement[bool]] = [sa.true()]
    if creator_id is not None:
        conditions.append(col(Campaign.creator_id) == creator_id)
    if tab is not None:
        conditions.append(col(Campaign.status).in_(statuses_in(tab)))
    rows = [_summary(*row) for row in session.exec(_with_parties(sa.and_(*conditions)))]
    return in_list_order(rows, lambda r: (r.tab, r.next_date, r.id))


def parse_tab(text: str) -> Tab:
    """A tab named as typed ("pending", "Active"); raises DomainError otherwise."""
    try:
        return Tab(text.strip().lower())
    except ValueError:
        names = ", ".join(t.value for t in Tab)
        raise DomainError(f"unknown tab {text!r} ({names})") from None
