"""`talent campaigns|deliverables|invoices|deals|log`: a negotiation run from the shell."""

from __future__ import annotations

import json
from datetime import date

import pytest
import typer
from sqlmodel import select
from typer.testing import CliRunner

from talent_tui.cli import main as cli
from talent_tui.services import deals, roster
from talent_tui.store.db import Database
from talent_tui.store.models import (
    Brand,
    Campaign,
    CampaignStatus,
    Invoice,
    Offer,
    Party,
    Tab,
    statuses_in,
)

runner = CliRunner()


@pytest.fixture(autouse=True)
def _pinned_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TALENT_TODAY", "2026-11-01")  # the day the demo data is anchored on


def run(db: Database, *args: str):  # noqa: ANN201
    return runner.invoke(cli.app, ["--db", db.url, *args])


def pending_id(db: Database) -> int:
    result = run(db, "campaigns", "list", "--creator", "@haneul.eats", "--tab", "pending", "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert rows and all(r["tab"] == "pending" for r in rows)
    return rows[0]["id"]


def test_negotiation_start_to_finish(demo_db: Database) -> None:
    campaign_id = pending_id(demo_db)
    counter = run(
        demo_db, "--as", "mina", "campaigns", "counter", str(campaign_id), "--fee", "12,000,000",
        "--usage-days", "90", "--net-days", "30", "--upfront-pct", "50", "--note", "usage costs",
    )  # fmt: skip
    assert counter.exit_code == 0, counter.output
    brand = run(demo_db, "campaigns", "brand-counter", str(campaign_id), "--fee", "10,500,000")
    assert brand.exit_code == 0
    assert run(demo_db, "--as", "mina", "campaigns", "accept", str(campaign_id)).exit_code == 0

    shown = json.loads(run(demo_db, "campaigns", "show", str(campaign_id), "--json").stdout)
    assert shown["status"] == "accepted" and shown["fee_minor"] == 10_500_000
    assert [(v["version"], v["proposed_by"], v["by"]) for v in shown["versions"]][1:] == [
        (2, "manager", "mina"),
        (3, "brand", shown["versions"][2]["by"]),
    ]
    assert shown["versions"][1]["changed"] == ["fee", "payment", "usage rights"]
    assert shown["terms"]["usage_days"] == 90 and shown["terms"]["upfront_pct"] == 50
    actions = [(h["actor"], h["action"]) for h in shown["history"]]
    assert any(
        a == "mina" and w.startswith("version 2: our counter-offer (fee") for a, w in actions
    )
    assert actions[-1] == ("mina", "status: negotiating → accepted (terms of version 3)")
    with demo_db.session() as s:
        offers = s.exec(select(Offer).where(Offer.campaign_id == campaign_id)).all()
    assert [(o.version, o.proposed_by, o.fee_minor) for o in offers][1:] == [
        (2, Party.MANAGER, 12_000_000),
        (3, Party.BRAND, 10_500_000),
    ]
    human = run(demo_db, "campaigns", "show", str(campaign_id))
    assert "Offer history" in human.stdout and "v3 brand" in human.stdout


def test_forbidden_transition_exits_1_with_the_reason(demo_db: Database) -> None:
    campaign_id = pending_id(demo_db)
    result = run(demo_db, "campaigns", "complete", str(campaign_id))
    assert result.exit_code == 1
    assert "cannot become completed" in result.stderr and "it can become" in result.stderr
    with demo_db.session() as s:
        assert s.get(Campaign, campaign_id).status in statuses_in(Tab.PENDING)


def test_decline_requires_reason_option(demo_db: Database) -> None:
    campaign_id = pending_id(demo_db)
    assert run(demo_db, "campaigns", "decline", str(campaign_id)).exit_code == 2
    ok = run(demo_db, "campaigns", "decline", str(campaign_id), "--reason", "Off-brand")
    assert ok.exit_code == 0
    with demo_db.session() as s:
        assert s.get(Campaign, campaign_id).status is CampaignStatus.DECLINED


def test_add_deliverable_invoice_and_due(demo_db: Database) -> None:
    added = run(
        demo_db, "campaigns", "add", "--creator", "@haneul.eats", "--brand", "Hanok Kitchen",
        "--name", "Kimchi Week", "--fee", "₩3,000,000", "--respond-by", "2026-11-04",
        "--net-days", "15", "--json",
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    campaign_id = json.loads(added.stdout)["id"]
    assert run(demo_db, "campaigns", "accept", str(campaign_id)).exit_code == 0
    assert run(demo_db, "campaigns", "start", str(campaign_id)).exit_code == 0
    assert (
        run(
            demo_db, "deliverables", "add", str(campaign_id), "video", "--due", "2026-10-30"
        ).exit_code
        == 0
    )
    invoice = run(demo_db, "invoices", "add", str(campaign_id), "1,500,000", "--number", "KW-1")
    assert invoice.exit_code == 0
    with demo_db.session() as s:
        stored = s.exec(select(Invoice).where(Invoice.campaign_id == campaign_id)).one()
    assert (stored.amount_minor, stored.currency, str(stored.due_on)) == (
        1_500_000,
        "KRW",
        "2026-11-16",
    )

    due = json.loads(run(demo_db, "deals", "due", "--json").stdout)
    mine = [d for d in due if d["campaign_id"] == campaign_id]
    assert {(d["kind"], d["overdue"]) for d in mine} == {("deliverable", True)}
    totals = json.loads(run(demo_db, "invoices", "totals", "--json").stdout)
    assert totals["outstanding"]["KRW"] >= 1_500_000


def test_deliverable_status_flow_and_bad_status(demo_db: Database) -> None:
    campaign_id = pending_id(demo_db)
    refused = run(demo_db, "deliverables", "add", str(campaign_id), "story")
    assert refused.exit_code == 1 and "accepted deals" in refused.stderr
    assert run(demo_db, "campaigns", "accept", str(campaign_id)).exit_code == 0
    run(demo_db, "deliverables", "add", str(campaign_id), "story")
    with demo_db.session() as s:
        [item] = deals.deliverables_of(s, campaign_id)
    assert run(demo_db, "deliverables", "status", str(item.id), "approved").exit_code == 1
    assert run(demo_db, "deliverables", "status", str(item.id), "draft_submitted").exit_code == 0
    assert run(demo_db, "deliverables", "feedback", str(item.id), "Brighter please").exit_code == 0
    bad = run(demo_db, "deliverables", "status", str(item.id), "published")
    assert bad.exit_code == 2 and "unknown status" in bad.stderr
    with demo_db.session() as s:
        assert [f.text for f in deals.feedback_of(s, item.id)] == ["Brighter please"]


def test_expired_offers_on_open(demo_db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    with demo_db.session() as s:
        late = s.exec(
            select(Campaign).where(
                Campaign.status.in_(statuses_in(Tab.PENDING)),  # type: ignore[union-attr]
                Campaign.respond_by < date(2026, 11, 10),  # type: ignore[operator]
            )
        ).all()
    assert late
    monkeypatch.setenv("TALENT_TODAY", "2026-11-10")
    result = run(demo_db, "creators", "list", "--json")
    assert result.exit_code == 0 and "expired" in result.stderr
    json.loads(result.stdout)  # stdout stays pure JSON
    with demo_db.session() as s:
        for campaign in late:
            stored = s.get(Campaign, campaign.id)
            assert stored.status is CampaignStatus.EXPIRED
            assert "respond-by date" in deals.history(s, campaign.id)[-1].action


def test_interaction_log_and_follow_ups(demo_db: Database) -> None:
    logged = run(
        demo_db, "log", "add", "call", "Rates for Q1", "--creator", "@haneul.eats",
        "--follow-up", "2026-11-03",
    )  # fmt: skip
    assert logged.exit_code == 0
    assert (
        run(demo_db, "log", "add", "email", "Brief sent", "--brand", "Hanok Kitchen").exit_code == 0
    )
    assert run(demo_db, "log", "add", "note", "nobody").exit_code == 1  # no creator or brand
    listed = json.loads(run(demo_db, "log", "list", "--creator", "@haneul.eats", "--json").stdout)
    assert [r["summary"] for r in listed] == ["Rates for Q1"]
    due = json.loads(run(demo_db, "deals", "due", "--json").stdout)
    assert any(d["kind"] == "follow-up" and "Rates for Q1" in d["label"] for d in due)
    assert run(demo_db, "log", "done", str(listed[0]["id"])).exit_code == 0
    due = json.loads(run(demo_db, "deals", "due", "--json").stdout)
    assert not any("Rates for Q1" in d["label"] for d in due)
    with demo_db.session() as s:
        assert roster.find_creator(s, "@haneul.eats")


def test_cli_refuses_nonsense_without_tracebacks(demo_db: Database) -> None:
    campaign_id = pending_id(demo_db)
    for args in (
        ["campaigns", "counter", str(campaign_id), "--upfront-pct", "nan"],
        ["campaigns", "counter", str(campaign_id), "--upfront-pct", "inf"],
        ["campaigns", "counter", str(campaign_id), "--respond-by", "2026-10-15"],
        ["invoices", "add", str(campaign_id), "100"],  # not an accepted deal
        ["log", "done", "99999"],
    ):
        result = run(demo_db, *args)
        assert result.exit_code in (1, 2), args
        assert (
            "Traceback" not in result.output
            and result.exception is None
            or isinstance(result.exception, SystemExit)
        )
    with demo_db.session() as s:
        assert len(deals.offers(s, campaign_id)) == 1


def test_open_campaigns_list_soonest_first(demo_db: Database) -> None:
    rows = json.loads(run(demo_db, "campaigns", "list", "--tab", "pending", "--json").stdout)
    dates = [r["next_date"] for r in rows if r["next_date"]]
    assert dates == sorted(dates)


@pytest.mark.parametrize(
    "options",
    [
        ["--fee", "1e30 KRW"],
        ["--fee", "1E+999999999 KRW"],
        ["--fee", "9" * 26],
        ["--fee", "100 USD"],  # the deal is in KRW
        ["--fee", "100", "--currency", "USD"],
        ["--fee", "nan"],
        ["--fee", "-5"],
        ["--upfront-pct", "inf"],
        ["--upfront-pct", "1e400"],
        ["--usage-days", "9" * 26],
        ["--net-days", "-5"],
        ["--exclusivity-days", "nan"],
        ["--deliverables", "two\x1b[31m"],
        ["--respond-by", "2026-02-30"],
        ["--currency", "USD"],  # without a fee
        ["--note", "why\x07", "--usage-days", "30"],
    ],
)
def test_counter_refuses_bad_terms_with_a_message_and_exit_1(
    demo_db: Database, options: list[str]
) -> None:
    campaign_id = pending_id(demo_db)
    result = run(demo_db, "campaigns", "counter", str(campaign_id), *options)
    assert result.exit_code == 1, (options, result.output)
    assert "error:" in result.stderr and "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)
    with demo_db.session() as s:
        assert len(deals.offers(s, campaign_id)) == 1


def test_counter_reads_typed_terms_like_the_form(demo_db: Database) -> None:
    campaign_id = pending_id(demo_db)
    result = run(
        demo_db, "campaigns", "counter", str(campaign_id), "--fee", "₩12,000,000",
        "--usage-days", "１２０", "--upfront-pct", "12.5%", "--net-days", "",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    with demo_db.session() as s:
        offer = deals.offers(s, campaign_id)[-1]
    assert (offer.fee_minor, offer.usage_days, offer.upfront_bp, offer.net_days) == (
        12_000_000, 120, 1250, None,
    )  # fmt: skip


def test_brands_are_found_by_id_or_any_case_name(demo_db: Database) -> None:
    with demo_db.session() as s:
        brand = s.exec(select(Brand).where(Brand.name == "Hanok Kitchen")).one()
    added = run(
        demo_db, "campaigns", "add", "--creator", "@haneul.eats", "--brand", "hanok KITCHEN",
        "--name", "Winter menu", "--fee", "2,000,000 KRW", "--json",
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    data = json.loads(added.stdout)
    assert data["brand"] == {"id": brand.id, "name": "Hanok Kitchen"}
    assert set(data) == {
        "id", "external_id", "name", "creator", "brand", "status", "tab", "fee_minor",
        "currency", "respond_by", "start_on", "end_on", "next_date",
    }  # fmt: skip
    logged = run(demo_db, "log", "add", "email", "Brief", "--brand", str(brand.id))
    assert logged.exit_code == 0, logged.output
    listed = json.loads(run(demo_db, "log", "list", "--brand", "HANOK kitchen", "--json").stdout)
    assert [r["summary"] for r in listed] == ["Brief"]
    for args in (
        ["campaigns", "add", "--creator", "@haneul.eats", "--brand", "Nobody Inc", "--name",
         "X", "--fee", "1 USD"],
        ["log", "add", "note", "x", "--brand", "Nobody Inc"],
        ["log", "list", "--brand", "Nobody Inc"],
    ):  # fmt: skip
        missing = run(demo_db, *args)
        assert missing.exit_code == 1 and "no brand with id or name 'Nobody Inc'" in missing.stderr


def test_campaigns_show_json_keeps_its_shape(demo_db: Database) -> None:
    campaign_id = pending_id(demo_db)
    data = json.loads(run(demo_db, "campaigns", "show", str(campaign_id), "--json").stdout)
    assert set(data) == {
        "id", "external_id", "name", "creator", "brand", "status", "tab", "fee_minor",
        "currency", "respond_by", "start_on", "end_on", "next_date", "terms", "audience_fit",
        "commission_minor", "versions", "deliverables", "invoices", "history",
    }  # fmt: skip
    assert set(data["terms"]) == {
        "version", "fee_minor", "currency", "deliverables", "usage_days", "exclusivity_days",
        "net_days", "upfront_pct", "respond_by", "exclusivity_category", "exclusive_from",
        "exclusive_until", "usage_until",
    }  # fmt: skip
    assert set(data["versions"][0]) == {
        "version", "proposed_by", "by", "at", "note", "terms", "changed",
    }  # fmt: skip
    assert set(data["creator"]) == {"id", "name", "tiktok_handle"}
    assert set(data["history"][0]) == {"at", "actor", "action", "entity"}
    missing = run(demo_db, "campaigns", "show", "99999")
    assert missing.exit_code == 1 and "no campaign with id 99999" in missing.stderr


def test_campaign_list_refusals_and_log_follow_up_before_today(demo_db: Database) -> None:
    bad_tab = run(demo_db, "campaigns", "list", "--tab", "someday")
    assert bad_tab.exit_code == 2 and "unknown tab 'someday'" in bad_tab.stderr
    nobody = run(demo_db, "campaigns", "list", "--creator", "@nobody")
    assert nobody.exit_code == 1 and "Traceback" not in nobody.output
    early = run(
        demo_db, "log", "add", "call", "x", "--creator", "@haneul.eats",
        "--follow-up", "2026-10-01",
    )  # fmt: skip
    assert early.exit_code == 1 and "before the interaction" in early.stderr
    bad_date = run(
        demo_db, "log", "add", "call", "x", "--creator", "@haneul.eats", "--follow-up", "soon"
    )
    assert bad_date.exit_code == 1 and "Traceback" not in bad_date.output
    control = run(demo_db, "log", "add", "call", "x\x1b[31m", "--creator", "@haneul.eats")
    assert control.exit_code == 1 and "control character" in control.stderr
    with demo_db.session() as s:
        creator = roster.find_creator(s, "@haneul.eats")
        assert deals.interactions_of(s, creator_id=creator.id) == []


def test_deals_due_refuses_a_horizon_beyond_any_calendar(demo_db: Database) -> None:
    result = run(demo_db, "deals", "due", "--days", "99999999999")
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)


def test_deal_commands_are_registered_from_one_module_each() -> None:
    from talent_tui.cli import campaigns, deliverables, invoices, log
    from talent_tui.cli import deals as deals_cli

    for module, group in (
        (campaigns, "campaigns"), (deliverables, "deliverables"), (invoices, "invoices"),
        (deals_cli, "deals"), (log, "log"),
    ):  # fmt: skip
        app = typer.Typer()
        module.register(app)
        assert [g.name for g in app.registered_groups] == [group]


def test_stored_control_characters_are_shown_harmlessly(demo_db: Database) -> None:
    """Rows written before the text rule (or by another tool) can still hold an ESC: human
    output shows it as U+FFFD, JSON escapes it."""
    campaign_id = pending_id(demo_db)
    with demo_db.transaction() as s:
        s.get(Campaign, campaign_id).name = "Evil\x1b[31mRed"
    for args in (["campaigns", "list"], ["campaigns", "show", str(campaign_id)], ["deals", "due"]):
        result = run(demo_db, *args)
        assert result.exit_code == 0, result.output
        assert "\x1b" not in result.stdout and "Evil␛" in result.stdout, args
    data = json.loads(run(demo_db, "campaigns", "show", str(campaign_id), "--json").stdout)
    assert data["name"] == "Evil\x1b[31mRed"
