"""One set of limits on both stores (issue 17): 64-bit numbers, text lengths and control
characters are checked by talent's field rules before the database, so SQLite and PostgreSQL
accept and refuse exactly the same values with the same message. Runs on [sqlite] and
[postgres] (tests/conftest.py BOTH_STORES); the migration tests are PostgreSQL's own."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from alembic import command
from sqlmodel import func, select
from typer.testing import CliRunner

from talent_tui.cli import main as cli
from talent_tui.store import db as dbmod
from talent_tui.store.models import (
    AuditEntry,
    Campaign,
    Creator,
    Interaction,
    Invoice,
    Offer,
    Rate,
    Tab,
    statuses_in,
)
from tests import factories, pgserver

runner = CliRunner()


@pytest.fixture(autouse=True)
def _pinned_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TALENT_TODAY", "2026-11-01")


def run(db: dbmod.Database, *args: str):  # noqa: ANN201
    return runner.invoke(cli.app, ["--db", db.url, *args])


def counts(db: dbmod.Database) -> dict[str, int]:
    with db.session() as s:
        return {
            m.__tablename__: s.exec(select(func.count()).select_from(m)).one()  # type: ignore[attr-defined]
            for m in (AuditEntry, Campaign, Creator, Interaction, Invoice, Offer, Rate)
        }


# ---- 64-bit numbers ---------------------------------------------------------------------------


def test_numbers_past_32_bits_are_stored_on_both_stores(database: dbmod.Database) -> None:
    # 2,147,483,647 is the largest 32-bit integer; each of these is beyond it.
    added = run(
        database, "creators", "add", "--name", "Big", "--tiktok", "@big.one",
        "--followers", "2,147,483,648", "--json",
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    rate = run(database, "rates", "set", "@big.one", "video", "30,000,000.00 USD")
    assert rate.exit_code == 0, rate.output
    with database.transaction() as s:
        brand = factories.brand(s, name="Won Co")
    fee = run(
        database, "campaigns", "add", "--creator", "@big.one", "--brand", "Won Co",
        "--name", "Seoul launch", "--fee", "3,000,000,000 KRW", "--json",
    )  # fmt: skip
    assert fee.exit_code == 0, fee.output
    with database.session() as s:
        creator = s.exec(select(Creator).where(Creator.tiktok_handle == "@big.one")).one()
        assert creator.followers == 2_147_483_648
        assert s.exec(select(Rate.amount_minor, Rate.currency)).one() == (3_000_000_000, "USD")
        campaign = s.exec(select(Campaign).where(Campaign.brand_id == brand.id)).one()
        assert (campaign.fee_minor, campaign.currency) == (3_000_000_000, "KRW")
        assert creator.open_deals == 1  # PostgreSQL's trigger (0008) counts it, as SQLite's


def test_the_largest_values_are_the_field_rules_and_one_more_is_refused(
    database: dbmod.Database,
) -> None:
    top = run(
        database, "creators", "add", "--name", "Top", "--tiktok", "@top.one",
        "--followers", "1,000,000,000,000",
    )  # fmt: skip
    assert top.exit_code == 0, top.output
    before = counts(database)
    over = run(
        database, "creators", "add", "--name", "Over", "--tiktok", "@over.one",
        "--followers", "1,000,000,000,001",
    )  # fmt: skip
    assert over.exit_code == 1
    assert "followers: too large: at most 1,000,000,000,000" in over.output
    huge = run(database, "rates", "set", "@top.one", "video", "10,000,000,000,000.01 USD")
    assert huge.exit_code == 1 and "Traceback" not in huge.output
    assert "too large" in huge.output
    assert counts(database) == before
    with database.session() as s:
        assert s.exec(select(Creator.followers)).all() == [1_000_000_000_000]


# ---- text limits and control characters, before the database --------------------------------

LONG_AS = "x" * 101
CASES = {
    "as": (["--as", LONG_AS, "log", "add", "note", "hello", "--creator", "{creator}"],
           "--as: longer than 100 characters"),
    "campaign name": (["campaigns", "add", "--creator", "{creator}", "--brand", "{brand}",
                       "--name", "n" * 201, "--fee", "100 USD"],
                      "the campaign name is longer than 200 characters"),
    "external id": (["campaigns", "add", "--creator", "{creator}", "--brand", "{brand}",
                     "--name", "ok", "--fee", "100 USD", "--external-id", "e" * 101],
                    "the external id is longer than 100 characters"),
    "invoice number": (["invoices", "add", "{deal}", "100 USD", "--number", "i" * 61],
                       "the invoice number is longer than 60 characters"),
    "deliverables": (["campaigns", "counter", "{offer}", "--fee", "900 USD",
                      "--deliverables", "d" * 501],
                     "longer than 500 characters"),
    "NUL in a name": (["creators", "add", "--name", "a\x00b", "--tiktok", "@nul.name"],
                      "control character"),
    "NUL in a brand": (["brands", "add", "Nul\x00Co"], "control character"),
    "escape in a summary": (["log", "add", "note", "\x1b[31mred", "--creator", "{creator}"],
                            "control character"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(CASES))
def test_a_value_beyond_the_limits_is_refused_the_same_on_both_stores(
    database: dbmod.Database, case: str
) -> None:
    with database.transaction() as s:
        campaign = factories.agreed_offer(s)
        offer = factories.offer(s)
        creator = s.get(Creator, campaign.creator_id)
        from talent_tui.store.models import Brand

        brand = s.get(Brand, campaign.brand_id)
        names = {
            "creator": creator.tiktok_handle,  # type: ignore[union-attr]
            "brand": brand.name,  # type: ignore[union-attr]
            "deal": str(campaign.id),
            "offer": str(offer.id),
        }
    args, message = CASES[case]
    before = counts(database)
    result = run(database, *(a.format(**names) for a in args))
    assert result.exit_code == 1, result.output
    assert message in result.output
    assert "Traceback" not in result.output and "psycopg" not in result.output
    assert counts(database) == before


# ---- PostgreSQL's own: the migrations ----------------------------------------------------------


@pytest.fixture
def at_0006(pg_databases: pgserver.Databases) -> Iterator[dbmod.Database]:
    """A PostgreSQL database at the schema before 64-bit integers."""
    url = pg_databases.create()
    db = dbmod.open_database(url, migrate=False)
    command.upgrade(dbmod.alembic_config(db), "0006_affiliates")
    yield db
    db.dispose()
    pg_databases.drop(url)


def test_upgrading_a_postgres_database_makes_its_integers_64_bit(
    at_0006: dbmod.Database,
) -> None:
    db = at_0006
    with db.engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO brands (name, notes, created_at) VALUES ('B', '', now())")
        conn.exec_driver_sql(
            "INSERT INTO creators (name, tiktok_handle, followers, tags, commission_bp, notes, "
            "created_at, updated_at) VALUES ('C', '@c1', 5, '', 0, '', now(), now())"
        )
        conn.exec_driver_sql(
            "INSERT INTO campaigns (creator_id, brand_id, name, fee_minor, currency, status, "
            "notes, created_at, updated_at) SELECT c.id, b.id, 'x', 100, 'USD', 'negotiating', "
            "'', now(), now() FROM creators c, brands b"
        )
    assert dbmod.upgrade(db) is None  # no file to copy aside on PostgreSQL
    with db.engine.connect() as conn:
        types = dict(
            conn.exec_driver_sql(
                "SELECT table_name || '.' || column_name, data_type FROM "
                "information_schema.columns WHERE table_schema = 'public' AND data_type "
                "IN ('integer', 'bigint')"
            ).all()
        )
        sequences = set(
            conn.exec_driver_sql("SELECT DISTINCT data_type FROM information_schema.sequences")
            .scalars()
            .all()
        )
        kept = conn.exec_driver_sql("SELECT followers, open_deals FROM creators").one()
    assert set(types.values()) == {"bigint"}
    assert {"creators.followers", "campaigns.fee_minor", "invoices.amount_minor"} <= set(types)
    assert sequences == {"bigint"}
    assert tuple(kept) == (5, 1)  # the rows kept, and 0008 recounted the open deal
    with db.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE creators SET followers = 9000000000000")
        conn.exec_driver_sql("SELECT setval(pg_get_serial_sequence('brands', 'id'), 3000000000)")
        conn.exec_driver_sql("INSERT INTO brands (name, notes, created_at) VALUES ('D', '', now())")
        assert conn.exec_driver_sql("SELECT max(id) FROM brands").scalar() == 3_000_000_001


def test_the_frozen_open_statuses_of_0008_are_the_models() -> None:
    import importlib

    frozen = importlib.import_module("talent_tui.store.migrations.versions.0008_pg_open_deals")
    statuses = tuple(s.value for s in statuses_in(Tab.PENDING) + statuses_in(Tab.ACTIVE))
    assert frozen.OPEN == "(" + ", ".join(f"'{s}'" for s in statuses) + ")"


def test_concurrent_campaigns_for_one_creator_keep_the_count_exact_on_postgres(
    pg_url: str,
) -> None:
    """Two transactions add an open campaign for the same creator at once: the trigger locks
    the creator before counting, so the second count sees the first campaign."""
    db = dbmod.open_database(pg_url)
    with db.transaction() as s:
        creator, brand = factories.creator(s), factories.brand(s)
        ids = (creator.id, brand.id)
    first, second = db.engine.connect(), db.engine.connect()
    insert = sa.text(
        "INSERT INTO campaigns (creator_id, brand_id, name, fee_minor, currency, status, notes, "
        "created_at, updated_at) VALUES (:c, :b, :n, 1, 'USD', 'negotiating', '', now(), now())"
    )
    first.begin()
    second.begin()
    first.execute(insert, {"c": ids[0], "b": ids[1], "n": "one"})
    done = threading.Thread(
        target=lambda: (second.execute(insert, {"c": ids[0], "b": ids[1], "n": "two"}),)
    )
    done.start()  # waits on the creator's row lock the first transaction holds
    first.commit()
    done.join(timeout=30)
    second.commit()
    first.close()
    second.close()
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT open_deals FROM creators").scalar() == 2
    db.dispose()


def test_output_of_a_refusal_is_json_free(database: dbmod.Database) -> None:
    """--json callers get the same refusal on stderr and nothing on stdout."""
    result = run(database, "creators", "add", "--name", "n" * 201, "--tiktok", "@long.n", "--json")
    assert result.exit_code == 1
    assert "longer than 200 characters" in result.output
    with pytest.raises(json.JSONDecodeError):
        json.loads(result.stdout or "x")
