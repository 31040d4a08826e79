"""The roster: finding, paging and describing creators.

The roster can hold 100,000 creators, so nothing here loads it whole: callers ask for a count
and for pages of light rows, ordered and filtered in SQL.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session, col, select

from talent_tui import metrics
from talent_tui.models import Campaign, Creator, Rate, Tab, statuses_in


class CreatorNotFound(LookupError):
    pass


class SortKey(enum.StrEnum):
    NAME = "name"
    FOLLOWERS = "followers"
    ENGAGEMENT = "engagement"


@dataclass(frozen=True, slots=True)
class RosterRow:
    """One line of the roster list: just what the list shows."""

    id: int
    name: str
    tiktok_handle: str
    followers: int
    engagement_rate: float | None

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "name": self.name,
            "tiktok_handle": self.tiktok_handle,
            "followers": self.followers,
            "engagement_rate": self.engagement_rate,
        }


_ROW_COLUMNS = (
    Creator.id,
    Creator.name,
    Creator.tiktok_handle,
    Creator.followers,
    Creator.engagement_rate,
)


@dataclass(frozen=True)
class RosterQuery:
    """A filtered, ordered view of the roster that can be counted and paged."""

    search: str = ""
    sort: SortKey = SortKey.NAME
    include_archived: bool = False

    def _where(self, statement):  # noqa: ANN001, ANN202
        if not self.include_archived:
            statement = statement.where(col(Creator.archived_at).is_(None))
        text = self.search.strip()
        if text:
            pattern = f"%{_escape_like(text.lstrip('@'))}%"
            statement = statement.where(
                sa.or_(
                    col(Creator.name).ilike(pattern, escape="\\"),
                    col(Creator.tiktok_handle).ilike(pattern, escape="\\"),
                )
            )
        return statement

    def _order(self):  # noqa: ANN202
        if self.sort is SortKey.FOLLOWERS:
            return (col(Creator.followers).desc(), col(Creator.id))
        if self.sort is SortKey.ENGAGEMENT:
            return (col(Creator.engagement_rate).desc().nulls_last(), col(Creator.id))
        return (col(Creator.name), col(Creator.id))

    def count(self, session: Session) -> int:
        statement = self._where(sa.select(sa.func.count()).select_from(Creator))
        return session.execute(statement).scalar_one()

    def page(self, session: Session, offset: int, limit: int | None) -> list[RosterRow]:
        statement = self._where(sa.select(*_ROW_COLUMNS)).order_by(*self._order())
        statement = statement.offset(offset).limit(limit)
        return [RosterRow(*row) for row in session.execute(statement)]

    def position_of(self, session: Session, creator_id: int) -> int | None:
        """Index of a creator within this view (for jumping to it), or None if filtered out."""
        numbered = self._where(
            sa.select(
                Creator.id, sa.func.row_number().over(order_by=self._order()).label("position")
            )
        ).subquery()
        statement = sa.select(numbered.c.position).where(numbered.c.id == creator_id)
        position = session.execute(statement).scalar()
        return None if position is None else position - 1


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def list_creators(session: Session, search: str = "", limit: int | None = None) -> list[RosterRow]:
    query = RosterQuery(search=search)
    return query.page(session, 0, limit)


def count_creators(session: Session, include_archived: bool = True) -> int:
    return RosterQuery(include_archived=include_archived).count(session)


def get_creator(session: Session, creator_id: int) -> Creator:
    creator = session.get(Creator, creator_id)
    if creator is None:
        raise CreatorNotFound(f"no creator with id {creator_id}")
    return creator


def find_creator(session: Session, ref: str) -> Creator:
    """A creator by id ("12") or TikTok handle ("@name" or "name")."""
    ref = ref.strip()
    if ref.isdigit():
        return get_creator(session, int(ref))
    handle = "@" + ref.lstrip("@").lower()
    creator = session.exec(select(Creator).where(Creator.tiktok_handle == handle)).first()
    if creator is None:
        raise CreatorNotFound(f"no creator with id or TikTok handle {ref!r}")
    return creator


def search_names(session: Session, text: str, limit: int = 20) -> list[RosterRow]:
    """Creators whose name or handle contains `text`, best matches (prefix) first."""
    rows = RosterQuery(search=text).page(session, 0, limit * 5)
    needle = text.strip().lstrip("@").lower()
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
        id=creator.id,
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
        .where(Campaign.creator_id == creator_id, col(Campaign.status).in_(open_statuses))
    )
    return session.execute(statement).scalar_one()
