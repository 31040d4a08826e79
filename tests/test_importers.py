"""Imports: all or nothing, errors that name file, row and field, safe re-runs."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import select

from talent_tui.io import importers
from talent_tui.store.db import Database
from talent_tui.store.models import Campaign, Creator

CREATORS = """\
name,tiktok_handle,followers,engagement_rate,niche,commission_pct
Mina Park,@mina.park,"12,500",4.5%,beauty,20
Leo Grant,leogrant,880,0.061,tech,15
"""


def count(database: Database, model) -> int:  # noqa: ANN001
    with database.session() as s:
        return s.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_creators_import_parses_and_stores(database: Database, tmp_path: Path) -> None:
    report = importers.import_file(database, "creators", write(tmp_path, "c.csv", CREATORS))
    assert (report.new, report.updated, report.unchanged) == (2, 0, 0)
    with database.session() as s:
        mina = s.exec(select(Creator).where(Creator.tiktok_handle == "@mina.park")).one()
        leo = s.exec(select(Creator).where(Creator.tiktok_handle == "@leogrant")).one()
    assert (mina.followers, mina.engagement_rate, mina.commission_bp) == (12500, 0.045, 2000)
    assert (leo.followers, leo.engagement_rate) == (880, 0.061)


def test_reimport_is_idempotent_and_counts_updates(database: Database, tmp_path: Path) -> None:
    path = write(tmp_path, "c.csv", CREATORS)
    importers.import_file(database, "creators", path)
    again = importers.import_file(database, "creators", path)
    assert (again.new, again.updated, again.unchanged) == (0, 0, 2)
    changed = write(tmp_path, "c2.csv", CREATORS.replace("12,500", "13,000"))
    report = importers.import_file(database, "creators", changed)
    assert (report.new, report.updated, report.unchanged) == (0, 1, 1)
    assert count(database, Creator) == 2


def test_one_bad_row_writes_nothing_and_names_file_row_field(
    database: Database, tmp_path: Path
) -> None:
    bad = CREATORS + "Broken Row,@broken,lots,4%,food,10\n"
    path = write(tmp_path, "roster.csv", bad)
    with pytest.raises(importers.ImportFailed) as caught:
        importers.import_file(database, "creators", path)
    [error] = caught.value.errors
    assert (error.source, error.row, error.field) == ("roster.csv", 4, "followers")
    assert str(error).startswith("roster.csv:4:followers:")
    assert count(database, Creator) == 0


def test_unknown_and_missing_columns_are_reported(database: Database, tmp_path: Path) -> None:
    path = write(tmp_path, "c.csv", "name,handle\nMina,@mina\n")
    with pytest.raises(importers.ImportFailed) as caught:
        importers.import_file(database, "creators", path)
    fields = {e.field for e in caught.value.errors}
    assert "handle" in fields and "tiktok_handle" in fields


def test_dry_run_validates_and_rolls_back(database: Database, tmp_path: Path) -> None:
    report = importers.import_file(
        database, "creators", write(tmp_path, "c.csv", CREATORS), dry_run=True
    )
    assert report.dry_run and report.new == 2
    assert count(database, Creator) == 0


def test_campaign_for_unknown_creator_or_brand_is_a_row_error(
    demo_db: Database, tmp_path: Path
) -> None:
    before = count(demo_db, Campaign)
    text = (
        "external_id,tiktok_handle,brand,name,fee,currency,status\n"
        "T-1,@haneul.eats,Hanok Kitchen,Good One,1500000,KRW,offer_received\n"
        "T-2,@nobody.here,Hanok Kitchen,Bad One,100,USD,offer_received\n"
    )
    with pytest.raises(importers.ImportFailed) as caught:
        importers.import_file(demo_db, "campaigns", write(tmp_path, "camp.csv", text))
    assert [(e.row, e.field) for e in caught.value.errors] == [(3, "tiktok_handle")]
    assert count(demo_db, Campaign) == before


def test_json_rows_are_numbered_from_one(database: Database, tmp_path: Path) -> None:
    text = '[{"name": "A", "tiktok_handle": "@aa", "followers": 1},\n {"name": "B"}]'
    with pytest.raises(importers.ImportFailed) as caught:
        importers.import_file(database, "creators", write(tmp_path, "c.json", text))
    assert [(e.row, e.field) for e in caught.value.errors] == [(2, "tiktok_handle")]


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("e.json", "", "empty file: expected a JSON list of objects"),
        ("blank.json", " \n", "empty file: expected a JSON list of objects"),
        ("e.csv", "", "empty file: no header row"),
        ("blank.csv", "\n\n", "empty file: no header row"),
        ("o.json", '{"name": "A"}', "expected a JSON list of objects"),
    ],
)
def test_empty_or_shapeless_files_are_file_errors(
    database: Database, tmp_path: Path, name: str, text: str, message: str
) -> None:
    with pytest.raises(importers.ImportFailed) as caught:
        importers.import_file(database, "creators", write(tmp_path, name, text))
    [error] = caught.value.errors
    assert (error.source, error.row, error.field, error.message) == (name, 0, "file", message)
    assert str(error) == f"{name}: {message}"
    assert count(database, Creator) == 0


def test_header_only_csv_is_checked_like_any_other(database: Database, tmp_path: Path) -> None:
    with pytest.raises(importers.ImportFailed) as caught:
        importers.import_file(database, "creators", write(tmp_path, "h.csv", "foo,bar\n"))
    found = [(e.row, e.field, e.message) for e in caught.value.errors]
    assert found == [
        (1, "foo", "unknown column(s): bar, foo"),
        (1, "name", "missing column"),
        (1, "tiktok_handle", "missing column"),
    ]
    with pytest.raises(importers.ImportFailed) as caught:
        importers.import_file(database, "creators", write(tmp_path, "m.csv", "\nname,notes\n"))
    assert [(e.row, e.field) for e in caught.value.errors] == [(2, "tiktok_handle")]

    header = "name,tiktok_handle,followers\n"
    report = importers.import_file(database, "creators", write(tmp_path, "ok.csv", header))
    assert (report.rows, report.new) == (0, 0)
    assert count(database, Creator) == 0


def test_json_file_read_as_csv_has_unknown_columns(database: Database, tmp_path: Path) -> None:
    text = '[{"name": "A", "tiktok_handle": "@aa"}]'
    path = write(tmp_path, "a.json", text)
    with pytest.raises(importers.ImportFailed) as caught:
        importers.import_file(database, "creators", path, fmt="csv")
    messages = [str(e) for e in caught.value.errors]
    assert messages[0].startswith("a.json:1:") and "unknown column(s)" in messages[0]
    assert count(database, Creator) == 0
    assert importers.import_file(database, "creators", path).new == 1  # as JSON it is fine


def test_rows_with_the_wrong_number_of_cells_are_errors(database: Database, tmp_path: Path) -> None:
    text = "name,tiktok_handle,followers\nA,@aa,10\nB,@bb\nC,@cc,30,extra\n"
    with pytest.raises(importers.ImportFailed) as caught:
        importers.import_file(database, "creators", write(tmp_path, "c.csv", text))
    assert [str(e) for e in caught.value.errors] == [
        "c.csv:3:row: 2 cells, header has 3",
        "c.csv:4:row: 4 cells, header has 3",
    ]
    assert count(database, Creator) == 0  # B was not stored with followers=0


def test_unknown_format_and_file_errors_render_without_row(
    database: Database, tmp_path: Path
) -> None:
    path = write(tmp_path, "x.txt", "name,tiktok_handle\nA,@aa\n")
    with pytest.raises(importers.ImportFailed) as caught:
        importers.import_file(database, "creators", path, fmt="xml")
    assert [str(e) for e in caught.value.errors] == ["x.txt: unknown format 'xml' (csv or json)"]
    with pytest.raises(importers.ImportFailed) as caught:
        importers.import_file(database, "creators", tmp_path / "nosuch.csv")
    [error] = caught.value.errors
    assert (error.row, error.field) == (0, "file")
    assert str(error) == "nosuch.csv: No such file or directory"
    assert error.as_dict() == {
        "source": "nosuch.csv",
        "row": 0,
        "field": "file",
        "message": "No such file or directory",
    }


def test_a_large_import_leaves_the_planner_statistics_of_what_it_wrote(
    database: Database, tmp_path: Path
) -> None:
    """From ANALYZE_AFTER rows on, an import refreshes the planner's statistics, on both
    stores: PostgreSQL's planner ignores the search's trigram indexes on a table it has no
    statistics for (a search right after an import was 45 ms a keystroke instead of 6)."""
    rows = "".join(f"Name {n},@stat.{n:05d},{n * 10}\n" for n in range(importers.ANALYZE_AFTER))
    path = write(tmp_path, "many.csv", "name,tiktok_handle,followers\n" + rows)
    assert importers.import_file(database, "creators", path).new == importers.ANALYZE_AFTER
    with database.engine.connect() as connection:
        if database.engine.dialect.name == "sqlite":
            analyzed = connection.exec_driver_sql(
                "SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'creators'"
            ).scalar()
            assert analyzed and analyzed > 0
        else:  # reltuples is -1 for a table never analyzed
            estimate = connection.exec_driver_sql(
                "SELECT reltuples FROM pg_class WHERE relname = 'creators'"
            ).scalar()
            assert estimate == importers.ANALYZE_AFTER
