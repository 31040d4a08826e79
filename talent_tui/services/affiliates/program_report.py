"""What an advertiser asks their affiliate manager for: a program's report for a period, and
the management report that adds pipeline movement and payout timeliness.

For a period (a month, a quarter, or a range of days, UTC):
- clicks, conversions (not reversed), revenue (Σ amount − refund), AOV: as the KPIs
  (services.affiliates.kpis);
- commission, bonuses and adjustments: from the statements of the period's months when they
  are built, else what the engine computes now for that month under the rules in force,
  counting its pending conversions as approved (as they will be at their lock date unless
  held; marked as an estimate); paid: Σ totals of the statements paid;
- cost of sale = (commission + bonuses + adjustments) ÷ revenue; ROI = (revenue − cost) ÷
  cost (None without revenue or cost); both as exact fractions, shown as percentages;
- top affiliates by revenue; held and rejected conversions that occurred in the period, with
  the rules and reasons that flagged them.
Management adds: stage moves in the period (per stage reached, and affiliates added), and
payout timeliness of statements due in the period: paid on time (on or before the due date),
paid late (with the days), still open and overdue, still open and not due yet.
Money stays per currency: a program has one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from fractions import Fraction
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from talent_tui.services.affiliates import commissions, kpis
from talent_tui.services.affiliates.commissions import month_label
from talent_tui.services.affiliates.errors import AffiliateError
from talent_tui.store.models import (
    Affiliate,
    Conversion,
    ConversionStatus,
    Program,
    ReviewFlag,
    ReviewHold,
    ReviewStatus,
    StageChange,
    Statement,
    StatementStatus,
)

TOP = 10


@dataclass(frozen=True)
class TopAffiliate:
    handle: str
    clicks: int
    conversions: int
    revenue_minor: int
    cost_minor: int


@dataclass(frozen=True)
class HeldItem:
    order_id: str
    affiliate: str
    occurred_at: datetime
    net_minor: int
    status: str  # held | reversed
    rules: str
    reasons: str


@dataclass(frozen=True)
class Timeliness:
    due: int = 0
    on_time: int = 0
    late: int = 0
    late_days: int = 0  # Σ days late of those paid late
    overdue: int = 0
    not_due: int = 0
    carried: int = 0


@dataclass
class ProgramReport:
    program: str
    advertiser: str
    currency: str
    period: kpis.Period
    today: date
    clicks: int
    conversions: int
    revenue_minor: int
    commission_minor: int
    bonus_minor: int
    adjustments_minor: int
    paid_minor: int
    estimated_months: list[str]
    top: list[TopAffiliate]
    held: list[HeldItem]
    management: bool = False
    stage_moves: dict[str, int] = field(default_factory=dict)
    added: int = 0
    timeliness: Timeliness = field(default_factory=Timeliness)

    @property
    def aov_minor(self) -> int | None:
        return kpis.half_up(self.revenue_minor, self.conversions) if self.conversions else None

    @property
    def cost_minor(self) -> int:
        return self.commission_minor + self.bonus_minor + self.adjustments_minor

    @property
    def cost_of_sale(self) -> Fraction | None:
        return Fraction(self.cost_minor, self.revenue_minor) if self.revenue_minor else None

    @property
    def roi(self) -> Fraction | None:
        if not self.cost_minor or not self.revenue_minor:
            return None
        return Fraction(self.revenue_minor - self.cost_minor, self.cost_minor)

    @property
    def title(self) -> str:
        kind = "Management report" if self.management else "Program report"
        return f"{kind}: {self.program} ({self.advertiser}), {self.period.label}"


def _months(period: kpis.Period) -> list[date]:
    months, first = [], period.start.replace(day=1)
    while first < period.end:
        months.append(first)
        first = commissions.next_month(first)
    return months


def choose_period(
    today: date,
    month: str | None = None,
    quarter: str | None = None,
    start: str | None = None,
    end: str | None = None,
) -> kpis.Period:
    """kpis.choose_period, with a period past the calendar's end refused in words."""
    try:
        return kpis.choose_period(today, month, quarter, start, end)
    except (ValueError, OverflowError) as exc:
        if isinstance(exc, AffiliateError):
            raise
        raise AffiliateError(f"period: out of the calendar ({exc})", "period") from None


def build_report(
    session: Session, program: Program, period: kpis.Period, today: date, *, management: bool
) -> ProgramReport:
    """The program's report for the period (see the module)."""
    from talent_tui.store.models import Brand

    assert program.id is not None
    figures = kpis.program_kpis(session, program, period)
    cost_by_affiliate: dict[int, int] = {}
    commission = bonus = adjustments = paid = 0
    estimated = []
    ruleset = commissions.rules(session, program)
    for first in _months(period):
        built = list(
            session.exec(
                select(Statement).where(
                    Statement.program_id == program.id, Statement.month == first
                )
            )
        )
        if built:
            for st in built:
                commission += st.commission_minor
                bonus += st.bonus_minor
                adjustments += st.adjustments_minor
                if st.status is StatementStatus.PAID:
                    paid += st.total_minor
                cost_by_affiliate[st.affiliate_id] = (
                    cost_by_affiliate.get(st.affiliate_id, 0)
                    + st.commission_minor
                    + st.bonus_minor
                    + st.adjustments_minor
                )
            continue
        earned = commissions.month_earnings(session, program, first, ruleset, expecting=True)
        if earned:
            estimated.append(f"{month_label(first)}")
        for e in earned:
            commission += e.commission_minor
            bonus += e.bonus_minor
            cost_by_affiliate[e.affiliate_id] = (
                cost_by_affiliate.get(e.affiliate_id, 0) + e.commission_minor + e.bonus_minor
            )
    top = [
        TopAffiliate(
            k.handle or "",
            k.clicks,
            k.conversions,
            k.revenue_minor,
            cost_by_affiliate.get(k.affiliate_id or 0, 0),
        )
        for k in figures.rows
        if k.conversions or k.clicks
    ][:TOP]
    brand = session.get(Brand, program.brand_id)
    report = ProgramReport(
        program=program.name,
        advertiser=brand.name if brand else "",
        currency=program.currency,
        period=period,
        today=today,
        clicks=figures.total.clicks,
        conversions=figures.total.conversions,
        revenue_minor=figures.total.revenue_minor,
        commission_minor=commission,
        bonus_minor=bonus,
        adjustments_minor=adjustments,
        paid_minor=paid,
        estimated_months=estimated,
        top=top,
        held=_held(session, program.id, period),
        management=management,
    )
    if management:
        report.stage_moves, report.added = _moves(session, program.id, period)
        report.timeliness = _timeliness(session, program.id, period, today)
    return report


def _held(session: Session, program_id: int, period: kpis.Period) -> list[HeldItem]:
    start, end = period.bounds()
    rows = session.execute(
        sa.select(
            col(Conversion.id),
            col(Conversion.order_id),
            col(Affiliate.handle),
            col(Conversion.occurred_at),
            col(Conversion.amount_minor) - col(Conversion.refund_minor),
            col(Conversion.status),
            col(ReviewFlag.rule),
            col(ReviewFlag.reason),
            col(ReviewFlag.status),
            col(ReviewFlag.decision_reason),
        )
        .join(ReviewHold, col(ReviewHold.conversion_id) == col(Conversion.id))
        .join(ReviewFlag, col(ReviewFlag.id) == col(ReviewHold.flag_id))
        .join(Affiliate, col(Affiliate.id) == col(Conversion.affiliate_id))
        .where(
            col(Conversion.program_id) == program_id,
            col(Conversion.occurred_at) >= start,
            col(Conversion.occurred_at) < end,
            col(Conversion.status).in_([ConversionStatus.HELD, ConversionStatus.REVERSED]),
        )
        .order_by(col(Conversion.occurred_at), col(Conversion.id), col(ReviewFlag.id))
    ).all()
    grouped: dict[int, list[tuple[Any, ...]]] = {}
    for row in rows:
        grouped.setdefault(row[0], []).append(tuple(row))
    items = []
    for group in grouped.values():
        first = group[0]
        at = first[3]
        reasons = []
        for *_, reason, flag_status, decision in group:
            text = reason
            if flag_status is ReviewStatus.REJECTED and decision:
                text += f" — rejected: {decision}"
            reasons.append(text)
        items.append(
            HeldItem(
                first[1],
                first[2],
                at if at.tzinfo else at.replace(tzinfo=UTC),
                int(first[4]),
                first[5].value,
                ", ".join(sorted({g[6].value for g in group})),
                "; ".join(reasons),
            )
        )
    return items


def _moves(session: Session, program_id: int, period: kpis.Period) -> tuple[dict[str, int], int]:
    start = datetime.combine(period.start, time(), tzinfo=UTC)
    end = datetime.combine(period.end, time(), tzinfo=UTC)
    rows = session.execute(
        sa.select(
            col(StageChange.to_stage),
            sa.func.count(),
            sa.func.sum(sa.case((col(StageChange.from_stage).is_(None), 1), else_=0)),
        )
        .join(Affiliate, col(Affiliate.id) == col(StageChange.affiliate_id))
        .where(
            col(Affiliate.program_id) == program_id,
            col(StageChange.at) >= start,
            col(StageChange.at) < end,
        )
        .group_by(col(StageChange.to_stage))
    ).all()
    moves = {stage.value: int(n) for stage, n, _ in rows}
    added = sum(int(a or 0) for *_, a in rows)
    return moves, added


def _timeliness(session: Session, program_id: int, period: kpis.Period, today: date) -> Timeliness:
    due = list(
        session.exec(
            select(Statement).where(
                Statement.program_id == program_id,
                col(Statement.due_on) >= period.start,
                col(Statement.due_on) < period.end,
            )
        )
    )
    on_time = late = late_days = overdue = not_due = carried = 0
    for st in due:
        if st.status in (StatementStatus.CARRIED, StatementStatus.ZERO):
            carried += 1
        elif st.status is StatementStatus.PAID and st.paid_on is not None:
            if st.paid_on <= st.due_on:
                on_time += 1
            else:
                late += 1
                late_days += (st.paid_on - st.due_on).days
        elif st.due_on < today:
            overdue += 1
        else:
            not_due += 1
    return Timeliness(len(due), on_time, late, late_days, overdue, not_due, carried)
