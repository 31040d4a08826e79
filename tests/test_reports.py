"""Reports: the advertiser's brand report has no commission (the management report has it),
no column repeats the report's subject, a CSV report is one file per table, and the report
read in the app fits 80 columns (short amounts, by one rule: `money.format_short`)."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import get_args

import pytest
from textual.widgets._markdown import MarkdownTableCellContents
from typer.testing import CliRunner

from talent_tui.cli import insights
from talent_tui.cli import main as cli
from talent_tui.core.money import format_short
from talent_tui.io import render
from talent_tui.screens.document import DocumentScreen
from talent_tui.services import deals, reports, roster
from talent_tui.store.db import Database
from talent_tui.store.models import CampaignStatus

from . import factories
from .conftest import TODAY, make_app, settle

runner = CliRunner()


@pytest.mark.parametrize(
    ("minor", "currency", "shown"),
    [
        (1_850_000, "KRW", "1.85M KRW"),  # 1,850,000 / 1,000,000 = 1.85
        (12_345_678, "KRW", "12.3M KRW"),  # 12.345678 → one decimal from ten up
        (9_150_000, "KRW", "9.15M KRW"),
        (2_500_000_000, "KRW", "2.5B KRW"),
        (123_456, "KRW", "123.5K KRW"),  # 123.456 → 123.5
        (100_000, "KRW", "100K KRW"),  # from 100,000 up: abbreviated
        (99_999, "KRW", "99,999 KRW"),  # below: exact, never rounded to another fee
        (185_000, "USD", "1,850 USD"),  # 1,850.00 USD: whole, so no decimals
        (9_999_999, "USD", "99,999.99 USD"),
        (10_000_000, "USD", "100K USD"),
        (149_950, "USD", "1,499.50 USD"),
    ],
)
def test_the_short_money_rule_by_hand_checked_figures(
    minor: int, currency: str, shown: str
) -> None:
    assert format_short(minor, currency) == shown


def _deals(db: Database) -> tuple[int, int, int]:
    """Two creators (15% and 20%) with completed deals for one brand, and a declined one;
    returns (brand id, first creator id, the declined campaign's id)."""
    with db.transaction() as s:
        brand = factories.brand(s, name="Glow Labs")
        ana = factories.creator(s, name="Ana Lee", commission_pct=15)
        bo = factories.creator(s, name="Bo Kim", commission_pct=20)
        for who, fee in ((ana, "1,850 USD"), (bo, "2,000.50 USD")):
            campaign = factories.agreed_offer(s, creator_row=who, brand_row=brand, fee=fee)
            deals.transition(s, campaign.id, CampaignStatus.COMPLETED, "me")
        lost = factories.offer(s, creator_row=ana, brand_row=brand, fee="900 USD")
        deals.decline(s, lost.id, "not our audience", "me")
        return brand.id, ana.id, lost.id


def test_the_brand_report_has_no_commission_and_no_brand_column(database: Database) -> None:
    brand_id, _, _ = _deals(database)
    with database.session() as s:
        report = reports.build_report(s, TODAY, brand_id=brand_id)
    assert report.title == "Brand report: Glow Labs" and report.commission == {}
    assert render.report_columns(report) == ("id", "campaign", "creator", "status", "fee", "date")
    for fmt in ("md", "html"):
        text = render.report(report, fmt)
        assert "ommission" not in text and "Glow Labs" in text
        assert text.count("Glow Labs") == (1 if fmt == "md" else 2)  # the title (and <title>)
    tables = render.report(report, "csv")
    assert isinstance(tables, render.CsvTables)
    assert not any("ommission" in t for t in tables.tables.values())


def test_the_management_report_has_commission_per_deal_and_in_total(database: Database) -> None:
    _, _, lost = _deals(database)
    with database.session() as s:
        report = reports.build_report(s, TODAY, management=True)
    # 15% of 1,850.00 = 277.50; 20% of 2,000.50 = 400.10; a declined deal earns nothing.
    assert report.title == "Management report"
    assert report.commission == {"USD": 27_750 + 40_010}
    by_id = {c.id: c.commission_minor for c in report.campaigns}
    assert by_id[lost] is None and sorted(v for v in by_id.values() if v) == [27_750, 40_010]
    md = render.report(report, "md")
    assert "- **Manager's commission:** 677.60 USD" in md
    assert "| Campaign | Creator | Status | Fee | Comm. |" in md
    assert "| 1,850 USD | 277.50 USD |" in md
    with database.session() as s:
        plain = reports.build_report(s, TODAY)  # the roster report: no commission
    assert plain.title == "Roster report" and "ommission" not in render.report(plain, "md")


def test_a_creator_report_has_no_creator_column(database: Database) -> None:
    _, ana, _ = _deals(database)
    with database.session() as s:
        report = reports.build_report(s, TODAY, creator_id=ana)
    assert "creator" not in render.report_columns(report)
    assert "Ana Lee" not in render.report(report, "md").split("## Campaigns")[1]


def test_a_csv_report_is_one_table_per_file(database: Database, tmp_path: Path) -> None:
    _deals(database)
    out = tmp_path / "report.csv"
    result = runner.invoke(
        cli.app, ["--db", database.url, "report", "management", "-f", "csv", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".csv") == [
        "report-campaigns.csv",
        "report-summary.csv",
    ]
    assert "Wrote " in result.stderr and "report-summary.csv" in result.stderr
    assert not out.exists()
    for name in ("summary", "campaigns"):
        rows = list(csv.reader(io.StringIO((tmp_path / f"report-{name}.csv").read_text())))
        assert all(len(r) == len(rows[0]) for r in rows), name  # one header, one shape
        assert [] not in rows
    campaigns = list(csv.DictReader(io.StringIO((tmp_path / "report-campaigns.csv").read_text())))
    ana = next(r for r in campaigns if r["creator"] == "Ana Lee" and r["status"] == "completed")
    assert (ana["fee"], ana["currency"], ana["commission"]) == ("1850.00", "USD", "277.50")
    to_stdout = runner.invoke(cli.app, ["--db", database.url, "report", "period", "-f", "csv"])
    assert to_stdout.exit_code == 2 and "-o FILE" in to_stdout.stderr


def test_table_paths_name_one_file_per_table() -> None:
    names = ("summary", "campaigns")
    for given in ("out/report.csv", "out/report", "out/report.md", "out/report.HTML"):
        assert render.table_paths(Path(given), names) == [
            Path("out/report-summary.csv"),
            Path("out/report-campaigns.csv"),
        ]
    assert render.table_paths(Path("talent.db"), ["summary"]) == [Path("talent.db-summary.csv")]


def test_report_choices_match_the_renderers_and_bad_ones_are_usage(database: Database) -> None:
    assert get_args(insights.ReportFormat) == render.REPORT_FORMATS
    assert get_args(insights.MediaKitFormat) == render.MEDIA_KIT_FORMATS
    for args in (
        ["report", "bogus"],
        ["report", "period", "-f", "docx"],
        ["report", "period", "Glow Labs"],  # everyone's: no subject
    ):
        result = runner.invoke(cli.app, ["--db", database.url, *args])
        assert result.exit_code == 2, (args, result.output)


@pytest.mark.parametrize("management", [False, True], ids=["creator", "management"])
async def test_a_report_read_at_80_columns_cuts_no_cell(
    demo_db: Database, management: bool
) -> None:
    """Every cell of the campaigns table is wide enough for its longest word: amounts are
    short (`9.15M KRW`), nothing is drawn as `1…` or `1,850.…` — the creator report's, and the
    management report's (two more columns: the creator and the commission)."""
    with demo_db.session() as s:
        creator_id = roster.find_creator(s, "@haneul.eats").id  # KRW fees in the millions
    app = make_app(demo_db)

    def produce(fmt: str) -> str:
        with demo_db.session() as s:
            if management:
                built = reports.build_report(s, TODAY, management=True)
            else:
                built = reports.build_report(s, TODAY, creator_id=creator_id)
            return render.report(built, fmt)

    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(DocumentScreen("creator report", {"md": lambda: produce("md")}, "r.md"))
        await settle(pilot)
        await pilot.pause(0.3)
        cells = list(app.screen.query(MarkdownTableCellContents))
        assert len(cells) > 7
        for cell in cells:
            text = str(cell.render())
            longest = max((len(word) for word in text.split()), default=0)
            assert longest <= cell.content_region.width, (text, cell.content_region.width)


async def test_the_deal_flow_gives_the_management_report_with_m(demo_db: Database) -> None:
    """`M` in the deal flow asks for a period and shows the management report (commission
    per won deal and in total); `R` the period report leaves commission out."""
    from textual.widgets import Markdown

    from talent_tui.screens.fields import FieldsForm

    seen: dict[str, str] = {}
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for key in ("M", "R"):
            await pilot.press("g")
            await settle(pilot)
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(app.screen, FieldsForm)
            await pilot.press("ctrl+s")  # the year so far, as offered
            await settle(pilot)
            await pilot.pause(0.3)
            assert isinstance(app.screen, DocumentScreen)
            seen[key] = app.screen.query_one(Markdown).source
            await pilot.press("escape", "escape")
            await settle(pilot)
    assert "Management report" in seen["M"] and "ommission" in seen["M"]
    assert "ommission" not in seen["R"]
