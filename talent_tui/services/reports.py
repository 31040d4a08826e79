"""Media kits and reports: gathered as plain data, rendered as Markdown, CSV or self-contained
HTML, and written atomically (a crash never leaves half a file).

A report is about a creator, a brand, or everyone over a period. Reports leave the building
(a brand report goes to the advertiser), so the manager's commission is only in the
management report (`management=True`): commission per campaign and in total."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session, col, select

from talent_tui.core.errors import DomainError
from talent_tui.services import brands, deals, fit, roster
from talent_tui.services.metrics import CreatorMetrics
from talent_tui.store.models import (
    Brand,
    Campaign,
    CampaignStatus,
    Creator,
    Deliverable,
    DeliverableStatus,
)

S = CampaignStatus
WON = (S.ACCEPTED, S.IN_PRODUCTION, S.COMPLETED)
LOST = (S.DECLINED, S.EXPIRED, S.CANCELLED)


# ---- media kit ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RecentCampaign:
    name: str
    brand: str
    finished_on: date | None


@dataclass(frozen=True)
class MediaKit:
    """What a media kit says about a creator; `io.render` words and lays it out."""

    profile: roster.CreatorProfile  # name, handles, niche, latest metrics, rate card
    as_of: date
    audience: dict[str, list[tuple[str, float]]]  # dimension -> (bucket, share), largest first
    recent: list[RecentCampaign]


def media_kit(session: Session, creator_id: int, today: date, recent: int = 5) -> MediaKit:
    profile = roster.profile(session, creator_id)
    audience_raw = fit.creator_audience(session, creator_id)
    audience: dict[str, list[tuple[str, float]]] = {}
    for dimension in ("gender", "age", "country"):
        values = audience_raw.get(dimension, {})
        items = list(values.items())
        if dimension == "country":
            items = sorted(items, key=lambda kv: -kv[1])[:5]
        if items:
            audience[dimension] = items
    done = session.exec(
        select(Campaign, Brand.name)
        .join(Brand, col(Brand.id) == col(Campaign.brand_id))
        .where(col(Campaign.creator_id) == creator_id, col(Campaign.status) == S.COMPLETED)
        .order_by(col(Campaign.end_on).desc())
        .limit(recent)
    )
    recent_rows = [RecentCampaign(c.name, b, c.end_on) for c, b in done]
    return MediaKit(profile, today, audience, recent_rows)


# ---- reports ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReportCampaign:
    """One campaign line of a report."""

    id: int
    campaign: str
    creator: str
    brand: str
    status: CampaignStatus
    fee_minor: int
    currency: str
    day: date | None  # the day it counts on: its end, else its start, else the offer
    commission_minor: int | None = None  # the manager's cut (a management report only)


class InvalidPeriod(DomainError):
    pass


@dataclass
class Report:
    title: str
    period: str
    subject: str = ""  # "creator" or "brand" when the report is about one; "" for everyone
    management: bool = False  # with the manager's commission (never for an advertiser)
    won: int = 0
    lost: int = 0
    open: int = 0
    revenue: dict[str, int] = field(default_factory=dict)
    commission: dict[str, int] = field(default_factory=dict)  # a management report only
    pipeline: dict[str, int] = field(default_factory=dict)
    deliverables_total: int = 0
    deliverables_on_time: int = 0
    deliverables_late: int = 0
    deliverables_overdue: int = 0
    creator_metrics: CreatorMetrics | None = None  # a creator's report only
    campaigns: list[ReportCampaign] = field(default_factory=list)


def _campaign_day(c: Campaign) -> date | None:
    return c.end_on or c.start_on or c.offer_received_on


def build_report(
    session: Session,
    today: date,
    creator_id: int | None = None,
    brand_id: int | None = None,
    start: date | None = None,
    end: date | None = None,
    management: bool = False,
) -> Report:
    """Campaigns of a creator, a brand, or everyone, whose date (end, else start, else offer
    received) falls in [start, end]. `management` adds the manager's commission (per
    campaign, and in total for the completed ones)."""
    statement = (
        select(Campaign, Creator, Brand.name)
        .join(Creator, col(Creator.id) == col(Campaign.creator_id))
        .join(Brand, col(Brand.id) == col(Campaign.brand_id))
    )
    if creator_id is not None:
        statement = statement.where(Campaign.creator_id == creator_id)
    if brand_id is not None:
        statement = statement.where(Campaign.brand_id == brand_id)
    subject = ""
    if creator_id is not None:
        subject, name = "creator", roster.get_creator(session, creator_id).name
    elif brand_id is not None:
        subject, name = "brand", brands.get_brand(session, brand_id).name
    kind = "Management report" if management else f"{subject.capitalize()} report"
    title = f"{kind}: {name}" if subject else "Management report" if management else "Roster report"
    if start and end and end < start:
        raise InvalidPeriod(f"the period ends ({end}) before it starts ({start})")
    if start and end:
        period = f"{start.isoformat()} to {end.isoformat()}"
    elif start:
        period = f"from {start.isoformat()}"
    elif end:
        period = f"until {end.isoformat()}"
    else:
        period = "all campaigns, past and planned"
    report = Report(title, period, subject, management)
    revenue: dict[str, int] = defaultdict(int)
    commission: dict[str, int] = defaultdict(int)
    pipeline: dict[str, int] = defaultdict(int)
    ids = []
    for campaign, creator, brand in session.exec(statement.order_by(col(Campaign.id))):
        day = _campaign_day(campaign)
        if (start and (day is None or day < start)) or (end and (day is None or day > end)):
            continue
        ids.append(campaign.id)
        status = campaign.status
        if status in WON:
            report.won += 1
        elif status in LOST:
            report.lost += 1
        else:
            report.open += 1
            pipeline[campaign.currency] += campaign.fee_minor
        cut = deals.commission_minor(campaign.fee_minor, creator.commission_bp)
        if status is S.COMPLETED:
            revenue[campaign.currency] += campaign.fee_minor
            commission[campaign.currency] += cut
        report.campaigns.append(
            ReportCampaign(
                id=campaign.id,  # type: ignore[arg-type]  # SQLModel types a stored id as optional
                campaign=campaign.name,
                creator=creator.name,
                brand=brand,
                status=status,
                fee_minor=campaign.fee_minor,
                currency=campaign.currency,
                day=day,
                commission_minor=cut if management and status not in LOST else None,
            )
        )
    report.revenue = dict(sorted(revenue.items()))
    report.commission = dict(sorted(commission.items())) if management else {}
    report.pipeline = dict(sorted(pipeline.items()))
    if ids:
        for item in session.exec(select(Deliverable).where(col(Deliverable.campaign_id).in_(ids))):
            report.deliverables_total += 1
            delivered = item.status in (DeliverableStatus.APPROVED, DeliverableStatus.POSTED)
            if delivered and item.due_on is not None:
                if item.updated_at.date() <= item.due_on:
                    report.deliverables_on_time += 1
                else:
                    report.deliverables_late += 1
            elif delivered:
                report.deliverables_on_time += 1
            elif item.due_on is not None and item.due_on < today:
                report.deliverables_overdue += 1
    if creator_id is not None:
        report.creator_metrics = roster.profile(session, creator_id).metrics
    return report
