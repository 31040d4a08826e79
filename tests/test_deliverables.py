"""Deliverables: the kind is one of the rate card's, the due date is a real date, and a
deliverable can be edited (until posted) and deleted (while planned) — in the service, the
CLI and the deal screen, each change with its history entry."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlmodel import select
from textual.widgets import DataTable
from typer.testing import CliRunner

from talent_tui.cli import main as cli
from talent_tui.core.fields import DELIVERABLE_KINDS, FieldError, deliverable_kind
from talent_tui.screens.campaign import CampaignScreen
from talent_tui.screens.fields import FieldsForm
from talent_tui.services import deals, roster
from talent_tui.store.db import Database
from talent_tui.store.models import AuditEntry, Deliverable, DeliverableStatus, Feedback

from . import factories
from .conftest import fill, make_app, settle

runner = CliRunner()
DAY = factories.DAY


def run(db: Database, *args: str):  # noqa: ANN201
    return runner.invoke(cli.app, ["--db", db.url, *args])


def agreed(db: Database) -> int:
    with db.transaction() as s:
        return factories.agreed_offer(s).id


def test_the_rate_card_and_deliverables_share_one_list_of_kinds() -> None:
    assert roster.DELIVERABLE_ORDER == tuple(DELIVERABLE_KINDS)
    assert [deliverable_kind(t) for t in ("Video", " UGC ", "sToRy", "bundle")] == [
        "video",
        "ugc",
        "story",
        "bundle",
    ]
    with pytest.raises(FieldError, match=r"'video2026-12-10' \(one of: video, live, story"):
        deliverable_kind("video2026-12-10")
    with pytest.raises(FieldError, match="required"):
        deliverable_kind("  ")


def test_a_kind_not_on_the_list_is_refused_and_nothing_is_stored(database: Database) -> None:
    campaign_id = agreed(database)
    for typed in ("video2026-12-10", "reel", "2 videos", "vid\x1b[2Jeo"):
        with pytest.raises(deals.DealError) as refused, database.transaction() as s:
            deals.add_deliverable(s, campaign_id, typed, None, "me")
        assert refused.value.field == "kind"
    with database.transaction() as s:
        item = deals.add_deliverable(s, campaign_id, "UGC", DAY, "me")
    with database.session() as s:
        assert [d.kind for d in s.exec(select(Deliverable))] == ["ugc"]
    assert item.kind == "ugc"


def test_edit_changes_kind_and_due_date_with_a_history_entry(database: Database) -> None:
    campaign_id = agreed(database)
    with database.transaction() as s:
        item_id = deals.add_deliverable(s, campaign_id, "video", DAY, "me").id
    with database.transaction() as s:
        deals.edit_deliverable(s, item_id, "mina", kind="Story", due_on=date(2026, 12, 10))
    with database.session() as s:
        item = s.get(Deliverable, item_id)
        entry = deals.history(s, campaign_id)[-1]
    assert (item.kind, item.due_on) == ("story", date(2026, 12, 10))
    assert entry.actor == "mina" and entry.action == "edited video: kind story, due 2026-12-10"
    assert json.loads(entry.before) == {"kind": "video", "due_on": "2026-11-01"}
    with database.transaction() as s:  # only the due date goes; the kind stays
        deals.edit_deliverable(s, item_id, "mina", clear_due=True)
    with database.session() as s:
        assert (s.get(Deliverable, item_id).kind, s.get(Deliverable, item_id).due_on) == (
            "story",
            None,
        )
    with pytest.raises(deals.DealError, match="nothing to change"), database.transaction() as s:
        deals.edit_deliverable(s, item_id, "mina", kind="story")
    with pytest.raises(deals.DealError, match="unknown deliverable kind"):
        with database.transaction() as s:
            deals.edit_deliverable(s, item_id, "mina", kind="tweet")


def test_a_posted_deliverable_is_not_edited(database: Database) -> None:
    campaign_id = agreed(database)
    with database.transaction() as s:
        item = deals.add_deliverable(s, campaign_id, "video", None, "me")
        for step in ("draft_submitted", "approved"):
            deals.set_deliverable_status(s, item.id, DeliverableStatus(step), "me")
        deals.set_deliverable_status(s, item.id, DeliverableStatus.POSTED, "me", "https://x.test/1")
        item_id = item.id
    with pytest.raises(deals.DealError, match="posted"), database.transaction() as s:
        deals.edit_deliverable(s, item_id, "me", kind="story")


def test_only_a_planned_deliverable_is_deleted_and_the_deal_history_keeps_it(
    database: Database,
) -> None:
    campaign_id = agreed(database)
    with database.transaction() as s:
        planned = deals.add_deliverable(s, campaign_id, "live", DAY, "me").id
        submitted = deals.add_deliverable(s, campaign_id, "video", None, "me").id
        deals.add_feedback(s, planned, "brand", "early note", DAY, "me")
        deals.set_deliverable_status(s, submitted, DeliverableStatus.DRAFT_SUBMITTED, "me")
    with pytest.raises(deals.DealError, match="only a planned deliverable"):
        with database.transaction() as s:
            deals.delete_deliverable(s, submitted, "mina")
    with database.transaction() as s:
        deals.delete_deliverable(s, planned, "mina")
    with database.session() as s:
        assert [d.id for d in deals.deliverables_of(s, campaign_id)] == [submitted]
        assert s.exec(select(Feedback)).all() == []
        entry = deals.history(s, campaign_id)[-1]
    assert entry.actor == "mina" and entry.action == f"deleted deliverable {planned} (live)"
    assert json.loads(entry.before)["kind"] == "live"
    with pytest.raises(deals.DealError, match="no deliverable"), database.transaction() as s:
        deals.delete_deliverable(s, planned, "mina")


# ---- the command line ---------------------------------------------------------------------


def test_cli_add_edit_delete(database: Database) -> None:
    campaign_id = agreed(database)
    bad = run(database, "deliverables", "add", str(campaign_id), "video2026-12-10")
    assert bad.exit_code == 1
    assert "unknown deliverable kind 'video2026-12-10'" in bad.stderr
    assert "video, live, story, bundle, ugc" in bad.stderr
    bad_day = run(database, "deliverables", "add", str(campaign_id), "video", "--due", "2026-02-30")
    assert bad_day.exit_code == 1
    assert "--due: no such date: 2026-02-30 (February 2026 has 28 days)" in bad_day.stderr
    added = run(database, "deliverables", "add", str(campaign_id), "UGC", "--due", "2026-12-01")
    assert added.exit_code == 0, added.output
    with database.session() as s:
        [item] = s.exec(select(Deliverable)).all()
    assert (item.kind, item.due_on) == ("ugc", date(2026, 12, 1))

    assert run(database, "deliverables", "edit", str(item.id)).exit_code == 2  # nothing to do
    edited = run(
        database, "deliverables", "edit", str(item.id), "--kind", "Bundle", "--due", "2026-12-24"
    )
    assert edited.exit_code == 0, edited.output
    assert "bundle, 2026-12-24" in edited.stdout
    assert run(database, "deliverables", "edit", str(item.id), "--kind", "tweet").exit_code == 1

    # Without --yes and not on a terminal: refused, nothing deleted.
    unasked = run(database, "deliverables", "delete", str(item.id))
    assert unasked.exit_code == 1 and "--yes" in unasked.stderr
    deleted = run(database, "deliverables", "delete", str(item.id), "--yes")
    assert deleted.exit_code == 0, deleted.output
    with database.session() as s:
        assert s.exec(select(Deliverable)).all() == []
        actions = [e.action for e in s.exec(select(AuditEntry))]
    assert any(a.startswith("edited ugc: kind bundle") for a in actions)
    assert f"deleted deliverable {item.id} (bundle)" in actions
    missing = run(database, "deliverables", "delete", str(item.id), "--yes")
    assert missing.exit_code == 1 and "no deliverable" in missing.stderr


# ---- the deal screen ----------------------------------------------------------------------


async def test_edit_and_delete_from_the_deliverables_tab(database: Database) -> None:
    campaign_id = agreed(database)
    with database.transaction() as s:
        item_id = deals.add_deliverable(s, campaign_id, "video", DAY, "me").id
    app = make_app(database)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(CampaignScreen(campaign_id))
        await settle(pilot)
        screen = app.screen
        assert screen.check_action("edit_deliverable", ()) is False  # another tab shows
        await pilot.press("n", "escape")  # opens the deliverables tab, then cancels the form
        await settle(pilot)
        assert screen.check_action("edit_deliverable", ()) is True
        shown = {k for k, a in screen.active_bindings.items() if a.binding.show and a.enabled}
        assert {"e", "D"} <= shown  # in the footer
        screen.query_one("#deal-deliverables", DataTable).focus()
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, FieldsForm)
        await fill(pilot, "kind", "reel")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, FieldsForm)  # refused, named beside the field
        assert "one of: video" in str(app.screen.query_one("#error-kind").render())
        await fill(pilot, "kind", "STORY")
        await fill(pilot, "due", "2026-12-31")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        assert str(screen.query_one("#deal-deliverables", DataTable).get_row_at(0)[0]) == "Story"
        await pilot.press("D")
        await settle(pilot)
        await pilot.press("n")  # "no": nothing deleted
        await settle(pilot)
        with database.session() as s:
            assert s.get(Deliverable, item_id) is not None
        await pilot.press("D")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert screen.query_one("#deal-deliverables", DataTable).row_count == 0
    with database.session() as s:
        assert s.get(Deliverable, item_id) is None
        actions = [e.action for e in s.exec(select(AuditEntry).order_by(AuditEntry.id))]
        deal_history = [e.action for e in deals.history(s, campaign_id)]
    assert "edited video: kind story, due 2026-12-31" in actions
    assert deal_history[-1] == f"deleted deliverable {item_id} (story)"


async def test_delete_of_a_submitted_deliverable_says_why_not(database: Database) -> None:
    campaign_id = agreed(database)
    with database.transaction() as s:
        item_id = deals.add_deliverable(s, campaign_id, "ugc", None, "me").id
        deals.set_deliverable_status(s, item_id, DeliverableStatus.DRAFT_SUBMITTED, "me")
    app = make_app(database)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(CampaignScreen(campaign_id))
        await settle(pilot)
        screen = app.screen
        screen.query_one("#deal-tabs").active = "pane-deliverables"
        await settle(pilot)
        screen.query_one("#deal-deliverables", DataTable).focus()
        await pilot.press("D")
        await settle(pilot)
        assert app.screen is screen  # no question asked
        notes = [n.message for n in app._notifications]
        assert notes == ["Only a planned deliverable can be deleted; this one is draft submitted."]
        assert str(screen.query_one("#deal-deliverables", DataTable).get_row_at(0)[0]) == "UGC"
    with database.session() as s:
        assert s.get(Deliverable, item_id) is not None


def test_a_deleted_deliverables_history_stays_with_its_deal_even_when_its_id_is_reused(
    database: Database,
) -> None:
    first, second = agreed(database), agreed(database)
    with database.transaction() as s:
        gone = deals.add_deliverable(s, first, "live", DAY, "me").id
        deals.edit_deliverable(s, gone, "me", kind="story")
    with database.transaction() as s:
        deals.delete_deliverable(s, gone, "me")
    with database.transaction() as s:
        reused = deals.add_deliverable(s, second, "video", None, "me").id
    assert reused == gone  # SQLite gives the next row the highest id again
    with database.session() as s:
        first_history = [e.action for e in deals.history(s, first)]
        second_history = [e.action for e in deals.history(s, second)]
    assert first_history[-3:] == [
        "added live",
        "edited live: kind story",
        f"deleted deliverable {gone} (story)",
    ]
    assert [
        a for a in second_history if "deliverable" in a or a.startswith(("added", "edited"))
    ] == ["added video"]
