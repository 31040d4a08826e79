"""Export affiliates, conversions and click days (`talent export affiliates|conversions|clicks`).

Conversions come out in the columns `talent import conversions` reads (with a `program`
column, which the importer checks against `--program`), so export → import of a program's
file changes nothing. Rows are read from the database in chunks (`yield_per`), never whole.
CSV text cells are spreadsheet-safe (core.cells), amounts are exact decimals in the
currency's own units; customer e-mails are never exported (only their hash is stored).

Click days come out as `talent import clicks` reads them (date, affiliate, link_code, clicks,
impressions: the affiliate's handle and, when the day is a link's, its code too), after a
`program` column naming the program.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from talent_tui.core.cells import neutralise
from talent_tui.core.money import to_major
from talent_tui.store.models import (
    Affiliate,
    Conversion,
    Creator,
    Program,
    PromoCode,
    TrackingLink,
)

KINDS = ("affiliates", "conversions", "clicks")
CHUNK = 5_000
COLUMNS = {
    "affiliates": (
        "program",
        "handle",
        "name",
        "email",
        "site",
        "stage",
        "stage_since",
        "roster_creator",
        "notes",
    ),
    "conversions": (
        "program",
        "order_id",
        "affiliate",
        "link_code",
        "promo_code",
        "occurred_at",
        "amount",
        "refund",
        "status",
        "source",
    ),
    "clicks": ("program", "date", "affiliate", "link_code", "clicks", "impressions"),
}
NUMERIC = frozenset({"amount", "refund", "clicks", "impressions"})


def _affiliates(session: Session) -> Iterator[dict[str, Any]]:
    query = (
        sa.select(Affiliate, col(Program.name), col(Creator.tiktok_handle))
        .join(Program, col(Program.id) == col(Affiliate.program_id))
        .outerjoin(Creator, col(Creator.id) == col(Affiliate.creator_id))
        .order_by(col(Program.name), col(Affiliate.handle))
        .execution_options(yield_per=CHUNK)
    )
    for affiliate, program, creator in session.execute(query):
        yield {
            "program": program,
            "handle": affiliate.handle,
            "name": affiliate.name,
            "email": affiliate.email,
            "site": affiliate.site,
            "stage": affiliate.stage.value,
            "stage_since": affiliate.stage_since.isoformat(),
            "roster_creator": creator,
            "notes": affiliate.notes,
        }


def _conversions(session: Session, program_id: int | None) -> Iterator[dict[str, Any]]:
    query = (
        sa.select(
            col(Program.name),
            col(Conversion.order_id),
            col(Affiliate.handle),
            col(TrackingLink.code),
            col(PromoCode.code),
            col(Conversion.occurred_at),
            col(Conversion.amount_minor),
            col(Conversion.refund_minor),
            col(Conversion.currency),
            col(Conversion.status),
            col(Conversion.source),
        )
        .join(Program, col(Program.id) == col(Conversion.program_id))
        .join(Affiliate, col(Affiliate.id) == col(Conversion.affiliate_id))
        .outerjoin(TrackingLink, col(TrackingLink.id) == col(Conversion.link_id))
        .outerjoin(PromoCode, col(PromoCode.id) == col(Conversion.promo_code_id))
        .order_by(col(Program.name), col(Conversion.occurred_at), col(Conversion.order_id))
        .execution_options(yield_per=CHUNK)
    )
    if program_id is not None:
        query = query.where(col(Conversion.program_id) == program_id)
    for row in session.execute(query):
        program, order, handle, link, promo, at, amount, refund, currency, status, source = row
        yield {
            "program": program,
            "order_id": order,
            # Always the affiliate, so the file says whose each order is; the link or code it
            # came through besides (the importer checks that they agree).
            "affiliate": handle,
            "link_code": link,
            "promo_code": promo,
            "occurred_at": at.isoformat(),
            "amount": str(to_major(amount, currency)),
            "refund": str(to_major(refund, currency)),
            "status": status.value,
            "source": source,
        }


def _clicks(session: Session, program_id: int | None) -> Iterator[dict[str, Any]]:
    from talent_tui.services.affiliates import clicks

    for row in clicks.stream(session, clicks.ClickFilter(program_id=program_id)):
        yield {
            "program": row.program,
            "date": row.day.isoformat(),
            "affiliate": row.affiliate,
            "link_code": row.link_code,
            "clicks": row.clicks,
            "impressions": row.impressions,
        }


def rows(session: Session, kind: str, program_id: int | None = None) -> Iterator[dict[str, Any]]:
    if kind == "affiliates":
        return _affiliates(session)
    if kind == "conversions":
        return _conversions(session, program_id)
    if kind == "clicks":
        return _clicks(session, program_id)
    raise ValueError(f"unknown kind {kind!r} (one of: {', '.join(KINDS)})")


def _cell(value: Any, column: str) -> str:
    if value is None:
        return ""
    if isinstance(value, str) and column not in NUMERIC:
        return neutralise(value)
    return str(value)


def render(kind: str, items: Iterator[dict[str, Any]], fmt: str) -> tuple[str, int]:
    """The file's text and its number of rows: CSV with the header always written, or a JSON
    list of objects."""
    if fmt == "json":
        listed = list(items)
        return json.dumps(listed, ensure_ascii=False, indent=2) + "\n", len(listed)
    if fmt != "csv":
        raise ValueError(f"unknown format {fmt!r} (csv or json)")
    buffer = io.StringIO(newline="")
    columns = COLUMNS[kind]
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    count = 0
    for item in items:
        writer.writerow([_cell(item.get(name), name) for name in columns])
        count += 1
    return buffer.getvalue(), count
