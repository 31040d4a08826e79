"""The agenda: everything due across the roster, by date, overdue first, each item saying
what to do next (service, `talent agenda`, the top of the deal-flow screen)."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from rich.cells import cell_len
from sqlmodel import Session
from textual.widgets import DataTable, Static
from typer.testing import CliRunner

from talent_tui.cli import main as cli
from talent_tui.screens.campaign import CampaignScreen
from talent_tui.screens.dealflow import DealFlowScreen
from talent_tui.screens.interactions import InteractionsScreen
from talent_tui.services import agenda, deals, interactions
from talent_tui.store.db import Database
from talent_tui.store.models import (
    CampaignStatus,
    Creator,
    DeliverableStatus,
    InteractionKind,
    Party,
    utcnow,
)

from . import factories
from .conftest import TODAY, make_app, screen_text, settle, text_of

S = CampaignStatus
runner = CliRunner()


def days(n: int) -> date:
    return TODAY + timedelta(days=n)


def one_of_each(s: Session) -> dict[str, int]:
    """A roster with one item of every kind, some overdue; returns the ids by name."""
    mina = factories.creator(s, name="Mina Park", tiktok_handle="@mina")
    glow = factories.brand(s, name="Glow Co")
    offer = factories.offer(s, mina, glow, name="Lip Tint", received_on=TODAY, respond_in_days=3)
    countered = factories.offer(s, mina, glow, name="Serum", received_on=TODAY, respond_in_days=5)
    deals.propose(s, countered.id, {"fee_minor": 150_000}, "mina", Party.MANAGER)
    ending = factories.agreed_offer(s, creator_row=mina, brand_row=glow, name="Ended")
    ending.end_on = days(-2)
    starting = factories.offer(s, mina, glow, name="Starting")
    deals.accept(s, starting.id, "mina")
    starting.start_on, starting.end_on = days(4), days(40)
    deliverable = deals.add_deliverable(s, ending.id, "video", days(-1), "mina")
    late = deals.add_invoice(s, ending.id, "500", None, days(-40), days(-10), "mina", "INV-1")
    soon = deals.add_invoice(s, ending.id, "500", None, TODAY, days(6), "mina", "INV-2")
    follow_up = interactions.log_interaction(
        s, InteractionKind.CALL, "Ask about the brief", days(-5), "mina", brand_id=glow.id,
        follow_up_on=days(1),
    )  # fmt: skip
    used = factories.agreed_offer(s, creator_row=mina, brand_row=glow, name="Used")
    deals.transition(s, used.id, S.COMPLETED, "mina")
    deals.current_offer(s, used).usage_until = days(25)
    s.flush()
    return {
        "offer": offer.id, "countered": countered.id, "ending": ending.id,
        "starting": starting.id, "deliverable": deliverable.id, "late": late.id,
        "soon": soon.id, "follow_up": follow_up.id, "used": used.id, "creator": mina.id,
    }  # fmt: skip


def test_every_kind_with_what_to_do_overdue_first(database: Database) -> None:
    with database.transaction() as s:
        ids = one_of_each(s)
        items = agenda.agenda(s, TODAY, 14)
    got = [(i.kind, i.due_on, i.overdue, i.action) for i in items]
    assert got == [
        ("invoice", days(-10), True, "Chase payment"),
        ("campaign-end", days(-2), True, "Close or extend the campaign"),
        ("deliverable", days(-1), True, "Hand in the video"),
        ("follow-up", days(1), False, "Follow up with Glow Co"),
        ("offer", days(3), False, "Answer the offer"),
        ("campaign-start", days(4), False, "Start production"),
        ("offer", days(5), False, "Chase the brand's answer"),
        ("invoice", days(6), False, "Check the payment arrives"),
        ("usage", days(25), False, "Renew or end the usage rights"),
    ]
    by_kind = {(i.kind, i.ref_id): i for i in items}
    assert by_kind["invoice", ids["late"]].what == (
        "Chase payment: invoice INV-1, 500.00 USD, Ended (Glow Co)"
    )
    assert by_kind["offer", ids["offer"]].creator == "Mina Park"
    assert by_kind["offer", ids["offer"]].campaign_id == ids["offer"]
    follow_up = by_kind["follow-up", ids["follow_up"]]
    assert (follow_up.creator, follow_up.brand, follow_up.campaign_id) == (None, "Glow Co", None)


def test_the_horizon_and_the_usage_notice(database: Database) -> None:
    with database.transaction() as s:
        one_of_each(s)
        three = agenda.agenda(s, TODAY, 3)
        none_ahead = agenda.agenda(s, TODAY, 0)
    # Within three days, overdue included; usage rights show a month ahead whatever the days.
    assert [i.kind for i in three] == [
        "invoice", "campaign-end", "deliverable", "follow-up", "offer", "usage",
    ]  # fmt: skip
    assert all(i.overdue for i in none_ahead[:3]) and [i.kind for i in none_ahead][3:] == ["usage"]


def test_a_campaign_in_production_past_its_end_shows_and_goes_when_closed(
    database: Database,
) -> None:
    with database.transaction() as s:
        campaign = factories.agreed_offer(s)
        campaign.end_on = days(-3)
        s.flush()
        assert [(i.kind, i.overdue) for i in agenda.agenda(s, TODAY)] == [("campaign-end", True)]
        deals.transition(s, campaign.id, S.COMPLETED, "mina")
        assert agenda.agenda(s, TODAY) == []


def test_done_work_and_archived_creators_are_left_out_but_not_money_owed(
    database: Database,
) -> None:
    with database.transaction() as s:
        ids = one_of_each(s)
        deliverable = ids["deliverable"]
        deals.set_deliverable_status(s, deliverable, DeliverableStatus.DRAFT_SUBMITTED, "mina")
        drafted = [i.action for i in agenda.agenda(s, TODAY) if i.kind == "deliverable"]
        deals.set_deliverable_status(s, deliverable, DeliverableStatus.APPROVED, "mina")
        deals.mark_paid(s, ids["soon"], TODAY, "mina", TODAY)
        interactions.complete_follow_up(s, ids["follow_up"])
        left = {i.kind for i in agenda.agenda(s, TODAY)}
        s.get(Creator, ids["creator"]).archived_at = utcnow()
        s.flush()
        archived = [(i.kind, i.ref_id) for i in agenda.agenda(s, TODAY)]
    assert drafted == ["Get the video approved"]
    assert left == {"invoice", "campaign-end", "offer", "campaign-start", "usage"}
    assert archived == [("invoice", ids["late"])]


# ---- the command line -------------------------------------------------------------------------


@pytest.fixture
def pinned(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TALENT_TODAY", TODAY.isoformat())


def run(db: Database, *args: str):  # noqa: ANN201
    return runner.invoke(cli.app, ["--db", db.url, *args])


def test_agenda_json_has_the_promised_keys(database: Database, pinned: None) -> None:
    with database.transaction() as s:
        ids = one_of_each(s)
    result = run(database, "agenda", "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert all(
        {"kind", "due_on", "overdue", "creator", "campaign_id", "what"} <= set(r) for r in rows
    )
    assert rows[0] == rows[0] | {
        "kind": "invoice", "due_on": days(-10).isoformat(), "overdue": True,
        "creator": "Mina Park", "campaign_id": ids["ending"],
        "what": "Chase payment: invoice INV-1, 500.00 USD, Ended (Glow Co)",
    }  # fmt: skip
    assert [r["kind"] for r in json.loads(run(database, "agenda", "--days", "3", "--json").stdout)][
        -1
    ] == "usage"


def test_agenda_text_marks_overdue_lines_red(
    database: Database, pinned: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rich.console import Console

    from talent_tui.cli import common

    terminal = Console(force_terminal=True, color_system="standard", highlight=False, markup=False)
    monkeypatch.setattr(common, "out", terminal)
    with database.transaction() as s:
        one_of_each(s)
    result = run(database, "agenda")
    assert result.exit_code == 0
    late = next(line for line in result.stdout.splitlines() if "Chase payment" in line)
    due = next(line for line in result.stdout.splitlines() if "Answer the offer" in line)
    assert "\x1b[31m" in late and "late" in late
    assert "\x1b[31m" not in due
    assert "9 item(s) due by" in result.stderr and "3 overdue" in result.stderr


def test_agenda_on_an_empty_roster_and_bad_days(database: Database, pinned: None) -> None:
    empty = run(database, "agenda")
    assert empty.exit_code == 0 and "Nothing due" in empty.stderr and empty.stdout == ""
    assert json.loads(run(database, "agenda", "--json").stdout) == []
    for bad in ("-1", "99999999999", "soon"):
        refused = run(database, "agenda", "--days", bad)
        assert refused.exit_code == 2 and "Traceback" not in refused.output


# ---- the deal flow ----------------------------------------------------------------------------


def status_lines(app) -> list[str]:  # noqa: ANN001
    return [text_of(w) for w in app.screen.query(".flow-status").results(Static)]


async def test_deal_flow_opens_on_the_agenda_with_the_totals_in_view(database: Database) -> None:
    with database.transaction() as s:
        ids = one_of_each(s)
    app = make_app(database)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("g")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DealFlowScreen)
        table = screen.query_one("#flow-agenda", DataTable)
        assert app.focused is table and table.cursor_row == 0
        first = [str(c) for c in table.get_row_at(0)]
        assert first[0].endswith("late") and first[2].startswith("Chase payment")
        assert table.get_row_at(0)[0].style == "bold red"
        assert table.get_row_at(4)[0].style == ""
        agenda_line, pipeline_line = status_lines(app)
        assert agenda_line == f"Agenda · 9 due by {days(14).day} {days(14):%b} · 3 overdue"
        assert pipeline_line.startswith("Pipeline · 4 open deals")
        for widget in screen.query(".flow-status").results(Static):  # one line, whole
            assert widget.size.height == 1
            assert cell_len(text_of(widget)) <= widget.content_size.width
        assert "total in USD" in screen_text(app)  # the first stage's totals are in view
        pipeline = screen.query_one("#flow-pipeline", DataTable)
        assert pipeline.scroll_y == 0

        await pilot.press("enter")  # the overdue invoice's deal
        await settle(pilot)
        assert isinstance(app.screen, CampaignScreen) and app.screen.campaign_id == ids["ending"]
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("down", "down", "down", "enter")  # the follow-up: the brand's log
        await settle(pilot)
        assert isinstance(app.screen, InteractionsScreen) and app.screen.brand_id is not None


async def test_deal_flow_status_lines_stay_one_line_when_narrow(database: Database) -> None:
    with database.transaction() as s:
        one_of_each(s)
    app = make_app(database)
    async with app.run_test(size=(40, 24)) as pilot:
        await settle(pilot)
        await pilot.press("g")
        await settle(pilot)
        for widget in app.screen.query(".flow-status").results(Static):
            assert widget.size.height == 1


async def test_deal_flow_with_nothing_due(database: Database) -> None:
    app = make_app(database)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("g")
        await settle(pilot)
        assert status_lines(app)[0].startswith("Agenda · nothing due by")
        assert not app.screen.query_one("#flow-agenda").display
        await pilot.press("2", "enter")  # nothing to open: nothing happens
        await settle(pilot)
        assert isinstance(app.screen, DealFlowScreen)
