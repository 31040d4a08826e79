"""Edges of the affiliate money half a demanding user runs into: a choice option that is not
one of its choices is a usage error (exit 2); a statement of exactly 0.00 is `zero`, not
`carried` (migration 0016 relabels the old ones); a month of only pending orders is estimated
in the report; order, click and click-day times outside 2000 .. tomorrow are refused naming
file, row and field; the CLI's statement and KPI tables keep figures and dates whole at 80
columns; the new-program form names every wrong field at once."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, date, datetime

import pytest
from alembic import command
from sqlmodel import select
from textual.widgets import DataTable, Static

from talent_tui.cli import common as cli_common
from talent_tui.screens.fields import FieldsForm
from talent_tui.services.affiliates import kpis, lookup, program_report
from talent_tui.store import db as dbmod
from talent_tui.store.models import ClickDay, Conversion, Program, Statement

from .conftest import fill, make_app, settle, type_fast
from .test_affiliate_money_cli import talent  # noqa: F401 - the fixture
from .test_affiliates_tui import _open


async def _queue(pilot):  # noqa: ANN001, ANN202
    """The demo's review queue, from the affiliates workspace (A, v)."""
    from talent_tui.screens.affiliate_review import ReviewScreen

    await _open(pilot)
    await pilot.press("v")
    await settle(pilot)
    assert isinstance(pilot.app.screen, ReviewScreen)
    return pilot.app.screen


def _orders(run, name: str, rows: str, columns: str = "") -> str:  # noqa: ANN001
    path = run.tmp / name
    header = "order_id,affiliate,occurred_at,amount,refund,status" + columns
    path.write_text(header + "\n" + rows, encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (("affiliates", "list", "--stage", "bogus"), "--stage: unknown stage 'bogus'"),
        (("affiliates", "add", "@zed", "-p", "glow", "--stage", "nah"), "--stage: unknown"),
        (("affiliates", "stage", "@nora", "later", "-p", "glow"), "STAGE: unknown stage"),
        (("payouts", "list", "--status", "bogus"), "--status: one of open, paid, overdue"),
        (("review", "list", "--status", "nope"), "--status: one of open, approved, rejected"),
    ],
)
def test_a_value_that_is_not_one_of_the_choices_is_a_usage_error(talent, args, named) -> None:  # noqa: ANN001, F811
    result = talent(*args, code=2)
    assert named in result.stderr and result.stderr.count("\n") == 1
    listed = json.loads(talent("affiliates", "list", "--json").stdout)
    assert sorted((a["handle"], a["stage"]) for a in listed) == [
        ("@nora", "active"),
        ("@sam", "active"),
    ]  # nothing added, nothing moved


def test_choices_are_read_in_any_case(talent) -> None:  # noqa: ANN001, F811
    listed = json.loads(talent("affiliates", "list", "--stage", "ACTIVE", "--json").stdout)
    assert len(listed) == 2
    talent("payouts", "list", "--status", "Open")
    talent("review", "list", "--status", "ALL")


def test_a_statement_of_exactly_zero_is_zero_nothing_to_pay_nothing_carried(talent) -> None:  # noqa: ANN001, F811
    # @nora's only order refunded in full: 20.00 − 20.00 = 0.00 at 10 % = 0.00;
    # @sam: 10.05 × 10 % = 1.005 → 1.01
    path = _orders(
        talent, "z.csv", "Z1,@nora,2026-03-02,20.00,20.00,approved\nS1,@sam,2026-03-03,10.05,,\n"
    )
    talent("import", "conversions", path, "-p", "glow")
    built = json.loads(talent("payouts", "build", "-p", "glow", "-m", "2026-03", "--json").stdout)
    figures = [(s["affiliate"], s["total_minor"], s["status"]) for s in built["statements"]]
    assert figures == [("@nora", 0, "zero"), ("@sam", 101, "open")]
    nora = built["statements"][0]["id"]
    refused = talent("payouts", "pay", str(nora), code=1)
    assert f"statement #{nora} has nothing to pay (total 0.00 USD)" in refused.stderr
    zero = json.loads(talent("payouts", "list", "--status", "zero", "--json").stdout)
    assert [s["id"] for s in zero["statements"]] == [nora]
    assert json.loads(talent("payouts", "list", "--status", "carried", "--json").stdout) == {
        "statements": []
    }
    out = talent.tmp / "pay.csv"
    talent("payouts", "export", "-m", "2026-03", "--status", "all", "-o", str(out))
    rows = out.read_text(encoding="utf-8").splitlines()[1:]
    assert len(rows) == 1 and "'@sam" in rows[0] and ",1.01," in rows[0]
    with dbmod.open_database(talent.db).session() as s:
        stored = {st.id: (st.status.value, st.paid_on) for st in s.exec(select(Statement))}
    assert stored[nora] == ("zero", None)


def test_migration_0016_relabels_zero_statements_built_as_carried(talent) -> None:  # noqa: ANN001, F811
    path = _orders(talent, "z.csv", "Z1,@nora,2026-03-02,20.00,20.00,\nS1,@sam,2026-03-03,1.00,,\n")
    talent("import", "conversions", path, "-p", "glow")
    talent("payouts", "build", "-p", "glow", "-m", "2026-03")
    database = dbmod.open_database(talent.db)
    command.downgrade(dbmod.alembic_config(database), "0015_click_impressions")
    database.dispose()
    with sqlite3.connect(talent.db) as c:  # as the older talent stored it
        assert c.execute("SELECT status, total_minor FROM statements ORDER BY id").fetchall() == [
            ("carried", 0),
            ("open", 10),
        ]
    dbmod.open_database(talent.db).dispose()  # upgrades
    with sqlite3.connect(talent.db) as c:
        assert c.execute("SELECT status, total_minor FROM statements ORDER BY id").fetchall() == [
            ("zero", 0),
            ("open", 10),
        ]


def test_a_month_of_only_pending_orders_is_an_estimate_that_says_so(talent) -> None:  # noqa: ANN001, F811
    # Pending orders become approved at their lock date unless held: estimated at 10 %:
    # P1 100.00 → 10.00; P2 50.05 → 5.005 → 5.01; R1 reversed earns nothing: 15.01
    path = _orders(
        talent,
        "p.csv",
        "P1,@nora,2026-04-02,100.00,,pending\nP2,@sam,2026-04-03,50.05,,\n"
        "R1,@sam,2026-04-04,30.00,,reversed\n",
    )
    talent("import", "conversions", path, "-p", "glow", today="2026-04-10")
    database = dbmod.open_database(talent.db)
    with database.session() as s:
        program = lookup.find_program(s, "glow")
        period = kpis.choose_period(date(2026, 4, 10), month="2026-04")
        report = program_report.build_report(
            s, program, period, date(2026, 4, 10), management=False
        )
    database.dispose()
    assert (report.commission_minor, report.estimated_months) == (1501, ["2026-04"])
    shown = talent("programs", "report", "glow", "--month", "2026-04", today="2026-04-10").stdout
    assert "pending orders counted as approved" in shown and "15.01" in shown
    with dbmod.open_database(talent.db).session() as s:  # an estimate: nothing approved
        statuses = sorted(c.status.value for c in s.exec(select(Conversion)))
    assert statuses == ["pending", "pending", "reversed"]


def test_order_and_click_times_must_lie_between_2000_and_tomorrow(talent) -> None:  # noqa: ANN001, F811
    today = "2026-05-01"  # tomorrow ends at 2026-05-02 24:00 UTC
    bad = _orders(
        talent,
        "bad.csv",
        "F1,@nora,2030-01-01 10:00:00,10.00,,,\n"
        "F2,@nora,2026-05-03 00:00:00,10.00,,,\n"
        "O1,@nora,1970-01-01 00:00:00,10.00,,,\n"
        "C1,@nora,2026-04-02 10:00:00,10.00,,,2026-04-02 10:05:00\n"
        "C2,@sam,2026-04-02 10:00:00,10.00,,,2031-01-01 00:00:00\n"
        "OK,@sam,2026-04-02 10:00:00,10.00,,,2026-04-02 09:59:00\n",
        ",clicked_at",
    )
    refused = talent("import", "conversions", bad, "-p", "glow", code=1, today=today)
    for line in (
        "bad.csv:2:occurred_at: 2030-01-01 10:00:00 UTC is in the future (after 2026-05-02",
        "bad.csv:3:occurred_at: 2026-05-03 00:00:00 UTC is in the future",
        "bad.csv:4:occurred_at: 1970-01-01 00:00:00 is before 2000-01-01",
        "bad.csv:5:clicked_at: 2026-04-02 10:05:00 is after the order (2026-04-02 10:00:00)",
        "bad.csv:6:clicked_at: 2031-01-01 00:00:00 UTC is in the future",
    ):
        assert line in refused.stderr, refused.stderr
    assert "bad.csv:7" not in refused.stderr
    edge = _orders(talent, "edge.csv", "E1,@nora,2026-05-02 23:59:59,10.00,,\n")
    talent("import", "conversions", edge, "-p", "glow", today=today)
    clicks = talent.tmp / "clicks.csv"
    clicks.write_text("date,affiliate,clicks\n2030-01-01,@nora,5\n", encoding="utf-8")
    said = talent("import", "clicks", str(clicks), "-p", "glow", code=1, today=today).stderr
    assert "clicks.csv:2:date: 2030-01-01 is in the future (after 2026-05-02, UTC)" in said
    clicks.write_text("date,affiliate,clicks\n2026-05-02,@nora,5\n", encoding="utf-8")
    talent("import", "clicks", str(clicks), "-p", "glow", today=today)
    with dbmod.open_database(talent.db).session() as s:
        assert [c.order_id for c in s.exec(select(Conversion))] == ["E1"]  # nothing else
        assert [(d.day, d.clicks) for d in s.exec(select(ClickDay))] == [(date(2026, 5, 2), 5)]


def test_the_statement_and_kpi_tables_keep_figures_and_dates_whole_at_80_columns(
    talent,  # noqa: ANN001, F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(cli_common.out, "width", 80)
    talent("affiliates", "add", "@a.rather.long.affiliate.handle", "-p", "glow")
    path = _orders(
        talent,
        "w.csv",
        "W1,@a.rather.long.affiliate.handle,2026-03-02,1234567.89,,approved\n"
        "W2,@nora,2026-03-03,10.00,,approved\n",
    )
    talent("import", "conversions", path, "-p", "glow")
    talent("payouts", "build", "-p", "glow", "-m", "2026-03")
    listed = talent("payouts", "list").stdout.splitlines()
    rows = [line for line in listed if "2026-03" in line]
    assert len(rows) == 2 and all(len(line) <= 80 for line in listed)
    for row in rows:  # one line a statement: the due date, the total and the status whole
        assert "2026-05-31" in row and row.rstrip().endswith("open")
    assert "123,456.79 USD" in "".join(rows)  # 1,234,567.89 at 10 %
    shown = talent("affiliates", "kpis", "-p", "glow", "--month", "2026-03").stdout.splitlines()
    assert all(len(line) <= 80 for line in shown)
    assert any("1,234,567.89" in line and "123,456.79" in line for line in shown)


async def test_the_new_program_form_names_every_wrong_field_at_once(demo_db) -> None:  # noqa: ANN001
    with demo_db.session() as s:
        before = len(s.exec(select(Program)).all())
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(pilot)
        await pilot.press("N")
        await settle(pilot)
        assert isinstance(app.screen, FieldsForm)
        assert app.screen.values()["currency"] == "EUR"  # the program shown's, not a placeholder
        await fill(pilot, "name", "12")
        await fill(pilot, "brand", "No Such Brand")
        await fill(pilot, "currency", "XYZ")
        await fill(pilot, "rate", "abc")
        await fill(pilot, "lock_days", "soon")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, FieldsForm)  # still open

        def said(name: str) -> str:
            return str(app.screen.query_one(f"#error-{name}", Static).render())

        assert "cannot be a number" in said("name")
        assert "no brand" in said("brand")
        assert "unknown currency 'XYZ'" in said("currency")
        assert "not a percentage" in said("rate")
        assert said("lock_days") == "a number of days"
        assert said("net_days") == ""
    with demo_db.session() as s:
        assert len(s.exec(select(Program)).all()) == before


def _flags(run) -> list[tuple]:  # noqa: ANN001
    flags = json.loads(run("review", "list", "--status", "all", "--json").stdout)["flags"]
    return [(f["id"], f["affiliate"], f["rule"], f["status"], f["orders"]) for f in flags]


def test_forbidden_sources_are_set_from_the_command_line_and_checked_from_the_next_import(
    talent,  # noqa: ANN001, F811
) -> None:
    shown = talent(
        "programs", "fraud", "glow", "--forbid", " Coupon Sites ;  brand bidding; coupon sites"
    )
    assert "forbidden sources: Coupon Sites; brand bidding" in shown.stdout
    fraud = json.loads(talent("programs", "fraud", "glow", "--json").stdout)
    assert fraud["forbidden"] == ["Coupon Sites", "brand bidding"]
    assert json.loads(talent("programs", "rules", "glow", "--json").stdout)["fraud"][
        "forbidden"
    ] == ["Coupon Sites", "brand bidding"]
    path = _orders(talent, "f.csv", "F1,@nora,2026-04-20,10.00,,,coupon sites blog\n", ",source")
    talent("import", "conversions", path, "-p", "glow", today="2026-04-21")
    assert _flags(talent) == [(1, "@nora", "forbidden_source", "open", ["F1"])]
    talent("programs", "fraud", "glow", "--forbid", "")
    assert json.loads(talent("programs", "fraud", "glow", "--json").stdout)["forbidden"] == []


def test_a_held_order_the_platform_reverses_earns_nothing_even_once_approved(talent) -> None:  # noqa: ANN001, F811
    talent("programs", "fraud", "glow", "--forbid", "coupon sites")
    first = _orders(
        talent,
        "h.csv",
        "H1,@nora,2026-03-10,200.00,,pending,coupon sites\n"
        "H2,@nora,2026-03-11,100.00,,pending,coupon sites\n"
        "N1,@nora,2026-03-12,50.00,,pending,tiktok\n",
        ",source",
    )
    talent("import", "conversions", first, "-p", "glow", today="2026-03-20")
    assert [f[4] for f in _flags(talent)] == [["H1"], ["H2"]]
    # Before the lock date (10 April): the platform reverses H1; after it, H2 (both held).
    again = _orders(talent, "r1.csv", "H1,@nora,2026-03-10,200.00,200.00,reversed\n")
    said = talent("import", "conversions", again, "-p", "glow", today="2026-03-25").stdout
    assert "1 held order reversed by the platform" in said
    late = _orders(talent, "r2.csv", "H2,@nora,2026-03-11,100.00,,reversed\n")
    said = talent("import", "conversions", late, "-p", "glow", today="2026-04-20").stdout
    assert "1 held order reversed by the platform" in said
    for flag in (1, 2):
        talent("review", "approve", str(flag), "--reason", "looked fine", today="2026-04-20")
    built = json.loads(
        talent(
            "payouts", "build", "-p", "glow", "-m", "2026-03", "--json", today="2026-04-30"
        ).stdout
    )
    # By hand: only N1 earns: 50.00 at 10 % = 5.00; H1 and H2 stay reversed
    assert [(s["conversions"], s["total_minor"]) for s in built["statements"]] == [(1, 500)]
    with dbmod.open_database(talent.db).session() as s:
        stored = {c.order_id: (c.status.value, c.refund_minor) for c in s.exec(select(Conversion))}
    assert stored == {
        "H1": ("reversed", 20000),
        "H2": ("reversed", 0),
        "N1": ("approved", 0),
    }


def test_a_locked_order_is_checked_too_flagged_without_being_held(talent) -> None:  # noqa: ANN001, F811
    talent("programs", "fraud", "glow", "--forbid", "coupon sites")
    # imported on 27 May: March orders are locked (lock 30 days), May's are not
    path = _orders(
        talent,
        "l.csv",
        "L1,@nora,2026-03-10,100.00,,approved,Coupon Sites blog\n"
        "L2,@nora,2026-03-11,40.00,,approved,tiktok\n"
        "M1,@sam,2026-05-20,30.00,,,coupon sites\n"
        "M2,@nora,2026-05-21,10.00,,,tiktok\n",
        ",source",
    )
    talent("import", "conversions", path, "-p", "glow", today="2026-05-27")
    flags = json.loads(talent("review", "list", "--json").stdout)["flags"]
    assert [(f["affiliate"], f["orders"]) for f in flags] == [
        ("@nora", []),  # locked: flagged, holds nothing
        ("@sam", ["M1"]),
    ]
    assert "locked, so not held: rejecting takes its commission back" in flags[0]["reason"]
    built = json.loads(
        talent(
            "payouts", "build", "-p", "glow", "-m", "2026-03", "--json", today="2026-05-27"
        ).stdout
    )
    # March, by hand: L1 10.00 + L2 4.00 = 14.00 (L1 counted: it locked before its flag)
    assert [(s["affiliate"], s["total_minor"]) for s in built["statements"]] == [("@nora", 1400)]
    talent("review", "reject", str(flags[0]["id"]), "--reason", "coupon site", today="2026-05-28")
    talent("payouts", "build", "-p", "glow", "-m", "2026-04", today="2026-06-01")
    may = json.loads(
        talent(
            "payouts", "build", "-p", "glow", "-m", "2026-05", "--json", today="2026-07-01"
        ).stdout
    )
    # May, by hand: @nora M2 10.00 at 10 % = 1.00; the rejected L1 takes back all it earned,
    # −10.00: −9.00, carried. @sam's M1 is held by its open flag: no statement.
    assert [
        (
            s["affiliate"],
            s["commission_minor"],
            s["adjustments_minor"],
            s["total_minor"],
            s["status"],
        )
        for s in may["statements"]
    ] == [("@nora", 100, -1000, -900, "carried")]
    with dbmod.open_database(talent.db).session() as s:
        stored = {c.order_id: c.status.value for c in s.exec(select(Conversion))}
    assert stored["L1"] == "approved"  # a locked order is never edited: the adjustment says it


async def test_decisions_typed_at_machine_speed_land_on_the_flags_in_order(demo_db) -> None:  # noqa: ANN001
    """r, a reason, Ctrl+S, three times in one burst: each key waits for the save and the
    queue read again after it, so each decision lands on the next flag with its own reason
    (keys typed while saving reached the queue as commands, and a reason lost letters)."""
    from textual.widgets import DataTable

    from talent_tui.screens.affiliate_review import ReviewScreen
    from talent_tui.store.models import ReviewFlag

    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await _queue(pilot)
        table = app.screen.query_one("#review-queue", DataTable)
        ids = [int(str(k.value).split(":")[1]) for k in table.rows]
        assert len(ids) == 4  # the demo's four flags
        await type_fast(
            pilot, "r", *"spam", "ctrl+s", "r", *"more", "ctrl+s", "a", *"third", "ctrl+s"
        )
        await settle(pilot)
        assert isinstance(app.screen, ReviewScreen)
        assert table.row_count == 1
    with demo_db.session() as s:
        flags = {f.id: (f.status.value, f.decision_reason) for f in s.exec(select(ReviewFlag))}
    assert [flags[i] for i in ids] == [
        ("rejected", "spam"),
        ("rejected", "more"),
        ("approved", "third"),
        ("open", None),
    ]


async def test_an_esc_typed_while_a_form_saves_closes_the_form_not_the_screen_below(
    demo_db,  # noqa: ANN001
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import time

    from talent_tui.screens.affiliate_review import ReviewScreen
    from talent_tui.services.affiliates import review
    from talent_tui.store.models import ReviewFlag

    decide = review.decide

    def slow_decide(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202 - a save that takes a while
        time.sleep(0.3)
        return decide(*args, **kwargs)

    monkeypatch.setattr(review, "decide", slow_decide)
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await _queue(pilot)
        await type_fast(pilot, "r", *"spam", "ctrl+s", "escape")
        await settle(pilot)
        assert isinstance(app.screen, ReviewScreen)  # still in the queue
    with demo_db.session() as s:
        decided = [f.decision_reason for f in s.exec(select(ReviewFlag)) if f.decision_reason]
    assert decided == ["spam"]  # saved, and said so


def test_small_refusals_and_words(talent) -> None:  # noqa: ANN001, F811
    # a promotion at or below the base rate (10 %) could never apply
    low = talent("programs", "promo", "glow", "--rate", "10%", "--from", "2026-03-01",
                 "--to", "2026-03-07", code=1).stderr  # fmt: skip
    assert "must pay more than the base rate 10%; 10% would never apply" in low
    # amounts: an exponent or digits other than 0-9 are refused naming file:row:field
    path = _orders(talent, "x.csv", "X1,@nora,2026-03-02,1e3,,\nX2,@nora,2026-03-02,１０.００,,\n")
    said = talent("import", "conversions", path, "-p", "glow", code=1).stderr
    assert "x.csv:2:amount: not an amount: '1e3' (write it in full, e.g. 1000 for 1e3)" in said
    assert "x.csv:3:amount: not an amount: '１０.００' (digits 0-9 only)" in said
    # an order refunded in full shows its net, 0.00, on the statement
    path = _orders(talent, "r.csv", "F1,@nora,2026-03-02,20.00,20.00,approved\n")
    talent("import", "conversions", path, "-p", "glow")
    built = json.loads(talent("payouts", "build", "-p", "glow", "-m", "2026-03", "--json").stdout)
    shown = talent("payouts", "show", str(built["statements"][0]["id"])).stdout
    [line] = [ln for ln in shown.splitlines() if "F1" in ln]
    assert "0.00" in line.split("F1", 1)[1].split("10%")[0]


def test_evidence_reads_as_words() -> None:
    from talent_tui.screens.affiliate_review import evidence_words
    from talent_tui.services.affiliates.review import FlagView

    flag = FlagView(
        id=1, program_id=1, program="Glow", affiliate_id=1, affiliate="@nora",
        rule="duplicate_order", key="D1", reason="", status="open",
        created_at=datetime(2026, 3, 1, tzinfo=UTC), decided_by=None, decided_at=None,
        decision_reason=None,
        evidence={
            "order_id": "D1",
            "claims": [
                {"program": "Glow", "affiliate": "@nora"},
                {"program": "Glow", "affiliate": "@sam"},
            ],
            "clicked_at": "2026-11-25 16:04:56+00:00",
        },
    )  # fmt: skip
    assert evidence_words(flag) == (
        "order id: D1 · claims: @nora in Glow, @sam in Glow · clicked at: 2026-11-25 16:04:56 UTC"
    )


async def test_keys_typed_after_a_refused_save_are_dropped_not_typed_into_the_form(
    demo_db,  # noqa: ANN001
) -> None:
    """r, Ctrl+S with no reason (refused), Esc, a, ok, Ctrl+S in one burst: a slow typist
    would have seen the refusal; the keys typed ahead were meant for the queue after a save
    that did not happen. They are dropped: no decision at all (they saved the reject with
    reason 'aok')."""
    from talent_tui.store.models import ReviewFlag

    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await _queue(pilot)
        await type_fast(pilot, "r", "ctrl+s", "escape", "a", *"ok", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, FieldsForm)  # the refused form, with its reason
        assert app.screen.values()["reason"] == ""
        assert "required" in str(app.screen.query_one("#error-reason", Static).render())
        assert any("were dropped" in n.message for n in app._notifications)
    with demo_db.session() as s:
        assert {f.status.value for f in s.exec(select(ReviewFlag))} == {"open"}


async def test_a_slow_save_keeps_the_keys_typed_after_it_from_the_form(
    demo_db,  # noqa: ANN001
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A save longer than the app's longest hold (a locked database) still holds the keys
    typed after it: they reached the saving form's fields before."""
    import time

    from talent_tui import app as app_module
    from talent_tui.services.affiliates import review
    from talent_tui.store.models import ReviewFlag

    decide = review.decide

    def slow_decide(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        time.sleep(0.6)
        return decide(*args, **kwargs)

    monkeypatch.setattr(review, "decide", slow_decide)
    monkeypatch.setattr(app_module, "HOLD_AT_MOST_S", 0.2)
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await _queue(pilot)
        ids = [int(str(k.value).split(":")[1]) for k in app.screen.query_one(DataTable).rows]
        await type_fast(pilot, "r", *"one", "ctrl+s", "r", *"two", "ctrl+s")
        for _ in range(100):  # the two slow saves, one after the other
            await pilot.pause(0.05)
            with demo_db.session() as s:
                if len([f for f in s.exec(select(ReviewFlag)) if f.decision_reason]) == 2:
                    break
        await settle(pilot)
    with demo_db.session() as s:
        flags = {f.id: (f.status.value, f.decision_reason) for f in s.exec(select(ReviewFlag))}
    assert [flags[i] for i in ids[:2]] == [("rejected", "one"), ("rejected", "two")]


def test_numbers_are_read_as_written_everywhere_money_or_a_rate_is_typed(talent) -> None:  # noqa: ANN001, F811
    # JSON: an exponent is refused as in a CSV (1e3 was stored as 1,000.00)
    path = talent.tmp / "j.json"
    path.write_text(
        '[{"order_id":"J1","affiliate":"@nora","occurred_at":"2026-03-02","amount":1e3},'
        '{"order_id":"J2","affiliate":"@nora","occurred_at":"2026-03-02","amount":12.5}]',
        encoding="utf-8",
    )
    said = talent("import", "conversions", str(path), "-p", "glow", code=1).stderr
    assert "j.json:1:amount: not an amount: '1e3'" in said and "j.json:2" not in said
    # "_" grouping, and rates with an exponent or other digits
    bonus = talent("programs", "bonus", "glow", "--at", "3", "--amount", "1_000 USD", code=1)
    assert "group thousands with commas" in bonus.stderr
    for rate in ("1e1%", "１０%", "٣%", "1_0%"):
        refused = talent("programs", "tier", "glow", "--from", "3", "--rate", rate, code=1)
        assert "not a percentage" in refused.stderr, rate
    # checklist items by number: only ASCII digits (² ended the command with exit 70)
    talent("programs", "checklist", "glow", "Signed terms; Tax form")
    for item in ("²", "١"):
        assert talent("affiliates", "tick", "@nora", item, "-p", "glow", code=1).stderr
    with dbmod.open_database(talent.db).session() as s:
        from talent_tui.store.models import ChecklistTick, CommissionRule

        assert s.exec(select(Conversion)).all() == []
        assert s.exec(select(CommissionRule)).all() == []
        assert s.exec(select(ChecklistTick)).all() == []


def test_payment_counts_and_totals_say_what_is_to_pay(talent) -> None:  # noqa: ANN001, F811
    path = _orders(
        talent, "t.csv", "Z1,@nora,2026-03-02,20.00,20.00,approved\nS1,@sam,2026-03-03,10.05,,\n"
    )
    talent("import", "conversions", path, "-p", "glow")
    talent("payouts", "build", "-p", "glow", "-m", "2026-03")
    out = talent.tmp / "pay.csv"
    wrote = talent("payouts", "export", "-m", "2026-03", "--status", "ALL", "-o", str(out))
    assert "Wrote 1 statement(s)" in wrote.stderr  # @nora's 0.00 has no row
    assert len(out.read_text(encoding="utf-8").splitlines()) == 2
    listed = talent("payouts", "list").stdout
    assert "To pay: 1.01 USD" in listed  # @sam's open 1.01; the zero statement adds nothing


def test_a_click_a_fraction_of_a_second_after_its_order_says_so(talent) -> None:  # noqa: ANN001, F811
    path = _orders(
        talent,
        "c.csv",
        "C1,@nora,2026-03-02 10:00:00,10.00,,,2026-03-02 10:00:00.5\n",
        ",clicked_at",
    )
    said = talent("import", "conversions", path, "-p", "glow", code=1).stderr
    assert "2026-03-02 10:00:00.5 is after the order (2026-03-02 10:00:00)" in said


def test_a_table_too_wide_for_the_terminal_wraps_instead_of_cutting(
    talent,  # noqa: ANN001, F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(cli_common.out, "width", 50)
    path = _orders(talent, "n.csv", "N1,@nora,2026-03-02,10.00,,approved\n")
    talent("import", "conversions", path, "-p", "glow")
    talent("payouts", "build", "-p", "glow", "-m", "2026-03")
    listed = " ".join(talent("payouts", "list").stdout.split())
    assert "id 1 · month 2026-03 · program Glow · affiliate @nora · conv 1 · total 1.00 USD" in (
        listed
    )
    assert "due 2026-05-31 · status open" in listed


async def test_a_burst_of_two_offers_saves_both_as_typed(demo_db) -> None:  # noqa: ANN001
    """o, a brand, a name, a fee, deliverables, Ctrl+S, then o again for a second offer, in
    one burst (the key after Ctrl+S was saved into the first offer's last field: '1 videoo')."""
    from talent_tui.store.models import Campaign, Offer

    with demo_db.session() as s:
        before = {c.id for c in s.exec(select(Campaign))}
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await type_fast(
            pilot, "o", *"Byte Audio", "tab", *"OF3", "tab", *"100 USD", "tab", *"1 video",
            "ctrl+s", "o", *"Byte Audio", "tab", *"OF4", "tab", *"200 USD", "tab", *"2 videos",
            "ctrl+s",
        )  # fmt: skip
        await settle(pilot)
    with demo_db.session() as s:
        made = [c for c in s.exec(select(Campaign)) if c.id not in before]
        offers = {o.campaign_id: o for o in s.exec(select(Offer))}
        stored = sorted((c.name, c.fee_minor, offers[c.id].deliverables) for c in made)
    assert stored == [("OF3", 10000, "1 video"), ("OF4", 20000, "2 videos")]


async def test_a_burst_of_rates_saves_each_rate_as_typed(demo_db) -> None:  # noqa: ANN001
    from talent_tui.screens.rates import RateEditor
    from talent_tui.services import creators
    from talent_tui.store.models import Creator

    with demo_db.session() as s:
        zoe = s.exec(select(Creator).order_by(Creator.id)).first()
        assert zoe is not None and zoe.id is not None
        before = {r.deliverable: r.amount_minor for r in creators.rates_of(s, zoe.id)}
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.screen.jump_to(zoe.id)
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, RateEditor)
        app.screen.query_one("#rate-deliverable").focus()
        await settle(pilot)
        await type_fast(
            pilot, *"video", "tab", *"500 USD", "ctrl+s", *"live", "tab", *"600 USD", "ctrl+s",
            *"story", "tab", *"700 USD", "ctrl+s",
        )  # fmt: skip
        await settle(pilot)
    with demo_db.session() as s:
        after = {r.deliverable: r.amount_minor for r in creators.rates_of(s, zoe.id)}
    assert after == before | {"video": 50000, "live": 60000, "story": 70000}


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (
            ("creators", "add", "--name", "Zed", "--tiktok", "@zed.x", "--commission", "1e1"),
            "not a percentage",
        ),
        (
            ("creators", "add", "--name", "Zed", "--tiktok", "@zed.x", "--commission", "１５"),
            "not a percentage",
        ),
        (
            ("creators", "add", "--name", "Zed", "--tiktok", "@zed.x", "--commission", "12.345"),
            "two decimals",
        ),
        (("programs", "fraud", "glow", "--outlier-x", "1e1"), "not a factor"),
        (("programs", "fraud", "glow", "--spike-x", "٣"), "not a factor"),
    ],
)
def test_percentages_and_factors_are_read_as_written(talent, args, said) -> None:  # noqa: ANN001, F811
    assert said in talent(*args, code=1).stderr
    with dbmod.open_database(talent.db).session() as s:
        from talent_tui.store.models import Creator

        assert s.exec(select(Creator)).all() == []


async def test_a_key_typed_after_saving_a_new_creator_acts_on_that_creator(demo_db) -> None:  # noqa: ANN001
    """n, a name, a handle, Ctrl+S, e in one burst: e waits for the roster read again after
    the save, so it edits the creator just added (it edited the one highlighted before)."""
    from talent_tui.screens.forms import CreatorForm
    from talent_tui.store.models import Creator

    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await type_fast(pilot, "n", *"Zed Five", "tab", *"@zed5", "ctrl+s", "e")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, CreatorForm)
        with demo_db.session() as s:
            zed = s.exec(select(Creator).where(Creator.tiktok_handle == "@zed5")).one()
        assert form.creator_id == zed.id
        assert form.values()["name"] == "Zed Five"


async def test_home_and_end_go_to_the_first_and_last_row_of_a_table(demo_db) -> None:  # noqa: ANN001
    """On the pipeline board (rows drawn a page at a time) End goes to the last affiliate of
    all, Home back to the first row (they scrolled sideways and did nothing visible)."""
    from talent_tui.screens.affiliates import AffiliatesScreen

    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot)
        assert isinstance(screen, AffiliatesScreen)
        board = screen.query_one("#aff-pipeline", DataTable)
        board.focus()
        await settle(pilot)
        await pilot.press("end")
        await settle(pilot)
        keys = screen.pipeline_rows.keys
        assert board.row_count == len(keys)  # the rest drawn
        assert board.cursor_row == len(keys) - 1
        assert keys[-1].startswith("affiliate:")
        await pilot.press("home")
        await settle(pilot)
        assert board.cursor_row == 0
