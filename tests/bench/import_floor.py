"""The floor for talent's CSV import: stdlib csv + sqlite3 executemany, as fast as it gets.

    python tests/bench/import_floor.py DB FILE.csv

DB must already have talent's migrated schema (the benchmark copies one migrated template).
One transaction: the creators' search-index insert trigger is dropped (its SQL read from
sqlite_master first), the rows are inserted with executemany straight from the csv reader,
the FTS index is filled once with one INSERT … SELECT, the trigger is recreated, commit.
Same pragmas as talent (WAL, synchronous=NORMAL, foreign keys on). Prints the row count.
The benchmark runs this as a cold child process, exactly like `talent import creators`.
"""

from __future__ import annotations

import csv
import sqlite3
import sys

FILL = (
    "INSERT INTO creators_fts(rowid, name, tiktok_handle)"
    " SELECT id, name, tiktok_handle FROM creators"
)


def rows(path: str, now: str):  # noqa: ANN201
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        next(reader)
        for name, tiktok, followers, rate, niche, email, commission in reader:
            yield (
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


def main(db: str, path: str) -> int:
    connection = sqlite3.connect(db, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute("PRAGMA foreign_keys=ON")
    now = "2026-01-01 00:00:00.000000"
    connection.execute("BEGIN IMMEDIATE")
    try:
        triggers = connection.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'creators'"
            " AND sql LIKE '%AFTER INSERT%' AND sql LIKE '%creators_fts%'"
        ).fetchall()
        for name, _sql in triggers:
            connection.execute(f'DROP TRIGGER "{name}"')
        cursor = connection.executemany(
            "INSERT INTO creators (name, tiktok_handle, followers, engagement_rate, niche, email,"
            " commission_bp, tags, notes, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows(path, now),
        )
        count = cursor.rowcount
        if triggers:
            connection.execute(FILL)
            for _name, sql in triggers:
                connection.execute(sql)
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    finally:
        connection.close()
    print(count)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1], sys.argv[2]))
