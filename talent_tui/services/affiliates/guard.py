"""What every import of clicks and conversions asks of the money rules, in three calls, so
the importers stay small (io.importers.conversions, io.importers.clicks):

- `frozen_reimports` (before a re-import updates stored orders): a locked or paid conversion
  is not edited; a later refund or reversal of it becomes an adjustment of the affiliate's
  next statement (payouts.late_change). A re-import naming another affiliate for a stored
  order is a duplicate claim (review.claim_conflict). Returns the ids the importer must leave
  as they are.
- `after_conversions` (after the file's conversions are written): the review rules on the
  program's conversions not locked yet (review.after_import), the outlier rule on the months
  the file touched, and held/reversed states a re-import overwrote put back.
- `after_clicks` (after click days are written): the click-spike rule on the days written.

All of it runs inside the import's transaction: a refused import leaves no flag behind.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from talent_tui.services.affiliates import commissions, payouts, review
from talent_tui.store.models import (
    Affiliate,
    Conversion,
    ConversionStatus,
    Program,
    Statement,
    StatementLine,
)

ACTOR = "import"


@dataclass
class Reimports:
    """What `reimports` found among the stored orders a file names again, by conversion id:
    `frozen` the locked or paid ones, left as stored; `claimed` those the file names under
    another affiliate (flagged as a duplicate claim, held unless locked); `adjusted` the
    frozen ones whose later refund or reversal became an adjustment now; `ignored` the frozen
    ones whose status or refund in the file differs and is no later refund or reversal;
    `released` the held ones (never paid) the platform reversed: stored reversed, out of
    review's holds."""

    frozen: set[int] = field(default_factory=set)
    claimed: set[int] = field(default_factory=set)
    adjusted: set[int] = field(default_factory=set)
    ignored: set[int] = field(default_factory=set)
    released: set[int] = field(default_factory=set)


def frozen_reimports(
    session: Session,
    program: Program,
    rows: Iterable[tuple[int, int, ConversionStatus, int]],
    today: date,
    actor: str = ACTOR,
) -> set[int]:
    """`rows`: (stored conversion id, the affiliate id the file names, the file's status,
    the file's refund). Returns the ids not to edit (see the module)."""
    return reimports(session, program, rows, today, actor).frozen


def reimports(
    session: Session,
    program: Program,
    rows: Iterable[tuple[int, int, ConversionStatus, int]],
    today: date,
    actor: str = ACTOR,
) -> Reimports:
    """`frozen_reimports`, saying what became of each order (see `Reimports`). A file with
    no status or refund column passes the stored status or refund."""
    wanted = {
        conversion_id: (named, status, refund) for conversion_id, named, status, refund in rows
    }
    found = Reimports()
    frozen = found.frozen
    if not wanted:
        return found
    cutoff = commissions.lock_cutoff(today, program.lock_days)
    any_statement = (
        session.exec(select(Statement.id).where(Statement.program_id == program.id)).first()
        is not None
    )
    ids = list(wanted)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        stated: set[int] = set()
        if any_statement:
            stated = {
                i
                for i in session.exec(
                    select(StatementLine.conversion_id).where(
                        col(StatementLine.conversion_id).in_(chunk)
                    )
                )
                if i is not None
            }
        stored = session.execute(
            sa.select(
                col(Conversion.id),
                col(Conversion.affiliate_id),
                col(Conversion.occurred_at),
                col(Conversion.status),
                col(Conversion.refund_minor),
            ).where(col(Conversion.id).in_(chunk))
        ).all()
        for conversion_id, affiliate_id, occurred_at, was, refunded in stored:
            named, status, refund = wanted[conversion_id]
            if occurred_at.tzinfo is None:  # a plain select gives what the driver stores
                occurred_at = occurred_at.replace(tzinfo=UTC)
            locked = conversion_id in stated or occurred_at < cutoff
            if locked:
                frozen.add(conversion_id)
            # Only a claim by another affiliate, or a locked order reversed or refunded more
            # than stored, needs a closer look (most re-imported rows need none).
            late = locked and (
                (status is ConversionStatus.REVERSED and was != ConversionStatus.REVERSED)
                or refund > refunded
            )
            if locked and not late and (status != was or refund != refunded):
                found.ignored.add(conversion_id)
            if named == affiliate_id and not late:
                continue
            conversion = session.get(Conversion, conversion_id)
            assert conversion is not None
            if named != affiliate_id:
                found.claimed.add(conversion_id)
                review.claim_conflict(session, program, conversion, named, today, actor)
            if late:
                held = conversion.status is ConversionStatus.HELD
                if payouts.late_change(session, program, conversion, status, refund, today, actor):
                    found.adjusted.add(conversion_id)
                elif held and conversion.status is ConversionStatus.REVERSED:
                    found.released.add(conversion_id)
    return found


def review_pins(session: Session, conversion_ids: Iterable[int]) -> dict[int, ConversionStatus]:
    """The status review keeps each of `conversion_ids` in whatever a re-import says (held
    while an open flag holds it, reversed once a rejected one did: review.held_by_review);
    the others are not in it."""
    return review.held_by_review(session, list(conversion_ids))


def after_conversions(
    session: Session,
    program: Program,
    today: date,
    *,
    first: datetime | None = None,
    last: datetime | None = None,
    click_times: dict[str, datetime] | None = None,
    actor: str = ACTOR,
) -> int:
    """Run the review rules after an import of the program's conversions that occurred from
    `first` to `last`; `click_times` maps an order id to its click's time. Returns how many
    flags are new."""
    return len(
        review.after_import(
            session, program, today, actor, first=first, last=last, click_times=click_times
        )
    )


def after_clicks(
    session: Session, days: Iterable[tuple[int, date]], today: date, actor: str = ACTOR
) -> int:
    """The click-spike rule for the (affiliate id, day) pairs an import wrote, per program.
    Returns how many flags are new."""
    pairs = set(days)
    if not pairs:
        return 0
    programs_of = dict(
        session.exec(
            select(Affiliate.id, Affiliate.program_id).where(
                col(Affiliate.id).in_({a for a, _ in pairs})
            )
        ).all()
    )
    made = 0
    for program_id in sorted(set(programs_of.values())):
        program = session.get(Program, program_id)
        if program is None:
            continue
        mine = {(a, d) for a, d in pairs if programs_of.get(a) == program_id}
        made += len(review.check_clicks(session, program, mine, today, actor))
    return made
