"""Imports change only what the file names: absent columns leave stored fields alone, the
report lists each updated row's changed fields, and a campaign's status moves only along the
app's own transitions (with its history entry)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from talent_tui.cli import main as cli
from talent_tui.io import importers
from talent_tui.store.db import Database
from talent_tui.store.models import (
    AuditEntry,
    Brand,
    BrandTarget,
    Campaign,
    CampaignStatus,
    Creator,
    MetricSnapshot,
    Offer,
)

CREATORS = """\
name,tiktok_handle,instagram_handle,youtube_handle,followers,engagement_rate,niche,tags,email,phone,commission_pct,notes
Nora Quinn,@noraquinn.fit,@nora.ig,@noraYT,"52,000",0.061,fitness,gym;yoga,nora@example.com,555-0100,20,Prefers mornings
Leo Grant,@leogrant,,,880,0.05,tech,,,,15,
"""
BRANDS = """\
name,contact_name,email,website,notes,target
Glow Labs,Ada,ada@glow.test,glow.test,Pays on time,gender:female=0.7; gender:male=0.3
"""
CAMPAIGNS = """\
external_id,tiktok_handle,brand,name,fee,currency,status,offer_received_on,respond_by,start_on,end_on,notes
GL-1,@noraquinn.fit,Glow Labs,Spring glow,"1,500",USD,offer_received,2026-10-20,2026-11-20,2026-12-01,2026-12-15,First brief
GL-2,@noraquinn.fit,Glow Labs,Summer glow,900,USD,completed,2026-05-01,2026-05-10,2026-06-01,2026-06-10,
"""
METRICS = """\
tiktok_handle,captured_on,followers,avg_views,six_sec_view_rate,completion_rate,engagement_rate,likes,comments,shares,videos_posted
@noraquinn.fit,2026-10-01,52000,12000,0.5,0.3,0.061,900,80,40,12
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def load(database: Database, tmp_path: Path, kind: str, name: str, text: str):  # noqa: ANN201
    return importers.import_file(database, kind, write(tmp_path, name, text))


@pytest.fixture
def stocked(database: Database, tmp_path: Path) -> Database:
    load(database, tmp_path, "creators", "c0.csv", CREATORS)
    load(database, tmp_path, "brands", "b0.csv", BRANDS)
    load(database, tmp_path, "campaigns", "k0.csv", CAMPAIGNS)
    load(database, tmp_path, "metrics", "m0.csv", METRICS)
    return database


def nora(database: Database) -> Creator:
    with database.session() as s:
        return s.exec(select(Creator).where(Creator.tiktok_handle == "@noraquinn.fit")).one()


def campaign(database: Database, external_id: str) -> Campaign:
    with database.session() as s:
        return s.exec(select(Campaign).where(Campaign.external_id == external_id)).one()


def creator_fields(creator: Creator) -> dict:
    return creator.model_dump(exclude={"updated_at"})


# --- absent columns ------------------------------------------------------------------------


def test_absent_creator_columns_leave_stored_fields_unchanged(
    stocked: Database, tmp_path: Path
) -> None:
    before = creator_fields(nora(stocked))
    report = load(
        stocked,
        tmp_path,
        "creators",
        "c.csv",
        "name,tiktok_handle\nNora Quinn,@noraquinn.fit\n",
    )
    assert (report.new, report.updated, report.unchanged) == (0, 0, 1)
    assert creator_fields(nora(stocked)) == before
    after = nora(stocked)
    assert (after.youtube_handle, after.niche, after.commission_bp) == ("@norayt", "fitness", 2000)


def test_present_column_changes_only_that_field(stocked: Database, tmp_path: Path) -> None:
    before = creator_fields(nora(stocked))
    report = load(
        stocked,
        tmp_path,
        "creators",
        "c.csv",
        "tiktok_handle,niche,name\n@noraquinn.fit,Food,Nora Quinn\n",
    )
    assert report.updated == 1
    after = creator_fields(nora(stocked))
    assert after.pop("niche") == "food"
    before.pop("niche")
    assert after == before


def test_empty_cell_in_present_column_clears_the_field(stocked: Database, tmp_path: Path) -> None:
    load(
        stocked,
        tmp_path,
        "creators",
        "c.csv",
        "name,tiktok_handle,email,notes\nNora Quinn,@noraquinn.fit,,\n",
    )
    after = nora(stocked)
    assert (after.email, after.notes) == (None, "")
    assert after.youtube_handle == "@norayt" and after.commission_bp == 2000


def test_empty_required_cell_is_refused(stocked: Database, tmp_path: Path) -> None:
    with pytest.raises(importers.ImportFailed) as caught:
        load(stocked, tmp_path, "creators", "c.csv", "name,tiktok_handle\n,@noraquinn.fit\n")
    assert [(e.row, e.field) for e in caught.value.errors] == [(2, "name")]
    assert nora(stocked).name == "Nora Quinn"


def test_absent_json_keys_leave_fields_unchanged(stocked: Database, tmp_path: Path) -> None:
    before = creator_fields(nora(stocked))
    text = json.dumps(
        [
            {"name": "Nora Quinn", "tiktok_handle": "@noraquinn.fit", "phone": "555-0199"},
            {"name": "Leo Grant", "tiktok_handle": "@leogrant"},
        ]
    )
    report = load(stocked, tmp_path, "creators", "c.json", text)
    assert (report.updated, report.unchanged) == (1, 1)
    after = creator_fields(nora(stocked))
    assert after.pop("phone") == "555-0199"
    before.pop("phone")
    assert after == before


def test_new_rows_still_take_the_defaults(stocked: Database, tmp_path: Path) -> None:
    report = load(stocked, tmp_path, "creators", "c.csv", "name,tiktok_handle\nNew One,@newone\n")
    assert report.new == 1
    with stocked.session() as s:
        new = s.exec(select(Creator).where(Creator.tiktok_handle == "@newone")).one()
    assert (new.commission_bp, new.niche, new.tags, new.followers) == (0, None, "", 0)


def test_absent_campaign_columns_leave_dates_and_notes(stocked: Database, tmp_path: Path) -> None:
    before = campaign(stocked, "GL-1").model_dump(exclude={"updated_at"})
    text = (
        "external_id,tiktok_handle,brand,name,fee,currency,status\n"
        'GL-1,@noraquinn.fit,Glow Labs,Spring glow,"1,500",USD,offer_received\n'
    )
    report = load(stocked, tmp_path, "campaigns", "k.csv", text)
    assert (report.updated, report.unchanged) == (0, 1)
    assert campaign(stocked, "GL-1").model_dump(exclude={"updated_at"}) == before


def test_partial_campaign_dates_are_checked_against_the_stored_ones(
    stocked: Database, tmp_path: Path
) -> None:
    text = (
        "external_id,tiktok_handle,brand,name,fee,currency,status,end_on\n"
        'GL-1,@noraquinn.fit,Glow Labs,Spring glow,"1,500",USD,offer_received,2026-11-25\n'
    )
    with pytest.raises(importers.ImportFailed) as caught:
        load(stocked, tmp_path, "campaigns", "k.csv", text)
    assert [(e.row, e.field) for e in caught.value.errors] == [(2, "end_on")]
    assert campaign(stocked, "GL-1").end_on == date(2026, 12, 15)


def test_absent_brand_columns_keep_contact_and_target(stocked: Database, tmp_path: Path) -> None:
    report = load(stocked, tmp_path, "brands", "b.csv", "name,website\nGlow Labs,glowlabs.test\n")
    assert report.updated == 1
    with stocked.session() as s:
        brand = s.exec(select(Brand).where(Brand.name == "Glow Labs")).one()
        targets = list(s.exec(select(BrandTarget).where(BrandTarget.brand_id == brand.id)))
    assert (brand.contact_name, brand.email, brand.notes, brand.website) == (
        "Ada",
        "ada@glow.test",
        "Pays on time",
        "glowlabs.test",
    )
    assert sorted((t.bucket, t.share) for t in targets) == [("female", 0.7), ("male", 0.3)]


def test_absent_metric_columns_keep_the_snapshot(stocked: Database, tmp_path: Path) -> None:
    text = "tiktok_handle,captured_on,followers\n@noraquinn.fit,2026-10-01,53000\n"
    report = load(stocked, tmp_path, "metrics", "m.csv", text)
    assert report.updated == 1
    with stocked.session() as s:
        snap = s.exec(select(MetricSnapshot)).one()
    assert (snap.followers, snap.avg_views, snap.likes, snap.completion_rate) == (
        53000,
        12000,
        900,
        0.3,
    )


def test_dry_run_reports_what_a_real_run_changes(stocked: Database, tmp_path: Path) -> None:
    path = write(tmp_path, "c.csv", "name,tiktok_handle,niche\nNora Quinn,@noraquinn.fit,food\n")
    dry = importers.import_file(stocked, "creators", path, dry_run=True)
    assert nora(stocked).niche == "fitness"
    real = importers.import_file(stocked, "creators", path)
    assert (dry.new, dry.updated, dry.unchanged) == (real.new, real.updated, real.unchanged)
    assert dry.as_dict()["changes"] == real.as_dict()["changes"]
    assert nora(stocked).niche == "food"


# --- the change summary ---------------------------------------------------------------------


def test_report_lists_changed_fields_of_updated_rows(stocked: Database, tmp_path: Path) -> None:
    text = (
        "name,tiktok_handle,niche,commission_pct,email\n"
        "Nora Quinn,@noraquinn.fit,beauty,25,nora@example.com\n"
        "Leo Grant,@leogrant,tech,15,\n"
    )
    report = load(stocked, tmp_path, "creators", "c.csv", text)
    assert (report.updated, report.unchanged, report.changes_total) == (1, 1, 1)
    [row] = report.changes
    assert (row.row, row.key) == (2, "@noraquinn.fit")
    assert [str(f) for f in row.fields] == ["niche: fitness → beauty", "commission_pct: 20% → 25%"]
    data = report.as_dict()
    assert data["changes"] == [
        {
            "row": 2,
            "key": "@noraquinn.fit",
            "fields": [
                {"field": "niche", "before": "fitness", "after": "beauty"},
                {"field": "commission_pct", "before": "20%", "after": "25%"},
            ],
        }
    ]
    assert data["changes_total"] == 1
    assert {"kind", "file", "rows", "new", "updated", "unchanged", "dry_run"} <= set(data)


def test_change_summary_is_bounded(database: Database, tmp_path: Path) -> None:
    many = importers.MAX_REPORTED_CHANGES + 20
    rows = [f"Creator {n},@creator{n},beauty" for n in range(many)]
    load(database, tmp_path, "creators", "a.csv", "name,tiktok_handle,niche\n" + "\n".join(rows))
    changed = [r.replace("beauty", "food") for r in rows]
    report = load(
        database, tmp_path, "creators", "b.csv", "name,tiktok_handle,niche\n" + "\n".join(changed)
    )
    assert report.updated == many and report.changes_total == many
    assert len(report.changes) == importers.MAX_REPORTED_CHANGES
    assert str(report.changes[0]) == "@creator0: niche: beauty → food"


def test_cli_json_report_has_the_changes(stocked: Database, tmp_path: Path) -> None:
    path = write(tmp_path, "c.csv", "name,tiktok_handle,niche\nNora Quinn,@noraquinn.fit,food\n")
    result = CliRunner().invoke(
        cli.app,
        ["--db", str(stocked.path), "import", "creators", str(path), "--json"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["updated"] == 1 and data["changes_total"] == 1
    assert data["changes"][0]["fields"] == [
        {"field": "niche", "before": "fitness", "after": "food"}
    ]


# --- campaign status through the state machine -----------------------------------------------


def status_row(external_id: str, status: str) -> str:
    name = {"GL-1": "Spring glow", "GL-2": "Summer glow"}[external_id]
    fee = '"1,500"' if external_id == "GL-1" else "900"
    return (
        "external_id,tiktok_handle,brand,name,fee,currency,status\n"
        f"{external_id},@noraquinn.fit,Glow Labs,{name},{fee},USD,{status}\n"
    )


def history(database: Database, campaign_id: int | None) -> list[AuditEntry]:
    with database.session() as s:
        statement = (
            select(AuditEntry)
            .where(AuditEntry.entity == "campaign", AuditEntry.entity_id == campaign_id)
            .order_by(AuditEntry.id)  # type: ignore[arg-type]
        )
        return list(s.exec(statement))


def test_forbidden_status_step_is_a_row_error_and_nothing_is_written(
    stocked: Database, tmp_path: Path
) -> None:
    text = status_row("GL-2", "offer_received") + (
        'GL-1,@noraquinn.fit,Glow Labs,Spring glow renamed,"1,500",USD,offer_received\n'
    )
    with pytest.raises(importers.ImportFailed) as caught:
        load(stocked, tmp_path, "campaigns", "k.csv", text)
    [error] = caught.value.errors
    assert (error.source, error.row, error.field) == ("k.csv", 2, "status")
    assert "completed" in error.message and "GL-2" in error.message
    assert campaign(stocked, "GL-2").status == CampaignStatus.COMPLETED
    assert campaign(stocked, "GL-1").name == "Spring glow"  # all or nothing


def test_allowed_status_step_is_recorded_like_the_app(stocked: Database, tmp_path: Path) -> None:
    before = campaign(stocked, "GL-1")
    report = load(stocked, tmp_path, "campaigns", "k.csv", status_row("GL-1", "accepted"))
    assert report.updated == 1
    assert [str(f) for f in report.changes[0].fields] == ["status: offer_received → accepted"]
    after = campaign(stocked, "GL-1")
    assert after.status == CampaignStatus.ACCEPTED
    assert (after.respond_by, after.start_on, after.notes) == (
        before.respond_by,
        before.start_on,
        before.notes,
    )
    entries = history(stocked, after.id)
    assert entries[-1].action == "status: offer received → accepted"
    assert entries[-1].actor == "import:k.csv"
    with stocked.session() as s:
        versions = list(s.exec(select(Offer).where(Offer.campaign_id == after.id)))
    assert len(versions) == 1  # the terms did not change: no new offer version


def test_new_campaigns_may_start_in_any_status(stocked: Database, tmp_path: Path) -> None:
    text = (
        "external_id,tiktok_handle,brand,name,fee,currency,status\n"
        "GL-9,@leogrant,Glow Labs,Old deal,100,USD,cancelled\n"
    )
    assert load(stocked, tmp_path, "campaigns", "k.csv", text).new == 1
    assert campaign(stocked, "GL-9").status == CampaignStatus.CANCELLED


def test_campaign_changes_name_the_creator_and_show_the_fee_in_its_currency(
    stocked: Database, tmp_path: Path
) -> None:
    text = (
        "external_id,tiktok_handle,brand,name,fee,currency,status\n"
        "GL-1,@leogrant,Glow Labs,Spring glow,200000,JPY,offer_received\n"
    )
    report = load(stocked, tmp_path, "campaigns", "k.csv", text)
    [row] = report.changes
    assert sorted(str(f) for f in row.fields) == [
        "creator: @noraquinn.fit → @leogrant",
        "currency: USD → JPY",
        "fee: 1,500.00 USD → 200,000 JPY",
    ]
    stored = campaign(stocked, "GL-1")
    assert (stored.fee_minor, stored.currency, stored.respond_by) == (
        200000,
        "JPY",
        date(2026, 11, 20),
    )


def test_brands_match_whatever_the_case_and_round_trip_category_and_archive(
    stocked: Database, tmp_path: Path
) -> None:
    """A file writing "glow labs" updates Glow Labs (names are unique whatever their case,
    as the brands service has it), and an export read back in changes nothing: the
    category and the archive date go out and come back."""
    from talent_tui.io import exporters
    from talent_tui.services import brands

    with pytest.raises(importers.ImportFailed, match="b.csv:3:name: duplicate of row 2"):
        load(
            stocked, tmp_path, "brands", "b.csv", "name,category\nglow labs,Skincare\nGLOW LABS,x\n"
        )
    report = load(stocked, tmp_path, "brands", "b.csv", "name,category\nglow labs,Skincare\n")
    assert (report.new, report.updated) == (0, 1)
    with stocked.transaction() as s:
        brand = s.exec(select(Brand)).one()  # still one brand, its name as it was written
        assert (brand.name, brand.category, brand.contact_name) == ("Glow Labs", "skincare", "Ada")
        brands.archive_brand(s, brand.id, "tester")
    with stocked.session() as s:
        exported = exporters.export_rows(s, "brands")
        before = s.exec(select(Brand)).one()
    assert exported[0]["category"] == "skincare" and exported[0]["archived_on"]
    header = list(exported[0])
    lines = [",".join(header)] + [",".join(f'"{row[k] or ""}"' for k in header) for row in exported]
    report = load(stocked, tmp_path, "brands", "again.csv", "\n".join(lines) + "\n")
    assert (report.new, report.updated, report.unchanged) == (0, 0, 1)
    with stocked.session() as s:
        after = s.exec(select(Brand)).one()
    assert (after.archived_at, after.category) == (before.archived_at, before.category)
    report = load(stocked, tmp_path, "brands", "b.csv", "name,archived_on\nGlow Labs,\n")
    assert report.updated == 1
    with stocked.session() as s:
        assert s.exec(select(Brand)).one().archived_at is None  # an empty cell unarchives
