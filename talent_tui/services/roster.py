"""The roster: finding, paging and describing creators.

The roster can hold 100,000 creators, so nothing here loads it whole: callers ask for a count
and for pages of light rows, ordered and filtered in SQL.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlmodel import Session, col, select

from talent_tui.core import fields
from talent_tui.core.errors import DomainError
from talent_tui.core.text import without_controls
from talent_tui.services import metrics
from talent_tui.store.models import Campaign, Creator, Rate, Tab, statuses_in


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

OPEN_STATUSES = statuses_in(Tab.PENDING) + statuses_in(Tab.ACTIVE)
FTS_MIN_CHARS = 3  # the trigram index needs three characters; shorter searches scan


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


def _open_deals_column() -> sa.ScalarSelect[int]:
    return (
        sa.select(sa.func.count())
        .select_from(Campaign)
        .where(col(Campaign.creator_id) == col(Creator.id), col(Campaign.status).in_(OPEN_STATUSES))
        .correlate(Creator)
        .scalar_subquery()
    )


def _row_columns() -> tuple[Any, ...]:
    return (
        Creator.id,
        Creator.name,
        Creator.tiktok_handle,
        Creator.followers,
        Creator.engagement_rate,
        Creator.follower_growth_30d,
        _open_deals_column().label("open_deals"),
        col(Creator.archived_at).is_not(None).label("archived"),
    )


# A statement _where narrows: a count, a page of rows or a numbered subquery.
SelectT = TypeVar("SelectT", bound=sa.Select[Any])


@dataclass(frozen=True)
class RosterQuery:
    """A filtered, ordered view of the roster that can be counted and paged."""

    search: str = ""
    sort: SortKey = SortKey.NAME
    niche: str | None = None
    tag: str | None = None
    archived: bool = False  # True: the archive (archived creators only)

    def describe(self) -> str:
        """What the view shows, for the status line: "archived · niche food · by followers"."""
        parts = []
        if self.archived:
            parts.append("archived")
        if self.niche:
            parts.append(f"niche {self.niche}")
        if self.tag:
            parts.append(f"#{self.tag}")
        parts.append(f"by {self.sort.label}")
        return " · ".join(parts)

    def _where(self, statement: SelectT, session: Session) -> SelectT:
        if self.archived:
            statement = statement.where(col(Creator.archived_at).is_not(None))
        else:
            statement = statement.where(col(Creator.archived_at).is_(None))
        if self.niche:
            statement = statement.where(sa.func.lower(Creator.niche) == self.niche.lower())
        if self.tag:
            pattern = f"%;{_escape_like(self.tag.lower())};%"
            statement = statement.where(
                (";" + sa.func.lower(Creator.tags) + ";").like(pattern, escape="\\")
            )
        # A NUL would end the FTS5 phrase early (an SQL error); no control character is ever
        # part of a name or handle, so they are dropped from the search text.
        text = without_controls(self.search).lstrip("@").strip()
        if not text:
            return statement
        if len(text) >= FTS_MIN_CHARS and _has_search_index(session):
            phrase = '"' + text.replace('"', '""') + '"'
            matches = sa.text("SELECT rowid FROM creators_fts WHERE creators_fts MATCH :q")
            return statement.where(
                col(Creator.id).in_(matches.bindparams(q=phrase).columns(sa.column("rowid")))
            )
        if len(text) < FTS_MIN_CHARS:
            # One or two characters: names and handles that start with them (indexed ranges).
            low, high = _prefix_range(text)
            return statement.where(
                sa.or_(
                    sa.and_(sa.func.lower(Creator.name) >= low, sa.func.lower(Creator.name) < high),
                    sa.and_(
                        col(Creator.tiktok_handle) >= "@" + low,
                        col(Creator.tiktok_handle) < "@" + high,
                    ),
                )
            )
        pattern = f"%{_escape_like(text)}%"
        return statement.where(
            sa.or_(
                col(Creator.name).ilike(pattern, escape="\\"),
                col(Creator.tiktok_handle).ilike(pattern, escape="\\"),
            )
        )

    def _order(self) -> tuple[Any, ...]:
        if self.sort is SortKey.FOLLOWERS:
            return (col(Creator.followers).desc(), col(Creator.id))
        if self.sort is SortKey.ENGAGEMENT:
            return (col(Creator.engagement_rate).desc().nulls_last(), col(Creator.id))
        if self.sort is SortKey.GROWTH:
            return (col(Creator.follower_growth_30d).desc().nulls_last(), col(Creator.id))
        if self.sort is SortKey.OPEN_DEALS:
            return (_open_deals_column().desc(), col(Creator.name), col(Creator.id))
        return (col(Creator.name), col(Creator.id))

    def count(self, session: Session) -> int:
        statement = self._where(sa.select(sa.func.count()).select_from(Creator), session)
        return int(session.execute(statement).scalar_one())

    def page(self, session: Session, offset: int, limit: int | None) -> list[RosterRow]:
        statement = self._where(sa.select(*_row_columns()), session).order_by(*self._order())
        statement = statement.offset(offset).limit(limit)
        return [RosterRow(*row) for row in session.execute(statement)]

    def position_of(self, session: Session, creator_id: int) -> int | None:
        """Index of a creator within this view (for jumping to it), or None if filtered out."""
        numbered = self._where(
            sa.select(
                col(Creator.id),
                sa.func.row_number().over(order_by=self._order()).label("position"),
            ),
            session,
        ).subquery()
        statement = sa.select(numbered.c.position).where(numbered.c.id == creator_id)
        position = session.execute(statement).scalar()
        return None if position is None else position - 1


def _prefix_range(text: str) -> tuple[str, str]:
    """[low, high) covering every string that starts with `text`, lower-cased the way SQLite's
    lower() does it (ASCII only)."""
    low = "".join(ch.lower() if ch.isascii() else ch for ch in text)
    return low, low[:-1] + chr(ord(low[-1]) + 1)


def _has_search_index(session: Session) -> bool:
    bind = session.get_bind()
    if bind.dialect.name != "sqlite":
        return False
    found = session.execute(
        sa.text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'creators_fts'")
    ).first()
    return found is not None


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def list_creators(session: Session, search: str = "", limit: int | None = None) -> list[RosterRow]:
    query = RosterQuery(search=search)
    return query.page(session, 0, limit)


def count_creators(session: Session, include_archived: bool = True) -> int:
    live = RosterQuery().count(session)
    return live + RosterQuery(archived=True).count(session) if include_archived else live


def get_creator(session: Session, creator_id: int) -> Creator:
    creator = session.get(Creator, creator_id)
    if creator is None:
        raise CreatorNotFound(f"no creator with id {creator_id}")
    return creator


def find_creator(session: Session, ref: str) -> Creator:
    """A creator by id ("12") or TikTok handle ("@name" or "name")."""
    ref = ref.strip()
    if ref.isdigit():
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
    session: Session, text: str, limit: int = 20, archived: bool = False
) -> list[RosterRow]:
    """Creators whose name or handle contains `text`, best matches (prefix) first."""
    rows = RosterQuery(search=text, archived=archived).page(session, 0, limit * 5)
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


DELIVERABLE_ORDER = ("video", "live", "story", "bundle", "ugc")


def profile(session: Session, creator_id: int) -> CreatorProfile:
    creator = get_creator(session, creator_id)
    history = metrics.snapshots(session, creator_id)
    rates = session.exec(select(Rate).where(Rate.creator_id == creator_id)).all()
    order = {name: index for index, name in enumerate(DELIVERABLE_ORDER)}
    rate_lines = sorted(
        (RateLine(r.deliverable, r.amount_minor, r.currency, r.updated_at.date()) for r in rates),
        key=lambda line: (order.get(line.deliverable, len(order)), line.deliverable),
    )
    summary = metrics.summarize(history)
    if summary.followers is None:
        # No history yet: the roster's figures are all we know.
        summary = metrics.CreatorMetrics(
            None, creator.followers, None, creator.engagement_rate, None, []
        )
    return CreatorProfile(
        id=creator_id,
        name=creator.name,
        tiktok_handle=creator.tiktok_handle,
        instagram_handle=creator.instagram_handle,
        youtube_handle=creator.youtube_handle,
        niche=creator.niche,
        tags=[t for t in creator.tags.split(";") if t],
        commission_bp=creator.commission_bp,
        archived=creator.archived_at is not None,
        metrics=summary,
        rates=rate_lines,
    )


def open_deal_count(session: Session, creator_id: int) -> int:
    open_statuses = statuses_in(Tab.PENDING) + statuses_in(Tab.ACTIVE)
    statement = (
        sa.select(sa.func.count())
        .select_from(Campaign)
        .where(col(Campaign.creator_id) == creator_id, col(Campaign.status).in_(open_statuses))
    )
    return int(session.execute(statement).scalar_one())


@dataclass(frozen=True)
class Facets:
    """Niches and tags in use on the live roster, with how many creators carry each."""

    niches: list[tuple[str, int]]
    tags: list[tuple[str, int]]


def facets(session: Session) -> Facets:
    live = col(Creator.archived_at).is_(None)
    niche_rows = session.execute(
        sa.select(col(Creator.niche), sa.func.count())
        .where(live, col(Creator.niche).is_not(None))
        .group_by(col(Creator.niche))
        .order_by(sa.func.count().desc(), col(Creator.niche))
    ).all()
    tag_counts: dict[str, int] = {}
    for (tags,) in session.execute(
        sa.select(col(Creator.tags)).where(live, col(Creator.tags) != "")
    ):
        for tag in tags.split(";"):
            if tag:
                tag_counts[tag] = tag_counts.get(tag, 0) + 1
    tag_rows = sorted(tag_counts.items(), key=lambda item: (-item[1], item[0]))
    return Facets([(n, c) for n, c in niche_rows], tag_rows)
