"""The floor for talent's CSV import on PostgreSQL: stdlib csv + psycopg COPY, as fast as it gets.

    python tests/bench/pg_import_floor.py URL FILE.csv

URL (postgresql+psycopg://… or postgresql://…) must already hold talent's migrated schema (the
benchmark copies one migrated template database). One transaction: the rows are parsed like
import_floor.py parses them for SQLite and streamed with `COPY creators (…) FROM STDIN` (binary
rows via psycopg's `write_row`), the fastest way into PostgreSQL; the table's own triggers and
indexes stay, as the database requires them. Prints the row count. The benchmark runs this as a
cold child process, exactly like `talent --db URL import creators`.
"""

from __future__ import annotations

import sys
from datetime import datetime

import psycopg
from import_floor import rows

COLUMNS = (
    "name, tiktok_handle, followers, engagement_rate, niche, email, commission_bp, tags, notes,"
    " created_at, updated_at"
)


def plain_url(url: str) -> str:
    """A libpq URL from a SQLAlchemy one (`postgresql+psycopg://` → `postgresql://`)."""
    scheme, rest = url.split("://", 1)
    return f"{scheme.split('+', 1)[0]}://{rest}"


def main(url: str, path: str) -> int:
    now = datetime(2026, 1, 1)  # naive UTC, as talent stores it
    count = 0
    with psycopg.connect(plain_url(url)) as connection:  # one transaction, committed on exit
        with connection.cursor() as cursor:
            with cursor.copy(f"COPY creators ({COLUMNS}) FROM STDIN") as copy:
                for row in rows(path, ""):
                    copy.write_row((*row[:9], now, now))
                    count += 1
    print(count)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1], sys.argv[2]))
