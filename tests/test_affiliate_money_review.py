"""Fraud review (issue 16): the six rules with program thresholds, holds, decisions."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from talent_tui.services.affiliates import commissions, payouts, review
from talent_tui.services.affiliates.conversions import customer_hash, hash_key
from talent_tui.store.models import (
    Adjustment,
    AuditEntry,
    ClickDay,
    Conversion,
    ConversionStatus,
    Program,
    ReviewFlag,
    ReviewHold,
)
from tests.test_affiliate_money import affiliate, conversion, program

TODAY = date(2026, 3, 20)  # March's conversions are not locked yet (30 lock days)
P = ConversionStatus.PENDING


def flags_of(s, rule: str | None = None) -> list[ReviewFlag]:  # noqa: ANN001
    query = select(ReviewFlag).order_by(ReviewFlag.id)
    if rule:
        query = query.where(ReviewFlag.rule == rule)
    return list(s.exec(query))


def test_self_referral_compares_keyed_hashes_of_trimmed_lower_case_emails(database) -> None:  # noqa: ANN001
    with database.transaction() as s:
        prog = program(s)
        ana = affiliate(s, prog, "@ana", email="Ana.Lee@Example.com")
        key = hash_key(s)
        own = conversion(s, prog, ana, "S1", "2026-03-10 10:00:00", 5000, status=P)
        own.customer_hash = customer_hash(key, "  ana.lee@EXAMPLE.com ")
        other = conversion(s, prog, ana, "S2", "2026-03-10 11:00:00", 5000, status=P)
        other.customer_hash = customer_hash(key, "someone@example.com")
        new = review.check_conversions(s, prog, [own.id, other.id], TODAY, "mina")
    assert [f.rule.value for f in new] == ["self_referral"]
    with database.session() as s:
        [flag] = flags_of(s)
        assert flag.reason == "self-referral: the customer's e-mail on order S1 is @ana's own"
        assert json.loads(flag.evidence) == {"affiliate": "@ana", "order_id": "S1"}
        assert s.get(Conversion, own.id).status is ConversionStatus.HELD
        assert s.get(Conversion, other.id).status is ConversionStatus.PENDING
        # the customer's e-mail is stored nowhere, only its keyed hash
        rows = s.connection().exec_driver_sql("SELECT * FROM conversions").all()
        assert not any("@" in str(cell) for row in rows for cell in row)
        assert len(s.get(Conversion, own.id).customer_hash) == 64


def test_forbidden_source_is_found_in_the_source_case_insensitively(database) -> None:  # noqa: ANN001
    with database.transaction() as s:
        prog = program(s, forbidden="brand keyword bidding; coupon sites")
        ana = affiliate(s, prog, "@ana")
        bad = conversion(s, prog, ana, "F1", "2026-03-10 10:00:00", 5000, status=P)
        bad.source = "Google  BRAND keyword Bidding"
        fine = conversion(s, prog, ana, "F2", "2026-03-10 10:00:00", 5000, status=P)
        fine.source = "coupon"  # not "coupon sites"
        review.check_conversions(s, prog, [bad.id, fine.id], TODAY, "mina")
        # a second run (a re-import) flags nothing new
        assert review.check_conversions(s, prog, [bad.id, fine.id], TODAY, "mina") == []
    with database.session() as s:
        [flag] = flags_of(s)
        assert flag.rule.value == "forbidden_source" and "brand keyword bidding" in flag.reason
        assert [c.status for c in s.exec(select(Conversion).order_by(Conversion.id))] == [
            ConversionStatus.HELD,
            ConversionStatus.PENDING,
        ]


def test_the_same_order_in_two_programs_of_an_advertiser_holds_both(database) -> None:  # noqa: ANN001
    from talent_tui.services.affiliates import programs as programs_service

    with database.transaction() as s:
        first = program(s)
        brand = s.get(Program, first.id).brand_id
        from talent_tui.store.models import Brand

        second = programs_service.add_program(
            s,
            programs_service.ProgramInput("Second", s.get(Brand, brand).name, "USD", "10%"),
            "mina",
        )
        ana = affiliate(s, first, "@ana")
        bob = affiliate(s, second, "@bob")
        one = conversion(s, first, ana, "D1", "2026-03-10 10:00:00", 5000, status=P)
        two = conversion(s, second, bob, "D1", "2026-03-10 10:05:00", 5000, status=P)
        review.check_conversions(s, first, [one.id], TODAY, "mina")
    with database.session() as s:
        flags = flags_of(s, "duplicate_order")
        assert len(flags) == 2
        assert all(
            "claimed by @ana in" in f.reason and "by @bob in Second" in f.reason for f in flags
        )
        assert s.get(Conversion, one.id).status is ConversionStatus.HELD
        assert s.get(Conversion, two.id).status is ConversionStatus.HELD


def test_too_fast_is_within_the_threshold_seconds_of_the_click(database) -> None:  # noqa: ANN001
    with database.transaction() as s:
        prog = program(s)
        review.set_thresholds(s, prog, "mina", too_fast_s=10)
        ana = affiliate(s, prog, "@ana")
        quick = conversion(s, prog, ana, "T1", "2026-03-10 10:00:10", 5000, status=P)
        slow = conversion(s, prog, ana, "T2", "2026-03-10 10:00:11", 5000, status=P)
        clicked = datetime(2026, 3, 10, 10, 0, 0, tzinfo=UTC)
        review.check_conversions(
            s,
            prog,
            [quick.id, slow.id],
            TODAY,
            "mina",
            click_times={quick.id: clicked, slow.id: clicked},
        )
    with database.session() as s:
        [flag] = flags_of(s)
        assert flag.reason == "too fast: order T1 came 10 s after its click (within 10 s)"


def test_a_conversion_rate_above_three_times_the_median_with_enough_clicks_is_flagged(
    database,  # noqa: ANN001
) -> None:
    # By hand: rates 1/99 ≈ 1.01 %, 2/100, 4/200 = 2 %, 6/100 = 6 %, 7/100 = 7 %.
    # The median is 2 %; 3× is 6 %: 7 % is above (flagged), 6 % is not (not *above*).
    with database.transaction() as s:
        prog = program(s)
        people = {h: affiliate(s, prog, h) for h in ("@low", "@a", "@b", "@edge", "@hot")}
        plan = {
            "@low": (99, 1),
            "@a": (100, 2),
            "@b": (200, 4),
            "@edge": (100, 6),
            "@hot": (100, 7),
        }
        ids = []
        for handle, (clicks, orders) in plan.items():
            s.add(
                ClickDay(
                    program_id=prog.id,
                    affiliate_id=people[handle],
                    day=date(2026, 3, 5),
                    clicks=clicks,
                )
            )
            for n in range(orders):
                c = conversion(
                    s,
                    prog,
                    people[handle],
                    f"{handle}-{n}",
                    f"2026-03-0{n % 9 + 1} 10:00:00",
                    1000,
                    status=P,
                )
                ids.append(c.id)
        review.check_conversions(s, prog, ids, TODAY, "mina")
    with database.session() as s:
        [flag] = flags_of(s)
        assert (flag.rule.value, flag.key, flag.affiliate_id) == (
            "rate_outlier",
            "2026-03",
            people["@hot"],
        )
        assert "7.00% of 100 clicks in 2026-03, above 3× the program's median 2.00%" in flag.reason
        held = s.exec(select(ReviewHold).where(ReviewHold.flag_id == flag.id)).all()
        assert len(held) == 7
    # with 101 minimum clicks nobody qualifies
    with database.transaction() as s:
        prog = s.get(Program, prog.id)
        review.set_thresholds(s, prog, "mina", outlier_min_clicks=101)
        assert review.check_outliers(s, prog, {date(2026, 3, 1)}, TODAY, "mina") == []


def test_a_click_spike_is_above_ten_times_the_median_of_the_days_before(database) -> None:  # noqa: ANN001
    with database.transaction() as s:
        prog = program(s)
        ana = affiliate(s, prog, "@ana")
        for back in range(1, 8):  # seven days of 10 clicks: the median is 10
            s.add(
                ClickDay(
                    program_id=prog.id,
                    affiliate_id=ana,
                    day=date(2026, 3, 10) - timedelta(days=back),
                    clicks=10,
                )
            )
        s.add(ClickDay(program_id=prog.id, affiliate_id=ana, day=date(2026, 3, 10), clicks=101))
        s.add(ClickDay(program_id=prog.id, affiliate_id=ana, day=date(2026, 3, 11), clicks=100))
        that_day = conversion(s, prog, ana, "K1", "2026-03-10 23:00:00", 5000, status=P)
        next_day = conversion(s, prog, ana, "K2", "2026-03-11 01:00:00", 5000, status=P)
        s.flush()
        new = review.check_clicks(
            s, prog, {(ana, date(2026, 3, 10)), (ana, date(2026, 3, 11))}, TODAY, "mina"
        )
    # 101 > 10 × 10 is a spike; on the 11th the median of the days before is still 10
    # (eight days: 10 ×7 and 101) and 100 is not above 100.
    assert [f.key for f in new] == ["2026-03-10"]
    with database.session() as s:
        assert s.get(Conversion, that_day.id).status is ConversionStatus.HELD
        assert s.get(Conversion, next_day.id).status is ConversionStatus.PENDING


def test_held_conversions_earn_nothing_until_approved_and_rejected_ones_are_reversed(
    database,  # noqa: ANN001
) -> None:
    with database.transaction() as s:
        prog = program(s, forbidden="coupon sites")
        ana = affiliate(s, prog, "@ana")
        good = conversion(s, prog, ana, "H1", "2026-03-10 10:00:00", 10000, status=P)
        good.source = "coupon sites"
        bad = conversion(s, prog, ana, "H2", "2026-03-11 10:00:00", 30000, status=P)
        bad.source = "coupon sites"
        conversion(s, prog, ana, "H3", "2026-03-12 10:00:00", 5000, status=P)
        review.check_conversions(s, prog, [good.id, bad.id], TODAY, "mina")
        first, second = flags_of(s)
        march = payouts.build(s, prog, date(2026, 3, 1), date(2026, 5, 1), "mina")
    # Only H3 counts: 50.00 × 10 % = 5.00; the held orders wait.
    assert [st.total_minor for st in march.statements] == [500]
    with database.transaction() as s:
        review.decide(
            s, first.id, True, "the coupon site is the affiliate's own blog", "mina", TODAY
        )
        review.decide(s, second.id, False, "coupon site", "mina", TODAY)
        with pytest.raises(review.ReviewError, match="already rejected on .* by mina"):
            review.decide(s, second.id, True, "changed my mind", "joe", TODAY)
        with pytest.raises(review.ReviewError, match="reason"):
            review.decide(s, first.id, True, "  ", "joe", TODAY)
    with database.session() as s:
        assert s.get(Conversion, good.id).status is ConversionStatus.APPROVED
        assert s.get(Conversion, bad.id).status is ConversionStatus.REVERSED
        # Approved after March was built: its commission, 100.00 × 10 % = 10.00, is an
        # adjustment of the next statement.
        [adj] = s.exec(select(Adjustment)).all()
        assert (adj.amount_minor, adj.kind.value) == (1000, "approval")
        actions = [
            e.action for e in s.exec(select(AuditEntry).where(AuditEntry.entity == "review_flag"))
        ]
        assert actions.count("review approved") == 1 and actions.count("review rejected") == 1
    with database.transaction() as s:
        prog = s.get(Program, prog.id)
        april = payouts.build(s, prog, date(2026, 4, 1), date(2026, 5, 31), "mina")
    assert [
        (st.commission_minor, st.adjustments_minor, st.total_minor) for st in april.statements
    ] == [(0, 1000, 1000)]


def test_a_conversion_two_flags_hold_is_released_only_when_both_are_approved(database) -> None:  # noqa: ANN001
    with database.transaction() as s:
        prog = program(s, forbidden="coupon sites")
        ana = affiliate(s, prog, "@ana", email="ana@example.com")
        c = conversion(s, prog, ana, "W1", "2026-03-10 10:00:00", 10000, status=P)
        c.source = "coupon sites"
        c.customer_hash = customer_hash(hash_key(s), "ana@example.com")
        review.check_conversions(s, prog, [c.id], TODAY, "mina")
        one, two = flags_of(s)
        review.decide(s, one.id, True, "fine", "mina", TODAY)
        assert s.get(Conversion, c.id).status is ConversionStatus.HELD
        review.decide(s, two.id, True, "fine too", "mina", TODAY)
        assert s.get(Conversion, c.id).status is ConversionStatus.APPROVED


def test_a_locked_conversion_is_flagged_but_not_held(database) -> None:  # noqa: ANN001
    with database.transaction() as s:
        prog = program(s, forbidden="coupon sites")
        ana = affiliate(s, prog, "@ana")
        old = conversion(s, prog, ana, "L1", "2026-01-10 10:00:00", 10000)
        old.source = "coupon sites"
        review.check_conversions(s, prog, [old.id], TODAY, "mina")
        [flag] = flags_of(s)
        assert s.exec(select(ReviewHold)).all() == []
        assert s.get(Conversion, old.id).status is ConversionStatus.APPROVED
        assert flag.status.value == "open"


def test_an_import_that_rewrites_the_status_does_not_release_a_held_conversion(database) -> None:  # noqa: ANN001
    with database.transaction() as s:
        prog = program(s, forbidden="coupon sites")
        ana = affiliate(s, prog, "@ana")
        c = conversion(s, prog, ana, "I1", "2026-03-10 10:00:00", 10000, status=P)
        c.source = "coupon sites"
        review.check_conversions(s, prog, [c.id], TODAY, "mina")
        c.status = ConversionStatus.APPROVED  # what a re-import would write
        s.add(c)
        assert review.reapply_holds(s, [c.id]) == 1
        assert s.get(Conversion, c.id).status is ConversionStatus.HELD


@pytest.mark.parametrize(("factor", "stored"), [("3", 300), ("2.5x", 250), ("10×", 1000)])
def test_factors_are_exact_hundredths(database, factor: str, stored: int) -> None:  # noqa: ANN001
    assert review.parse_factor(factor, "x") == stored


@pytest.mark.parametrize("factor", ["0.5", "abc", "2.555", "1e9", "nan", ""])
def test_bad_factors_are_refused(factor: str) -> None:
    with pytest.raises(review.ReviewError):
        review.parse_factor(factor, "outlier-x")


def test_commissions_lock_due_approves_pending_but_not_held(database) -> None:  # noqa: ANN001
    with database.transaction() as s:
        prog = program(s)
        ana = affiliate(s, prog, "@ana")
        due = conversion(s, prog, ana, "Z1", "2026-03-01 23:59:59", 100, status=P)
        later = conversion(s, prog, ana, "Z2", "2026-03-02 00:00:00", 100, status=P)
        held = conversion(
            s, prog, ana, "Z3", "2026-03-01 10:00:00", 100, status=ConversionStatus.HELD
        )
        # lock date of 1 March + 30 days = 31 March
        assert commissions.lock_due(s, prog, date(2026, 3, 31), "mina") == 1
        assert (due.status, later.status, held.status) == (
            ConversionStatus.APPROVED,
            P,
            ConversionStatus.HELD,
        )


def test_the_import_guard_freezes_locked_orders_and_flags_what_the_rules_find(database) -> None:  # noqa: ANN001
    from talent_tui.services.affiliates import guard

    with database.transaction() as s:
        prog = program(s, forbidden="coupon sites")
        ana = affiliate(s, prog, "@ana", email="ana@example.com")
        bob = affiliate(s, prog, "@bob")
        old = conversion(s, prog, ana, "G1", "2026-01-10 10:00:00", 10000)  # locked
        fresh = conversion(s, prog, ana, "G2", "2026-03-10 10:00:00", 10000, status=P)
        shady = conversion(s, prog, bob, "G3", "2026-03-11 10:00:00", 10000, status=P)
        shady.source = "Best COUPON  sites"
        quick = conversion(s, prog, bob, "G4", "2026-03-12 10:00:00", 10000, status=P)
        s.flush()
        frozen = guard.frozen_reimports(
            s,
            prog,
            [
                (old.id, ana, ConversionStatus.REVERSED, 0),  # locked: an adjustment
                (fresh.id, bob, ConversionStatus.PENDING, 0),  # claimed by @bob: flagged
            ],
            TODAY,
        )
        assert frozen == {old.id}
        assert old.status is ConversionStatus.APPROVED  # not edited
        [adj] = s.exec(select(Adjustment)).all()
        assert (adj.kind.value, adj.conversion_id, adj.reason) == (
            "reversal",
            old.id,
            "order G1 (2026-01) reversed after it locked",
        )
        new = guard.after_conversions(
            s,
            prog,
            TODAY,
            first=datetime(2026, 3, 10, tzinfo=UTC),
            last=datetime(2026, 3, 12, tzinfo=UTC),
            click_times={"G4": datetime(2026, 3, 12, 9, 59, 55, tzinfo=UTC)},
        )
        assert new == 2  # forbidden source (G3), too fast (G4); the claim was flagged before
        rules = sorted((f.rule.value, f.key) for f in flags_of(s))
        assert rules == [("duplicate_order", "G2"), ("forbidden_source", "G3"), ("too_fast", "G4")]
        statuses = [s.get(Conversion, c.id).status for c in (fresh, shady, quick)]
        assert statuses == [ConversionStatus.HELD] * 3
        # nothing new on a second run
        assert guard.after_conversions(s, prog, TODAY) == 0


def test_the_click_guard_checks_each_program_of_the_days_written(database) -> None:  # noqa: ANN001
    from talent_tui.services.affiliates import guard

    with database.transaction() as s:
        prog = program(s)
        ana = affiliate(s, prog, "@ana")
        for back in range(1, 9):
            s.add(
                ClickDay(
                    program_id=prog.id,
                    affiliate_id=ana,
                    day=date(2026, 3, 10) - timedelta(days=back),
                    clicks=20 + back % 2,
                )
            )
        s.add(ClickDay(program_id=prog.id, affiliate_id=ana, day=date(2026, 3, 10), clicks=500))
        s.flush()
        # median of 20, 21, 20, 21, 20, 21, 20, 21 is 20.5; 10× is 205 < 500
        assert guard.after_clicks(s, {(ana, date(2026, 3, 10))}, TODAY) == 1
        [flag] = flags_of(s)
        assert (
            "500 clicks on 2026-03-10, above 10× the median of the 30 days before (20.5)"
            in flag.reason
        )
        # a day already locked is not checked
        assert guard.after_clicks(s, {(ana, date(2026, 1, 2))}, TODAY) == 0
