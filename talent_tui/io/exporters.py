"""Export every import kind in the exact shape its importer reads.

Export, import into an empty database, export again: the files are identical. Rows come out in
a stable order (natural keys), amounts as exact decimal strings in the currency's own units.

CSV text cells are spreadsheet-safe (`talent_tui.core.cells`): a name such as ``=1+1`` is
written ``'=1+1`` and the importer reads it back as ``=1+1``. Numbers, and the columns that
hold amounts and percentages, are written as they are. JSON is written as stored.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from talent_tui.core.cells import neutralise
from talent_tui.core.money import to_major
from talent_tui.io import importers
from talent_tui.services import deals
from talent_tui.store.models import (
    AudienceSegment,
    Brand,
    BrandTarget,
    Campaign,
    Creator,
    MetricSnapshot,
    Rate,
)

KINDS = importers.KINDS
FORMATS = ("csv", "json")
# Columns written as text that hold numbers (exact decimals): never quoted in a CSV.
NUMERIC_TEXT_COLUMNS = frozenset({"amount", "fee", "commission_pct"})


def _day(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _amount(amount_minor: int, currency: str) -> str:
    return str(to_major(amount_minor, currency))


def _handles(session: Session) -> dict[int, str]:
    return dict(session.execute(sa.select(Creator.id, Creator.tiktok_handle)).all())


def _creators(session: Session) -> Iterator[dict[str, Any]]:
    for c in session.exec(select(Creator).order_by(col(Creator.tiktok_handle))):
        yield {
            "name": c.name,
            "tiktok_handle": c.tiktok_handle,
            "instagram_handle": c.instagram_handle,
            "youtube_handle": c.youtube_handle,
            "followers": c.followers,
            "engagement_rate": c.engagement_rate,
            "niche": c.niche,
            "tags": c.tags,
            "email": c.email,
            "phone": c.phone,
            "commission_pct": f"{c.commission_bp / 100:g}",
            "notes": c.notes,
            "archived_on": _day(c.archived_at.date() if c.archived_at else None),
        }


def _metrics(session: Session) -> Iterator[dict[str, Any]]:
    handles = _handles(session)
    rows = session.exec(select(MetricSnapshot))
    for m in sorted(rows, key=lambda m: (handles[m.creator_id], m.captured_on)):
        yield {
            "tiktok_handle": handles[m.creator_id],
            "captured_on": _day(m.captured_on),
            "followers": m.followers,
            "avg_views": m.avg_views,
            "six_sec_view_rate": m.six_sec_view_rate,
            "completion_rate": m.completion_rate,
            "engagement_rate": m.engagement_rate,
            "likes": m.likes,
            "comments": m.comments,
            "shares": m.shares,
            "videos_posted": m.videos_posted,
        }


def _demographics(session: Session) -> Iterator[dict[str, Any]]:
    handles = _handles(session)
    rows = session.exec(select(AudienceSegment))
    key = lambda s: (handles[s.creator_id], s.captured_on, s.dimension.value, s.bucket)  # noqa: E731
    for s in sorted(rows, key=key):
        yield {
            "tiktok_handle": handles[s.creator_id],
            "captured_on": _day(s.captured_on),
            "dimension": s.dimension.value,
            "bucket": s.bucket,
            "share": s.share,
        }


def _rates(session: Session) -> Iterator[dict[str, Any]]:
    handles = _handles(session)
    for r in sorted(
        session.exec(select(Rate)), key=lambda r: (handles[r.creator_id], r.deliverable)
    ):
        yield {
            "tiktok_handle": handles[r.creator_id],
            "deliverable": r.deliverable,
            "amount": _amount(r.amount_minor, r.currency),
            "currency": r.currency,
            "updated_on": _day(r.updated_at.date()),
        }


def _brands(session: Session, fmt: str) -> Iterator[dict[str, Any]]:
    targets: dict[int, list[BrandTarget]] = {}
    for t in session.exec(select(BrandTarget)):
        targets.setdefault(t.brand_id, []).append(t)
    for b in session.exec(select(Brand).order_by(col(Brand.name))):
        ordered = sorted(targets.get(b.id, []), key=lambda t: (t.dimension.value, t.bucket))
        if fmt == "json":
            target: Any = [
                {"dimension": t.dimension.value, "bucket": t.bucket, "share": t.share}
                for t in ordered
            ]
        else:
            target = importers.target_to_text(
                (t.dimension.value, t.bucket, t.share) for t in ordered
            )
        yield {
            "name": b.name,
            "contact_name": b.contact_name,
            "email": b.email,
            "website": b.website,
            "category": b.category,
            "notes": b.notes,
            "target": target,
            "archived_on": _day(b.archived_at.date() if b.archived_at else None),
        }


def _campaigns(session: Session) -> Iterator[dict[str, Any]]:
    handles = _handles(session)
    brands = dict(session.execute(sa.select(Brand.id, Brand.name)).all())
    campaigns = list(session.exec(select(Campaign)))
    # Ordered by the id written, so a campaign without an external id sits where it will
    # sit once re-imported (with that id).
    # A campaign made before talent gave every campaign an id is written with the id it
    # would get now (see deals.own_external_id), never one another campaign holds.
    taken = {c.external_id for c in campaigns if c.external_id}
    external = {}
    for c in campaigns:
        external[c.id] = c.external_id or deals.own_external_id(session, c.id, taken)
        taken.add(external[c.id])
    for c in sorted(campaigns, key=lambda c: (external[c.id], c.id)):
        yield {
            "external_id": external[c.id],
            "tiktok_handle": handles[c.creator_id],
            "brand": brands[c.brand_id],
            "name": c.name,
            "fee": _amount(c.fee_minor, c.currency),
            "currency": c.currency,
            "status": c.status.value,
            "offer_received_on": _day(c.offer_received_on),
            "respond_by": _day(c.respond_by),
            "start_on": _day(c.start_on),
            "end_on": _day(c.end_on),
            "notes": c.notes,
        }


def export_rows(session: Session, kind: str, fmt: str = "csv") -> list[dict[str, Any]]:
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r} (one of: {', '.join(KINDS)})")
    producers = {
        "creators": _creators,
        "metrics": _metrics,
        "demographics": _demographics,
        "rates": _rates,
        "campaigns": _campaigns,
    }
    rows = _brands(session, fmt) if kind == "brands" else producers[kind](session)
    return list(rows)


def _cell(value: Any, column: str) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str) and column not in NUMERIC_TEXT_COLUMNS:
        return neutralise(value)
    return str(value)


def render(kind: str, rows: list[dict[str, Any]], fmt: str) -> str:
    """The file text: CSV with the importer's header (always written, even with no rows),
    or a JSON list of objects."""
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
    if fmt != "csv":
        raise ValueError(f"unknown format {fmt!r} (csv or json)")
    buffer = io.StringIO(newline="")
    columns = list(importers.SPECS[kind].columns)
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(name), name) for name in columns])
    return buffer.getvalue()


def export_text(session: Session, kind: str, fmt: str = "csv") -> str:
    return render(kind, export_rows(session, kind, fmt), fmt)
