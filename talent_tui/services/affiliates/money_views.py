"""What the TUI's money screens need beyond commissions, payouts and review: the cookie days
of a program (the one money term `programs.set_money_terms` does not set), the month the
payouts screen opens on, and a payment checked without being made (the pay form's check
before its confirmation)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session, col

from talent_tui.services import audit
from talent_tui.services.affiliates import commissions, payouts
from talent_tui.services.affiliates.errors import AffiliateError
from talent_tui.store.db import Database
from talent_tui.store.models import Program, Statement

MAX_DAYS = 3650  # what `programs` accepts for lock and net days


def set_cookie_days(session: Session, program: Program, days: int, actor: str) -> Program:
    """Set the cookie window (days after a click a sale is still the affiliate's); audited.
    From 0 to 3650 days, like the lock and net days."""
    assert program.id is not None
    if not 0 <= days <= MAX_DAYS:
        raise AffiliateError(
            f"cookie_days: a number of days from 0 to {MAX_DAYS}, not {days}", "cookie_days"
        )
    before = {"cookie_days": program.attribution_days}
    program.attribution_days = days
    session.add(program)
    session.flush()
    audit.record(
        session, actor, "program", program.id, "cookie days set", before, {"cookie_days": days}
    )
    return program


def opening_month(session: Session, program: Program, today: date) -> date:
    """The month the payouts screen opens on: the newest month the program has statements
    for, else the newest month that can be built today (the month before last, for a long
    lock), else the month before today's."""
    newest = session.execute(
        sa.select(col(Statement.month))
        .where(col(Statement.program_id) == program.id)
        .order_by(col(Statement.month).desc())
        .limit(1)
    ).scalar()
    if isinstance(newest, date):
        return newest
    month = commissions.month_start(today)
    for _ in range(24):
        month = _before(month)
        if payouts.possible_on(program, month) <= today:
            return month
    return _before(commissions.month_start(today))


def _before(first: date) -> date:
    """The first day of the month before `first` (January 1 stays itself)."""
    if first.month == 1:
        return first if first.year == 1 else date(first.year - 1, 12, 1)
    return date(first.year, first.month - 1, 1)


def step_month(first: date, step: int) -> date:
    """The month `step` months after (or before) `first`, kept within the calendar."""
    month = first
    for _ in range(abs(step)):
        month = commissions.next_month(month) if step > 0 else _before(month)
        month = commissions.month_start(month)
    return month


@dataclass(frozen=True)
class PaymentCheck:
    """A payment as it would be made: the statement with the day and reference it would
    carry (nothing was stored)."""

    statement: payouts.StatementView


class _Rollback(Exception):
    def __init__(self, view: payouts.StatementView) -> None:
        super().__init__("dry run")
        self.view = view


def check_payment(
    database: Database,
    statement_id: int,
    actor: str,
    *,
    today: date,
    paid_on: str,
    reference: str,
) -> PaymentCheck:
    """Run `payouts.pay` with these values in a transaction that is rolled back: the same
    refusals as paying (a bad or future day, a paid or carried statement), nothing stored.
    """
    try:
        with database.transaction() as session:
            view = payouts.pay(
                session,
                statement_id,
                actor,
                today=today,
                paid_on=paid_on.strip() or None,
                reference=reference if reference.strip() else None,
            )
            raise _Rollback(view)
    except _Rollback as done:
        return PaymentCheck(done.view)
