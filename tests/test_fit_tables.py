"""Campaign tables at 80 columns: the status keeps the days left (in a word when the full
words would cut the names), names get the room the other columns can spare."""

from __future__ import annotations

from datetime import date

from talent_tui.services.campaigns import CampaignRow
from talent_tui.store.db import Database
from talent_tui.store.kinds import CampaignStatus, Tab
from talent_tui.widgets.campaigns import (
    HEADERS,
    CampaignTabs,
    column_widths,
    short_status,
)

from .conftest import goto, make_app, settle

S = CampaignStatus


def row(
    status: CampaignStatus, text: str, name: str = "Spring launch", urgent=False
) -> CampaignRow:  # noqa: ANN001
    return CampaignRow(
        id=1, name=name, brand="Glow Labs", fee_minor=9_150_000, currency="KRW", status=status,
        status_text=text, key_date=date(2026, 11, 3), key_date_label="3 Nov", urgent=urgent,
    )  # fmt: skip


def test_short_status_keeps_the_days_left_and_the_lateness() -> None:
    assert short_status(row(S.OFFER_RECEIVED, "New offer · 2d")) == "Offer · 2d"
    assert short_status(row(S.NEGOTIATING, "Negotiating · 5d")) == "Nego · 5d"
    assert short_status(row(S.REVIEWING, "Reviewing · today")) == "Review · today"
    assert short_status(row(S.OFFER_RECEIVED, "New offer · 3d late")) == "Offer · 3d late"
    assert short_status(row(S.IN_PRODUCTION, "Producing · 12d")) == "Prod · 12d"
    assert short_status(row(S.DECLINED, "Declined")) == "Declined"


def test_the_status_is_cut_last() -> None:
    texts = [("A long campaign name for a launch", "A brand with a long name", "9.15M KRW",
              "Offer · 3d late", "3 Nov")]  # fmt: skip
    widths = column_widths(texts, 57)
    assert widths[HEADERS.index("Status")] == len("Offer · 3d late")
    assert widths[HEADERS.index("Campaign")] >= 13
    assert sum(widths) + len(HEADERS) <= 57


async def test_at_80_columns_statuses_keep_their_days_and_names_their_room(
    demo_db: Database,
) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await goto(pilot, "haneul")
        table = app.screen.query_one(CampaignTabs).table(Tab.PENDING)
        assert table.campaigns
        for index, campaign in enumerate(table.campaigns):
            cells = [str(c).strip() for c in table.get_row_at(index)]
            name, _brand, _fee, status, _next = cells
            days = campaign.status_text.partition(" · ")[2]
            assert days and status.endswith(f"· {days}")  # the days left are shown, whole
            assert "…" not in status
            assert len(name) >= 14 or not name.endswith("…")
        widths = [c.width for c in table.columns.values()]
        assert sum(widths) <= table.size.width
