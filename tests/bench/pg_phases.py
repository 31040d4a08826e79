"""The benchmark's PostgreSQL phases (run.py `--pg`, or `--only pg-import,pg-paint,pg-search`).

A throwaway server from tests/pgserver.py (initdb in a new temporary folder, C locale, fsync
off, trust authentication on 127.0.0.1) is started for the run and stopped (its folder
removed) when the run ends, failed or not. The same BIG creators CSV as the SQLite phases:

  pg-import   `talent --db URL import creators BIG.csv` vs pg_import_floor.py (csv + psycopg
              COPY, one transaction), cold child processes timed spawn to exit, each into a new
              database copied from one migrated template (CREATE DATABASE … TEMPLATE);
              alternating order; --import-samples pairs; medians; ratio floor / talent.
  pg-paint    `talent --db URL` vs `talent --db BIG.db` cold in the pty, alternating, until the
              first creator's name shows (both stores must put the same creator first);
              medians; ratio PostgreSQL / SQLite.
  pg-search   the in-process search probe (run.py --probe search) on the PostgreSQL database
              and on BIG.db, the same --keystrokes queries (built from BIG.db); medians and
              p95 of each.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

BENCH = Path(__file__).resolve().parent
TESTS = BENCH.parent

if TYPE_CHECKING:
    from run import Bench  # run.py imports this module; its own module object is passed in

PG_PHASES = ("pg-import", "pg-paint", "pg-search")


class PgPhases:
    """Owns the server; `start()` before the phases, `stop()` in a finally."""

    def __init__(self, bench: Bench, run: Any) -> None:
        self.bench = bench
        # run.py's own module object (it runs as __main__): its BenchError is the one caught,
        # its children the ones killed at the end.
        self.run = run
        self.server: Any = None
        self.databases: Any = None
        self.big_url: str | None = None
        self.template_name = "bench_template"

    # ---- server -------------------------------------------------------------------------

    def start(self) -> None:
        run = self.run
        if str(TESTS) not in sys.path:
            sys.path.insert(0, str(TESTS))
        import pgserver

        self.server = pgserver.PgServer()
        try:
            url = self.server.start()
        except pgserver.PgServerError as exc:
            raise run.BenchError(f"PostgreSQL phases: {exc}") from None
        self.databases = pgserver.Databases(url)
        template = self.databases.create(name=self.template_name)
        self.bench.talent_run("--db", template, "db", "migrate")
        self.bench.debug(f"PostgreSQL server at {url}")

    def stop(self) -> None:
        if self.databases is not None:
            self.databases.dispose()
            self.databases = None
        if self.server is not None:
            self.server.stop()
            self.server = None

    def count(self, url: str) -> int:
        import sqlalchemy as sa

        engine = sa.create_engine(url, poolclass=sa.NullPool)
        try:
            with engine.connect() as connection:
                return int(connection.exec_driver_sql("SELECT count(*) FROM creators").scalar_one())
        finally:
            engine.dispose()

    def first_name(self, url: str) -> str:
        import sqlalchemy as sa

        run = self.run

        engine = sa.create_engine(url, poolclass=sa.NullPool)
        try:
            with engine.connect() as connection:
                name = connection.exec_driver_sql(
                    "SELECT name FROM creators WHERE archived_at IS NULL ORDER BY name, id LIMIT 1"
                ).scalar()
        finally:
            engine.dispose()
        if name is None:
            raise run.BenchError("the PostgreSQL database has no live creators")
        return str(name)

    def big(self) -> str:
        """The PostgreSQL database holding the BIG creators (imported once if pg-import did
        not leave one)."""
        run = self.run
        if self.big_url is None:
            url = self.databases.create(template=self.template_name, name="bench_big")
            self.bench.talent_run(
                "--db", url, "import", "creators", str(self.bench.big_csv),
                timeout=run.IMPORT_TIMEOUT,
            )  # fmt: skip
            self.big_url = url
        return self.big_url

    # ---- pg-import ----------------------------------------------------------------------

    def import_ratio(self) -> dict[str, float]:
        run = self.run
        bench, args = self.bench, self.bench.args
        floor = [sys.executable, str(BENCH / "pg_import_floor.py")]
        talent_s: list[float] = []
        floor_s: list[float] = []
        for i in range(args.import_samples):
            order = ("talent", "floor") if i % 2 == 0 else ("floor", "talent")
            for kind in order:
                url = self.databases.create(template=self.template_name, name=f"imp_{i}_{kind}")
                if kind == "talent":
                    ran = bench.talent_run(
                        "--db", url, "import", "creators", str(bench.big_csv),
                        timeout=run.IMPORT_TIMEOUT,
                    )  # fmt: skip
                    talent_s.append(ran.seconds)
                else:
                    what = "pg_import_floor.py"
                    argv = [*floor, url, str(bench.big_csv)]
                    ran = run.checked(
                        run.run_child(argv, bench.env, run.IMPORT_TIMEOUT, what), what
                    )
                    floor_s.append(ran.seconds)
                bench.debug(f"pg import {kind}: {ran.seconds:.2f} s")
                stored = self.count(url)
                if stored != args.creators:
                    raise run.BenchError(
                        f"PostgreSQL {kind} import stored {stored} creators, not {args.creators}"
                    )
                if kind == "talent" and self.big_url is None:
                    self.big_url = url  # kept for pg-paint and pg-search
                else:
                    self.databases.drop(url)
        bench.keep("pg_import_s", {"talent": talent_s, "floor": floor_s})
        ours, raw = run.median(talent_s), run.median(floor_s)
        return {
            "pg_import_seconds": round(ours, 3),
            "pg_import_floor_seconds": round(raw, 3),
            "pg_import_rows_per_s": round(args.creators / ours),
            "pg_import_ratio": round(raw / ours, 3),
        }

    # ---- pg-paint -----------------------------------------------------------------------

    def first_paint(self) -> dict[str, float]:
        run = self.run
        bench = self.bench
        url = self.big()
        name = self.first_name(url)
        if name != run.first_name(bench.big):
            raise run.BenchError(
                f"PostgreSQL puts {name!r} first, SQLite {run.first_name(bench.big)!r}"
            )
        pattern = run.name_pattern(name)
        runs = {
            "postgresql": [*bench.talent, "--db", url],
            "sqlite": [*bench.talent, "--db", str(bench.big)],
        }
        times: dict[str, list[float]] = {kind: [] for kind in runs}
        for round_ in range(bench.args.samples):
            for kind in list(runs) if round_ % 2 == 0 else list(runs)[::-1]:
                ms = bench.paint_once(runs[kind], pattern, f"pg-paint {kind}")
                times[kind].append(ms)
                bench.debug(f"pg-paint {kind}: {ms:.0f} ms")
        bench.keep("pg_first_paint_ms", times)
        pg, lite = times["postgresql"], times["sqlite"]
        return {
            "pg_first_paint_ms": round(run.median(pg), 1),
            "pg_first_paint_ms_min": round(min(pg), 1),
            "pg_first_paint_sqlite_ms": round(run.median(lite), 1),
            "pg_first_paint_vs_sqlite": round(run.median(pg) / run.median(lite), 3),
        }

    # ---- pg-search ----------------------------------------------------------------------

    def search(self) -> dict[str, float]:
        run = self.run
        bench = self.bench
        url = self.big()
        count = bench.args.keystrokes
        lite = bench.probe("search", count)
        pg = bench.probe("search", count, db=url, queries_db=str(bench.big))
        bench.keep("pg_search_ms", {"postgresql": pg, "sqlite": lite})
        if [q for q, _ in pg] != [q for q, _ in lite]:
            raise run.BenchError("the PostgreSQL and SQLite search probes typed different queries")
        pg_ms, lite_ms = [ms for _, ms in pg], [ms for _, ms in lite]
        return {
            "pg_search_keystrokes": len(pg_ms),
            "pg_search_ms_median": round(run.median(pg_ms), 2),
            "pg_search_ms_p95": round(run.p95(pg_ms), 2),
            "pg_search_ms_max": round(max(pg_ms), 2),
            "pg_search_sqlite_ms_median": round(run.median(lite_ms), 2),
            "pg_search_sqlite_ms_p95": round(run.p95(lite_ms), 2),
        }
