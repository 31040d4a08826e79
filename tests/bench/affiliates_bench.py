"""Benchmark: the affiliates workspace on a program with 1,000,000 conversions.

    .venv/bin/python tests/bench/affiliates_bench.py            # table on stderr
    .venv/bin/python tests/bench/affiliates_bench.py --json     # + one JSON object on stdout
    .venv/bin/python tests/bench/affiliates_bench.py --quick    # development: 100,000, 3 runs

Data: `talent db migrate` makes an empty database (as run.py's template), then stdlib
sqlite3 fills it in one transaction: 1 program (USD, 10 %), --affiliates affiliates (default
2,000; every stage, most active), one tracking link each, a click day per affiliate per day
for the --days days before the bench's today (default 365) and --conversions conversions
(default 1,000,000) spread over the same days, skewed towards a few affiliates (as real
programs are), 5 % reversed, some refunded. The database is checkpointed and copied for
nothing else: every run opens the same file read/write, as a manager's would be.

Each run is a new (cold) `talent --db DB` in a real pseudo-terminal (80×24, tests/bench/
pty_driver.py), today pinned with TALENT_TODAY to the last day of the data; after the roster's
first paint and a quiet moment (1.5 s), four steps are timed from writing the key to the text
that shows the step's data on the terminal:
  workspace    `A`      until the pipeline board shows its first stage ("Prospect · N");
  kpis         `2`      until the status line shows the month's summed revenue
                        ("1,234.56 USD (+3% vs 2026-10)");
  sort         `s`      until the status line says "by clicks" (drawn with the re-sorted table);
  period       `[`      the month before, summed now (the month's sums above were read while
                        the board was shown): until the status line shows its revenue;
  affiliate    `Enter`  on the top affiliate: until its page shows its order count
                        ("Orders 1–100 of N", or fewer).
Medians and p95 per step over --runs runs, as a table on stderr and JSON on stdout (--json).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pty_driver import PtyApp, PtyExited, PtyTimeout, child_env, close_all  # noqa: E402

TODAY = date(2026, 11, 27)
PAINT_TIMEOUT = 30.0
STEP_TIMEOUT = 60.0
STAGES = (
    ("prospect", 0.05),
    ("contacted", 0.05),
    ("applied", 0.04),
    ("onboarding", 0.03),
    ("active", 0.75),
    ("paused", 0.04),
    ("ended", 0.02),
    ("rejected", 0.02),
)
STEPS = ("workspace", "kpis", "sort", "period", "affiliate")
PREVIOUS_MONTH = "2026-10"  # the month before TODAY's


def stamp(moment: datetime) -> str:
    """A datetime as SQLAlchemy stores it in SQLite (naive UTC, microseconds)."""
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


def build(db: Path, affiliates: int, conversions: int, days: int, seed: int = 11) -> None:
    """Fill a migrated, empty database with one big program (see the module's docstring)."""
    rng = random.Random(seed)
    now = stamp(datetime(2026, 1, 1))
    first_day = TODAY - timedelta(days=days - 1)
    con = sqlite3.connect(db)
    try:
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("PRAGMA synchronous=OFF")
        con.execute("BEGIN")
        con.execute(
            "INSERT INTO brands (id, name, notes, created_at) VALUES (1, 'Bench Brand', '', ?)",
            (now,),
        )
        con.execute(
            "INSERT INTO programs (id, name, slug, brand_id, currency, rate_bp,"
            " attribution_days, lock_days, net_days, forbidden_sources, terms, created_at)"
            " VALUES (1, 'Bench Program', 'bench-program', 1, 'USD', 1000, 30, 30, 30, '',"
            " '', ?)",
            (now,),
        )
        stages = rng.choices([s for s, _ in STAGES], [w for _, w in STAGES], k=affiliates)
        con.executemany(
            "INSERT INTO affiliates (id, program_id, handle, code, name, stage, stage_since,"
            " notes, created_at) VALUES (?, 1, ?, ?, ?, ?, ?, '', ?)",
            (
                (i, f"@aff{i:05d}", f"aff{i:05d}", f"Affiliate {i}", stages[i - 1], now, now)
                for i in range(1, affiliates + 1)
            ),
        )
        con.executemany(
            "INSERT INTO affiliate_stage_changes (affiliate_id, from_stage, to_stage, at, actor)"
            " VALUES (?, NULL, ?, ?, 'bench')",
            ((i, stages[i - 1], now) for i in range(1, affiliates + 1)),
        )
        con.executemany(
            "INSERT INTO tracking_links (id, program_id, affiliate_id, code, destination, url,"
            " created_at) VALUES (?, 1, ?, ?, 'https://bench.example/',"
            " 'https://bench.example/?utm_source=x', ?)",
            ((i, i, f"L{i:05d}", now) for i in range(1, affiliates + 1)),
        )
        con.executemany(
            "INSERT INTO click_days (program_id, affiliate_id, link_id, day, clicks,"
            " impressions) VALUES (1, ?, ?, ?, ?, ?)",
            (
                (a, a, (first_day + timedelta(days=d)).isoformat(), c, c * 20)
                for d in range(days)
                for a in range(1, affiliates + 1)
                if (c := rng.randrange(0, 60))
            ),
        )
        weights = [1.0 / (i**0.8) for i in range(1, affiliates + 1)]
        owners = rng.choices(range(1, affiliates + 1), weights, k=conversions)
        span = days * 86_400
        start = datetime.combine(first_day, datetime.min.time())
        statuses = ("approved", "pending", "held", "reversed")

        def rows():  # noqa: ANN202
            for n, owner in enumerate(owners, 1):
                amount = rng.randrange(500, 25_000)
                status = rng.choices(statuses, (0.8, 0.12, 0.03, 0.05))[0]
                refund = amount // 2 if rng.random() < 0.04 else 0
                at = stamp(start + timedelta(seconds=rng.randrange(span)))
                yield (n, f"B-{n:07d}", owner, owner, at, amount, refund, status, "social", now)

        con.executemany(
            "INSERT INTO conversions (id, program_id, order_id, affiliate_id, link_id,"
            " occurred_at, amount_minor, refund_minor, currency, status, source, created_at,"
            " updated_at) VALUES (?, 1, ?, ?, ?, ?, ?, ?, 'USD', ?, ?, ?, ?)",
            (r + (r[-1],) for r in rows()),
        )
        con.execute("COMMIT")
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        con.close()


def median(values: list[float]) -> float:
    return statistics.median(values)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    return statistics.quantiles(ordered, n=20, method="inclusive")[18]


def one_run(talent: list[str], db: Path, env: dict[str, str]) -> dict[str, float]:
    """One cold process: each step's milliseconds from its key to its sentinel text."""
    app = PtyApp([*talent, "--db", str(db)], env, cwd=env["HOME"])
    times: dict[str, float] = {}
    steps = (
        ("workspace", "A", r"Prospect · \d"),
        ("kpis", "2", r"[\d,.]+[kMG]? USD \("),
        ("sort", "s", r"by clicks"),
        ("period", "[", rf"{PREVIOUS_MONTH}: [\d,.]+[kMG]? USD \("),
        ("affiliate", "\r", r"Orders 1–[\d,]+ of [\d,]+"),
    )
    try:
        app.wait_for(r"No creators yet|Roster|creators", PAINT_TIMEOUT)
        app.wait_idle(1.5, 10.0)
        for name, key, sentinel in steps:
            app.mark()
            sent = app.send(key)
            seen = app.wait_for(sentinel, STEP_TIMEOUT)
            times[name] = (seen - sent) * 1000
            app.wait_idle(0.5, 10.0)
        return times
    finally:
        for keys in (["\x1b", "\x1b", "q"],):
            with contextlib.suppress(PtyExited, PtyTimeout, OSError):
                app.close(keys)


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--affiliates", type=int, default=2_000)
    parser.add_argument("--conversions", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="100,000 conversions, 3 runs")
    parser.add_argument("--json", action="store_true", help="print the JSON object on stdout")
    parser.add_argument("--keep", type=Path, help="keep the built database here")
    args = parser.parse_args(argv)
    if args.quick:
        args.conversions, args.runs = 100_000, 3
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    signal.signal(signal.SIGTERM, lambda *_: (close_all(), sys.exit(143)))
    tmp = Path(tempfile.mkdtemp(prefix="talent-affbench-"))
    try:
        env = child_env(str(tmp / "home"), {"TALENT_TODAY": TODAY.isoformat()})
        talent = [str(Path(sys.executable).parent / "talent")]
        db = tmp / "affiliates.db"
        subprocess.run(
            [*talent, "--db", str(db), "db", "migrate"],
            env=env,
            cwd=env["HOME"],
            check=True,
            capture_output=True,
        )
        began = time.perf_counter()
        build(db, args.affiliates, args.conversions, args.days)
        built_s = time.perf_counter() - began
        print(
            f"built {args.conversions:,} conversions, {args.affiliates:,} affiliates in "
            f"{built_s:.1f} s",
            file=sys.stderr,
        )
        if args.keep:
            shutil.copy(db, args.keep)
        samples: dict[str, list[float]] = {step: [] for step in STEPS}
        for run in range(args.runs):
            times = one_run(talent, db, env)
            for step in STEPS:
                samples[step].append(times[step])
            print(f"run {run + 1}: " + ", ".join(f"{k} {v:.0f} ms" for k, v in times.items()),
                  file=sys.stderr)  # fmt: skip
        figures: dict[str, object] = {
            "conversions": args.conversions,
            "affiliates": args.affiliates,
            "click_days": args.days,
            "runs": args.runs,
            "build_s": round(built_s, 1),
        }
        print(f"\n{'step':<12}{'median ms':>12}{'p95 ms':>10}{'max ms':>10}", file=sys.stderr)
        for step in STEPS:
            values = samples[step]
            figures[f"{step}_ms_median"] = round(median(values), 1)
            figures[f"{step}_ms_p95"] = round(p95(values), 1)
            figures[f"{step}_ms_samples"] = [round(v, 1) for v in values]
            print(
                f"{step:<12}{median(values):>12.0f}{p95(values):>10.0f}{max(values):>10.0f}",
                file=sys.stderr,
            )
        if args.json:
            print(json.dumps(figures, indent=2))
        return 0
    except (PtyTimeout, PtyExited, subprocess.CalledProcessError) as exc:
        print(f"benchmark failed: {exc}", file=sys.stderr)
        return 1
    finally:
        close_all()
        shutil.rmtree(tmp, ignore_errors=True)
        with contextlib.suppress(OSError):
            os.rmdir(tmp)


if __name__ == "__main__":
    raise SystemExit(main())
