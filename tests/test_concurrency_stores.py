"""Races, on both stores (issue 17): several threads, each with its own connection (as several
managers' talents), change the same thing at the same moment. Exactly one wins, the others are
refused in words, nothing is doubled; asserted on the stored rows. On PostgreSQL this rests on
the writers' lock (`store.db._on_pg_begin`) and the row locks (`store.locks.for_change`); on
SQLite on BEGIN IMMEDIATE."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, func, select

from talent_tui.io.importers import base as importers
from talent_tui.services import deals
from talent_tui.store import db as dbmod
from talent_tui.store.models import (
    AuditEntry,
    Campaign,
    CampaignStatus,
    Creator,
    DeliverableStatus,
    Invoice,
)
from tests import factories

THREADS = 6
DAY = date(2026, 11, 1)


def race(url: str, work: list[Callable[[dbmod.Database], Any]]) -> list[Any]:
    """Run each `work(db)` in a thread of its own, on a database handle of its own, all let go
    at once; the result or the exception of each, in order."""
    handles = [dbmod.open_database(url) for _ in work]
    start = threading.Barrier(len(work))
    results: list[Any] = [None] * len(work)

    def run(i: int) -> None:
        start.wait()
        try:
            results[i] = work[i](handles[i])
        except Exception as exc:  # noqa: BLE001 - the test looks at what each got
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(work))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for handle in handles:
        handle.dispose()
    return results


def status_changes(db: dbmod.Database, campaign_id: int) -> list[str]:
    with db.session() as s:
        return list(
            s.exec(
                select(AuditEntry.action).where(
                    AuditEntry.entity == "campaign",
                    AuditEntry.entity_id == campaign_id,
                    col(AuditEntry.action).startswith("status:"),
                )
            )
        )


def test_accepting_and_declining_one_offer_at_once_one_wins(database: dbmod.Database) -> None:
    with database.transaction() as s:
        campaign_id = factories.offer(s).id

    def accept(db: dbmod.Database) -> str:
        with db.transaction() as s:
            deals.accept(s, campaign_id, "mina")
        return "accepted"

    def decline(db: dbmod.Database) -> str:
        with db.transaction() as s:
            deals.decline(s, campaign_id, "too low", "joon")
        return "declined"

    results = race(database.url, [accept, decline] * (THREADS // 2))
    won = [r for r in results if isinstance(r, str)]
    refused = [r for r in results if not isinstance(r, str)]
    assert len(won) == 1 and len(refused) == THREADS - 1
    assert all(isinstance(r, deals.DealError) for r in refused), refused
    final = CampaignStatus.ACCEPTED if won == ["accepted"] else CampaignStatus.DECLINED
    label = "accepted" if final is CampaignStatus.ACCEPTED else "declined"
    assert all(f"is {label}; it cannot become" in str(r) for r in refused)
    with database.session() as s:
        assert s.get(Campaign, campaign_id).status is final  # type: ignore[union-attr]
    changes = status_changes(database, campaign_id)
    assert len(changes) == 1 and changes[0].startswith(f"status: offer received → {label}")


def test_paying_one_invoice_at_once_pays_it_once(database: dbmod.Database) -> None:
    with database.transaction() as s:
        campaign = factories.agreed_offer(s, fee="2,000 USD")
        invoice_id = deals.add_invoice(s, campaign.id, "1,500.00", "USD", DAY, None, "mina").id

    def pay(on: date) -> Callable[[dbmod.Database], date]:
        def work(db: dbmod.Database) -> date:
            with db.transaction() as s:
                deals.mark_paid(s, invoice_id, on, "mina")
            return on

        return work

    days = [date(2026, 11, 2 + i) for i in range(THREADS)]
    results = race(database.url, [pay(d) for d in days])
    won = [r for r in results if isinstance(r, date)]
    refused = [r for r in results if not isinstance(r, date)]
    assert len(won) == 1
    assert all(
        isinstance(r, deals.DealError) and f"was already paid on {won[0]}" in str(r)
        for r in refused
    ), refused
    with database.session() as s:
        assert s.get(Invoice, invoice_id).paid_on == won[0]  # type: ignore[union-attr]
        paid = s.exec(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.entity == "invoice", col(AuditEntry.action).endswith(" paid"))
        ).one()
    assert paid == 1
    totals = deals.invoice_totals
    with database.session() as s:
        assert totals(s, DAY).outstanding == {}  # nothing counted twice, nothing left owing


def test_moving_one_deliverable_at_once_moves_it_once(database: dbmod.Database) -> None:
    with database.transaction() as s:
        campaign = factories.agreed_offer(s)
        item = deals.add_deliverable(s, campaign.id, "video", DAY, "mina").id

    def submit(db: dbmod.Database) -> str:
        with db.transaction() as s:
            deals.set_deliverable_status(s, item, DeliverableStatus.DRAFT_SUBMITTED, "mina")
        return "submitted"

    results = race(database.url, [submit] * THREADS)
    assert results.count("submitted") == 1
    refused = [r for r in results if r != "submitted"]
    assert all("is draft_submitted; it cannot become draft_submitted" in str(r) for r in refused), (
        refused
    )
    with database.session() as s:
        moves = s.exec(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.entity == "deliverable", AuditEntry.entity_id == item)
            .where(col(AuditEntry.action).endswith(": draft_submitted"))
        ).one()
    assert moves == 1


CSV = "name,tiktok_handle,followers\nAna,@ana.one,1000\nBo,@bo.two,2000\nCy,@cy.three,3000\n"


def test_importing_the_same_keys_at_once_stores_each_once(
    database: dbmod.Database, tmp_path: Path
) -> None:
    path = tmp_path / "creators.csv"
    path.write_text(CSV, encoding="utf-8")

    def load(db: dbmod.Database) -> importers.ImportReport:
        return importers.import_file(db, "creators", path)

    results = race(database.url, [load] * THREADS)
    assert all(isinstance(r, importers.ImportReport) for r in results), results
    # One import adds the three; every other one finds them (they queue) and changes nothing.
    assert sorted(r.new for r in results) == [0] * (THREADS - 1) + [3]
    assert all(r.new + r.updated + r.unchanged == 3 for r in results)
    with database.session() as s:
        rows = s.exec(select(Creator.tiktok_handle, Creator.followers)).all()
    assert sorted(rows) == [("@ana.one", 1000), ("@bo.two", 2000), ("@cy.three", 3000)]


def test_a_writer_waits_at_most_talent_wait_then_is_refused_in_words(
    database: dbmod.Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    with database.transaction() as s:
        campaign_id = factories.offer(s).id
    monkeypatch.setenv("TALENT_WAIT", "0.2")
    other = dbmod.open_database(database.url)
    try:
        with database.transaction() as s:  # holds the writers' lock
            deals.start_review(s, campaign_id, "mina")
            with pytest.raises(dbmod.DatabaseBusy, match="another talent is writing"):
                with other.transaction() as o:
                    deals.accept(o, campaign_id, "joon")
            assert other.write_if_free(lambda o: deals.accept(o, campaign_id, "joon")) == (
                False,
                None,
            )
    finally:
        other.dispose()
    with database.session() as s:
        assert s.get(Campaign, campaign_id).status is CampaignStatus.REVIEWING  # type: ignore[union-attr]
    assert status_changes(database, campaign_id) == ["status: offer received → reviewing"]
