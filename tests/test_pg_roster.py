"""The roster's reads give the same rows in the same order on both stores (issue 17): every
sort, live and archived, ties by id and missing figures last, counted and positioned; on
PostgreSQL through a session (the plain-SQL path of `services.roster`), on SQLite through the
stdlib reader as the app does."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest
from sqlmodel import select

from talent_tui.services import roster
from talent_tui.services.roster import RosterQuery, SortKey
from talent_tui.store import db as dbmod
from talent_tui.store.models import Creator
from tests import factories
from tests.test_startup import _reference_order


@pytest.fixture
def varied(database: dbmod.Database) -> dbmod.Database:
    """Creators with tied followers, missing figures, archived ones and open deals."""
    rng = random.Random(5)
    with database.transaction() as s:
        made = []
        for i in range(40):
            fields = {
                "name": f"Creator {rng.choice('ABCD')}{i % 7}",
                "followers": rng.choice([1_000, 2_000, 2_000, 5_000, 3_000_000_000]),
                "niche": rng.choice(["food", "tech"]),
            }
            if rng.random() < 0.7:
                fields["engagement_rate"] = rng.choice(["2%", "3.5%", "3.5%"])
            made.append(factories.creator(s, **fields))
        for c in made[:15]:
            factories.offer(s, c)
        for c in made[::9]:
            c.archived_at = datetime.now(UTC)
            s.add(c)
        for c in made[::4]:
            c.follower_growth_30d = rng.choice([None, 0.1, -0.05, 0.1])
            s.add(c)
    return database


@pytest.mark.parametrize("sort", list(SortKey))
@pytest.mark.parametrize("archived", [False, True])
def test_every_sort_reads_the_documented_order(
    varied: dbmod.Database, sort: SortKey, archived: bool
) -> None:
    with varied.session() as s:
        everyone = list(s.exec(select(Creator)))
        deals = {c.id or 0: roster.open_deal_count(s, c.id or 0) for c in everyone}
    view = [c for c in everyone if (c.archived_at is not None) == archived]
    expected = _reference_order(view, deals, sort)
    query = RosterQuery(sort=sort, archived=archived)
    with varied.reading() as connection:
        rows = query.page(connection, 0, None)
        assert query.count(connection) == len(expected)
        assert [r.id for r in rows] == [c.id for c in expected]
        for row in rows:
            assert row.open_deals == deals[row.id]  # the stored count, kept by triggers
            assert query.position_of(connection, row.id) == rows.index(row)
        assert [r.id for r in query.page(connection, 7, 5)] == [c.id for c in expected[7:12]]
