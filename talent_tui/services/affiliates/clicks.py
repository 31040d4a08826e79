"""Click days as stored: one row per day per tracking link (or per affiliate when the platform
gave no link), with impressions when known. Read page by page (never the whole table), for
the affiliate page, `talent clicks list` and `talent export clicks`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from talent_tui.store.models import Affiliate, ClickDay, Program, TrackingLink

CHUNK = 5_000


@dataclass(frozen=True)
class ClickFilter:
    """Which click days: of a program, of one affiliate (an id) or of every membership of a
    handle, from a day to a day (both included)."""

    program_id: int | None = None
    affiliate_id: int | None = None
    handle: str | None = None
    start: date | None = None
    end: date | None = None


@dataclass(frozen=True)
class ClickRow:
    program: str
    affiliate: str
    day: date
    link_code: str | None
    clicks: int
    impressions: int | None

    def as_dict(self) -> dict[str, object]:
        """The shape `talent clicks list --json` prints."""
        return {
            "program": self.program,
            "affiliate": self.affiliate,
            "date": self.day.isoformat(),
            "link_code": self.link_code,
            "clicks": self.clicks,
            "impressions": self.impressions,
        }


def _query(where: ClickFilter, newest_first: bool) -> Any:  # noqa: ANN401
    query = (
        sa.select(
            col(Program.name),
            col(Affiliate.handle),
            col(ClickDay.day),
            col(TrackingLink.code),
            col(ClickDay.clicks),
            col(ClickDay.impressions),
        )
        .select_from(ClickDay)
        .join(Affiliate, col(Affiliate.id) == col(ClickDay.affiliate_id))
        .join(Program, col(Program.id) == col(ClickDay.program_id))
        .outerjoin(TrackingLink, col(TrackingLink.id) == col(ClickDay.link_id))
    )
    query = query.where(*_conditions(where))
    if where.handle is not None:
        query = query.where(col(Affiliate.handle) == where.handle)
    if newest_first:  # the affiliate page: through its (affiliate, day) index
        return query.order_by(col(ClickDay.day).desc(), col(ClickDay.id).desc())
    return query.order_by(
        col(Program.name), col(ClickDay.day), col(Affiliate.handle), col(TrackingLink.code)
    )


def _row(row: Any) -> ClickRow:  # noqa: ANN401
    program, handle, day, code, clicks, impressions = row
    return ClickRow(program, handle, day, code, int(clicks), impressions)


def page(
    session: Session,
    where: ClickFilter,
    *,
    limit: int = 100,
    offset: int = 0,
    newest_first: bool = False,
) -> list[ClickRow]:
    """One page of click days (by program, day, handle and link; newest day first for one
    affiliate's page)."""
    query = _query(where, newest_first).limit(limit).offset(offset)
    return [_row(row) for row in session.execute(query)]


def count(session: Session, where: ClickFilter) -> int:
    """How many click days match (a count over the index, no rows read)."""
    inner = _query(where, newest_first=False).order_by(None).with_only_columns(col(ClickDay.id))
    if where.handle is None:  # no join needed to count
        inner = sa.select(col(ClickDay.id)).where(*_conditions(where))
    return int(session.execute(sa.select(sa.func.count()).select_from(inner.subquery())).one()[0])


def _conditions(where: ClickFilter) -> list[Any]:
    conditions: list[Any] = []
    if where.affiliate_id is not None:
        # The affiliate alone (it is in one program): with a program condition too, the
        # planner may walk the program's (program, day) index instead of the affiliate's.
        conditions.append(col(ClickDay.affiliate_id) == where.affiliate_id)
    elif where.program_id is not None:
        conditions.append(col(ClickDay.program_id) == where.program_id)
    if where.start is not None:
        conditions.append(col(ClickDay.day) >= where.start)
    if where.end is not None:
        conditions.append(col(ClickDay.day) <= where.end)
    return conditions


def stream(session: Session, where: ClickFilter) -> Iterator[ClickRow]:
    """Every matching click day, read in chunks (for exports)."""
    query = _query(where, newest_first=False).execution_options(yield_per=CHUNK)
    for row in session.execute(query):
        yield _row(row)
