"""Benchmark: talent at 100,000 creators, every figure honest and measured in this one run.

    .venv/bin/python tests/bench/run.py                 # full run: table on stderr
    .venv/bin/python tests/bench/run.py --json          # + the JSON object on stdout
    .venv/bin/python tests/bench/run.py --markdown      # + the README performance table
    .venv/bin/python tests/bench/run.py --quick         # development: smaller, fewer samples

Every process whose start is timed is a new (cold) child process: `talent` is the venv's
console script (next to the Python running this file; `--talent-root` runs another checkout's
code instead). Every comparison is against a baseline measured in the same run, alternating
the two (A B B A …) so drift on a shared machine hits both alike. The table (figure, measured,
goal, pass/fail) goes to stderr; `--json` prints one JSON object on stdout, `--markdown` the
README table (figure | measured | goal) on stdout, both from the same run.

Figures
  first_paint_ms, first_paint_bare_ms, first_paint_vs_bare (goal <= 1.3)
      `talent --db BIG.db` started cold in a real pseudo-terminal (80×24, TERM=xterm-256color,
      a temporary HOME and XDG directories), timed from spawn until the first creator's name of
      the default roster view (live, ordered by name then id; read beforehand with sqlite3;
      searched as its first 8 characters in the output with escape sequences stripped) has been
      written to the terminal. The same for tests/bench/bare_app.py: a bare Textual app with
      the same kinds of widgets (Header, Input, a Line-API list of the same first page read
      with stdlib sqlite3, Static, DataTable, Footer with 15 bindings). Median and min of each;
      the figure is the ratio of medians. Then `q`, 2 s grace, SIGKILL to the process group.
  first_paint_ms_30, first_paint_scaling (goal <= 1.5)
      the same talent measurement on a 30-creator database; ratio of medians BIG / 30. The
      three runs (talent BIG, bare BIG, talent 30) rotate in each round.
  cli_help_ms, cli_help_ratio (goal <= 1.5); cli_list_ms, cli_list_ratio (goal <= 1.5)
      `talent --help` vs `min_typer.py --help`, and `talent --db BIG.db creators list --json
      --limit 20` vs `min_typer.py list --db BIG.db --json --limit 20` (tests/bench/min_typer.py:
      a minimal Typer group reading the same 20 rows with stdlib sqlite3), cold processes with
      pipes, timed spawn to exit; medians, mins, ratio of medians. Both lists must agree.
  search_ms_median (goal <= 16), search_ms_p95 (goal <= 50), search_ms_median_len1/2/3
      at BIG creators, >= 100 keystrokes (default 120), no query repeated: queries of 1, 2
      and 3-6 characters built from the generator's syllables and from substrings of real names
      and handles in the database. Measured in-process in a child process (headless
      `run_test`, 80×24): the query minus its last character is set first and its results
      drawn, then the last character is pressed; the time runs from the key press to the first
      line the roster list draws after it was reset with the new result, once the row under
      the cursor is loaded (a hook on `RosterList.reset` / `RosterList.render_line`). It
      leaves out terminal input parsing and writing the frame: see search_pty below.
  search_pty_ms_median (goal <= 16), search_pty_ms_p95
      cross-check of the above in the pty, one cold `talent --db BIG.db` for all of them:
      --pty-keystrokes queries of 3+ characters whose match count (substring of name or
      handle, counted with sqlite3) differs from the count of the query minus its last
      character. Ctrl+U and the prefix are typed and drawn first; the time runs from writing
      the last character to the roster's status line showing the new count ("N/TOTAL", drawn
      in the same frame as the new list). It includes what the in-process figure leaves out
      (terminal input parsing, the frame written to the terminal). A failure here is reported
      in the JSON (search_pty_error) instead of failing the run.
  sort_ms_median, sort_ms_p95 (goal <= 50)
      the same hook, pressing `s` (name → followers → engagement → 30-day growth → open deals)
      with the cursor moved to a creator in the middle of the list first (its details loaded);
      --sort-cycles rounds of all five keys; medians per key in the JSON.
  screen_ms_help, screen_ms_dealflow, screen_ms_metrics, screen_ms_campaign (goal <= 100)
      in the pty, on the demo database (`talent demo --no-open`: it has campaigns): a new
      process per sample, first paint, then until the output was quiet for 1.5 s, then the key
      (`?`, `g`, `m`, and for a campaign `c` – wait until quiet – then Enter), timed until a
      sentinel text of that screen, drawn with its data, appears ("talent — keys",
      "Agenda · N", "Like/comm/share", "Audience fit"). Median and max; pass means the
      max (every sample) is within the goal.
  import_ratio (goal >= 0.5), import_seconds, import_floor_seconds, import_rows_per_s
      `talent --db X import creators BIG.csv` vs tests/bench/import_floor.py (stdlib csv +
      sqlite3 executemany, FTS insert trigger dropped and the index filled once, one
      transaction), both as cold child processes timed spawn to exit, each into a fresh copy
      of one migrated empty database; alternating order; medians; ratio floor / talent.
  conversions_import_ratio (goal >= 0.5), conversions_import_seconds,
  conversions_import_floor_seconds, conversions_import_rows_per_s
      `talent --db X import conversions ORDERS.csv --program bench` vs
      tests/bench/conversions_floor.py (stdlib csv + sqlite3 executemany into `conversions`:
      affiliate, link and promo code ids from dicts, minor units, UTC text, the same keyed
      HMAC of the customer e-mail, one transaction, the same pragmas), cold child processes
      timed spawn to exit, each into a fresh copy of one migrated database holding the
      fixture (a program, 300 affiliates with a link and a promo code each: built with raw
      SQL by conversions_floor.make_fixture); --conversions orders (default 100,000) from
      conversions_floor.make_csv; alternating order; --import-samples pairs; medians; ratio
      floor / talent. Both must store the same rows (compared once, ids and times aside).
  peak_rss_mb (goal <= 250)
      peak resident memory (VmHWM) of a child process that opened the BIG roster headless,
      paged through it, sorted and searched.
  import_1m_peak_rss_mb (goal <= 400), import_1m_seconds
      peak RSS (from wait4) and wall time of a cold `talent import creators` child importing a
      --import-rows CSV (default 1,000,000) into an empty database.

PostgreSQL figures (with --pg, or named in --only; tests/bench/pg_phases.py). A throwaway
server from tests/pgserver.py (initdb in a new temporary folder, C locale, fsync off, on
127.0.0.1) is started for the run and stopped, its folder removed, when the run ends (also on a
failure); one template database migrated by `talent --db URL db migrate`.
  pg_import_ratio (goal >= 0.5), pg_import_seconds, pg_import_floor_seconds, pg_import_rows_per_s
      `talent --db URL import creators BIG.csv` vs tests/bench/pg_import_floor.py (stdlib csv +
      psycopg COPY FROM STDIN, one transaction), cold child processes timed spawn to exit,
      each into a new copy of the template (CREATE DATABASE … TEMPLATE); alternating order;
      --import-samples pairs; medians; ratio floor / talent. The first talent import is kept
      as the PostgreSQL BIG database.
  pg_first_paint_ms, pg_first_paint_sqlite_ms, pg_first_paint_vs_sqlite (goal <= 1.5)
      `talent --db URL` vs `talent --db BIG.db` cold in the pty, as first_paint_ms, alternating,
      --samples each; both stores must put the same creator first; ratio of medians.
  pg_search_ms_median (goal <= 16), pg_search_ms_p95 (goal <= 50), pg_search_sqlite_ms_*
      the in-process search probe above on the PostgreSQL database and on BIG.db (SQLite's
      figures measured again in this phase, the same --keystrokes queries, built from BIG.db).

Flags
  --quick              20,000 creators, 3 samples per pty/CLI figure, 2 per screen, 1 import
                       pair, 36 keystrokes (8 in the pty), 1 sort cycle, a 50,000-row memory
                       import (for development: fewer samples than the goals ask for)
  --creators N         creators in BIG.db (default 100,000)
  --samples N          samples of each first-paint and CLI measurement (default 7)
  --screen-samples N   samples of each screen-open latency (default 5)
  --import-samples N   talent/floor import pairs, creators and conversions (default 3)
  --keystrokes N       search keystrokes measured in-process (default 120)
  --pty-keystrokes N   search keystrokes of the pty cross-check (default 30)
  --sort-cycles N      rounds of the five sort keys (default 4)
  --import-rows N      rows of the memory-import CSV (default 1,000,000; 0 skips it)
  --conversions N      orders in the conversions-import CSV (default 100,000; 20,000 quick)
  --only LIST          comma-separated phases: import,paint,cli,search,search_pty,sort,
                       screens,rss,import_rss,conversions-import (default all of these), and
                       pg-import,pg-paint,pg-search (PostgreSQL: only when named, or --pg);
                       with only conversions-import, the creators data is not made
  --pg                 add the three PostgreSQL phases to the --only set (they need
                       PostgreSQL's initdb/pg_ctl: on PATH, /usr/lib/postgresql/*/bin or
                       $TALENT_PG_BIN; a few minutes more at 100,000 creators)
  --json               print the JSON object on stdout
  --markdown           print the README table on stdout
  --strict             exit 1 when a figure misses its goal
  --talent-root PATH   benchmark the talent_tui package in PATH (run with -c, PATH first on
                       sys.path) instead of the installed `talent` script
  --keep               keep the temporary directory (its path is printed)
  -v, --verbose        progress and each sample on stderr

A child that does not show what is expected in time (60 s for a first paint, 15 s for a
screen, 600 s for a probe) fails the benchmark with its last screen text (exit code 2); every
child is killed (process group) and reaped, and the temporary directory removed, on any exit.
An app that does not end within 2 s of `q` is killed too and listed in the JSON's
`unclean_exits`; `raw` in the JSON holds every sample.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parents[1]
sys.path.insert(0, str(BENCH))

import conversions_floor  # noqa: E402
from pg_phases import PG_PHASES, PgPhases  # noqa: E402
from pty_driver import PtyApp, PtyExited, PtyTimeout, child_env, close_all  # noqa: E402

SYLLABLES = "ka ri mo na te so lu vi an el or is ha ne ul ji woo min seo yun da ra".split()
NICHES = ["beauty", "food", "fitness", "gaming", "travel", "tech", "fashion", "music", "pets"]

PAINT_TIMEOUT = 60.0
SCREEN_TIMEOUT = 15.0
PROBE_TIMEOUT = 600.0
CLI_TIMEOUT = 120.0
IMPORT_TIMEOUT = 1800.0

SCREENS = {
    # name: (keys typed first (then wait until quiet), the key timed, sentinel regex)
    "help": ("", "?", r"talent — keys"),
    "dealflow": ("", "g", r"Agenda · (\d|nothing)"),
    "metrics": ("", "m", r"Like/comm/share"),
    "campaign": ("c", "\r", r"Audience fit"),
}


class BenchError(RuntimeError):
    """The benchmark could not measure something (a child failed or got stuck)."""


# ---- data -------------------------------------------------------------------------------


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


def first_name(db: Path) -> str:
    connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        row = connection.execute(
            "SELECT name FROM creators WHERE archived_at IS NULL ORDER BY name, id LIMIT 1"
        ).fetchone()
    finally:
        connection.close()
    if row is None:
        raise BenchError(f"{db} has no live creators")
    return row[0]


def settle(db: Path) -> None:
    """Fold the WAL into the database file, so copying or renaming the file alone is whole."""
    connection = sqlite3.connect(db)
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()
    for suffix in ("-wal", "-shm"):
        if Path(f"{db}{suffix}").exists() and Path(f"{db}{suffix}").stat().st_size:
            raise BenchError(f"{db}{suffix} is still in use after a checkpoint")


def count_creators(db: Path) -> int:
    connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return connection.execute("SELECT count(*) FROM creators").fetchone()[0]
    finally:
        connection.close()


def stored_conversions(db: Path) -> tuple[int, str]:
    """How many conversions `db` holds, and a digest of what they say (ids of the rows
    themselves and their created/updated times aside), to check two imports stored the same."""
    import hashlib

    connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    digest = hashlib.sha256()
    count = 0
    try:
        for row in connection.execute(
            "SELECT program_id, order_id, affiliate_id, link_id, promo_code_id, occurred_at,"
            " amount_minor, refund_minor, currency, status, source, customer_hash,"
            " platform_rate_bp, platform_commission_minor FROM conversions ORDER BY order_id"
        ):
            digest.update(repr(row).encode())
            count += 1
    finally:
        connection.close()
    return count, digest.hexdigest()


def name_pattern(name: str) -> str:
    """A regex for the first characters of `name` as the roster draws them: up to 8
    characters and 10 terminal cells (a wide character takes two)."""
    prefix, cells = "", 0
    for ch in name:
        width = 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        if len(prefix) == 8 or cells + width > 10:
            break
        prefix, cells = prefix + ch, cells + width
    return re.escape(prefix)


# ---- statistics -------------------------------------------------------------------------


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def p95(values: Sequence[float]) -> float:
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    return statistics.quantiles(ordered, n=20, method="inclusive")[18]


# ---- children ---------------------------------------------------------------------------

_CHILDREN: set[subprocess.Popen[bytes]] = set()


def _end(child: subprocess.Popen[bytes]) -> None:
    if child.poll() is None:  # still running: its process group is still ours
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(child.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        child.wait(timeout=10)
    _CHILDREN.discard(child)


def end_all_children() -> None:
    close_all()
    for child in list(_CHILDREN):
        _end(child)


@dataclass
class Ran:
    seconds: float
    code: int
    out: bytes
    err: bytes


def run_child(argv: Sequence[str], env: dict[str, str], timeout: float, what: str) -> Ran:
    """Run `argv` with pipes in its own process group (in $HOME, the benchmark's temporary
    one); seconds from spawn to exit."""
    start = time.perf_counter()
    child = subprocess.Popen(
        list(argv),
        cwd=env["HOME"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        start_new_session=True,
    )
    _CHILDREN.add(child)
    try:
        out, err = child.communicate(timeout=timeout)
        elapsed = time.perf_counter() - start
    except subprocess.TimeoutExpired:
        _end(child)
        raise BenchError(f"{what} did not finish within {timeout:.0f} s") from None
    finally:
        _end(child)
    return Ran(elapsed, child.returncode, out, err)


def checked(ran: Ran, what: str) -> Ran:
    if ran.code != 0:
        said = (ran.err or ran.out).decode(errors="replace").strip()[-2000:]
        raise BenchError(f"{what} exited with {ran.code}: {said}")
    return ran


class Bench:
    def __init__(self, args: argparse.Namespace, tmp: Path) -> None:
        self.args = args
        self.tmp = tmp
        self.home = tmp / "home"
        self.home.mkdir()
        self.env = child_env(str(self.home))
        if args.talent_root:
            root = str(Path(args.talent_root).resolve())
            code = (
                f"import sys; sys.path.insert(0, {root!r}); sys.argv[0] = 'talent'; "
                "from talent_tui.launch import main; main()"
            )
            self.talent = [sys.executable, "-c", code]
            self.talent_root = root
        else:
            script = Path(sys.executable).parent / "talent"
            if not script.exists():
                raise BenchError(f"no talent script next to {sys.executable}; use --talent-root")
            self.talent = [str(script)]
            self.talent_root = ""
        self.log_on = args.verbose
        self.raw: dict[str, object] = {}  # every sample, for the JSON
        self.unclean: list[str] = []  # apps that did not end on q within 2 s (killed)

    def keep(self, name: str, samples: object) -> None:
        def rounded(value: object) -> object:
            if isinstance(value, float):
                return round(value, 2)
            if isinstance(value, dict):
                return {k: rounded(v) for k, v in value.items()}
            if isinstance(value, list | tuple):
                return [rounded(v) for v in value]
            return value

        self.raw[name] = rounded(samples)

    def log(self, *parts: object) -> None:
        print(*parts, file=sys.stderr, flush=True)

    def debug(self, *parts: object) -> None:
        if self.log_on:
            print("   ", *parts, file=sys.stderr, flush=True)

    def talent_run(self, *argv: str, timeout: float = CLI_TIMEOUT) -> Ran:
        what = "talent " + " ".join(argv)
        return checked(run_child([*self.talent, *argv], self.env, timeout, what), what)

    # ---- setup --------------------------------------------------------------------------

    def prepare(self, phases: set[str]) -> None:
        args, tmp = self.args, self.tmp
        self.template = tmp / "template.db"
        self.talent_run("--db", str(self.template), "db", "migrate")
        settle(self.template)
        if not phases - {"conversions-import"}:
            return  # no phase needs the creators
        self.big_csv = tmp / "creators.csv"
        self.log(f"data: {args.creators:,} creators…")
        make_csv(self.big_csv, args.creators)
        small_csv = tmp / "small.csv"
        make_csv(small_csv, 30, seed=3)
        self.big = tmp / "big.db"
        self.small = tmp / "small.db"
        shutil.copy(self.template, self.small)
        self.talent_run("--db", str(self.small), "import", "creators", str(small_csv))
        if "import" not in phases:  # otherwise the first timed import builds it
            shutil.copy(self.template, self.big)
            self.talent_run(
                "--db",
                str(self.big),
                "import",
                "creators",
                str(self.big_csv),
                timeout=IMPORT_TIMEOUT,
            )
        if "screens" in phases:
            self.demo = tmp / "demo.db"
            self.talent_run("--db", str(self.demo), "demo", "--no-open")

    # ---- 6. import ----------------------------------------------------------------------

    def import_ratio(self) -> dict[str, float]:
        args = self.args
        talent_s: list[float] = []
        floor_s: list[float] = []
        floor = [sys.executable, str(BENCH / "import_floor.py")]
        for i in range(args.import_samples):
            order = ("talent", "floor") if i % 2 == 0 else ("floor", "talent")
            for kind in order:
                db = self.tmp / f"import-{i}-{kind}.db"
                shutil.copy(self.template, db)
                if kind == "talent":
                    ran = self.talent_run(
                        "--db",
                        str(db),
                        "import",
                        "creators",
                        str(self.big_csv),
                        timeout=IMPORT_TIMEOUT,
                    )
                    talent_s.append(ran.seconds)
                else:
                    what = "import_floor.py"
                    ran = checked(
                        run_child(
                            [*floor, str(db), str(self.big_csv)], self.env, IMPORT_TIMEOUT, what
                        ),
                        what,
                    )
                    floor_s.append(ran.seconds)
                self.debug(f"import {kind}: {ran.seconds:.2f} s")
                if count_creators(db) != args.creators:
                    raise BenchError(
                        f"{kind} import stored {count_creators(db)} creators, not {args.creators}"
                    )
                if kind == "talent" and not self.big.exists():
                    settle(db)
                    db.rename(self.big)
                    for suffix in ("-wal", "-shm"):
                        Path(f"{db}{suffix}").unlink(missing_ok=True)
                else:
                    for suffix in ("", "-wal", "-shm"):
                        Path(f"{db}{suffix}").unlink(missing_ok=True)
        self.keep("import_s", {"talent": talent_s, "floor": floor_s})
        ours, raw = median(talent_s), median(floor_s)
        return {
            "import_seconds": round(ours, 3),
            "import_floor_seconds": round(raw, 3),
            "import_rows_per_s": round(args.creators / ours),
            "import_ratio": round(raw / ours, 3),
        }

    # ---- 6b. conversions import ---------------------------------------------------------

    def conversions_import_ratio(self) -> dict[str, float]:
        args, tmp = self.args, self.tmp
        rows = args.conversions
        fixture = tmp / "conversions-template.db"
        shutil.copy(self.template, fixture)
        slug = conversions_floor.make_fixture(str(fixture))
        settle(fixture)
        orders = tmp / "orders.csv"
        self.log(f"data: {rows:,} orders…")
        conversions_floor.make_csv(str(orders), rows)
        talent_s: list[float] = []
        floor_s: list[float] = []
        floor = [sys.executable, str(BENCH / "conversions_floor.py")]
        stored: dict[str, str] = {}
        for i in range(args.import_samples):
            order = ("talent", "floor") if i % 2 == 0 else ("floor", "talent")
            for kind in order:
                db = tmp / f"conversions-{i}-{kind}.db"
                shutil.copy(fixture, db)
                if kind == "talent":
                    ran = self.talent_run(
                        "--db",
                        str(db),
                        "import",
                        "conversions",
                        str(orders),
                        "--program",
                        slug,
                        timeout=IMPORT_TIMEOUT,
                    )
                    talent_s.append(ran.seconds)
                else:
                    what = "conversions_floor.py"
                    argv = [*floor, str(db), str(orders), slug]
                    ran = checked(run_child(argv, self.env, IMPORT_TIMEOUT, what), what)
                    floor_s.append(ran.seconds)
                self.debug(f"conversions import {kind}: {ran.seconds:.2f} s")
                count, digest = stored_conversions(db)
                if count != rows:
                    raise BenchError(f"{kind} conversions import stored {count} rows, not {rows}")
                stored.setdefault(kind, digest)
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{db}{suffix}").unlink(missing_ok=True)
        if stored["talent"] != stored["floor"]:
            raise BenchError("talent and the floor stored different conversions")
        self.keep("conversions_import_s", {"talent": talent_s, "floor": floor_s})
        ours, raw = median(talent_s), median(floor_s)
        return {
            "conversions_rows": rows,
            "conversions_import_seconds": round(ours, 3),
            "conversions_import_floor_seconds": round(raw, 3),
            "conversions_import_rows_per_s": round(rows / ours),
            "conversions_import_ratio": round(raw / ours, 3),
        }

    # ---- 1. first paint -----------------------------------------------------------------

    def closed(self, app: PtyApp, what: str, keys: Sequence[str] = ("q",)) -> None:
        code = app.close(keys)
        if code != 0:
            self.unclean.append(f"{what}: exit code {code}")
            self.debug(f"{what} did not end cleanly on q (exit code {code})")

    def paint_once(self, argv: Sequence[str], pattern: str, what: str) -> float:
        app = PtyApp(argv, self.env, cwd=self.env["HOME"])
        try:
            seen = app.wait_for(pattern, PAINT_TIMEOUT)
            return (seen - app.started) * 1000
        except (PtyTimeout, PtyExited) as exc:
            raise BenchError(f"first paint: {exc}") from None
        finally:
            self.closed(app, f"first paint {what}")

    def first_paint(self) -> dict[str, float]:
        big_name, small_name = first_name(self.big), first_name(self.small)
        runs: dict[str, tuple[list[str], str]] = {
            "talent": ([*self.talent, "--db", str(self.big)], name_pattern(big_name)),
            "bare": (
                [sys.executable, str(BENCH / "bare_app.py"), str(self.big)],
                name_pattern(big_name),
            ),
            "talent_30": ([*self.talent, "--db", str(self.small)], name_pattern(small_name)),
        }
        times: dict[str, list[float]] = {kind: [] for kind in runs}
        kinds = list(runs)
        for round_ in range(self.args.samples):
            shift = round_ % len(kinds)
            for kind in kinds[shift:] + kinds[:shift]:
                argv, pattern = runs[kind]
                ms = self.paint_once(argv, pattern, kind)
                times[kind].append(ms)
                self.debug(f"paint {kind}: {ms:.0f} ms")
        self.keep("first_paint_ms", times)
        t, b, s = (times[k] for k in kinds)
        return {
            "first_paint_ms": round(median(t), 1),
            "first_paint_ms_min": round(min(t), 1),
            "first_paint_bare_ms": round(median(b), 1),
            "first_paint_bare_ms_min": round(min(b), 1),
            "first_paint_vs_bare": round(median(t) / median(b), 3),
            "first_paint_ms_30": round(median(s), 1),
            "first_paint_ms_30_min": round(min(s), 1),
            "first_paint_scaling": round(median(t) / median(s), 3),
        }

    # ---- 2. command line ----------------------------------------------------------------

    def cli(self) -> dict[str, float]:
        mini = [sys.executable, str(BENCH / "min_typer.py")]
        big = str(self.big)
        runs = {
            "help": [*self.talent, "--help"],
            "help_min": [*mini, "--help"],
            "list": [*self.talent, "--db", big, "creators", "list", "--json", "--limit", "20"],
            "list_min": [*mini, "list", "--db", big, "--json", "--limit", "20"],
        }
        times: dict[str, list[float]] = {kind: [] for kind in runs}
        outputs: dict[str, bytes] = {}
        kinds = list(runs)
        for round_ in range(self.args.samples):
            for kind in kinds if round_ % 2 == 0 else kinds[::-1]:
                ran = checked(run_child(runs[kind], self.env, CLI_TIMEOUT, kind), kind)
                times[kind].append(ran.seconds * 1000)
                outputs[kind] = ran.out
                self.debug(f"cli {kind}: {ran.seconds * 1000:.0f} ms")
        self.keep("cli_ms", times)
        ours = [row["name"] for row in json.loads(outputs["list"])]
        theirs = [row["name"] for row in json.loads(outputs["list_min"])]
        if ours != theirs or len(ours) != 20:
            raise BenchError(f"talent and min_typer list different creators: {ours} / {theirs}")
        result: dict[str, float] = {}
        for name in ("help", "list"):
            t, m = times[name], times[f"{name}_min"]
            result[f"cli_{name}_ms"] = round(median(t), 1)
            result[f"cli_{name}_ms_min"] = round(min(t), 1)
            result[f"cli_{name}_min_typer_ms"] = round(median(m), 1)
            result[f"cli_{name}_min_typer_ms_min"] = round(min(m), 1)
            result[f"cli_{name}_ratio"] = round(median(t) / median(m), 3)
        return result

    # ---- 3, 4. search and sort (in-process, in a child) ---------------------------------

    def probe(
        self, kind: str, count: int, db: str | None = None, queries_db: str | None = None
    ) -> list[list]:
        """Run an in-process probe in a child, on BIG.db or on `db` (a PostgreSQL URL: then
        the search queries are built from `queries_db`, a SQLite file of the same data)."""
        argv = [
            sys.executable,
            str(Path(__file__).resolve()),
            "--probe",
            kind,
            "--probe-db",
            db or str(self.big),
            "--probe-count",
            str(count),
        ]
        if queries_db:
            argv += ["--probe-queries-db", queries_db]
        if self.talent_root:
            argv += ["--talent-root", self.talent_root]
        ran = checked(run_child(argv, self.env, PROBE_TIMEOUT, f"{kind} probe"), f"{kind} probe")
        return json.loads(ran.out.decode().strip().splitlines()[-1])

    def search(self) -> dict[str, float]:
        samples = self.probe("search", self.args.keystrokes)
        self.keep("search_ms", samples)
        times = [ms for _query, ms in samples]
        by_len: dict[str, list[float]] = {"1": [], "2": [], "3": []}
        for query, ms in samples:
            by_len[str(min(len(query), 3))].append(ms)
        self.debug("search:", ", ".join(f"{q!r} {ms:.1f}" for q, ms in samples))
        result = {
            "search_keystrokes": len(times),
            "search_ms_median": round(median(times), 2),
            "search_ms_p95": round(p95(times), 2),
            "search_ms_max": round(max(times), 2),
        }
        for length, values in by_len.items():
            suffix = f"len{length}" if length != "3" else "len3plus"
            result[f"search_ms_median_{suffix}"] = round(median(values), 2) if values else None
            result[f"search_keystrokes_{suffix}"] = len(values)
        return result

    def search_pty(self) -> dict[str, object]:
        """Cross-check of the in-process search figure in the pty: 3+-character queries
        (substring matches, the documented FTS semantics) whose match count differs from the
        count of the query minus its last character; timed from writing the last character
        to the roster's status line showing the new count ("1,234/100,000 · by name", drawn in
        the same frame as the new list; the text typed before it is drawn first: its own count
        or, within 5 s, quiet). Not fatal: a mismatch is reported in the JSON."""
        connection = sqlite3.connect(f"file:{self.big}?mode=ro", uri=True)

        def count(text: str) -> int:
            where = (
                "name LIKE ? OR tiktok_handle LIKE ?",
                (f"%{text}%", f"%{text}%"),
            )
            if len(text) < 3:
                where = ("name LIKE ? OR tiktok_handle LIKE ?", (f"{text}%", f"@{text}%"))
            sql = f"SELECT count(*) FROM creators WHERE archived_at IS NULL AND ({where[0]})"
            return connection.execute(sql, where[1]).fetchone()[0]

        try:
            total = count("")
            picked: list[tuple[str, int, int]] = []
            for query in search_queries(self.big, 600, seed=9):
                if len(query) < 3 or " " in query or not query[0].isalnum():
                    continue
                before, after = count(query[:-1]), count(query)
                if before != after:
                    picked.append((query, before, after))
                if len(picked) == self.args.pty_keystrokes:
                    break
        finally:
            connection.close()

        def status(n: int) -> str:  # "1,234/100,000 · by name" (it may wrap after the count)
            return r"(?<![\d,])" + re.escape(f"{n:,}/{total:,}") + r"(?![\d,])"

        times: list[tuple[str, float]] = []
        app = PtyApp([*self.talent, "--db", str(self.big)], self.env, cwd=self.env["HOME"])
        try:
            app.wait_for(name_pattern(first_name(self.big)), PAINT_TIMEOUT)
            app.wait_idle(1.0, 10.0)
            app.send("/")
            app.wait_idle(0.3, 5.0)
            for query, before, after in picked:
                self.debug(f"search in pty: {query!r}, {before} then {after} matches")
                app.mark()
                app.send("\x15" + query[:-1])  # Ctrl+U clears the box, then the prefix
                with contextlib.suppress(PtyTimeout):
                    app.wait_for(status(before), 5.0)
                app.wait_idle(0.2, 5.0)
                app.mark()
                sent = app.send(query[-1])
                seen = app.wait_for(status(after), SCREEN_TIMEOUT)
                times.append((query, (seen - sent) * 1000))
                self.debug(f"search in pty {query!r}: {times[-1][1]:.1f} ms")
        except (PtyTimeout, PtyExited) as exc:
            self.log(f"search in the pty failed (figure left out): {exc}")
            return {"search_pty_error": str(exc)}
        finally:
            self.closed(app, "search in pty", ("\x1b", "q"))
        self.keep("search_pty_ms", times)
        values = [ms for _q, ms in times]
        return {
            "search_pty_keystrokes": len(values),
            "search_pty_ms_median": round(median(values), 2),
            "search_pty_ms_p95": round(p95(values), 2),
        }

    def sort(self) -> dict[str, object]:
        samples = self.probe("sort", self.args.sort_cycles)
        self.keep("sort_ms", samples)
        times = [ms for _key, ms in samples]
        per_key: dict[str, list[float]] = {}
        for key, ms in samples:
            per_key.setdefault(key, []).append(ms)
        self.debug("sort:", ", ".join(f"{k} {ms:.1f}" for k, ms in samples))
        return {
            "sort_samples": len(times),
            "sort_ms_median": round(median(times), 2),
            "sort_ms_p95": round(p95(times), 2),
            "sort_ms_max": round(max(times), 2),
            "sort_ms_median_by_key": {k: round(median(v), 2) for k, v in per_key.items()},
        }

    # ---- 5. screens ---------------------------------------------------------------------

    def screen_once(self, name: str, paint: str, pending_index: int) -> float:
        prepare, key, sentinel = SCREENS[name]
        if name == "campaign":  # down to a creator with a pending campaign, then c
            prepare = "j" * pending_index + prepare
        app = PtyApp([*self.talent, "--db", str(self.demo)], self.env, cwd=self.env["HOME"])
        try:
            app.wait_for(paint, PAINT_TIMEOUT)
            app.wait_idle(1.5, 10.0)
            if prepare:
                app.send(prepare)
                app.wait_idle(0.5, 5.0)
            app.mark()
            sent = app.send(key)
            seen = app.wait_for(sentinel, SCREEN_TIMEOUT)
            # Back to the main screen, where q quits: Escape, then until the screen is quiet
            # (an app still on the screen after 2 s is killed and listed in unclean_exits).
            app.send("\x1b")
            with contextlib.suppress(PtyExited):
                app.wait_idle(0.5, 5.0)
            return (seen - sent) * 1000
        except (PtyTimeout, PtyExited) as exc:
            raise BenchError(f"screen {name}: {exc}") from None
        finally:
            self.closed(app, f"screen {name}")

    def screens(self) -> dict[str, float]:
        paint = name_pattern(first_name(self.demo))
        connection = sqlite3.connect(f"file:{self.demo}?mode=ro", uri=True)
        try:
            ids = [
                row[0]
                for row in connection.execute(
                    "SELECT id FROM creators WHERE archived_at IS NULL ORDER BY name, id"
                )
            ]
            pending = {
                row[0]
                for row in connection.execute(
                    "SELECT creator_id FROM campaigns WHERE status IN"
                    " ('offer_received', 'reviewing', 'negotiating')"
                )
            }
        finally:
            connection.close()
        pending_index = next((i for i, cid in enumerate(ids) if cid in pending), None)
        if pending_index is None:
            raise BenchError("the demo database has no pending campaign to open")
        times: dict[str, list[float]] = {name: [] for name in SCREENS}
        for round_ in range(self.args.screen_samples):
            names = list(SCREENS) if round_ % 2 == 0 else list(SCREENS)[::-1]
            for name in names:
                ms = self.screen_once(name, paint, pending_index)
                times[name].append(ms)
                self.debug(f"screen {name}: {ms:.0f} ms")
        self.keep("screen_ms", times)
        result: dict[str, float] = {}
        for name, values in times.items():
            result[f"screen_ms_{name}"] = round(median(values), 1)
            result[f"screen_ms_{name}_max"] = round(max(values), 1)
        return result

    # ---- memory -------------------------------------------------------------------------

    def peak_rss(self) -> dict[str, float]:
        code = RSS_PROBE.format(root=self.talent_root or str(ROOT), db=str(self.big))
        ran = checked(
            run_child([sys.executable, "-c", code], self.env, PROBE_TIMEOUT, "memory probe"),
            "memory probe",
        )
        kilobytes = int(ran.out.decode().strip().splitlines()[-1])
        return {"peak_rss_mb": round(kilobytes / 1024, 1)}

    def import_rss(self) -> dict[str, float]:
        rows = self.args.import_rows
        huge_csv = self.tmp / "huge.csv"
        make_csv(huge_csv, rows, seed=11)
        db = self.tmp / "huge.db"
        argv = [*self.talent, "--db", str(db), "import", "creators", str(huge_csv)]
        with tempfile.TemporaryFile(dir=self.tmp) as output:
            start = time.perf_counter()
            child = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=output,
                env=self.env,
                cwd=self.env["HOME"],
                start_new_session=True,
            )
            _CHILDREN.add(child)
            try:
                deadline = start + IMPORT_TIMEOUT
                while True:
                    pid, status, usage = os.wait4(child.pid, os.WNOHANG)
                    if pid:
                        break
                    if time.perf_counter() > deadline:
                        raise BenchError(
                            f"talent import of {rows:,} rows did not finish "
                            f"within {IMPORT_TIMEOUT:.0f} s"
                        )
                    time.sleep(0.05)
                elapsed = time.perf_counter() - start
                child.returncode = os.waitstatus_to_exitcode(status)
            finally:
                _end(child)
            output.seek(0)
            said = output.read().decode(errors="replace")
        if child.returncode != 0 or "Imported" not in said:
            raise BenchError(f"talent import failed ({child.returncode}): {said[-2000:]}")
        for path in (huge_csv, db):
            path.unlink(missing_ok=True)
        return {
            "import_rows": rows,
            "import_1m_peak_rss_mb": round(usage.ru_maxrss / 1024, 1),  # ru_maxrss: KB on Linux
            "import_1m_seconds": round(elapsed, 1),
        }


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


# ---- in-process probes (run in a child: `run.py --probe search|sort`) -------------------

WAIT = 10.0  # seconds any one wait inside a probe may take
QUERY_CHARS = re.compile(r"[a-z0-9.]([a-z0-9. ]*[a-z0-9.])?")  # keys the pilot can press


def search_queries(db: Path, total: int, seed: int = 5) -> list[str]:
    """`total` distinct queries: about 1/6 of one character, 1/3 of two, the rest three or
    more; from the generator's syllables and from substrings of real names and handles."""
    rng = random.Random(seed)
    connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        everyone = connection.execute(
            "SELECT name, tiktok_handle FROM creators WHERE archived_at IS NULL ORDER BY id"
        ).fetchall()
        texts = [
            text
            for name, handle in rng.sample(everyone, min(400, len(everyone)))
            for text in (name.lower(), handle.lower().lstrip("@"))
        ]
    finally:
        connection.close()
    want1 = max(1, total // 6)
    want2 = max(1, total // 3)
    ones = sorted({ch for syl in SYLLABLES for ch in syl})
    rng.shuffle(ones)
    twos = [s for s in SYLLABLES if len(s) == 2]
    rng.shuffle(twos)
    threes = [a + b for a in SYLLABLES for b in SYLLABLES if a != b]
    rng.shuffle(threes)

    def substring(length: int) -> str:
        text = rng.choice(texts)
        if len(text) <= length:
            return text
        start = rng.randrange(len(text) - length + 1)
        return text[start : start + length]

    chosen: list[str] = []
    seen: set[str] = set()

    def take(candidates: list[str], want: int, shortest: int, longest: int) -> None:
        pool = iter(candidates)
        got = tries = 0
        while got < want and tries < 20_000:
            tries += 1
            query = next(pool, None) if tries % 2 == 0 else None
            if query is None:
                query = substring(rng.randint(shortest, longest))
            if (
                query in seen
                or not shortest <= len(query) <= longest
                or not QUERY_CHARS.fullmatch(query)
            ):
                continue
            seen.add(query)
            chosen.append(query)
            got += 1

    take(ones, want1, 1, 1)
    take(twos, want2, 2, 2)
    take(threes, total - len(chosen), 3, 6)
    rng.shuffle(chosen)
    return chosen


def _install_paint_hook():  # noqa: ANN202
    """Record the time the roster list has drawn its first line after each reset(), once the
    row under the cursor is loaded (a placeholder drawn while a page loads does not count)."""
    from talent_tui.widgets.roster import RosterList

    painted: list[float] = []
    armed = {"on": False}
    original_reset, original_render = RosterList.reset, RosterList.render_line

    def reset(self, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        armed["on"] = True
        return original_reset(self, *args, **kwargs)

    def render_line(self, y):  # noqa: ANN001, ANN202
        strip = original_render(self, y)
        # Counted once the row under the cursor is there to draw (not a "…" placeholder).
        if armed["on"] and (self.total == 0 or self.current is not None):
            armed["on"] = False
            painted.append(time.perf_counter())
        return strip

    RosterList.reset, RosterList.render_line = reset, render_line
    return painted


async def _until(condition: Callable[[], bool], what: str, pilot) -> None:  # noqa: ANN001
    deadline = time.perf_counter() + WAIT
    while not condition():
        if time.perf_counter() > deadline:
            raise BenchError(f"timed out waiting for {what}")
        await asyncio.sleep(0.0005)


async def _settle(app, pilot) -> None:  # noqa: ANN001
    """Wait until every worker is done. A search worker superseded by a newer one (exclusive
    workers: slower reads, as on PostgreSQL, make this likely) ends cancelled; then wait for
    the ones left."""
    from textual.worker import WorkerCancelled

    deadline = time.perf_counter() + WAIT
    while True:
        try:
            await asyncio.wait_for(app.workers.wait_for_complete(), WAIT)
            break
        except WorkerCancelled:
            if time.perf_counter() > deadline:
                raise BenchError("the app's workers did not settle") from None
    await asyncio.wait_for(pilot.pause(), WAIT)


async def probe_search(
    db: str, count: int, queries_db: str | None = None
) -> list[tuple[str, float]]:
    from talent_tui.app import TalentApp
    from talent_tui.store import db as dbmod

    queries = search_queries(Path(queries_db or db), count)
    painted = _install_paint_hook()
    database = dbmod.open_database(str(db))
    app = TalentApp(database)
    samples: list[tuple[str, float]] = []
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await _settle(app, pilot)
            await pilot.press("slash")
            search = app.screen.query_one("#search")
            for query in queries:
                search.value = query[:-1]
                search.cursor_position = len(search.value)
                await _settle(app, pilot)
                painted.clear()
                start = time.perf_counter()
                await asyncio.wait_for(pilot.press(query[-1]), WAIT)  # the keystroke
                await _until(lambda: bool(painted), f"the result of {query!r}", pilot)
                samples.append((query, (painted[0] - start) * 1000))
                if search.value != query:
                    raise BenchError(f"search box holds {search.value!r}, not {query!r}")
    finally:
        database.dispose()
    return samples


async def probe_sort(db: str, cycles: int) -> list[tuple[str, float]]:
    from talent_tui.app import TalentApp
    from talent_tui.store import db as dbmod

    painted = _install_paint_hook()
    database = dbmod.open_database(str(db))
    app = TalentApp(database)
    samples: list[tuple[str, float]] = []
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await _settle(app, pilot)
            screen = app.screen
            roster_list = screen.roster_list
            for i in range(cycles * 5):
                roster_list.cursor = roster_list.total // 2 + 7 * i  # a creator mid-list

                def ready() -> bool:
                    row = roster_list.current
                    return row is not None and screen.creator_id == row.id

                await _until(ready, "the creator mid-list", pilot)
                await _settle(app, pilot)
                before = roster_list.sort
                painted.clear()
                start = time.perf_counter()
                await asyncio.wait_for(pilot.press("s"), WAIT)
                await _until(lambda: bool(painted), "the list in its new order", pilot)
                elapsed = (painted[0] - start) * 1000
                if roster_list.sort == before:
                    raise BenchError(f"s did not change the sort (still {before})")
                samples.append((str(roster_list.sort), elapsed))
    finally:
        database.dispose()
    return samples


def run_probe(args: argparse.Namespace) -> None:
    if args.talent_root:
        sys.path.insert(0, str(Path(args.talent_root).resolve()))
    else:
        sys.path.insert(0, str(ROOT))
    db = args.probe_db  # a path or a PostgreSQL URL (a Path would fold its "//")
    if args.probe == "search":
        result = asyncio.run(probe_search(db, args.probe_count, args.probe_queries_db))
    else:
        result = asyncio.run(probe_sort(db, args.probe_count))
    print(json.dumps(result))


# ---- report -----------------------------------------------------------------------------


@dataclass
class Row:
    label: str
    key: str
    measured: Callable[[dict], str]
    goal: str
    passed: Callable[[dict], bool] | None
    needs: tuple[str, ...]


def _ms(value: float) -> str:
    return f"{value:,.0f} ms" if value >= 100 else f"{value:.1f} ms"


ROWS = [
    Row(
        "First paint, 100k vs bare Textual app (ratio of medians)",
        "first_paint_vs_bare",
        lambda f: (
            f"{f['first_paint_vs_bare']:.2f} ({_ms(f['first_paint_ms'])} vs "
            f"{_ms(f['first_paint_bare_ms'])}; min {_ms(f['first_paint_ms_min'])} vs "
            f"{_ms(f['first_paint_bare_ms_min'])})"
        ),
        "≤ 1.3",
        lambda f: f["first_paint_vs_bare"] <= 1.3,
        ("first_paint_vs_bare",),
    ),
    Row(
        "First paint, 100k vs 30 creators",
        "first_paint_scaling",
        lambda f: (
            f"{f['first_paint_scaling']:.2f} ({_ms(f['first_paint_ms'])} vs "
            f"{_ms(f['first_paint_ms_30'])})"
        ),
        "≤ 1.5",
        lambda f: f["first_paint_scaling"] <= 1.5,
        ("first_paint_scaling",),
    ),
    Row(
        "`talent --help` vs minimal Typer app",
        "cli_help_ratio",
        lambda f: (
            f"{f['cli_help_ratio']:.2f} ({_ms(f['cli_help_ms'])} vs "
            f"{_ms(f['cli_help_min_typer_ms'])})"
        ),
        "≤ 1.5",
        lambda f: f["cli_help_ratio"] <= 1.5,
        ("cli_help_ratio",),
    ),
    Row(
        "`creators list --json --limit 20` vs minimal Typer app",
        "cli_list_ratio",
        lambda f: (
            f"{f['cli_list_ratio']:.2f} ({_ms(f['cli_list_ms'])} vs "
            f"{_ms(f['cli_list_min_typer_ms'])})"
        ),
        "≤ 1.5",
        lambda f: f["cli_list_ratio"] <= 1.5,
        ("cli_list_ratio",),
    ),
    Row(
        "Search keystroke, median",
        "search_ms_median",
        lambda f: (
            f"{_ms(f['search_ms_median'])} ({f['search_keystrokes']} keys; 1/2/3+ chars "
            f"{f['search_ms_median_len1']:.1f}/{f['search_ms_median_len2']:.1f}/"
            f"{f['search_ms_median_len3plus']:.1f} ms)"
        ),
        "≤ 16 ms",
        lambda f: f["search_ms_median"] <= 16,
        ("search_ms_median",),
    ),
    Row(
        "Search keystroke, p95",
        "search_ms_p95",
        lambda f: f"{_ms(f['search_ms_p95'])} (max {_ms(f['search_ms_max'])})",
        "≤ 50 ms",
        lambda f: f["search_ms_p95"] <= 50,
        ("search_ms_p95",),
    ),
    Row(
        "Search keystroke in a pty (cross-check, 3+ chars), median",
        "search_pty_ms_median",
        lambda f: (
            f"{_ms(f['search_pty_ms_median'])} ({f['search_pty_keystrokes']} keys; "
            f"p95 {_ms(f['search_pty_ms_p95'])})"
        ),
        "≤ 16 ms",
        lambda f: f["search_pty_ms_median"] <= 16,
        ("search_pty_ms_median",),
    ),
    Row(
        "Sort change (s), median",
        "sort_ms_median",
        lambda f: f"{_ms(f['sort_ms_median'])} ({f['sort_samples']} samples)",
        "≤ 50 ms",
        lambda f: f["sort_ms_median"] <= 50,
        ("sort_ms_median",),
    ),
    Row(
        "Sort change (s), p95",
        "sort_ms_p95",
        lambda f: f"{_ms(f['sort_ms_p95'])} (max {_ms(f['sort_ms_max'])})",
        "≤ 50 ms",
        lambda f: f["sort_ms_p95"] <= 50,
        ("sort_ms_p95",),
    ),
    *[
        Row(
            f"Open {title}, median (max)",
            f"screen_ms_{name}",
            lambda f, n=name: f"{_ms(f[f'screen_ms_{n}'])} ({_ms(f[f'screen_ms_{n}_max'])})",
            "≤ 100 ms",
            lambda f, n=name: f[f"screen_ms_{n}_max"] <= 100,
            (f"screen_ms_{name}",),
        )
        for name, title in [
            ("help", "help (?)"),
            ("dealflow", "deal flow (g)"),
            ("metrics", "metrics (m)"),
            ("campaign", "a campaign (Enter)"),
        ]
    ],
    Row(
        "Import 100k-row CSV, raw-sqlite3 floor / talent",
        "import_ratio",
        lambda f: (
            f"{f['import_ratio']:.2f} ({f['import_seconds']:.1f} s vs floor "
            f"{f['import_floor_seconds']:.1f} s; {f['import_rows_per_s']:,} rows/s)"
        ),
        "≥ 0.5",
        lambda f: f["import_ratio"] >= 0.5,
        ("import_ratio",),
    ),
    Row(
        "Import 100k-order conversions CSV, raw-sqlite3 floor / talent",
        "conversions_import_ratio",
        lambda f: (
            f"{f['conversions_import_ratio']:.2f} ({f['conversions_import_seconds']:.1f} s vs "
            f"floor {f['conversions_import_floor_seconds']:.1f} s; "
            f"{f['conversions_import_rows_per_s']:,} rows/s)"
        ),
        "≥ 0.5",
        lambda f: f["conversions_import_ratio"] >= 0.5,
        ("conversions_import_ratio",),
    ),
    Row(
        "PostgreSQL: import 100k-row CSV, psycopg-COPY floor / talent",
        "pg_import_ratio",
        lambda f: (
            f"{f['pg_import_ratio']:.2f} ({f['pg_import_seconds']:.1f} s vs floor "
            f"{f['pg_import_floor_seconds']:.1f} s; {f['pg_import_rows_per_s']:,} rows/s)"
        ),
        "≥ 0.5",
        lambda f: f["pg_import_ratio"] >= 0.5,
        ("pg_import_ratio",),
    ),
    Row(
        "PostgreSQL: first paint, 100k, vs SQLite (ratio of medians)",
        "pg_first_paint_vs_sqlite",
        lambda f: (
            f"{f['pg_first_paint_vs_sqlite']:.2f} ({_ms(f['pg_first_paint_ms'])} vs "
            f"{_ms(f['pg_first_paint_sqlite_ms'])}; min {_ms(f['pg_first_paint_ms_min'])})"
        ),
        "≤ 1.5",
        lambda f: f["pg_first_paint_vs_sqlite"] <= 1.5,
        ("pg_first_paint_vs_sqlite",),
    ),
    Row(
        "PostgreSQL: search keystroke, median",
        "pg_search_ms_median",
        lambda f: (
            f"{_ms(f['pg_search_ms_median'])} ({f['pg_search_keystrokes']} keys; SQLite "
            f"{_ms(f['pg_search_sqlite_ms_median'])})"
        ),
        "≤ 16 ms",
        lambda f: f["pg_search_ms_median"] <= 16,
        ("pg_search_ms_median",),
    ),
    Row(
        "PostgreSQL: search keystroke, p95",
        "pg_search_ms_p95",
        lambda f: (
            f"{_ms(f['pg_search_ms_p95'])} (max {_ms(f['pg_search_ms_max'])}; SQLite "
            f"{_ms(f['pg_search_sqlite_ms_p95'])})"
        ),
        "≤ 50 ms",
        lambda f: f["pg_search_ms_p95"] <= 50,
        ("pg_search_ms_p95",),
    ),
    Row(
        "Peak memory, app on the 100k roster",
        "peak_rss_mb",
        lambda f: f"{f['peak_rss_mb']:.0f} MB",
        "≤ 250 MB",
        lambda f: f["peak_rss_mb"] <= 250,
        ("peak_rss_mb",),
    ),
    Row(
        "Peak memory, importing a 1M-row CSV",
        "import_1m_peak_rss_mb",
        lambda f: (
            f"{f['import_1m_peak_rss_mb']:.0f} MB ({f['import_rows']:,} rows, "
            f"{f['import_1m_seconds']:.0f} s)"
        ),
        "≤ 400 MB",
        lambda f: f["import_1m_peak_rss_mb"] <= 400,
        ("import_1m_peak_rss_mb",),
    ),
]


def report(figures: dict) -> list[tuple[str, str, str, bool | None]]:
    lines = []
    for row in ROWS:
        if not all(figures.get(key) is not None for key in row.needs):
            continue
        # "100k" is the creators' count, or the orders' in the conversions-import row.
        count = figures.get("conversions_rows", 100_000) if "conversions" in row.key else None
        count = figures["creators"] if count is None else count
        label = row.label.replace("100k", f"{count // 1000}k") if count != 100_000 else row.label
        if row.key == "import_1m_peak_rss_mb" and figures.get("import_rows") != 1_000_000:
            label = label.replace("1M", f"{figures['import_rows']:,}")
        lines.append(
            (label, row.measured(figures), row.goal, row.passed(figures) if row.passed else None)
        )
    return lines


def print_table(lines: list[tuple[str, str, str, bool | None]]) -> None:
    if not lines:
        return
    widths = [max(len(line[i]) for line in lines) for i in range(3)]
    out = sys.stderr
    print(file=out)
    for label, measured, goal, passed in lines:
        verdict = "pass" if passed else "FAIL"
        print(
            f"{label:<{widths[0]}}  {measured:<{widths[1]}}  {goal:<{widths[2]}}  {verdict}",
            file=out,
        )


def markdown(lines: list[tuple[str, str, str, bool | None]]) -> str:
    rows = ["| Figure | Measured | Goal |", "|---|---|---|"]
    rows += [f"| {label} | {measured} | {goal} |" for label, measured, goal, _ in lines]
    return "\n".join(rows)


# ---- main -------------------------------------------------------------------------------

PHASES = [
    "import",
    "paint",
    "cli",
    "search",
    "search_pty",
    "sort",
    "screens",
    "rss",
    "import_rss",
    "conversions-import",
]


def parse(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=(__doc__ or "").splitlines()[0],
        epilog="See the module docstring for what each figure measures.",
    )
    parser.add_argument("--json", action="store_true", help="print the JSON object on stdout")
    parser.add_argument("--markdown", action="store_true", help="print the README table")
    parser.add_argument("--quick", action="store_true", help="smaller data, fewer samples")
    parser.add_argument("--creators", type=int)
    parser.add_argument("--samples", type=int, help="per first-paint / CLI measurement")
    parser.add_argument("--screen-samples", type=int)
    parser.add_argument("--import-samples", type=int)
    parser.add_argument("--keystrokes", type=int)
    parser.add_argument("--pty-keystrokes", type=int)
    parser.add_argument("--sort-cycles", type=int)
    parser.add_argument("--import-rows", type=int)
    parser.add_argument("--conversions", type=int, help="orders in the conversions import")
    parser.add_argument("--only", default=",".join(PHASES))
    parser.add_argument("--strict", action="store_true", help="exit 1 when a goal is missed")
    parser.add_argument("--talent-root")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument("-v", "--verbose", action="store_true")
    parser.add_argument("--probe", choices=["search", "sort"], help=argparse.SUPPRESS)
    parser.add_argument("--probe-db", help=argparse.SUPPRESS)
    parser.add_argument("--probe-count", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--probe-queries-db", help=argparse.SUPPRESS)
    parser.add_argument(
        "--pg", action="store_true", help="also the PostgreSQL phases (" + ",".join(PG_PHASES) + ")"
    )
    args = parser.parse_args(argv)
    quick = args.quick
    defaults = {
        "creators": 20_000 if quick else 100_000,
        "samples": 3 if quick else 7,
        "screen_samples": 2 if quick else 5,
        "import_samples": 1 if quick else 3,
        "keystrokes": 36 if quick else 120,
        "pty_keystrokes": 8 if quick else 30,
        "sort_cycles": 1 if quick else 4,
        "import_rows": 50_000 if quick else 1_000_000,
        "conversions": 20_000 if quick else 100_000,
    }
    for key, value in defaults.items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    unknown = set(args.only.split(",")) - set(PHASES) - set(PG_PHASES)
    if unknown:
        parser.error(f"--only: unknown phase(s) {', '.join(sorted(unknown))}")
    args.phases = set(args.only.split(",")) | (set(PG_PHASES) if args.pg else set())
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse(argv)
    if args.probe:
        run_probe(args)
        return 0
    phases = set(args.phases)
    if args.import_rows == 0:
        phases.discard("import_rss")

    def on_term(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGHUP, on_term)
    figures: dict = {"creators": args.creators}
    tmp = Path(tempfile.mkdtemp(prefix="talent-bench-"))
    started = time.perf_counter()
    pg: PgPhases | None = None
    try:
        bench = Bench(args, tmp)
        bench.prepare(phases)
        pg = PgPhases(bench, sys.modules[__name__])
        if phases & set(PG_PHASES):
            bench.log("PostgreSQL: a throwaway server…")
            pg.start()
        steps: list[tuple[str, str, Callable[[], dict]]] = [
            ("import", f"import ratio, {args.import_samples}× talent / floor…", bench.import_ratio),
            (
                "paint",
                f"first paint in a pty, {args.samples}× talent / bare / talent-30…",
                bench.first_paint,
            ),
            ("cli", f"command line vs minimal Typer, {args.samples}× each…", bench.cli),
            ("search", f"search, {args.keystrokes} keystrokes…", bench.search),
            (
                "search_pty",
                f"search in a pty (cross-check), {args.pty_keystrokes} keystrokes…",
                bench.search_pty,
            ),
            ("sort", f"sort, {args.sort_cycles * 5} key presses…", bench.sort),
            ("screens", f"screens in a pty, {args.screen_samples}× each…", bench.screens),
            ("rss", "app peak memory…", bench.peak_rss),
            ("import_rss", f"import peak memory, {args.import_rows:,} rows…", bench.import_rss),
            (
                "conversions-import",
                f"conversions import ratio, {args.import_samples}× talent / floor…",
                bench.conversions_import_ratio,
            ),
            (
                "pg-import",
                f"PostgreSQL import ratio, {args.import_samples}× talent / COPY floor…",
                pg.import_ratio,
            ),
            (
                "pg-paint",
                f"PostgreSQL first paint in a pty, {args.samples}× PostgreSQL / SQLite…",
                pg.first_paint,
            ),
            (
                "pg-search",
                f"PostgreSQL search, {args.keystrokes} keystrokes (and SQLite's)…",
                pg.search,
            ),
        ]
        for phase, message, step in steps:
            if phase in phases:
                bench.log(message)
                figures.update(step())
    except BenchError as exc:
        print(f"\nbenchmark failed: {exc}", file=sys.stderr)
        return 2
    finally:
        end_all_children()
        if pg is not None:
            pg.stop()
        if args.keep:
            print(f"kept {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    lines = report(figures)
    figures["samples"] = {
        "first_paint_and_cli": args.samples,
        "screens": args.screen_samples,
        "import_pairs": args.import_samples,
    }
    figures["goals"] = {row.key: row.goal for row in ROWS if figures.get(row.key) is not None}
    figures["passed"] = {
        row.key: row.passed(figures)
        for row in ROWS
        if row.passed and all(figures.get(k) is not None for k in row.needs)
    }
    figures["all_passed"] = all(figures["passed"].values())
    figures["unclean_exits"] = bench.unclean
    figures["raw"] = bench.raw
    figures["bench_seconds"] = round(time.perf_counter() - started, 1)
    print_table(lines)
    if args.json:
        print(json.dumps(figures, ensure_ascii=False))
    if args.markdown:
        print(markdown(lines))
    return 1 if args.strict and not figures["all_passed"] else 0


if __name__ == "__main__":
    sys.exit(main())
