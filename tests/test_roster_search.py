"""Short roster searches read by index (services.roster): a one- or two-letter search in name
order merges index runs (names in each case, handles with names), other orders walk their index
when the search is broad. Either way the rows are exactly the generic query's, checked here
against an order computed in Python over names in every case, accents, handles that do not
match the name, ties, NULLs, the archive and a niche filter."""

from __future__ import annotations

import itertools
import random
import sqlite3
from pathlib import Path

import pytest

from talent_tui.services import roster
from talent_tui.services.roster import RosterQuery, SortKey
from talent_tui.store import db as dbmod

FIRST = ["mina", "Mina", "MINA", "mIna", "Lu", "lu", "LUNA", "Émile", "émile", "_x", "%p", "M", "m"]
PREFIXES = ["m", "M", "mi", "MI", "mI", "l", "lu", "LU", "é", "É", "ém", "_", "%", "x", "q", "@m"]


def ascii_lower(text: str) -> str:
    return "".join(ch.lower() if ch.isascii() else ch for ch in text)


@pytest.fixture(scope="module")
def people(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("search") / "talent.db"
    dbmod.open_database(str(path)).dispose()
    rnd = random.Random(11)
    rows = []
    for n in range(400):
        name = f"{rnd.choice(FIRST)}{rnd.choice(['', ' Park', 'x', ' 2'])}"
        handle = rnd.choice(["@m", "@l", "@x", "@é", "@_", "@q"]) + f"h{n}"
        rows.append(
            (
                name,
                handle,
                rnd.choice([0, 10, 10, 500]),
                rnd.choice([None, 0.01, 0.05]),
                rnd.choice([None, -0.1, 0.2]),
                rnd.choice([0, 0, 1, 2]),
                "2026-01-01 00:00:00" if n % 5 == 0 else None,
                rnd.choice(["food", "beauty"]),
            )
        )
    with sqlite3.connect(path) as connection:
        connection.executemany(
            "INSERT INTO creators (name, tiktok_handle, followers, engagement_rate,"
            " follower_growth_30d, open_deals, archived_at, niche, tags, notes, commission_bp,"
            " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, '', '', 0,"
            " '2026-01-01 00:00:00', '2026-01-01 00:00:00')",
            rows,
        )
        connection.execute("ANALYZE")
    return path


def expected(connection: sqlite3.Connection, view: RosterQuery) -> list[int]:
    rows = connection.execute(
        "SELECT id, name, tiktok_handle, followers, engagement_rate, follower_growth_30d,"
        " open_deals, archived_at, niche FROM creators"
    ).fetchall()
    low = ascii_lower(view.search.lstrip("@"))
    kept = [
        r
        for r in rows
        if (r[7] is not None) == view.archived
        and (view.niche is None or r[8] == view.niche)
        and (ascii_lower(r[1]).startswith(low) or (r[2] or "").startswith("@" + low))
    ]

    def nulls_last(value: float | None) -> tuple[bool, float]:
        return (value is None, -(value or 0))

    keys = {
        SortKey.NAME: lambda r: (r[1], r[0]),
        SortKey.FOLLOWERS: lambda r: (-r[3], r[0]),
        SortKey.ENGAGEMENT: lambda r: (*nulls_last(r[4]), r[0]),
        SortKey.GROWTH: lambda r: (*nulls_last(r[5]), r[0]),
        SortKey.OPEN_DEALS: lambda r: (-r[6], r[1], r[0]),
    }
    return [r[0] for r in sorted(kept, key=keys[view.sort])]


@pytest.mark.parametrize("broad", [1_000, 3], ids=["narrow", "broad"])
@pytest.mark.parametrize("sort", list(SortKey))
def test_short_searches_return_exactly_the_ordered_matches(
    people: Path, sort: SortKey, broad: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(roster, "BROAD", broad)  # 3: every search walks the order's index
    connection = sqlite3.connect(people)
    try:
        checked = 0
        for prefix, archived, niche in itertools.product(PREFIXES, [False, True], [None, "food"]):
            view = RosterQuery(search=prefix, sort=sort, archived=archived, niche=niche)
            want = expected(connection, view)
            assert view.count(connection) == len(want)
            for offset, limit in [(0, 60), (0, 5), (5, 7), (len(want) - 2, 5)]:
                offset = max(offset, 0)
                got = [row.id for row in view.page(connection, offset, limit)]
                assert got == want[offset : offset + limit], (prefix, archived, niche, offset)
                checked += bool(got)
        assert checked > 100  # the data gives most prefixes matches
    finally:
        connection.close()


def test_a_name_prefix_page_reads_index_entries_only(people: Path) -> None:
    """Every arm of a two-letter search in name order is an index range read from the index
    alone (COVERING): no table scan and no sort of table rows."""
    plans: list[str] = []
    connection = sqlite3.connect(people)
    connection.set_trace_callback(
        lambda sql: plans.append(sql) if "UNION" in sql and not sql.startswith("EXPLAIN") else None
    )
    try:
        view = RosterQuery(search="mi")
        assert view.page(connection, 0, 60)
        assert len(plans) == 1
        connection.set_trace_callback(None)
        detail = [
            row[3]
            for row in connection.execute(
                "EXPLAIN QUERY PLAN "
                + plans[0].replace("?", "NULL")  # the shape only, not the values
            )
        ]
    finally:
        connection.close()
    reads = [d for d in detail if d.startswith("SEARCH creators USING")]
    arms = [d.split("COVERING INDEX ")[1].split(" ")[0] for d in reads if "COVERING" in d]
    # MI, Mi, mI, mi from the names, then the handles; the page's 60 rows by id.
    assert arms == ["ix_creators_roster_live_name"] * 4 + ["ix_creators_roster_live_handle"]
    assert len(reads) == 6 and "PRIMARY KEY" in reads[0], detail
    assert not any(d.startswith("SCAN creators") for d in detail), detail
