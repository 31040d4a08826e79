"""Metric history: growth and trends are computed from dated snapshots, never typed in."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Protocol

from talent_tui.core.dates import days_before
from talent_tui.store.plain import fetch_all

if TYPE_CHECKING:
    from sqlmodel import Session

    from talent_tui.store.models import MetricSnapshot

# The ORM is imported by the functions that query through it: the stats panel's first frame
# reads snapshots with the stdlib driver (`snapshot_rows`) and summarizes them here.


class Snapshot(Protocol):
    """What `summarize` reads of a snapshot: a stored `MetricSnapshot` or a `SnapshotRow`."""

    @property
    def captured_on(self) -> date: ...
    @property
    def followers(self) -> int: ...
    @property
    def avg_views(self) -> int | None: ...
    @property
    def six_sec_view_rate(self) -> float | None: ...
    @property
    def completion_rate(self) -> float | None: ...
    @property
    def engagement_rate(self) -> float | None: ...
    @property
    def likes(self) -> int | None: ...
    @property
    def comments(self) -> int | None: ...
    @property
    def shares(self) -> int | None: ...


@dataclass(frozen=True, slots=True)
class SnapshotRow:
    """A snapshot as read by `snapshot_rows`, without the ORM."""

    captured_on: date
    followers: int
    avg_views: int | None
    six_sec_view_rate: float | None
    completion_rate: float | None
    engagement_rate: float | None
    likes: int | None
    comments: int | None
    shares: int | None


SNAPSHOT_COLUMNS = (
    "captured_on, followers, avg_views, six_sec_view_rate, completion_rate, engagement_rate,"
    " likes, comments, shares"
)


def snapshot_rows(connection: Any, creator_id: int) -> list[SnapshotRow]:
    """A creator's snapshots, oldest first, read through a DB-API connection (see
    `store.plain.dbapi`)."""
    rows = fetch_all(
        connection,
        f"SELECT {SNAPSHOT_COLUMNS} FROM metric_snapshots WHERE creator_id = ?"
        " ORDER BY captured_on",
        (creator_id,),
    )
    return [SnapshotRow(_day(row[0]), *row[1:]) for row in rows]


def _day(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


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
    start = value_at(points, days_before(latest.day, days))
    if start is None or start == 0:
        return None
    return latest.value / start - 1


def snapshots(session: Session, creator_id: int) -> list[MetricSnapshot]:
    from sqlmodel import col, select

    from talent_tui.store.models import MetricSnapshot

    statement = (
        select(MetricSnapshot)
        .where(MetricSnapshot.creator_id == creator_id)
        .order_by(col(MetricSnapshot.captured_on))
    )
    return list(session.exec(statement))


def series(history: Sequence[Snapshot], field: str) -> list[Point]:
    return [
        Point(snap.captured_on, float(getattr(snap, field)))
        for snap in history
        if getattr(snap, field) is not None
    ]


@dataclass(frozen=True, slots=True)
class EngagementSplit:
    """How interactions divide into likes, comments and shares (fractions summing to 1)."""

    likes: float
    comments: float
    shares: float


@dataclass(frozen=True, slots=True)
class CreatorMetrics:
    """What the stats panel shows: the newest snapshot plus figures derived from history.

    Growth is relative change over the window before the newest snapshot, interpolated between
    snapshots: follower growth 0.05 = +5 % followers; engagement growth 0.1 = the engagement
    rate is 10 % higher than it was (4.4 % -> 4.84 %), not 10 points.
    """

    captured_on: date | None
    followers: int | None
    avg_views: int | None
    engagement_rate: float | None
    follower_growth_30d: float | None
    followers_trend: list[int]
    six_sec_view_rate: float | None = None
    completion_rate: float | None = None
    follower_growth_90d: float | None = None
    engagement_growth_30d: float | None = None
    engagement_growth_90d: float | None = None
    split: EngagementSplit | None = None


def engagement_split(snapshot: Snapshot) -> EngagementSplit | None:
    parts = (snapshot.likes, snapshot.comments, snapshot.shares)
    if any(p is None for p in parts):
        return None
    total = sum(parts)  # type: ignore[arg-type]
    if total <= 0:
        return None
    likes, comments, shares = (p / total for p in parts)  # type: ignore[operator]
    return EngagementSplit(likes, comments, shares)


def summarize(history: Sequence[Snapshot], trend_months: int = 12) -> CreatorMetrics:
    if not history:
        return CreatorMetrics(None, None, None, None, None, [])
    latest = history[-1]
    followers = series(history, "followers")
    engagement = series(history, "engagement_rate")
    window_start = days_before(latest.captured_on, 31 * trend_months - 15)
    trend = [int(p.value) for p in followers if p.day >= window_start]
    return CreatorMetrics(
        captured_on=latest.captured_on,
        followers=latest.followers,
        avg_views=latest.avg_views,
        engagement_rate=latest.engagement_rate,
        follower_growth_30d=growth(followers, 30),
        followers_trend=trend,
        six_sec_view_rate=latest.six_sec_view_rate,
        completion_rate=latest.completion_rate,
        follower_growth_90d=growth(followers, 90),
        engagement_growth_30d=_growth_at_latest(engagement, latest.captured_on, 30),
        engagement_growth_90d=_growth_at_latest(engagement, latest.captured_on, 90),
        split=engagement_split(latest),
    )


def _growth_at_latest(points: Sequence[Point], latest: date, days: int) -> float | None:
    """Growth of a series whose newest point must be the newest snapshot (else unknown)."""
    if not points or points[-1].day != latest:
        return None
    return growth(points, days)


METRIC_FIELDS = {
    "followers": "Followers",
    "avg_views": "Average views per video",
    "engagement_rate": "Engagement rate",
}


def history_points(
    session: Session, creator_id: int, field: str, since: date | None = None
) -> list[Point]:
    """One metric over time (for charts), oldest first, from `since` on."""
    if field not in METRIC_FIELDS:
        raise ValueError(f"unknown metric {field!r} (one of: {', '.join(METRIC_FIELDS)})")
    points = series(snapshots(session, creator_id), field)
    return [p for p in points if since is None or p.day >= since]


def refresh_latest(session: Session, creator_ids: Iterable[int]) -> None:
    """Copy each creator's newest snapshot, and the 30-day growth computed from the history,
    onto the creator row the roster sorts on."""
    import sqlalchemy as sa
    from sqlmodel import col

    from talent_tui.store.models import Creator, MetricSnapshot

    latest = (
        sa.select(col(MetricSnapshot.followers), col(MetricSnapshot.engagement_rate))
        .where(col(MetricSnapshot.creator_id) == col(Creator.id))
        .order_by(col(MetricSnapshot.captured_on).desc())
        .limit(1)
    )
    ids = list(creator_ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        session.exec(
            sa.update(Creator)
            .where(col(Creator.id).in_(chunk))
            .where(sa.exists().where(col(MetricSnapshot.creator_id) == col(Creator.id)))
            .values(
                followers=latest.with_only_columns(col(MetricSnapshot.followers)).scalar_subquery(),
                engagement_rate=latest.with_only_columns(
                    col(MetricSnapshot.engagement_rate)
                ).scalar_subquery(),
            )
        )
        history: dict[int, list[Point]] = {cid: [] for cid in chunk}
        rows = session.execute(
            sa.select(
                col(MetricSnapshot.creator_id),
                col(MetricSnapshot.captured_on),
                col(MetricSnapshot.followers),
            )
            .where(col(MetricSnapshot.creator_id).in_(chunk))
            .order_by(col(MetricSnapshot.creator_id), col(MetricSnapshot.captured_on))
        )
        for creator_id, captured_on, followers in rows:
            history[creator_id].append(Point(captured_on, followers))
        changes = [{"cid": cid, "growth": growth(points, 30)} for cid, points in history.items()]
        if changes:
            # SQLModel sets __table__ on table models; its class stubs do not declare it.
            table = Creator.__table__  # type: ignore[attr-defined]
            session.connection().execute(
                table.update()
                .where(table.c.id == sa.bindparam("cid"))
                .values(follower_growth_30d=sa.bindparam("growth")),
                changes,
            )
