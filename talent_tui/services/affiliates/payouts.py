"""Payouts: statements built per program, affiliate, currency and month, paid on time.

- **Build** (`build`): refused before the month's last day + the program's lock days (every
  conversion of the month has locked by then), with the date it becomes possible. Pending
  conversions past their lock date are approved first (`commissions.lock_due`). One
  statement per affiliate and currency: the month's counting conversions with their rates
  (services.affiliates.commissions), the bonuses reached, and the affiliate's adjustments
  not yet on a statement; total = commission + bonus + adjustments; due on the build date
  + the program's net days. Building a month again adds nothing and changes nothing
  (statements already built are kept as they are; an affiliate who has none gets one).
- **Late orders**: nothing approved is left unpaid. A conversion of a month the program
  already has statements for, found approved (imported late, approved at its lock date or by
  the platform) and on no statement, is paid by the next build of any later month:
  - if its affiliate has a statement for its month (open, paid or carried), it becomes a
    positive adjustment "late order for YYYY-MM" on the affiliate's statement of the month
    being built (or, when that one exists already, of the next month built): commission =
    (amount − refund) × that month's statement tier rate, or a promotion's in force when it
    occurred, whichever is greater (rules as of that statement's build), rounded half up as
    every commission. The month's count, tier and bonuses do not change;
  - if its affiliate has no statement for its month, that month's statement is built for the
    affiliate then (exactly as building that month again would: its tier and bonuses
    counted), listed by the build as a late statement.
  A conversion is paid once: on its month's statement line or by one such adjustment; building
  again, or the month again, never pays it twice. A month no statement was ever built for is
  left to its own build.
- **Adjustments**: a refund or reversal of a locked or paid conversion (`late_change`), a
  conversion approved in review after its month's statement was built (`approval_after_build`),
  a late order (above), or a negative total carried forward. An adjustment goes to the first
  statement built for the affiliate and currency for a *later* month than the one it is
  about. One about a late refund or reversal is priced at the rate the conversion was paid at
  (its statement line, or the adjustment that paid it), against what is left of its commission
  after every earlier refund and reversal of the same conversion, taken in the order they
  came (id order), priced already or priced in the same build:
  a refund of D takes commission(net − refunded so far) − commission(net − refunded so far − D),
  a reversal takes what is left. E.g. 100.00 at 10 % earns 10.00; refund 40.00 → −4.00
  (10.00 − 6.00); then reversed → −6.00. Never more than the conversion earned in all.
- **Limit**: a statement whose commission, bonus, adjustments, total or a line is beyond the
  largest amount talent stores (core.money.MAX_MINOR minor units: 10,000,000,000,000.00 USD) is refused,
  naming the affiliate, and nothing of that build is written (each amount is bounded on
  import, their sum is not).
- **Carry forward**: a statement whose total is below zero is not paid: it is `carried`, and
  its total becomes an adjustment of the affiliate's next statement. A total of exactly zero
  is `zero`: nothing to pay, nothing carried.
- **Pay** (`pay`): an `open` statement becomes `paid` on a date with a reference. The row is
  locked first (`SELECT … FOR UPDATE`; a no-op on SQLite, whose writers are serialised
  anyway) and its state checked after the lock, so a second payment is refused ("already
  paid on DATE by NAME"), never made twice.
- **Overdue**: an `open` statement whose due date has passed. Totals are per currency, never
  summed across currencies.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from talent_tui.core import fields, money
from talent_tui.core.dates import days_after, parse_iso_date
from talent_tui.services import audit
from talent_tui.services.affiliates import commissions
from talent_tui.services.affiliates.commissions import month_label
from talent_tui.services.affiliates.errors import AffiliateError
from talent_tui.store.models import (
    Adjustment,
    AdjustmentKind,
    Affiliate,
    Conversion,
    ConversionStatus,
    LineKind,
    Program,
    Statement,
    StatementLine,
    StatementStatus,
    utcnow,
)

STATUS_FILTERS = ("open", "paid", "overdue", "carried", "zero")


class PayoutError(AffiliateError):
    """A refused build or payment."""


def parse_status(text: str) -> str:
    """A statement filter: open, paid, overdue, carried or zero (any case)."""
    wanted = text.strip().lower()
    if wanted not in STATUS_FILTERS:
        raise PayoutError(f"status: one of {', '.join(STATUS_FILTERS)}, not {text!r}", "status")
    return wanted


def _an_id(number: int) -> bool:
    """A number a 64-bit id column can hold (a 26-digit one finds nothing, never a crash)."""
    return 0 < number <= fields.MAX_ID


def last_day(first: date) -> date:
    return first.replace(day=calendar.monthrange(first.year, first.month)[1])


def possible_on(program: Program, month: date) -> date:
    """The first day a month's statements can be built: its last day + the lock days."""
    return days_after(last_day(commissions.month_start(month)), program.lock_days)


# ---- views ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LineView:
    kind: str
    order_id: str | None
    occurred_at: datetime | None
    net_minor: int
    rate_bp: int | None
    why: str
    amount_minor: int

    @property
    def rate(self) -> str:
        return fields.format_bp(self.rate_bp) if self.rate_bp is not None else ""

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "order_id": self.order_id,
            "occurred_at": self.occurred_at.isoformat() if self.occurred_at else None,
            "net_minor": self.net_minor,
            "rate_bp": self.rate_bp,
            "why": self.why,
            "amount_minor": self.amount_minor,
        }


@dataclass(frozen=True)
class StatementView:
    id: int
    program_id: int
    program: str
    affiliate_id: int
    affiliate: str
    currency: str
    month: date
    conversions: int
    tier_rate_bp: int
    commission_minor: int
    bonus_minor: int
    adjustments_minor: int
    total_minor: int
    carried_forward_minor: int
    due_on: date
    status: str
    paid_on: date | None
    paid_by: str | None
    reference: str | None
    overdue: bool
    lines: list[LineView] = field(default_factory=list)

    @property
    def month_label(self) -> str:
        return f"{month_label(self.month)}"

    def as_dict(self) -> dict[str, object]:
        """The shape `talent payouts build|list --json` prints for a statement."""
        return {
            "id": self.id,
            "affiliate": self.affiliate,
            "currency": self.currency,
            "conversions": self.conversions,
            "commission_minor": self.commission_minor,
            "bonus_minor": self.bonus_minor,
            "adjustments_minor": self.adjustments_minor,
            "total_minor": self.total_minor,
            "due_on": self.due_on.isoformat(),
            "status": self.status,
        }

    def as_full_dict(self) -> dict[str, object]:
        """Everything, with the lines (`payouts show --json`)."""
        return {
            **self.as_dict(),
            "program": self.program,
            "month": self.month_label,
            "tier_rate_bp": self.tier_rate_bp,
            "carried_forward_minor": self.carried_forward_minor,
            "paid_on": self.paid_on.isoformat() if self.paid_on else None,
            "paid_by": self.paid_by,
            "reference": self.reference,
            "overdue": self.overdue,
            "lines": [line.as_dict() for line in self.lines],
        }


def _view(
    statement: Statement,
    program: str,
    handle: str,
    today: date,
    lines: list[StatementLine] | None = None,
) -> StatementView:
    assert statement.id is not None
    return StatementView(
        id=statement.id,
        program_id=statement.program_id,
        program=program,
        affiliate_id=statement.affiliate_id,
        affiliate=handle,
        currency=statement.currency,
        month=statement.month,
        conversions=statement.conversions,
        tier_rate_bp=statement.tier_rate_bp,
        commission_minor=statement.commission_minor,
        bonus_minor=statement.bonus_minor,
        adjustments_minor=statement.adjustments_minor,
        total_minor=statement.total_minor,
        carried_forward_minor=statement.carried_forward_minor,
        due_on=statement.due_on,
        status=statement.status.value,
        paid_on=statement.paid_on,
        paid_by=statement.paid_by,
        reference=statement.reference,
        overdue=statement.status is StatementStatus.OPEN and statement.due_on < today,
        lines=[
            LineView(
                line.kind.value,
                line.order_id,
                line.occurred_at,
                line.net_minor,
                line.rate_bp,
                line.why,
                line.amount_minor,
            )
            for line in lines or []
        ],
    )


# ---- late changes ---------------------------------------------------------------------------


def stated_line(session: Session, conversion_id: int) -> StatementLine | None:
    """The statement line of a conversion, when a statement has counted it."""
    return session.exec(
        select(StatementLine).where(
            StatementLine.conversion_id == conversion_id, StatementLine.kind == LineKind.CONVERSION
        )
    ).first()


def is_frozen(session: Session, program: Program, conversion: Conversion, today: date) -> bool:
    """Locked (its lock date has come) or already on a statement: never edited again."""
    if commissions.is_locked(conversion.occurred_at, program.lock_days, today):
        return True
    assert conversion.id is not None
    return stated_line(session, conversion.id) is not None


def _held_changed(
    session: Session,
    conversion: Conversion,
    status: ConversionStatus,
    refund_minor: int,
    today: date,
    actor: str,
) -> None:
    """A held order was never paid, so the platform's later word is stored as it is: a
    larger refund, or the reversal (which releases it from review's holds:
    review.reapply_program_holds). An approval then pays what is left, or nothing."""
    before = (conversion.status.value, conversion.refund_minor)
    if status is ConversionStatus.REVERSED:
        conversion.status = ConversionStatus.REVERSED
    if conversion.refund_minor < refund_minor <= conversion.amount_minor:
        conversion.refund_minor = refund_minor
    after = (conversion.status.value, conversion.refund_minor)
    if after == before:
        return
    conversion.updated_at = utcnow()
    session.add(conversion)
    session.flush()
    assert conversion.id is not None
    audit.record(
        session,
        actor,
        "conversion",
        conversion.id,
        "held order changed by the platform after lock",
        {"status": before[0], "refund_minor": before[1]},
        {"status": after[0], "refund_minor": after[1], "today": today},
    )


def late_change(
    session: Session,
    program: Program,
    conversion: Conversion,
    status: ConversionStatus,
    refund_minor: int,
    today: date,
    actor: str,
) -> list[Adjustment]:
    """A platform's later word on a locked or paid conversion: the conversion is left as it
    is, and a refund that grew, or a reversal, becomes an adjustment for the affiliate's
    next statement (priced when that statement is built). Anything else (another status, a
    smaller refund) is ignored: a locked conversion is not edited. Returns the adjustments
    added (none when the change was already recorded)."""
    assert conversion.id is not None
    made: list[Adjustment] = []
    earlier = list(
        session.exec(select(Adjustment).where(Adjustment.conversion_id == conversion.id))
    )
    if any(a.kind is AdjustmentKind.REVERSAL for a in earlier):
        return made  # reversed already: nothing more to take back
    if conversion.status is ConversionStatus.PENDING:
        # Its lock date has come: approved now, as `commissions.lock_due` would.
        conversion.status = ConversionStatus.APPROVED
        conversion.updated_at = utcnow()
        session.add(conversion)
    if (
        conversion.status is not ConversionStatus.APPROVED
        and stated_line(session, conversion.id) is None
    ):
        if conversion.status is ConversionStatus.HELD:
            _held_changed(session, conversion, status, refund_minor, today, actor)
        return made  # held or reversed: it earned nothing, so there is nothing to take back
    recorded = conversion.refund_minor + sum(a.refund_delta_minor for a in earlier)
    month = month_label(commissions.month_start(conversion.occurred_at))
    if status is ConversionStatus.REVERSED:
        made.append(
            Adjustment(
                program_id=conversion.program_id,
                affiliate_id=conversion.affiliate_id,
                currency=conversion.currency,
                kind=AdjustmentKind.REVERSAL,
                conversion_id=conversion.id,
                reason=f"order {conversion.order_id} ({month}) reversed after it locked",
                created_by=actor,
            )
        )
    elif refund_minor > recorded:
        delta = refund_minor - recorded
        made.append(
            Adjustment(
                program_id=conversion.program_id,
                affiliate_id=conversion.affiliate_id,
                currency=conversion.currency,
                kind=AdjustmentKind.REFUND,
                conversion_id=conversion.id,
                refund_delta_minor=delta,
                reason=(
                    f"order {conversion.order_id} ({month}) refunded "
                    f"{money.format_money(delta, conversion.currency)} after it locked"
                ),
                created_by=actor,
            )
        )
    for adjustment in made:
        session.add(adjustment)
        session.flush()
        assert adjustment.id is not None
        audit.record(
            session,
            actor,
            "adjustment",
            adjustment.id,
            f"{adjustment.kind.value} after lock",
            None,
            {"order_id": conversion.order_id, "reason": adjustment.reason, "today": today},
        )
    return made


def approval_after_build(
    session: Session,
    program: Program,
    conversion: Conversion,
    actor: str,
    *,
    late: bool = False,
) -> Adjustment | None:
    """A conversion approved in review (or, `late`, one found approved by a build: a late
    order) after its affiliate's statement for its month was built: its commission (at that
    statement's tier rate, or a promotion's, whichever is greater) becomes a positive
    adjustment of the next statement. None when that month has no statement for the
    affiliate yet (building it will count the conversion)."""
    assert conversion.id is not None
    statement = _month_statement(session, conversion)
    if statement is None:
        return None
    paid = select(Adjustment.id).where(
        Adjustment.conversion_id == conversion.id, Adjustment.kind == AdjustmentKind.APPROVAL
    )
    if session.exec(paid).first() is not None:
        return None  # carried once already: a conversion is never paid twice
    label = month_label(statement.month)
    net, rate, why = _approval_terms(session, program, conversion, statement)
    reason = (
        f"late order for {label}: order {conversion.order_id} approved after the statement was built: {why}"
        if late
        else f"order {conversion.order_id} ({label}) approved in review after the statement was built: {why}"
    )
    adjustment = Adjustment(
        program_id=conversion.program_id,
        affiliate_id=conversion.affiliate_id,
        currency=conversion.currency,
        kind=AdjustmentKind.APPROVAL,
        conversion_id=conversion.id,
        amount_minor=commissions.commission(net, rate),
        reason=reason[: fields.MAX_LINE],
        created_by=actor,
    )
    session.add(adjustment)
    session.flush()
    assert adjustment.id is not None
    audit.record(
        session,
        actor,
        "adjustment",
        adjustment.id,
        "late order after build" if late else "approval after build",
        None,
        adjustment.reason,
    )
    return adjustment


def _approval_terms(
    session: Session, program: Program, conversion: Conversion, statement: Statement
) -> tuple[int, int, str]:
    """(net, rate, why) of a conversion paid by an adjustment after its month's `statement`
    was built: that statement's tier rate, or a promotion's (rules as of that statement's
    build), whichever is greater, on the conversion's net amount (amount − refund)."""
    first = statement.month
    ruleset = commissions.rules(session, program, statement.built_at)
    # the month's rate the statement was built with: a tier's, or the base rate below them
    why = f"the {month_label(first)} statement's rate {fields.format_bp(statement.tier_rate_bp)}"
    rate, why = ruleset.rate_for(conversion.occurred_at, statement.tier_rate_bp, why)
    return conversion.amount_minor - conversion.refund_minor, rate, why


def _month_statement(session: Session, conversion: Conversion) -> Statement | None:
    """The affiliate's statement (in the conversion's currency) for the conversion's month."""
    return session.exec(
        select(Statement).where(
            Statement.program_id == conversion.program_id,
            Statement.affiliate_id == conversion.affiliate_id,
            Statement.currency == conversion.currency,
            Statement.month == commissions.month_start(conversion.occurred_at),
        )
    ).first()


def _earned(session: Session, conversion_id: int) -> tuple[int, int, int] | None:
    """What a conversion earned, as (net, rate, commission): its statement line, or the
    adjustment that paid it after its month was built (approved in review, or a late order).
    None while it has earned nothing yet."""
    line = stated_line(session, conversion_id)
    if line is not None:
        return (
            (line.net_minor, line.rate_bp, line.amount_minor) if line.rate_bp is not None else None
        )
    approval = session.exec(
        select(Adjustment)
        .where(
            Adjustment.conversion_id == conversion_id,
            Adjustment.kind == AdjustmentKind.APPROVAL,
            col(Adjustment.amount_minor).is_not(None),
        )
        .order_by(col(Adjustment.id))
    ).first()
    conversion = session.get(Conversion, conversion_id)
    if approval is None or approval.amount_minor is None or conversion is None:
        return None
    program = session.get(Program, conversion.program_id)
    statement = _month_statement(session, conversion)
    if program is None or statement is None:
        return None
    net, rate, _ = _approval_terms(session, program, conversion, statement)
    return net, rate, approval.amount_minor


def _take(adjustment: Adjustment, net: int, rate: int, refunded: int, left: int) -> tuple[int, int]:
    """(amount, net shown) of a late refund or reversal, given the conversion's net and rate
    as earned, what its earlier adjustments refunded, and the commission `left` after them:
    a refund takes commission(net − refunded) − commission(net − refunded − delta), a
    reversal takes what is left; neither ever takes more than is left."""
    left = max(left, 0)
    before_net = max(net - refunded, 0)
    if adjustment.kind is AdjustmentKind.REVERSAL:
        return -left, before_net
    after_net = max(before_net - adjustment.refund_delta_minor, 0)
    taken = commissions.commission(after_net, rate) - commissions.commission(before_net, rate)
    return max(taken, -left), adjustment.refund_delta_minor


def _price(session: Session, adjustment: Adjustment) -> tuple[int, int | None, int] | None:
    """An adjustment's (amount, rate, net) when it can be priced now; None while its
    conversion has earned nothing yet (the statement of its month is not built). A late
    refund or reversal is priced against what is left of the conversion's commission after
    every earlier refund and reversal of it (in id order, priced or not)."""
    if adjustment.amount_minor is not None:
        if adjustment.kind is AdjustmentKind.APPROVAL and adjustment.conversion_id is not None:
            earned = _earned(session, adjustment.conversion_id)
            if earned is not None:  # shown with the net and the rate it was paid at
                return adjustment.amount_minor, earned[1], earned[0]
        return adjustment.amount_minor, None, 0
    if adjustment.conversion_id is None:
        return 0, None, 0
    earned = _earned(session, adjustment.conversion_id)
    if earned is None:
        return None
    net, rate, left = earned
    refunded = 0
    for earlier in session.exec(
        select(Adjustment)
        .where(
            Adjustment.conversion_id == adjustment.conversion_id,
            col(Adjustment.id) < adjustment.id,
            col(Adjustment.kind).in_([AdjustmentKind.REFUND, AdjustmentKind.REVERSAL]),
        )
        .order_by(col(Adjustment.id))
    ):
        if earlier.amount_minor is not None:
            taken = earlier.amount_minor
        else:
            taken, _ = _take(earlier, net, rate, refunded, left)
        left += taken
        refunded += earlier.refund_delta_minor
    amount, shown = _take(adjustment, net, rate, refunded, left)
    return amount, rate, shown


def _month_of_adjustment(session: Session, adjustment: Adjustment) -> date | None:
    """The month an adjustment is about (its conversion's, or the carried statement's)."""
    if adjustment.conversion_id is not None:
        conversion = session.get(Conversion, adjustment.conversion_id)
        return commissions.month_start(conversion.occurred_at) if conversion else None
    if adjustment.from_statement_id is not None:
        source = session.get(Statement, adjustment.from_statement_id)
        return source.month if source else None
    return None


# ---- build ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class BuildResult:
    month: date
    built: int  # statements added by this build for its month
    statements: list[StatementView]  # every statement of the program's month
    # statements of earlier months this build added for late orders (see the module)
    late: list[StatementView] = field(default_factory=list)

    @property
    def month_label(self) -> str:
        return month_label(self.month)

    @property
    def late_words(self) -> str | None:
        """What the CLI and the payouts screen say of the earlier months' statements built."""
        if not self.late:
            return None
        return (
            f"Late orders: {len(self.late)} statement(s) of earlier months built for "
            "affiliates who had none: "
            + ", ".join(f"#{v.id} {v.month_label} {v.affiliate}" for v in self.late)
            + "."
        )

    def as_dict(self) -> dict[str, object]:
        shown: dict[str, object] = {"statements": [s.as_dict() for s in self.statements]}
        if self.late:
            shown["late_statements"] = [{**s.as_dict(), "month": s.month_label} for s in self.late]
        return shown


def parse_month(text: str) -> date:
    """ "2026-03" → 1 March 2026 (a month as `--month` takes it)."""
    match = re.fullmatch(r"(\d{4})-(\d{1,2})", text.strip())
    if not match or not 1 <= int(match[2]) <= 12 or int(match[1]) < 1:
        raise PayoutError(f"month: expected YYYY-MM, not {text!r}", "month")
    return date(int(match[1]), int(match[2]), 1)


def build(
    session: Session,
    program: Program,
    month: date,
    today: date,
    actor: str,
    *,
    now: datetime | None = None,
) -> BuildResult:
    """Build the program's statements for `month` (any day of it); see the module."""
    assert program.id is not None
    first = commissions.month_start(month)
    ready = possible_on(program, first)
    if today < ready:
        raise PayoutError(
            f"{month_label(first)} cannot be built yet: its conversions lock after the month's last "
            f"day + {program.lock_days} lock days; build on or after {ready.isoformat()}",
            "month",
        )
    moment = now or utcnow()
    # One build of a program at a time: lock the program's row (PostgreSQL), then read.
    session.exec(select(Program.id).where(Program.id == program.id).with_for_update()).first()
    commissions.lock_due(session, program, today, actor)
    late = _late_orders(session, program, first, today, moment, actor)
    built = _build_month(session, program, first, today, moment, actor)
    session.flush()
    return BuildResult(
        first,
        len(built),
        statements(session, program_id=program.id, month=first, today=today),
        _late_views(session, program, late, today),
    )


def _late_views(
    session: Session, program: Program, ids: set[int], today: date
) -> list[StatementView]:
    months = sorted(
        {s.month for s in session.exec(select(Statement).where(col(Statement.id).in_(ids)))}
    )
    return [
        v
        for m in months
        for v in statements(session, program_id=program.id, month=m, today=today)
        if v.id in ids
    ]


def _unpaid_before(
    session: Session, program: Program, first: date, since: date
) -> list[Conversion]:
    """Approved conversions of the months `since` … before `first` on no statement line and
    never carried by an adjustment (a late order, found approved after its month was built)."""
    start, _ = commissions.month_bounds(first)
    since_start, _ = commissions.month_bounds(since)
    stated = (
        sa.select(col(StatementLine.id))
        .where(
            col(StatementLine.conversion_id) == col(Conversion.id),
            col(StatementLine.kind) == LineKind.CONVERSION,
        )
        .exists()
    )
    carried = (
        sa.select(col(Adjustment.id))
        .where(
            col(Adjustment.conversion_id) == col(Conversion.id),
            col(Adjustment.kind) == AdjustmentKind.APPROVAL,
        )
        .exists()
    )
    return list(
        session.exec(
            select(Conversion)
            .where(
                Conversion.program_id == program.id,
                Conversion.status == ConversionStatus.APPROVED,
                col(Conversion.occurred_at) >= since_start,
                col(Conversion.occurred_at) < start,
                ~stated,
                ~carried,
            )
            .order_by(col(Conversion.occurred_at), col(Conversion.id))
        )
    )


def _late_orders(
    session: Session, program: Program, first: date, today: date, moment: datetime, actor: str
) -> set[int]:
    """Before building `first`, pay every late order of an earlier month the program has
    statements for (see the module): the affiliates with no statement for that month get
    theirs (as building that month again would), then each late order of an affiliate whose
    statement for its month exists becomes a "late order for YYYY-MM" adjustment, which goes
    to the affiliate's next statement. Returns the ids of the statements built."""
    earliest = session.exec(
        select(sa.func.min(Statement.month)).where(Statement.program_id == program.id)
    ).first()
    if earliest is None or earliest >= first:
        return set()  # no month before this one was ever built: nothing is late
    late = _unpaid_before(session, program, first, earliest)
    if not late:
        return set()
    months = {commissions.month_start(c.occurred_at) for c in late}
    have = {
        (s.affiliate_id, s.currency, s.month)
        for s in session.exec(
            select(Statement).where(
                Statement.program_id == program.id, col(Statement.month).in_(months)
            )
        )
    }
    built_months = {m for _, _, m in have}
    late = [c for c in late if commissions.month_start(c.occurred_at) in built_months]
    missing: dict[date, set[tuple[int, str]]] = {}
    for c in late:
        m = commissions.month_start(c.occurred_at)
        if (c.affiliate_id, c.currency, m) not in have:
            missing.setdefault(m, set()).add((c.affiliate_id, c.currency))
    built: set[int] = set()
    for m in sorted(missing):
        built |= _build_month(session, program, m, today, moment, actor, only=missing[m])
    for c in late:
        if (c.affiliate_id, c.currency, commissions.month_start(c.occurred_at)) in have:
            approval_after_build(session, program, c, actor, late=True)
    return built


def _build_month(
    session: Session,
    program: Program,
    first: date,
    today: date,
    moment: datetime,
    actor: str,
    *,
    only: set[tuple[int, str]] | None = None,
) -> set[int]:
    """Write the month's statements each affiliate and currency (of `only`, when given) has
    none of yet; returns their ids."""
    assert program.id is not None
    existing = {
        (s.affiliate_id, s.currency)
        for s in session.exec(
            select(Statement)
            .where(Statement.program_id == program.id, Statement.month == first)
            .with_for_update()
        )
    }
    ruleset = commissions.rules(session, program, moment)
    earnings = {
        (e.affiliate_id, e.currency): e
        for e in commissions.month_earnings(session, program, first, ruleset)
    }
    waiting: dict[tuple[int, str], list[Adjustment]] = {}
    for adjustment in session.exec(
        select(Adjustment)
        .where(
            Adjustment.program_id == program.id,
            col(Adjustment.statement_id).is_(None),
        )
        .order_by(col(Adjustment.id))
        .with_for_update()
    ):
        about = _month_of_adjustment(session, adjustment)
        if about is not None and about >= first:
            continue  # goes to a statement of a later month than the one it is about
        waiting.setdefault((adjustment.affiliate_id, adjustment.currency), []).append(adjustment)
    built: set[int] = set()
    for key in sorted(set(earnings) | set(waiting)):
        if key in existing or (only is not None and key not in only):
            continue
        affiliate_id, currency = key
        earned = earnings.get(key) or commissions.MonthEarnings(affiliate_id, currency, first)
        if not earnings.get(key):
            earned.tier_rate_bp, earned.tier_why = ruleset.tier_for(0)
        priced = []
        for adjustment in waiting.get(key, []):
            price = _price(session, adjustment)
            if price is not None:
                priced.append((adjustment, price))
        if not earned.lines and not priced:
            continue
        statement = _write_statement(session, program, first, earned, priced, today, moment, actor)
        assert statement.id is not None
        built.add(statement.id)
    return built


def _refuse_beyond_storable(
    session: Session,
    program: Program,
    first: date,
    earned: commissions.MonthEarnings,
    amounts: dict[str, int],
) -> None:
    """Refuse the build (nothing of it is written: the caller's transaction rolls back) when a
    statement's commission, bonus, adjustments, total or largest line is beyond the
    largest amount talent stores (core.money.MAX_MINOR): each conversion is bounded, their
    sum is not."""
    for what, amount in amounts.items():
        if abs(amount) <= money.MAX_MINOR:
            continue
        affiliate = session.get(Affiliate, earned.affiliate_id)
        handle = affiliate.handle if affiliate else f"affiliate #{earned.affiliate_id}"
        largest = money.format_money(money.MAX_MINOR, earned.currency)
        raise PayoutError(
            f"{program.name} {month_label(first)}: the statement of {handle} in "
            f"{earned.currency} cannot be built: its {what} "
            f"{money.format_money(amount, earned.currency)} exceeds what talent can store "
            f"(at most {largest}); nothing was built",
            "month",
        )


def _write_statement(
    session: Session,
    program: Program,
    first: date,
    earned: commissions.MonthEarnings,
    priced: list[tuple[Adjustment, tuple[int, int | None, int]]],
    today: date,
    moment: datetime,
    actor: str,
) -> Statement:
    assert program.id is not None
    adjustments_minor = sum(amount for _, (amount, _, _) in priced)
    total = earned.commission_minor + earned.bonus_minor + adjustments_minor
    _refuse_beyond_storable(
        session,
        program,
        first,
        earned,
        {
            "commission": earned.commission_minor,
            "bonus": earned.bonus_minor,
            "adjustments": adjustments_minor,
            "total": total,
            "largest line": max(
                [abs(e.commission_minor) for e in earned.lines]
                + [abs(amount) for _, (amount, _, _) in priced]
                + [abs(b.amount_minor) for b in earned.bonuses],
                default=0,
            ),
        },
    )
    statement = Statement(
        program_id=program.id,
        affiliate_id=earned.affiliate_id,
        currency=earned.currency,
        month=first,
        conversions=earned.count,
        tier_rate_bp=earned.tier_rate_bp,
        commission_minor=earned.commission_minor,
        bonus_minor=earned.bonus_minor,
        adjustments_minor=adjustments_minor,
        total_minor=total,
        carried_forward_minor=min(total, 0),
        due_on=days_after(today, program.net_days),
        status=(
            StatementStatus.OPEN
            if total > 0
            else StatementStatus.ZERO
            if total == 0
            else StatementStatus.CARRIED
        ),
        built_at=moment,
        built_by=actor,
    )
    session.add(statement)
    session.flush()
    assert statement.id is not None
    for e in earned.lines:
        session.add(
            StatementLine(
                statement_id=statement.id,
                kind=LineKind.CONVERSION,
                conversion_id=e.conversion_id,
                order_id=e.order_id,
                occurred_at=e.occurred_at,
                net_minor=e.net_minor,
                rate_bp=e.rate_bp,
                why=e.why,
                amount_minor=e.commission_minor,
            )
        )
    for bonus in earned.bonuses:
        session.add(
            StatementLine(
                statement_id=statement.id,
                kind=LineKind.BONUS,
                why=f"bonus at {bonus.threshold} conversions ({earned.count} this month)",
                amount_minor=bonus.amount_minor,
            )
        )
    for adjustment, (amount, rate, net) in priced:
        adjustment.amount_minor = amount
        adjustment.statement_id = statement.id
        session.add(adjustment)
        session.add(
            StatementLine(
                statement_id=statement.id,
                kind=LineKind.ADJUSTMENT,
                adjustment_id=adjustment.id,
                conversion_id=adjustment.conversion_id,
                net_minor=net,
                rate_bp=rate,
                why=adjustment.reason,
                amount_minor=amount,
            )
        )
    if total < 0:
        session.add(
            Adjustment(
                program_id=program.id,
                affiliate_id=earned.affiliate_id,
                currency=earned.currency,
                kind=AdjustmentKind.CARRIED,
                amount_minor=total,
                from_statement_id=statement.id,
                reason=f"carried forward from statement #{statement.id} ({month_label(first)})",
                created_by=actor,
                created_at=moment,
            )
        )
    audit.record(
        session,
        actor,
        "statement",
        statement.id,
        "statement built",
        None,
        {
            "month": f"{month_label(first)}",
            "affiliate_id": earned.affiliate_id,
            "currency": earned.currency,
            "conversions": earned.count,
            "commission_minor": earned.commission_minor,
            "bonus_minor": earned.bonus_minor,
            "adjustments_minor": adjustments_minor,
            "total_minor": total,
        },
    )
    return statement


# ---- read -----------------------------------------------------------------------------------


def statements(
    session: Session,
    *,
    program_id: int | None = None,
    month: date | None = None,
    status: str | None = None,
    affiliate_id: int | None = None,
    today: date,
    limit: int | None = None,
    offset: int = 0,
) -> list[StatementView]:
    """Statements, by program, month, status (open | paid | carried | zero | overdue) or affiliate;
    newest month first, then by affiliate."""
    query = (
        select(Statement, Program.name, Affiliate.handle)
        .join(Program, col(Program.id) == col(Statement.program_id))
        .join(Affiliate, col(Affiliate.id) == col(Statement.affiliate_id))
        .order_by(
            col(Statement.month).desc(),
            col(Program.name),
            col(Affiliate.handle),
            col(Statement.currency),
        )
        .offset(offset)
    )
    if limit is not None:
        query = query.limit(limit)
    if program_id is not None:
        query = query.where(Statement.program_id == program_id)
    if month is not None:
        query = query.where(Statement.month == commissions.month_start(month))
    if affiliate_id is not None:
        query = query.where(Statement.affiliate_id == affiliate_id)
    if status is not None:
        status = parse_status(status)
        if status == "overdue":
            query = query.where(
                Statement.status == StatementStatus.OPEN, col(Statement.due_on) < today
            )
        else:
            query = query.where(Statement.status == StatementStatus(status))
    return [_view(s, program, handle, today) for s, program, handle in session.exec(query)]


def show(session: Session, statement_id: int, today: date) -> StatementView:
    """One statement with every line: each conversion with its rate and why that rate, the
    bonuses, the adjustments."""
    statement = session.get(Statement, statement_id) if _an_id(statement_id) else None
    if statement is None:
        raise PayoutError(f"no statement #{statement_id}", "id")
    program = session.get(Program, statement.program_id)
    affiliate = session.get(Affiliate, statement.affiliate_id)
    lines = list(
        session.exec(
            select(StatementLine)
            .where(StatementLine.statement_id == statement_id)
            .order_by(
                sa.case(
                    (col(StatementLine.kind) == LineKind.CONVERSION, 0),
                    (col(StatementLine.kind) == LineKind.BONUS, 1),
                    else_=2,
                ),
                col(StatementLine.occurred_at),
                col(StatementLine.id),
            )
        )
    )
    return _view(
        statement,
        program.name if program else "",
        affiliate.handle if affiliate else "",
        today,
        lines,
    )


@dataclass(frozen=True)
class Totals:
    """Sums per currency (never across currencies) of a list of statements."""

    by_currency: dict[str, int]

    def lines(self) -> list[str]:
        return [money.format_money(v, c) for c, v in sorted(self.by_currency.items())]


# Statements with nothing to pay: left out of payment files.
NOTHING_TO_PAY = (StatementStatus.CARRIED.value, StatementStatus.ZERO.value)


def payable(views: list[StatementView]) -> list[StatementView]:
    """The statements a payment file lists: all but those with nothing to pay."""
    return [v for v in views if v.status not in NOTHING_TO_PAY]


def totals(views: list[StatementView]) -> Totals:
    sums: dict[str, int] = {}
    for v in views:
        sums[v.currency] = sums.get(v.currency, 0) + v.total_minor
    return Totals(sums)


def overdue(session: Session, today: date) -> list[StatementView]:
    """Open statements past their due date, oldest due first (for the agenda)."""
    views = statements(session, status="overdue", today=today)
    return sorted(views, key=lambda v: (v.due_on, v.id))


# ---- pay ------------------------------------------------------------------------------------


def pay(
    session: Session,
    statement_id: int,
    actor: str,
    *,
    today: date,
    paid_on: str | date | None = None,
    reference: str | None = None,
) -> StatementView:
    """Mark an open statement paid on `paid_on` (today by default) with a reference. The row
    is locked and its state read after the lock: a statement paid already is refused with
    who paid it and when; a carried one has nothing to pay."""
    day = today
    if paid_on is not None:
        if isinstance(paid_on, date):
            day = paid_on
        else:
            try:
                day = parse_iso_date(paid_on)
            except ValueError as exc:
                raise PayoutError(f"paid-on: {exc}", "paid_on") from None
    if day > today:
        raise PayoutError(f"paid-on: {day} is in the future (today is {today})", "paid_on")
    ref = None
    if reference is not None:
        try:
            ref = fields.opt_text({"reference": reference}, "reference", fields.MAX_LINE)
        except fields.FieldError as exc:
            raise PayoutError(f"reference: {exc.message}", "reference") from None
    statement = (
        session.exec(
            select(Statement).where(Statement.id == statement_id).with_for_update()
        ).first()
        if _an_id(statement_id)
        else None
    )
    if statement is None:
        raise PayoutError(f"no statement #{statement_id}", "id")
    session.refresh(statement)  # the state after the lock, not what this session cached
    if statement.status is StatementStatus.PAID:
        raise PayoutError(
            f"statement #{statement_id} was already paid on {statement.paid_on} by "
            f"{statement.paid_by or 'someone'}; nothing was changed",
            "id",
        )
    if statement.status is StatementStatus.CARRIED:
        raise PayoutError(
            f"statement #{statement_id} has nothing to pay (total "
            f"{money.format_money(statement.total_minor, statement.currency)}; a negative "
            "total is carried forward to the next statement)",
            "id",
        )
    if statement.status is StatementStatus.ZERO:
        raise PayoutError(
            f"statement #{statement_id} has nothing to pay (total "
            f"{money.format_money(0, statement.currency)})",
            "id",
        )
    if day <= last_day(statement.month):
        raise PayoutError(
            f"paid-on: {day} is not after the month the statement is for ({month_label(statement.month)})",
            "paid_on",
        )
    statement.status = StatementStatus.PAID
    statement.paid_on = day
    statement.paid_by = actor
    statement.reference = ref
    session.add(statement)
    session.flush()
    audit.record(
        session,
        actor,
        "statement",
        statement_id,
        "statement paid",
        {"status": "open"},
        {"status": "paid", "paid_on": day, "reference": ref, "total_minor": statement.total_minor},
    )
    return show(session, statement_id, today)


# ---- an affiliate's conversions with their rates (the affiliate's page) ---------------------


@dataclass(frozen=True)
class ConversionRate:
    """One of an affiliate's conversions: its status, and the rate it earns and why — from
    its statement line once built, else what the engine gives it now (`estimate`)."""

    conversion_id: int
    order_id: str
    occurred_at: datetime
    net_minor: int
    currency: str
    status: str
    rate_bp: int | None
    why: str
    commission_minor: int
    statement_id: int | None
    estimate: bool

    def as_dict(self) -> dict[str, object]:
        return {
            "order_id": self.order_id,
            "occurred_at": self.occurred_at.isoformat(),
            "net_minor": self.net_minor,
            "currency": self.currency,
            "status": self.status,
            "rate_bp": self.rate_bp,
            "why": self.why,
            "commission_minor": self.commission_minor,
            "statement_id": self.statement_id,
            "estimate": self.estimate,
        }


def affiliate_conversions(
    session: Session,
    program: Program,
    affiliate_id: int,
    *,
    limit: int = 100,
    offset: int = 0,
) -> list[ConversionRate]:
    """A page of an affiliate's conversions, newest first, each with its rate and status:
    from its statement line once built, else an estimate of its month as the program report
    makes it (pending ones counted as the approved ones they become at their lock date);
    held ones say which review holds them, reversed ones earn nothing."""
    from talent_tui.store.models import ReviewFlag, ReviewHold

    rows = list(
        session.exec(
            select(Conversion)
            .where(Conversion.program_id == program.id, Conversion.affiliate_id == affiliate_id)
            .order_by(col(Conversion.occurred_at).desc(), col(Conversion.id).desc())
            .limit(limit)
            .offset(offset)
        )
    )
    ids = [c.id for c in rows if c.id is not None]
    lines = {
        line.conversion_id: line
        for line in session.exec(
            select(StatementLine).where(
                col(StatementLine.conversion_id).in_(ids),
                StatementLine.kind == LineKind.CONVERSION,
            )
        )
    }
    holds: dict[int, list[str]] = {}
    for conversion_id, reason in session.execute(
        sa.select(col(ReviewHold.conversion_id), col(ReviewFlag.reason))
        .join(ReviewFlag, col(ReviewFlag.id) == col(ReviewHold.flag_id))
        .where(col(ReviewHold.conversion_id).in_(ids))
    ):
        holds.setdefault(conversion_id, []).append(reason)
    ruleset = commissions.rules(session, program)
    estimates: dict[date, dict[int, commissions.Earning]] = {}
    result = []
    for c in rows:
        assert c.id is not None
        net = c.amount_minor - c.refund_minor
        line = lines.get(c.id)
        rate: int | None = None
        amount, statement_id, estimate = 0, None, False
        if line is not None:
            rate, why, amount = line.rate_bp, line.why, line.amount_minor
            statement_id = line.statement_id
        elif c.status in (ConversionStatus.APPROVED, ConversionStatus.PENDING):
            first = commissions.month_start(c.occurred_at)
            if first not in estimates:
                earned = commissions.month_earnings(
                    session, program, first, ruleset, affiliate_id=affiliate_id, expecting=True
                )
                estimates[first] = {ln.conversion_id: ln for m in earned for ln in m.lines}
            found = estimates[first].get(c.id)
            if found is not None:
                rate, why, amount, estimate = found.rate_bp, found.why, found.commission_minor, True
                if c.status is ConversionStatus.PENDING:
                    why = f"pending (counts at its lock date unless held): {why}"
            else:
                why = "not counted"
        elif c.status is ConversionStatus.HELD:
            why = "held in review: " + "; ".join(holds.get(c.id, ["held by the platform"]))
        else:
            why = "reversed: earns nothing"
        result.append(
            ConversionRate(
                c.id, c.order_id, c.occurred_at, net, c.currency, c.status.value, rate, why,
                amount, statement_id, estimate,
            )
        )  # fmt: skip
    return result
