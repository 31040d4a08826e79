"""The demo's affiliate money (issue 16): rules on both programs, statements for two past
months (paid, one overdue, open), an adjustment from a reversal after payment, and orders
waiting in review."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from talent_tui.services.affiliates import commissions, money_terms, payouts, review
from talent_tui.store.models import Adjustment, Program, Statement, StatementStatus
from tests.conftest import TODAY


def test_the_demo_has_rules_statements_and_a_review_queue(demo_db) -> None:  # noqa: ANN001
    with demo_db.session() as s:
        programs = s.exec(select(Program).order_by(Program.id)).all()
        for program in programs:
            rules = money_terms.money_rules(s, program)
            assert len(rules.tiers) == 2 and len(rules.bonuses) == 1 and len(rules.promotions) == 1
        everything = payouts.statements(s, today=TODAY)
        assert {v.month_label for v in everything} == {"2026-08", "2026-09"}
        assert [v.affiliate for v in payouts.overdue(s, TODAY)] and len(
            payouts.overdue(s, TODAY)
        ) == 1
        paid = [v for v in everything if v.status == "paid"]
        assert paid and all(v.paid_on and v.paid_on <= v.due_on for v in paid)
        assert all(
            v.status == "open" and not v.overdue for v in everything if v.month_label == "2026-09"
        )
        [reversal] = s.exec(select(Adjustment).where(Adjustment.kind == "reversal")).all()
        assert reversal.statement_id is not None and reversal.amount_minor < 0
        flags = review.queue(s)
        assert sorted(f.rule for f in flags) == [
            "duplicate_order",
            "forbidden_source",
            "self_referral",
            "too_fast",
        ]
        # Each statement is the sum of its lines, to the cent.
        for view in everything:
            shown = payouts.show(s, view.id, TODAY)
            assert sum(line.amount_minor for line in shown.lines) == view.total_minor
        assert (
            s.exec(select(Statement).where(Statement.status == StatementStatus.CARRIED)).all() == []
        )


def test_building_a_demo_month_again_changes_nothing(demo_db) -> None:  # noqa: ANN001
    with demo_db.transaction() as s:
        program = s.exec(select(Program).order_by(Program.id)).first()
        before = [v.as_dict() for v in payouts.statements(s, program_id=program.id, today=TODAY)]
        month = commissions.month_start(TODAY - timedelta(days=40))
        result = payouts.build(s, program, month, TODAY, "tester")
        assert result.built == 0
        after = [v.as_dict() for v in payouts.statements(s, program_id=program.id, today=TODAY)]
        assert after == before
