"""Roster sorts at scale (migration 0004_roster_sorts): the stored open-deals count that
triggers keep exact, the partial sort indexes behind every page and count-before, and the
migration's fill, downgrade and upgrade again."""

from __future__ import annotations

import itertools
import random
import re
import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from sqlmodel import Session, col

from talent_tui.services import creators, deals
from talent_tui.store import db as dbmod
from talent_tui.store.models import (
    Brand,
    Campaign,
    CampaignStatus,
    Creator,
    Tab,
    statuses_in,
    utcnow,
)
from tests import factories

OPEN = set(statuses_in(Tab.PENDING) + statuses_in(Tab.ACTIVE))
BEFORE = "0003_deals"
SORTS = ("name", "followers", "engagement", "growth", "open_deals")
TRIGGERS = {"campaigns_open_deals_ai", "campaigns_open_deals_ad", "campaigns_open_deals_au"}
REPLACED = {
    f"ix_creators_{c}" for c in ("name", "followers", "engagement_rate", "follower_growth_30d")
}
SORT_INDEXES = {f"ix_creators_roster_{view}_{s}" for view in ("live", "archived") for s in SORTS}


# ---- helpers ----------------------------------------------------------------------------------


def fresh_counts(conn: sa.Connection) -> dict[int, int]:
    """Every creator's open campaigns, counted now."""
    statuses = ", ".join(f"'{s.value}'" for s in OPEN)
    rows = conn.exec_driver_sql(
        "SELECT id, (SELECT count(*) FROM campaigns WHERE campaigns.creator_id = creators.id"
        f" AND campaigns.status IN ({statuses})) FROM creators"
    )
    return dict(rows.all())


def stored_counts(conn: sa.Connection) -> dict[int, int]:
    return dict(conn.exec_driver_sql("SELECT id, open_deals FROM creators").all())


def assert_exact(session: Session) -> dict[int, int]:
    conn = session.connection()
    stored = stored_counts(conn)
    assert stored == fresh_counts(conn)
    return stored


def campaign(session: Session, creator: Creator, brand: Brand, status: CampaignStatus) -> Campaign:
    row = Campaign(
        creator_id=creator.id,
        brand_id=brand.id,
        name=f"{status} deal",
        fee_minor=100_000,
        currency="USD",
        status=status,
    )
    session.add(row)
    session.flush()
    return row


def schema_objects(conn: sa.Connection, type_: str) -> set[str]:
    rows = conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = ?", (type_,))
    return {name for (name,) in rows}


def at_revision(path: Path, revision: str) -> dbmod.Database:
    """A database file migrated to `revision` only (not opened the usual way)."""
    url = dbmod.path_to_url(path)
    database = dbmod.Database(url=url, engine=dbmod.make_engine(url))
    command.upgrade(dbmod.alembic_config(database), revision)
    return database


# ---- the stored count and its triggers --------------------------------------------------------


def test_the_open_statuses_are_frozen_in_migration_0004() -> None:
    """The triggers hold this list as text. Changing the pending or active tabs needs a new
    migration that recreates campaigns_open_deals_* and refills creators.open_deals."""
    assert {s.value for s in OPEN} == {
        "offer_received",
        "reviewing",
        "negotiating",
        "accepted",
        "in_production",
    }


def test_the_triggers_hold_exactly_the_open_statuses(database: dbmod.Database) -> None:
    with database.engine.connect() as conn:
        sql = dict(
            conn.exec_driver_sql(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
                " AND name LIKE 'campaigns_open_deals_%'"
            ).all()
        )
    assert set(sql) == TRIGGERS
    for text in sql.values():
        for status in CampaignStatus:
            assert (f"'{status.value}'" in text) is (status in OPEN), (status, text)


def test_inserts_and_every_status_change_keep_the_count_exact(database: dbmod.Database) -> None:
    with database.transaction() as s:
        brand = factories.brand(s)
        mina, omar = factories.creator(s), factories.creator(s)
        for status in CampaignStatus:  # one campaign in every status
            campaign(s, mina, brand, status)
        assert assert_exact(s)[mina.id] == len(OPEN)
        moving = campaign(s, omar, brand, CampaignStatus.OFFER_RECEIVED)
        for before, after in itertools.product(CampaignStatus, repeat=2):
            moving.status = before
            s.flush()
            moving.status = after
            s.flush()
            counts = assert_exact(s)
            assert counts[omar.id] == (after in OPEN)
        assert counts[mina.id] == len(OPEN)  # the other creator never moved


def test_the_deal_services_keep_the_count_exact(database: dbmod.Database) -> None:
    with database.transaction() as s:
        someone = factories.creator(s)
        offer = factories.offer(s, someone)
        assert assert_exact(s)[someone.id] == 1
        deals.accept(s, offer.id, "tester")
        deals.transition(s, offer.id, CampaignStatus.IN_PRODUCTION, "tester")
        assert assert_exact(s)[someone.id] == 1
        deals.transition(s, offer.id, CampaignStatus.COMPLETED, "tester")
        assert assert_exact(s)[someone.id] == 0


def test_moving_a_campaign_to_another_creator_moves_its_count(database: dbmod.Database) -> None:
    with database.transaction() as s:
        brand = factories.brand(s)
        mina, omar = factories.creator(s), factories.creator(s)
        deal = campaign(s, mina, brand, CampaignStatus.NEGOTIATING)
        done = campaign(s, mina, brand, CampaignStatus.COMPLETED)
        assert assert_exact(s)[mina.id] == 1
        deal.creator_id = omar.id
        s.flush()
        assert {mina.id: 0, omar.id: 1}.items() <= assert_exact(s).items()
        done.creator_id = omar.id
        s.flush()
        assert assert_exact(s)[omar.id] == 1
        # Moving and closing in one statement: the old creator loses it, the new does not gain.
        deal.creator_id, deal.status = mina.id, CampaignStatus.DECLINED
        s.flush()
        assert {mina.id: 0, omar.id: 0}.items() <= assert_exact(s).items()
        # Moving and opening in one statement.
        done.creator_id, done.status = mina.id, CampaignStatus.ACCEPTED
        s.flush()
        assert {mina.id: 1, omar.id: 0}.items() <= assert_exact(s).items()


def test_deleting_campaigns_and_creators_keeps_the_count_exact(database: dbmod.Database) -> None:
    with database.transaction() as s:
        brand = factories.brand(s)
        mina, omar = factories.creator(s), factories.creator(s)
        deals_of_mina = [campaign(s, mina, brand, status) for status in CampaignStatus]
        for status in CampaignStatus:
            campaign(s, omar, brand, status)
        for row in deals_of_mina[:4]:
            s.delete(row)
            s.flush()
            assert_exact(s)
        assert assert_exact(s)[mina.id] == len(OPEN - {row.status for row in deals_of_mina[:4]})
        s.execute(sa.delete(Campaign).where(col(Campaign.creator_id) == mina.id))
        assert assert_exact(s)[mina.id] == 0
        assert assert_exact(s)[omar.id] == len(OPEN)
        omar_id = omar.id
    with database.transaction() as s:
        creators.archive(s, omar_id)
        creators.delete(s, omar_id)  # its campaigns go by ON DELETE CASCADE
        counts = assert_exact(s)
        assert omar_id not in counts and counts[mina.id] == 0
        assert s.execute(sa.select(sa.func.count()).select_from(Campaign)).scalar_one() == 0


def test_the_orm_never_writes_back_a_stale_count(database: dbmod.Database) -> None:
    """An object read before its campaigns changed holds the old count; saving it must not
    write that back (the ORM writes only assigned attributes)."""
    with database.transaction() as s:
        brand = factories.brand(s)
        mina = factories.creator(s, name="Mina Park")
        assert mina.open_deals == 0
        campaign(s, mina, brand, CampaignStatus.REVIEWING)
        assert mina.open_deals == 0  # stale in memory, by design
        values = creators.form_values(mina) | {"name": "Mina Park-Lee"}
        creators.edit_creator(s, mina.id, values)
        creators.archive(s, mina.id)
        creators.restore(s, mina.id)
        assert assert_exact(s)[mina.id] == 1
        s.refresh(mina)
        assert (mina.name, mina.open_deals) == ("Mina Park-Lee", 1)


# ---- the sort indexes -------------------------------------------------------------------------

C = Creator
ORDERS = {
    "name": (col(C.name), col(C.id)),
    "followers": (col(C.followers).desc(), col(C.id)),
    "engagement": (col(C.engagement_rate).desc().nulls_last(), col(C.id)),
    "growth": (col(C.follower_growth_30d).desc().nulls_last(), col(C.id)),
    "open_deals": (col(C.open_deals).desc(), col(C.name), col(C.id)),
}
# SQLite's own DESC order already puts NULLs last; the query may say so or not.
PLAIN_DESC = {
    "engagement": (col(C.engagement_rate).desc(), col(C.id)),
    "growth": (col(C.follower_growth_30d).desc(), col(C.id)),
}
NULLABLE = {"engagement": col(C.engagement_rate), "growth": col(C.follower_growth_30d)}


def view(archived: bool) -> sa.ColumnElement[bool]:
    return col(C.archived_at).is_not(None) if archived else col(C.archived_at).is_(None)


def page(sort: str, archived: bool, orders: dict = ORDERS) -> sa.Select:
    columns = (C.id, C.name, C.tiktok_handle, C.followers, C.engagement_rate)
    statement = sa.select(*columns, C.follower_growth_30d, C.open_deals, view(True))
    statement = statement.where(view(archived)).order_by(*orders[sort])
    return statement.limit(100).offset(sa.bindparam("offset", 200))


def count_before(sort: str, archived: bool, row: sa.Row) -> sa.Select:
    """How many rows come before `row` in the order: the cursor's place after a sort change.

    The leading bound (`name <= :name`, `followers >= :followers`, …) repeats what the OR
    says: SQLAlchemy sends each use of a value as its own `?`, and SQLite only turns
    `x < ? OR (x = ? AND id < ?)` into an index range when it can see that both are the same
    value. Without it the archive's counts scan a whole index and read every row. For a NULL
    engagement or growth the count is the non-NULL rows plus the NULL rows with a smaller id,
    as two index ranges."""

    def count(*where: sa.ColumnElement[bool]) -> sa.Select:
        return sa.select(sa.func.count()).select_from(C).where(view(archived), *where)

    before_id = col(C.id) < row.id
    by_name = sa.or_(col(C.name) < row.name, sa.and_(col(C.name) == row.name, before_id))
    if sort == "name":
        return count(col(C.name) <= row.name, by_name)
    if sort == "open_deals":
        deals = col(C.open_deals)
        value = row.open_deals
        return count(deals >= value, sa.or_(deals > value, sa.and_(deals == value, by_name)))
    column = NULLABLE.get(sort, col(C.followers))
    value = getattr(row, sort)
    if value is None:
        non_null = count(column.is_not(None)).scalar_subquery()
        return sa.select(non_null + count(column.is_(None), before_id).scalar_subquery())
    return count(column >= value, sa.or_(column > value, sa.and_(column == value, before_id)))


def keyed() -> sa.Select:
    """Each creator's sort key, as `row.<sort>` for count_before."""
    return sa.select(
        C.id,
        C.name,
        col(C.followers).label("followers"),
        col(C.engagement_rate).label("engagement"),
        col(C.follower_growth_30d).label("growth"),
        C.open_deals,
    )


def plan(conn: sa.Connection, statement: sa.Select) -> str:
    """EXPLAIN QUERY PLAN of the statement as the app runs it (bound parameters)."""
    compiled = statement.compile(dialect=conn.dialect)
    params = tuple(compiled.params[name] for name in compiled.positiontup or ())
    rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + str(compiled), params)
    return " | ".join(str(r[3]) for r in rows)


@pytest.fixture
def roster(database: dbmod.Database) -> dbmod.Database:
    """80 creators with ties on every key, NULL engagement and growth, an archived quarter
    and open deals."""
    rnd = random.Random(4)
    with database.transaction() as s:
        brand = factories.brand(s)
        for n in range(80):
            someone = Creator(
                name=rnd.choice(["Ada", "Bo", "Cy", "Dee"]) + f" {n % 7}",
                tiktok_handle=f"@roster{n}",
                followers=rnd.choice([0, 500, 500, 1_000, 25_000]),
                engagement_rate=rnd.choice([None, 0.01, 0.05, 0.05]),
                follower_growth_30d=rnd.choice([None, None, -0.1, 0.2]),
            )
            if n % 4 == 0:
                someone.archived_at = utcnow()
            s.add(someone)
            s.flush()
            for _ in range(rnd.choice([0, 0, 1, 2, 3])):
                campaign(s, someone, brand, rnd.choice(list(CampaignStatus)))
    return database


@pytest.mark.parametrize("archived", [False, True], ids=["live", "archived"])
@pytest.mark.parametrize("sort", SORTS)
def test_every_page_is_read_in_index_order(roster, sort: str, archived: bool) -> None:
    index = f"ix_creators_roster_{'archived' if archived else 'live'}_{sort}"
    with roster.engine.connect() as conn:
        for orders in (ORDERS, PLAIN_DESC) if sort in PLAIN_DESC else (ORDERS,):
            text = plan(conn, page(sort, archived, orders))
            assert f"USING INDEX {index}" in text, text
            assert "TEMP B-TREE" not in text, text


@pytest.mark.parametrize("archived", [False, True], ids=["live", "archived"])
@pytest.mark.parametrize("sort", SORTS)
def test_count_before_is_an_index_range_and_matches_the_order(
    roster, sort: str, archived: bool
) -> None:
    index = f"ix_creators_roster_{'archived' if archived else 'live'}_{sort}"
    with roster.engine.connect() as conn:
        ordered = conn.execute(keyed().where(view(archived)).order_by(*ORDERS[sort])).all()
        assert len(ordered) in (20, 60)
        plans = set()
        for position, row in enumerate(ordered):
            statement = count_before(sort, archived, row)
            assert conn.execute(statement).scalar_one() == position, (sort, row)
            plans.add(plan(conn, statement))
    for text in plans:
        assert "TEMP B-TREE" not in text and "SCAN creators" not in text, text
        used = re.findall(r"USING (COVERING )?INDEX (\w+)", text)
        assert used and {name for _, name in used} == {index}, text
        # Live indexes lead with archived_at, so their counts never read the table.
        assert archived or all(covering for covering, _ in used), text


# ---- the migration ----------------------------------------------------------------------------


def test_upgrade_fills_the_count_and_adds_the_indexes_and_triggers(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old = at_revision(path, BEFORE)
    statuses = list(CampaignStatus)
    with old.engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO brands (id, name, notes, created_at) VALUES"
            " (1, 'Oat', '', '2026-01-01 00:00:00')"
        )
        for n in range(1, 7):
            conn.exec_driver_sql(
                "INSERT INTO creators (id, name, tiktok_handle, followers, tags, commission_bp,"
                " notes, created_at, updated_at, archived_at) VALUES (?, ?, ?, 0, '', 0, '',"
                " '2026-01-01 00:00:00', '2026-01-01 00:00:00', ?)",
                (n, f"C{n}", f"@c{n}", "2026-02-01 00:00:00" if n == 6 else None),
            )
        # creator n gets campaigns in statuses n-1 .. n+4 (wrapping), creator 5 none.
        rows = [
            (n, statuses[(n - 1 + k) % len(statuses)].value)
            for n in (1, 2, 3, 4, 6)
            for k in range(6)
        ]
        for number, (creator_id, status) in enumerate(rows, start=1):
            conn.exec_driver_sql(
                "INSERT INTO campaigns (creator_id, brand_id, name, fee_minor, currency, status,"
                " notes, created_at, updated_at) VALUES (?, 1, ?, 100, 'USD', ?, '',"
                " '2026-01-01 00:00:00', '2026-01-01 00:00:00')",
                (creator_id, f"Deal {number}", status),
            )
        conn.exec_driver_sql("ANALYZE")  # as an import of 1,000 rows or more leaves it
    old.dispose()

    database = dbmod.open_database(str(path))
    assert dbmod.current_revision(database) == dbmod.SCHEMA_HEAD
    expected = {
        n: sum(1 for cid, status in rows if cid == n and CampaignStatus(status) in OPEN)
        for n in range(1, 7)
    }
    assert expected[5] == 0 and len(set(expected.values())) > 2
    with database.transaction() as s:
        conn = s.connection()
        assert stored_counts(conn) == expected == fresh_counts(conn)
        assert TRIGGERS <= schema_objects(conn, "trigger")
        indexes = schema_objects(conn, "index")
        assert SORT_INDEXES <= indexes and not (REPLACED & indexes)
        assert {"ix_creators_archived_at", "ix_creators_name_lower"} <= indexes
        # The file had planner statistics: the new indexes got theirs.
        analyzed = {i for (i,) in conn.exec_driver_sql("SELECT idx FROM sqlite_stat1")}
        assert SORT_INDEXES <= analyzed
        # and the triggers work on the upgraded file
        s.execute(sa.update(Campaign).values(status=CampaignStatus.ACCEPTED))
        assert stored_counts(conn)[1] == 6 and assert_exact(s)[5] == 0
    database.dispose()


def test_downgrade_removes_it_all_and_upgrade_restores_it(tmp_path: Path) -> None:
    path = tmp_path / "t.db"
    reference = at_revision(tmp_path / "ref.db", BEFORE)
    database = dbmod.open_database(str(path))
    with database.transaction() as s:
        mina = factories.creator(s, name="Mina Park", tiktok_handle="@mina.park")
        factories.offer(s, mina)
        factories.offer(s, mina)
        mina_id = mina.id

    def shape(engine: sa.Engine) -> tuple:
        with engine.connect() as conn:
            columns = [r[1:] for r in conn.exec_driver_sql("PRAGMA table_info(creators)")]
            return columns, schema_objects(conn, "index"), schema_objects(conn, "trigger")

    command.downgrade(dbmod.alembic_config(database), BEFORE)
    assert dbmod.current_revision(database) == BEFORE
    assert shape(database.engine) == shape(reference.engine)  # exactly the 0003 schema
    reference.dispose()
    with database.transaction() as s:  # the search index still works after the downgrade
        found = s.execute(sa.text("SELECT rowid FROM creators_fts WHERE creators_fts MATCH 'Park'"))
        assert found.scalars().all() == [mina_id]
        s.execute(sa.update(Campaign).values(status=CampaignStatus.DECLINED))  # no trigger now
    database.dispose()

    database = dbmod.open_database(str(path))
    assert dbmod.current_revision(database) == dbmod.SCHEMA_HEAD
    with database.transaction() as s:
        assert assert_exact(s)[mina_id] == 0  # refilled from what changed meanwhile
        factories.offer(s, s.get(Creator, mina_id))
        assert assert_exact(s)[mina_id] == 1
    database.dispose()


def test_a_downgraded_file_is_plain_sqlite_again(tmp_path: Path) -> None:
    """No trigger left behind that names the dropped column (SQLite would refuse any later
    write to campaigns)."""
    path = tmp_path / "d.db"
    database = dbmod.open_database(str(path))
    command.downgrade(dbmod.alembic_config(database), BEFORE)
    database.dispose()
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        text = " ".join(sql or "" for (sql,) in conn.execute("SELECT sql FROM sqlite_master"))
        assert "open_deals" not in text
