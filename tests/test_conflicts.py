"""The conflict check: exclusivity and usage-rights clashes between a creator's open deals,
warned about before a deal is accepted or countered (service, `campaigns accept|counter`,
`talent conflicts`, the deal screen's confirmations)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from talent_tui.cli import main as cli
from talent_tui.screens.campaign import CampaignScreen
from talent_tui.screens.fields import FieldsForm
from talent_tui.screens.forms import ConfirmScreen
from talent_tui.services import deals
from talent_tui.services.deals import conflicts
from talent_tui.store.db import Database
from talent_tui.store.models import Campaign, CampaignStatus, Creator, Offer, Party, utcnow

from . import factories
from .conftest import TODAY, fill, make_app, screen_text, settle

S = CampaignStatus
runner = CliRunner()


def d(text: str) -> date:
    return date.fromisoformat(text)


def windows(session: Session, campaign: Campaign, **terms: Any) -> None:
    """Set the current terms' exclusivity and usage dates (as the offer form stores them)."""
    offer = deals.current_offer(session, campaign)
    for name, value in terms.items():
        setattr(offer, name, d(value) if name != "exclusivity_category" else value)
    session.flush()


def deal(
    session: Session,
    creator: Creator,
    *,
    brand: Any = None,
    status: CampaignStatus = S.OFFER_RECEIVED,
    start: str | None = None,
    end: str | None = None,
    **terms: Any,
) -> Campaign:
    campaign = factories.offer(session, creator, brand or factories.brand(session))
    campaign.start_on = d(start) if start else None
    campaign.end_on = d(end) if end else None
    windows(session, campaign, **terms)
    if status in (S.ACCEPTED, S.IN_PRODUCTION):
        deals.accept(session, campaign.id, "tester")
    if status is S.IN_PRODUCTION:
        deals.transition(session, campaign.id, S.IN_PRODUCTION, "tester")
    return campaign


# ---- the rules ----------------------------------------------------------------------------


def test_overlapping_exclusivities_in_one_category_any_case(database: Database) -> None:
    with database.transaction() as s:
        mina = factories.creator(s)
        glow = deal(s, mina, status=S.ACCEPTED, exclusivity_category="Beauty",
                    exclusive_from="2026-12-01", exclusive_until="2027-02-28")  # fmt: skip
        tint = deal(s, mina, exclusivity_category=" beauty ",
                    exclusive_from="2027-01-15", exclusive_until="2027-04-15")  # fmt: skip
        found = conflicts.check(s, tint.id)
    assert [(c.kind, c.campaign_id, c.other_id, c.category) for c in found] == [
        (conflicts.OVERLAP, tint.id, glow.id, "beauty")
    ]
    assert (found[0].start, found[0].end) == (d("2027-01-15"), d("2027-02-28"))
    assert "both exclusive in beauty" in found[0].message


def test_windows_that_only_touch_overlap_and_ones_a_day_apart_do_not(database: Database) -> None:
    with database.transaction() as s:
        mina = factories.creator(s)
        deal(s, mina, exclusivity_category="beauty",
             exclusive_from="2026-12-01", exclusive_until="2026-12-31")  # fmt: skip
        touching = deal(s, mina, exclusivity_category="beauty",
                        exclusive_from="2026-12-31", exclusive_until="2027-01-31")  # fmt: skip
        apart = deal(s, mina, exclusivity_category="beauty",
                     exclusive_from="2027-02-01", exclusive_until="2027-02-28")  # fmt: skip
        assert [c.kind for c in conflicts.check(s, touching.id)] == [conflicts.OVERLAP]
        assert conflicts.check(s, apart.id) == []


def test_a_deal_inside_another_deals_exclusivity_by_its_brand_category(
    database: Database,
) -> None:
    with database.transaction() as s:
        mina = factories.creator(s)
        glow = deal(s, mina, status=S.IN_PRODUCTION, exclusivity_category="beauty",
                    exclusive_from="2026-12-01", exclusive_until="2027-02-28")  # fmt: skip
        peach = factories.brand(s, category="Beauty")
        tint = deal(s, mina, brand=peach, start="2027-01-10", end="2027-01-31")
        snack = deal(s, mina, brand=factories.brand(s, category="food"), start="2027-01-10")
        found = conflicts.check(s, tint.id)
        # The other way round: the exclusivity being accepted shuts out a running deal.
        reverse = conflicts.check(s, glow.id)
        assert conflicts.check(s, snack.id) == []
    assert [(c.kind, c.campaign_id, c.other_id) for c in found] == [
        (conflicts.INSIDE, tint.id, glow.id)
    ]
    assert (found[0].start, found[0].end) == (d("2027-01-10"), d("2027-01-31"))
    assert [(c.kind, c.campaign_id, c.other_id) for c in reverse] == [
        (conflicts.INSIDE, tint.id, glow.id)
    ]


def test_a_deal_without_dates_in_an_exclusive_category_is_flagged(database: Database) -> None:
    """Dates not set yet could fall anywhere: a manager wants to know before saying yes."""
    with database.transaction() as s:
        mina = factories.creator(s)
        deal(s, mina, status=S.ACCEPTED, exclusivity_category="beauty",
             exclusive_from="2026-12-01", exclusive_until="2027-02-28")  # fmt: skip
        undated = deal(s, mina, brand=factories.brand(s, category="beauty"))
        found = conflicts.check(s, undated.id)
    assert [c.kind for c in found] == [conflicts.INSIDE]
    assert "has no dates set" in found[0].message


def test_usage_rights_running_into_another_exclusivity(database: Database) -> None:
    with database.transaction() as s:
        mina = factories.creator(s)
        glow = deal(s, mina, status=S.ACCEPTED, exclusivity_category="beauty",
                    exclusive_from="2027-03-01", exclusive_until="2027-05-31")  # fmt: skip
        peach = factories.brand(s, name="Peach", category="beauty")
        tint = deal(s, mina, brand=peach, start="2027-01-05", end="2027-01-31",
                    usage_until="2027-06-30")  # fmt: skip
        short = deal(s, mina, brand=factories.brand(s, category="beauty"), start="2027-01-05",
                     end="2027-01-31", usage_until="2027-02-28")  # fmt: skip
        found = conflicts.check(s, tint.id)
        assert conflicts.check(s, short.id) == []
    assert [(c.kind, c.campaign_id, c.other_id) for c in found] == [
        (conflicts.USAGE_INTO, tint.id, glow.id)
    ]
    assert (found[0].start, found[0].end) == (d("2027-03-01"), d("2027-05-31"))
    assert found[0].message.startswith("Peach's usage rights")


def test_the_same_brand_and_closed_deals_never_conflict(database: Database) -> None:
    with database.transaction() as s:
        mina = factories.creator(s)
        glow_co = factories.brand(s)
        window = {"exclusivity_category": "beauty", "exclusive_from": "2026-12-01",
                  "exclusive_until": "2027-02-28"}  # fmt: skip
        first = deal(s, mina, brand=glow_co, status=S.ACCEPTED, **window)
        again = deal(s, mina, brand=glow_co, **window)
        declined = deal(s, mina, **window)
        deals.decline(s, declined.id, "not now", "tester")
        other_creator = deal(s, factories.creator(s), **window)
        assert conflicts.check(s, again.id) == []
        assert conflicts.check(s, other_creator.id) == []
        assert first.id and conflicts.open_conflicts(s) == []


def test_a_brand_version_that_stretches_usage_is_flagged_ours_is_not(database: Database) -> None:
    with database.transaction() as s:
        campaign = deal(s, factories.creator(s), usage_until="2027-03-31")
        ours = deals.propose(s, campaign.id, {"fee_minor": 120_000}, "mina", Party.MANAGER)
        ours.usage_until = d("2027-02-28")
        theirs = deals.propose(s, campaign.id, {"fee_minor": 110_000}, "brand", Party.BRAND)
        theirs.usage_until = d("2027-03-31")  # back to the first version's: nothing new
        s.flush()
        assert conflicts.check(s, campaign.id) == []
        theirs.usage_until = d("2027-06-30")
        s.flush()
        found = conflicts.check(s, campaign.id)
        listed = conflicts.open_conflicts(s)
        counter = deals.propose(s, campaign.id, {"fee_minor": 130_000}, "mina", Party.MANAGER)
        counter.usage_until = d("2027-09-30")
        s.flush()
        assert conflicts.check(s, campaign.id) == []  # our own counter: a choice
    assert [(c.kind, c.other_id, c.start, c.end) for c in found] == [
        (conflicts.USAGE_EXTENDED, None, d("2027-03-31"), d("2027-06-30"))
    ]
    assert "version 3 gives usage rights until 2027-06-30" in found[0].message
    assert listed == found


def test_open_conflicts_lists_each_pair_once_and_skips_archived_creators(
    database: Database,
) -> None:
    window = {"exclusivity_category": "beauty", "exclusive_from": "2026-12-01",
              "exclusive_until": "2027-02-28"}  # fmt: skip
    with database.transaction() as s:
        mina, jun = factories.creator(s, name="Mina"), factories.creator(s, name="Jun")
        a, b = deal(s, mina, **window), deal(s, mina, status=S.ACCEPTED, **window)
        deal(s, jun, **window)
        deal(s, jun, **window)
        every = conflicts.open_conflicts(s)
        minas = conflicts.open_conflicts(s, mina.id)
        jun.archived_at = utcnow()
        s.flush()
        after = conflicts.open_conflicts(s)
    assert sorted(c.creator for c in every) == ["Jun", "Mina"]
    assert [(c.campaign_id, c.other_id) for c in minas] == [(a.id, b.id)]
    assert [c.creator for c in after] == ["Mina"]


# ---- going ahead ----------------------------------------------------------------------------


def overlapping_pair(db: Database) -> tuple[int, int]:
    window = {"exclusivity_category": "beauty", "exclusive_from": "2026-12-01",
              "exclusive_until": "2027-02-28"}  # fmt: skip
    with db.transaction() as s:
        mina = factories.creator(s, name="Mina Park", tiktok_handle="@mina")
        glow = deal(s, mina, status=S.ACCEPTED, **window)
        tint = deal(s, mina, **window)
        return glow.id, tint.id


def inside_pair(db: Database) -> tuple[int, int]:
    """An accepted beauty exclusivity, and an offer from a beauty brand dated inside it (what
    a counter changes leaves the clash in place)."""
    with db.transaction() as s:
        mina = factories.creator(s, name="Mina Park", tiktok_handle="@mina")
        glow = deal(s, mina, status=S.ACCEPTED, exclusivity_category="beauty",
                    exclusive_from="2026-12-01", exclusive_until="2027-02-28")  # fmt: skip
        peach = factories.brand(s, category="beauty")
        tint = deal(s, mina, brand=peach, start="2027-01-10", end="2027-01-31")
        return glow.id, tint.id


def status_and_versions(db: Database, campaign_id: int) -> tuple[CampaignStatus, int]:
    with db.session() as s:
        count = len(s.exec(select(Offer).where(Offer.campaign_id == campaign_id)).all())
        return s.get(Campaign, campaign_id).status, count


def test_accepting_with_an_unseen_conflict_changes_nothing(database: Database) -> None:
    glow, tint = overlapping_pair(database)
    with pytest.raises(conflicts.ConflictsFound) as stopped, database.transaction() as s:
        conflicts.accept(s, tint, "mina")
    assert [c.other_id for c in stopped.value.conflicts] == [glow]
    assert status_and_versions(database, tint) == (S.OFFER_RECEIVED, 1)
    with database.transaction() as s:
        _, found = conflicts.accept(s, tint, "mina", seen=stopped.value.conflicts)
    assert found == stopped.value.conflicts
    assert status_and_versions(database, tint) == (S.ACCEPTED, 1)
    with database.session() as s:
        trail = [e.action for e in deals.history(s, tint)]
    assert trail[-2].startswith("status: offer received → accepted")
    assert trail[-1] == f"accepted despite 1 conflict(s): exclusivity overlap (with #{glow})"


def test_a_conflict_that_appeared_after_the_question_asks_again(database: Database) -> None:
    glow, tint = overlapping_pair(database)
    with database.session() as s:
        seen = conflicts.check(s, tint)
    with database.transaction() as s:  # meanwhile another deal's exclusivity moved
        offer = deals.current_offer(s, s.get(Campaign, glow))
        offer.exclusive_until = d("2027-01-31")
    with pytest.raises(conflicts.ConflictsFound), database.transaction() as s:
        conflicts.accept(s, tint, "mina", seen=seen)
    assert status_and_versions(database, tint) == (S.OFFER_RECEIVED, 1)


def test_a_counter_is_checked_as_it_would_stand_and_rolled_back(database: Database) -> None:
    glow, tint = inside_pair(database)
    with pytest.raises(conflicts.ConflictsFound), database.transaction() as s:
        conflicts.counter(s, tint, {"fee_minor": 150_000}, "mina", today=TODAY)
    assert status_and_versions(database, tint) == (S.OFFER_RECEIVED, 1)
    with database.transaction() as s:
        offer, found = conflicts.counter(
            s, tint, {"fee_minor": 150_000}, "mina", today=TODAY, go_ahead=True
        )
    assert offer.version == 2 and [c.other_id for c in found] == [glow]
    assert status_and_versions(database, tint) == (S.NEGOTIATING, 2)


# ---- the command line -------------------------------------------------------------------------


@pytest.fixture
def pinned(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TALENT_TODAY", TODAY.isoformat())


def run(db: Database, *args: str, **kwargs: Any):  # noqa: ANN201
    return runner.invoke(cli.app, ["--db", db.url, *args], **kwargs)


def test_cli_accept_shows_the_conflicts_and_needs_yes(database: Database, pinned: None) -> None:
    glow, tint = overlapping_pair(database)
    refused = run(database, "campaigns", "accept", str(tint))
    assert refused.exit_code == 1
    assert "both exclusive in beauty" in refused.stderr and "--yes" in refused.stderr
    assert status_and_versions(database, tint) == (S.OFFER_RECEIVED, 1)
    done = run(database, "campaigns", "accept", str(tint), "--yes")
    assert done.exit_code == 0, done.output
    assert "accepted" in done.stdout and "despite 1 conflict" in done.stderr
    assert status_and_versions(database, tint) == (S.ACCEPTED, 1)


def test_cli_counter_asks_at_a_terminal(
    database: Database, pinned: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    glow, tint = inside_pair(database)
    monkeypatch.setattr("talent_tui.cli.conflicts.interactive", lambda: True)
    no = run(database, "campaigns", "counter", str(tint), "--fee", "1,500", input="n\n")
    assert no.exit_code == 1 and "Go ahead anyway?" in no.stderr
    assert status_and_versions(database, tint) == (S.OFFER_RECEIVED, 1)
    yes = run(database, "campaigns", "counter", str(tint), "--fee", "1,500", input="y\n")
    assert yes.exit_code == 0, yes.output
    assert "Counter-offer recorded as version 2" in yes.stdout
    assert status_and_versions(database, tint) == (S.NEGOTIATING, 2)
    # A brand's counter is not ours to warn about.
    brand = run(database, "campaigns", "brand-counter", str(tint), "--fee", "1,400")
    assert brand.exit_code == 0 and status_and_versions(database, tint) == (S.NEGOTIATING, 3)


def test_cli_accept_without_conflicts_needs_nothing_more(database: Database, pinned) -> None:  # noqa: ANN001
    with database.transaction() as s:
        campaign = deal(s, factories.creator(s))
    done = run(database, "campaigns", "accept", str(campaign.id))
    assert done.exit_code == 0 and done.stderr == ""
    refused = run(database, "campaigns", "accept", str(campaign.id))
    assert refused.exit_code == 1 and "cannot become accepted" in refused.stderr


def test_talent_conflicts_lists_them_by_creator(database: Database, pinned: None) -> None:
    glow, tint = overlapping_pair(database)
    listed = run(database, "conflicts")
    assert listed.exit_code == 0
    assert "Mina Park" in listed.stdout and "exclusivity overlap" in listed.stdout
    as_json = json.loads(run(database, "conflicts", "@mina", "--json").stdout)
    assert [(c["kind"], c["campaign_id"], c["other_campaign_id"]) for c in as_json] == [
        ("exclusivity-overlap", glow, tint)
    ]
    assert set(as_json[0]) >= {"kind", "creator", "campaign_id", "category", "message"}
    with database.transaction() as s:
        other = factories.creator(s, tiktok_handle="@jun")
    assert json.loads(run(database, "conflicts", "@jun", "--json").stdout) == []
    assert other.id and "No conflicts" in run(database, "conflicts", "@jun").stderr
    missing = run(database, "conflicts", "@nobody")
    assert missing.exit_code == 1 and "Traceback" not in missing.output


# ---- the deal screen ------------------------------------------------------------------------


async def test_accept_in_the_deal_screen_lists_the_conflicts_first(database: Database) -> None:
    glow, tint = overlapping_pair(database)
    app = make_app(database)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(CampaignScreen(tint))
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        question = app.screen
        assert isinstance(question, ConfirmScreen)
        assert question.question.endswith("They clash with the creator's other deals (1):")
        assert f"#{glow}" in question.detail and "exclusive in beauty" in question.detail
        await pilot.press("n")
        await settle(pilot)
        assert status_and_versions(database, tint) == (S.OFFER_RECEIVED, 1)
        await pilot.press("a")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert "accepted" in screen_text(app)
    assert status_and_versions(database, tint) == (S.ACCEPTED, 1)


async def test_a_counter_that_clashes_asks_and_keeps_the_form(database: Database) -> None:
    glow, tint = inside_pair(database)
    app = make_app(database)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(CampaignScreen(tint))
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        await fill(pilot, "fee", "1,500")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert app.screen.question.startswith("This counter clashes")
        assert f"inside the beauty exclusivity of #{glow}" in app.screen.detail
        await pilot.press("n")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FieldsForm)  # what was typed is still there
        assert "Not saved yet" in screen_text(app)
        assert status_and_versions(database, tint) == (S.OFFER_RECEIVED, 1)
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, CampaignScreen)
    assert status_and_versions(database, tint) == (S.NEGOTIATING, 2)
    with database.session() as s:
        assert s.get(Campaign, tint).fee_minor == 150_000
        assert deals.history(s, tint)[-1].action.startswith("version 2 proposed despite 1")
