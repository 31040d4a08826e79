"""Brands and their target audiences (same shape as a creator's demographics)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, col, select

from talent_tui.core import fields
from talent_tui.core.errors import DomainError
from talent_tui.services import audit
from talent_tui.services.fit import brand_target
from talent_tui.store.models import Brand, BrandTarget, Dimension

# The buckets creators' demographics use; a target in other buckets could never match anyone.
KNOWN_BUCKETS = {
    Dimension.GENDER: ("female", "male", "other"),
    Dimension.AGE: ("13-17", "18-24", "25-34", "35-44", "45-54", "55+"),
}


class BrandNotFound(DomainError, LookupError):
    pass


def find_brand(session: Session, ref: str) -> Brand:
    """A brand by id ("7") or by name, case-insensitive: the one lookup every command and
    screen uses."""
    text = ref.strip()
    number = fields.row_id(text)
    brand = session.get(Brand, number) if number is not None else None
    if brand is None and text:
        brand = session.exec(select(Brand).where(sa.func.lower(Brand.name) == text.lower())).first()
    if brand is None:
        raise BrandNotFound(f"no brand with id or name {ref!r}")
    return brand


def get_brand(session: Session, brand_id: int) -> Brand:
    brand = session.get(Brand, brand_id)
    if brand is None:
        raise BrandNotFound(f"no brand with id {brand_id}")
    return brand


class InvalidTarget(DomainError):
    pass


def parse_distribution(dimension: Dimension, text: str) -> dict[str, float]:
    """ "female=0.6; male=0.4" or "18-24=45%, 25-34=55%" -> {bucket: share}; shares sum to 1.
    An empty text clears the dimension."""
    result: dict[str, float] = {}
    for part in (p.strip() for p in text.replace(",", ";").split(";")):
        if not part:
            continue
        bucket, eq, raw = part.partition("=")
        bucket = bucket.strip()
        if not eq or not bucket:
            raise InvalidTarget(f"expected bucket=share, got {part!r}")
        try:
            bucket = fields.bucket({"bucket": bucket}, "bucket", dimension.value)
        except fields.FieldError as exc:
            raise InvalidTarget(exc.message) from None
        known = KNOWN_BUCKETS.get(dimension)
        if known is not None and bucket not in known:
            raise InvalidTarget(
                f"unknown {dimension.value} bucket {bucket!r} (one of: {', '.join(known)})"
            )
        try:  # the same rule as an imported share: 0.45 or 45%
            share = fields.fraction({"share": raw.strip()}, "share", required=True) or 0.0
        except fields.FieldError as exc:
            raise InvalidTarget(f"{bucket}: {exc.message}") from None
        if bucket in result:
            raise InvalidTarget(f"{bucket} given twice")
        result[bucket] = share
    if result and not fields.shares_sum_to_one(sum(result.values())):
        raise InvalidTarget(f"shares sum to {sum(result.values()):.3f}, expected 1.0")
    return result


def format_distribution(distribution: dict[str, float]) -> str:
    return "; ".join(f"{bucket}={share:g}" for bucket, share in distribution.items())


def set_target(
    session: Session,
    brand_id: int,
    dimension: Dimension,
    distribution: dict[str, float],
    actor: str,
) -> None:
    """Replace one dimension of a brand's target audience."""
    get_brand(session, brand_id)
    before = brand_target(session, brand_id).get(dimension.value, {})
    existing = session.exec(
        select(BrandTarget).where(
            BrandTarget.brand_id == brand_id, BrandTarget.dimension == dimension
        )
    ).all()
    for row in existing:
        session.delete(row)
    session.flush()
    for bucket, share in distribution.items():
        session.add(BrandTarget(brand_id=brand_id, dimension=dimension, bucket=bucket, share=share))
    audit.record(
        session, actor, "brand", brand_id, f"target {dimension.value} set", before, distribution
    )
    session.flush()


def list_brands(session: Session) -> list[Brand]:
    return list(session.exec(select(Brand).order_by(col(Brand.name))))
