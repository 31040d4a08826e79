"""Domain services against a real (temporary) SQLite store holding the demo roster."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from sqlmodel import select

from talent_tui.core import money
from talent_tui.services import campaigns, metrics, roster
from talent_tui.store.db import Database
from talent_tui.store.models import Campaign, CampaignStatus, Creator, Rate, Tab

from .conftest import TODAY


def test_demo_meets_the_brief(demo_db: Database) -> None:
    with demo_db.session() as s:
        creators = s.exec(select(Creator)).all()
        assert len(creators) >= 30
        assert sum(any("\uac00" <= ch <= "\ud7a3" for ch in c.name) for c in creators) >= 3
        statuses = {c.status for c in s.exec(select(Campaign)).all()}
        assert {models_tab for models_tab in map(campaigns.TAB_OF_STATUS.get, statuses)} == set(Tab)
        currencies = s.execute(sa.select(sa.func.count(sa.distinct(Campaign.currency)))).scalar()
        assert currencies >= 2
        assert s.execute(sa.select(sa.func.count()).select_from(Campaign)).scalar() >= 150


def test_search_matches_name_or_handle_case_insensitively(demo_db: Database) -> None:
    with demo_db.session() as s:
        assert [r.name for r in roster.list_creators(s, search="김하늘")] == ["김하늘"]
        assert [r.tiktok_handle for r in roster.list_creators(s, search="@HANEUL")] == [
            "@haneul.eats"
        ]
        assert roster.list_creators(s, search="no such creator") == []
        # LIKE wildcards in the search text are literal
        assert roster.list_creators(s, search="%") == []
        everyone = roster.list_creators(s)
        assert len(everyone) == roster.count_creators(s)
        assert [r.name for r in everyone] == sorted(r.name for r in everyone)


def test_archived_creators_leave_the_roster(demo_db: Database) -> None:
    with demo_db.transaction() as s:
        creator = roster.find_creator(s, "@haneul.eats")
        creator.archived_at = datetime.now(UTC)
    with demo_db.session() as s:
        assert roster.list_creators(s, search="haneul") == []
        assert roster.count_creators(s, include_archived=False) == roster.count_creators(s) - 1


def test_profile_shows_latest_snapshot_and_rates_as_stored(demo_db: Database) -> None:
    with demo_db.session() as s:
        creator = roster.find_creator(s, "haneul.eats")
        profile = roster.profile(s, creator.id)
        stored_rates = s.exec(select(Rate).where(Rate.creator_id == creator.id)).all()
        history = metrics.snapshots(s, creator.id)
    assert profile.metrics.followers == history[-1].followers == creator.followers
    assert profile.metrics.avg_views == history[-1].avg_views
    assert {(r.deliverable, r.amount_minor, r.currency) for r in profile.rates} == {
        (r.deliverable, r.amount_minor, r.currency) for r in stored_rates
    }
    assert [r.deliverable for r in profile.rates][0] == "video"
    assert len(profile.metrics.followers_trend) == 12


def test_growth_interpolates_between_snapshots() -> None:
    points = [
        metrics.Point(date(2026, 1, 1), 1000),
        metrics.Point(date(2026, 1, 31), 1300),
        metrics.Point(date(2026, 3, 2), 1600),
    ]
    # 30 days before 2 Mar is 31 Jan: 1300 -> 1600
    assert metrics.growth(points, 30) == pytest.approx(300 / 1300)
    assert metrics.value_at(points, date(2026, 1, 16)) == pytest.approx(1150)
    assert metrics.growth(points[:1], 30) is None
    assert metrics.growth([], 30) is None


def test_each_tab_holds_exactly_its_statuses(demo_db: Database) -> None:
    with demo_db.session() as s:
        creator = roster.find_creator(s, "@haneul.eats")
        rows = campaigns.by_tab(s, creator.id, TODAY)
        counts = campaigns.tab_counts(s, creator.id)
        stored = s.exec(select(Campaign).where(Campaign.creator_id == creator.id)).all()
    for tab in Tab:
        expected = {c.id for c in stored if campaigns.TAB_OF_STATUS[c.status] is tab}
        assert {r.id for r in rows[tab]} == expected
        assert counts[tab] == len(expected)
    assert all(counts[tab] > 0 for tab in Tab)


def test_status_text_names_the_state_and_time_left() -> None:
    offer = Campaign(
        creator_id=1,
        brand_id=1,
        name="x",
        fee_minor=1,
        currency="USD",
        status=CampaignStatus.OFFER_RECEIVED,
        respond_by=date(2026, 11, 3),
    )
    assert campaigns.status_text(offer, TODAY) == ("New offer · 2d", True)
    offer.respond_by = date(2026, 10, 30)
    assert campaigns.status_text(offer, TODAY) == ("New offer · 2d late", True)
    offer.respond_by = date(2026, 11, 20)
    assert campaigns.status_text(offer, TODAY) == ("New offer · 19d", False)
    offer.status = CampaignStatus.DECLINED
    assert campaigns.status_text(offer, TODAY) == ("Declined", False)


@pytest.mark.parametrize(
    ("amount", "currency", "minor"),
    [("1,250.50", "USD", 125050), ("1500000", "KRW", 1500000), ("0.5", "EUR", 50)],
)
def test_money_round_trips_in_minor_units(amount: str, currency: str, minor: int) -> None:
    assert money.to_minor(amount, currency) == minor
    assert money.format_money(minor, currency).endswith(currency)


def test_money_rejects_precision_the_currency_does_not_have() -> None:
    with pytest.raises(money.MoneyError):
        money.to_minor("10.5", "KRW")
    with pytest.raises(money.MoneyError):
        money.to_minor("10.505", "USD")
    with pytest.raises(money.MoneyError):
        money.normalize_currency("XYZ1")


def test_short_fee_never_rounds_small_amounts() -> None:
    assert money.format_short(1_205_000, "USD") == "12,050 USD"
    assert money.format_short(149_950, "USD") == "1,499.50 USD"
    assert money.format_short(9_150_000, "KRW") == "9.15M KRW"
    assert money.format_whole(9_150_000, "KRW") == "9,150,000 KRW"
