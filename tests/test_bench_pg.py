"""The benchmark's PostgreSQL phases: their flags, their report rows, and their COPY floor
storing what talent's import stores (no timing here: the benchmark measures, tests do not)."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
import sqlalchemy as sa

from talent_tui.io import importers
from talent_tui.store import db as dbmod

from . import pgserver

BENCH = Path(__file__).resolve().parent / "bench"
SQLITE_PHASES = {
    "import", "paint", "cli", "search", "search_pty", "sort", "screens", "rss", "import_rss",
    "conversions-import",
}  # fmt: skip
PG = {"pg-import", "pg-paint", "pg-search"}


@pytest.fixture(scope="module")
def run() -> Iterator[ModuleType]:
    found = importlib.util.spec_from_file_location("talent_bench_run_pg", BENCH / "run.py")
    assert found is not None and found.loader is not None
    module = importlib.util.module_from_spec(found)
    sys.modules[found.name] = module  # its dataclasses look their module up
    try:
        found.loader.exec_module(module)
        yield module
    finally:
        del sys.modules[found.name]
        while str(BENCH) in sys.path:
            sys.path.remove(str(BENCH))


def test_the_pg_phases_run_with_pg_or_by_name_and_not_by_default(run: ModuleType) -> None:
    assert run.parse([]).phases == SQLITE_PHASES
    assert run.parse(["--pg", "--quick"]).phases == SQLITE_PHASES | PG
    args = run.parse(["--only", "pg-import,pg-search", "--quick"])
    assert (args.phases, args.creators, args.import_samples) == (
        {"pg-import", "pg-search"},
        20_000,
        1,
    )
    assert run.parse(["--only", "search", "--pg"]).phases == {"search"} | PG
    with pytest.raises(SystemExit):
        run.parse(["--only", "pg"])


def test_the_pg_figures_are_reported_beside_sqlites(run: ModuleType) -> None:
    figures = {
        "creators": 20_000,
        "import_ratio": 0.61,
        "import_seconds": 2.0,
        "import_floor_seconds": 1.22,
        "import_rows_per_s": 10_000,
        "pg_import_ratio": 0.4,
        "pg_import_seconds": 2.5,
        "pg_import_floor_seconds": 1.0,
        "pg_import_rows_per_s": 8_000,
        "pg_first_paint_vs_sqlite": 1.6,
        "pg_first_paint_ms": 800.0,
        "pg_first_paint_sqlite_ms": 500.0,
        "pg_first_paint_ms_min": 750.0,
        "pg_search_keystrokes": 36,
        "pg_search_ms_median": 12.5,
        "pg_search_sqlite_ms_median": 8.25,
        "pg_search_ms_p95": 40.0,
        "pg_search_ms_max": 61.0,
        "pg_search_sqlite_ms_p95": 20.0,
    }
    assert run.report(figures) == [
        (
            "Import 20k-row CSV, raw-sqlite3 floor / talent",
            "0.61 (2.0 s vs floor 1.2 s; 10,000 rows/s)",
            "≥ 0.5",
            True,
        ),
        (
            "PostgreSQL: import 20k-row CSV, psycopg-COPY floor / talent",
            "0.40 (2.5 s vs floor 1.0 s; 8,000 rows/s)",
            "≥ 0.5",
            False,
        ),
        (
            "PostgreSQL: first paint, 20k, vs SQLite (ratio of medians)",
            "1.60 (800 ms vs 500 ms; min 750 ms)",
            "≤ 1.5",
            False,
        ),
        (
            "PostgreSQL: search keystroke, median",
            "12.5 ms (36 keys; SQLite 8.2 ms)",
            "≤ 16 ms",
            True,
        ),
        (
            "PostgreSQL: search keystroke, p95",
            "40.0 ms (max 61.0 ms; SQLite 20.0 ms)",
            "≤ 50 ms",
            True,
        ),
    ]


def test_the_copy_floor_stores_what_talents_import_stores(
    run: ModuleType, pg_databases: pgserver.Databases, pg_template: str, tmp_path: Path
) -> None:
    import pg_import_floor  # on sys.path: run.py put tests/bench there

    data = tmp_path / "creators.csv"
    run.make_csv(data, 40, seed=3)
    urls = [pg_databases.create(template=pg_template) for _ in range(2)]
    try:
        assert pg_import_floor.main(urls[0], str(data)) == 0
        database = dbmod.open_database(urls[1])
        try:
            assert importers.import_file(database, "creators", data).new == 40
        finally:
            database.dispose()

        def stored(url: str) -> list[tuple]:
            engine = sa.create_engine(url, poolclass=sa.NullPool)
            try:
                with engine.connect() as connection:
                    rows = connection.exec_driver_sql(
                        "SELECT name, tiktok_handle, followers, engagement_rate, niche, email,"
                        " commission_bp, tags, notes, archived_at FROM creators ORDER BY id"
                    )
                    # The floor divides the percentage as a float (like import_floor.py does
                    # for SQLite): 9.76 % is 0.09759999999999999 there, 0.0976 in talent.
                    return [(*row[:3], round(row[3], 12), *row[4:]) for row in rows]
            finally:
                engine.dispose()

        assert stored(urls[0]) == stored(urls[1])
        assert len(stored(urls[0])) == 40
    finally:
        for url in urls:
            pg_databases.drop(url)
