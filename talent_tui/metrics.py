"""Metric history: growth and trends are computed from dated snapshots, never typed in."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session, col, select

from talent_tui.models import MetricSnapshot


@dataclass(frozen=True, slots=True)
class Point:
    day: date
    value: float


def value_at(points: Sequence[Point], day: date) -> float | None:
    """The value on `day`, linearly interpolated between the snapshots around it.

    None when `day` lies before the first snapshot or after the last: we never extrapolate.
    """
    if not points or day < points[0].day or day > points[-1].day:
        return None
    for before, after in zip(points, points[1:], strict=False):
        if before.day <= day <= after.day:
            span = (after.day - before.day).days
            if span == 0:
                return after.value
            fraction = (day - before.day).days / span
            return before.value + (after.value - before.value) * fraction
    return points[-1].value


def growth(points: Sequence[Point], days: int) -> float | None:
    """Relative change over the `days` before the latest snapshot (0.05 = +5 %)."""
    if not points:
        return None
    latest = points[-1]
    start = value_at(points, latest.day - timedelta(days=days))
    if start is None or start == 0:
        return None
    return latest.value / start - 1


def snapshots(session: Session, creator_id: int) -> list[MetricSnapshot]:
    statement = (
        select(MetricSnapshot)
        .where(MetricSnapshot.creator_id == creator_id)
        .order_by(col(MetricSnapshot.captured_on))
    )
    return list(session.exec(statement))


def series(history: Sequence[MetricSnapshot], field: str) -> list[Point]:
    return [
        Point(snap.captured_on, float(getattr(snap, field)))
        for snap in history
        if getattr(snap, field) is not None
    ]


@dataclass(frozen=True, slots=True)
class CreatorMetrics:
    """What the stats panel shows: the newest snapshot plus figures derived from history."""

    captured_on: date | None
    followers: int | None
    avg_views: int | None
    engagement_rate: float | None
    follower_growth_30d: float | None
    followers_trend: list[int]


def summarize(history: Sequence[MetricSnapshot], trend_months: int = 12) -> CreatorMetrics:
    if not history:
        return CreatorMetrics(None, None, None, None, None, [])
    latest = history[-1]
    followers = series(history, "followers")
    window_start = latest.captured_on - timedelta(days=31 * trend_months - 15)
    trend = [int(p.value) for p in followers if p.day >= window_start]
    return CreatorMetrics(
        captured_on=latest.captured_on,
        followers=latest.followers,
        avg_views=latest.avg_views,
        engagement_rate=latest.engagement_rate,
        follower_growth_30d=growth(followers, 30),
        followers_trend=trend,
    )
