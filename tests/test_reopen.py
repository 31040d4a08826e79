"""Reopening an expired offer when the brand sends it again: a new version (the last terms
unless changed, a new respond-by date), an offer received once more, and its history entry
(service, `talent campaigns reopen`, `r` in the deal screen)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from talent_tui.cli import main as cli
from talent_tui.screens.campaign import CampaignScreen
from talent_tui.screens.fields import FieldsForm
from talent_tui.services import deals
from talent_tui.store.db import Database
from talent_tui.store.models import Campaign, CampaignStatus, Offer, Party

from . import factories
from .conftest import TODAY, fill, make_app, screen_text, settle

S = CampaignStatus
runner = CliRunner()


def expired(db: Database) -> int:
    """An offer with a negotiated second version (and exclusivity and usage dates) whose
    respond-by date passed."""
    with db.transaction() as s:
        campaign = factories.offer(s, received_on=TODAY - timedelta(days=20), respond_in_days=5)
        deals.propose(s, campaign.id, {"fee_minor": 120_000, "net_days": 30}, "mina", Party.MANAGER)
        offer = deals.current_offer(s, campaign)
        offer.exclusivity_category, offer.usage_until = "beauty", date(2027, 3, 31)
        offer.exclusive_from, offer.exclusive_until = date(2026, 12, 1), date(2026, 12, 31)
        s.flush()
        assert deals.expire_overdue(s, TODAY) == [campaign.id]
        return campaign.id


def versions(db: Database, campaign_id: int) -> list[Offer]:
    with db.session() as s:
        return list(s.exec(select(Offer).where(Offer.campaign_id == campaign_id)))


def test_reopen_adds_the_brands_version_and_receives_the_offer_again(database: Database) -> None:
    campaign_id = expired(database)
    reply = TODAY + timedelta(days=10)
    with database.transaction() as s:
        offer = deals.reopen(s, campaign_id, reply, "mina", TODAY, note="sent again")
    assert offer.version == 3
    with database.session() as s:
        campaign = s.get(Campaign, campaign_id)
        trail = deals.history(s, campaign_id)
    assert (campaign.status, campaign.respond_by, campaign.fee_minor) == (
        S.OFFER_RECEIVED, reply, 120_000,
    )  # fmt: skip
    last, new = versions(database, campaign_id)[-2:]
    assert (new.proposed_by, new.created_by, new.note, new.respond_by) == (
        Party.BRAND, "mina", "sent again", reply,
    )  # fmt: skip
    kept = ("fee_minor", "currency", "net_days", "exclusivity_category", "exclusive_from",
            "exclusive_until", "usage_until", "deliverables")  # fmt: skip
    assert {k: getattr(new, k) for k in kept} == {k: getattr(last, k) for k in kept}
    assert trail[-1].actor == "mina"
    assert trail[-1].action.startswith("reopened: the brand sent the offer again as version 3")
    assert f"respond by {last.respond_by} → {reply}" in trail[-1].action
    assert '"status": "expired"' in trail[-1].before
    assert '"status": "offer_received"' in trail[-1].after


def test_reopen_with_new_terms(database: Database) -> None:
    campaign_id = expired(database)
    with database.transaction() as s:
        changes = deals.parse_terms({"fee": "1,500", "usage_days": "60"}, "USD")
        deals.reopen(s, campaign_id, TODAY, "mina", TODAY, changes)
    new = versions(database, campaign_id)[-1]
    assert (new.fee_minor, new.usage_days, new.net_days) == (150_000, 60, 30)
    with database.session() as s:
        assert s.get(Campaign, campaign_id).fee_minor == 150_000


def test_reopen_with_new_days_moves_the_window_dates(database: Database) -> None:
    """As a counter does: new exclusivity days end the window that many days after its start,
    so the conflict check never reads dates that contradict the days on the table."""
    campaign_id = expired(database)
    with database.transaction() as s:
        changes = deals.parse_terms({"exclusivity_days": "10"}, "USD")
        deals.reopen(s, campaign_id, TODAY, "mina", TODAY, changes)
    new = versions(database, campaign_id)[-1]
    assert (new.exclusivity_days, new.exclusive_from, new.exclusive_until) == (
        10, date(2026, 12, 1), date(2026, 12, 10),
    )  # fmt: skip
    assert (new.exclusivity_category, new.usage_until) == ("beauty", date(2027, 3, 31))


@pytest.mark.parametrize(
    ("respond_by", "message"),
    [
        (TODAY - timedelta(days=1), r"is in the past \(today is 2026-11-01\)"),
        (None, "a new respond-by date is required"),
    ],
)
def test_reopen_refuses_a_reply_date_in_the_past_or_none(
    database: Database, respond_by: date | None, message: str
) -> None:
    campaign_id = expired(database)
    with pytest.raises(deals.DealError, match=message) as refused, database.transaction() as s:
        deals.reopen(s, campaign_id, respond_by, "mina", TODAY)
    assert refused.value.field == "respond_by"
    assert len(versions(database, campaign_id)) == 2
    with database.session() as s:
        assert s.get(Campaign, campaign_id).status is S.EXPIRED


def test_only_an_expired_offer_reopens(database: Database) -> None:
    with database.transaction() as s:
        pending = factories.offer(s)
        declined = factories.offer(s)
        deals.decline(s, declined.id, "off-brand", "mina")
    for campaign_id, status in ((pending.id, "offer received"), (declined.id, "declined")):
        with pytest.raises(deals.DealError, match=f"is {status}: only an expired offer"):
            with database.transaction() as s:
                deals.reopen(s, campaign_id, TODAY, "mina", TODAY)


def test_an_expired_offer_says_it_can_be_reopened(database: Database) -> None:
    campaign_id = expired(database)
    with pytest.raises(deals.IllegalTransition, match="unless the brand sends it again"):
        with database.transaction() as s:
            deals.accept(s, campaign_id, "mina")


# ---- the command line -------------------------------------------------------------------------


@pytest.fixture
def pinned(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TALENT_TODAY", TODAY.isoformat())


def run(db: Database, *args: str):  # noqa: ANN201
    return runner.invoke(cli.app, ["--db", db.url, *args])


def test_cli_reopen(database: Database, pinned: None) -> None:
    campaign_id = expired(database)
    past = run(database, "campaigns", "reopen", str(campaign_id), "--respond-by", "2026-10-01")
    assert past.exit_code == 1 and "is in the past" in past.stderr
    missing = run(database, "campaigns", "reopen", str(campaign_id))
    assert missing.exit_code == 2 and "--respond-by" in missing.stderr
    bad = run(database, "campaigns", "reopen", str(campaign_id), "--respond-by", "soon")
    assert bad.exit_code == 1 and "--respond-by: not a date" in bad.stderr
    done = run(
        database, "--as", "mina", "campaigns", "reopen", str(campaign_id),
        "--respond-by", "2026-11-15", "--fee", "1,300", "--note", "sent again",
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    assert "Reopened as version 3: 1,300.00 USD, to answer by 2026-11-15." in done.stdout
    assert len(versions(database, campaign_id)) == 3
    again = run(database, "campaigns", "reopen", str(campaign_id), "--respond-by", "2026-11-15")
    assert again.exit_code == 1 and "only an expired offer can be reopened" in again.stderr


# ---- the deal screen ------------------------------------------------------------------------


async def test_reopen_key_only_for_an_expired_deal(database: Database) -> None:
    campaign_id = expired(database)
    with database.transaction() as s:
        pending = factories.offer(s).id
    app = make_app(database)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(CampaignScreen(pending))
        await settle(pilot)
        assert "Reopen" not in screen_text(app)
        await pilot.press("r")  # nothing happens
        await settle(pilot)
        assert isinstance(app.screen, CampaignScreen)
        await pilot.press("escape")
        await settle(pilot)

        app.push_screen(CampaignScreen(campaign_id))
        await settle(pilot)
        assert "Reopen" in screen_text(app)  # in the footer, now that it applies
        await pilot.press("r")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FieldsForm)
        await fill(pilot, "respond_by", "2026-10-01")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form and "is in the past" in screen_text(app)
        await fill(pilot, "respond_by", "2026-11-20")
        await fill(pilot, "fee", "1,400")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CampaignScreen)
        assert "offer received" in screen_text(app)
        assert "Reopen" not in screen_text(app)
    new = versions(database, campaign_id)[-1]
    assert (new.version, new.fee_minor, new.respond_by, new.created_by) == (
        3, 140_000, date(2026, 11, 20), "mina",
    )  # fmt: skip
