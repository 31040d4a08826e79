"""Affiliate money after the fact (attack report items 1, 2, 5): late refunds and reversals of
the same conversion, late orders of a month already built, and sums beyond what talent
stores — against figures computed by hand in each test."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from talent_tui.cli import main as cli
from talent_tui.core import money
from talent_tui.services.affiliates import commissions, payouts
from talent_tui.store.models import (
    Adjustment,
    AdjustmentKind,
    Conversion,
    ConversionStatus,
    LineKind,
    Program,
    Statement,
    StatementLine,
)
from tests.test_affiliate_money import affiliate, conversion, program

APPROVED, PENDING, REVERSED = (
    ConversionStatus.APPROVED,
    ConversionStatus.PENDING,
    ConversionStatus.REVERSED,
)


def build(s: Session, prog: Program, month: str) -> payouts.BuildResult:
    """Build `month` ("2026-03") on the first day it can be built."""
    first = payouts.parse_month(month)
    day = payouts.possible_on(prog, first)
    return payouts.build(
        s, prog, first, day, "mina", now=datetime.combine(day, time(9), tzinfo=UTC)
    )


def adjustment_lines(s: Session, statement_id: int) -> list[tuple[int | None, int]]:
    """(rate, amount) of a statement's adjustment lines, in the order they were written."""
    return [
        (ln.rate_bp, ln.amount_minor)
        for ln in s.exec(
            select(StatementLine)
            .where(
                StatementLine.statement_id == statement_id,
                StatementLine.kind == LineKind.ADJUSTMENT,
            )
            .order_by(col(StatementLine.id))
        )
    ]


def taken(s: Session, conv: Conversion) -> list[int | None]:
    """What each late refund or reversal of a conversion took, in id order (as stored)."""
    return [
        a.amount_minor
        for a in s.exec(
            select(Adjustment)
            .where(
                Adjustment.conversion_id == conv.id,
                col(Adjustment.kind).in_([AdjustmentKind.REFUND, AdjustmentKind.REVERSAL]),
            )
            .order_by(col(Adjustment.id))
        )
    ]


def test_late_refunds_then_a_reversal_take_back_only_what_the_line_earned(database) -> None:  # noqa: ANN001
    """All the changes come before the next build, so none is priced when the next is made."""
    with database.transaction() as s:
        prog = program(s)  # 10 %
        ann, bea, cal = (affiliate(s, prog, h) for h in ("@ann", "@bea", "@cal"))
        a1 = conversion(s, prog, ann, "A1", "2026-03-10 10:00:00", 10000)  # 10.00
        b1 = conversion(s, prog, bea, "B1", "2026-03-10 10:00:00", 10005)  # 10.005 → 10.01
        c1 = conversion(s, prog, cal, "C1", "2026-03-10 10:00:00", 10005)  # 10.01
        march = build(s, prog, "2026-03")
        assert [st.total_minor for st in march.statements] == [1000, 1001, 1001]
        today = date(2026, 5, 1)
        # @ann: refund 40.00, then reversed
        payouts.late_change(s, prog, a1, APPROVED, 4000, today, "mina")
        payouts.late_change(s, prog, a1, REVERSED, 4000, today, "mina")
        # @bea: refund 40.00, then the refund grows to 60.00, then reversed
        payouts.late_change(s, prog, b1, APPROVED, 4000, today, "mina")
        payouts.late_change(s, prog, b1, APPROVED, 6000, today, "mina")
        payouts.late_change(s, prog, b1, REVERSED, 6000, today, "mina")
        # @cal: refunded 150.00, more than the order, then reversed
        payouts.late_change(s, prog, c1, APPROVED, 15000, today, "mina")
        payouts.late_change(s, prog, c1, REVERSED, 15000, today, "mina")
        april = {st.affiliate: st for st in build(s, prog, "2026-04").statements}
        # By hand, at 10 %:
        # @ann: 10.00 earned; after the refund 60.00 earns 6.00 → −4.00; reversal: the 6.00 left
        assert taken(s, a1) == [-400, -600]
        # @bea: 10.01; net 60.05 → 6.005 → 6.01: −4.00; net 40.05 → 4.005 → 4.01: −2.00;
        # reversal: the 4.01 left
        assert taken(s, b1) == [-400, -200, -401]
        # @cal: 10.01; nothing left after refunding more than the order: −10.01, then 0.00
        assert taken(s, c1) == [-1001, 0]
        for who, conv, earned in (("@ann", a1, 1000), ("@bea", b1, 1001), ("@cal", c1, 1001)):
            st = april[who]
            assert sum(a or 0 for a in taken(s, conv)) == -earned
            assert (st.adjustments_minor, st.total_minor, st.status) == (
                -earned,
                -earned,
                "carried",
            )
            assert adjustment_lines(s, st.id) == [(1000, a) for a in taken(s, conv)]


def test_a_reversal_a_month_after_its_refund_takes_what_is_left(database) -> None:  # noqa: ANN001
    with database.transaction() as s:
        prog = program(s)
        ann = affiliate(s, prog, "@ann")
        a1 = conversion(s, prog, ann, "A1", "2026-03-10 10:00:00", 10000)  # 10.00
        conversion(s, prog, ann, "A2", "2026-04-10 10:00:00", 10000)  # April 10.00
        conversion(s, prog, ann, "A3", "2026-05-10 10:00:00", 10000)  # May 10.00
        build(s, prog, "2026-03")
        payouts.late_change(s, prog, a1, APPROVED, 4000, date(2026, 5, 1), "mina")
        [april] = build(s, prog, "2026-04").statements
        payouts.late_change(s, prog, a1, REVERSED, 4000, date(2026, 6, 1), "mina")
        [may] = build(s, prog, "2026-05").statements
        # April 10.00 − 4.00 = 6.00; May 10.00 − 6.00 (what is left of A1's 10.00) = 4.00
        assert (april.adjustments_minor, april.total_minor) == (-400, 600)
        assert (may.adjustments_minor, may.total_minor) == (-600, 400)
        assert taken(s, a1) == [-400, -600]


def paid_once(s: Session, prog: Program, before: date) -> dict[str, int]:
    """How many times each approved conversion of the months before `before` is paid: by its
    statement line, or by an adjustment on a statement."""
    start, _ = commissions.month_bounds(before)
    counts = {
        c.order_id: 0
        for c in s.exec(
            select(Conversion).where(
                Conversion.program_id == prog.id,
                Conversion.status == APPROVED,
                col(Conversion.occurred_at) < start,
            )
        )
    }
    for order_id, _ in s.execute(
        sa.select(col(Conversion.order_id), col(StatementLine.id)).join(
            StatementLine,
            sa.and_(
                col(StatementLine.conversion_id) == col(Conversion.id),
                col(StatementLine.kind) == LineKind.CONVERSION,
            ),
        )
    ):
        counts[order_id] += 1
    for order_id, _ in s.execute(
        sa.select(col(Conversion.order_id), col(Adjustment.id))
        .join(Adjustment, col(Adjustment.conversion_id) == col(Conversion.id))
        .where(
            col(Adjustment.kind) == AdjustmentKind.APPROVAL,
            col(Adjustment.statement_id).is_not(None),
        )
    ):
        counts[order_id] += 1
    return counts


def test_a_late_order_of_a_month_already_built_is_paid_once_on_a_later_statement(
    database,  # noqa: ANN001
) -> None:
    with database.transaction() as s:
        prog = program(s)  # 10 %, tier from 2 conversions at 15 %
        commissions.set_tier(s, prog, 2, "15%", "mina", now=datetime(2026, 1, 1, tzinfo=UTC))
        ann, bob = affiliate(s, prog, "@ann"), affiliate(s, prog, "@bob")
        conversion(s, prog, ann, "M1", "2026-03-10 10:00:00", 10000)  # 1 conversion: 10 %
        [march] = build(s, prog, "2026-03").statements
        payouts.pay(s, march.id, "mina", today=date(2026, 5, 1), reference="wire 1")
        # Late orders of March, after its statements were built (and @ann's paid):
        l1 = conversion(s, prog, ann, "L1", "2026-03-20 10:00:00", 5005, status=PENDING)
        conversion(s, prog, bob, "L2", "2026-03-21 10:00:00", 7000)
        conversion(s, prog, bob, "L3", "2026-03-22 10:00:00", 3000, status=PENDING)
        # February was never built: its order is left to February's own build
        conversion(s, prog, bob, "F1", "2026-02-02 10:00:00", 1000)
        result = build(s, prog, "2026-04")
        assert l1.status is APPROVED  # approved at its lock date by the build
        # @ann had a March statement: L1 is carried onto her April statement at the rate of
        # her March statement (10 %, one conversion; her count and tier do not change):
        # 50.05 × 10 % = 5.005 → 5.01
        [april] = result.statements
        assert (april.affiliate, april.conversions, april.total_minor) == ("@ann", 0, 501)
        assert adjustment_lines(s, april.id) == [(1000, 501)]
        shown = payouts.show(s, april.id, date(2026, 5, 31))
        assert shown.lines[0].why.startswith("late order for 2026-03: order L1 ")
        assert shown.lines[0].net_minor == 5005
        # @bob had none: his March statement is built now, as building March again would:
        # 2 conversions → 15 %: 70.00 → 10.50, 30.00 → 4.50; total 15.00
        [late] = result.late
        assert (late.affiliate, late.month, late.conversions, late.total_minor) == (
            "@bob",
            date(2026, 3, 1),
            2,
            1500,
        )
        assert result.as_dict()["late_statements"][0]["month"] == "2026-03"  # type: ignore[index]
        assert paid_once(s, prog, date(2026, 4, 1)) == {"M1": 1, "L1": 1, "L2": 1, "L3": 1, "F1": 0}
        # Building again — April, March, then May — pays nothing twice
        for month in ("2026-04", "2026-03", "2026-05"):
            again = build(s, prog, month)
            assert (again.built, again.late) == (0, [])
        assert paid_once(s, prog, date(2026, 6, 1)) == {"M1": 1, "L1": 1, "L2": 1, "L3": 1, "F1": 0}
        assert [st.total_minor for st in build(s, prog, "2026-02").statements] == [100]
        # L1 refunded 20.05 after it was carried: priced at the 10 % it was paid at:
        # 5.01 before, (50.05 − 20.05) × 10 % = 3.00 after → −2.01; then reversed: −3.00
        payouts.late_change(s, prog, l1, APPROVED, 2005, date(2026, 7, 1), "mina")
        [june] = build(s, prog, "2026-06").statements
        assert adjustment_lines(s, june.id) == [(1000, -201)]
        payouts.late_change(s, prog, l1, REVERSED, 2005, date(2026, 8, 1), "mina")
        july = build(s, prog, "2026-07").statements
        # June: −2.01 carried to July; July: −3.00 − 2.01 = −5.01, all L1 earned
        assert [(st.affiliate, st.total_minor) for st in july] == [("@ann", -501)]
        assert taken(s, l1) == [-201, -300]
    with database.session() as s:
        approvals = list(
            s.exec(select(Adjustment).where(Adjustment.kind == AdjustmentKind.APPROVAL))
        )
        assert [(a.amount_minor, a.statement_id) for a in approvals] == [(501, april.id)]
        assert (
            len(list(s.exec(select(Statement)))) == 6
        )  # Mar ann, Apr ann, Mar bob, Feb bob, Jun, Jul


def test_a_statement_beyond_what_talent_stores_is_refused_and_nothing_is_written(
    database,  # noqa: ANN001
) -> None:
    with database.transaction() as s:
        prog = program(s, rate="100%")
        whale, small = affiliate(s, prog, "@whale"), affiliate(s, prog, "@small")
        conversion(s, prog, small, "S1", "2026-03-01 10:00:00", 10000)
        # 10,000 orders of the largest amount: their sum (10**19) is beyond a 64-bit integer
        s.execute(
            sa.insert(Conversion),
            [
                {
                    "program_id": prog.id,
                    "order_id": f"W{i}",
                    "affiliate_id": whale,
                    "occurred_at": datetime(2026, 3, 2, 10, tzinfo=UTC),
                    "amount_minor": money.MAX_MINOR,
                    "refund_minor": 0,
                    "currency": "USD",
                    "status": APPROVED,
                }
                for i in range(10_000)
            ],
        )
    with pytest.raises(payouts.PayoutError) as refused, database.transaction() as s:
        build(s, s.get(Program, prog.id), "2026-03")  # type: ignore[arg-type]
    assert str(refused.value) == (
        f"{prog.name} 2026-03: the statement of @whale in USD cannot be built: its commission "
        "100,000,000,000,000,000.00 USD exceeds what talent can store "
        "(at most 10,000,000,000,000.00 USD); nothing was built"
    )
    with database.session() as s:
        assert list(s.exec(select(Statement))) == []  # not even @small's
        assert list(s.exec(select(StatementLine))) == []


def test_the_command_line_refuses_in_one_line_and_lists_late_statements(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = CliRunner()
    db = str(tmp_path / "t.db")

    def run(*args: str, code: int = 0, today: str = "2026-05-01"):  # noqa: ANN202
        monkeypatch.setenv("TALENT_TODAY", today)
        result = runner.invoke(cli.app, ["--db", db, *args], catch_exceptions=False)
        assert result.exit_code == code, (result.stdout, result.stderr)
        assert "Traceback" not in result.stdout + result.stderr
        return result

    run("brands", "add", "Acme")
    run("programs", "add", "Shop", "--brand", "Acme", "--currency", "USD", "--rate", "100%")
    for handle in ("@ann", "@bob"):
        run("affiliates", "add", handle, "-p", "shop", "--stage", "active")

    def orders(name: str, rows: str, today: str = "2026-05-01") -> str:
        path = tmp_path / name
        path.write_text("order_id,affiliate,occurred_at,amount\n" + rows, encoding="utf-8")
        run("import", "conversions", str(path), "--program", "shop", today=today)
        return str(path)

    orders("march.csv", "A1,@ann,2026-03-10,1.00\n")
    run("payouts", "build", "--program", "shop", "--month", "2026-03")
    orders("late.csv", "L1,@bob,2026-03-20,2.00\n")  # a late order of March, for @bob
    built = run("payouts", "build", "-p", "shop", "-m", "2026-04", today="2026-05-31").stdout
    assert " ".join(built.split()) == (
        "Shop 2026-04: 0 statement(s) built. Late orders: 1 statement(s) of earlier months "
        "built for affiliates who had none: #2 2026-03 @bob."
    )
    # May: @ann's 10,000,000,000,000.01 at 100 % is beyond what talent stores
    orders(
        "may.csv",
        'W1,@ann,2026-05-10,"10,000,000,000,000.00"\nW2,@ann,2026-05-11,0.01\n',
        today="2026-05-31",  # no order is imported before it happened
    )
    refused = run("payouts", "build", "-p", "shop", "-m", "2026-05", code=1, today="2026-06-30")
    assert refused.stdout == ""
    assert refused.stderr.count("\n") == 1
    assert (
        "Shop 2026-05: the statement of @ann in USD cannot be built: its commission "
        "10,000,000,000,000.01 USD exceeds what talent can store "
        "(at most 10,000,000,000,000.00 USD); nothing was built"
    ) in refused.stderr
    listed = run("payouts", "list", "-p", "shop", "-m", "2026-05", today="2026-06-30").stdout
    assert listed.strip() == "No statements."


def test_a_late_order_found_by_rebuilding_a_built_month_waits_for_the_next_statement(
    database,  # noqa: ANN001
) -> None:
    with database.transaction() as s:
        prog = program(s)
        ann = affiliate(s, prog, "@ann")
        conversion(s, prog, ann, "M1", "2026-03-10 10:00:00", 10000)  # March 10.00
        conversion(s, prog, ann, "A1", "2026-04-10 10:00:00", 20000)  # April 20.00
        build(s, prog, "2026-03")
        [april] = build(s, prog, "2026-04").statements
        conversion(
            s, prog, ann, "L1", "2026-03-30 23:59:59", 999
        )  # late: 9.99 × 10 % = 0.999 → 1.00
        again = build(s, prog, "2026-04")  # April is built: it is never changed
        assert (again.built, [st.total_minor for st in again.statements]) == (0, [2000])
        [waiting] = s.exec(select(Adjustment).where(Adjustment.kind == AdjustmentKind.APPROVAL))
        assert (waiting.amount_minor, waiting.statement_id) == (100, None)
        [may] = build(s, prog, "2026-05").statements  # May: only the late order, 1.00
        assert (may.affiliate, may.conversions, may.total_minor) == ("@ann", 0, 100)
        assert adjustment_lines(s, may.id) == [(1000, 100)]
        assert paid_once(s, prog, date(2026, 5, 1)) == {"M1": 1, "A1": 1, "L1": 1}
        assert april.id != may.id
