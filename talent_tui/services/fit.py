"""How well a creator's audience matches a brand's target audience.

Per dimension (gender, age, country) both sides are distributions over buckets. Their overlap
is sum(min(p, q)) after normalising each to 1 — one minus the total-variation distance — so
identical distributions overlap 1, disjoint ones 0, and it is symmetric. The score is the mean
overlap over the dimensions both sides describe, times 100, rounded.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, col, select

from talent_tui.core.shares import format_share
from talent_tui.store.models import AudienceSegment, BrandTarget, Creator

Distribution = Mapping[str, float]
Profile = Mapping[str, Distribution]  # dimension -> bucket -> share

DIMENSION_ORDER = ("gender", "age", "country")


def overlap(a: Distribution, b: Distribution) -> float:
    total_a, total_b = sum(a.values()), sum(b.values())
    if total_a <= 0 or total_b <= 0:
        return 0.0
    buckets = set(a) | set(b)
    return sum(min(a.get(k, 0.0) / total_a, b.get(k, 0.0) / total_b) for k in buckets)


@dataclass(frozen=True)
class DimensionFit:
    dimension: str
    overlap: float  # 0..1
    words: str


@dataclass(frozen=True)
class Fit:
    score: int  # 0..100
    dimensions: list[DimensionFit]

    @property
    def reason(self) -> str:
        return "; ".join(d.words for d in self.dimensions)


def _pct(value: float) -> str:
    return format_share(value)


def _describe(dimension: str, share: float, target: Distribution, audience: Distribution) -> str:
    if share >= 0.75:
        verdict = "matches"
    elif share >= 0.4:
        verdict = "partly matches"
    else:
        verdict = "does not match"
    words = f"{dimension} {verdict} ({_pct(share)})"
    if share < 0.75:
        total_t, total_a = sum(target.values()) or 1, sum(audience.values()) or 1
        # the bucket the brand wants most that the audience gives least of, relatively
        gaps = sorted(
            target,
            key=lambda k: audience.get(k, 0.0) / total_a - target[k] / total_t,
        )
        if gaps:
            k = gaps[0]
            words += (
                f": brand wants {k} {_pct(target[k] / total_t)}, "
                f"audience has {_pct(audience.get(k, 0.0) / total_a)}"
            )
    return words


def score(audience: Profile, target: Profile) -> Fit | None:
    """None when the two share no dimension (nothing to compare)."""
    dims = [d for d in DIMENSION_ORDER if audience.get(d) and target.get(d)]
    dims += sorted(d for d in target if d not in DIMENSION_ORDER and audience.get(d))
    if not dims:
        return None
    parts = []
    for d in dims:
        share = overlap(audience[d], target[d])
        parts.append(DimensionFit(d, share, _describe(d, share, target[d], audience[d])))
    mean = sum(p.overlap for p in parts) / len(parts)
    return Fit(round(mean * 100), parts)


def brand_target(session: Session, brand_id: int) -> dict[str, dict[str, float]]:
    profile: dict[str, dict[str, float]] = defaultdict(dict)
    for t in session.exec(select(BrandTarget).where(BrandTarget.brand_id == brand_id)):
        profile[t.dimension.value][t.bucket] = t.share
    return dict(profile)


def creator_audience(session: Session, creator_id: int) -> dict[str, dict[str, float]]:
    """The newest demographics snapshot of a creator."""
    latest = session.execute(
        sa.select(sa.func.max(AudienceSegment.captured_on)).where(
            col(AudienceSegment.creator_id) == creator_id
        )
    ).scalar()
    profile: dict[str, dict[str, float]] = defaultdict(dict)
    if latest is None:
        return {}
    statement = select(AudienceSegment).where(
        AudienceSegment.creator_id == creator_id, AudienceSegment.captured_on == latest
    )
    for s in session.exec(statement):
        profile[s.dimension.value][s.bucket] = s.share
    return dict(profile)


def fit_for(session: Session, creator_id: int, brand_id: int) -> Fit | None:
    return score(creator_audience(session, creator_id), brand_target(session, brand_id))


@dataclass(frozen=True)
class Ranked:
    creator_id: int
    name: str
    tiktok_handle: str
    followers: int
    fit: Fit


def rank_for_brand(session: Session, brand_id: int, limit: int | None = None) -> list[Ranked]:
    """Live creators with demographics, best fit first (ties: more followers first)."""
    target = brand_target(session, brand_id)
    if not target:
        return []
    latest = (
        sa.select(
            col(AudienceSegment.creator_id),
            sa.func.max(AudienceSegment.captured_on).label("day"),
        )
        .group_by(col(AudienceSegment.creator_id))
        .subquery()
    )
    rows = session.execute(
        sa.select(
            col(AudienceSegment.creator_id),
            col(AudienceSegment.dimension),
            col(AudienceSegment.bucket),
            col(AudienceSegment.share),
        ).join(
            latest,
            sa.and_(
                latest.c.creator_id == col(AudienceSegment.creator_id),
                latest.c.day == col(AudienceSegment.captured_on),
            ),
        )
    )
    audiences: dict[int, dict[str, dict[str, float]]] = defaultdict(lambda: defaultdict(dict))
    for creator_id, dimension, bucket, share in rows:
        audiences[creator_id][dimension.value][bucket] = share
    creators = session.execute(
        sa.select(
            col(Creator.id), col(Creator.name), col(Creator.tiktok_handle), col(Creator.followers)
        ).where(col(Creator.id).in_(list(audiences)), col(Creator.archived_at).is_(None))
    )
    ranked = []
    for creator_id, name, handle, followers in creators:
        result = score(audiences[creator_id], target)
        if result is not None:
            ranked.append(Ranked(creator_id, name, handle, followers, result))
    ranked.sort(key=lambda r: (-r.fit.score, -r.followers, r.name))
    return ranked[:limit] if limit is not None else ranked
