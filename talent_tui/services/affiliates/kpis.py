"""Who performs: KPIs per affiliate, per program and per period, aggregated in SQL.

For a period [start, end) (a month, a quarter or a custom range of days, in UTC):
- clicks: the sum of the period's click days;
- conversions: conversions that occurred in the period and are not reversed;
- conversion rate: conversions ÷ clicks (a fraction; None without clicks);
- revenue: Σ (amount − refund) over those conversions, in the program's currency;
- AOV: revenue ÷ conversions;
- commission at the base rate: Σ per conversion of (amount − refund) × rate, each conversion
  rounded half up to the minor unit before summing (the statement of issue 16 replaces it);
- EPC: commission ÷ clicks;
- CTR: clicks ÷ impressions, over the click days whose impressions are known (a platform that
  gives them for some days only does not make the rate look better); None without any.
AOV and EPC are rounded half up to the minor unit. Trend: the same figures for the previous
period of the same kind (the month or quarter before; a custom range: the same number of days
just before it).

Each view is one SQL statement: the period and the previous one are read together (they are
contiguous, [previous.start, end)) through the (program, time) indexes, and split with CASE
sums, so a program with a million conversions is aggregated in the database, never in Python.
A money or click sum past 2**63 is read again in two halves (`halves`, see WIDE), exactly.
"""

from __future__ import annotations

import re
from collections.abc import Callable
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


# Sums past 64 bits. A sum of 64-bit integers can overflow: 10,000 orders of 10 trillion
# dollars (core.money.MAX_MINOR each) add up past 2**63, where SQLite's SUM fails with
# "integer overflow" (PostgreSQL's sum of a bigint is a numeric, which does not). Then the
# statement is read again with each money and click sum in two halves: the sum of the
# value's high part (value // 2**32) and of its low part (value % 2**32), each of which stays
# far below 2**63 for any number of rows a database holds (the high part of a value ≤ 10**15
# is under 2**18, the low part under 2**32); Python, whose integers have no limit, puts them
# together exactly: high × 2**32 + low. Every summed value is a whole number ≥ 0. Only on
# overflow: the halves cost a third more time (a program of 200,000 orders: 0.13 s, not 0.09).
WIDE = 1 << 32


def halves(value: Any, wide: bool) -> tuple[Any, Any]:  # noqa: ANN401 - SQL expressions
    """`value`'s sum as two SQL expressions that `joined` puts together: its high and low
    halves' sums when `wide` (see WIDE), else 0 and the plain sum."""
    if not wide:
        return sa.literal(0), sa.func.sum(value)
    size = sa.literal(WIDE, sa.BigInteger())  # PostgreSQL: a bigint, not an integer
    return sa.func.sum(value // size), sa.func.sum(value % size)


def joined(high: Any, low: Any) -> int:  # noqa: ANN401 - what the driver gives
    """A sum's two halves (`halves`; None for no rows) as one exact integer."""
    return int(high or 0) * WIDE + int(low or 0)


def overflowed(exc: sa.exc.DBAPIError) -> bool:
    """SQLite's SUM past 2**63."""
    return "integer overflow" in str(exc.orig)


def read_wide(session: Session, build: Callable[[bool], Any]) -> Any:  # noqa: ANN401
    """The rows of `build(False)`, or of `build(True)` (sums in halves) when a sum of the
    first overflows."""
    try:
        return session.execute(build(False)).all()
    except sa.exc.OperationalError as exc:
        if not overflowed(exc):
            raise
    return session.execute(build(True)).all()


def commission_sql(net: Any, rate_bp: int) -> Any:  # noqa: ANN401 - SQL expressions
    """`commission_at` in SQL without a product over 2**63 (10**15 × 10,000 is over it):
    with net = q × 10,000 + r, (net × rate + 5,000) // 10,000 = q × rate + (r × rate + 5,000)
    // 10,000, exactly, for net ≥ 0."""
    return (net // BP) * rate_bp + ((net % BP) * rate_bp + BP // 2) // BP


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
        return _range(self.start - timedelta(days=days), self.start - timedelta(days=1))

    def next(self) -> Period:
        """The period after this one, of the same kind (a range: as many days, just after)."""
        if self.kind == "month":
            return month_period(_shift_month(self.start, 1))
        if self.kind == "quarter":
            return quarter_of(_shift_month(self.start, 3))
        days = (self.end - self.start).days
        return _range(self.end, self.end + timedelta(days=days - 1))

    def step(self, steps: int) -> Period:
        """`steps` periods later (earlier when negative); AffiliateError past the calendar's
        ends (year 1 or 9999), never an OverflowError."""
        period = self
        try:
            for _ in range(abs(steps)):
                period = period.next() if steps > 0 else period.previous()
            period.previous()  # its trend must be computable too
        except (OverflowError, ValueError):
            raise AffiliateError("no period beyond the calendar's ends", "period") from None
        return period

    def bounds(self) -> tuple[datetime, datetime]:
        return (
            datetime.combine(self.start, time(), tzinfo=UTC),
            datetime.combine(self.end, time(), tzinfo=UTC),
        )


def _shift_month(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _range(first: date, last: date) -> Period:
    return Period(
        first, last + timedelta(days=1), "range", f"{first.isoformat()}..{last.isoformat()}"
    )


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
    return _within_calendar(lambda: month_period(date(int(match[1]), int(match[2]), 1)), "month")


def parse_quarter(text: str) -> Period:
    match = re.fullmatch(r"(\d{4})-?[Qq]([1-4])", text.strip())
    if not match or int(match[1]) < 1:
        raise AffiliateError(f"quarter: expected YYYY-Qn (2026-Q4), not {text!r}", "quarter")
    first = date(int(match[1]), (int(match[2]) - 1) * 3 + 1, 1)
    return _within_calendar(lambda: quarter_of(first), "quarter")


def _within_calendar(make: Callable[[], Period], name: str) -> Period:
    """The period `make` builds, refused (naming `name`) when it or the period before it
    (its trend) falls outside years 1–9999."""
    try:
        period = make()
        period.previous()
    except (OverflowError, ValueError):
        raise AffiliateError(f"{name}: outside the calendar (years 1 to 9999)", name) from None
    return period


def parse_range(start: str, end: str) -> Period:
    """Days `start` to `end`, both included. A refusal names the field at fault (`from` or
    `to`): a date that is not YYYY-MM-DD or does not exist, an end before the start, or a
    range whose previous range (the trend) would fall before year 1."""
    days = []
    for text, name in ((start, "from"), (end, "to")):
        try:
            days.append(parse_iso_date(text))
        except ValueError as exc:
            raise AffiliateError(f"{name}: {exc}", name) from None
    first, last = days
    if last < first:
        raise AffiliateError(f"to: {last} is before {first}", "to")
    try:
        period = _range(first, last)
        period.previous()
    except (OverflowError, ValueError):
        # The range ends on the calendar's last day (its end is the day after), or the range
        # before it, the trend's, would start before year 1.
        name = "to" if last == date.max else "from"
        where = (
            "too late: it must end before 9999-12-31"
            if name == "to"
            else ("too early for a trend (the range before it starts before year 1)")
        )
        raise AffiliateError(f"{name}: {where}", name) from None
    return period


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
    impressions: int = 0  # on the click days that give them
    seen_clicks: int = 0  # the clicks of those days

    @property
    def ctr(self) -> float | None:
        """Clicks ÷ impressions, over the click days whose impressions are known."""
        return self.seen_clicks / self.impressions if self.impressions else None

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
            "impressions": self.impressions,
            "ctr": self.ctr,
        }


@dataclass(frozen=True)
class ProgramKpis:
    program_id: int
    currency: str
    period: Period
    previous_period: Period
    total: Kpi
    rows: list[Kpi]


def _clicks(
    program_id: int, period: Period, before: Period, affiliate_id: int | None, wide: bool
) -> Any:  # noqa: ANN401
    """Clicks per affiliate in `period` and in `before` (just before it), one range read."""
    day = col(ClickDay.day)
    now = day >= period.start
    conditions = [
        col(ClickDay.program_id) == program_id,
        day >= before.start,
        day < period.end,
    ]
    if affiliate_id is not None:  # one affiliate: read through its own index
        conditions = [
            col(ClickDay.affiliate_id) == affiliate_id,
            day >= before.start,
            day < period.end,
        ]
    clicks = col(ClickDay.clicks)
    high, low = halves(sa.case((now, clicks), else_=0), wide)
    high_before, low_before = halves(sa.case((now, 0), else_=clicks), wide)
    seen = sa.and_(now, col(ClickDay.impressions).is_not(None))
    shown_hi, shown_lo = halves(sa.case((seen, col(ClickDay.impressions)), else_=0), wide)
    seen_hi, seen_lo = halves(sa.case((seen, clicks), else_=0), wide)
    return (
        sa.select(
            col(ClickDay.affiliate_id).label("affiliate_id"),
            high.label("clicks_hi"),
            low.label("clicks_lo"),
            high_before.label("clicks_before_hi"),
            low_before.label("clicks_before_lo"),
            shown_hi.label("impressions_hi"),
            shown_lo.label("impressions_lo"),
            seen_hi.label("seen_clicks_hi"),
            seen_lo.label("seen_clicks_lo"),
        )
        .where(*conditions)
        .group_by(col(ClickDay.affiliate_id))
        .subquery()
    )


def _conversions(
    program_id: int,
    rate_bp: int,
    period: Period,
    before: Period,
    affiliate_id: int | None,
    wide: bool,
) -> Any:  # noqa: ANN401
    """Conversions, revenue and commission per affiliate in `period` and in `before`."""
    start, end = period.bounds()
    first, _ = before.bounds()
    at = col(Conversion.occurred_at)
    now = at >= start
    net = col(Conversion.amount_minor) - col(Conversion.refund_minor)
    # Integer arithmetic in the database: per conversion (net × rate + 5000) // 10000.
    commission = commission_sql(net, rate_bp)
    owner = (
        col(Conversion.program_id) == program_id
        if affiliate_id is None
        else col(Conversion.affiliate_id) == affiliate_id
    )
    conditions = [
        owner,
        at >= first,
        at < end,
        col(Conversion.status) != ConversionStatus.REVERSED,
    ]

    def split(value: Any) -> tuple[Any, Any]:  # noqa: ANN401
        return sa.case((now, value), else_=0), sa.case((now, 0), else_=value)

    count, count_before = (sa.func.sum(v) for v in split(1))
    sums = []
    for name, value in (("revenue", net), ("commission", commission)):
        for suffix, part in zip(("", "_before"), split(value), strict=True):
            high, low = halves(part, wide)
            sums.extend([high.label(f"{name}{suffix}_hi"), low.label(f"{name}{suffix}_lo")])
    return (
        sa.select(
            col(Conversion.affiliate_id).label("affiliate_id"),
            count.label("conversions"),
            count_before.label("conversions_before"),
            *sums,
        )
        .where(*conditions)
        .group_by(col(Conversion.affiliate_id))
        .subquery()
    )


def kpi_query(
    program: Program,
    period: Period,
    affiliate_id: int | None = None,
    manager_id: int | None = None,
    unassigned: bool = False,
    wide: bool = False,
) -> sa.Select[Any]:
    """The one statement behind a KPI view: per affiliate of the program, its clicks,
    conversions, revenue and commission in the period and in the previous one. Team mode:
    with `manager_id`, only that manager's affiliates (with `unassigned`, and nobody's); the
    filter is on the affiliates table (ix_affiliates_manager_id), so the sums still read the
    covering indexes on conversions and click days. `wide`: the sums in halves (WIDE)."""
    assert program.id is not None
    before = period.previous()
    clicks = _clicks(program.id, period, before, affiliate_id, wide)
    conv = _conversions(program.id, program.rate_bp, period, before, affiliate_id, wide)
    zero = sa.func.coalesce

    def pair(table: Any, name: str) -> tuple[Any, Any]:  # noqa: ANN401
        return table.c[f"{name}_hi"], table.c[f"{name}_lo"]

    # The columns `program_kpis` reads: id, handle, stage, then for the period and the one
    # before, clicks (2 halves), conversions, revenue (2 halves), commission (2 halves); then
    # the period's impressions and the clicks of the days that give them (2 halves each).
    query = (
        sa.select(
            col(Affiliate.id),
            col(Affiliate.handle),
            col(Affiliate.stage),
            *pair(clicks, "clicks"),
            zero(conv.c.conversions, 0),
            *pair(conv, "revenue"),
            *pair(conv, "commission"),
            *pair(clicks, "clicks_before"),
            zero(conv.c.conversions_before, 0),
            *pair(conv, "revenue_before"),
            *pair(conv, "commission_before"),
            *pair(clicks, "impressions"),
            *pair(clicks, "seen_clicks"),
        )
        .outerjoin(clicks, clicks.c.affiliate_id == col(Affiliate.id))
        .outerjoin(conv, conv.c.affiliate_id == col(Affiliate.id))
        .where(col(Affiliate.program_id) == program.id)
    )
    if affiliate_id is not None:
        query = query.where(col(Affiliate.id) == affiliate_id)
    if manager_id is not None:
        query = query.where(owner_clause(manager_id, unassigned))
    return query


def _figures(values: Any) -> tuple[int, int, int, int]:  # noqa: ANN401 - a row's slice
    """Clicks, conversions, revenue and commission from a `kpi_query` row's 7 columns."""
    c_hi, c_lo, count, r_hi, r_lo, p_hi, p_lo = values
    return joined(c_hi, c_lo), int(count), joined(r_hi, r_lo), joined(p_hi, p_lo)


def owner_clause(manager_id: int, unassigned: bool) -> Any:  # noqa: ANN401 - a SQL condition
    """Team mode: the affiliate is the manager's (or, with `unassigned`, nobody's)."""
    owner = col(Affiliate.manager_id) == manager_id
    return sa.or_(owner, col(Affiliate.manager_id).is_(None)) if unassigned else owner


def program_kpis(
    session: Session,
    program: Program,
    period: Period,
    *,
    affiliate_id: int | None = None,
    limit: int | None = None,
    offset: int = 0,
    manager_id: int | None = None,
    unassigned: bool = False,
) -> ProgramKpis:
    """Each affiliate's KPIs for the period (best revenue first; `limit`/`offset` page them),
    the program's totals, and the same for the previous period (the trend): one statement.
    Team mode: `manager_id`/`unassigned` keep that manager's affiliates (kpi_query), and the
    totals are theirs."""
    assert program.id is not None
    previous_period = period.previous()
    cur = program.currency
    rows: list[Kpi] = []
    found = read_wide(
        session,
        lambda wide: kpi_query(program, period, affiliate_id, manager_id, unassigned, wide),
    )
    for row in found:
        a_id, handle, stage = row[0], row[1], row[2]
        clicks, conversions, revenue, commission = _figures(row[3:10])
        b_clicks, b_conversions, b_revenue, b_commission = _figures(row[10:17])
        impressions, seen_clicks = joined(row[17], row[18]), joined(row[19], row[20])
        previous = Kpi(
            a_id, handle, stage.value, b_clicks, b_conversions, b_revenue, b_commission, cur
        )
        rows.append(
            Kpi(
                a_id,
                handle,
                stage.value,
                clicks,
                conversions,
                revenue,
                commission,
                cur,
                previous.revenue_minor,
                previous,
                impressions,
                seen_clicks,
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
            cur,
            impressions=sum(k.impressions for k in items),
            seen_clicks=sum(k.seen_clicks for k in items),
        )

    now = total(rows)
    prev_total = total([k.previous for k in rows if k.previous is not None])
    now = replace(now, previous_revenue_minor=prev_total.revenue_minor, previous=prev_total)
    page = rows[offset:] if limit is None else rows[offset : offset + limit]
    return ProgramKpis(program.id, cur, period, previous_period, now, page)


def revenue_series(
    session: Session, program: Program, periods: list[Period], affiliate_id: int
) -> list[int]:
    """One affiliate's revenue in each of `periods` (contiguous, oldest first): one
    statement over its (affiliate, time) index, for the affiliate page's chart."""
    if not periods:
        return []
    at = col(Conversion.occurred_at)
    net = col(Conversion.amount_minor) - col(Conversion.refund_minor)
    first, _ = periods[0].bounds()
    _, last = periods[-1].bounds()

    def build(wide: bool) -> Any:  # noqa: ANN401
        sums: list[Any] = []
        for period in periods:
            start, end = period.bounds()
            sums.extend(halves(sa.case((sa.and_(at >= start, at < end), net), else_=0), wide))
        # By the affiliate alone (it belongs to one program): a program condition would
        # tempt the planner onto the (program, time) index, a scan of the whole program.
        return sa.select(*sums).where(
            col(Conversion.affiliate_id) == affiliate_id,
            at >= first,
            at < last,
            col(Conversion.status) != ConversionStatus.REVERSED,
        )

    [row] = read_wide(session, build)
    return [joined(row[i], row[i + 1]) for i in range(0, len(row), 2)]


def trend(now: int, before: int | None) -> float | None:
    """The change from the previous period as a fraction (0.25 = +25 %); None without one."""
    if before is None or before == 0:
        return None
    return (now - before) / before


def order_count(session: Session, affiliate_id: int) -> int:
    """How many conversions (of any status) an affiliate has: a count over its index."""
    query = sa.select(sa.func.count()).where(col(Conversion.affiliate_id) == affiliate_id)
    return int(session.execute(query).one()[0])


@dataclass(frozen=True)
class OrderRow:
    order_id: str
    occurred_at: datetime
    amount_minor: int
    refund_minor: int
    currency: str
    status: str
    source: str | None


def order_page(session: Session, affiliate_id: int, *, limit: int, offset: int) -> list[OrderRow]:
    """One page of an affiliate's conversions, newest first. The page's ids are found in the
    (affiliate, time) index alone — skipping `offset` entries there costs no table read — and
    only those rows are read, so the 500th page is as quick as the first."""
    at, key = col(Conversion.occurred_at), col(Conversion.id)
    ids = (
        sa.select(key)
        .where(col(Conversion.affiliate_id) == affiliate_id)
        .order_by(at.desc(), key.desc())
        .limit(limit)
        .offset(offset)
        .scalar_subquery()
    )
    query = (
        sa.select(
            col(Conversion.order_id),
            at,
            col(Conversion.amount_minor),
            col(Conversion.refund_minor),
            col(Conversion.currency),
            col(Conversion.status),
            col(Conversion.source),
        )
        .where(key.in_(ids))
        .order_by(at.desc(), key.desc())
    )
    return [
        OrderRow(order, when, amount, refund, cur, status.value, source)
        for order, when, amount, refund, cur, status, source in session.execute(query)
    ]
