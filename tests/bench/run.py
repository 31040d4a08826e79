"""Benchmark: talent at 100,000 creators. Prints one JSON object of figures, each a ratio or
a time measured within this one run (so machine speed and noise cancel in the ratios).

    python tests/bench/run.py --json          # full run (about a minute)
    python tests/bench/run.py --json --creators 20000   # quicker, smaller
    python tests/bench/run.py --json --import-rows 50000   # a smaller streamed-import file

Figures:
  import_rows_per_s, import_ratio_vs_sqlite  talent's CSV import vs raw sqlite3 executemany of
                                             the same rows into the same schema (goal >= 0.3)
  first_paint_ms_100k, first_paint_ratio     headless start to first painted main screen with
                                             N creators, and its ratio to 30 creators (<= 1.5)
  search_ms_median                           a keystroke in the roster search to the list
                                             updated, median of 20 (goal <= 50 ms)
  peak_rss_mb                                peak resident memory of an app process that opened
                                             the big roster, scrolled and searched (<= 250)
  import_1m_peak_rss_mb, import_1m_seconds   peak resident memory (and wall time) of a cold
                                             `talent import creators` child process importing a
                                             1,000,000-row CSV (--import-rows) into an empty
                                             database (goal <= 400 MB: the CSV is streamed)
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

SYLLABLES = "ka ri mo na te so lu vi an el or is ha ne ul ji woo min seo yun da ra".split()
NICHES = ["beauty", "food", "fitness", "gaming", "travel", "tech", "fashion", "music", "pets"]


def make_csv(path: Path, count: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "name",
                "tiktok_handle",
                "followers",
                "engagement_rate",
                "niche",
                "email",
                "commission_pct",
            ]
        )
        for i in range(count):
            first = "".join(rng.choice(SYLLABLES) for _ in range(2)).title()
            last = "".join(rng.choice(SYLLABLES) for _ in range(3)).title()
            handle_ = f"@{first.lower()}.{last.lower()}{i}"
            writer.writerow(
                [
                    f"{first} {last}",
                    handle_,
                    f"{rng.randint(1_000, 5_000_000):,}",
                    f"{rng.uniform(1, 15):.2f}%",
                    rng.choice(NICHES),
                    f"{first.lower()}{i}@example.com",
                    rng.choice(["10", "15", "20", "12.5"]),
                ]
            )


def time_talent_import(csv_path: Path, db_path: Path) -> float:
    from talent_tui.io import importers
    from talent_tui.store import db as dbmod

    database = dbmod.open_database(str(db_path))
    start = time.perf_counter()
    report = importers.import_file(database, "creators", csv_path)
    elapsed = time.perf_counter() - start
    assert report.new > 0
    database.dispose()
    return elapsed


def time_raw_sqlite(csv_path: Path, db_path: Path) -> float:
    """The floor: csv module + executemany into the same (migrated) schema, one transaction."""
    from talent_tui.store import db as dbmod

    dbmod.open_database(str(db_path)).dispose()  # same schema, indexes and search triggers
    start = time.perf_counter()
    connection = sqlite3.connect(db_path)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    with csv_path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        next(reader)
        now = "2026-01-01 00:00:00.000000"
        rows = [
            (
                name,
                tiktok,
                int(followers.replace(",", "")),
                float(rate.rstrip("%")) / 100,
                niche,
                email,
                round(float(commission) * 100),
                "",
                "",
                now,
                now,
            )
            for name, tiktok, followers, rate, niche, email, commission in reader
        ]
    with connection:
        connection.executemany(
            "INSERT INTO creators (name, tiktok_handle, followers, engagement_rate, niche, email,"
            " commission_bp, tags, notes, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    connection.close()
    return time.perf_counter() - start


async def first_paint_ms(db_path: Path) -> float:
    from talent_tui.app import TalentApp
    from talent_tui.store import db as dbmod
    from talent_tui.widgets.roster import RosterList

    start = time.perf_counter()
    database = dbmod.open_database(str(db_path))
    app = TalentApp(database)
    async with app.run_test(size=(80, 24)) as pilot:
        while True:
            lists = app.screen.query(RosterList)
            if lists and lists.first().total > 0 and lists.first().current is not None:
                break
            await asyncio.sleep(0.001)
        await pilot.pause()  # the frame with the roster in it
        elapsed = time.perf_counter() - start
    database.dispose()
    return elapsed * 1000


async def search_ms(db_path: Path, samples: int = 20) -> list[float]:
    """Keystroke to list updated: from the key event to the first line the list draws for the
    new result (measured inside the app, so the test driver's own waiting is not counted)."""
    from talent_tui.app import TalentApp
    from talent_tui.store import db as dbmod
    from talent_tui.widgets.roster import RosterList

    painted: list[float] = []
    original_reset, original_render = RosterList.reset, RosterList.render_line
    pending = {"armed": False}

    def reset(self, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        pending["armed"] = True
        return original_reset(self, *args, **kwargs)

    def render_line(self, y):  # noqa: ANN001, ANN202
        if pending["armed"]:
            pending["armed"] = False
            painted.append(time.perf_counter())
        return original_render(self, y)

    RosterList.reset, RosterList.render_line = reset, render_line
    database = dbmod.open_database(str(db_path))
    app = TalentApp(database)
    times = []
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            await pilot.press("slash")
            queries = ["ka", "kar", "karim", "m", "mo", "mon", "ul", "ula", "seo", "seoy"] * 2
            for text in queries[:samples]:
                search = app.screen.query_one("#search")
                search.value = text[:-1]
                await app.workers.wait_for_complete()
                await pilot.pause()
                painted.clear()
                start = time.perf_counter()
                await pilot.press(text[-1])  # the keystroke
                while not painted:
                    await asyncio.sleep(0.0005)
                times.append((painted[0] - start) * 1000)
    finally:
        RosterList.reset, RosterList.render_line = original_reset, original_render
    database.dispose()
    return times


RSS_PROBE = """
import asyncio, resource, sys
sys.path.insert(0, {root!r})
from talent_tui.store import db as dbmod
from talent_tui.app import TalentApp
async def main():
    app = TalentApp(dbmod.open_database({db!r}))
    async with app.run_test(size=(140, 40)) as pilot:
        await app.workers.wait_for_complete(); await pilot.pause()
        for key in ["pagedown"] * 30 + ["end", "home", "s", "s", "slash", "k", "a"]:
            await pilot.press(key)
            await app.workers.wait_for_complete()
        await pilot.pause()
asyncio.run(main())
# VmHWM is this process's own peak; ru_maxrss would include the parent's peak from before exec.
try:
    with open("/proc/self/status") as status:
        print(next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")))
except OSError:
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def import_peak_rss_mb(csv_path: Path, db_path: Path) -> tuple[float, float]:
    """Peak RSS (MB) and wall time (s) of `talent import creators` run cold in a child
    process. The peak is that child's own, from wait4() (what `/usr/bin/time -v` reports);
    ru_maxrss is in kilobytes on Linux."""
    import os

    code = (
        f"import sys; sys.path.insert(0, {str(ROOT)!r}); sys.argv[0] = 'talent'; "
        "from talent_tui.launch import main; main()"
    )
    command = [sys.executable, "-c", code, "--db", str(db_path), "import", "creators"]
    with tempfile.TemporaryFile() as output:
        start = time.perf_counter()
        child = subprocess.Popen([*command, str(csv_path)], stdout=output, stderr=output)
        _pid, status, usage = os.wait4(child.pid, 0)
        elapsed = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        output.seek(0)
        said = output.read().decode(errors="replace")
    if child.returncode != 0 or "Imported" not in said:
        raise SystemExit(f"talent import failed ({child.returncode}): {said}")
    return usage.ru_maxrss / 1024, elapsed


def peak_rss_mb(db_path: Path) -> float:
    code = RSS_PROBE.format(root=str(ROOT), db=str(db_path))
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    kilobytes = int(result.stdout.strip().splitlines()[-1])
    return kilobytes / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print only the JSON object")
    parser.add_argument("--creators", type=int, default=100_000)
    parser.add_argument(
        "--import-rows",
        type=int,
        default=1_000_000,
        help="rows of the CSV whose import's peak memory is measured (0: skip)",
    )
    args = parser.parse_args()
    log = (lambda *a: None) if args.json else (lambda *a: print(*a, file=sys.stderr))

    with tempfile.TemporaryDirectory(prefix="talent-bench-") as tmp:
        tmpdir = Path(tmp)
        big_csv = tmpdir / "creators.csv"
        make_csv(big_csv, args.creators)
        small_csv = tmpdir / "small.csv"
        make_csv(small_csv, 30, seed=3)

        log("raw sqlite3 import…")
        raw = time_raw_sqlite(big_csv, tmpdir / "raw.db")
        log("talent import…")
        ours = time_talent_import(big_csv, tmpdir / "big.db")
        time_talent_import(small_csv, tmpdir / "small.db")

        log("first paint…")
        asyncio.run(first_paint_ms(tmpdir / "small.db"))  # warm imports and caches once
        small_runs, big_runs = [], []
        for _ in range(5):  # interleaved, so drift on the machine hits both alike
            small_runs.append(asyncio.run(first_paint_ms(tmpdir / "small.db")))
            big_runs.append(asyncio.run(first_paint_ms(tmpdir / "big.db")))
        small_ms, big_ms = statistics.median(small_runs), statistics.median(big_runs)
        log("search…")
        searches = asyncio.run(search_ms(tmpdir / "big.db"))
        log("memory…")
        rss = peak_rss_mb(tmpdir / "big.db")

        import_rss = import_seconds = None
        if args.import_rows:
            log(f"import memory, {args.import_rows:,} rows…")
            huge_csv = tmpdir / "huge.csv"
            make_csv(huge_csv, args.import_rows, seed=11)
            import_rss, import_seconds = import_peak_rss_mb(huge_csv, tmpdir / "huge.db")

    figures = {
        "creators": args.creators,
        "import_seconds": round(ours, 3),
        "raw_sqlite_seconds": round(raw, 3),
        "import_rows_per_s": round(args.creators / ours),
        "import_ratio_vs_sqlite": round(raw / ours, 3),
        "first_paint_ms_30": round(small_ms, 1),
        "first_paint_ms_100k": round(big_ms, 1),
        "first_paint_ratio": round(big_ms / small_ms, 3),
        "search_ms_median": round(statistics.median(searches), 2),
        "search_ms_max": round(max(searches), 2),
        "peak_rss_mb": round(rss, 1),
        "import_rows": args.import_rows,
        "import_1m_peak_rss_mb": None if import_rss is None else round(import_rss, 1),
        "import_1m_seconds": None if import_seconds is None else round(import_seconds, 1),
        "goals": {
            "import_ratio_vs_sqlite": ">= 0.3",
            "first_paint_ratio": "<= 1.5",
            "search_ms_median": "<= 50",
            "peak_rss_mb": "<= 250",
            "import_1m_peak_rss_mb": "<= 400",
        },
    }
    print(json.dumps(figures, indent=None if args.json else 2))


if __name__ == "__main__":
    main()
