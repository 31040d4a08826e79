"""The floor for `talent import conversions`: stdlib csv + sqlite3 executemany, as fast as it
gets for the same stored result, and the data the benchmark measures both on.

    python tests/bench/conversions_floor.py DB FILE.csv PROGRAM_SLUG     # the floor
    python tests/bench/conversions_floor.py fixture DB [--affiliates N]  # program + affiliates
    python tests/bench/conversions_floor.py csv FILE.csv ROWS [--affiliates N] [--seed S]

The floor (DB already holds talent's migrated schema and the fixture): one transaction
(BEGIN IMMEDIATE … COMMIT), the same pragmas as talent's import (WAL, synchronous=NORMAL,
foreign keys on, a 64 MB page cache); the program's affiliates by handle, links by code and
promo codes by lower-cased code read once into dicts, and the program's stored order ids (a
re-imported order is left alone: the fixture has none); each CSV row resolved to its
affiliate, link and promo code ids, its amount and refund read as minor units ("1,234.50" →
123450), its time read with datetime.fromisoformat and stored as UTC text the way talent
stores it, its status lower-cased (empty → pending), its customer e-mail kept only as
HMAC-SHA256(the database's key, the e-mail trimmed and lower-cased) like talent; then one
executemany of plain tuples into `conversions`. Prints the row count. No validation beyond
what a lookup or int() refuses by itself: that is what makes it a floor.

The fixture: a brand, one program (slug `bench`, USD), N affiliates (`@aff0001`…), a tracking
link (`aff0001-1`) and a promo code (`AFF0001`) for each, and the customer-hash key, written
with raw SQL. The CSV: order ids, attribution by affiliate handle (half the rows), link code
(a quarter) or promo code (a quarter, in mixed case), times with and without a `Z`, amounts
as people write them ("1,234.50", "45.00", "12"), a refund on some, every status (and empty),
sources, e-mails on most rows.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import hmac
import random
import secrets
import sqlite3
import sys
from collections.abc import Iterator
from datetime import UTC, datetime

PROGRAM_SLUG = "bench"
PROGRAM_NAME = "Bench Program"
CURRENCY = "USD"
HASH_KEY_SETTING = "customer_hash_key"  # services.affiliates.conversions.HASH_KEY_SETTING
COLUMNS = (
    "order_id",
    "affiliate",
    "link_code",
    "promo_code",
    "occurred_at",
    "amount",
    "refund",
    "status",
    "source",
    "customer_email",
)
STATUSES = ("pending", "approved", "approved", "reversed", "held", "")
SOURCES = ("blog", "instagram", "newsletter", "youtube", "tiktok", "")
FIRST = "ana ben chloe dev eli fay gus hana ivo jun kai lea max noa oli pia ray sol tom uma".split()
CACHE_KIB = 64 << 10  # io.importers.base.IMPORT_CACHE_KIB


def handle_of(n: int) -> str:
    return f"@aff{n:04d}"


def make_fixture(db: str, affiliates: int = 300) -> str:
    """A brand, the bench program, `affiliates` affiliates with a link and a promo code each,
    and the customer-hash key, in `db` (migrated, empty). Returns the program's slug."""
    now = "2026-01-01 00:00:00.000000"
    connection = sqlite3.connect(db, isolation_level=None)
    try:
        connection.execute("PRAGMA foreign_keys=ON")
        connection.execute("BEGIN IMMEDIATE")
        brand = connection.execute(
            "INSERT INTO brands (name, notes, created_at) VALUES ('Bench Brand', '', ?)", (now,)
        ).lastrowid
        program = connection.execute(
            "INSERT INTO programs (name, slug, brand_id, currency, rate_bp, attribution_days,"
            " lock_days, net_days, forbidden_sources, terms, created_at)"
            " VALUES (?, ?, ?, ?, 1000, 30, 30, 30, '', '', ?)",
            (PROGRAM_NAME, PROGRAM_SLUG, brand, CURRENCY, now),
        ).lastrowid
        for n in range(1, affiliates + 1):
            handle = handle_of(n)
            code = handle[1:]
            affiliate = connection.execute(
                "INSERT INTO affiliates (program_id, handle, code, stage, stage_since, notes,"
                " created_at) VALUES (?, ?, ?, 'active', ?, '', ?)",
                (program, handle, code, now, now),
            ).lastrowid
            url = f"https://bench.example/?utm_source={code}&utm_medium=affiliate"
            connection.execute(
                "INSERT INTO tracking_links (program_id, affiliate_id, code, destination, url,"
                " created_at) VALUES (?, ?, ?, 'https://bench.example', ?, ?)",
                (program, affiliate, f"{code}-1", f"{url}&utm_campaign={PROGRAM_SLUG}", now),
            )
            connection.execute(
                "INSERT INTO promo_codes (program_id, affiliate_id, code, code_key, created_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (program, affiliate, code.upper(), code, now),
            )
        connection.execute(
            "INSERT OR IGNORE INTO settings (key, value) VALUES (?, ?)",
            (HASH_KEY_SETTING, secrets.token_hex(32)),
        )
        connection.execute("COMMIT")
    finally:
        connection.close()
    return PROGRAM_SLUG


def make_csv(path: str, rows: int, affiliates: int = 300, seed: int = 11) -> None:
    """A conversions export of `rows` orders for the fixture's program (see the docstring)."""
    rng = random.Random(seed)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for i in range(rows):
            n = rng.randint(1, affiliates)
            code = f"aff{n:04d}"
            pick = rng.random()
            affiliate = link = promo = ""
            if pick < 0.5:
                affiliate = code if rng.random() < 0.5 else "@" + code
            elif pick < 0.75:
                link = f"{code}-1"
                if rng.random() < 0.1:  # a platform that writes both; they agree
                    affiliate = "@" + code
            else:
                promo = code.upper() if rng.random() < 0.7 else code.capitalize()
            day = rng.randint(1, 28)
            clock = f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}"
            occurred = (
                f"2026-10-{day:02d}T{clock}Z"
                if rng.random() < 0.2
                else f"2026-10-{day:02d} {clock}"
            )
            cents = rng.randint(100, 250_000)
            amount = f"{cents / 100:,.2f}" if cents % 7 else str(cents // 100)
            whole = int(amount.replace(",", "").partition(".")[0])
            refund = f"{rng.randint(0, whole)}.00" if rng.random() < 0.1 else ""
            email = ""
            if rng.random() < 0.8:
                name = rng.choice(FIRST)
                email = (
                    f"{name.title() if i % 3 == 0 else name}{rng.randint(1, 50_000)}@example.com"
                )
            writer.writerow(
                [
                    f"ORD-{i + 1:07d}",
                    affiliate,
                    link,
                    promo,
                    occurred,
                    amount,
                    refund,
                    rng.choice(STATUSES),
                    rng.choice(SOURCES),
                    email,
                ]
            )


def minor(text: str) -> int:
    """Money as minor units of a two-decimal currency: "1,234.5" → 123450."""
    whole, _, part = text.replace(",", "").partition(".")
    return int(whole) * 100 + int((part + "00")[:2])


def when(text: str) -> str:
    """A time as talent stores it: UTC, "YYYY-MM-DD HH:MM:SS.ffffff"."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.isoformat(" ", "microseconds")


def rows(
    path: str, program: int, key: bytes, connection: sqlite3.Connection, now: str
) -> Iterator[tuple]:
    people = dict(
        connection.execute("SELECT handle, id FROM affiliates WHERE program_id = ?", (program,))
    )
    links = {
        code: (id_, affiliate)
        for code, id_, affiliate in connection.execute(
            "SELECT code, id, affiliate_id FROM tracking_links WHERE program_id = ?", (program,)
        )
    }
    promos = {
        code: (id_, affiliate)
        for code, id_, affiliate in connection.execute(
            "SELECT code_key, id, affiliate_id FROM promo_codes WHERE program_id = ?", (program,)
        )
    }
    stored = {
        order
        for (order,) in connection.execute(
            "SELECT order_id FROM conversions WHERE program_id = ?", (program,)
        )
    }
    digest, sha256 = hmac.digest, hashlib.sha256
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        next(reader)
        for (
            order,
            affiliate,
            link,
            promo,
            occurred,
            amount,
            refund,
            status,
            source,
            email,
        ) in reader:
            if order in stored:
                continue
            link_id = promo_id = None
            if link:
                link_id, affiliate_id = links[link]
            elif promo:
                promo_id, affiliate_id = promos[promo.lower()]
            else:
                affiliate_id = people["@" + affiliate.lower().removeprefix("@")]
            yield (
                program,
                order,
                affiliate_id,
                link_id,
                promo_id,
                when(occurred),
                minor(amount),
                minor(refund) if refund else 0,
                CURRENCY,
                status.lower() or "pending",
                source or None,
                digest(key, email.strip().lower().encode(), sha256).hex() if email else None,
                now,
                now,
            )


def floor(db: str, path: str, slug: str) -> int:
    connection = sqlite3.connect(db, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute("PRAGMA foreign_keys=ON")
    connection.execute(f"PRAGMA cache_size = {-CACHE_KIB}")
    now = datetime.now(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
    connection.execute("BEGIN IMMEDIATE")
    try:
        (program,) = connection.execute(
            "SELECT id FROM programs WHERE slug = ?", (slug,)
        ).fetchone()
        found = connection.execute(
            "SELECT value FROM settings WHERE key = ?", (HASH_KEY_SETTING,)
        ).fetchone()
        if found is None:
            found = (secrets.token_hex(32),)
            connection.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?)", (HASH_KEY_SETTING, found[0])
            )
        key = bytes.fromhex(found[0])
        cursor = connection.executemany(
            "INSERT INTO conversions (program_id, order_id, affiliate_id, link_id, promo_code_id,"
            " occurred_at, amount_minor, refund_minor, currency, status, source, customer_hash,"
            " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows(path, program, key, connection, now),
        )
        count = cursor.rowcount
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    finally:
        connection.close()
    return count


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["fixture"]:
        parser = argparse.ArgumentParser(prog="conversions_floor.py fixture")
        parser.add_argument("db")
        parser.add_argument("--affiliates", type=int, default=300)
        args = parser.parse_args(argv[1:])
        print(make_fixture(args.db, args.affiliates))
        return 0
    if argv[:1] == ["csv"]:
        parser = argparse.ArgumentParser(prog="conversions_floor.py csv")
        parser.add_argument("path")
        parser.add_argument("rows", type=int)
        parser.add_argument("--affiliates", type=int, default=300)
        parser.add_argument("--seed", type=int, default=11)
        args = parser.parse_args(argv[1:])
        make_csv(args.path, args.rows, args.affiliates, args.seed)
        return 0
    parser = argparse.ArgumentParser(prog="conversions_floor.py")
    parser.add_argument("db")
    parser.add_argument("path")
    parser.add_argument("program", nargs="?", default=PROGRAM_SLUG)
    args = parser.parse_args(argv)
    print(floor(args.db, args.path, args.program))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
