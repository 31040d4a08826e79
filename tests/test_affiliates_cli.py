"""The affiliate commands end to end on a fresh database: create a program, recruit and
onboard affiliates, give links and codes, import a month of clicks and a TikTok Shop export,
read KPIs that match a hand calculation, export; errors on stderr with exit code 1."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from talent_tui.cli import main as cli
from talent_tui.store import db as dbmod
from talent_tui.store.models import Affiliate, Conversion, PromoCode, TrackingLink


@pytest.fixture
def talent(tmp_path: Path):  # noqa: ANN201
    runner = CliRunner()
    db = str(tmp_path / "t.db")

    def run(*args: str, code: int = 0):  # noqa: ANN202
        result = runner.invoke(cli.app, ["--db", db, *args], catch_exceptions=False)
        assert result.exit_code == code, (result.stdout, result.stderr)
        return result

    brands = tmp_path / "brands.csv"
    brands.write_text("name,email\nGlow Labs,ana@glow.example\n", encoding="utf-8")
    run("import", "brands", str(brands))
    run.db = db  # type: ignore[attr-defined]
    return run


def test_from_an_empty_database_to_kpis_that_match_a_hand_calculation(talent, tmp_path) -> None:  # noqa: ANN001
    talent(
        "programs",
        "add",
        "Glow Spring",
        "--brand",
        "Glow Labs",
        "--currency",
        "USD",
        "--rate",
        "10%",
        "--forbid",
        "coupon sites",
    )
    talent("programs", "checklist", "glow-spring", "Signed terms; Tax form")
    talent("affiliates", "add", "@nora", "--program", "glow-spring", "--email", "nora@x.example")
    talent("affiliates", "add", "sam", "-p", "glow-spring", "--stage", "onboarding")
    for stage in ("contacted", "applied", "onboarding"):
        talent("affiliates", "stage", "nora", stage, "-p", "glow-spring")
    refused = talent("affiliates", "stage", "nora", "active", "-p", "glow-spring", code=1)
    assert "not ticked: Signed terms; Tax form" in refused.stderr
    talent("affiliates", "tick", "nora", "Signed terms", "-p", "glow-spring")
    talent("affiliates", "tick", "nora", "Tax form", "-p", "glow-spring")
    assert (
        "onboarding → active"
        in talent("affiliates", "stage", "nora", "active", "-p", "glow-spring").stdout
    )
    talent("links", "add", "nora", "https://glow.example/shop", "-p", "glow-spring")
    talent(
        "codes",
        "add",
        "nora",
        "NORA10",
        "-p",
        "glow-spring",
        "--discount",
        "15%",
        "--from",
        "2026-10-01",
    )
    talent(
        "creatives",
        "add",
        "-p",
        "glow-spring",
        "--kind",
        "text",
        "--name",
        "Line",
        "--text",
        "Glow up",
        "-a",
        "nora",
    )
    links = json.loads(talent("links", "list", "-p", "glow-spring", "--json").stdout)
    assert links[0]["url"] == (
        "https://glow.example/shop?utm_source=nora&utm_medium=affiliate&utm_campaign=glow-spring"
    )
    codes = json.loads(talent("codes", "list", "-p", "glow-spring", "--json").stdout)
    assert (codes[0]["code"], codes[0]["discount_bp"], codes[0]["valid_from"]) == (
        "NORA10",
        1500,
        "2026-10-01",
    )
    creatives = json.loads(talent("creatives", "list", "-p", "glow-spring", "--json").stdout)
    assert (creatives[0]["kind"], creatives[0]["affiliate"]) == ("text", "@nora")

    clicks = tmp_path / "clicks.csv"
    clicks.write_text(
        "date,affiliate,link_code,clicks,impressions\n2026-10-01,,nora-1,300,6000\n"
        "2026-10-02,sam,,100,\n2026-09-30,sam,,7,\n",
        encoding="utf-8",
    )
    assert "3 new" in talent("import", "clicks", str(clicks)).stdout
    orders = tmp_path / "tiktok.csv"
    orders.write_text(
        "Order ID,Creator Username,Product Name,SKU ID,Quantity,Payment Amount,Currency,"
        "Commission Rate,Actual Commission,Order Status,Order Created Time,Refund Amount\n"
        "1,nora,Serum,,1,45.50,USD,10%,4.55,Settled,2026-10-03 10:00:00,\n"
        "2,nora,Serum,,1,30.00,USD,10%,3.00,Pending,2026-10-04 10:00:00,5.00\n"
        "3,sam,Serum,,1,99.99,USD,10%,9.99,Ineligible,2026-10-05 10:00:00,\n"
        "4,sam,Serum,,1,12.35,USD,10%,1.24,Frozen,2026-10-06 10:00:00,\n"
        "5,sam,Serum,,1,12.00,USD,10%,1.20,Customer Unpaid,2026-10-06 10:00:00,\n",
        encoding="utf-8",
    )
    report = json.loads(
        talent(
            "import",
            "conversions",
            str(orders),
            "-p",
            "glow-spring",
            "--profile",
            "tiktok-shop",
            "--json",
        ).stdout
    )
    assert (report["new"], report["skipped"]) == (4, 1)
    kpis = json.loads(
        talent(
            "affiliates", "kpis", "--program", "glow-spring", "--month", "2026-10", "--json"
        ).stdout
    )
    # nora: 45.50 + (30.00 − 5.00) = 70.50; commission 4.55 + 2.50 = 7.05; 300 clicks.
    # sam: order 3 reversed; 12.35 → commission 1.235 → 1.24 (half up); 100 clicks.
    assert kpis == [
        {
            "affiliate": "@nora",
            "clicks": 300,
            "conversions": 2,
            "conversion_rate": 2 / 300,
            "revenue_minor": 7050,
            "currency": "USD",
            "aov_minor": 3525,
            "commission_minor": 705,
            "epc_minor": 2,
            "impressions": 6000,
            "ctr": 0.05,  # 300 clicks of 6,000 impressions
        },
        {
            "affiliate": "@sam",
            "clicks": 100,
            "conversions": 1,
            "conversion_rate": 0.01,
            "revenue_minor": 1235,
            "currency": "USD",
            "aov_minor": 1235,
            "commission_minor": 124,
            "epc_minor": 1,
            "impressions": 0,
            "ctr": None,  # no impressions given
        },
    ]
    human = talent("affiliates", "kpis", "-p", "glow-spring", "--month", "2026-10").stdout
    assert "82.85" in human and "2026-09" in human and "CTR" in human and "5.0%" in human
    mismatches = json.loads(talent("conversions", "mismatches", "--json").stdout)
    # Order 2: (30.00 − 5.00) × 10% = 2.50, but the platform says 3.00.
    assert [
        (m["order_id"], m["expected_commission_minor"], m["actual_commission_minor"])
        for m in mismatches
    ] == [("2", 250, 300)]
    listed = json.loads(
        talent("affiliates", "list", "-p", "glow-spring", "--stage", "active", "--json").stdout
    )
    assert [a["handle"] for a in listed] == ["@nora"]
    shown = json.loads(talent("affiliates", "show", "nora", "-p", "glow-spring", "--json").stdout)
    assert [h["to"] for h in shown["history"]] == [
        "prospect",
        "contacted",
        "applied",
        "onboarding",
        "active",
    ]
    assert [g["kind"] for g in shown["given"]] == ["link", "code", "text"]
    program = json.loads(talent("programs", "show", "glow-spring", "--json").stdout)
    assert (program["rate_bp"], program["stages"]["active"], program["stages"]["onboarding"]) == (
        1000,
        1,
        1,
    )

    exported = talent("export", "conversions").stdout.splitlines()
    assert (
        exported[0]
        == "program,order_id,affiliate,link_code,promo_code,occurred_at,amount,refund,status,source"
    )
    assert (
        "Glow Spring,2,'@nora,,,2026-10-04T10:00:00+00:00,30.00,5.00,pending,tiktok shop"
        in exported
    )
    # An order that came through a code still says whose it is.
    assert sorted(row.split(",")[2] for row in exported[1:]) == [
        "'@nora",
        "'@nora",
        "'@sam",
        "'@sam",
    ]
    back = tmp_path / "back.csv"
    talent("export", "conversions", "-o", str(back))
    again = json.loads(
        talent("import", "conversions", str(back), "-p", "glow-spring", "--json").stdout
    )
    assert (again["new"], again["updated"], again["unchanged"]) == (0, 0, 4)
    affiliates = talent("export", "affiliates", "--format", "json").stdout
    assert [a["stage"] for a in json.loads(affiliates)] == ["active", "onboarding"]


def test_refusals_go_to_stderr_with_exit_code_1_and_change_nothing(talent, tmp_path) -> None:  # noqa: ANN001
    talent("programs", "add", "P", "--brand", "Glow Labs", "--currency", "USD", "--rate", "10%")
    assert (
        "no brand"
        in talent(
            "programs", "add", "Q", "--brand", "Nope", "--currency", "USD", "--rate", "1%", code=1
        ).stderr
    )
    assert (
        "two decimals"
        in talent(
            "programs",
            "add",
            "Q",
            "--brand",
            "Glow Labs",
            "--currency",
            "USD",
            "--rate",
            "1.005%",
            code=1,
        ).stderr
    )
    assert "no program" in talent("affiliates", "add", "@a", "-p", "nope", code=1).stderr
    talent("affiliates", "add", "@a", "-p", "p")
    assert (
        "cannot go from prospect to ended"
        in talent("affiliates", "stage", "a", "ended", "-p", "p", code=1).stderr
    )
    assert (
        "no affiliate"
        in talent("links", "add", "@b", "https://x.example", "-p", "p", code=1).stderr
    )
    assert "not an http" in talent("links", "add", "@a", "ftp://x", "-p", "p", code=1).stderr
    assert (
        "--from"
        in talent("codes", "add", "@a", "C1", "-p", "p", "--from", "tomorrow", code=1).stderr
    )
    bad = tmp_path / "o.csv"
    bad.write_text(
        "order_id,affiliate,occurred_at,amount\nA1,a,2026-10-01,12.345\n", encoding="utf-8"
    )
    result = talent("import", "conversions", str(bad), "-p", "p", code=1)
    assert "o.csv:2:amount:" in result.stderr and "Traceback" not in result.stderr
    assert "--program" in talent("import", "creators", str(bad), "-p", "p", code=2).stderr
    # The one program is used when none is named: the same error as with -p.
    assert "o.csv:2:amount:" in talent("import", "conversions", str(bad), code=1).stderr
    database = dbmod.open_database(talent.db)
    with database.session() as s:
        assert s.exec(select(Conversion)).all() == []
        assert s.exec(select(TrackingLink)).all() == [] and s.exec(select(PromoCode)).all() == []
        assert [a.stage.value for a in s.exec(select(Affiliate))] == ["prospect"]
    database.dispose()


def test_import_profiles_save_and_list(talent, tmp_path) -> None:  # noqa: ANN001
    talent("import", "profiles", "save", "Net2", "--map", "Order Ref=order_id, Publisher=affiliate")
    listed = json.loads(talent("import", "profiles", "list", "--json").stdout)
    assert listed == [{"name": "net2", "map": {"order ref": "order_id", "publisher": "affiliate"}}]
    assert (
        "not a column we read"
        in talent("import", "profiles", "save", "x", "--map", "A=b", code=1).stderr
    )
    assert "give a name" in talent("import", "profiles", "save", code=2).stderr


def test_program_may_be_left_out_while_there_is_one(talent, tmp_path) -> None:  # noqa: ANN001
    """With no program: refused, saying how to add one. With one: every affiliate command and
    the conversions import use it. With two: refused, naming them, and nothing is written."""
    refused = talent("links", "list", code=1)
    assert "no programs yet" in refused.stderr
    talent("programs", "add", "Glow Spring", "--brand", "Glow Labs", "--currency", "USD",
           "--rate", "10%")  # fmt: skip
    talent("affiliates", "add", "@nora")
    talent("links", "add", "nora", "https://glow.example/shop")
    talent("codes", "add", "nora", "NORA10")
    talent("creatives", "add", "--kind", "text", "--name", "Hello", "--text", "Shop now")
    listed = json.loads(talent("links", "list", "--json").stdout)
    assert [(g["affiliate"], g["code"]) for g in listed] == [("@nora", "nora-1")]
    orders = tmp_path / "orders.csv"
    orders.write_text(
        "order_id,promo_code,occurred_at,amount\nA-1,nora10,2026-10-02 09:00:00,40.00\n",
        encoding="utf-8",
    )
    talent("import", "conversions", str(orders))
    assert (
        json.loads(talent("affiliates", "kpis", "--month", "2026-10", "--json").stdout)[0][
            "revenue_minor"
        ]
        == 4000
    )
    talent("programs", "add", "Second", "--brand", "Glow Labs", "--currency", "EUR", "--rate", "5%")
    for args in (("links", "list"), ("affiliates", "add", "@sam"), ("import", "conversions",
                                                                   str(orders))):  # fmt: skip
        refused = talent(*args, code=1)
        assert "several programs: give --program (one of Glow Spring, Second)" in refused.stderr
    engine = dbmod.open_database(talent.db).engine
    with engine.connect() as connection:
        handles = [h for (h,) in connection.exec_driver_sql("SELECT handle FROM affiliates")]
        orders_stored = connection.exec_driver_sql("SELECT count(*) FROM conversions").scalar()
    assert handles == ["@nora"] and orders_stored == 1
