"""Issue 16's "done when", through the command line: a month of real-shaped data with refunds,
reversals after locking, tiers, a promotion and bonuses; statements that match a hand
calculation to the cent, building twice changes nothing, a reversal after payment is an
adjustment the next month, and flagged conversions wait in review and earn nothing until
approved."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from talent_tui.cli import main as cli
from talent_tui.store import db as dbmod
from talent_tui.store.models import Adjustment, Conversion, ConversionStatus, Statement

CLICKS = """date,affiliate,clicks
2026-03-15,@nora,1000
2026-03-15,@sam,400
2026-03-15,@lee,300
"""

MARCH = """order_id,affiliate,occurred_at,amount,refund,status,source,customer_email
N1,@nora,2026-03-01 09:00:00,120.00,,approved,tiktok,a@shop.example
N2,@nora,2026-03-03 09:00:00,80.50,20.50,approved,tiktok,b@shop.example
N3,@nora,2026-03-05 09:00:00,45.45,,pending,tiktok,
N4,@nora,2026-03-10 00:00:00,200.00,,pending,tiktok,
N5,@nora,2026-03-12 23:59:59,99.99,,pending,instagram,
N6,@nora,2026-03-13 00:00:00,10.05,,pending,tiktok,
N7,@nora,2026-03-15 12:00:00,300.00,,pending,tiktok,
N8,@nora,2026-03-20 12:00:00,15.15,,pending,tiktok,
N9,@nora,2026-03-25 12:00:00,70.00,,pending,tiktok,
N10,@nora,2026-03-28 12:00:00,33.33,,pending,tiktok,
N11,@nora,2026-03-29 12:00:00,50.00,,pending,tiktok, NORA@Glow.example
N12,@nora,2026-03-30 12:00:00,40.00,,reversed,tiktok,
S1,@sam,2026-03-02 12:00:00,100.05,,pending,blog,
S2,@sam,2026-03-04 12:00:00,60.00,,pending,Coupon Sites,
S3,@sam,2026-03-06 12:00:00,25.00,,pending,blog,
L1,@lee,2026-03-11 12:00:00,12.34,,pending,youtube,
L2,@lee,2026-03-14 12:00:00,500.00,,pending,youtube,
"""

# In May the platform reverses L2 and refunds 10.00 more of N2 (both locked and paid by then),
# says N11 is pending (it was approved in review: locked, not edited), and adds April's orders.
MAY = """order_id,affiliate,occurred_at,amount,refund,status,source,customer_email
N2,@nora,2026-03-03 09:00:00,80.50,30.50,approved,tiktok,b@shop.example
N11,@nora,2026-03-29 12:00:00,50.00,,pending,tiktok,
L2,@lee,2026-03-14 12:00:00,500.00,,reversed,youtube,
N13,@nora,2026-04-05 12:00:00,100.00,,pending,tiktok,
L3,@lee,2026-04-02 12:00:00,"1,000.00",,pending,youtube,
"""


@pytest.fixture
def talent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    runner = CliRunner()
    db = str(tmp_path / "t.db")

    def run(*args: str, today: str, code: int = 0):  # noqa: ANN202
        monkeypatch.setenv("TALENT_TODAY", today)
        result = runner.invoke(cli.app, ["--db", db, "--as", "mina", *args])
        assert result.exit_code == code, (result.stdout, result.stderr)
        assert "Traceback" not in result.stdout + result.stderr
        return result

    def file(name: str, text: str) -> str:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return str(path)

    run.db = db  # type: ignore[attr-defined]
    run.file = file  # type: ignore[attr-defined]
    return run


def statements(result) -> dict[str, dict]:  # noqa: ANN001
    return {s["affiliate"]: s for s in json.loads(result.stdout)["statements"]}


def test_a_month_of_affiliate_money_matches_the_hand_calculation(talent) -> None:  # noqa: ANN001, PLR0915
    day = "2026-03-01"
    talent("import", "brands", talent.file("b.csv", "name\nGlow Labs\n"), today=day)
    talent("programs", "add", "Glow", "--brand", "Glow Labs", "--currency", "USD",
           "--rate", "10%", "--forbid", "coupon sites", today=day)  # fmt: skip
    talent("affiliates", "add", "@nora", "-p", "glow", "--email", "nora@glow.example", today=day)
    talent("affiliates", "add", "@sam", "-p", "glow", today=day)
    talent("affiliates", "add", "@lee", "-p", "glow", today=day)
    talent("programs", "tier", "glow", "--from", "5", "--rate", "12%", today=day)
    talent("programs", "tier", "glow", "--from", "10", "--rate", "15%", today=day)
    talent("programs", "promo", "glow", "--rate", "20%", "--from", "2026-03-10",
           "--to", "2026-03-12", today=day)  # fmt: skip
    talent("programs", "bonus", "glow", "--at", "5", "--amount", "20 USD", today=day)
    talent("programs", "bonus", "glow", "--at", "10", "--amount", "50 USD", today=day)

    # The month's data arrives on its last day: the review rules hold two orders.
    end = "2026-03-31"
    talent("import", "clicks", talent.file("c.csv", CLICKS), "--program", "glow", today=end)
    talent("import", "conversions", talent.file("m.csv", MARCH), "--program", "glow", today=end)
    queue = json.loads(talent("review", "list", "--json", today=end).stdout)["flags"]
    assert [(f["affiliate"], f["rule"], f["orders"]) for f in queue] == [
        ("@nora", "self_referral", ["N11"]),
        ("@sam", "forbidden_source", ["S2"]),
    ]
    assert "coupon sites" in queue[1]["reason"]

    refused = talent("payouts", "build", "-p", "glow", "-m", "2026-03", today="2026-04-29", code=1)
    assert "build on or after 2026-04-30" in refused.stderr
    built = talent("payouts", "build", "-p", "glow", "-m", "2026-03", "--json", today="2026-04-30")
    march = statements(built)
    # By hand. @nora: N1–N10 count (N11 held, N12 reversed): 10 → the 15 % tier for all ten,
    # 20 % on 10–12 March.
    #   N1 120.00×15% = 18.00   N2 (80.50−20.50)×15% = 9.00   N3 45.45×15% = 6.8175 → 6.82
    #   N4 200.00×20% = 40.00   N5 99.99×20% = 19.998 → 20.00   N6 10.05×15% = 1.5075 → 1.51
    #   N7 300.00×15% = 45.00   N8 15.15×15% = 2.2725 → 2.27   N9 70.00×15% = 10.50
    #   N10 33.33×15% = 4.9995 → 5.00          commission 158.10, bonuses 20 + 50 = 70.00
    assert march["@nora"] == {
        "id": march["@nora"]["id"], "affiliate": "@nora", "currency": "USD", "conversions": 10,
        "commission_minor": 15810, "bonus_minor": 7000, "adjustments_minor": 0,
        "total_minor": 22810, "due_on": "2026-05-30", "status": "open",
    }  # fmt: skip
    # @sam: S1, S3 (S2 held) → base 10 %: 100.05 → 10.005 → 10.01; 25.00 → 2.50: 12.51
    assert (march["@sam"]["conversions"], march["@sam"]["total_minor"]) == (2, 1251)
    # @lee: L1 in the promotion 12.34×20% = 2.468 → 2.47; L2 500.00×10% = 50.00: 52.47
    assert (march["@lee"]["conversions"], march["@lee"]["total_minor"]) == (2, 5247)
    again = talent("payouts", "build", "-p", "glow", "-m", "2026-03", "--json", today="2026-05-02")
    assert statements(again) == march

    # Review after the build: N11 approved (its 50.00 × the month's 15 % = 7.50 goes to the
    # next statement), S2 rejected (reversed, never earns).
    talent("review", "approve", str(queue[0]["id"]), "--reason", "her sister's order",
           today="2026-05-02")  # fmt: skip
    talent("review", "reject", str(queue[1]["id"]), "--reason", "coupon site", today="2026-05-02")
    for who in ("@nora", "@sam", "@lee"):
        talent("payouts", "pay", str(march[who]["id"]), "--reference", f"W-{who}",
               today="2026-05-05")  # fmt: skip

    # May: the platform's later word on locked, paid orders, and April's orders.
    talent("import", "conversions", talent.file("may.csv", MAY), "--program", "glow",
           today="2026-05-10")  # fmt: skip
    database = dbmod.open_database(talent.db)
    with database.session() as s:
        by_order = {c.order_id: c for c in s.exec(select(Conversion))}
        assert (by_order["L2"].status, by_order["N2"].refund_minor) == (
            ConversionStatus.APPROVED,  # locked: not edited
            2050,
        )
        assert by_order["N11"].status is ConversionStatus.APPROVED
        assert by_order["S2"].status is ConversionStatus.REVERSED
        assert len(s.exec(select(Adjustment)).all()) == 3
    database.dispose()

    april = statements(
        talent("payouts", "build", "-p", "glow", "-m", "2026-04", "--json", today="2026-05-31")
    )
    # @nora: N13 100.00 × 10 % = 10.00; N11 approved +7.50; N2's 10.00 refund: 9.00 before,
    # (80.50 − 30.50) × 15 % = 7.50 after → −1.50. Total 16.00.
    assert (april["@nora"]["commission_minor"], april["@nora"]["adjustments_minor"]) == (1000, 600)
    assert april["@nora"]["total_minor"] == 1600
    # @lee: L3 1,000.00 × 10 % = 100.00; L2 reversed after payment: −50.00. Total 50.00.
    assert (april["@lee"]["commission_minor"], april["@lee"]["adjustments_minor"]) == (10000, -5000)
    assert "@sam" not in april
    shown = json.loads(talent("payouts", "show", str(april["@lee"]["id"]), "--json",
                              today="2026-05-31").stdout)  # fmt: skip
    [adjustment] = [ln for ln in shown["lines"] if ln["kind"] == "adjustment"]
    assert adjustment["why"] == "order L2 (2026-03) reversed after it locked"
    assert adjustment["amount_minor"] == -5000
    with dbmod.open_database(talent.db).session() as s:
        assert len(s.exec(select(Statement)).all()) == 5
