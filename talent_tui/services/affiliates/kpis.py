"""Who performs: KPIs per affiliate, per program and per period, aggregated in SQL.

For a period [start, end) (a month, a quarter or a custom range of days, in UTC):
- clicks: the sum of the period's click days;
- conversions: conversions that occurred in the period and are not reversed;
- conversion rate: conversions ÷ clicks (a fraction; None without clicks);
- revenue: Σ (amount − refund) over those conversions, in the program's currency;
- AOV: revenue ÷ conversions;
- commission at the base rate: Σ per conversion of (amount − refund) × rate, each conversion
  rounded half up to the minor unit before summing (the statement of issue 16 replaces it);
- EPC: commission ÷ clicks.
AOV and EPC are rounded half up to the minor unit. Trend: the same figures for the previous
period of the same kind (the month or quarter before; a custom range: the same number of days
just before it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from talent_tui.core.dates import parse_iso_date
from talent_tui.services.affiliates.errors import AffiliateError
from talent_tui.store.models import Affiliate, ClickDay, Conversion, ConversionStatus, Program

BP = 10_000


def half_up(numerator: int, denominator: int) -> int:
    """numerator ÷ denominator rounded half up (both ≥ 0, denominator > 0)."""
    return (2 * numerator + denominator) // (2 * denominator)


def commission_at(net_minor: int, rate_bp: int) -> int:
    """One conversion's commission at a rate: net × rate, rounded half up to the minor unit.
    The same rule as the SQL in `_conversions`."""
    return (net_minor * rate_bp + BP // 2) // BP


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # exclusive
    kind: str  # month | quarter | range
    label: str

    def previous(self) -> Period:
        if self.kind == "month":
            return month_period(_shift_month(self.start, -1))
        if self.kind == "quarter":
            return quarter_of(_shift_month(self.start, -3))
        days = (self.end - self.start).days
        start = self.start - timedelta(days=days)
        last = self.start - timedelta(days=1)
        return Period(start, self.start, "range", f"{start.isoformat()}..{last.isoformat()}")

    def bounds(self) -> tuple[datetime, datetime]:
        return (
            datetime.combine(self.start, time(), tzinfo=UTC),
            datetime.combine(self.end, time(), tzinfo=UTC),
        )


def _shift_month(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_period(first: date) -> Period:
    first = first.replace(day=1)
    return Period(first, _shift_month(first, 1), "month", f"{first:%Y-%m}")


def quarter_of(day: date) -> Period:
    quarter = (day.month - 1) // 3
    first = date(day.year, quarter * 3 + 1, 1)
    return Period(first, _shift_month(first, 3), "quarter", f"{first.year}-Q{quarter + 1}")


def parse_month(text: str) -> Period:
    match = re.fullmatch(r"(\d{4})-(\d{1,2})", text.strip())
    if not match or not 1 <= int(match[2]) <= 12 or int(match[1]) < 1:
        raise AffiliateError(f"month: expected YYYY-MM, not {text!r}", "month")
    return month_period(date(int(match[1]), int(match[2]), 1))


def parse_quarter(text: str) -> Period:
    match = re.fullmatch(r"(\d{4})-?[Qq]([1-4])", text.strip())
    if not match or int(match[1]) < 1:
        raise AffiliateError(f"quarter: expected YYYY-Qn (2026-Q4), not {text!r}", "quarter")
    return quarter_of(date(int(match[1]), (int(match[2]) - 1) * 3 + 1, 1))


def parse_range(start: str, end: str) -> Period:
    """Days `start` to `end`, both included."""
    try:
        first, last = parse_iso_date(start), parse_iso_date(end)
    except ValueError as exc:
        raise AffiliateError(f"range: {exc}", "from") from None
    if last < first:
        raise AffiliateError(f"range: {last} is before {first}", "to")
    return Period(
        first, last + timedelta(days=1), "range", f"{first.isoformat()}..{last.isoformat()}"
    )


def choose_period(
    today: date,
    month: str | None = None,
    quarter: str | None = None,
    start: str | None = None,
    end: str | None = None,
) -> Period:
    """The period a caller named (one of month, quarter, or a from–to range); the current
    month by default."""
    chosen = [x for x in (month, quarter, start or end) if x]
    if len(chosen) > 1:
        raise AffiliateError("give one period: a month, a quarter, or --from and --to", "period")
    if month:
        return parse_month(month)
    if quarter:
        return parse_quarter(quarter)
    if start or end:
        if not (start and end):
            raise AffiliateError("a range needs both --from and --to", "period")
        return parse_range(start, end)
    return month_period(today)


@dataclass(frozen=True)
class Kpi:
    affiliate_id: int | None  # None: the whole program
    handle: str | None
    stage: str | None
    clicks: int
    conversions: int
    revenue_minor: int
    commission_minor: int
    currency: str
    previous_revenue_minor: int | None = None
    previous: Kpi | None = field(default=None, compare=False)

    @property
    def conversion_rate(self) -> float | None:
        return self.conversions / self.clicks if self.clicks else None

    @property
    def aov_minor(self) -> int | None:
        return half_up(self.revenue_minor, self.conversions) if self.conversions else None

    @property
    def epc_minor(self) -> int | None:
        return half_up(self.commission_minor, self.clicks) if self.clicks else None

    def as_dict(self) -> dict[str, object]:
        """The shape `talent affiliates kpis --json` prints for each affiliate."""
        return {
            "affiliate": self.handle,
            "clicks": self.clicks,
            "conversions": self.conversions,
            "conversion_rate": self.conversion_rate,
            "revenue_minor": self.revenue_minor,
            "currency": self.currency,
            "aov_minor": self.aov_minor,
            "commission_minor": self.commission_minor,
            "epc_minor": self.epc_minor,
        }


@dataclass(frozen=True)
class ProgramKpis:
    program_id: int
    currency: str
    period: Period
    previous_period: Period
    total: Kpi
    rows: list[Kpi]


def _clicks(program_id: int, period: Period, affiliate_id: int | None) -> sa.Subquery:
    conditions = [
        col(ClickDay.program_id) == program_id,
        col(ClickDay.day) >= period.start,
        col(ClickDay.day) < period.end,
    ]
    if affiliate_id is not None:  # one affiliate: read through its own index
        conditions.append(col(ClickDay.affiliate_id) == affiliate_id)
    return (
        sa.select(
            col(ClickDay.affiliate_id).label("affiliate_id"),
            sa.func.sum(col(ClickDay.clicks)).label("clicks"),
        )
        .where(*conditions)
        .group_by(col(ClickDay.affiliate_id))
        .subquery()
    )


def _conversions(
    program_id: int, rate_bp: int, period: Period, affiliate_id: int | None
) -> sa.Subquery:
    start, end = period.bounds()
    net = col(Conversion.amount_minor) - col(Conversion.refund_minor)
    # Integer arithmetic in the database: per conversion (net × rate + 5000) // 10000.
    commission = (net * rate_bp + BP // 2) // BP
    conditions = [
        col(Conversion.program_id) == program_id,
        col(Conversion.status) != ConversionStatus.REVERSED,
        col(Conversion.occurred_at) >= start,
        col(Conversion.occurred_at) < end,
    ]
    if affiliate_id is not None:
        conditions.append(col(Conversion.affiliate_id) == affiliate_id)
    return (
        sa.select(
            col(Conversion.affiliate_id).label("affiliate_id"),
            sa.func.count().label("conversions"),
            sa.func.sum(net).label("revenue"),
            sa.func.sum(commission).label("commission"),
        )
        .where(*conditions)
        .group_by(col(Conversion.affiliate_id))
        .subquery()
    )


def _rows(
    session: Session, program: Program, period: Period, affiliate_id: int | None
) -> list[tuple[Any, ...]]:
    assert program.id is not None
    clicks = _clicks(program.id, period, affiliate_id)
    conv = _conversions(program.id, program.rate_bp, period, affiliate_id)
    query = (
        sa.select(
            col(Affiliate.id),
            col(Affiliate.handle),
            col(Affiliate.stage),
            sa.func.coalesce(clicks.c.clicks, 0),
            sa.func.coalesce(conv.c.conversions, 0),
            sa.func.coalesce(conv.c.revenue, 0),
            sa.func.coalesce(conv.c.commission, 0),
        )
        .outerjoin(clicks, clicks.c.affiliate_id == col(Affiliate.id))
        .outerjoin(conv, conv.c.affiliate_id == col(Affiliate.id))
        .where(col(Affiliate.program_id) == program.id)
    )
    if affiliate_id is not None:
        query = query.where(col(Affiliate.id) == affiliate_id)
    return [tuple(row) for row in session.execute(query)]


def program_kpis(
    session: Session,
    program: Program,
    period: Period,
    *,
    affiliate_id: int | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> ProgramKpis:
    """Each affiliate's KPIs for the period (best revenue first; `limit`/`offset` page them),
    the program's totals, and the same for the previous period (the trend)."""
    assert program.id is not None
    previous_period = period.previous()
    before = {row[0]: row for row in _rows(session, program, previous_period, affiliate_id)}
    rows: list[Kpi] = []
    for a_id, handle, stage, clicks, conversions, revenue, commission in _rows(
        session, program, period, affiliate_id
    ):
        prev = before.get(a_id)
        previous = None
        if prev is not None:
            previous = Kpi(
                a_id,
                handle,
                stage.value,
                int(prev[3]),
                int(prev[4]),
                int(prev[5]),
                int(prev[6]),
                program.currency,
            )
        rows.append(
            Kpi(
                a_id,
                handle,
                stage.value,
                int(clicks),
                int(conversions),
                int(revenue),
                int(commission),
                program.currency,
                previous.revenue_minor if previous is not None else None,
                previous,
            )
        )
    rows.sort(key=lambda k: (-k.revenue_minor, -k.clicks, k.handle or ""))

    def total(items: list[Kpi]) -> Kpi:
        return Kpi(
            None,
            None,
            None,
            sum(k.clicks for k in items),
            sum(k.conversions for k in items),
            sum(k.revenue_minor for k in items),
            sum(k.commission_minor for k in items),
            program.currency,
        )

    now = total(rows)
    prev_total = total([k.previous for k in rows if k.previous is not None])
    now = replace(now, previous_revenue_minor=prev_total.revenue_minor, previous=prev_total)
    page = rows[offset:] if limit is None else rows[offset : offset + limit]
    return ProgramKpis(program.id, program.currency, period, previous_period, now, page)


def trend(now: int, before: int | None) -> float | None:
    """The change from the previous period as a fraction (0.25 = +25 %); None without one."""
    if before is None or before == 0:
        return None
    return (now - before) / before
