"""A deal's invoices add up to at most its agreed fee, unless the manager says why; the reason
is kept in the history. One rule (services.deals.invoices), the CLI and the form use it."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select
from textual.widgets import DataTable
from typer.testing import CliRunner

from talent_tui.cli import main as cli
from talent_tui.screens.campaign import CampaignScreen
from talent_tui.screens.fields import FieldsForm
from talent_tui.services import deals
from talent_tui.store.db import Database
from talent_tui.store.models import AuditEntry, Invoice

from . import factories
from .conftest import fill, make_app, settle

runner = CliRunner()
DAY = factories.DAY


def deal(db: Database, fee: str = "3,000,000 KRW") -> int:
    with db.transaction() as s:
        return factories.agreed_offer(s, fee=fee).id


def amounts(db: Database, campaign_id: int) -> list[int]:
    with db.session() as s:
        return [i.amount_minor for i in deals.invoices_of(s, campaign_id)]


def test_invoices_up_to_the_fee_are_fine_one_more_won_is_refused(database: Database) -> None:
    campaign_id = deal(database)
    with database.transaction() as s:
        deals.add_invoice(s, campaign_id, "1,500,000", None, DAY, None, "me")
        deals.add_invoice(s, campaign_id, "1,500,000", None, DAY, None, "me")  # exactly the fee
    with pytest.raises(deals.OverFee) as refused, database.transaction() as s:
        deals.add_invoice(s, campaign_id, "1", None, DAY, None, "me")
    assert refused.value.field == "over_fee_reason"
    assert str(refused.value) == (
        "the invoices would add up to 3,000,001 KRW, more than the agreed fee of 3,000,000 KRW "
        "(3,000,000 KRW invoiced so far); say why to invoice over the fee"
    )
    assert amounts(database, campaign_id) == [1_500_000, 1_500_000]


def test_paid_invoices_count_too(database: Database) -> None:
    campaign_id = deal(database, "1,000 USD")
    with database.transaction() as s:
        paid = deals.add_invoice(s, campaign_id, "800", None, DAY, None, "me")
        deals.mark_paid(s, paid.id, DAY, "me")
    with pytest.raises(deals.OverFee), database.transaction() as s:
        deals.add_invoice(s, campaign_id, "200.01", None, DAY, None, "me")
    with database.transaction() as s:
        deals.add_invoice(s, campaign_id, "200.00", None, DAY, None, "me")
    assert amounts(database, campaign_id) == [80_000, 20_000]


def test_a_reason_lets_it_through_and_is_kept_in_the_history(database: Database) -> None:
    campaign_id = deal(database)
    with database.transaction() as s:
        invoice = deals.add_invoice(
            s, campaign_id, "11,500,000", None, DAY, None, "mina", "K-1",
            over_fee_reason="usage extended to a year, agreed by e-mail",
        )  # fmt: skip
    with database.session() as s:
        entry = deals.history(s, campaign_id)[-1]
    assert invoice.amount_minor == 11_500_000
    assert entry.actor == "mina"
    assert (
        entry.action
        == "invoice K-1 issued over the fee: usage extended to a year, agreed by e-mail"
    )
    assert (
        json.loads(entry.after)["over_fee_reason"] == "usage extended to a year, agreed by e-mail"
    )
    for bad in ("   ", "\x1b[31mbecause"):  # blank is no reason; control characters are refused
        with pytest.raises(deals.DealError) as refused, database.transaction() as s:
            deals.add_invoice(s, campaign_id, "1", None, DAY, None, "me", over_fee_reason=bad)
        assert refused.value.field == "over_fee_reason"
    assert amounts(database, campaign_id) == [11_500_000]


def test_cli_refuses_over_the_fee_and_names_the_option(database: Database) -> None:
    campaign_id = deal(database)
    args = ["--db", database.url, "invoices", "add", str(campaign_id)]
    first = runner.invoke(cli.app, [*args, "2,000,000"])
    assert first.exit_code == 0, first.output
    over = runner.invoke(cli.app, [*args, "9,500,000"])
    assert over.exit_code == 1
    assert "more than the agreed fee of 3,000,000 KRW" in over.stderr
    assert "--over-fee-reason" in over.stderr
    assert amounts(database, campaign_id) == [2_000_000]
    ok = runner.invoke(cli.app, [*args, "9,500,000", "--over-fee-reason", "two extra videos"])
    assert ok.exit_code == 0, ok.output
    with database.session() as s:
        kept = [json.loads(e.after or "{}") for e in s.exec(select(AuditEntry))]
    assert any(k.get("over_fee_reason") == "two extra videos" for k in kept)
    assert amounts(database, campaign_id) == [2_000_000, 9_500_000]


async def test_invoice_form_asks_for_the_reason_beside_its_field(database: Database) -> None:
    campaign_id = deal(database)
    app = make_app(database)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(CampaignScreen(campaign_id))
        await settle(pilot)
        screen = app.screen
        await pilot.press("i")
        await settle(pilot)
        await fill(pilot, "amount", "3,500,000")
        await pilot.press("ctrl+s")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FieldsForm)
        assert "agreed fee" in str(form.query_one("#error-over_fee_reason").render())
        with database.session() as s:
            assert s.exec(select(Invoice)).all() == []
        await fill(pilot, "over_fee_reason", "late-payment fee")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        assert screen.query_one("#deal-invoices", DataTable).row_count == 1
    assert amounts(database, campaign_id) == [3_500_000]
    with database.session() as s:
        assert deals.history(s, campaign_id)[-1].action.endswith("over the fee: late-payment fee")


def test_a_long_reason_is_kept_whole_and_the_history_line_fits(database: Database) -> None:
    campaign_id = deal(database, "100 USD")
    reason = "agreed on the call: " + "x" * 480  # 500 characters, the longest a line may be
    with database.transaction() as s:
        deals.add_invoice(s, campaign_id, "150", None, DAY, None, "me", "N" * 60, reason)
    with database.session() as s:
        entry = deals.history(s, campaign_id)[-1]
    assert len(entry.action) == 200 and entry.action.endswith("x…")
    assert json.loads(entry.after)["over_fee_reason"] == reason
