"""What talent exports never carries a live spreadsheet formula; bad codes are refused.

CSV text cells starting with = + - @ TAB CR are written with a leading ' (core.cells), the
importer reads them back as they were, numbers stay numbers, JSON is left alone. Currencies that
are not money (XXX, XTS, gold…) and user-assigned country codes (ZZ…) are refused.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from talent_tui.cli import main as cli
from talent_tui.core import cells, fields, money
from talent_tui.io import exporters, importers
from talent_tui.services import brands, roster
from talent_tui.store import db as dbmod
from talent_tui.store.models import Campaign, Creator
from tests import factories

runner = CliRunner()
TRIGGERS = ["=", "+", "-", "@", "\t", "\r"]
HOSTILE_NAME = '=HYPERLINK("http://evil","click")'
ORDER = ["creators", "brands", "metrics", "demographics", "rates", "campaigns"]


def hostile(database: dbmod.Database) -> None:
    with database.transaction() as s:
        creator = factories.creator(
            s, name=HOSTILE_NAME, notes="=1+1", niche="+cmd", tags="-2+3;@SUM(A1)"
        )
        brand = factories.brand(s, name="=cmd|calc", notes="@evil", contact_name="-x")
        factories.offer(s, creator, brand, name="=2+2", fee="1,500 USD")
        factories.creator(s, name="'=already quoted", notes="'plain quote")


def cli_out(database: dbmod.Database, *args: str) -> str:
    result = runner.invoke(cli.app, ["--db", database.url, *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def report_csv(database: dbmod.Database, folder: Path, *args: str) -> tuple[str, str]:
    """The two files of a CSV report: (summary, campaigns)."""
    cli_out(database, "report", *args, "-f", "csv", "-o", str(folder / "r.csv"))
    return tuple(  # type: ignore[return-value]
        (folder / f"r-{name}.csv").read_text(encoding="utf-8") for name in ("summary", "campaigns")
    )


def csv_cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def assert_no_live_formula(text: str) -> None:
    for cell in csv_cells(text):
        assert cell[:1] not in TRIGGERS or cells.is_number(cell), cell


# ---- the rule ----------------------------------------------------------------------------


@pytest.mark.parametrize("start", TRIGGERS)
def test_every_formula_start_is_quoted_and_restored(start: str) -> None:
    text = f"{start}1+1"
    assert cells.neutralise(text) == "'" + text
    assert cells.restore(cells.neutralise(text)) == text


@pytest.mark.parametrize(
    "text", ["", "plain", "Ana = Bo", "1+1", "'", "'plain", "'=x", "''@x", "=", "-"]
)
def test_neutralise_then_restore_is_the_identity(text: str) -> None:
    assert cells.restore(cells.neutralise(text)) == text
    assert cells.neutralise(text)[:1] not in TRIGGERS


def test_restore_touches_only_a_guarding_quote() -> None:
    assert cells.restore("'=1+1") == "=1+1"
    assert cells.restore("'hello") == "'hello"
    assert cells.restore("it's =fine") == "it's =fine"


def test_numbers_stay_numbers() -> None:
    assert cells.safe_cell("-3.2%") == "-3.2%"
    assert cells.safe_cell("+12.5%") == "+12.5%"
    assert cells.safe_cell("-5") == "-5"
    assert cells.safe_cell(-5) == -5
    assert cells.safe_cell("-2+3") == "'-2+3"
    text = exporters.render(
        "creators",
        [{"name": "=x", "tiktok_handle": "@a", "followers": -5, "commission_pct": "-5"}],
        "csv",
    )
    row = dict(zip(*csv.reader(io.StringIO(text)), strict=True))
    assert (row["name"], row["followers"], row["commission_pct"]) == ("'=x", "-5", "-5")


# ---- exports and reports -----------------------------------------------------------------


@pytest.mark.parametrize("kind", ["creators", "campaigns", "brands"])
def test_cli_csv_export_has_no_live_formula(database: dbmod.Database, kind: str) -> None:
    hostile(database)
    text = cli_out(database, "export", kind)
    assert_no_live_formula(text)
    cells_out = csv_cells(text)
    expected = {
        "creators": ["'" + HOSTILE_NAME, "'=1+1", "'+cmd", "'-2+3;@sum(a1)", "''=already quoted"],
        "campaigns": ["'=2+2", "'=cmd|calc", "1500.00"],
        "brands": ["'=cmd|calc", "'@evil", "'-x"],
    }[kind]
    for cell in expected:
        assert cell in cells_out


def test_json_export_is_written_as_stored(database: dbmod.Database) -> None:
    hostile(database)
    rows = json.loads(cli_out(database, "export", "creators", "--format", "json"))
    assert {r["name"] for r in rows} >= {HOSTILE_NAME, "'=already quoted"}
    assert "=1+1" in {r["notes"] for r in rows}


def test_report_csv_has_no_live_formula(database: dbmod.Database, tmp_path: Path) -> None:
    hostile(database)
    summary, campaigns = report_csv(database, tmp_path, "brand", "=cmd|calc")
    assert_no_live_formula(summary)
    assert_no_live_formula(campaigns)
    rows = list(csv.reader(io.StringIO(campaigns)))
    campaign = next(r for r in rows if r[1] == "'=2+2")
    assert campaign[2] == "'" + HOSTILE_NAME  # a brand report has no brand column


def test_report_growth_stays_a_number(demo_db: dbmod.Database, tmp_path: Path) -> None:
    text, _ = report_csv(demo_db, tmp_path, "creator", "@haneul.eats")
    summary = {r[1]: r[2] for r in csv.reader(io.StringIO(text)) if r and r[0] == "summary"}
    growth = summary["Growth 30 days"]
    assert growth[:1] in "+-" and cells.is_number(growth)


# ---- the round trip ----------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_hostile_cells_round_trip(demo_db: dbmod.Database, tmp_path: Path, fmt: str) -> None:
    hostile(demo_db)
    with demo_db.session() as s:
        first = {kind: exporters.export_text(s, kind, fmt) for kind in ORDER}
    fresh = dbmod.open_database(str(tmp_path / "fresh.db"))
    for kind in ORDER:
        path = tmp_path / f"{kind}.{fmt}"
        path.write_text(first[kind], encoding="utf-8", newline="")
        importers.import_file(fresh, kind, path)
    with fresh.session() as s:
        for kind in ORDER:
            assert exporters.export_text(s, kind, fmt) == first[kind], kind
        stored = {c.name: c for c in s.exec(select(Creator))}
        brand = brands.find_brand(s, "=cmd|calc")
        campaign_names = set(s.exec(select(Campaign.name)))
    assert stored[HOSTILE_NAME].notes == "=1+1" and stored[HOSTILE_NAME].niche == "+cmd"
    assert stored[HOSTILE_NAME].tags == "-2+3;@sum(a1)"
    assert stored["'=already quoted"].notes == "'plain quote"
    assert (brand.notes, brand.contact_name) == ("@evil", "-x")
    assert "=2+2" in campaign_names


def test_imported_quoted_cell_is_stored_without_the_quote(
    database: dbmod.Database, tmp_path: Path
) -> None:
    path = tmp_path / "c.csv"
    path.write_text("name,tiktok_handle,notes\n'=1+1,'@mina,'-note\n", encoding="utf-8")
    importers.import_file(database, "creators", path)
    with database.session() as s:
        mina = roster.find_creator(s, "@mina")
    assert mina is not None and (mina.name, mina.notes) == ("=1+1", "-note")


# ---- codes that name no currency, no country ----------------------------------------------


@pytest.mark.parametrize("code", ["XXX", "xts", "XAU", "XAG", "XPT", "XPD", "XDR", "CLF", "USN"])
def test_codes_that_are_not_money_are_refused(code: str) -> None:
    with pytest.raises(money.MoneyError, match="not a currency a fee can be paid in"):
        money.normalize_currency(code)
    with pytest.raises(money.MoneyError):
        money.parse_money(f"100 {code}")
    with pytest.raises(fields.FieldError, match=code.upper()):
        fields.currency({"currency": code})


@pytest.mark.parametrize("code", ["USD", "krw", "EUR", "XAF", "XOF", "XCD", "CHF"])
def test_real_currencies_are_accepted(code: str) -> None:
    assert money.normalize_currency(code) == code.upper()


def test_amounts_already_stored_in_a_refused_code_still_show() -> None:
    assert money.format_money(150, "XXX") == "1.50 XXX"


@pytest.mark.parametrize("code", ["ZZ", "zz", "AA", "QM", "QZ", "XA", "XZ", "XX"])
def test_user_assigned_countries_are_refused(code: str) -> None:
    with pytest.raises(fields.FieldError, match="user-assigned"):
        fields.bucket({"bucket": code}, "bucket", "country")


@pytest.mark.parametrize("code", ["US", "KR", "GB", "QA", "XK"])
def test_real_countries_are_accepted(code: str) -> None:
    assert fields.bucket({"bucket": code}, "bucket", "country") == code


def test_cli_import_refuses_zz_and_xxx(demo_db: dbmod.Database, tmp_path: Path) -> None:
    rates = tmp_path / "rates.csv"
    rates.write_text(
        "tiktok_handle,deliverable,amount,currency\n@haneul.eats,video,100,XXX\n", encoding="utf-8"
    )
    result = runner.invoke(cli.app, ["--db", demo_db.url, "import", "rates", str(rates)])
    assert result.exit_code == 1 and "XXX means no currency" in result.stderr
    demo = tmp_path / "demographics.csv"
    demo.write_text(
        "tiktok_handle,captured_on,dimension,bucket,share\n"
        "@haneul.eats,2026-10-01,country,ZZ,1.0\n",
        encoding="utf-8",
    )
    result = runner.invoke(cli.app, ["--db", demo_db.url, "import", "demographics", str(demo)])
    assert result.exit_code == 1 and "ZZ is a user-assigned code" in result.stderr
