"""The commission engine: a program's versioned rules (tiers, promotions, bonuses), locking,
and what each affiliate earned in a month, to the minor unit.

The rules, exactly (the README's money-rules section says the same):

- **Month**: the calendar month (UTC) in which a conversion occurred (`occurred_at`).
- **Counting conversions**: an affiliate's conversions in a program and month whose status is
  `approved` — including those approved at their lock date (below); never `pending`, `held`
  or `reversed`. The month's *count* is how many there are.
- **Tiers** (`programs tier P --from N --rate R%`): the rate of the highest tier whose N ≤
  the month's count applies to **all** of that month's counting conversions of that
  affiliate (retroactive within the month). Below the first tier: the program's base rate.
- **Promotions** (`programs promo P --rate R% --from DATE --to DATE`, both days included,
  UTC): a conversion occurring in the window earns the greater of its tier rate and the
  promotion's rate (with several promotions, the greatest).
- **Commission per conversion** = (amount − refund) × rate, rounded half up to the
  currency's minor unit, per conversion, then summed: with rates in basis points,
  `(net_minor × rate_bp + 5000) // 10000` — integers only, never floats. Reversed and held
  conversions earn nothing.
- **Bonuses** (`programs bonus P --at N --amount "100 USD"`): a fixed amount once per
  affiliate and month for each threshold N the month's count reaches (N ≤ count).
- **Locking**: a conversion locks on its lock date, the UTC day of `occurred_at` plus the
  program's lock days. On that day a `pending` conversion becomes `approved` unless it is
  `held` (`lock_due`). A locked conversion is never edited: a later refund or reversal of
  it (or of one already on a statement) becomes an **adjustment** (`payouts.late_change`), negative,
  with the reason, in the affiliate's next statement, priced at the rate that conversion's
  statement line gave it: a refund takes back the commission on the refunded part
  (commission before − commission after, each rounded as above), a reversal takes back
  what is left of the line's commission. The month's count, tier and bonuses of a built
  statement do not change.
- **Versions**: rules are never edited. Setting a tier at an N that has one, changing a
  bonus, or removing a rule closes the version in force (`valid_to`) and adds the next
  (`valid_from`); a statement keeps the rate and reason of every line as they were when it
  was built, so changing a rule never changes a statement already built.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from talent_tui.core import fields, money
from talent_tui.core.dates import days_after, days_before, parse_iso_date
from talent_tui.services import audit
from talent_tui.services.affiliates.errors import AffiliateError
from talent_tui.store.models import (
    CommissionRule,
    Conversion,
    ConversionStatus,
    Program,
    RuleKind,
    utcnow,
)

BP = 10_000


def commission(net_minor: int, rate_bp: int) -> int:
    """(amount − refund) × rate, rounded half up to the minor unit: integers only."""
    return (net_minor * rate_bp + BP // 2) // BP


def month_start(moment: datetime | date) -> date:
    """The first day of the UTC calendar month of `moment`."""
    if isinstance(moment, datetime):
        moment = moment.astimezone(UTC).date()
    return moment.replace(day=1)


def month_label(first: date) -> str:
    """ "2026-03" (four-digit year, whatever the year)."""
    return f"{first.year:04d}-{first.month:02d}"


def next_month(first: date) -> date:
    """The first day of the next month (December 9999 has none: its last day then)."""
    if first.year == date.max.year and first.month == 12:
        return date.max
    return (first.replace(day=28) + timedelta(days=4)).replace(day=1)


def month_bounds(first: date) -> tuple[datetime, datetime]:
    """[start, end) of a month in UTC."""
    return (
        datetime.combine(first, time(), tzinfo=UTC),
        datetime.combine(next_month(first), time(), tzinfo=UTC),
    )


def lock_date(occurred_at: datetime, lock_days: int) -> date:
    """The day a conversion locks: the UTC day it occurred plus the program's lock days."""
    return days_after(occurred_at.astimezone(UTC).date(), lock_days)


def is_locked(occurred_at: datetime, lock_days: int, today: date) -> bool:
    return today >= lock_date(occurred_at, lock_days)


def lock_cutoff(today: date, lock_days: int) -> datetime:
    """Conversions that occurred before this moment are locked on `today` (their UTC day +
    the lock days is today or earlier)."""
    if lock_days == 0:  # locked the day it occurred: everything up to the end of today
        return datetime.combine(days_after(today, 1), time(), tzinfo=UTC)
    return datetime.combine(days_before(today, lock_days - 1), time(), tzinfo=UTC)


# ---- the rules in force ---------------------------------------------------------------------


@dataclass(frozen=True)
class Tier:
    id: int
    threshold: int
    rate_bp: int


@dataclass(frozen=True)
class Promotion:
    id: int
    rate_bp: int
    starts_on: date
    ends_on: date

    def covers(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on


@dataclass(frozen=True)
class Bonus:
    id: int
    threshold: int
    amount_minor: int
    currency: str


@dataclass(frozen=True)
class RuleSet:
    """A program's rules in force at `as_of`: the base rate, tiers (by threshold), promotions
    and bonuses (by threshold)."""

    program_id: int
    currency: str
    base_rate_bp: int
    as_of: datetime
    tiers: tuple[Tier, ...] = ()
    promotions: tuple[Promotion, ...] = ()
    bonuses: tuple[Bonus, ...] = ()

    def tier_for(self, count: int) -> tuple[int, str]:
        """The month's rate for `count` counting conversions and why, in words."""
        reached = [t for t in self.tiers if t.threshold <= count]
        if not reached:
            return self.base_rate_bp, (
                f"base rate {fields.format_bp(self.base_rate_bp)} ({count} this month)"
            )
        best = max(reached, key=lambda t: t.threshold)
        return best.rate_bp, (
            f"tier from {best.threshold}: {fields.format_bp(best.rate_bp)} ({count} this month)"
        )

    def rate_for(self, occurred_at: datetime, tier_rate: int, tier_why: str) -> tuple[int, str]:
        """A conversion's rate: the greater of the month's tier rate and the rate of any
        promotion whose window holds the conversion's UTC day; and why."""
        day = occurred_at.astimezone(UTC).date()
        promos = [p for p in self.promotions if p.covers(day)]
        if promos:
            best = max(promos, key=lambda p: p.rate_bp)
            if best.rate_bp > tier_rate:
                return best.rate_bp, (
                    f"promotion {best.starts_on}..{best.ends_on}: "
                    f"{fields.format_bp(best.rate_bp)} > {fields.format_bp(tier_rate)} tier rate"
                )
        return tier_rate, tier_why

    def bonuses_for(self, count: int) -> list[Bonus]:
        return [b for b in self.bonuses if b.threshold <= count]


def _in_force(at: datetime) -> list[sa.ColumnElement[bool]]:
    return [
        col(CommissionRule.valid_from) <= at,
        sa.or_(col(CommissionRule.valid_to).is_(None), col(CommissionRule.valid_to) > at),
    ]


def rules(session: Session, program: Program, at: datetime | None = None) -> RuleSet:
    """The program's rules in force at `at` (now by default)."""
    assert program.id is not None
    moment = at or utcnow()
    rows = session.exec(
        select(CommissionRule)
        .where(CommissionRule.program_id == program.id, *_in_force(moment))
        .order_by(col(CommissionRule.threshold), col(CommissionRule.starts_on))
    ).all()
    tiers, promos, bonuses = [], [], []
    for r in rows:
        assert r.id is not None
        if r.kind is RuleKind.TIER and r.threshold is not None and r.rate_bp is not None:
            tiers.append(Tier(r.id, r.threshold, r.rate_bp))
        elif r.kind is RuleKind.PROMO and r.rate_bp is not None and r.starts_on and r.ends_on:
            promos.append(Promotion(r.id, r.rate_bp, r.starts_on, r.ends_on))
        elif r.kind is RuleKind.BONUS and r.threshold is not None and r.amount_minor is not None:
            bonuses.append(Bonus(r.id, r.threshold, r.amount_minor, r.currency or program.currency))
    return RuleSet(
        program.id,
        program.currency,
        program.rate_bp,
        moment,
        tuple(tiers),
        tuple(promos),
        tuple(bonuses),
    )


def history(session: Session, program_id: int) -> list[CommissionRule]:
    """Every version of every rule of the program, oldest first (closed ones too)."""
    return list(
        session.exec(
            select(CommissionRule)
            .where(CommissionRule.program_id == program_id)
            .order_by(col(CommissionRule.valid_from), col(CommissionRule.id))
        )
    )


def _threshold(value: int, name: str) -> int:
    if not 1 <= value <= fields.MAX_COUNT:
        raise AffiliateError(f"{name}: a number of conversions from 1, not {value}", name)
    return value


def _rate(text: str, name: str = "rate") -> int:
    try:
        return fields.percent_to_bp(name, text)
    except fields.FieldError as exc:
        raise AffiliateError(f"{name}: {exc.message}", name) from None


def _close(session: Session, rule: CommissionRule, now: datetime) -> dict[str, object]:
    rule.valid_to = now
    session.add(rule)
    return _describe(rule)


def _describe(rule: CommissionRule) -> dict[str, object]:
    return {
        "id": rule.id,
        "kind": rule.kind.value,
        "threshold": rule.threshold,
        "rate_bp": rule.rate_bp,
        "amount_minor": rule.amount_minor,
        "currency": rule.currency,
        "from": rule.starts_on,
        "to": rule.ends_on,
    }


def _current(
    session: Session, program_id: int, kind: RuleKind, now: datetime
) -> list[CommissionRule]:
    return list(
        session.exec(
            select(CommissionRule).where(
                CommissionRule.program_id == program_id,
                CommissionRule.kind == kind,
                *_in_force(now),
            )
        )
    )


def _lock_program(session: Session, program_id: int) -> None:
    """Serialise rule changes of one program (a no-op on SQLite, a row lock on PostgreSQL)."""
    session.exec(select(Program.id).where(Program.id == program_id).with_for_update()).first()


def _replace_at(
    session: Session,
    program: Program,
    kind: RuleKind,
    n: int,
    values: dict[str, Any] | None,
    actor: str,
    moment: datetime,
) -> CommissionRule | None:
    """The one way a tier or a bonus changes: the version in force at threshold `n` is closed
    at `moment` and, unless `values` is None (a removal), a new version with `values` starts
    then; audited. Rule changes of a program are serialised by a lock on its row."""
    assert program.id is not None
    word = "tier" if kind is RuleKind.TIER else "bonus"
    where = "from" if kind is RuleKind.TIER else "at"
    _lock_program(session, program.id)
    old = [r for r in _current(session, program.id, kind, moment) if r.threshold == n]
    if values is None and not old:
        raise AffiliateError(f"no {word} {where} {n} conversions to remove", where)
    before = [_close(session, r, moment) for r in old]
    new = None
    if values is not None:
        new = CommissionRule(
            program_id=program.id,
            kind=kind,
            threshold=n,
            valid_from=moment,
            created_by=actor,
            **values,
        )
        session.add(new)
    session.flush()
    audit.record(
        session,
        actor,
        "program",
        program.id,
        f"{word} removed" if new is None else f"{word} set",
        before or None,
        _describe(new) if new else None,
    )
    return new


def set_tier(
    session: Session,
    program: Program,
    threshold: int,
    rate: str | None,
    actor: str,
    *,
    now: datetime | None = None,
) -> CommissionRule | None:
    """Set the tier from `threshold` conversions to `rate` ("12.5%"), closing the version
    in force at that threshold; `rate` None removes the tier. Returns the new version."""
    assert program.id is not None
    moment = now or utcnow()
    n = _threshold(threshold, "from")
    rate_bp = _rate(rate) if rate is not None else None
    if rate_bp is not None:
        _check_tier(rules(session, program, moment), n, rate_bp)
    values = None if rate_bp is None else {"rate_bp": rate_bp}
    return _replace_at(session, program, RuleKind.TIER, n, values, actor, moment)


def _check_tier(ruleset: RuleSet, threshold: int, rate_bp: int) -> None:
    """A tier rewards volume: it pays at least the base rate and the tiers below it, and at
    most the tiers above it (a lower rate for more conversions is a typo, never a rule)."""
    shown = fields.format_bp
    if rate_bp < ruleset.base_rate_bp:
        raise AffiliateError(
            f"rate: a tier pays at least the base rate ({shown(ruleset.base_rate_bp)}),"
            f" not {shown(rate_bp)}",
            "rate",
        )
    for tier in ruleset.tiers:
        if tier.threshold < threshold and tier.rate_bp > rate_bp:
            raise AffiliateError(
                f"rate: the tier from {tier.threshold} pays {shown(tier.rate_bp)} already;"
                f" from {threshold} pays at least that",
                "rate",
            )
        if tier.threshold > threshold and tier.rate_bp < rate_bp:
            raise AffiliateError(
                f"rate: the tier from {tier.threshold} pays {shown(tier.rate_bp)};"
                f" from {threshold} pays at most that",
                "rate",
            )


def add_promotion(
    session: Session,
    program: Program,
    rate: str,
    starts: str | date,
    ends: str | date,
    actor: str,
    *,
    now: datetime | None = None,
) -> CommissionRule:
    """Add a promotion: `rate` for conversions occurring from `starts` to `ends` (UTC days,
    both included). A rate not above the base rate is refused: a conversion earns the
    greater of its tier's rate (at least the base) and the promotion's, so it would never
    apply."""
    assert program.id is not None
    moment = now or utcnow()
    rate_bp = _rate(rate)
    if rate_bp <= program.rate_bp:
        raise AffiliateError(
            f"rate: a promotion must pay more than the base rate "
            f"{fields.format_bp(program.rate_bp)}; {fields.format_bp(rate_bp)} would never apply",
            "rate",
        )
    first, last = _day(starts, "from"), _day(ends, "to")
    if last < first:
        raise AffiliateError(f"to: {last} is before {first}", "to")
    _lock_program(session, program.id)
    rule = CommissionRule(
        program_id=program.id,
        kind=RuleKind.PROMO,
        rate_bp=rate_bp,
        starts_on=first,
        ends_on=last,
        valid_from=moment,
        created_by=actor,
    )
    session.add(rule)
    session.flush()
    audit.record(session, actor, "program", program.id, "promotion added", None, _describe(rule))
    return rule


def remove_rule(
    session: Session, program: Program, rule_id: int, actor: str, *, now: datetime | None = None
) -> CommissionRule:
    """Close a rule version in force (a promotion, a tier or a bonus) by its id."""
    assert program.id is not None
    moment = now or utcnow()
    _lock_program(session, program.id)
    rule = session.get(CommissionRule, rule_id) if 0 < rule_id <= fields.MAX_ID else None
    if (
        rule is None
        or rule.program_id != program.id
        or (rule.valid_to is not None and rule.valid_to <= moment)
    ):
        raise AffiliateError(f"no rule #{rule_id} in force in {program.name}", "id")
    before = _close(session, rule, moment)
    session.flush()
    audit.record(session, actor, "program", program.id, f"{rule.kind.value} removed", before)
    return rule


def set_bonus(
    session: Session,
    program: Program,
    threshold: int,
    amount: str | None,
    actor: str,
    *,
    now: datetime | None = None,
) -> CommissionRule | None:
    """Set the bonus paid once per affiliate and month whose count reaches `threshold`
    (`amount` in the program's currency, "100 USD"); `amount` None removes it."""
    assert program.id is not None
    moment = now or utcnow()
    n = _threshold(threshold, "at")
    amount_minor = None
    if amount is not None:
        try:
            amount_minor = money.parse_money(amount, program.currency).amount_minor
        except money.MoneyError as exc:
            raise AffiliateError(f"amount: {exc}", "amount") from None
    values: dict[str, Any] | None = None
    if amount_minor is not None:
        values = {"amount_minor": amount_minor, "currency": program.currency}
    return _replace_at(session, program, RuleKind.BONUS, n, values, actor, moment)


def _day(value: str | date, name: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return parse_iso_date(value)
    except ValueError as exc:
        raise AffiliateError(f"{name}: {exc}", name) from None


# ---- locking --------------------------------------------------------------------------------


def lock_due(session: Session, program: Program, today: date, actor: str) -> int:
    """Approve every `pending` conversion of the program whose lock date has come (`held`
    ones wait for review). Returns how many; audited as one entry."""
    assert program.id is not None
    cutoff = lock_cutoff(today, program.lock_days)
    ids = list(
        session.exec(
            select(Conversion.id).where(
                Conversion.program_id == program.id,
                Conversion.status == ConversionStatus.PENDING,
                col(Conversion.occurred_at) < cutoff,
            )
        )
    )
    if not ids:
        return 0
    session.execute(
        sa.update(Conversion)
        .where(col(Conversion.id).in_(ids))
        .values(status=ConversionStatus.APPROVED, updated_at=utcnow())
    )
    audit.record(
        session,
        actor,
        "program",
        program.id,
        f"{len(ids)} pending conversion(s) approved at their lock date",
        None,
        {"today": today, "conversions": len(ids)},
    )
    return len(ids)


# ---- what a month earns ---------------------------------------------------------------------


@dataclass(frozen=True)
class Earning:
    """One counting conversion's commission: its net amount, its rate and why that rate."""

    conversion_id: int
    order_id: str
    occurred_at: datetime
    net_minor: int
    rate_bp: int
    why: str
    commission_minor: int


@dataclass
class MonthEarnings:
    """What one affiliate earned in a program and month, in one currency."""

    affiliate_id: int
    currency: str
    month: date
    count: int = 0
    tier_rate_bp: int = 0
    tier_why: str = ""
    lines: list[Earning] = field(default_factory=list)
    bonuses: list[Bonus] = field(default_factory=list)

    @property
    def commission_minor(self) -> int:
        return sum(e.commission_minor for e in self.lines)

    @property
    def bonus_minor(self) -> int:
        return sum(b.amount_minor for b in self.bonuses)


def month_earnings(
    session: Session,
    program: Program,
    month: date,
    ruleset: RuleSet,
    *,
    affiliate_id: int | None = None,
    expecting: bool = False,
) -> list[MonthEarnings]:
    """Each affiliate's earnings for the month (the first day of it) under `ruleset`, from
    the conversions as stored (run `lock_due` first to approve those past their lock date).
    `expecting`: an estimate of a month not built yet, counting its pending conversions as
    the approved ones they become at their lock date unless held (never held or reversed)."""
    assert program.id is not None
    first = month_start(month)
    start, end = month_bounds(first)
    counted = [ConversionStatus.APPROVED] + ([ConversionStatus.PENDING] if expecting else [])
    query = (
        select(Conversion)
        .where(
            Conversion.program_id == program.id,
            col(Conversion.status).in_(counted),
            col(Conversion.occurred_at) >= start,
            col(Conversion.occurred_at) < end,
        )
        .order_by(col(Conversion.affiliate_id), col(Conversion.occurred_at), col(Conversion.id))
    )
    if affiliate_id is not None:
        query = query.where(Conversion.affiliate_id == affiliate_id)
    groups: dict[tuple[int, str], list[Conversion]] = defaultdict(list)
    for conversion in session.exec(query):
        groups[(conversion.affiliate_id, conversion.currency)].append(conversion)
    result = []
    for (a_id, currency), conversions in sorted(groups.items()):
        count = len(conversions)
        tier_rate, tier_why = ruleset.tier_for(count)
        earned = MonthEarnings(a_id, currency, first, count, tier_rate, tier_why)
        for c in conversions:
            assert c.id is not None
            rate, why = ruleset.rate_for(c.occurred_at, tier_rate, tier_why)
            net = c.amount_minor - c.refund_minor
            earned.lines.append(
                Earning(c.id, c.order_id, c.occurred_at, net, rate, why, commission(net, rate))
            )
        earned.bonuses = [b for b in ruleset.bonuses_for(count) if b.currency == currency]
        result.append(earned)
    return result
