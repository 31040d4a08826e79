"""Compliance and fraud review: six rules that hold conversions for a person's decision.

The rules run on every import of conversions (and of clicks, for the click spike), with the
program's thresholds (`thresholds`, defaults in brackets). Each flag names its rule and says
why in words, with the evidence:

- **duplicate order**: the same order id claimed by a second affiliate — a re-import that
  names another affiliate for an order already stored, or the same order id in another
  program of the same advertiser under another handle (both held);
- **self-referral**: the customer's e-mail is the affiliate's own (both trimmed and in lower
  case, compared as keyed hashes; talent never stores the customer's e-mail);
- **forbidden source**: the conversion's source contains one of the program's forbidden
  sources, case-insensitively ("Google brand keyword bidding" ⊇ "brand keyword bidding");
- **conversion-rate outlier**: an affiliate's conversion rate in a month (conversions not
  reversed ÷ clicks) above X× [3] the program's median rate that month (the median of the
  affiliates with clicks), with at least N [100] clicks; flags the affiliate-month and holds
  its conversions;
- **click spike**: a day's clicks above X× [10] the affiliate's median over the D [30] days
  before (the days with recorded clicks; at least 7 of them, else there is no baseline);
  holds the conversions of that day;
- **too fast**: an order within S [10] seconds of its click, when the platform gives the
  click time.

A flagged conversion is `held` (it earns nothing) unless it is locked or already on a
statement (then the flag is only a warning). A person decides (`decide`): approving releases
the conversion into the commission count (`approved`) once no other flag holds it;
rejecting reverses it. Both are audited with who, when and why. Comparisons are exact
(fractions, never floats). A rule flags the same thing once: re-importing a file adds nothing.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from talent_tui.core import fields, money
from talent_tui.services import audit
from talent_tui.services.affiliates import commissions
from talent_tui.services.affiliates.commissions import month_label
from talent_tui.services.affiliates.conversions import customer_hash, hash_key
from talent_tui.services.affiliates.errors import AffiliateError
from talent_tui.services.affiliates.kpis import owner_clause
from talent_tui.services.affiliates.programs import split_list
from talent_tui.store.models import (
    Affiliate,
    ClickDay,
    Conversion,
    ConversionStatus,
    FraudThresholds,
    Program,
    ReviewFlag,
    ReviewHold,
    ReviewRule,
    ReviewStatus,
    StatementLine,
    utcnow,
)

MIN_SPIKE_HISTORY_DAYS = 7
MAX_FACTOR_X100 = 100_000  # 1000×
MAX_TOO_FAST_S = 86_400

RULE_NAMES = {
    ReviewRule.DUPLICATE_ORDER: "duplicate order",
    ReviewRule.SELF_REFERRAL: "self-referral",
    ReviewRule.FORBIDDEN_SOURCE: "forbidden source",
    ReviewRule.RATE_OUTLIER: "conversion-rate outlier",
    ReviewRule.CLICK_SPIKE: "click spike",
    ReviewRule.TOO_FAST: "too fast",
}


class ReviewError(AffiliateError):
    """A refused review decision or threshold."""


# ---- thresholds -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Thresholds:
    """A program's fraud thresholds; factors in hundredths (300 = 3×)."""

    outlier_x100: int = 300
    outlier_min_clicks: int = 100
    spike_x100: int = 1000
    spike_days: int = 30
    too_fast_s: int = 10

    def as_dict(self) -> dict[str, object]:
        return {
            "outlier_x": factor_text(self.outlier_x100),
            "outlier_min_clicks": self.outlier_min_clicks,
            "spike_x": factor_text(self.spike_x100),
            "spike_days": self.spike_days,
            "too_fast_s": self.too_fast_s,
        }


def factor_text(x100: int) -> str:
    """300 → "3", 250 → "2.5"."""
    whole, part = divmod(x100, 100)
    return str(whole) if part == 0 else f"{whole}.{part:02d}".rstrip("0")


def parse_factor(text: str, name: str) -> int:
    """ "3", "3x", "2.5×" → hundredths (300, 250); from 1× to 1000×, two decimals at most."""
    raw = text.strip().lower().removesuffix("x").removesuffix("×").strip()
    if not money.written_plainly(raw):
        raise ReviewError(f"{name}: not a factor: {text!r} (write e.g. 3 or 2.5)", name)
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise ReviewError(f"{name}: not a factor: {text!r} (write e.g. 3 or 2.5)", name) from None
    scaled = value * 100 if value.is_finite() else Decimal(-1)
    if scaled != scaled.to_integral_value() or not 100 <= scaled <= MAX_FACTOR_X100:
        raise ReviewError(f"{name}: a factor from 1 to 1000 with two decimals, not {text!r}", name)
    return int(scaled)


def thresholds(session: Session, program_id: int) -> Thresholds:
    row = session.get(FraudThresholds, program_id)
    if row is None:
        return Thresholds()
    return Thresholds(
        row.outlier_x100, row.outlier_min_clicks, row.spike_x100, row.spike_days, row.too_fast_s
    )


def set_thresholds(
    session: Session,
    program: Program,
    actor: str,
    *,
    outlier_x: str | None = None,
    outlier_min_clicks: int | None = None,
    spike_x: str | None = None,
    spike_days: int | None = None,
    too_fast_s: int | None = None,
) -> Thresholds:
    """Change some of a program's thresholds (the others keep their values); audited."""
    assert program.id is not None
    before = thresholds(session, program.id)
    values = before.as_dict()
    row = session.exec(
        select(FraudThresholds).where(FraudThresholds.program_id == program.id).with_for_update()
    ).first() or FraudThresholds(program_id=program.id)
    if outlier_x is not None:
        row.outlier_x100 = parse_factor(outlier_x, "outlier-x")
    if outlier_min_clicks is not None:
        if not 1 <= outlier_min_clicks <= fields.MAX_COUNT:
            raise ReviewError("outlier-min-clicks: a number of clicks from 1", "outlier_min_clicks")
        row.outlier_min_clicks = outlier_min_clicks
    if spike_x is not None:
        row.spike_x100 = parse_factor(spike_x, "spike-x")
    if spike_days is not None:
        if not MIN_SPIKE_HISTORY_DAYS <= spike_days <= 365:
            raise ReviewError(
                f"spike-days: from {MIN_SPIKE_HISTORY_DAYS} to 365 days, not {spike_days}",
                "spike_days",
            )
        row.spike_days = spike_days
    if too_fast_s is not None:
        if not 0 <= too_fast_s <= MAX_TOO_FAST_S:
            raise ReviewError(
                f"too-fast-s: from 0 to {MAX_TOO_FAST_S} seconds, not {too_fast_s}", "too_fast_s"
            )
        row.too_fast_s = too_fast_s
    row.updated_at = utcnow()
    row.updated_by = actor
    session.add(row)
    session.flush()
    after = thresholds(session, program.id)
    audit.record(
        session, actor, "program", program.id, "fraud thresholds set", values, after.as_dict()
    )
    return after


# ---- flagging -------------------------------------------------------------------------------


# The rules that flag one order (their key is its order id): `decide` finds a locked one that
# was flagged without being held by it.
PER_ORDER = (
    ReviewRule.DUPLICATE_ORDER,
    ReviewRule.SELF_REFERRAL,
    ReviewRule.FORBIDDEN_SOURCE,
    ReviewRule.TOO_FAST,
)
LOCKED_WORDS = " (locked, so not held: rejecting takes its commission back on the next statement)"


def _frozen(session: Session, program: Program, conversion: Conversion, today: date) -> bool:
    if commissions.is_locked(conversion.occurred_at, program.lock_days, today):
        return True
    return (
        session.exec(
            select(StatementLine.id).where(StatementLine.conversion_id == conversion.id)
        ).first()
        is not None
    )


def _flag(
    session: Session,
    program: Program,
    affiliate_id: int,
    rule: ReviewRule,
    key: str,
    reason: str,
    evidence: dict[str, Any],
    conversions: list[Conversion],
    today: date,
    actor: str,
) -> ReviewFlag | None:
    """Flag (once per rule and key) and hold the conversions that can still be held; one
    locked or already on a statement is flagged, not held (its reason says what rejecting
    does: `decide`). Returns the flag when it is new."""
    assert program.id is not None
    frozen = {
        c.id
        for c in conversions
        if c.status is not ConversionStatus.REVERSED and _frozen(session, program, c, today)
    }
    if frozen and rule in PER_ORDER:
        reason += LOCKED_WORDS
    flag = session.exec(
        select(ReviewFlag).where(
            ReviewFlag.program_id == program.id,
            ReviewFlag.affiliate_id == affiliate_id,
            ReviewFlag.rule == rule,
            ReviewFlag.key == key,
        )
    ).first()
    new = flag is None
    if flag is None:
        flag = ReviewFlag(
            program_id=program.id,
            affiliate_id=affiliate_id,
            rule=rule,
            key=key[: fields.MAX_ORDER_ID],
            reason=reason[: fields.MAX_LINE],
            evidence=json.dumps(evidence, ensure_ascii=False, sort_keys=True, default=str),
        )
        session.add(flag)
        session.flush()
    elif flag.status is not ReviewStatus.OPEN:
        return None
    assert flag.id is not None
    held = set(session.exec(select(ReviewHold.conversion_id).where(ReviewHold.flag_id == flag.id)))
    for conversion in conversions:
        if conversion.id in held or conversion.status is ConversionStatus.REVERSED:
            continue
        if conversion.id in frozen:
            continue
        assert conversion.id is not None
        session.add(ReviewHold(flag_id=flag.id, conversion_id=conversion.id))
        if conversion.status is not ConversionStatus.HELD:
            conversion.status = ConversionStatus.HELD
            conversion.updated_at = utcnow()
            session.add(conversion)
    session.flush()
    if new:
        audit.record(
            session,
            actor,
            "review_flag",
            flag.id,
            f"flagged: {RULE_NAMES[rule]}",
            None,
            {"reason": flag.reason, "conversions": [c.order_id for c in conversions]},
        )
        return flag
    return None


def _norm(text: str) -> str:
    return " ".join(text.casefold().split())


def check_conversions(
    session: Session,
    program: Program,
    conversion_ids: list[int],
    today: date,
    actor: str,
    *,
    click_times: dict[int, datetime] | None = None,
    outliers: bool = True,
) -> list[ReviewFlag]:
    """Run the per-conversion rules (duplicate order across the advertiser's programs,
    self-referral, forbidden source, too fast) on these conversions, then the outlier rule
    on the affiliate-months they fall in. `click_times` maps a conversion id to its click's
    time when the platform gives it. Returns the new flags."""
    assert program.id is not None
    if not conversion_ids:
        return []
    limits = thresholds(session, program.id)
    flags: list[ReviewFlag | None] = []
    conversions: list[Conversion] = []
    for start in range(0, len(conversion_ids), 500):
        chunk = conversion_ids[start : start + 500]
        conversions.extend(session.exec(select(Conversion).where(col(Conversion.id).in_(chunk))))
    affiliates = {
        a.id: a
        for a in session.exec(
            select(Affiliate).where(col(Affiliate.id).in_({c.affiliate_id for c in conversions}))
        )
    }
    key = hash_key(session)
    own_hash = {a_id: customer_hash(key, a.email) for a_id, a in affiliates.items() if a.email}
    forbidden = [(term, _norm(term)) for term in split_list(program.forbidden_sources)]
    times = click_times or {}
    for c in conversions:
        handle = affiliates[c.affiliate_id].handle
        if c.customer_hash and own_hash.get(c.affiliate_id) == c.customer_hash:
            flags.append(
                _flag(
                    session, program, c.affiliate_id, ReviewRule.SELF_REFERRAL, c.order_id,
                    f"self-referral: the customer's e-mail on order {c.order_id} is "
                    f"{handle}'s own",
                    {"order_id": c.order_id, "affiliate": handle},
                    [c], today, actor,
                )
            )  # fmt: skip
        if c.source:
            source = _norm(c.source)
            hit = next((term for term, norm in forbidden if norm and norm in source), None)
            if hit is not None:
                flags.append(
                    _flag(
                        session, program, c.affiliate_id, ReviewRule.FORBIDDEN_SOURCE,
                        c.order_id,
                        f"forbidden source: order {c.order_id} came from {c.source!r}, which "
                        f"the program forbids ({hit})",
                        {"order_id": c.order_id, "source": c.source, "forbidden": hit},
                        [c], today, actor,
                    )
                )  # fmt: skip
        clicked = times.get(c.id or 0)
        if clicked is not None:
            gap = (c.occurred_at - clicked).total_seconds()
            if 0 <= gap <= limits.too_fast_s:
                flags.append(
                    _flag(
                        session, program, c.affiliate_id, ReviewRule.TOO_FAST, c.order_id,
                        f"too fast: order {c.order_id} came {gap:g} s after its click "
                        f"(within {limits.too_fast_s} s)",
                        {"order_id": c.order_id, "clicked_at": clicked, "occurred_at":
                         c.occurred_at, "seconds": gap},
                        [c], today, actor,
                    )
                )  # fmt: skip
    flags.extend(_duplicates_across_programs(session, program, conversions, today, actor))
    if outliers:
        months = {commissions.month_start(c.occurred_at) for c in conversions}
        flags.extend(check_outliers(session, program, months, today, actor))
    return [f for f in flags if f is not None]


def after_import(
    session: Session,
    program: Program,
    today: date,
    actor: str,
    *,
    first: datetime | None = None,
    last: datetime | None = None,
    click_times: dict[str, datetime] | None = None,
) -> list[ReviewFlag]:
    """The rules after an import of the program's conversions (services.affiliates.guard):
    the per-conversion rules on the conversions from `first` to `last` (the file's; without
    them, those not locked yet) that a rule could flag (found in SQL, so a large import costs
    little when nothing is wrong; a locked one is flagged without being held), the outlier
    rule on the months from `first` to `last` not locked yet, then the states of held and
    rejected conversions a re-import overwrote put back. `click_times`: order id → click
    time."""
    assert program.id is not None
    cutoff = commissions.lock_cutoff(today, program.lock_days)
    # the file's days, whole (or, without them, what is not locked yet)
    since = cutoff if first is None else datetime.combine(first.date(), time(), UTC)
    open_window = [
        col(Conversion.program_id) == program.id,
        col(Conversion.occurred_at) >= since,
        col(Conversion.status) != ConversionStatus.REVERSED,
    ]
    if last is not None:
        until = datetime.combine(last.date() + timedelta(days=1), time(), UTC)
        open_window.append(col(Conversion.occurred_at) < until)
    tests: list[sa.ColumnElement[bool]] = []
    key = hash_key(session)
    emails = session.exec(
        select(Affiliate.email).where(
            Affiliate.program_id == program.id, col(Affiliate.email).is_not(None)
        )
    ).all()
    hashes = {customer_hash(key, e) for e in emails if e}
    if hashes:
        tests.append(col(Conversion.customer_hash).in_(hashes))
    for term in split_list(program.forbidden_sources):
        words = _norm(term).split()
        if words:  # a superset: check_conversions compares the whole term
            tests.append(sa.func.lower(col(Conversion.source)).contains(words[0], autoescape=True))
    times = click_times or {}
    if times:
        tests.append(col(Conversion.order_id).in_(list(times)))
    siblings = session.exec(
        select(Program.id).where(Program.brand_id == program.brand_id, Program.id != program.id)
    ).all()
    if siblings:
        others = sa.select(col(Conversion.order_id)).where(col(Conversion.program_id).in_(siblings))
        tests.append(col(Conversion.order_id).in_(others))
    candidates: list[tuple[int, str]] = []
    if tests:
        candidates = [
            (int(i), o)
            for i, o in session.execute(
                sa.select(col(Conversion.id), col(Conversion.order_id)).where(
                    *open_window, sa.or_(*tests)
                )
            )
        ]
    by_id = {i: times[o] for i, o in candidates if o in times}
    flags = check_conversions(
        session, program, [i for i, _ in candidates], today, actor, click_times=by_id,
        outliers=False,
    )  # fmt: skip
    if first is not None and last is not None:
        start = max(commissions.month_start(first), commissions.month_start(cutoff))
        months: set[date] = set()
        while start <= commissions.month_start(last):
            months.add(start)
            start = commissions.next_month(start)
        flags.extend(f for f in check_outliers(session, program, months, today, actor) if f)
    reapply_program_holds(session, program.id)
    return flags


def reapply_program_holds(session: Session, program_id: int) -> int:
    """The program's conversions an open flag holds are `held`, those a rejected flag holds
    `reversed`, whatever an import wrote over them. Returns how many were put back.

    An order the platform reversed while only open flags held it (the importer lets that
    reversal through: it is the one status review does not keep) is released from those
    holds first: it earns nothing whatever the review decides, and approving its flag must
    not bring it back."""
    fixed = 0
    rejected_holds = (
        sa.select(col(ReviewHold.conversion_id))
        .join(ReviewFlag, col(ReviewFlag.id) == col(ReviewHold.flag_id))
        .where(
            col(ReviewFlag.program_id) == program_id,
            col(ReviewFlag.status) == ReviewStatus.REJECTED,
        )
    )
    # from the open flags' holds (few) to their conversions by key
    released = session.execute(
        sa.select(col(ReviewHold.flag_id), col(ReviewHold.conversion_id))
        .join(ReviewFlag, col(ReviewFlag.id) == col(ReviewHold.flag_id))
        .join(Conversion, col(Conversion.id) == col(ReviewHold.conversion_id))
        .where(
            col(ReviewFlag.program_id) == program_id,
            col(ReviewFlag.status) == ReviewStatus.OPEN,
            col(Conversion.status) == ConversionStatus.REVERSED,
            col(Conversion.id).not_in(rejected_holds),
        )
    ).all()
    for flag_id, conversion_id in released:
        session.execute(
            sa.delete(ReviewHold).where(
                col(ReviewHold.flag_id) == flag_id, col(ReviewHold.conversion_id) == conversion_id
            )
        )
    for flag_status, wanted in (
        (ReviewStatus.REJECTED, ConversionStatus.REVERSED),
        (ReviewStatus.OPEN, ConversionStatus.HELD),
    ):
        held = (
            sa.select(col(ReviewHold.conversion_id))
            .join(ReviewFlag, col(ReviewFlag.id) == col(ReviewHold.flag_id))
            .where(col(ReviewFlag.program_id) == program_id, col(ReviewFlag.status) == flag_status)
        )
        if wanted is ConversionStatus.HELD:
            extra = [col(Conversion.id).not_in(rejected_holds)]
        else:
            extra = []
        result = session.execute(
            sa.update(Conversion)
            .where(
                col(Conversion.id).in_(held),
                col(Conversion.status) != wanted,
                *extra,
            )
            .values(status=wanted)
            .execution_options(synchronize_session=False)
        )
        fixed += result.rowcount or 0  # type: ignore[attr-defined]
    if fixed:
        session.expire_all()
    return fixed


def held_by_review(session: Session, conversion_ids: list[int]) -> dict[int, ConversionStatus]:
    """Of `conversion_ids`, those review keeps in a status whatever an import writes, as
    `reapply_program_holds` puts them back: reversed when a rejected flag holds one, held
    while an open flag does."""
    pinned: dict[int, ConversionStatus] = {}
    for start in range(0, len(conversion_ids), 500):
        chunk = conversion_ids[start : start + 500]
        rows = session.execute(
            sa.select(col(ReviewHold.conversion_id), col(ReviewFlag.status))
            .join(ReviewFlag, col(ReviewFlag.id) == col(ReviewHold.flag_id))
            .where(
                col(ReviewHold.conversion_id).in_(chunk),
                col(ReviewFlag.status).in_([ReviewStatus.REJECTED, ReviewStatus.OPEN]),
            )
        ).all()
        for conversion_id, status in rows:
            if status == ReviewStatus.REJECTED:
                pinned[conversion_id] = ConversionStatus.REVERSED
            else:
                pinned.setdefault(conversion_id, ConversionStatus.HELD)
    return pinned


def _duplicates_across_programs(
    session: Session, program: Program, conversions: list[Conversion], today: date, actor: str
) -> list[ReviewFlag | None]:
    """The same order id in another program of the same advertiser under another handle."""
    siblings = list(
        session.exec(
            select(Program).where(Program.brand_id == program.brand_id, Program.id != program.id)
        )
    )
    if not siblings or not conversions:
        return []
    by_order = {c.order_id: c for c in conversions}
    others = session.exec(
        select(Conversion, Affiliate.handle, Program)
        .join(Affiliate, col(Affiliate.id) == col(Conversion.affiliate_id))
        .join(Program, col(Program.id) == col(Conversion.program_id))
        .where(
            col(Conversion.program_id).in_([p.id for p in siblings]),
            col(Conversion.order_id).in_(list(by_order)),
        )
    ).all()
    handles = {
        a.id: a.handle
        for a in session.exec(
            select(Affiliate).where(col(Affiliate.id).in_({c.affiliate_id for c in conversions}))
        )
    }
    flags: list[ReviewFlag | None] = []
    for other, other_handle, other_program in others:
        mine = by_order[other.order_id]
        handle = handles[mine.affiliate_id]
        if other_handle == handle:
            continue
        reason = (
            f"duplicate order: order {mine.order_id} is claimed by {handle} in {program.name} "
            f"and by {other_handle} in {other_program.name}"
        )
        evidence = {
            "order_id": mine.order_id,
            "claims": [
                {"program": program.name, "affiliate": handle},
                {"program": other_program.name, "affiliate": other_handle},
            ],
        }
        flags.append(
            _flag(
                session, program, mine.affiliate_id, ReviewRule.DUPLICATE_ORDER, mine.order_id,
                reason, evidence, [mine], today, actor,
            )
        )  # fmt: skip
        flags.append(
            _flag(
                session, other_program, other.affiliate_id, ReviewRule.DUPLICATE_ORDER,
                other.order_id, reason, evidence, [other], today, actor,
            )
        )  # fmt: skip
    return flags


def claim_conflict(
    session: Session,
    program: Program,
    conversion: Conversion,
    claimant_id: int,
    today: date,
    actor: str,
) -> ReviewFlag | None:
    """A re-import names another affiliate (`claimant_id`) for an order already stored: the
    stored conversion keeps its affiliate and is held for review (the second claim is in the
    evidence)."""
    claimant = session.get(Affiliate, claimant_id)
    owner = session.get(Affiliate, conversion.affiliate_id)
    if claimant is None or owner is None or claimant.id == owner.id:
        return None
    return _flag(
        session,
        program,
        conversion.affiliate_id,
        ReviewRule.DUPLICATE_ORDER,
        conversion.order_id,
        f"duplicate order: order {conversion.order_id} is claimed by {owner.handle} and by "
        f"{claimant.handle}",
        {
            "order_id": conversion.order_id,
            "claims": [
                {"program": program.name, "affiliate": owner.handle},
                {"program": program.name, "affiliate": claimant.handle},
            ],
        },
        [conversion],
        today,
        actor,
    )


def _median(values: list[Fraction]) -> Fraction:
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def check_outliers(
    session: Session, program: Program, months: set[date], today: date, actor: str
) -> list[ReviewFlag | None]:
    """The conversion-rate outlier rule for these months of the program."""
    assert program.id is not None
    limits = thresholds(session, program.id)
    flags: list[ReviewFlag | None] = []
    for first in sorted(months):
        start, end = commissions.month_bounds(first)
        clicks = dict(
            session.execute(
                sa.select(col(ClickDay.affiliate_id), sa.func.sum(col(ClickDay.clicks)))
                .where(
                    col(ClickDay.program_id) == program.id,
                    col(ClickDay.day) >= first,
                    col(ClickDay.day) < commissions.next_month(first),
                )
                .group_by(col(ClickDay.affiliate_id))
            ).all()
        )
        counts = dict(
            session.execute(
                sa.select(col(Conversion.affiliate_id), sa.func.count())
                .where(
                    col(Conversion.program_id) == program.id,
                    col(Conversion.status) != ConversionStatus.REVERSED,
                    col(Conversion.occurred_at) >= start,
                    col(Conversion.occurred_at) < end,
                )
                .group_by(col(Conversion.affiliate_id))
            ).all()
        )
        rates = {
            a_id: Fraction(int(counts.get(a_id, 0)), int(n)) for a_id, n in clicks.items() if n
        }
        if not rates:
            continue
        median = _median(list(rates.values()))
        for a_id, rate in sorted(rates.items()):
            n_clicks = int(clicks[a_id])
            if n_clicks < limits.outlier_min_clicks or rate * 100 <= median * limits.outlier_x100:
                continue
            affiliate = session.get(Affiliate, a_id)
            held = list(
                session.exec(
                    select(Conversion).where(
                        Conversion.program_id == program.id,
                        Conversion.affiliate_id == a_id,
                        col(Conversion.occurred_at) >= start,
                        col(Conversion.occurred_at) < end,
                    )
                )
            )
            handle = affiliate.handle if affiliate else f"#{a_id}"
            flags.append(
                _flag(
                    session, program, a_id, ReviewRule.RATE_OUTLIER, f"{month_label(first)}",
                    f"conversion-rate outlier: {handle} converted {_pct(rate)} of "
                    f"{n_clicks:,} clicks in {month_label(first)}, above "
                    f"{factor_text(limits.outlier_x100)}× the program's median {_pct(median)}",
                    {"month": f"{month_label(first)}", "clicks": n_clicks,
                     "conversions": int(counts.get(a_id, 0)), "rate": _pct(rate),
                     "median": _pct(median), "factor": factor_text(limits.outlier_x100)},
                    held, today, actor,
                )
            )  # fmt: skip
    return flags


def _pct(value: Fraction) -> str:
    """A rate as a percentage with two decimals (for the words of a flag only)."""
    hundredths = (value * 10_000 * 2 + 1) // 2  # half up
    return f"{hundredths / 100:.2f}%"


def check_clicks(
    session: Session,
    program: Program,
    days: set[tuple[int, date]],
    today: date,
    actor: str,
) -> list[ReviewFlag]:
    """The click-spike rule for these (affiliate id, day) pairs of the program, on the days
    not locked yet (a spike on a locked day holds nothing). The clicks are read in one query
    per batch of affiliates."""
    assert program.id is not None
    limits = thresholds(session, program.id)
    first_open = commissions.lock_cutoff(today, program.lock_days).date()
    pairs = sorted((a, d) for a, d in days if d >= first_open)
    if not pairs:
        return []
    window_start = min(d for _, d in pairs) - timedelta(days=limits.spike_days)
    last_day = max(d for _, d in pairs)
    affiliates = sorted({a for a, _ in pairs})
    per_day: dict[int, dict[date, int]] = defaultdict(dict)
    for start in range(0, len(affiliates), 500):
        for a_id, day_, clicks in session.execute(
            sa.select(
                col(ClickDay.affiliate_id), col(ClickDay.day), sa.func.sum(col(ClickDay.clicks))
            )
            .where(
                col(ClickDay.affiliate_id).in_(affiliates[start : start + 500]),
                col(ClickDay.day) >= window_start,
                col(ClickDay.day) <= last_day,
            )
            .group_by(col(ClickDay.affiliate_id), col(ClickDay.day))
        ):
            per_day[a_id][day_] = int(clicks or 0)
    flags = []
    for a_id, day in pairs:
        mine = per_day.get(a_id, {})
        that_day = mine.get(day, 0)
        since = day - timedelta(days=limits.spike_days)
        history = [n for d, n in mine.items() if since <= d < day]
        if len(history) < MIN_SPIKE_HISTORY_DAYS:
            continue
        median = _median([Fraction(n) for n in history])
        if that_day * 100 <= median * limits.spike_x100:
            continue
        affiliate = session.get(Affiliate, a_id)
        handle = affiliate.handle if affiliate else f"#{a_id}"
        start_at = datetime.combine(day, time(), tzinfo=UTC)
        held = list(
            session.exec(
                select(Conversion).where(
                    Conversion.program_id == program.id,
                    Conversion.affiliate_id == a_id,
                    col(Conversion.occurred_at) >= start_at,
                    col(Conversion.occurred_at) < start_at + timedelta(days=1),
                )
            )
        )
        flag = _flag(
            session, program, a_id, ReviewRule.CLICK_SPIKE, day.isoformat(),
            f"click spike: {handle} had {that_day:,} clicks on {day}, above "
            f"{factor_text(limits.spike_x100)}× the median of the {limits.spike_days} days "
            f"before ({_plain(median)})",
            {"day": day, "clicks": that_day, "median": _plain(median),
             "days_of_history": len(history), "factor": factor_text(limits.spike_x100)},
            held, today, actor,
        )  # fmt: skip
        if flag is not None:
            flags.append(flag)
    return flags


def _plain(value: Fraction) -> str:
    """A median of whole numbers: whole, or a half ("12.5")."""
    return str(value.numerator) if value.denominator == 1 else f"{float(value):g}"


def reapply_holds(session: Session, conversion_ids: list[int]) -> int:
    """After an import wrote the platform's status: a conversion an open flag holds stays
    `held`, one a rejected flag reversed stays `reversed`. Returns how many were put back."""
    if not conversion_ids:
        return 0
    fixed = 0
    for start in range(0, len(conversion_ids), 500):
        chunk = conversion_ids[start : start + 500]
        rows = session.execute(
            sa.select(col(ReviewHold.conversion_id), col(ReviewFlag.status))
            .join(ReviewFlag, col(ReviewFlag.id) == col(ReviewHold.flag_id))
            .where(col(ReviewHold.conversion_id).in_(chunk))
        ).all()
        states: dict[int, set[ReviewStatus]] = defaultdict(set)
        for conversion_id, status in rows:
            states[conversion_id].add(status)
        for conversion_id, found in states.items():
            wanted = _status_from(found)
            if wanted is None:
                continue
            conversion = session.get(Conversion, conversion_id)
            if conversion is not None and conversion.status is not wanted:
                conversion.status = wanted
                session.add(conversion)
                fixed += 1
    session.flush()
    return fixed


def _status_from(flags: set[ReviewStatus]) -> ConversionStatus | None:
    """What a conversion's flags make it: reversed when one was rejected, held while one is
    open, approved when all were approved."""
    if ReviewStatus.REJECTED in flags:
        return ConversionStatus.REVERSED
    if ReviewStatus.OPEN in flags:
        return ConversionStatus.HELD
    if flags:
        return ConversionStatus.APPROVED
    return None


# ---- the queue and decisions ----------------------------------------------------------------


@dataclass(frozen=True)
class FlagView:
    id: int
    program_id: int
    program: str
    affiliate_id: int
    affiliate: str
    rule: str
    key: str
    reason: str
    evidence: dict[str, Any]
    status: str
    created_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decision_reason: str | None
    orders: list[str] = field(default_factory=list)
    held_minor: int = 0  # net amount of the conversions it holds
    currency: str = ""

    @property
    def rule_name(self) -> str:
        return RULE_NAMES[ReviewRule(self.rule)]

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "program": self.program,
            "affiliate": self.affiliate,
            "rule": self.rule,
            "reason": self.reason,
            "evidence": self.evidence,
            "status": self.status,
            "orders": self.orders,
            "held_minor": self.held_minor,
            "currency": self.currency,
            "created_at": self.created_at.isoformat(),
            "decided_by": self.decided_by,
            "decided_at": self.decided_at.isoformat() if self.decided_at else None,
            "decision_reason": self.decision_reason,
        }


def _views(session: Session, flags: list[tuple[ReviewFlag, str, str, str]]) -> list[FlagView]:
    ids = [f.id for f, *_ in flags]
    held: dict[int, list[tuple[str, int]]] = defaultdict(list)
    if ids:
        for flag_id, order_id, net in session.execute(
            sa.select(
                col(ReviewHold.flag_id),
                col(Conversion.order_id),
                col(Conversion.amount_minor) - col(Conversion.refund_minor),
            )
            .join(Conversion, col(Conversion.id) == col(ReviewHold.conversion_id))
            .where(col(ReviewHold.flag_id).in_(ids))
            .order_by(col(Conversion.occurred_at))
        ):
            held[flag_id].append((order_id, int(net)))
    views = []
    for flag, program, currency, handle in flags:
        assert flag.id is not None
        try:
            evidence = json.loads(flag.evidence)
        except ValueError:
            evidence = {}
        views.append(
            FlagView(
                id=flag.id,
                program_id=flag.program_id,
                program=program,
                affiliate_id=flag.affiliate_id,
                affiliate=handle,
                rule=flag.rule.value,
                key=flag.key,
                reason=flag.reason,
                evidence=evidence,
                status=flag.status.value,
                created_at=flag.created_at,
                decided_by=flag.decided_by,
                decided_at=flag.decided_at,
                decision_reason=flag.decision_reason,
                orders=[o for o, _ in held[flag.id]],
                held_minor=sum(n for _, n in held[flag.id]),
                currency=currency,
            )
        )
    return views


def parse_status(text: str) -> str:
    """A queue filter: open, approved, rejected or all (any case)."""
    wanted = text.strip().lower()
    choices = [s.value for s in ReviewStatus] + ["all"]
    if wanted not in choices:
        raise ReviewError(f"status: one of {', '.join(choices)}, not {text!r}", "status")
    return wanted


def queue(
    session: Session,
    *,
    program_id: int | None = None,
    status: str | None = "open",
    affiliate_id: int | None = None,
    manager_id: int | None = None,
    unassigned: bool = False,
    limit: int = 500,
    offset: int = 0,
) -> list[FlagView]:
    """Review flags (open ones by default, oldest first), with the orders each holds.
    Team mode: with `manager_id`, only the flags on that manager's affiliates (with
    `unassigned`, and on nobody's), the affiliates workspace's filter (kpis.owner_clause);
    the caller passes services.team.Acting.owner_filter's answer."""
    query = (
        select(ReviewFlag, Program.name, Program.currency, Affiliate.handle)
        .join(Program, col(Program.id) == col(ReviewFlag.program_id))
        .join(Affiliate, col(Affiliate.id) == col(ReviewFlag.affiliate_id))
        .order_by(col(ReviewFlag.created_at), col(ReviewFlag.id))
        .limit(limit)
        .offset(offset)
    )
    if program_id is not None:
        query = query.where(ReviewFlag.program_id == program_id)
    if affiliate_id is not None:
        query = query.where(ReviewFlag.affiliate_id == affiliate_id)
    if manager_id is not None:
        query = query.where(owner_clause(manager_id, unassigned))
    wanted = parse_status(status) if status is not None else "all"
    if wanted != "all":
        query = query.where(ReviewFlag.status == ReviewStatus(wanted))
    return _views(session, [tuple(row) for row in session.exec(query)])  # type: ignore[misc]


def flagged_programs(
    session: Session,
    *,
    manager_id: int | None = None,
    unassigned: bool = False,
    including: int | None = None,
) -> list[tuple[int, str]]:
    """(id, name) of the programs with a review flag (of any state) on the affiliates the
    same team filter as `queue` keeps, by name: what the queue can be narrowed to; with
    `including`, that program too (the one chosen, though nothing of it shows now)."""
    flagged = (
        sa.exists()
        .where(col(ReviewFlag.program_id) == col(Program.id))
        .where(col(Affiliate.id) == col(ReviewFlag.affiliate_id))
    )
    if manager_id is not None:
        flagged = flagged.where(owner_clause(manager_id, unassigned))
    wanted = sa.or_(flagged, col(Program.id) == including) if including is not None else flagged
    query = (
        sa.select(col(Program.id), col(Program.name))
        .where(wanted)
        .order_by(col(Program.name), col(Program.id))
    )
    return [(int(id_), str(name)) for id_, name in session.execute(query)]


def show_flag(session: Session, flag_id: int) -> FlagView:
    if not 0 < flag_id <= fields.MAX_ID:
        raise ReviewError(f"no review flag #{flag_id}", "id")
    row = session.exec(
        select(ReviewFlag, Program.name, Program.currency, Affiliate.handle)
        .join(Program, col(Program.id) == col(ReviewFlag.program_id))
        .join(Affiliate, col(Affiliate.id) == col(ReviewFlag.affiliate_id))
        .where(ReviewFlag.id == flag_id)
    ).first()
    if row is None:
        raise ReviewError(f"no review flag #{flag_id}", "id")
    return _views(session, [tuple(row)])[0]  # type: ignore[list-item]


def decide(
    session: Session,
    flag_id: int,
    approve: bool,
    reason: str,
    actor: str,
    today: date,
    *,
    manager_id: int | None = None,
    unassigned: bool = False,
) -> FlagView:
    """Approve (release) or reject (reverse) what a flag holds, with the reason. The flag's
    row is locked and its state read after the lock: a flag decided already is refused with
    who decided it and when.

    Team mode: `manager_id`/`unassigned` are what the acting person may change
    (services.team.Acting.owner_filter(True): a manager's own affiliates and the unassigned
    ones, None for an admin). A flag on another manager's affiliate is refused in words and
    nothing changes: PostgreSQL's row-level security makes the same rule (there such a flag
    is hidden, so it reads as no flag), and on SQLite this is where the app keeps it. Approving a conversion whose month's statement was built
    already adds its commission as an adjustment of the next statement."""
    from talent_tui.services.affiliates import payouts

    try:
        why = fields.req_text({"reason": reason}, "reason", fields.MAX_LINE)
    except fields.FieldError as exc:
        raise ReviewError(f"reason: {exc.message} (say why)", "reason") from None
    if not 0 < flag_id <= fields.MAX_ID:
        raise ReviewError(f"no review flag #{flag_id}", "id")
    flag = session.exec(
        select(ReviewFlag).where(ReviewFlag.id == flag_id).with_for_update()
    ).first()
    if flag is None:
        hint = " you can see (another manager's flags are theirs)" if manager_id else ""
        raise ReviewError(f"no review flag #{flag_id}{hint}", "id")
    session.refresh(flag)
    if manager_id is not None:
        _refuse_another_managers(session, flag, manager_id, unassigned)
    if flag.status is not ReviewStatus.OPEN:
        when = flag.decided_at.date().isoformat() if flag.decided_at else "?"
        raise ReviewError(
            f"review flag #{flag_id} was already {flag.status.value} on {when} by "
            f"{flag.decided_by or 'someone'}; nothing was changed",
            "id",
        )
    program = session.get(Program, flag.program_id)
    assert program is not None
    flag.status = ReviewStatus.APPROVED if approve else ReviewStatus.REJECTED
    flag.decided_by = actor
    flag.decided_at = utcnow()
    flag.decision_reason = why
    session.add(flag)
    session.flush()
    held_ids = list(
        session.exec(select(ReviewHold.conversion_id).where(ReviewHold.flag_id == flag_id))
    )
    changed = []
    for conversion_id in held_ids:
        conversion = session.exec(
            select(Conversion).where(Conversion.id == conversion_id).with_for_update()
        ).one()
        states = {
            ReviewStatus(status)
            for status in session.exec(
                select(ReviewFlag.status)
                .join(ReviewHold, col(ReviewHold.flag_id) == col(ReviewFlag.id))
                .where(ReviewHold.conversion_id == conversion_id)
            )
        }
        wanted = _status_from(states)
        if wanted is None or wanted is conversion.status:
            continue
        before = conversion.status
        conversion.status = wanted
        conversion.updated_at = utcnow()
        session.add(conversion)
        session.flush()
        changed.append({"order_id": conversion.order_id, "from": before, "to": wanted})
        if wanted is ConversionStatus.APPROVED:
            payouts.approval_after_build(session, program, conversion, actor)
    if not approve and flag.rule in PER_ORDER:
        # a locked order it flagged without holding: rejected, its commission is taken back
        # as a reversal on the affiliate's next statement (a locked order is never edited)
        for conversion in session.exec(
            select(Conversion).where(
                Conversion.affiliate_id == flag.affiliate_id,
                Conversion.order_id == flag.key,
                col(Conversion.id).not_in(held_ids),
                Conversion.status != ConversionStatus.REVERSED,
            )
        ):
            owner = session.get(Program, conversion.program_id)
            assert owner is not None
            refund = conversion.refund_minor
            if payouts.late_change(
                session, owner, conversion, ConversionStatus.REVERSED, refund, today, actor
            ):
                changed.append({"order_id": conversion.order_id, "to": "reversal adjustment"})
    audit.record(
        session,
        actor,
        "review_flag",
        flag_id,
        "review approved" if approve else "review rejected",
        {"status": "open"},
        {"status": flag.status.value, "reason": why, "conversions": changed, "today": today},
    )
    return show_flag(session, flag_id)


def _refuse_another_managers(
    session: Session, flag: ReviewFlag, manager_id: int, unassigned: bool
) -> None:
    """Refuse deciding a flag whose affiliate the acting manager may not change."""
    mine = session.execute(
        sa.select(col(Affiliate.id)).where(
            col(Affiliate.id) == flag.affiliate_id, owner_clause(manager_id, unassigned)
        )
    ).first()
    if mine is not None:
        return
    affiliate = session.get(Affiliate, flag.affiliate_id)
    handle = affiliate.handle if affiliate else f"#{flag.affiliate_id}"
    raise ReviewError(
        f"review flag #{flag.id} is on {handle}, another manager's affiliate (team mode): "
        "their manager or an admin decides it; nothing was changed",
        "id",
    )


def held_net(session: Session, program_id: int) -> tuple[int, int]:
    """(conversions held, their net amount) in a program: what waits in review."""
    row = session.execute(
        sa.select(
            sa.func.count(),
            sa.func.coalesce(
                sa.func.sum(col(Conversion.amount_minor) - col(Conversion.refund_minor)), 0
            ),
        ).where(
            col(Conversion.program_id) == program_id,
            col(Conversion.status) == ConversionStatus.HELD,
        )
    ).one()
    return int(row[0]), int(row[1])


def format_held(count: int, net_minor: int, currency: str) -> str:
    return f"{count} held ({money.format_money(net_minor, currency)})"
