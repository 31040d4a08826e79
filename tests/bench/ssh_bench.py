"""Figures for `talent serve-ssh` (README, "Demos over SSH"). Not collected by pytest.

    python tests/bench/ssh_bench.py [--runs 7] [--levels 1,2,4,6,8,10,12,16] [--json]

1. **Connect to first paint**: the stock OpenSSH client (`ssh -tt` in a real 80×24 pty) from
   its start until the first demo creator's name is on its screen, against a local
   `talent --db DEMO` (`talent demo` on a built demo takes the same path) started in the same
   kind of pty until the same name shows; alternated, `--runs` of each, medians compared.
2. **Memory per session**: RSS and PSS (shared pages split between the processes sharing
   them) of each visitor's app process, read from /proc once the sessions are quiet.
3. **Concurrent sessions**: N visitors connected at once (asyncssh's client in this process),
   each pressing Down/Up once a second at its own moment for `--seconds`; the time from a key
   to the first bytes of the app's answer. A level holds when the 95th percentile of all
   keys is within 100 ms; the figure is the largest level that holds (levels are added on top
   of the sessions already open, so each level measures N live apps).

Everything runs on this machine: the client's encryption and the server share the CPU with
the apps, so the concurrency figure is a floor for a server whose clients are elsewhere.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.bench.pty_driver import PtyApp, PtyExited, child_env, close_all  # noqa: E402
from tests.sshkit import FIRST, Server, Visitor  # noqa: E402

SSH = shutil.which("ssh") or "ssh"
SETSID = shutil.which("setsid") or "setsid"


def ssh_argv(port: int) -> list[str]:
    return [
        SETSID, "-c", "-w", SSH, "-tt", "-p", str(port), "-F", "/dev/null",
        "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
        "-o", "LogLevel=ERROR", "-o", "BatchMode=yes", "visitor@127.0.0.1",
    ]  # fmt: skip


def timed_start(argv: list[str], env: dict[str, str]) -> float:
    """Seconds from starting `argv` in an 80×24 pty until FIRST is on its screen; then q."""
    app = PtyApp(argv, env, rows=24, cols=80)
    try:
        seen = app.wait_for(FIRST, timeout=60)
        elapsed = seen - app.started
        app.wait_idle(0.5, timeout=10)
        return elapsed
    finally:
        with contextlib.suppress(PtyExited, OSError):
            app.close("q", grace=5)


def first_paint(server: Server, runs: int, home: str) -> dict[str, object]:
    env = child_env(home)
    env["TALENT_TODAY"] = server.env["TALENT_TODAY"]
    demo = Path(home) / "demo.db"
    subprocess.run(
        [sys.executable, "-m", "talent_tui", "--db", str(demo), "demo", "--no-open"],
        env=env, check=True, capture_output=True,
    )  # fmt: skip
    local_argv = [sys.executable, "-m", "talent_tui", "--db", str(demo)]
    ssh, local = [], []
    timed_start(ssh_argv(server.port), env)  # warm both paths once (page cache)
    timed_start(local_argv, env)
    for _ in range(runs):
        ssh.append(timed_start(ssh_argv(server.port), env))
        local.append(timed_start(local_argv, env))
    ssh_median, local_median = statistics.median(ssh), statistics.median(local)
    return {
        "ssh_s": ssh,
        "local_s": local,
        "ssh_median_ms": round(ssh_median * 1000),
        "local_median_ms": round(local_median * 1000),
        "ratio": round(ssh_median / local_median, 2),
    }


def app_pids(server: Server) -> list[int]:
    marker = str(server.tmp).encode()
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                cmdline = (entry / "cmdline").read_bytes()
                if b"talent_tui" in cmdline and marker in cmdline:
                    pids.append(int(entry.name))
    return pids


def memory_kib(pid: int) -> tuple[int, int]:
    rss = pss = 0
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1])
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                pss = int(line.split()[1])
    return rss, pss


async def quiet(visitors: list[Visitor], seconds: float, limit: float = 60.0) -> None:
    """Wait until no session has drawn anything for `seconds`."""
    deadline = time.monotonic() + limit
    sizes = [len(v.raw) for v in visitors]
    since = time.monotonic()
    while time.monotonic() - since < seconds and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
        now = [len(v.raw) for v in visitors]
        if now != sizes:
            sizes, since = now, time.monotonic()


async def key_latencies(visitors: list[Visitor], seconds: float) -> list[float]:
    """Each visitor presses Down/Up once a second at its own phase; the seconds from each key
    to the first output after it."""
    samples: list[float] = []

    async def press(visitor: Visitor, phase: float) -> None:
        await asyncio.sleep(phase)
        end = time.monotonic() + seconds
        down = True
        while time.monotonic() < end:
            before = len(visitor.raw)
            sent = time.perf_counter()
            visitor.send("\x1b[B" if down else "\x1b[A")
            down = not down
            while len(visitor.raw) == before and time.perf_counter() - sent < 5:
                await asyncio.sleep(0.001)
            samples.append(time.perf_counter() - sent)
            await asyncio.sleep(max(0.0, 1.0 - (time.perf_counter() - sent)))

    await asyncio.gather(*(press(v, random.random()) for v in visitors))
    return samples


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


async def concurrency(server: Server, levels: list[int], seconds: float) -> dict[str, object]:
    visitors: list[Visitor] = []
    results = []
    memory: dict[str, object] = {}
    try:
        for level in levels:
            while len(visitors) < level:
                visitor = await Visitor.open(server, user=f"v{len(visitors)}")
                await visitor.wait_for(FIRST)
                visitors.append(visitor)
            await quiet(visitors, 2.0)
            if not memory:
                pids = app_pids(server)
                figures = [memory_kib(pid) for pid in pids]
                memory = {
                    "sessions": len(pids),
                    "rss_mib": round(statistics.mean(r for r, _ in figures) / 1024, 1),
                    "pss_mib": round(statistics.mean(p for _, p in figures) / 1024, 1),
                }
            samples = await key_latencies(visitors, seconds)
            row = {
                "sessions": level,
                "keys": len(samples),
                "p50_ms": round(statistics.median(samples) * 1000, 1),
                "p95_ms": round(percentile(samples, 0.95) * 1000, 1),
                "max_ms": round(max(samples) * 1000, 1),
            }
            row["holds"] = row["p95_ms"] <= 100
            results.append(row)
            print(json.dumps(row), file=sys.stderr, flush=True)
            if not row["holds"] and row["p50_ms"] > 100:
                break
        pids = app_pids(server)
        figures = [memory_kib(pid) for pid in pids]
        memory[f"at_{len(pids)}_sessions"] = {
            "rss_mib": round(statistics.mean(r for r, _ in figures) / 1024, 1),
            "pss_mib": round(statistics.mean(p for _, p in figures) / 1024, 1),
        }
    finally:
        for visitor in visitors:
            with contextlib.suppress(Exception):
                await visitor.close()
    holding = [r["sessions"] for r in results if r["holds"]]
    return {"levels": results, "holds": max(holding) if holding else 0, "memory": memory}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--levels", default="1,2,4,6,8,10,12,16")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    levels = [int(x) for x in args.levels.split(",")]
    root = Path(tempfile.mkdtemp(prefix="ssh-bench-"))
    top = str(max(levels))
    server = Server(root / "server", "--max-sessions", top, "--max-per-address", top).start()
    try:
        paint = first_paint(server, args.runs, str(root / "local"))
        print(json.dumps({"first_paint": paint}), file=sys.stderr, flush=True)
        load = asyncio.run(concurrency(server, levels, args.seconds))
    finally:
        close_all()
        server.stop()
        shutil.rmtree(root, ignore_errors=True)
    report = {"first_paint": paint, **load, "cpus": os.cpu_count(), "load": os.getloadavg()}
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(
        f"connect→first paint over ssh: {paint['ssh_median_ms']} ms vs local start "
        f"{paint['local_median_ms']} ms (ratio {paint['ratio']}, medians of {args.runs})"
    )
    memory = load["memory"]
    print(
        f"memory per session (app process): RSS {memory['rss_mib']} MiB, PSS {memory['pss_mib']} MiB"
    )
    for row in load["levels"]:
        print(
            f"{row['sessions']:>3} sessions: key→answer p50 {row['p50_ms']} ms, p95 {row['p95_ms']} ms, "
            f"max {row['max_ms']} ms ({row['keys']} keys){'' if row['holds'] else '  ✗'}"
        )
    print(
        f"holds {load['holds']} concurrent sessions within 100 ms (p95); load avg {report['load']}"
    )


if __name__ == "__main__":
    main()
