"""Metrics worked out by hand from fixed snapshots, and the fit score's properties."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from talent_tui.io import importers
from talent_tui.services import brands, fit, metrics, roster
from talent_tui.store.db import Database
from talent_tui.store.models import Brand

SNAPSHOTS = """\
tiktok_handle,captured_on,followers,avg_views,six_sec_view_rate,completion_rate,engagement_rate,likes,comments,shares
@fix.ed,2026-01-01,10000,5000,0.50,0.20,4.0%,800,100,100
@fix.ed,2026-01-31,11000,5200,0.52,0.21,4.4%,900,60,40
@fix.ed,2026-03-02,12100,5400,0.55,0.22,4.8%,1000,150,50
@fix.ed,2026-04-01,13310,6000,0.61,0.25,5.0%,1200,200,100
"""


@pytest.fixture
def fixed(database: Database, tmp_path) -> int:  # noqa: ANN001
    creators = tmp_path / "c.csv"
    creators.write_text("name,tiktok_handle\nFix Ed,@fix.ed\n", encoding="utf-8")
    importers.import_file(database, "creators", creators)
    snaps = tmp_path / "m.csv"
    snaps.write_text(SNAPSHOTS, encoding="utf-8")
    importers.import_file(database, "metrics", snaps)
    with database.session() as s:
        return roster.find_creator(s, "@fix.ed").id


def test_key_metrics_from_the_latest_snapshot(database: Database, fixed: int) -> None:
    with database.session() as s:
        m = roster.profile(s, fixed).metrics
    assert m.captured_on == date(2026, 4, 1)
    assert (m.followers, m.avg_views) == (13310, 6000)
    assert (m.six_sec_view_rate, m.completion_rate, m.engagement_rate) == (0.61, 0.25, 0.05)
    # likes 1200, comments 200, shares 100 of 1500 interactions
    assert m.split == metrics.EngagementSplit(0.8, 200 / 1500, 100 / 1500)


def test_growth_over_30_and_90_days(database: Database, fixed: int) -> None:
    with database.session() as s:
        m = roster.profile(s, fixed).metrics
    # 30 days before 1 Apr is 2 Mar exactly: 12100 -> 13310 = +10 %
    assert m.follower_growth_30d == pytest.approx(0.10)
    # 90 days before 1 Apr is 1 Jan exactly: 10000 -> 13310 = +33.1 %
    assert m.follower_growth_90d == pytest.approx(0.331)
    # engagement 4.8 % -> 5.0 % is +4.1667 % relative; 4.0 % -> 5.0 % is +25 %
    assert m.engagement_growth_30d == pytest.approx(0.05 / 0.048 - 1)
    assert m.engagement_growth_90d == pytest.approx(0.25)


def test_growth_between_snapshots_is_interpolated() -> None:
    points = [metrics.Point(date(2026, 1, 1), 100), metrics.Point(date(2026, 1, 11), 200)]
    # 5 days before 11 Jan is 6 Jan, half way: 150 -> 200 = +33.3 %
    assert metrics.growth(points, 5) == pytest.approx(200 / 150 - 1)
    assert metrics.growth(points, 30) is None  # before the first snapshot: unknown


def test_metric_history_for_charts(database: Database, fixed: int) -> None:
    with database.session() as s:
        points = metrics.history_points(s, fixed, "followers", since=date(2026, 2, 1))
        with pytest.raises(ValueError):
            metrics.history_points(s, fixed, "height")
    assert [(p.day, p.value) for p in points] == [
        (date(2026, 3, 2), 12100),
        (date(2026, 4, 1), 13310),
    ]


GENDER = {"female": 0.6, "male": 0.4}


def test_identical_audiences_fit_100() -> None:
    profile = {"gender": GENDER, "age": {"18-24": 0.5, "25-34": 0.5}}
    assert fit.score(profile, profile).score == 100


def test_disjoint_audiences_fit_0() -> None:
    result = fit.score({"country": {"KR": 1.0}}, {"country": {"US": 0.7, "CA": 0.3}})
    assert result.score == 0
    assert "country does not match (0%)" in result.reason
    assert "brand wants US 70%, audience has 0%" in result.reason


def test_fit_is_symmetric_and_worked_by_hand() -> None:
    a = {"gender": {"female": 0.6, "male": 0.4}, "age": {"18-24": 1.0}}
    b = {"gender": {"female": 0.3, "male": 0.7}, "age": {"18-24": 0.5, "25-34": 0.5}}
    # gender: min(.6,.3)+min(.4,.7) = .7 ; age: min(1,.5) = .5 ; mean .6 -> 60
    assert fit.score(a, b).score == fit.score(b, a).score == 60
    assert [round(d.overlap, 6) for d in fit.score(a, b).dimensions] == [0.7, 0.5]


def test_fit_normalises_and_skips_unknown_dimensions() -> None:
    audience = {"gender": {"female": 60, "male": 40}}  # not summing to 1
    target = {"gender": GENDER, "country": {"US": 1.0}}
    result = fit.score(audience, target)
    assert result.score == 100 and [d.dimension for d in result.dimensions] == ["gender"]
    assert fit.score({}, target) is None


def test_ranking_for_a_brand_is_best_first(demo_db: Database) -> None:
    with demo_db.session() as s:
        brand = s.exec(select(Brand).order_by(Brand.name)).first()
        ranked = fit.rank_for_brand(s, brand.id)
        assert ranked and ranked == sorted(
            ranked, key=lambda r: (-r.fit.score, -r.followers, r.name)
        )
        top = ranked[0]
        assert fit.fit_for(s, top.creator_id, brand.id).score == top.fit.score
        assert brands.find_brand(s, brand.name.upper()).id == brand.id
        with pytest.raises(LookupError):
            brands.find_brand(s, "No Such Brand")
