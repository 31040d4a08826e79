"""One rule for a share shown as a percent (half up, in core, used by the metrics screen, the
stats panel and the media kit), labels as people write them, and the media kit's file name."""

from __future__ import annotations

import math
from datetime import date

import pytest
from rich.console import Console

from talent_tui.app import TalentApp
from talent_tui.core.labels import file_stem, label
from talent_tui.core.shares import format_share, share_percent
from talent_tui.io import render
from talent_tui.screens.document import DocumentScreen
from talent_tui.screens.metrics import bars
from talent_tui.services import creators, reports
from talent_tui.store.db import Database
from talent_tui.store.models import AudienceSegment, Dimension

from . import factories
from .conftest import TODAY, settle


@pytest.mark.parametrize(
    ("share", "percent"),
    [
        (0.575, 58),  # 57.5 → 58 (Python's f"{0.575:.0%}" says 57)
        (0.125, 13),  # 12.5 → 13 (half to even would say 12)
        (0.875, 88),
        (0.005, 1),
        (0.0049, 0),
        (0.5749, 57),
        (0.995, 100),
        (0.585, 59),
        (0.0, 0),
        (1.0, 100),
        (0.575 / 0.9999999999999999, 58),  # rescaled by a total of one, give or take
    ],
)
def test_a_share_rounds_half_up_to_a_whole_percent(share: float, percent: int) -> None:
    assert share_percent(share) == percent
    assert format_share(share) == f"{percent}%"


def test_no_share_is_a_dash() -> None:
    assert format_share(None) == "—"
    assert format_share(math.nan) == "—"
    with pytest.raises(ValueError):
        share_percent(math.inf)


def test_labels_read_as_people_write_them() -> None:
    assert [label(v) for v in ("ugc", "video", "in_production", "tiktok", "UGC")] == [
        "UGC", "Video", "In production", "TikTok", "UGC",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "stem"),
    [
        ("@haneul.eats", "haneul.eats"),
        ("@ren.kicks", "ren.kicks"),
        ("@../../etc/passwd", "etc-passwd"),
        ("김하늘 / Seoul", "김하늘-Seoul"),
        ("@a\x1b[31mb", "a-31mb"),
        ("@@@", "creator"),
        ("", "creator"),
    ],
)
def test_a_file_stem_from_a_handle(text: str, stem: str) -> None:
    assert file_stem(text) == stem


def _creator_with_shares(database: Database) -> int:
    with database.transaction() as s:
        creator = factories.creator(s, name="Share Test", tiktok_handle="@share.test")
        creators.set_rate(s, creator.id, "ugc", "1,000 USD")
        for dimension, bucket, share in (
            (Dimension.GENDER, "female", 0.575),
            (Dimension.GENDER, "male", 0.425),
            (Dimension.AGE, "18-24", 0.125),
            (Dimension.AGE, "25-34", 0.875),
            (Dimension.COUNTRY, "KR", 1.0),
        ):
            s.add(
                AudienceSegment(
                    creator_id=creator.id,
                    captured_on=date(2026, 10, 1),
                    dimension=dimension,
                    bucket=bucket,
                    share=share,
                )  # fmt: skip
            )
        return creator.id


def _text(renderable) -> str:  # noqa: ANN001
    console = Console(width=80, record=True)
    console.print(renderable)
    return console.export_text()


def test_the_metrics_screen_and_the_media_kit_say_the_same_percent(database: Database) -> None:
    creator_id = _creator_with_shares(database)
    with database.session() as s:
        kit = reports.media_kit(s, creator_id, TODAY)
    md = render.media_kit(kit, "md")
    html = render.media_kit(kit, "html")
    assert "- Gender: female 58%, male 43%" in md  # 57.5 and 42.5, both half up
    assert "- Age: 18-24 13%, 25-34 88%" in md
    assert '<span class="pct">58%</span>' in html
    shown = _text(bars({"female": 0.575, "male": 0.425}, 8))
    assert "58%" in shown and "43%" in shown
    assert "- UGC: 1,000.00 USD" in md and "Ugc" not in md
    assert "UGC" in html and "Ugc" not in html


async def test_the_media_kit_file_is_named_after_the_handle(demo_db: Database) -> None:
    app = TalentApp(demo_db, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"haneul", "enter")
        await settle(pilot)
        await pilot.press("K")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DocumentScreen)
        assert screen.default_name == "mediakit-haneul.eats.html"
