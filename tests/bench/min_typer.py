"""The baseline for talent's command line: a minimal Typer app with one command group.

    python tests/bench/min_typer.py --help
    python tests/bench/min_typer.py list --db DB [--json] [--limit N]

`list` reads the first N live creators ordered by name then id with stdlib sqlite3 (the same
columns `talent creators list --json` prints, open deals counted the same way) and prints them
as JSON (`--json`) or one line each.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Annotated

import typer

app = typer.Typer(help="Minimal Typer baseline for the talent benchmark.", add_completion=False)

OPEN = ("offer_received", "reviewing", "negotiating", "accepted", "in_production")


@app.callback()
def main() -> None:
    """Keep `list` a subcommand (a group, like talent's)."""


@app.command("list")
def list_creators(
    db: Annotated[str, typer.Option("--db", help="SQLite file.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON only.")] = False,
    limit: Annotated[int, typer.Option("--limit", min=1, help="How many.")] = 50,
) -> None:
    """List live creators by name."""
    connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        marks = ",".join("?" * len(OPEN))
        rows = connection.execute(
            "SELECT c.id, c.name, c.tiktok_handle, c.followers, c.engagement_rate,"
            " c.follower_growth_30d,"
            f" (SELECT count(*) FROM campaigns k WHERE k.creator_id = c.id AND k.status IN ({marks}))"
            " FROM creators c WHERE c.archived_at IS NULL ORDER BY c.name, c.id LIMIT ?",
            (*OPEN, limit),
        ).fetchall()
    finally:
        connection.close()
    keys = ("id", "name", "tiktok_handle", "followers", "engagement_rate", "follower_growth_30d")
    data = [
        {**dict(zip(keys, row[:6], strict=True)), "open_deals": row[6], "archived": False}
        for row in rows
    ]
    if as_json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        for item in data:
            print(f"{item['name']}  {item['tiktok_handle']}  {item['followers']:,}")


if __name__ == "__main__":
    app()
