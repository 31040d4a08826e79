"""Media kits and reports: gathered as plain data, rendered as Markdown, CSV or self-contained
HTML, and written atomically (a crash never leaves half a file)."""

from __future__ import annotations

import csv
import html
import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from talent_tui.core.money import compact_number, format_money
from talent_tui.services import deals, fit, roster
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


def _pct(value: float | None, signed: bool = False) -> str:
    if value is None:
        return "—"
    return f"{value:+.1%}" if signed else f"{value:.1%}"


# ---- media kit ----------------------------------------------------------------------------


@dataclass(frozen=True)
class MediaKit:
    name: str
    handles: list[str]
    niche: str | None
    as_of: date
    headline: list[tuple[str, str]]
    metrics: list[tuple[str, str]]
    rates: list[tuple[str, str]]
    audience: dict[str, list[tuple[str, float]]]
    recent: list[tuple[str, str, str]]  # campaign, brand, finished


def media_kit(session: Session, creator_id: int, today: date, recent: int = 5) -> MediaKit:
    profile = roster.profile(session, creator_id)
    m = profile.metrics
    handles = [
        f"{platform} {h}"
        for platform, h in (
            ("TikTok", profile.tiktok_handle),
            ("Instagram", profile.instagram_handle),
            ("YouTube", profile.youtube_handle),
        )
        if h
    ]
    headline = [
        ("Followers", f"{m.followers:,}" if m.followers is not None else "—"),
        ("Avg views per video", compact_number(m.avg_views) if m.avg_views else "—"),
        ("Engagement rate", _pct(m.engagement_rate)),
        ("Follower growth, 30 days", _pct(m.follower_growth_30d, True)),
    ]
    key_metrics = [
        ("6-second view rate", _pct(m.six_sec_view_rate)),
        ("Completion rate", _pct(m.completion_rate)),
        ("Follower growth, 90 days", _pct(m.follower_growth_90d, True)),
        ("Engagement growth, 30 days", _pct(m.engagement_growth_30d, True)),
    ]
    if m.split is not None:
        key_metrics.append(
            (
                "Likes / comments / shares",
                f"{m.split.likes:.0%} / {m.split.comments:.0%} / {m.split.shares:.0%}",
            )
        )
    labels = {"ugc": "UGC"}
    rates = [
        (
            labels.get(r.deliverable, r.deliverable.capitalize()),
            format_money(r.amount_minor, r.currency),
        )
        for r in profile.rates
    ]
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
        .where(Campaign.creator_id == creator_id, Campaign.status == S.COMPLETED)
        .order_by(col(Campaign.end_on).desc())
        .limit(recent)
    )
    recent_rows = [(c.name, b, c.end_on.isoformat() if c.end_on else "") for c, b in done]
    return MediaKit(
        profile.name,
        handles,
        profile.niche,
        today,
        headline,
        key_metrics,
        rates,
        audience,
        recent_rows,
    )


def render_media_kit(kit: MediaKit, fmt: str) -> str:
    if fmt == "md":
        lines = [f"# {kit.name}", "", " · ".join(kit.handles + ([kit.niche] if kit.niche else []))]
        lines += ["", "## At a glance", ""] + [f"- **{k}:** {v}" for k, v in kit.headline]
        lines += ["", "## Key metrics", ""] + [f"- {k}: {v}" for k, v in kit.metrics]
        lines += ["", "## Rates", ""]
        lines += [f"- {k}: {v}" for k, v in kit.rates] or ["- On request"]
        lines += ["", "## Audience", ""]
        for dimension, items in kit.audience.items():
            parts = ", ".join(f"{b} {s:.0%}" for b, s in items)
            lines.append(f"- {dimension.capitalize()}: {parts}")
        if kit.recent:
            lines += ["", "## Recent campaigns", ""]
            lines += [f"- {name} for {brand} ({when})" for name, brand, when in kit.recent]
        lines += ["", f"_As of {kit.as_of.isoformat()}_", ""]
        return "\n".join(lines)
    if fmt == "html":
        e = html.escape
        sections = [
            _html_list("At a glance", kit.headline, strong=True),
            _html_list("Key metrics", kit.metrics),
            _html_list(
                "Rates", [(k.capitalize(), v) for k, v in kit.rates] or [("Rates", "on request")]
            ),
        ]
        audience = "".join(
            f"<h3>{e(d.capitalize())}</h3>"
            + "".join(
                f'<div class="bar"><span class="label">{e(b)}</span>'
                f'<span class="fill" style="width:{s * 100:.0f}%"></span>'
                f'<span class="pct">{s:.0%}</span></div>'
                for b, s in items
            )
            for d, items in kit.audience.items()
        )
        recent = "".join(f"<li>{e(n)} for {e(b)} ({e(w)})</li>" for n, b, w in kit.recent)
        subtitle = " · ".join(kit.handles + ([kit.niche] if kit.niche else []))
        body = (
            f"<h1>{e(kit.name)}</h1><p class=sub>{e(subtitle)}</p>"
            + "".join(sections)
            + f"<section><h2>Audience</h2>{audience}</section>"
            + (f"<section><h2>Recent campaigns</h2><ul>{recent}</ul></section>" if recent else "")
            + f"<p class=foot>As of {kit.as_of.isoformat()}</p>"
        )
        return _html_page(f"{kit.name} — media kit", body)
    raise ValueError(f"unknown format {fmt!r}")


def _html_list(title: str, rows: list[tuple[str, str]], strong: bool = False) -> str:
    e = html.escape
    items = "".join(
        f"<tr><th>{e(k)}</th><td>{'<b>' if strong else ''}{e(v)}{'</b>' if strong else ''}</td></tr>"
        for k, v in rows
    )
    return f"<section><h2>{e(title)}</h2><table>{items}</table></section>"


CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:48rem;margin:2rem auto;
color:#111;line-height:1.4;padding:0 1rem}
h1{margin-bottom:0}.sub{color:#555;margin-top:.2rem}h2{border-bottom:1px solid #ddd;
padding-bottom:.2rem;margin-top:1.6rem}table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:.25rem .5rem;border-bottom:1px solid #eee;vertical-align:top}
td.num{text-align:right}.bar{display:flex;align-items:center;gap:.5rem;margin:.15rem 0}
.bar .label{width:6rem}.bar .fill{background:#4a6fd6;height:.8rem;display:inline-block}
.bar .pct{color:#555}.foot{color:#777;font-size:.85rem;margin-top:2rem}
@media print{body{margin:0;max-width:none}section{break-inside:avoid}}
"""


def _html_page(title: str, body: str) -> str:
    return (
        "<!doctype html>\n<html lang=en><head><meta charset=utf-8>"
        f"<title>{html.escape(title)}</title><style>{CSS}</style></head>"
        f"<body>{body}</body></html>\n"
    )


# ---- reports ------------------------------------------------------------------------------


@dataclass
class Report:
    title: str
    period: str
    won: int = 0
    lost: int = 0
    open: int = 0
    revenue: dict[str, int] = field(default_factory=dict)
    commission: dict[str, int] = field(default_factory=dict)
    pipeline: dict[str, int] = field(default_factory=dict)
    deliverables_total: int = 0
    deliverables_on_time: int = 0
    deliverables_late: int = 0
    deliverables_overdue: int = 0
    metrics: list[tuple[str, str]] = field(default_factory=list)
    campaigns: list[dict[str, Any]] = field(default_factory=list)


def _campaign_day(c: Campaign) -> date | None:
    return c.end_on or c.start_on or c.offer_received_on


def build_report(
    session: Session,
    today: date,
    creator_id: int | None = None,
    brand_id: int | None = None,
    start: date | None = None,
    end: date | None = None,
) -> Report:
    """Campaigns of a creator, a brand, or everyone, whose date (end, else start, else offer
    received) falls in [start, end]."""
    statement = (
        select(Campaign, Creator, Brand.name)
        .join(Creator, col(Creator.id) == col(Campaign.creator_id))
        .join(Brand, col(Brand.id) == col(Campaign.brand_id))
    )
    if creator_id is not None:
        statement = statement.where(Campaign.creator_id == creator_id)
    if brand_id is not None:
        statement = statement.where(Campaign.brand_id == brand_id)
    if creator_id is not None:
        title = f"Creator report: {session.get(Creator, creator_id).name}"
    elif brand_id is not None:
        title = f"Brand report: {session.get(Brand, brand_id).name}"
    else:
        title = "Roster report"
    if start and end and end < start:
        raise ValueError(f"the period ends ({end}) before it starts ({start})")
    if start and end:
        period = f"{start.isoformat()} to {end.isoformat()}"
    elif start:
        period = f"from {start.isoformat()}"
    elif end:
        period = f"until {end.isoformat()}"
    else:
        period = "all campaigns, past and planned"
    report = Report(title, period)
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
        if status is S.COMPLETED:
            revenue[campaign.currency] += campaign.fee_minor
            commission[campaign.currency] += deals.commission_minor(
                campaign.fee_minor, creator.commission_bp
            )
        report.campaigns.append(
            {
                "id": campaign.id,
                "campaign": campaign.name,
                "creator": creator.name,
                "brand": brand,
                "status": status.value,
                "fee": format_money(campaign.fee_minor, campaign.currency),
                "date": day.isoformat() if day else "",
            }
        )
    report.revenue = dict(sorted(revenue.items()))
    report.commission = dict(sorted(commission.items()))
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
        m = roster.profile(session, creator_id).metrics
        report.metrics = [
            ("Followers", f"{m.followers:,}" if m.followers is not None else "—"),
            ("Avg views", compact_number(m.avg_views) if m.avg_views else "—"),
            ("Engagement rate", _pct(m.engagement_rate)),
            ("Growth 30 days", _pct(m.follower_growth_30d, True)),
            ("Growth 90 days", _pct(m.follower_growth_90d, True)),
        ]
    return report


def _money(totals: dict[str, int]) -> str:
    return deals.format_totals(totals)


def report_summary(report: Report) -> list[tuple[str, str]]:
    decided = report.won + report.lost
    win_rate = f" ({report.won / decided:.0%} won)" if decided else ""
    delivered = report.deliverables_on_time + report.deliverables_late
    return [
        ("Period", report.period),
        ("Campaigns", f"{report.won} won, {report.lost} lost, {report.open} open{win_rate}"),
        ("Revenue (completed)", _money(report.revenue)),
        ("Manager's commission", _money(report.commission)),
        ("Open pipeline", _money(report.pipeline)),
        (
            "Deliverables on time",
            f"{report.deliverables_on_time} of {delivered} delivered"
            + (f", {report.deliverables_overdue} overdue" if report.deliverables_overdue else ""),
        ),
    ] + report.metrics


CAMPAIGN_COLUMNS = ("id", "campaign", "creator", "brand", "status", "fee", "date")


def render_report(report: Report, fmt: str) -> str:
    summary = report_summary(report)
    if fmt == "md":
        lines = [f"# {report.title}", ""] + [f"- **{k}:** {v}" for k, v in summary]
        lines += ["", "## Campaigns", ""]
        lines.append("| " + " | ".join(c.capitalize() for c in CAMPAIGN_COLUMNS) + " |")
        lines.append("|" + "---|" * len(CAMPAIGN_COLUMNS))
        for row in report.campaigns:
            cells = [str(row[c]).replace("|", "\\|") for c in CAMPAIGN_COLUMNS]
            lines.append("| " + " | ".join(cells) + " |")
        return "\n".join(lines) + "\n"
    if fmt == "csv":
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(["section", "key", "value"])
        for key, value in summary:
            writer.writerow(["summary", key, value])
        for currency, amount in report.revenue.items():
            writer.writerow(["revenue_minor", currency, amount])
        for currency, amount in report.commission.items():
            writer.writerow(["commission_minor", currency, amount])
        writer.writerow([])
        writer.writerow(CAMPAIGN_COLUMNS)
        for row in report.campaigns:
            writer.writerow([row[c] for c in CAMPAIGN_COLUMNS])
        return buffer.getvalue()
    if fmt == "html":
        e = html.escape
        head = "".join(f"<th>{e(c.capitalize())}</th>" for c in CAMPAIGN_COLUMNS)
        rows = "".join(
            "<tr>" + "".join(f"<td>{e(str(r[c]))}</td>" for c in CAMPAIGN_COLUMNS) + "</tr>"
            for r in report.campaigns
        )
        body = (
            f"<h1>{e(report.title)}</h1>"
            + _html_list("Summary", summary)
            + f"<section><h2>Campaigns</h2><table><tr>{head}</tr>{rows}</table></section>"
        )
        return _html_page(report.title, body)
    raise ValueError(f"unknown format {fmt!r}")
