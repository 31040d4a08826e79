"""Insights from the CLI and the TUI: fit ranking, brand targets, metrics, media kits, reports."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from sqlmodel import select
from textual.widgets import DataTable, Input, Markdown
from typer.testing import CliRunner

from talent_tui.app import TalentApp
from talent_tui.cli import main as cli
from talent_tui.io import files
from talent_tui.screens.document import DocumentScreen
from talent_tui.screens.fit import FitScreen
from talent_tui.screens.metrics import MetricsScreen
from talent_tui.services import brands, deals, fit, reports, roster
from talent_tui.store.db import Database
from talent_tui.store.models import Brand, Campaign, CampaignStatus, Dimension

from .conftest import TODAY, settle

runner = CliRunner()


@pytest.fixture(autouse=True)
def _pinned_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TALENT_TODAY", TODAY.isoformat())


def run(db: Database, *args: str):  # noqa: ANN201
    return runner.invoke(cli.app, ["--db", db.url, *args])


def test_fit_cli_lists_best_first_with_reasons(demo_db: Database) -> None:
    result = run(demo_db, "fit", "hanok kitchen", "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert rows and [r["fit"] for r in rows] == sorted((r["fit"] for r in rows), reverse=True)
    with demo_db.session() as s:
        brand = brands.find_brand(s, "Hanok Kitchen")
        top = fit.fit_for(s, rows[0]["id"], brand.id)
    assert rows[0]["fit"] == top.score and rows[0]["reason"] == top.reason
    assert run(demo_db, "fit", "Nobody Inc").exit_code == 1


def test_brand_target_set_and_refused(demo_db: Database) -> None:
    ok = run(demo_db, "brands", "target", "Hanok Kitchen", "country", "kr=60%, us=40%")
    assert ok.exit_code == 0, ok.output
    bad = run(demo_db, "brands", "target", "Hanok Kitchen", "gender", "female=0.7; male=0.2")
    assert bad.exit_code == 1 and "sum to 0.900" in bad.stderr
    shown = json.loads(run(demo_db, "brands", "show", "Hanok Kitchen", "--json").stdout)
    assert shown["target"]["country"] == {"KR": 0.6, "US": 0.4}
    assert len(shown["target"]["gender"]) >= 2  # untouched by the refused change
    with demo_db.session() as s:
        brand = brands.find_brand(s, "Hanok Kitchen")
        trail = s.exec(select(deals.AuditEntry).where(deals.AuditEntry.entity == "brand")).all()
    assert any(e.entity_id == brand.id and "country" in e.action for e in trail)


def test_parse_distribution_rules() -> None:
    assert brands.parse_distribution(Dimension.AGE, "18-24=45%; 25-34=55%") == {
        "18-24": 0.45,
        "25-34": 0.55,
    }
    assert brands.parse_distribution(Dimension.GENDER, "") == {}
    for text in ("female", "female=lots", "k=1", "female=0.5; female=0.5"):
        with pytest.raises(brands.InvalidTarget):
            brands.parse_distribution(
                Dimension.COUNTRY if text == "k=1" else Dimension.GENDER, text
            )
    with pytest.raises(brands.InvalidTarget):
        brands.parse_distribution(Dimension.COUNTRY, "USA=1")


def test_metrics_cli_matches_the_domain(demo_db: Database) -> None:
    data = json.loads(run(demo_db, "metrics", "@haneul.eats", "--json").stdout)
    with demo_db.session() as s:
        m = roster.profile(s, roster.find_creator(s, "@haneul.eats").id).metrics
    assert data["followers"] == m.followers and data["follower_growth_90d"] == m.follower_growth_90d
    assert data["split"]["likes"] == m.split.likes


def test_media_kit_markdown_and_html(demo_db: Database, tmp_path: Path) -> None:
    md = run(demo_db, "mediakit", "@haneul.eats")
    assert md.exit_code == 0
    assert md.stdout.startswith("# 김하늘") and "8,000,000 KRW" in md.stdout
    assert "## Audience" in md.stdout and "## Recent campaigns" in md.stdout
    out = tmp_path / "kit.html"
    assert run(demo_db, "mediakit", "haneul.eats", "-f", "html", "-o", str(out)).exit_code == 0
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>") and "<style>" in page and "@media print" in page
    assert "<link" not in page and "<script" not in page and "src=" not in page  # self-contained
    assert "김하늘" in page
    assert not list(tmp_path.glob("*.part"))


def test_creator_report_counts_and_money(demo_db: Database, tmp_path: Path) -> None:
    with demo_db.session() as s:
        creator = roster.find_creator(s, "@haneul.eats")
        mine = s.exec(select(Campaign).where(Campaign.creator_id == creator.id)).all()
    won = sum(c.status in reports.WON for c in mine)
    lost = sum(c.status in reports.LOST for c in mine)
    revenue = sum(c.fee_minor for c in mine if c.status is CampaignStatus.COMPLETED)
    result = run(
        demo_db, "report", "creator", "@haneul.eats", "-f", "csv", "-o", str(tmp_path / "r.csv")
    )
    assert result.exit_code == 0
    rows = list(csv.reader(io.StringIO((tmp_path / "r-summary.csv").read_text(encoding="utf-8"))))
    summary = {r[1]: r[2] for r in rows if r and r[0] == "summary"}
    assert summary["Campaigns"].startswith(f"{won} won, {lost} lost")
    assert ["revenue_minor", "KRW", str(revenue)] in rows
    assert not any(r[0] == "commission_minor" for r in rows)  # the management report's
    assert "Manager's commission" not in summary
    out = tmp_path / "m.csv"
    assert run(demo_db, "report", "management", "-f", "csv", "-o", str(out)).exit_code == 0
    lines = csv.DictReader(io.StringIO((tmp_path / "m-campaigns.csv").read_text(encoding="utf-8")))
    done = [r for r in lines if r["creator"] == creator.name and r["status"] == "completed"]
    commission = deals.commission_minor(revenue, creator.commission_bp)
    assert sum(int(r["commission"]) for r in done) == commission  # one rate, so one rounding


def test_period_report_filters_by_date(demo_db: Database) -> None:
    with demo_db.session() as s:
        every = reports.build_report(s, TODAY)
        spring = reports.build_report(
            s, TODAY, start=TODAY.replace(month=3, day=1), end=TODAY.replace(month=5, day=31)
        )
    assert 0 < len(spring.campaigns) < len(every.campaigns)
    spring_days = (TODAY.replace(month=3, day=1), TODAY.replace(month=5, day=31))
    assert all(c.day and spring_days[0] <= c.day <= spring_days[1] for c in spring.campaigns)
    html = run(
        demo_db, "report", "period", "--from", "2026-03-01", "--to", "2026-05-31", "-f", "html"
    )
    assert html.exit_code == 0 and "<table>" in html.stdout
    assert run(demo_db, "report", "brand").exit_code == 1  # needs the brand
    assert run(demo_db, "report", "period", "--from", "March").exit_code == 1


def test_reports_are_written_atomically(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "report.md"
    target.write_text("the old report\n", encoding="utf-8")

    def crash(*_args: object) -> None:
        raise OSError("disk gone")

    monkeypatch.setattr(files.os, "replace", crash)
    with pytest.raises(OSError):
        files.write_atomically(target, "the new report\n")
    assert target.read_text(encoding="utf-8") == "the old report\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.md"]  # no half-written file


async def test_metrics_screen_switches_metric_and_range(demo_db: Database) -> None:
    app = TalentApp(demo_db, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MetricsScreen)
        assert screen.metric == "followers" and screen.range_key == "y"
        await pilot.press("v", "3")
        await settle(pilot)
        assert (screen.metric, screen.range_key) == ("avg_views", "3")
        title = str(screen.query_one("#metrics-title").render())
        assert "Average views per video, 3 months" in title


async def test_fit_screen_ranks_and_edits_the_target(demo_db: Database) -> None:
    with demo_db.session() as s:
        first_brand = s.exec(select(Brand).order_by(Brand.name)).first()
        expected = [r.creator_id for r in fit.rank_for_brand(s, first_brand.id)]
    app = TalentApp(demo_db, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("b")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, FitScreen)
        table = screen.query_one("#fit-table", DataTable)
        assert [int(k.value) for k in table.rows] == expected
        await pilot.press("t")
        await pilot.pause()
        field = app.screen.query_one("#field-country", Input)
        field.value = ""
        field.focus()
        await pilot.press(*"KR=1")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, FitScreen)
        await pilot.press("enter")  # the best fit creator, on the roster
        await settle(pilot)
    with demo_db.session() as s:
        assert fit.brand_target(s, first_brand.id)["country"] == {"KR": 1.0}


async def test_media_kit_preview_and_save(demo_db: Database, tmp_path: Path) -> None:
    app = TalentApp(demo_db, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"haneul", "enter")
        await settle(pilot)
        await pilot.press("escape", "K")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DocumentScreen)
        assert "김하늘" in screen.query_one(Markdown).source
        await pilot.press("w")
        await pilot.pause()
        path = app.screen.query_one("#field-path", Input)
        path.value = str(tmp_path / "kit")
        await pilot.press("ctrl+s")
        await settle(pilot)
    written = tmp_path / "kit.html"
    assert written.exists() and "김하늘" in written.read_text(encoding="utf-8")


def test_targets_reports_and_files_refuse_what_makes_no_sense(
    demo_db: Database, tmp_path: Path
) -> None:
    bad_bucket = run(demo_db, "brands", "target", "Hanok Kitchen", "age", "99-100=1")
    assert bad_bucket.exit_code == 1 and "unknown age bucket" in bad_bucket.stderr
    cleared = run(demo_db, "brands", "target", "Hanok Kitchen", "age", "")
    assert cleared.exit_code == 0 and "cleared" in cleared.stdout
    backwards = run(demo_db, "report", "period", "--from", "2026-06-30", "--to", "2026-01-01")
    assert backwards.exit_code == 1 and "before" in backwards.stderr
    nowhere = run(demo_db, "report", "period", "-o", str(tmp_path / "missing" / "r.md"))
    assert nowhere.exit_code == 1 and "does not exist" in nowhere.stderr
    assert not (tmp_path / "missing").exists()
    first = run(demo_db, "db", "backup", str(tmp_path / "b.db"))
    assert first.exit_code == 0
    again = run(demo_db, "db", "backup", str(tmp_path / "b.db"))
    assert again.exit_code == 1 and "already exists" in again.stderr
    everything = run(demo_db, "report", "creator", "@haneul.eats")
    assert "all campaigns, past and planned" in everything.stdout
