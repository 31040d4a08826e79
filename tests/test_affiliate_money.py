"""Affiliate money (issue 16): the commission engine, statements and adjustments, against
figures computed by hand in each test."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from fractions import Fraction

import pytest
from sqlmodel import Session, select

from talent_tui.services.affiliates import commissions, members, payouts, programs
from talent_tui.services.affiliates.errors import AffiliateError
from talent_tui.store.models import (
    Adjustment,
    AuditEntry,
    CommissionRule,
    Conversion,
    ConversionStatus,
    Program,
    Statement,
    StatementLine,
)
from tests import factories

BUILT = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)  # rules are read as of the build
TODAY = date(2026, 5, 1)  # March + 30 lock days = 30 April: buildable


def program(session: Session, currency: str = "USD", rate: str = "10%", **extra) -> Program:  # noqa: ANN003
    brand = factories.brand(session)
    data = programs.ProgramInput(
        extra.pop("name", f"Program {brand.name}"), brand.name, currency, rate, **extra
    )
    return programs.add_program(session, data, "mina")


def affiliate(session: Session, prog: Program, handle: str, email: str | None = None) -> int:
    assert prog.id is not None
    row = members.add_affiliate(
        session, prog.id, members.AffiliateInput(handle, email=email, stage="active"), "mina"
    )
    assert row.id is not None
    return row.id


def conversion(
    session: Session,
    prog: Program,
    affiliate_id: int,
    order: str,
    at: str,
    amount: int,
    refund: int = 0,
    status: ConversionStatus = ConversionStatus.APPROVED,
) -> Conversion:
    assert prog.id is not None
    row = Conversion(
        program_id=prog.id,
        order_id=order,
        affiliate_id=affiliate_id,
        occurred_at=datetime.fromisoformat(at).replace(tzinfo=UTC),
        amount_minor=amount,
        refund_minor=refund,
        currency=prog.currency,
        status=status,
    )
    session.add(row)
    session.flush()
    return row


def rules_of_march(session: Session, prog: Program) -> None:
    """Tiers from 3 (12 %) and 5 (15 %), a 20 % promotion 1–7 March, bonuses at 3 and 5."""
    set_at = datetime(2026, 2, 1, tzinfo=UTC)
    commissions.set_tier(session, prog, 3, "12%", "mina", now=set_at)
    commissions.set_tier(session, prog, 5, "15%", "mina", now=set_at)
    commissions.add_promotion(session, prog, "20%", "2026-03-01", "2026-03-07", "mina", now=set_at)
    commissions.set_bonus(session, prog, 3, "50 USD", "mina", now=set_at)
    commissions.set_bonus(session, prog, 5, "100 USD", "mina", now=set_at)


def test_a_month_of_tiers_promotion_and_bonuses_matches_the_hand_calculation(database) -> None:  # noqa: ANN001
    with database.transaction() as s:
        prog = program(s)
        rules_of_march(s, prog)
        ana = affiliate(s, prog, "@ana")
        ben = affiliate(s, prog, "@ben")
        # @ana: five counting conversions, exactly the tier "from 5" → 15 % for all of them.
        conversion(s, prog, ana, "A1", "2026-03-01 00:00:00", 10005)  # promo's first day
        conversion(s, prog, ana, "A2", "2026-03-07 23:59:59", 5000, refund=1000)  # promo's last
        conversion(s, prog, ana, "A3", "2026-03-08 00:00:00", 3333)  # the day after: tier
        conversion(s, prog, ana, "A4", "2026-03-15 12:00:00", 1005)
        conversion(
            s, prog, ana, "A5", "2026-03-20 12:00:00", 20000, status=ConversionStatus.PENDING
        )
        conversion(s, prog, ana, "A6", "2026-03-21 12:00:00", 99999, status=ConversionStatus.HELD)
        conversion(
            s, prog, ana, "A7", "2026-03-22 12:00:00", 99999, status=ConversionStatus.REVERSED
        )
        conversion(s, prog, ana, "A8", "2026-02-28 23:59:59", 99999)  # February
        conversion(s, prog, ana, "A9", "2026-04-01 00:00:00", 99999)  # April
        # @ben: one conversion at the base rate 10 %: 10.05 × 10 % = 1.005 → 1.01 (half up).
        conversion(s, prog, ben, "B1", "2026-03-10 08:00:00", 1005)
    with database.transaction() as s:
        prog = s.get(Program, prog.id)
        result = payouts.build(s, prog, date(2026, 3, 1), TODAY, "mina", now=BUILT)
    # By hand, @ana (count 5 → 15 %; promotion 20 % on 1–7 March):
    #   A1 100.05 × 20 % = 20.010  → 20.01
    #   A2 (50.00 − 10.00) × 20 % = 8.00
    #   A3 33.33 × 15 % = 4.9995   → 5.00
    #   A4 10.05 × 15 % = 1.5075   → 1.51
    #   A5 200.00 × 15 % = 30.00 (pending, approved at its lock date)
    #   commission 64.52; bonuses 50.00 + 100.00; total 214.52
    by_handle = {st.affiliate: st for st in result.statements}
    ana_st = by_handle["@ana"]
    assert (ana_st.conversions, ana_st.commission_minor, ana_st.bonus_minor) == (5, 6452, 15000)
    assert (ana_st.adjustments_minor, ana_st.total_minor) == (0, 21452)
    assert ana_st.due_on == date(2026, 5, 31) and ana_st.status == "open"
    ben_st = by_handle["@ben"]
    assert (ben_st.conversions, ben_st.commission_minor, ben_st.total_minor) == (1, 101, 101)
    with database.session() as s:
        shown = payouts.show(s, ana_st.id, TODAY)
        lines = [(ln.order_id, ln.rate_bp, ln.amount_minor) for ln in shown.lines if ln.order_id]
        assert lines == [
            ("A1", 2000, 2001),
            ("A2", 2000, 800),
            ("A3", 1500, 500),
            ("A4", 1500, 151),
            ("A5", 1500, 3000),
        ]
        whys = {ln.order_id: ln.why for ln in shown.lines}
        assert whys["A1"] == "promotion 2026-03-01..2026-03-07: 20% > 15% tier rate"
        assert whys["A3"] == "tier from 5: 15% (5 this month)"
        assert s.get(Conversion, 5).status is ConversionStatus.APPROVED  # A5, at its lock date
        assert s.exec(select(Statement)).all().__len__() == 2
        assert (
            s.exec(select(StatementLine).where(StatementLine.kind == "bonus")).all().__len__() == 2
        )


def test_below_the_first_tier_is_the_base_rate_and_one_short_of_a_tier_is_not_the_tier(
    database,  # noqa: ANN001
) -> None:
    with database.transaction() as s:
        prog = program(s)
        rules_of_march(s, prog)
        cy = affiliate(s, prog, "@cy")
        # Two conversions: below "from 3" → base 10 %, no bonus (outside the promotion).
        conversion(s, prog, cy, "C1", "2026-03-10 00:00:00", 12345)  # 12.345 → 12.35
        conversion(s, prog, cy, "C2", "2026-03-31 23:59:59", 5)  # 0.5 cent → 1 cent
        result = payouts.build(s, prog, date(2026, 3, 1), TODAY, "mina", now=BUILT)
    [st] = result.statements
    assert (st.conversions, st.commission_minor, st.bonus_minor, st.total_minor) == (
        2,
        1236,
        0,
        1236,
    )


def test_a_zero_decimal_currency_rounds_half_up_to_the_whole_won(database) -> None:  # noqa: ANN001
    with database.transaction() as s:
        prog = program(s, currency="KRW", rate="5%")
        commissions.set_tier(s, prog, 2, "7.5%", "mina", now=datetime(2026, 1, 1, tzinfo=UTC))
        kim = affiliate(s, prog, "@kim")
        lee = affiliate(s, prog, "@lee")
        # @kim: 2 conversions → 7.5 %: 15,010 × 7.5 % = 1,125.75 → 1,126; 9,990 → 749.25 → 749
        conversion(s, prog, kim, "K1", "2026-03-02 10:00:00", 15010)
        conversion(s, prog, kim, "K2", "2026-03-03 10:00:00", 9990)
        # @lee: 1 conversion at 5 %: 15,010 × 5 % = 750.5 → 751 (the .5 goes up)
        conversion(s, prog, lee, "L1", "2026-03-04 10:00:00", 15010)
        result = payouts.build(s, prog, date(2026, 3, 1), TODAY, "mina", now=BUILT)
    totals = {st.affiliate: (st.currency, st.total_minor) for st in result.statements}
    assert totals == {"@kim": ("KRW", 1875), "@lee": ("KRW", 751)}


def test_building_is_refused_before_the_lock_days_have_passed_and_says_when(database) -> None:  # noqa: ANN001
    with database.transaction() as s:
        prog = program(s)
        with pytest.raises(payouts.PayoutError, match="build on or after 2026-04-30"):
            payouts.build(s, prog, date(2026, 3, 1), date(2026, 4, 29), "mina")
        assert payouts.build(s, prog, date(2026, 3, 1), date(2026, 4, 30), "mina").built == 0


def test_building_twice_changes_nothing_even_after_the_rules_change(database) -> None:  # noqa: ANN001
    with database.transaction() as s:
        prog = program(s)
        rules_of_march(s, prog)
        ana = affiliate(s, prog, "@ana")
        for n in range(1, 6):
            conversion(s, prog, ana, f"A{n}", f"2026-03-1{n} 10:00:00", 10000)
        first = payouts.build(s, prog, date(2026, 3, 1), TODAY, "mina", now=BUILT)
    # 5 × 100.00 × 15 % = 75.00, bonuses 150.00 → 225.00
    assert [st.total_minor for st in first.statements] == [22500]
    with database.transaction() as s:
        prog = s.get(Program, prog.id)
        later = datetime(2026, 5, 2, tzinfo=UTC)
        commissions.set_tier(s, prog, 5, "30%", "mina", now=later)  # a new version
        again = payouts.build(s, prog, date(2026, 3, 1), date(2026, 5, 2), "mina", now=later)
    assert again.built == 0
    assert [st.as_dict() for st in again.statements] == [st.as_dict() for st in first.statements]
    with database.session() as s:
        assert len(s.exec(select(Statement)).all()) == 1
        assert len(s.exec(select(StatementLine)).all()) == 7  # 5 conversions, 2 bonuses
        versions = s.exec(
            select(CommissionRule).where(
                CommissionRule.kind == "tier", CommissionRule.threshold == 5
            )
        ).all()
        assert [(v.rate_bp, v.valid_to is not None) for v in versions] == [
            (1500, True),
            (3000, False),
        ]
        # What applied before the change can still be read.
        assert commissions.rules(s, prog, BUILT).tier_for(5)[0] == 1500
        assert commissions.rules(s, prog, later).tier_for(5)[0] == 3000


def test_a_refund_and_a_reversal_after_locking_are_adjustments_in_the_next_statement(
    database,  # noqa: ANN001
) -> None:
    with database.transaction() as s:
        prog = program(s)
        ana = affiliate(s, prog, "@ana")
        one = conversion(s, prog, ana, "R1", "2026-03-05 10:00:00", 10000)  # 10 % → 10.00
        two = conversion(s, prog, ana, "R2", "2026-03-06 10:00:00", 4005)  # 4.005 → 4.01
        conversion(s, prog, ana, "R3", "2026-04-06 10:00:00", 20000)  # April: 20.00
        march = payouts.build(s, prog, date(2026, 3, 1), TODAY, "mina", now=BUILT)
        assert [st.total_minor for st in march.statements] == [1401]
        payouts.pay(s, march.statements[0].id, "mina", today=TODAY, reference="wire 1")
        # After payment the platform reverses R1 and refunds 20.05 of R2:
        assert payouts.late_change(s, prog, one, ConversionStatus.REVERSED, 0, TODAY, "mina")
        made = payouts.late_change(s, prog, two, ConversionStatus.APPROVED, 2005, TODAY, "mina")
        assert len(made) == 1
        # the same word again adds nothing
        assert (
            payouts.late_change(s, prog, two, ConversionStatus.APPROVED, 2005, TODAY, "mina") == []
        )
        assert (one.status, one.refund_minor) == (ConversionStatus.APPROVED, 0)  # not edited
        april = payouts.build(
            s,
            prog,
            date(2026, 4, 1),
            date(2026, 5, 31),
            "mina",
            now=datetime(2026, 5, 31, tzinfo=UTC),
        )
    # By hand: April 200.00 × 10 % = 20.00; R1's 10.00 taken back; R2: 4.01 before,
    # (40.05 − 20.05) × 10 % = 2.00 after → −2.01; total 20.00 − 10.00 − 2.01 = 7.99
    [st] = april.statements
    assert (st.commission_minor, st.adjustments_minor, st.total_minor) == (2000, -1201, 799)
    with database.session() as s:
        shown = payouts.show(s, st.id, date(2026, 5, 31))
        reasons = [ln.why for ln in shown.lines if ln.kind == "adjustment"]
        assert reasons == [
            "order R1 (2026-03) reversed after it locked",
            "order R2 (2026-03) refunded 20.05 USD after it locked",
        ]
        assert all(a.statement_id == st.id for a in s.exec(select(Adjustment)))


def test_a_negative_total_is_carried_forward_not_paid(database) -> None:  # noqa: ANN001
    with database.transaction() as s:
        prog = program(s)
        ana = affiliate(s, prog, "@ana")
        big = conversion(s, prog, ana, "N1", "2026-03-05 10:00:00", 50000)  # 50.00
        payouts.build(s, prog, date(2026, 3, 1), TODAY, "mina", now=BUILT)
        payouts.late_change(s, prog, big, ConversionStatus.REVERSED, 0, TODAY, "mina")
        conversion(s, prog, ana, "N2", "2026-04-05 10:00:00", 10000)  # 10.00
        april = payouts.build(
            s,
            prog,
            date(2026, 4, 1),
            date(2026, 5, 31),
            "mina",
            now=datetime(2026, 5, 31, tzinfo=UTC),
        )
        [st] = april.statements
        # 10.00 − 50.00 = −40.00: carried, nothing to pay
        assert (st.total_minor, st.status) == (-4000, "carried")
        with pytest.raises(payouts.PayoutError, match="nothing to pay"):
            payouts.pay(s, st.id, "mina", today=date(2026, 5, 31))
        conversion(s, prog, ana, "N3", "2026-05-05 10:00:00", 100000)  # 1,000.00
        may = payouts.build(
            s,
            prog,
            date(2026, 5, 1),
            date(2026, 6, 30),
            "mina",
            now=datetime(2026, 6, 30, tzinfo=UTC),
        )
    [st] = may.statements
    # May: 1,000.00 × 10 % = 100.00 − 40.00 carried = 60.00
    assert (st.commission_minor, st.adjustments_minor, st.total_minor) == (10000, -4000, 6000)


def test_paying_twice_is_refused_with_who_paid_and_when(database) -> None:  # noqa: ANN001
    with database.transaction() as s:
        prog = program(s)
        ana = affiliate(s, prog, "@ana")
        conversion(s, prog, ana, "P1", "2026-03-05 10:00:00", 10000)
        [st] = payouts.build(s, prog, date(2026, 3, 1), TODAY, "mina", now=BUILT).statements
        paid = payouts.pay(s, st.id, "mina", today=TODAY, paid_on="2026-05-01", reference="W-1")
        assert (paid.status, paid.paid_on, paid.reference) == ("paid", date(2026, 5, 1), "W-1")
    with pytest.raises(AffiliateError, match="already paid on 2026-05-01 by mina"):
        with database.transaction() as s:
            payouts.pay(s, st.id, "joe", today=TODAY)
    with database.session() as s:
        entries = s.exec(select(AuditEntry).where(AuditEntry.action == "statement paid")).all()
        assert [json.loads(e.after)["reference"] for e in entries] == ["W-1"]


def test_overdue_is_an_open_statement_past_its_due_date(database) -> None:  # noqa: ANN001
    with database.transaction() as s:
        prog = program(s, net_days=10)
        ana = affiliate(s, prog, "@ana")
        conversion(s, prog, ana, "O1", "2026-03-05 10:00:00", 10000)
        [st] = payouts.build(s, prog, date(2026, 3, 1), TODAY, "mina", now=BUILT).statements
        assert st.due_on == date(2026, 5, 11)
        assert payouts.overdue(s, date(2026, 5, 11)) == []
        [late] = payouts.overdue(s, date(2026, 5, 12))
        assert late.id == st.id and late.overdue


def test_two_people_paying_or_building_at_once_pay_once_and_build_once(database) -> None:  # noqa: ANN001
    import threading

    with database.transaction() as s:
        prog = program(s)
        ana = affiliate(s, prog, "@ana")
        conversion(s, prog, ana, "C1", "2026-03-05 10:00:00", 10000)
        prog_id = prog.id
    results: list[str] = []
    start = threading.Barrier(2)

    def build(who: str) -> None:
        start.wait()
        with database.transaction() as s:
            result = payouts.build(s, s.get(Program, prog_id), date(2026, 3, 1), TODAY, who)
            results.append(f"built {result.built}")

    threads = [threading.Thread(target=build, args=(n,)) for n in ("mina", "joe")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["built 0", "built 1"]
    with database.session() as s:
        [statement] = s.exec(select(Statement)).all()
    results.clear()
    start.reset()

    def pay(who: str) -> None:
        start.wait()
        try:
            with database.transaction() as s:
                payouts.pay(s, statement.id, who, today=TODAY)
            results.append("paid")
        except payouts.PayoutError as exc:
            results.append(str(exc))

    threads = [threading.Thread(target=pay, args=(n,)) for n in ("mina", "joe")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 2 and results.count("paid") == 1
    [refused] = [r for r in results if r != "paid"]
    assert "was already paid on 2026-05-01 by" in refused
    with database.session() as s:
        paid = s.exec(select(AuditEntry).where(AuditEntry.action == "statement paid")).all()
        assert len(paid) == 1


def test_an_affiliates_conversions_with_their_rates_and_statuses(database) -> None:  # noqa: ANN001
    with database.transaction() as s:
        prog = program(s)
        rules_of_march(s, prog)
        ana = affiliate(s, prog, "@ana")
        for n in range(1, 4):  # 3 in March → tier 12 %, built
            conversion(s, prog, ana, f"M{n}", f"2026-03-1{n} 10:00:00", 10000)
        payouts.build(s, prog, date(2026, 3, 1), TODAY, "mina", now=BUILT)
        conversion(s, prog, ana, "A1", "2026-04-03 10:00:00", 2005)  # April: base 10 %, estimate
        conversion(s, prog, ana, "A2", "2026-04-04 10:00:00", 999, status=ConversionStatus.HELD)
        conversion(s, prog, ana, "A3", "2026-04-05 10:00:00", 999, status=ConversionStatus.REVERSED)
        conversion(s, prog, ana, "A4", "2026-04-06 10:00:00", 999, status=ConversionStatus.PENDING)
        rows = payouts.affiliate_conversions(s, prog, ana)
    seen = [(r.order_id, r.status, r.rate_bp, r.commission_minor, r.estimate) for r in rows]
    assert seen == [
        # pending: estimated as the approved order it becomes at its lock date (April: A1
        # and A4 count, 2 < 3: base 10 %): 9.99 × 10 % = 0.999 → 1.00
        ("A4", "pending", 1000, 100, True),
        ("A3", "reversed", None, 0, False),
        ("A2", "held", None, 0, False),
        ("A1", "approved", 1000, 201, True),  # 20.05 × 10 % = 2.005 → 2.01
        ("M3", "approved", 1200, 1200, False),
        ("M2", "approved", 1200, 1200, False),
        ("M1", "approved", 1200, 1200, False),
    ]
    assert rows[2].why == "held in review: held by the platform"
    assert (
        rows[0].why == "pending (counts at its lock date unless held): base rate 10% (2 this month)"
    )
    assert rows[4].statement_id is not None


def test_the_management_report_counts_payouts_on_time_late_and_overdue(database) -> None:  # noqa: ANN001
    from talent_tui.io import affiliate_reports
    from talent_tui.services.affiliates import kpis, program_report

    with database.transaction() as s:
        prog = program(s, net_days=10)
        people = [affiliate(s, prog, h) for h in ("@a", "@b", "@c")]
        for n, who in enumerate(people, start=1):
            conversion(s, prog, who, f"Q{n}", f"2026-03-0{n} 10:00:00", 10000 * n)
        views = payouts.build(s, prog, date(2026, 3, 1), TODAY, "mina", now=BUILT).statements
        # all due 11 May: @a paid on 10 May, @b on 14 May (3 days late), @c not paid
        payouts.pay(s, views[0].id, "mina", today=date(2026, 5, 20), paid_on="2026-05-10")
        payouts.pay(s, views[1].id, "mina", today=date(2026, 5, 20), paid_on="2026-05-14")
        report = program_report.build_report(
            s, prog, kpis.parse_month("2026-05"), date(2026, 5, 20), management=True
        )
        march = program_report.build_report(
            s, prog, kpis.parse_month("2026-03"), date(2026, 5, 20), management=False
        )
    t = report.timeliness
    assert (t.due, t.on_time, t.late, t.late_days, t.overdue, t.not_due) == (3, 1, 1, 3, 1, 0)
    # March: revenue 100 + 200 + 300 = 600.00; commission 10 % = 60.00; paid 10.00 + 20.00
    assert (march.revenue_minor, march.commission_minor, march.paid_minor) == (60000, 6000, 3000)
    assert march.cost_of_sale == Fraction(1, 10) and march.roi == Fraction(9)
    text = affiliate_reports.render(march, "md")
    assert "- **Cost of sale:** 10.0%" in text and "- **ROI:** 900.0%" in text
    assert "| @c | 0 | 1 | 300.00 USD | 30.00 USD |" in text


def test_a_tier_pays_at_least_the_base_and_the_tiers_below_and_at_most_those_above(
    database,  # noqa: ANN001
) -> None:
    """A lower rate for more conversions is a typo, never a rule (a tester set a tier below
    the base without a word): refused, naming the rate it must reach, and nothing stored."""
    with database.transaction() as s:
        prog = program(s, rate="10%")
        commissions.set_tier(s, prog, 40, "14%", "mina")
        refusals = [
            (5, "9%", "at least the base rate (10%)"),
            (80, "12%", "the tier from 40 pays 14% already"),
            (20, "15%", "the tier from 40 pays 14%; from 20 pays at most that"),
        ]
        for threshold, rate, words in refusals:
            with pytest.raises(AffiliateError, match=re.escape(words)) as caught:
                commissions.set_tier(s, prog, threshold, rate, "mina")
            assert caught.value.field == "rate"
        commissions.set_tier(s, prog, 80, "16%", "mina")
        commissions.set_tier(s, prog, 40, "15%", "mina")  # a tier's own rate may change
        in_force = commissions.rules(s, prog)
        assert [(t.threshold, t.rate_bp) for t in in_force.tiers] == [(40, 1500), (80, 1600)]
