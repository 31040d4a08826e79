"""Every import kind, good and bad sample files, and export → import → export round trips."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import select
from typer.testing import CliRunner

from talent_tui.cli import main as cli
from talent_tui.cli import transfer
from talent_tui.io import exporters, importers
from talent_tui.services import roster
from talent_tui.store import db as dbmod
from talent_tui.store.models import (
    AudienceSegment,
    Brand,
    BrandTarget,
    Campaign,
    Creator,
    MetricSnapshot,
    Rate,
)

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"
ORDER = ["creators", "brands", "metrics", "demographics", "rates", "campaigns"]
MODELS = {
    "creators": Creator,
    "brands": Brand,
    "metrics": MetricSnapshot,
    "demographics": AudienceSegment,
    "rates": Rate,
    "campaigns": Campaign,
}


def sample(kind: str, bad: bool = False) -> Path:
    suffix = "_bad" if bad else ""
    ext = "json" if kind == "brands" else "csv"
    return SAMPLES / f"{kind}{suffix}.{ext}"


def count(database: dbmod.Database, model) -> int:  # noqa: ANN001
    with database.session() as s:
        return s.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()


def load_samples(database: dbmod.Database) -> None:
    for kind in ORDER:
        importers.import_file(database, kind, sample(kind))


def test_every_good_sample_imports_and_reimport_changes_nothing(database: dbmod.Database) -> None:
    expected = {
        "creators": 3,
        "brands": 2,
        "metrics": 5,
        "demographics": 9,
        "rates": 5,
        "campaigns": 3,
    }
    for kind in ORDER:
        report = importers.import_file(database, kind, sample(kind))
        assert report.new == expected[kind], kind
        assert count(database, MODELS[kind]) == expected[kind]
    for kind in ORDER:
        again = importers.import_file(database, kind, sample(kind))
        assert (again.new, again.updated, again.unchanged) == (0, 0, expected[kind]), kind


def test_messy_creators_file_is_read_exactly(database: dbmod.Database) -> None:
    raw = sample("creators").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw  # BOM and CRLF, on purpose
    importers.import_file(database, "creators", sample("creators"))
    with database.session() as s:
        haeun = roster.find_creator(s, "@haeun.bakes")
        nora = roster.find_creator(s, "@noraquinn.fit")
        diego = roster.find_creator(s, "diego.games")
    assert haeun.name == "송하은" and haeun.followers == 128_400
    assert (
        haeun.engagement_rate == pytest.approx(0.052) and haeun.notes == "Seoul; bakes on Sundays"
    )
    assert nora.followers == 1_204_000 and nora.engagement_rate == pytest.approx(0.041)
    assert nora.tags == "hiit;running" and nora.notes == 'Says "no" to supplements, always'
    assert diego.tiktok_handle == "@diego.games" and diego.commission_bp == 1250


def test_rates_and_fees_are_stored_in_minor_units(database: dbmod.Database) -> None:
    load_samples(database)
    with database.session() as s:
        rates = {
            (r.deliverable, r.currency): r.amount_minor
            for r in s.exec(select(Rate).join(Creator).where(Creator.tiktok_handle != ""))
        }
        fee = s.exec(select(Campaign).where(Campaign.external_id == "OH-2026-001")).one()
    assert rates[("video", "KRW")] == 1_500_000
    assert rates[("video", "USD")] == 425_000
    assert rates[("live", "USD")] == 380_050
    assert (fee.fee_minor, fee.currency) == (2_400_000, "KRW")


def test_metrics_import_refreshes_the_roster_figures(database: dbmod.Database) -> None:
    load_samples(database)
    with database.session() as s:
        haeun = roster.find_creator(s, "@haeun.bakes")
    assert haeun.followers == 128_400
    # 30 days before 1 Nov is 2 Oct: one day into the Oct 1 -> Nov 1 segment
    base = 124_100 + (128_400 - 124_100) / 31
    assert haeun.follower_growth_30d == pytest.approx(128_400 / base - 1)


def test_brand_targets_read_the_same_from_csv_and_json(tmp_path: Path) -> None:
    from_json = dbmod.open_database(str(tmp_path / "a.db"))
    from_csv = dbmod.open_database(str(tmp_path / "b.db"))
    importers.import_file(from_json, "brands", SAMPLES / "brands.json")
    importers.import_file(from_csv, "brands", SAMPLES / "brands.csv")

    def targets(database: dbmod.Database) -> set:
        with database.session() as s:
            rows = s.exec(select(Brand.name, BrandTarget).join(BrandTarget)).all()
        return {(name, t.dimension, t.bucket, t.share) for name, t in rows}

    assert targets(from_json) == targets(from_csv) and len(targets(from_csv)) == 7


BAD = {
    "creators": [
        (3, "name"),
        (4, "followers"),
        (4, "engagement_rate"),
        (5, "email"),
        (5, "commission_pct"),
        (6, "tiktok_handle"),
    ],
    "brands": [(1, "target"), (2, "target[1].dimension"), (3, "name")],
    "metrics": [(2, "captured_on"), (3, "followers"), (4, "tiktok_handle"), (5, "engagement_rate")],
    "demographics": [(2, "share"), (4, "dimension"), (5, "share")],
    "rates": [(2, "amount"), (3, "currency"), (4, "amount"), (5, "amount"), (5, "updated_on")],
    "campaigns": [(2, "brand"), (3, "status"), (4, "end_on"), (4, "respond_by"), (5, "fee")],
}


@pytest.mark.parametrize("kind", ORDER)
def test_every_bad_sample_lists_each_error_and_writes_nothing(
    database: dbmod.Database, kind: str
) -> None:
    load_samples(database)
    before = {k: count(database, m) for k, m in MODELS.items()}
    with pytest.raises(importers.ImportFailed) as caught:
        importers.import_file(database, kind, sample(kind, bad=True))
    found = sorted((e.row, e.field) for e in caught.value.errors)
    assert found == sorted(BAD[kind])
    assert all(e.source == sample(kind, bad=True).name for e in caught.value.errors)
    assert {k: count(database, m) for k, m in MODELS.items()} == before


def test_error_list_is_capped_but_counts_all(database: dbmod.Database, tmp_path: Path) -> None:
    lines = ["name,tiktok_handle,followers"] + [f"P{i},@p{i},x{i}" for i in range(120)]
    path = tmp_path / "many.csv"
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(importers.ImportFailed) as caught:
        importers.import_file(database, "creators", path)
    message = str(caught.value)
    assert len(caught.value.errors) == 120
    assert "120 error(s)" in message and "… and 70 more" in message
    assert message.count("many.csv:") == importers.MAX_REPORTED_ERRORS


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_export_import_export_is_identical(
    demo_db: dbmod.Database, tmp_path: Path, fmt: str
) -> None:
    with demo_db.transaction() as s:  # an archived creator must survive the trip too
        roster.find_creator(s, "@haneul.eats").archived_at = sa.func.current_timestamp()
    first = {}
    with demo_db.session() as s:
        for kind in ORDER:
            first[kind] = exporters.export_text(s, kind, fmt)
    fresh = dbmod.open_database(str(tmp_path / "fresh.db"))
    for kind in ORDER:
        path = tmp_path / f"{kind}.{fmt}"
        path.write_text(first[kind], encoding="utf-8", newline="")
        importers.import_file(fresh, kind, path)
    with fresh.session() as s:
        for kind in ORDER:
            assert exporters.export_text(s, kind, fmt) == first[kind], kind
        assert roster.find_creator(s, "@haneul.eats").archived_at is not None
    assert "haneul" in first["creators"]


def test_cli_export_to_file_and_dry_run_report(demo_db: dbmod.Database, tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "creators.csv"
    result = runner.invoke(cli.app, ["--db", demo_db.url, "export", "creators", "-o", str(out)])
    assert result.exit_code == 0 and result.stdout == ""
    assert out.read_text(encoding="utf-8").splitlines()[0].startswith("name,tiktok_handle")

    changed = out.read_text(encoding="utf-8").replace("Olivia Bennett", "Olivia B. Bennett")
    out.write_text(changed + "New One,@new.one,5,,,,,,,,,,\n", encoding="utf-8")
    dry = runner.invoke(
        cli.app, ["--db", demo_db.url, "import", "creators", str(out), "--dry-run", "--json"]
    )
    assert dry.exit_code == 0, dry.output
    report = json.loads(dry.stdout)
    with demo_db.session() as s:
        total = roster.count_creators(s)
        assert roster.find_creator(s, "@liv.bennett").name == "Olivia Bennett"  # dry run
    assert (report["new"], report["updated"], report["unchanged"]) == (1, 1, total - 1)

    json_out = runner.invoke(cli.app, ["--db", demo_db.url, "export", "rates", "--format", "json"])
    assert json_out.exit_code == 0
    assert {"tiktok_handle", "deliverable", "amount", "currency"} <= set(
        json.loads(json_out.stdout)[0]
    )


def test_export_rejects_unknown_kind_and_format(demo_db: dbmod.Database) -> None:
    runner = CliRunner()
    bad_kind = runner.invoke(cli.app, ["--db", demo_db.url, "export", "planets"])
    assert bad_kind.exit_code == 2 and "planets" in bad_kind.stderr
    bad_fmt = runner.invoke(cli.app, ["--db", demo_db.url, "export", "rates", "-f", "xml"])
    assert bad_fmt.exit_code == 2 and "xml" in bad_fmt.stderr


def _big_creators_csv(path: Path, rows: int) -> None:
    lines = ["name,tiktok_handle,followers"] + [f"P {i},@p{i},{i}" for i in range(rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_big_import_shows_progress_on_a_terminal_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    from rich.console import Console

    path = tmp_path / "big.csv"
    _big_creators_csv(path, 10_001)
    progress = io.StringIO()
    monkeypatch.setattr(transfer, "out", Console(file=io.StringIO(), force_terminal=True))
    monkeypatch.setattr(transfer, "err", Console(file=progress, force_terminal=True, width=100))
    runner = CliRunner()
    db = str(tmp_path / "t.db")
    result = runner.invoke(cli.app, ["--db", db, "import", "creators", str(path)])
    assert result.exit_code == 0
    assert "Importing big.csv" in progress.getvalue()

    progress.truncate(0)
    quiet = runner.invoke(cli.app, ["--db", db, "import", "creators", str(path), "--json"])
    assert quiet.exit_code == 0
    assert json.loads(quiet.stdout)["unchanged"] == 10_001  # re-run: nothing changed
    assert "Importing" not in progress.getvalue()
