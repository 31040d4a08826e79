"""A creators import fills the search index (`creators_fts`) once for its new rows instead of
through the after-insert trigger row by row (`store.search_index`). What is checked here is
what ends up stored: the index finds exactly the creators a plain scan of the table finds
(new, renamed, untouched), FTS5's own integrity check passes, the trigger is there afterwards
with the very SQL the migration wrote, and a failed import or a dry run leaves the index and
the trigger as they were. Batches are small so that files span many of them."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from talent_tui.cli import main as cli
from talent_tui.core.fields import CREATOR_FIELD_PARSERS
from talent_tui.io import importers
from talent_tui.io.importers import base
from talent_tui.io.importers import creators as creators_kind
from talent_tui.services import creators as creator_service
from talent_tui.store import search_index
from talent_tui.store.db import Database
from tests import factories

# Terms of three characters or more (the trigram tokenizer's shortest match).
TERMS = ("creator", "renamed", "fresh", "@fresh1", "ator 1", "ed 3", "zz9", "nobody")


@pytest.fixture(autouse=True)
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(base, "BATCH_ROWS", 25)


def run(*args: str):  # noqa: ANN201
    return CliRunner().invoke(cli.app, list(args), catch_exceptions=False)


def write(tmp_path: Path, name: str, lines: list[str]) -> Path:
    path = tmp_path / name
    path.write_text("name,tiktok_handle,niche\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def stock(database: Database, count: int) -> None:
    """`count` creators stored through the app (indexed by the trigger): Creator 0 …"""
    with database.transaction() as s:
        for n in range(count):
            creator_service.add_creator(s, {"name": f"Creator {n}", "tiktok_handle": f"@c{n}"})


def sql(database: Database, statement: str, **params: object) -> list[tuple]:
    with database.engine.connect() as connection:
        return [tuple(r) for r in connection.execute(sa.text(statement), params)]


def found(database: Database, term: str) -> set[int]:
    """What the search index finds for `term` (as the roster's search asks it)."""
    phrase = '"' + term.replace('"', '""') + '"'
    return {
        r[0]
        for r in sql(
            database, "SELECT rowid FROM creators_fts WHERE creators_fts MATCH :q", q=phrase
        )
    }


def scanned(database: Database, term: str) -> set[int]:
    """What a plain scan of the table finds for `term` (names and handles, any case)."""
    needle = term.lower()
    return {
        id_
        for id_, name, handle in sql(database, "SELECT id, name, tiktok_handle FROM creators")
        if needle in name.lower() or needle in handle.lower()
    }


def trigger_sql(database: Database) -> str | None:
    rows = sql(
        database,
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = :n",
        n=search_index.INSERT_TRIGGER,
    )
    return rows[0][0] if rows else None


def indexed_rows(database: Database) -> int:
    """Documents in the index (FTS5 keeps one docsize row per indexed row)."""
    return sql(database, "SELECT count(*) FROM creators_fts_docsize")[0][0]


def assert_index_matches_table(database: Database) -> None:
    with database.engine.begin() as connection:  # raises on any difference
        connection.exec_driver_sql(
            "INSERT INTO creators_fts(creators_fts, rank) VALUES ('integrity-check', 1)"
        )
    assert indexed_rows(database) == sql(database, "SELECT count(*) FROM creators")[0][0]
    for term in TERMS:
        assert found(database, term) == scanned(database, term), term


def test_new_and_renamed_creators_are_found_and_the_trigger_is_back(
    database: Database, tmp_path: Path
) -> None:
    stock(database, 30)
    migration_trigger = trigger_sql(database)
    assert migration_trigger is not None
    lines = [f"Renamed {n},@c{n},food" for n in range(0, 30, 3)]  # 10 renamed
    lines += [f"Creator {n},@c{n},beauty" for n in range(1, 30, 3)]  # 10 niche only
    lines += [f"Fresh {n},@fresh{n},travel" for n in range(200)]  # 200 new, 9 batches
    report = importers.import_file(database, "creators", write(tmp_path, "c.csv", lines))
    assert (report.new, report.updated) == (200, 20)

    assert trigger_sql(database) == migration_trigger
    assert_index_matches_table(database)
    renamed = {r[0] for r in sql(database, "SELECT id FROM creators WHERE name LIKE 'Renamed%'")}
    assert found(database, "renamed") == renamed and len(renamed) == 10
    assert len(found(database, "fresh")) == 200
    assert found(database, "Creator 0") == set()  # its old name is gone from the index
    assert len(found(database, "@fresh1")) == 111  # @fresh1, @fresh10…19, @fresh100…199


def test_an_insert_and_a_rename_after_the_import_are_indexed(
    database: Database, tmp_path: Path
) -> None:
    importers.import_file(
        database, "creators", write(tmp_path, "c.csv", [f"Fresh {n},@fresh{n}," for n in range(60)])
    )
    with database.transaction() as s:
        later = factories.creator(s, name="Zz9 Later", tiktok_handle="@later.one")
        creator_service.update_fields(s, 1, {"name": "Zz9 Renamed"})
    assert found(database, "zz9") == {later.id, 1}
    assert_index_matches_table(database)


def test_a_bad_row_at_the_end_leaves_table_index_and_trigger_as_they_were(
    database: Database, tmp_path: Path
) -> None:
    stock(database, 5)
    before = sql(database, "SELECT * FROM creators ORDER BY id")
    migration_trigger = trigger_sql(database)
    lines = [f"Renamed {n},@c{n}," for n in range(5)]
    lines += [f"Fresh {n},@fresh{n}," for n in range(500)]
    lines.append("Bad Row,not a handle!,")
    result = run(
        "--db", str(database.path), "import", "creators", str(write(tmp_path, "c.csv", lines))
    )
    assert result.exit_code == 1
    assert "nothing was imported" in result.output

    assert sql(database, "SELECT * FROM creators ORDER BY id") == before
    assert indexed_rows(database) == 5
    assert trigger_sql(database) == migration_trigger
    assert found(database, "fresh") == set() and found(database, "renamed") == set()
    assert_index_matches_table(database)


def test_a_caller_that_commits_after_a_failed_import_still_keeps_index_and_trigger(
    database: Database, tmp_path: Path
) -> None:
    stock(database, 3)
    migration_trigger = trigger_sql(database)
    rows = importers.read_rows(
        write(tmp_path, "c.csv", [f"Fresh {n},@fresh{n}," for n in range(100)] + ["X,bad!,"])
    )
    with database.transaction() as s:
        with pytest.raises(importers.ImportFailed):
            importers.import_rows(s, "creators", rows, "c.csv")
    # Whatever was written before the failure is committed here, but indexed, and the
    # trigger was put back before the failure went up.
    assert trigger_sql(database) == migration_trigger
    assert_index_matches_table(database)
    with database.transaction() as s:
        factories.creator(s, name="Zz9 After", tiktok_handle="@after.one")
    assert len(found(database, "zz9")) == 1


def test_dry_run_leaves_no_index_rows_and_the_trigger(database: Database, tmp_path: Path) -> None:
    stock(database, 4)
    migration_trigger = trigger_sql(database)
    lines = [f"Renamed {n},@c{n}," for n in range(4)] + [f"Fresh {n},@fresh{n}," for n in range(90)]
    path = write(tmp_path, "c.csv", lines)
    result = run("--db", str(database.path), "import", "creators", str(path), "--dry-run")
    assert result.exit_code == 0, result.output
    assert sql(database, "SELECT count(*) FROM creators")[0][0] == 4
    assert indexed_rows(database) == 4
    assert trigger_sql(database) == migration_trigger
    assert found(database, "fresh") == set() and found(database, "renamed") == set()
    assert_index_matches_table(database)


def test_an_id_freed_by_deleting_the_last_creator_is_indexed_under_its_new_owner(
    database: Database, tmp_path: Path
) -> None:
    stock(database, 6)
    with database.transaction() as s:
        for creator_id in (6, 5):  # SQLite gives id 5 to the next row inserted
            creator_service.archive(s, creator_id)
            creator_service.delete(s, creator_id)
    importers.import_file(
        database, "creators", write(tmp_path, "c.csv", [f"Fresh {n},@fresh{n}," for n in range(40)])
    )
    assert sql(database, "SELECT name FROM creators WHERE id = 5") == [("Fresh 0",)]
    assert found(database, "Fresh 0") == {5}
    assert found(database, "Creator 5") == set()
    assert_index_matches_table(database)


def test_json_imports_fill_the_index_too(database: Database, tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    path.write_text(
        "["
        + ",".join(f'{{"name": "Fresh {n}", "tiktok_handle": "@fresh{n}"}}' for n in range(70))
        + "]",
        encoding="utf-8",
    )
    importers.import_file(database, "creators", path)
    assert len(found(database, "fresh")) == 70
    assert_index_matches_table(database)


def test_a_database_without_the_trigger_is_left_without_it(
    database: Database, tmp_path: Path
) -> None:
    """The bulk path only replaces a trigger that is there: a file whose insert trigger is
    gone (an older or hand-altered schema) gets no trigger and no index rows from an import."""
    with database.engine.begin() as connection:
        connection.exec_driver_sql(f"DROP TRIGGER {search_index.INSERT_TRIGGER}")
    report = importers.import_file(
        database, "creators", write(tmp_path, "c.csv", [f"Fresh {n},@fresh{n}," for n in range(30)])
    )
    assert report.new == 30
    assert trigger_sql(database) is None
    assert indexed_rows(database) == 0


def test_a_database_without_the_index_imports_as_before(database: Database, tmp_path: Path) -> None:
    with database.engine.begin() as connection:
        for name in ("creators_fts_ai", "creators_fts_ad", "creators_fts_au"):
            connection.exec_driver_sql(f"DROP TRIGGER {name}")
        connection.exec_driver_sql("DROP TABLE creators_fts")
    report = importers.import_file(
        database, "creators", write(tmp_path, "c.csv", [f"Fresh {n},@fresh{n}," for n in range(30)])
    )
    assert report.new == 30
    assert sql(database, "SELECT name FROM sqlite_master WHERE name LIKE 'creators_fts%'") == []


def test_suspending_outside_a_transaction_is_refused(database: Database) -> None:
    with database.engine.connect() as connection, pytest.raises(RuntimeError):
        search_index.suspend(connection)


def test_the_import_connection_gets_its_page_cache_size_back(
    database: Database, tmp_path: Path
) -> None:
    def cache_size() -> int:
        with database.engine.connect() as connection:
            return connection.exec_driver_sql("PRAGMA cache_size").scalar_one()

    before = cache_size()
    importers.import_file(
        database, "creators", write(tmp_path, "c.csv", [f"Fresh {n},@fresh{n}," for n in range(30)])
    )
    assert cache_size() == before
    assert before != -base.IMPORT_CACHE_KIB


def test_an_absent_creator_column_parses_to_the_default_a_new_creator_gets() -> None:
    """The importer skips the parsers of absent columns (quicker); what they would give must
    be what a new creator is stored with anyway (followers: none given → 0)."""
    for column, parse in CREATOR_FIELD_PARSERS.items():
        if column in creators_kind._REQUIRED:
            continue
        for name, value in parse({}).items():
            expected = creators_kind._CREATOR_DEFAULTS[name]
            assert value == expected or (name == "followers" and value is None), column
