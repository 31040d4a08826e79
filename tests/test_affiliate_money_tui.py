"""Affiliate money (issue 16) through the TUI, with real key presses: the rules editor (a
tier changed is used by the next build while a built statement keeps its figures; bad input
named beside its field with nothing stored; removals confirmed), the review queue (a held
conversion earns nothing until approved, then counts; a decision made elsewhere shows up),
the payouts screen (build, pay with a confirmation, overdue in the theme's error colour) and
an affiliate's money pane. Figures are computed by hand in each test; what was stored is
read back."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlmodel import col, select
from textual.widgets import DataTable, Static

from talent_tui.messages import DataChanged
from talent_tui.screens.affiliate_page import AffiliatePage
from talent_tui.screens.affiliate_payouts import PayoutsScreen, StatementScreen
from talent_tui.screens.affiliate_review import ReviewScreen
from talent_tui.screens.affiliate_rules import RulesScreen
from talent_tui.screens.affiliates import AffiliatesScreen
from talent_tui.screens.fields import FieldsForm
from talent_tui.screens.forms import ConfirmScreen
from talent_tui.services.affiliates import commissions, lookup, payouts, review
from talent_tui.store.db import Database
from talent_tui.store.models import (
    AuditEntry,
    CommissionRule,
    Conversion,
    ConversionStatus,
    Program,
    ReviewFlag,
    Statement,
    StatementLine,
)
from tests.test_affiliate_money import affiliate, conversion, program

from .conftest import TODAY, fill, make_app, screen_text, settle, settle_despite_failures

DAY = date(2026, 12, 1)  # September (from 30 Oct) and October (from 30 Nov) can be built
RULES_SET = datetime(2026, 8, 1, tzinfo=UTC)


def _keys(table: DataTable) -> list[str]:
    return [str(k.value) for k in table.rows]


async def _workspace(pilot) -> AffiliatesScreen:  # noqa: ANN001
    await settle(pilot)
    await pilot.press("A")
    await settle(pilot)
    assert isinstance(pilot.app.screen, AffiliatesScreen)
    return pilot.app.screen


async def _cursor_to(pilot, table: DataTable, key: str) -> None:  # noqa: ANN001
    """Move the cursor to the row `key` with arrow keys, as a person would."""
    table.focus()
    target = _keys(table).index(key)
    while table.cursor_row < target:
        await pilot.press("down")
    while table.cursor_row > target:
        await pilot.press("up")
    await pilot.pause()


def _tiered(db: Database) -> tuple[int, int]:
    """A EUR program at 10 % with a tier from 3 conversions at 15 %, and @ana with the same
    three approved orders in September and in October: 100.00, 50.00 and 33.33 EUR."""
    with db.transaction() as s:
        prog = program(s, currency="EUR", name="Glow Test")
        commissions.set_tier(s, prog, 3, "15%", "mina", now=RULES_SET)
        ana = affiliate(s, prog, "@ana")
        for month in ("09", "10"):
            conversion(s, prog, ana, f"S{month}-1", f"2026-{month}-05 10:00:00", 10000)
            conversion(s, prog, ana, f"S{month}-2", f"2026-{month}-06 10:00:00", 5000)
            conversion(s, prog, ana, f"S{month}-3", f"2026-{month}-07 10:00:00", 3333)
        assert prog.id is not None
        return prog.id, ana


def _statement(db: Database, program_id: int, month: date) -> Statement:
    with db.session() as s:
        return s.exec(
            select(Statement).where(Statement.program_id == program_id, Statement.month == month)
        ).one()


async def test_a_tier_edited_is_used_by_the_next_build_and_a_built_statement_stays(
    database: Database,
) -> None:
    program_id, _ = _tiered(database)
    app = make_app(database, today=DAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await _workspace(pilot)
        await pilot.press("dollar_sign")
        await settle(pilot)
        pay = app.screen
        assert isinstance(pay, PayoutsScreen)
        assert pay.month == date(2026, 10, 1)  # nothing built yet: the newest buildable month
        await pilot.press("left_square_bracket", "b")
        await settle(pilot)
        # September at the tier from 3 (15 %): 15.00 + 7.50 + 33.33 × 15 % = 4.9995 → 5.00.
        september = _statement(database, program_id, date(2026, 9, 1))
        assert (september.conversions, september.commission_minor) == (3, 2750)
        assert september.total_minor == 2750
        assert "27.50" in screen_text(app)

        await pilot.press("escape", "r")
        await settle(pilot)
        rules = app.screen
        assert isinstance(rules, RulesScreen)
        table = rules.query_one("#rules-table", DataTable)
        tier = next(k for k in _keys(table) if k.startswith("tier:"))
        await _cursor_to(pilot, table, tier)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, FieldsForm)
        await fill(pilot, "rate", "20%")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, RulesScreen)
        assert "from 3 conversions: 20%" in screen_text(app)

        await pilot.press("escape", "dollar_sign")
        await settle(pilot)
        assert app.screen.month == date(2026, 9, 1)  # type: ignore[attr-defined]
        await pilot.press("right_square_bracket", "b")
        await settle(pilot)
        # October at 20 %: 20.00 + 10.00 + 33.33 × 20 % = 6.666 → 6.67; 36.67.
        october = _statement(database, program_id, date(2026, 10, 1))
        assert (october.conversions, october.commission_minor, october.total_minor) == (
            3,
            3667,
            3667,
        )
        assert "36.67" in screen_text(app)
        # September keeps what it was built with, building it again changes nothing.
        await pilot.press("left_square_bracket", "b")
        await settle(pilot)
        again = _statement(database, program_id, date(2026, 9, 1))
        assert (again.id, again.commission_minor, again.total_minor) == (september.id, 2750, 2750)
        with database.session() as s:
            assert len(s.exec(select(Statement)).all()) == 2
            rates = s.exec(
                select(StatementLine.rate_bp).where(StatementLine.statement_id == september.id)
            ).all()
            assert rates == [1500, 1500, 1500]
            # The tier's versions: the 15 % one closed, the 20 % one in force, audited.
            versions = s.exec(
                select(CommissionRule).where(CommissionRule.program_id == program_id)
            ).all()
            assert sorted((v.rate_bp, v.valid_to is None) for v in versions) == [
                (1500, False),
                (2000, True),
            ]
            assert s.exec(select(AuditEntry).where(AuditEntry.action == "tier set")).all()


async def test_bad_rule_input_is_named_beside_the_field_and_nothing_is_stored(
    database: Database,
) -> None:
    program_id, _ = _tiered(database)
    with database.session() as s:
        before = len(s.exec(select(CommissionRule)).all())
    app = make_app(database, today=DAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await _workspace(pilot)
        await pilot.press("r")
        await settle(pilot)
        await pilot.press("b")  # a new bonus
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FieldsForm)
        await pilot.press("enter", "enter")  # both fields empty: Enter never closes the app
        await settle(pilot)
        assert app.is_running and app.screen is form
        assert "required" in str(form.query_one("#error-at", Static).render())
        await fill(pilot, "at", "9" * 26)
        await fill(pilot, "amount", "12,34.5 EUR")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "too large" in str(form.query_one("#error-at", Static).render())
        await fill(pilot, "at", "50")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        assert str(form.query_one("#error-amount", Static).render()).strip()
        await pilot.press("escape")
        await settle(pilot)

        await pilot.press("t")  # a new tier with three decimals
        await settle(pilot)
        await fill(pilot, "from", "10")
        await fill(pilot, "rate", "12.345%")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "two decimals" in str(app.screen.query_one("#error-rate", Static).render())
        await pilot.press("escape")
        await settle(pilot)

        await pilot.press("o")  # a promotion ending before it starts
        await settle(pilot)
        await fill(pilot, "rate", "18%")
        await fill(pilot, "from", "2026-12-10")
        await fill(pilot, "to", "2026-12-01")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "before" in str(app.screen.query_one("#error-to", Static).render())
        await pilot.press("escape")
        await settle(pilot)

        await pilot.press("f")  # fraud thresholds: a factor below 1×
        await settle(pilot)
        await fill(pilot, "outlier_x", "0.5")
        await fill(pilot, "too_fast_s", "-5")
        await fill(pilot, "spike_x", "")
        await pilot.press("ctrl+s")
        await settle(pilot)
        # Every wrong field is named at once, beside it.
        errors = {
            name: str(app.screen.query_one(f"#error-{name}", Static).render())
            for name in ("outlier_x", "too_fast_s", "spike_x", "spike_days")
        }
        assert "from 1 to 1000" in errors["outlier_x"]
        assert "negative" in errors["too_fast_s"]
        assert errors["spike_x"] == "required" and errors["spike_days"] == ""
        await fill(pilot, "outlier_x", "4")
        await fill(pilot, "too_fast_s", "5")
        await fill(pilot, "spike_x", "12")
        await fill(pilot, "spike_days", "3")  # the service's range: 7 to 365 days
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "7 to 365" in str(app.screen.query_one("#error-spike_days", Static).render())
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, RulesScreen)
    with database.session() as s:
        assert len(s.exec(select(CommissionRule)).all()) == before
        prog = s.get(Program, program_id)
        assert prog is not None and prog.rate_bp == 1000
        assert review.thresholds(s, program_id) == review.Thresholds()


async def test_removing_a_promotion_asks_first(database: Database) -> None:
    with database.transaction() as s:
        prog = program(s, currency="EUR", name="Promo Test")
        promo = commissions.add_promotion(s, prog, "18%", "2026-09-10", "2026-09-16", "mina")
        promo_id = promo.id
    app = make_app(database, today=DAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await _workspace(pilot)
        await pilot.press("r")
        await settle(pilot)
        table = app.screen.query_one("#rules-table", DataTable)
        await _cursor_to(pilot, table, f"promo:{promo_id}")
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await settle(pilot)
        with database.session() as s:
            assert s.get(CommissionRule, promo_id).valid_to is None  # type: ignore[union-attr]
        await pilot.press("d")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert f"promo:{promo_id}" not in _keys(table)
    with database.session() as s:
        assert s.get(CommissionRule, promo_id).valid_to is not None  # type: ignore[union-attr]


def _held(db: Database) -> tuple[int, int, int]:
    """A EUR program at 10 % forbidding brand keyword bidding; @ana has an approved 100.00
    order and a 64.50 one from brand keyword bidding, held in review."""
    with db.transaction() as s:
        prog = program(s, currency="EUR", name="Review Test", forbidden="brand keyword bidding")
        ana = affiliate(s, prog, "@ana")
        conversion(s, prog, ana, "OK-1", "2026-10-05 10:00:00", 10000)
        held = conversion(
            s, prog, ana, "BAD-1", "2026-10-15 10:00:00", 6450, status=ConversionStatus.PENDING
        )
        held.source = "Google brand keyword bidding"
        s.add(held)
        s.flush()
        assert held.id is not None and prog.id is not None
        flags = review.check_conversions(s, prog, [held.id], date(2026, 10, 20), "mina")
        assert [f.rule.value for f in flags] == ["forbidden_source"]
        return prog.id, ana, held.id


async def test_a_held_conversion_earns_nothing_until_approved_then_counts(
    database: Database,
) -> None:
    program_id, ana, held_id = _held(database)
    app = make_app(database, today=DAY)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _workspace(pilot)
        # @ana's page, money pane: the held order earns nothing and says why.
        await pilot.press("1")
        await _cursor_to(pilot, screen.query_one("#aff-pipeline", DataTable), f"affiliate:{ana}")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, AffiliatePage)
        await pilot.press("4")
        await settle(pilot)
        money = app.screen.query_one("#money-conversions", DataTable)
        held_row = [str(c) for c in money.get_row(f"conversion:{held_id}")]
        assert held_row[3] == "held" and held_row[5] == ""
        await _cursor_to(pilot, money, f"conversion:{held_id}")
        why = str(app.screen.query_one("#money-why", Static).render())
        assert "held in review" in why and "brand keyword bidding" in why
        await pilot.press("escape")
        await settle(pilot)

        await pilot.press("v")
        await settle(pilot)
        queue = app.screen
        assert isinstance(queue, ReviewScreen)
        detail = str(queue.query_one("#review-detail", Static).render())
        assert "forbidden source" in detail and "BAD-1" in detail and "64.50 EUR" in detail
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, FieldsForm)
        await pilot.press("enter")  # no reason: refused beside the field
        await settle(pilot)
        assert "required" in str(app.screen.query_one("#error-reason", Static).render())
        await pilot.press(*"advertiser allows it", "enter")
        await settle(pilot)
        assert app.screen is queue
        assert queue.query_one("#review-queue", DataTable).row_count == 0
        assert "Nothing waits" in str(queue.query_one("#review-status", Static).render())

        await pilot.press("escape", "dollar_sign")
        await settle(pilot)
        assert app.screen.month == date(2026, 10, 1)  # type: ignore[attr-defined]
        await pilot.press("b")
        await settle(pilot)
    # Both orders count now: 100.00 × 10 % + 64.50 × 10 % = 10.00 + 6.45 = 16.45 EUR.
    october = _statement(database, program_id, date(2026, 10, 1))
    assert (october.conversions, october.commission_minor, october.total_minor) == (2, 1645, 1645)
    with database.session() as s:
        flag = s.exec(select(ReviewFlag)).one()
        assert (flag.status.value, flag.decided_by, flag.decision_reason) == (
            "approved",
            "mina",
            "advertiser allows it",
        )
        assert s.get(Conversion, held_id).status is ConversionStatus.APPROVED  # type: ignore[union-attr]


async def test_a_rejection_elsewhere_shows_up_in_the_queue(database: Database) -> None:
    _, _, held_id = _held(database)
    app = make_app(database, today=DAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await _workspace(pilot)
        await pilot.press("v")
        await settle(pilot)
        queue = app.screen
        assert queue.query_one("#review-queue", DataTable).row_count == 1
        with database.transaction() as s:  # another process: `talent review reject`
            flag_id = s.exec(select(ReviewFlag.id)).one()
            review.decide(s, flag_id, False, "bidding on the brand", "ola", DAY)
        app.post_message(DataChanged())  # what the app's change watcher posts
        await settle(pilot)
        assert queue.query_one("#review-queue", DataTable).row_count == 0
        await pilot.press("s")  # open → all: the decision, who made it and why
        await settle(pilot)
        assert queue.query_one("#review-queue", DataTable).row_count == 1
        detail = str(queue.query_one("#review-detail", Static).render())
        assert "Rejected" in detail and "ola" in detail and "bidding on the brand" in detail
        await pilot.press("a")  # decided already: a notice, nothing changes
        await settle(pilot)
        assert app.screen is queue
    with database.session() as s:
        assert s.get(Conversion, held_id).status is ConversionStatus.REVERSED  # type: ignore[union-attr]


async def test_build_then_pay_a_statement_with_a_confirmation(database: Database) -> None:
    program_id, _ = _tiered(database)
    app = make_app(database, today=DAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await _workspace(pilot)
        await pilot.press("dollar_sign")
        await settle(pilot)
        await pilot.press("b")
        await settle(pilot)
        october = _statement(database, program_id, date(2026, 10, 1))
        assert october.total_minor == 2750 and october.due_on == date(2026, 12, 31)
        await pilot.press("p")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FieldsForm)
        assert form.values()["paid_on"] == "2026-12-01"  # today unless changed
        await fill(pilot, "paid_on", "2026-02-30")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        assert "2026-02-30" in str(form.query_one("#error-paid_on", Static).render())
        await fill(pilot, "paid_on", "2026-12-02")  # tomorrow
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "future" in str(form.query_one("#error-paid_on", Static).render())
        assert _statement(database, program_id, date(2026, 10, 1)).status.value == "open"
        await fill(pilot, "paid_on", "2026-11-30")
        await fill(pilot, "reference", "SEPA 7781")
        await pilot.press("ctrl+s")
        await settle(pilot)
        confirm = app.screen
        assert isinstance(confirm, ConfirmScreen)
        assert "Pay 27.50 EUR to @ana for 2026-10?" in screen_text(app)
        assert _statement(database, program_id, date(2026, 10, 1)).status.value == "open"
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, PayoutsScreen)
        row = [str(c) for c in app.screen.query_one("#pay-table", DataTable).get_row_at(0)]
        assert row[-1] == "paid"
        await pilot.press("enter")  # the statement's lines: each rate and why
        await settle(pilot)
        assert isinstance(app.screen, StatementScreen)
        head = str(app.screen.query_one("#statement-head", Static).render())
        assert "paid on 2026-11-30 by mina, ref SEPA 7781" in head
        assert "= 27.50 EUR" in head
        why = str(app.screen.query_one("#statement-why", Static).render())
        assert why == "S10-1: tier from 3: 15% (3 this month)"
        await pilot.press("p")  # paid already: a notice, no form
        await settle(pilot)
        assert isinstance(app.screen, StatementScreen)
    paid = _statement(database, program_id, date(2026, 10, 1))
    assert (paid.status.value, paid.paid_on, paid.reference, paid.paid_by) == (
        "paid",
        date(2026, 11, 30),
        "SEPA 7781",
        "mina",
    )
    with database.session() as s:
        assert s.exec(select(AuditEntry).where(AuditEntry.action == "statement paid")).all()


async def test_building_too_early_says_when_it_becomes_possible(database: Database) -> None:
    program_id, _ = _tiered(database)
    app = make_app(database, today=date(2026, 11, 1))
    async with app.run_test(size=(80, 24)) as pilot:
        await _workspace(pilot)
        await pilot.press("dollar_sign")
        await settle(pilot)
        await pilot.press("right_square_bracket")  # October, from 30 November
        await settle(pilot)
        assert "can be built on or after 2026-11-30" in screen_text(app)
        await pilot.press("b")
        await settle(pilot)
        notices = [n.message for n in app._notifications]
        assert any("build on or after 2026-11-30" in m for m in notices)
    with database.session() as s:
        assert not s.exec(
            select(Statement).where(
                Statement.program_id == program_id, Statement.month == date(2026, 10, 1)
            )
        ).all()


async def test_overdue_statements_show_in_the_error_colour(demo_db: Database) -> None:
    with demo_db.session() as s:
        late = payouts.overdue(s, TODAY)
        peak = lookup.find_program(s, "peak-fuel-athletes")
    assert [v.affiliate for v in late] == ["@runclub.daily"]
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _workspace(pilot)
        await pilot.press("P")
        await _cursor_to(pilot, screen.query_one("#aff-programs", DataTable), f"program:{peak.id}")
        await settle_despite_failures(pilot)  # each step reads the board anew, cancelling the last
        await pilot.press("dollar_sign")
        await settle_despite_failures(pilot)
        pay = app.screen
        assert isinstance(pay, PayoutsScreen)
        while pay.month != late[0].month:
            await pilot.press("left_square_bracket")
            await settle_despite_failures(pilot)
        table = pay.query_one("#pay-table", DataTable)
        status = table.get_cell(f"statement:{late[0].id}", table.ordered_columns[-1].key)
        error = app.get_css_variables()["error"]
        assert str(status) == "overdue" and error in str(status.style)
        assert "1 overdue" in str(pay.query_one("#pay-head", Static).render())
        amount = f"{late[0].total_minor // 100:,}.{late[0].total_minor % 100:02d} USD"
        assert f"overdue {amount}" in str(pay.query_one("#pay-totals", Static).render())
        # Totals per currency, never summed across them.
        assert "USD: total" in str(pay.query_one("#pay-totals", Static).render())
        assert "EUR" not in str(pay.query_one("#pay-totals", Static).render())


async def test_the_affiliate_money_pane_lists_statements_and_rates(demo_db: Database) -> None:
    with demo_db.session() as s:
        prog = lookup.find_program(s, "lumiere-glow-club")
        derm = lookup.find_affiliate(s, prog.id, "@derm.notes")
        built = payouts.statements(s, program_id=prog.id, affiliate_id=derm.id, today=TODAY)
        first = s.exec(
            select(StatementLine)
            .where(col(StatementLine.statement_id) == built[0].id)
            .where(col(StatementLine.conversion_id).is_not(None))
            .order_by(col(StatementLine.occurred_at).desc())
        ).first()
    assert first is not None
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _workspace(pilot)
        await pilot.press("1")
        board = screen.query_one("#aff-pipeline", DataTable)
        await _cursor_to(pilot, board, f"affiliate:{derm.id}")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        page = app.screen
        statements = page.query_one("#money-statements", DataTable)
        assert _keys(statements) == [f"statement:{v.id}" for v in built]
        conversions = page.query_one("#money-conversions", DataTable)
        row = [str(c) for c in conversions.get_row(f"conversion:{first.conversion_id}")]
        assert row[4] == f"{first.rate_bp // 100}%" and row[6] == f"#{built[0].id}"
        await pilot.press("enter")  # the highlighted statement's lines
        await settle(pilot)
        assert isinstance(app.screen, StatementScreen)
        assert app.screen.statement_id == built[0].id


async def test_names_with_markup_are_drawn_as_written(database: Database) -> None:
    with database.transaction() as s:
        prog = program(s, currency="EUR", name="[/x] Sale [b] x[/")
        ana = affiliate(s, prog, "@ana")
        conversion(s, prog, ana, "[red]1", "2026-10-05 10:00:00", 10000)
    app = make_app(database, today=DAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await _workspace(pilot)
        await pilot.press("r")
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        assert isinstance(app.screen, FieldsForm)
        assert "Terms of [/x] Sale [b] x[/" in str(
            app.screen.query_one("#form-title", Static).render()
        )
        await pilot.press("escape", "escape", "dollar_sign")
        await settle(pilot)
        await pilot.press("b")
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        assert isinstance(app.screen, FieldsForm)
        await pilot.press("escape", "enter")
        await settle(pilot)
        assert isinstance(app.screen, StatementScreen)
        assert "[red]1" in str(app.screen.query_one("#statement-why", Static).render())
        assert app.failures == []


async def test_terms_change_only_what_was_changed(database: Database) -> None:
    program_id, _ = _tiered(database)
    with database.session() as s:
        audits = len(s.exec(select(AuditEntry)).all())
    app = make_app(database, today=DAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await _workspace(pilot)
        await pilot.press("r")
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        await pilot.press("ctrl+s")  # as filled: nothing to change, nothing written
        await settle(pilot)
        assert isinstance(app.screen, RulesScreen)
        with database.session() as s:
            assert len(s.exec(select(AuditEntry)).all()) == audits
        await pilot.press("m")
        await settle(pilot)
        await fill(pilot, "lock_days", "10")
        await fill(pilot, "cookie_days", "45")
        await pilot.press("ctrl+s")
        await settle(pilot)
        text = screen_text(app)
        assert "10 days" in text and "45 days" in text
    with database.session() as s:
        prog = s.get(Program, program_id)
        assert prog is not None
        assert (prog.rate_bp, prog.lock_days, prog.net_days, prog.attribution_days) == (
            1000,
            10,
            30,
            45,
        )
        actions = [a.action for a in s.exec(select(AuditEntry)).all()][audits:]
        assert actions == ["money terms set", "cookie days set"]
