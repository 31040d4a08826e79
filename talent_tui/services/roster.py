"""The roster: finding, paging and describing creators.

The roster can hold 100,000 creators, so nothing here loads it whole: callers ask for a count
and for pages of light rows, ordered and filtered in SQL.

The roster's reads are plain SQL run through a DB-API connection, not the ORM: the TUI's
first frame and `talent creators list` read through the stdlib `sqlite3` driver
(`store.sqlitefile.reading`) before SQLAlchemy is even imported, and everything else passes a
`Session`, whose own connection runs the same statements (`dbapi`). One set of queries, one
set of rules, whichever way in. The few functions that hand out ORM objects (`get_creator`,
`find_creator`) import the ORM when called.
"""

from __future__ import annotations

import enum
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING, Any

from talent_tui.core import fields
from talent_tui.core.errors import DomainError
from talent_tui.core.text import without_controls
from talent_tui.services import metrics
from talent_tui.store.plain import dbapi, fetch_all

if TYPE_CHECKING:
    from sqlmodel import Session

    from talent_tui.store.models import Creator


class CreatorNotFound(DomainError, LookupError):
    pass


class SortKey(enum.StrEnum):
    """Roster orders; the list cycles through them in this order."""

    NAME = "name"
    FOLLOWERS = "followers"
    ENGAGEMENT = "engagement"
    GROWTH = "growth"
    OPEN_DEALS = "open_deals"

    @property
    def label(self) -> str:
        return SORT_LABELS[self]

    def next(self) -> SortKey:
        members = list(SortKey)
        return members[(members.index(self) + 1) % len(members)]


SORT_LABELS = {
    SortKey.NAME: "name",
    SortKey.FOLLOWERS: "followers",
    SortKey.ENGAGEMENT: "engagement",
    SortKey.GROWTH: "30-day growth",
    SortKey.OPEN_DEALS: "open deals",
}

FTS_MIN_CHARS = 3  # the trigram index needs three characters; shorter searches scan
# A short search matching at least this many creators is read by walking the order's index
# and keeping the matches (a few thousand rows at most for a page); a narrower one reads its
# matches and sorts them (at most this many).
BROAD = 1_000


def _is_sqlite(source: Any) -> bool:
    return isinstance(dbapi(source), sqlite3.Connection)


def _has_search_index(source: Any) -> bool:
    if not _is_sqlite(source):
        return False
    found = fetch_all(
        source, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'creators_fts'"
    )
    return bool(found)


# ---- the roster view -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RosterRow:
    """One line of the roster list: just what the list shows."""

    id: int
    name: str
    tiktok_handle: str
    followers: int
    engagement_rate: float | None
    follower_growth_30d: float | None = None
    open_deals: int = 0
    archived: bool = False

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "name": self.name,
            "tiktok_handle": self.tiktok_handle,
            "followers": self.followers,
            "engagement_rate": self.engagement_rate,
            "follower_growth_30d": self.follower_growth_30d,
            "open_deals": self.open_deals,
            "archived": self.archived,
        }


# How many campaigns of a creator are open (pending or active) is stored on the creator and
# kept exact by triggers on campaigns (migration 0004), so the roster can sort on it by index.
ROW_COLUMNS = (
    "id, name, tiktok_handle, followers, engagement_rate, follower_growth_30d, open_deals,"
    " archived_at IS NOT NULL"
)

# Each order as (column, descending); ties are broken by id. A NULL sorts last in every order.
# Every order has a partial index per view (live, archive), see migration 0004.
ORDERS: dict[SortKey, tuple[tuple[str, bool], ...]] = {
    SortKey.NAME: (("name", False),),
    SortKey.FOLLOWERS: (("followers", True),),
    SortKey.ENGAGEMENT: (("engagement_rate", True),),
    SortKey.GROWTH: (("follower_growth_30d", True),),
    SortKey.OPEN_DEALS: (("open_deals", True), ("name", False)),
}
NULLABLE = {"engagement_rate", "follower_growth_30d"}


def _row(values: Sequence[Any]) -> RosterRow:
    (id_, name, handle, followers, engagement, growth, open_deals, archived) = values
    return RosterRow(id_, name, handle, followers, engagement, growth, open_deals, bool(archived))


@dataclass(frozen=True)
class RosterQuery:
    """A filtered, ordered view of the roster that can be counted and paged. Every method
    takes a DB-API connection or an ORM `Session` (see `dbapi`)."""

    search: str = ""
    sort: SortKey = SortKey.NAME
    niche: str | None = None
    tag: str | None = None
    archived: bool = False  # True: the archive (archived creators only)
    # Team mode: only this manager's creators (services.team.Acting.owner_filter), and with
    # `unassigned` the unassigned ones too; None: everyone's. Served by migration 0009's
    # partial indexes led by manager_id.
    manager_id: int | None = None
    unassigned: bool = False

    def describe(self) -> str:
        """What the view shows, for the status line: "archived · niche food · by followers"."""
        parts = []
        if self.manager_id is not None:
            parts.append("mine + unassigned" if self.unassigned else "mine")
        if self.archived:
            parts.append("archived")
        if self.niche:
            parts.append(f"niche {self.niche}")
        if self.tag:
            parts.append(f"#{self.tag}")
        parts.append(f"by {self.sort.label}")
        return " · ".join(parts)

    def _text(self) -> str:
        # A NUL would end the FTS5 phrase early (an SQL error); no control character is ever
        # part of a name or handle, so they are dropped from the search text.
        return without_controls(self.search).lstrip("@").strip()

    def _where(self, source: Any, walk: bool = False) -> tuple[str, list[object]]:
        """The view's WHERE clause and its parameters. `walk`: the search's terms are kept
        from choosing an index (unary +), so SQLite walks the order's index instead."""
        clauses = ["archived_at IS NOT NULL" if self.archived else "archived_at IS NULL"]
        params: list[object] = []
        if self.manager_id is not None:
            owner = "manager_id = ?"
            clauses.append(f"({owner} OR manager_id IS NULL)" if self.unassigned else owner)
            params.append(self.manager_id)
        if self.niche:
            clauses.append("lower(niche) = ?")
            params.append(self.niche.lower())
        if self.tag:
            clauses.append("(';' || lower(tags) || ';') LIKE ? ESCAPE '\\'")
            params.append(f"%;{_escape_like(self.tag.lower())};%")
        text = self._text()
        sqlite = _is_sqlite(source)
        if text and len(text) >= FTS_MIN_CHARS and _has_search_index(source):
            clauses.append("id IN (SELECT rowid FROM creators_fts WHERE creators_fts MATCH ?)")
            params.append('"' + text.replace('"', '""') + '"')
        elif text and len(text) < FTS_MIN_CHARS and not sqlite:
            # PostgreSQL: the same prefixes without lower(), as one range of `name` per way
            # of writing the letters. lower() and LIKE are not leakproof, so under row-level
            # security (team mode, any login but a superuser) PostgreSQL may not use them in
            # an index scan; plain comparisons it may (the roster's name and handle indexes).
            clause, range_params = _pg_prefix(text)
            clauses.append(clause)
            params += range_params
        elif text and len(text) < FTS_MIN_CHARS:
            # One or two characters: names and handles that start with them (indexed ranges).
            low, high = _prefix_range(text)
            plus = "+" if walk else ""
            clauses.append(
                f"(({plus}lower(name) >= ? AND {plus}lower(name) < ?)"
                f" OR ({plus}tiktok_handle >= ? AND {plus}tiktok_handle < ?))"
            )
            params += [low, high, "@" + low, "@" + high]
        elif text:
            # PostgreSQL (or a SQLite file without the FTS table): served on PostgreSQL by
            # migration 0013's trigram indexes, whose expressions these are, word for word.
            # The pattern is lower-cased here the way lower() does it on a "C" column (ASCII
            # only, as SQLite's lower()), whatever the database's own collation would do.
            clauses.append(
                "(lower(name) LIKE ? ESCAPE '\\' OR lower(tiktok_handle) LIKE ? ESCAPE '\\')"
            )
            pattern = f"%{_escape_like(_ascii_lower(text))}%"
            params += [pattern, pattern]
        return " AND ".join(clauses), params

    def _order(self, source: Any) -> str:
        # SQLite sorts NULLs last when descending; others are told (an explicit NULLS LAST
        # would keep SQLite from walking the sort's index).
        nulls_last = "" if _is_sqlite(source) else " NULLS LAST"
        terms = [
            f"{column} DESC{nulls_last if column in NULLABLE else ''}" if descending else column
            for column, descending in ORDERS[self.sort]
        ]
        return ", ".join([*terms, "id"])

    def count(self, source: Any, upto: int | None = None) -> int:
        """How many creators the view holds; with `upto`, counting stops there (a search
        keystroke needs the first page now, the exact number can follow)."""
        where, params = self._where(source)
        if upto is None:
            sql = f"SELECT count(*) FROM creators WHERE {where}"
        else:
            sql = f"SELECT count(*) FROM (SELECT 1 FROM creators WHERE {where} LIMIT ?) AS hits"
            params = [*params, upto]
        return int(fetch_all(source, sql, params)[0][0])

    def page(self, source: Any, offset: int, limit: int | None) -> list[RosterRow]:
        text = self._text()
        if limit is not None and 0 < len(text) < FTS_MIN_CHARS and _is_sqlite(source):
            if self.sort is SortKey.NAME:
                return self._name_prefix_page(source, text, offset, limit)
            if self.count(source, upto=BROAD) >= BROAD:
                return self._page(source, offset, limit, walk=True)
        return self._page(source, offset, limit)

    def _page(
        self, source: Any, offset: int, limit: int | None, walk: bool = False
    ) -> list[RosterRow]:
        where, params = self._where(source, walk)
        sql = f"SELECT {ROW_COLUMNS} FROM creators WHERE {where} ORDER BY {self._order(source)}"
        if limit is not None:
            sql += " LIMIT ? OFFSET ?"
            params += [limit, offset]
        elif offset:
            sql += " LIMIT -1 OFFSET ?" if _is_sqlite(source) else " OFFSET ?"
            params.append(offset)
        return [_row(values) for values in fetch_all(source, sql, params)]

    def _name_prefix_page(self, source: Any, text: str, offset: int, limit: int) -> list[RosterRow]:
        """A page of a one- or two-letter search in name order (SQLite). Read as one match
        list it is every name and handle starting with the letters, sorted: thousands of
        table rows at 100,000 creators. Instead each arm comes from an index in order, from
        index entries alone: the names starting with each case of the letters (name order
        is by code point, so "M…" and "m…" are two runs of the name index) and the handles
        starting with them (the handle-and-name index of migration 0005); only the handle
        arm is sorted, and every arm stops at the page's end."""
        base, params = replace(self, search="")._where(source)
        low, high = _prefix_range(text)
        arms: list[str] = []
        arm_params: list[object] = []
        upto = offset + limit
        for start in _case_variants(low):
            arms.append(
                f"SELECT * FROM (SELECT name, id FROM creators WHERE {base}"
                " AND name >= ? AND name < ? ORDER BY name, id LIMIT ?)"
            )
            arm_params += [*params, start, _after_prefix(start), upto]
        arms.append(
            f"SELECT * FROM (SELECT name, id FROM creators WHERE {base}"
            " AND tiktok_handle >= ? AND tiktok_handle < ? ORDER BY name, id LIMIT ?)"
        )
        arm_params += [*params, "@" + low, "@" + high, upto]
        sql = (
            f"SELECT {ROW_COLUMNS} FROM creators WHERE id IN (SELECT id FROM"
            f" ({' UNION '.join(arms)}) ORDER BY name, id LIMIT ? OFFSET ?) ORDER BY name, id"
        )
        return [_row(values) for values in fetch_all(source, sql, [*arm_params, limit, offset])]

    def position_of(self, source: Any, creator_id: int) -> int | None:
        """Index of a creator within this view (for keeping the cursor on it), or None if
        filtered out: the number of the view's rows that come before it, counted along the
        order's index (a few range counts) instead of numbering every row."""
        where, params = self._where(source)
        order = ORDERS[self.sort]
        columns = ", ".join(column for column, _ in order)
        found = fetch_all(
            source,
            f"SELECT {columns} FROM creators WHERE id = ? AND {where}",
            [creator_id, *params],
        )
        if not found:
            return None
        counts, count_params = [], []
        for condition, condition_params in _before(order, found[0], creator_id):
            counts.append(f"(SELECT count(*) FROM creators WHERE {where} AND {condition})")
            count_params += [*params, *condition_params]
        return int(fetch_all(source, "SELECT " + " + ".join(counts), count_params)[0][0])


def _before(
    order: Sequence[tuple[str, bool]], values: Sequence[object], creator_id: int
) -> list[tuple[str, list[object]]]:
    """Disjoint conditions that together say "comes before the row with `values` (and
    `creator_id`) in `order`, then id": ahead on the first column; or equal there and ahead
    on the second; …; or equal on all and a smaller id. Each is one index range (an OR would
    make SQLite scan), so their counts add up to the position."""
    conditions: list[tuple[str, list[object]]] = []
    equal: list[str] = []
    equal_params: list[object] = []
    for (column, descending), value in zip(order, values, strict=True):
        if value is None:  # NULLs come last: every non-NULL value is ahead
            conditions.append((" AND ".join([*equal, f"{column} IS NOT NULL"]), [*equal_params]))
            equal.append(f"{column} IS NULL")
            continue
        ahead = f"{column} {'>' if descending else '<'} ?"
        conditions.append((" AND ".join([*equal, ahead]), [*equal_params, value]))
        equal.append(f"{column} = ?")
        equal_params.append(value)
    conditions.append((" AND ".join([*equal, "id < ?"]), [*equal_params, creator_id]))
    return conditions


def _ascii_lower(text: str) -> str:
    """`text` lower-cased the way SQLite's lower(), and PostgreSQL's on a "C" column, do it:
    ASCII letters only."""
    return "".join(ch.lower() if ch.isascii() else ch for ch in text)


def _prefix_range(text: str) -> tuple[str, str]:
    """[low, high) covering every string that starts with `text`, lower-cased the way SQLite's
    lower() does it (ASCII only)."""
    low = _ascii_lower(text)
    return low, _after_prefix(low)


def _pg_prefix(text: str) -> tuple[str, list[object]]:
    """The short search's condition on PostgreSQL: the names that start with any case of
    `text` (what `lower(name) >= low AND lower(name) < high` finds, as ranges of `name`) or
    the handles that start with "@" and the lower-cased text (as on SQLite)."""
    low, high = _prefix_range(text)
    ranges = ["(tiktok_handle >= ? AND tiktok_handle < ?)"]
    params: list[object] = ["@" + low, "@" + high]
    for start in _case_variants(low):
        ranges.append("(name >= ? AND name < ?)")
        params += [start, _after_prefix(start)]
    return "(" + " OR ".join(ranges) + ")", params


def _after_prefix(text: str) -> str:
    """The least string above every string that starts with `text`."""
    return text[:-1] + chr(ord(text[-1]) + 1)


def _case_variants(low: str) -> list[str]:
    """Every way of writing `low` (lower-cased by `_prefix_range`) that SQLite's lower()
    maps back to it: each ASCII letter in either case ("lu": "LU", "Lu", "lU", "lu")."""
    variants = [""]
    for ch in low:
        cases = (ch.upper(), ch) if ch.isascii() and ch.isalpha() else (ch,)
        variants = [v + c for v in variants for c in cases]
    return variants


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def list_creators(source: Any, search: str = "", limit: int | None = None) -> list[RosterRow]:
    query = RosterQuery(search=search)
    return query.page(source, 0, limit)


def count_creators(source: Any, include_archived: bool = True) -> int:
    live = RosterQuery().count(source)
    return live + RosterQuery(archived=True).count(source) if include_archived else live


def get_creator(session: Session, creator_id: int) -> Creator:
    from talent_tui.store.models import Creator

    creator = session.get(Creator, creator_id)
    if creator is None:
        raise CreatorNotFound(f"no creator with id {creator_id}")
    return creator


def find_creator(session: Session, ref: str) -> Creator:
    """A creator by id ("12") or TikTok handle ("@name" or "name")."""
    from sqlmodel import select

    from talent_tui.store.models import Creator

    ref = ref.strip()
    if ref.isascii() and ref.isdigit():
        number = fields.row_id(ref)
        if number is None:
            raise CreatorNotFound(f"no creator with id {ref}")
        return get_creator(session, number)
    handle = "@" + ref.lstrip("@").lower()
    creator = session.exec(select(Creator).where(Creator.tiktok_handle == handle)).first()
    if creator is None:
        raise CreatorNotFound(f"no creator with id or TikTok handle {ref!r}")
    return creator


def search_names(
    source: Any, text: str, limit: int = 20, archived: bool = False
) -> list[RosterRow]:
    """Creators whose name or handle contains `text`, best matches (prefix) first."""
    rows = RosterQuery(search=text, archived=archived).page(source, 0, limit * 5)
    needle = without_controls(text).lstrip("@").lower()
    rows.sort(key=lambda r: (not r.name.lower().startswith(needle), r.name.lower()))
    return rows[:limit]


@dataclass(frozen=True, slots=True)
class RateLine:
    deliverable: str
    amount_minor: int
    currency: str
    updated_on: date


@dataclass(frozen=True)
class CreatorProfile:
    """Everything the stats-and-rates panel shows for one creator."""

    id: int
    name: str
    tiktok_handle: str
    instagram_handle: str | None
    youtube_handle: str | None
    niche: str | None
    tags: list[str]
    commission_bp: int
    archived: bool
    metrics: metrics.CreatorMetrics
    rates: list[RateLine]


DELIVERABLE_ORDER = tuple(fields.DELIVERABLE_KINDS)


def profile(source: Any, creator_id: int) -> CreatorProfile:
    """The stats-and-rates panel of one creator (three indexed reads, no ORM)."""
    found = fetch_all(
        source,
        "SELECT name, tiktok_handle, instagram_handle, youtube_handle, niche, tags,"
        " commission_bp, archived_at IS NOT NULL, followers, engagement_rate"
        " FROM creators WHERE id = ?",
        (creator_id,),
    )
    if not found:
        raise CreatorNotFound(f"no creator with id {creator_id}")
    (name, handle, instagram, youtube, niche, tags, commission, archived, followers, rate) = found[
        0
    ]
    rates = fetch_all(
        source,
        "SELECT deliverable, amount_minor, currency, updated_at FROM rates WHERE creator_id = ?",
        (creator_id,),
    )
    order = {name: index for index, name in enumerate(DELIVERABLE_ORDER)}
    rate_lines = sorted(
        (
            RateLine(str(d), amount, currency, _utc_day(updated))
            for d, amount, currency, updated in rates
        ),
        key=lambda line: (order.get(line.deliverable, len(order)), line.deliverable),
    )
    summary = metrics.summarize(metrics.snapshot_rows(source, creator_id))
    if summary.followers is None:
        # No history yet: the roster's figures are all we know.
        summary = metrics.CreatorMetrics(None, followers, None, rate, None, [])
    return CreatorProfile(
        id=creator_id,
        name=name,
        tiktok_handle=handle,
        instagram_handle=instagram,
        youtube_handle=youtube,
        niche=niche,
        tags=[t for t in tags.split(";") if t],
        commission_bp=commission,
        archived=bool(archived),
        metrics=summary,
        rates=rate_lines,
    )


def _utc_day(value: object) -> date:
    """The UTC day of a stored timestamp (stored as naive UTC: the text's first ten
    characters on SQLite, a datetime elsewhere)."""
    if isinstance(value, date):
        return value if type(value) is date else value.date()  # type: ignore[attr-defined]
    return date.fromisoformat(str(value)[:10])


@dataclass(frozen=True)
class Contact:
    """What `creators list --json` adds to a roster row: niche, tags, e-mail, commission."""

    niche: str | None
    tags: list[str]
    email: str | None
    commission_bp: int  # basis points: 1500 is 15%


def contacts(source: Any, creator_ids: Sequence[int]) -> dict[int, Contact]:
    """The `Contact` of each creator in `creator_ids` (read in chunks: a listing can hold the
    whole roster)."""
    found: dict[int, Contact] = {}
    ids = list(creator_ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ", ".join("?" * len(chunk))
        for id_, niche, tags, email, commission in fetch_all(
            source,
            f"SELECT id, niche, tags, email, commission_bp FROM creators WHERE id IN ({marks})",
            chunk,
        ):
            found[id_] = Contact(
                niche, [t for t in (tags or "").split(";") if t], email, commission
            )
    return found


def open_deal_count(source: Any, creator_id: int) -> int:
    found = fetch_all(source, "SELECT open_deals FROM creators WHERE id = ?", (creator_id,))
    return int(found[0][0]) if found else 0


@dataclass(frozen=True)
class Facets:
    """Niches and tags in use on the live roster, with how many creators carry each."""

    niches: list[tuple[str, int]]
    tags: list[tuple[str, int]]


def facets(source: Any) -> Facets:
    niche_rows = fetch_all(
        source,
        "SELECT niche, count(*) FROM creators WHERE archived_at IS NULL AND niche IS NOT NULL"
        " GROUP BY niche ORDER BY count(*) DESC, niche",
    )
    tag_counts: dict[str, int] = {}
    for (tags,) in fetch_all(
        source, "SELECT tags FROM creators WHERE archived_at IS NULL AND tags != ''"
    ):
        for tag in tags.split(";"):
            if tag:
                tag_counts[tag] = tag_counts.get(tag, 0) + 1
    tag_rows = sorted(tag_counts.items(), key=lambda item: (-item[1], item[0]))
    return Facets([(n, c) for n, c in niche_rows], tag_rows)
