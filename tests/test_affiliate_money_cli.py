"""Affiliate money from the command line (issue 16): rules, review, payouts, reports; errors
on stderr with a non-zero exit and never a traceback."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from talent_tui.cli import main as cli
from talent_tui.store import db as dbmod
from talent_tui.store.models import Statement

CONVERSIONS = """order_id,affiliate,occurred_at,amount,refund,status,source
M1,@nora,2026-03-01 00:00:00,100.05,,approved,tiktok
M2,@nora,2026-03-07 23:59:59,50.00,10.00,approved,tiktok
M3,@nora,2026-03-08 00:00:00,33.33,,pending,blog
M4,@sam,2026-03-10 08:00:00,10.05,,pending,blog
"""


@pytest.fixture
def talent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    runner = CliRunner()
    db = str(tmp_path / "t.db")

    def run(*args: str, code: int = 0, today: str = "2026-05-01"):  # noqa: ANN202
        monkeypatch.setenv("TALENT_TODAY", today)
        result = runner.invoke(cli.app, ["--db", db, *args], catch_exceptions=False)
        assert result.exit_code == code, (result.stdout, result.stderr)
        assert "Traceback" not in result.stdout + result.stderr
        return result

    brands = tmp_path / "brands.csv"
    brands.write_text("name\nGlow Labs\n", encoding="utf-8")
    run("import", "brands", str(brands))
    run("programs", "add", "Glow", "--brand", "Glow Labs", "--currency", "USD", "--rate", "10%")
    for handle in ("@nora", "@sam"):
        run("affiliates", "add", handle, "-p", "glow", "--stage", "active")
    run.db = db  # type: ignore[attr-defined]
    run.tmp = tmp_path  # type: ignore[attr-defined]
    return run


def test_rules_build_list_show_pay_export_from_the_command_line(talent) -> None:  # noqa: ANN001
    talent("programs", "tier", "glow", "--from", "3", "--rate", "15%")
    talent(
        "programs", "promo", "glow", "--rate", "20%", "--from", "2026-03-01", "--to", "2026-03-07"
    )
    talent("programs", "bonus", "glow", "--at", "3", "--amount", "25 USD")
    rules = json.loads(talent("programs", "rules", "glow", "--json").stdout)
    assert [t["rate_bp"] for t in rules["tiers"]] == [1500]
    assert rules["bonuses"][0]["amount_minor"] == 2500
    path = talent.tmp / "conv.csv"
    path.write_text(CONVERSIONS, encoding="utf-8")
    talent("import", "conversions", str(path), "--program", "glow")

    early = talent("payouts", "build", "-p", "glow", "-m", "2026-03", today="2026-04-29", code=1)
    assert "build on or after 2026-04-30" in early.stderr
    built = json.loads(talent("payouts", "build", "-p", "glow", "-m", "2026-03", "--json").stdout)
    # By hand: @nora 3 conversions → 15 %; M1 100.05 × 20 % = 20.01, M2 40.00 × 20 % = 8.00,
    # M3 33.33 × 15 % = 4.9995 → 5.00; 33.01 + bonus 25.00 = 58.01, due 1 May + 30 days.
    # @sam: 10.05 × 10 % = 1.005 → 1.01.
    assert built == {
        "statements": [
            {"id": 1, "affiliate": "@nora", "currency": "USD", "conversions": 3,
             "commission_minor": 3301, "bonus_minor": 2500, "adjustments_minor": 0,
             "total_minor": 5801, "due_on": "2026-05-31", "status": "open"},
            {"id": 2, "affiliate": "@sam", "currency": "USD", "conversions": 1,
             "commission_minor": 101, "bonus_minor": 0, "adjustments_minor": 0,
             "total_minor": 101, "due_on": "2026-05-31", "status": "open"},
        ]
    }  # fmt: skip
    again = json.loads(talent("payouts", "build", "-p", "glow", "-m", "2026-03", "--json").stdout)
    assert again == built

    shown = json.loads(talent("payouts", "show", "1", "--json").stdout)
    assert [(ln["order_id"], ln["rate_bp"], ln["amount_minor"]) for ln in shown["lines"]] == [
        ("M1", 2000, 2001),
        ("M2", 2000, 800),
        ("M3", 1500, 500),
        (None, None, 2500),
    ]
    assert shown["lines"][2]["why"] == "tier from 3: 15% (3 this month)"
    assert "why" in talent("payouts", "show", "1").stdout

    overdue = json.loads(
        talent("payouts", "list", "--status", "overdue", "--json", today="2026-06-01").stdout
    )
    assert [s["id"] for s in overdue["statements"]] == [1, 2]
    listed = talent("payouts", "list", today="2026-06-01").stdout
    assert "overdue" in listed and "59.02 USD" in listed  # 58.01 + 1.01, one currency

    talent(
        "payouts", "pay", "1", "--paid-on", "2026-05-20", "--reference", "W-1", today="2026-06-01"
    )
    twice = talent("--as", "joe", "payouts", "pay", "1", code=1, today="2026-06-01")
    assert "already paid on 2026-05-20 by" in twice.stderr
    future = talent("payouts", "pay", "2", "--paid-on", "2026-07-01", code=1, today="2026-06-01")
    assert "in the future" in future.stderr
    bad_day = talent("payouts", "pay", "2", "--paid-on", "2026-02-30", code=1, today="2026-06-01")
    assert "February 2026 has 28 days" in bad_day.stderr
    assert talent("payouts", "pay", "99", code=1).stderr.count("no statement #99") == 1

    out = talent.tmp / "pay.csv"
    talent("payouts", "export", "-m", "2026-03", "--status", "all", "-o", str(out))
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("statement_id,program,month,affiliate")
    assert (
        lines[1].startswith("1,Glow,2026-03,'@nora,") and ",USD,58.01,2026-05-31,paid," in lines[1]
    )
    refused = talent("payouts", "export", "-m", "2026-03", "-o", talent.db, code=1)
    assert "is the database" in refused.stderr
    with dbmod.open_database(talent.db).session() as s:
        assert len(s.exec(select(Statement)).all()) == 2


def test_review_commands_list_approve_and_reject(talent) -> None:  # noqa: ANN001
    from talent_tui.services.affiliates import lookup, review
    from talent_tui.store.models import Conversion

    path = talent.tmp / "conv.csv"
    path.write_text(CONVERSIONS, encoding="utf-8")
    talent("import", "conversions", str(path), "--program", "glow")
    database = dbmod.open_database(talent.db)
    with database.transaction() as s:
        program = lookup.find_program(s, "glow")
        program.forbidden_sources = "blog"
        s.add(program)
        ids = [c.id for c in s.exec(select(Conversion).order_by(Conversion.id))]
        review.check_conversions(s, program, ids, date(2026, 3, 20), "t")
    database.dispose()
    listed = json.loads(talent("review", "list", "--json").stdout)
    assert [(f["id"], f["affiliate"], f["rule"], f["orders"]) for f in listed["flags"]] == [
        (1, "@nora", "forbidden_source", ["M3"]),
        (2, "@sam", "forbidden_source", ["M4"]),
    ]
    talent("review", "approve", "1", "--reason", "checked the blog")
    talent("review", "reject", "2", "--reason", "coupon blog")
    again = talent("review", "reject", "2", "--reason", "x", code=1)
    assert "already rejected" in again.stderr
    assert talent("review", "approve", "7", "--reason", "x", code=1).stderr.strip()
    assert "--reason" in talent("review", "approve", "1", code=2).stderr
    assert json.loads(talent("review", "list", "--json").stdout) == {"flags": []}
    decided = json.loads(talent("review", "list", "--status", "all", "--json").stdout)["flags"]
    assert [(f["status"], f["decision_reason"]) for f in decided] == [
        ("approved", "checked the blog"),
        ("rejected", "coupon blog"),
    ]


@pytest.mark.parametrize(
    "args",
    [
        ("programs", "tier", "glow", "--from", "3"),
        ("programs", "tier", "glow", "--from", "3", "--rate", "1e9%"),
        ("programs", "tier", "nope", "--from", "3", "--rate", "5%"),
        ("programs", "promo", "glow", "--rate", "5%", "--from", "2026-03-09", "--to", "2026-03-01"),
        ("programs", "bonus", "glow", "--at", "2", "--amount", "99999999999999999999999 USD"),
        ("programs", "bonus", "glow", "--at", "2", "--amount", "5 EUR"),
        ("programs", "fraud", "glow", "--spike-x", "0.5"),
        ("payouts", "build", "-p", "glow", "-m", "2026-13"),
        ("payouts", "list", "--status", "late"),
        ("review", "list", "--status", "maybe"),
        ("programs", "report", "glow", "--month", "2026-03", "--format", "pdf"),
        ("programs", "report", "glow", "--month", "9999-12"),
        ("payouts", "build", "-p", "glow", "-m", "9999-12"),
        ("payouts", "pay", "99999999999999999999999"),
        ("payouts", "show", "99999999999999999999999"),
        ("review", "approve", "99999999999999999999999", "--reason", "x"),
        ("programs", "promo", "glow", "--remove", "99999999999999999999999"),
        ("programs", "fraud", "glow", "--outlier-min-clicks", "99999999999999999999999"),
        ("payouts", "pay", "1", "--reference", "a\x1b[31mred"),
    ],
)
def test_bad_input_is_a_clear_error_never_a_traceback(talent, args: tuple[str, ...]) -> None:  # noqa: ANN001
    runner = CliRunner()
    out = runner.invoke(cli.app, ["--db", talent.db, *args])
    assert out.exit_code in (1, 2), out.stdout
    assert out.exception is None or isinstance(out.exception, SystemExit)
    assert "Traceback" not in out.stdout + out.stderr and out.stderr.strip()


def test_the_program_report_in_md_html_and_csv(talent) -> None:  # noqa: ANN001
    path = talent.tmp / "conv.csv"
    path.write_text(CONVERSIONS, encoding="utf-8")
    talent("import", "conversions", str(path), "--program", "glow")
    talent("payouts", "build", "-p", "glow", "-m", "2026-03")
    md = talent("programs", "report", "glow", "--month", "2026-03").stdout
    # By hand: revenue 100.05 + 40.00 + 33.33 + 10.05 = 183.43; commissions at the base 10 %:
    # 10.005 → 10.01, 4.00, 3.333 → 3.33 (@nora 17.34) and 1.005 → 1.01 (@sam): 18.35.
    assert "- **Revenue:** 183.43 USD" in md
    assert "- **Commissions:** 18.35 USD" in md  # 10.01 + 4.00 + 3.33 + 1.01
    assert "- **Cost of sale:** 10.0%" in md  # 18.35 / 183.43 = 10.004 %
    html_file = talent.tmp / "r.html"
    talent(
        "programs",
        "report",
        "glow",
        "-m",
        "2026-03",
        "-f",
        "html",
        "--management",
        "-o",
        str(html_file),
    )
    assert "<h1>Management report: Glow (Glow Labs), 2026-03</h1>" in html_file.read_text()
    csv_file = talent.tmp / "r.csv"
    talent("programs", "report", "glow", "-m", "2026-03", "-f", "csv", "-o", str(csv_file))
    summary = (talent.tmp / "r-summary.csv").read_text()
    assert "Revenue,183.43 USD" in summary
    top = (talent.tmp / "r-top.csv").read_text().splitlines()
    assert top[1] == "'@nora,0,3,173.38,17.34,USD"


def test_a_click_import_runs_the_click_spike_rule(talent) -> None:  # noqa: ANN001
    rows = ["date,affiliate,clicks"]
    rows += [f"2026-03-0{d},@nora,{30 + d % 3}" for d in range(1, 9)]  # median 31
    rows.append("2026-03-09,@nora,311")  # above 10 × 31 = 310
    rows.append("2026-03-09,@sam,5")
    path = talent.tmp / "clicks.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    talent("import", "clicks", str(path), "--program", "glow", today="2026-03-20")
    [flag] = json.loads(talent("review", "list", "--json", today="2026-03-20").stdout)["flags"]
    assert (flag["affiliate"], flag["rule"], flag["evidence"]["clicks"]) == (
        "@nora",
        "click_spike",
        311,
    )
    assert flag["evidence"]["median"] == "31"
    # importing the same file again flags nothing new
    talent("import", "clicks", str(path), "--program", "glow", today="2026-03-20")
    assert (
        len(json.loads(talent("review", "list", "--json", today="2026-03-20").stdout)["flags"]) == 1
    )


def test_an_import_with_click_times_runs_the_too_fast_rule(talent) -> None:  # noqa: ANN001
    path = talent.tmp / "fast.csv"
    path.write_text(
        "order_id,affiliate,occurred_at,amount,clicked_at\n"
        "F1,@nora,2026-03-10 10:00:09,10.00,2026-03-10 10:00:00\n"
        "F2,@nora,2026-03-10 11:00:30,10.00,2026-03-10 11:00:00\n"
        "F3,@sam,2026-03-10 12:00:00,10.00,\n",
        encoding="utf-8",
    )
    talent("import", "conversions", str(path), "--program", "glow", today="2026-03-20")
    [flag] = json.loads(talent("review", "list", "--json", today="2026-03-20").stdout)["flags"]
    assert (flag["rule"], flag["orders"]) == ("too_fast", ["F1"])
    assert flag["reason"] == "too fast: order F1 came 9 s after its click (within 10 s)"
    bad = talent.tmp / "bad.csv"
    bad.write_text(
        "order_id,affiliate,occurred_at,amount,clicked_at\nF4,@nora,2026-03-10,1,yesterday\n",
        encoding="utf-8",
    )
    refused = talent("import", "conversions", str(bad), "--program", "glow", code=1)
    assert "bad.csv:2:clicked_at" in refused.stderr


def test_a_refund_over_the_amount_of_a_locked_order_is_still_refused(talent) -> None:  # noqa: ANN001
    path = talent.tmp / "conv.csv"
    path.write_text(CONVERSIONS, encoding="utf-8")
    talent("import", "conversions", str(path), "--program", "glow", today="2026-03-20")
    path.write_text(
        "order_id,affiliate,occurred_at,amount,refund,status\n"
        "M1,@nora,2026-03-01 00:00:00,100.05,100.06,approved\n",
        encoding="utf-8",
    )
    refused = talent("import", "conversions", str(path), "--program", "glow", code=1)
    assert "refund" in refused.stderr and "larger than the amount" in refused.stderr
    with dbmod.open_database(talent.db).session() as s:
        from talent_tui.store.models import Adjustment

        assert s.exec(select(Adjustment)).all() == []
