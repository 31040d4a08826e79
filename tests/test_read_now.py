"""A screen's first read on the UI thread (TalentApp.read_now, Database.session_within): kept
to a time limit by SQLite itself, refused while the database is still opening, and leaving
the pooled connection as it found it."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from talent_tui.app import TalentApp
from talent_tui.store import db as dbmod
from talent_tui.store.handle import DatabaseFile
from talent_tui.store.sqlitefile import ReadTooLong
from tests import factories

# A statement that runs for seconds: a recursive count to fifty million.
SLOW = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50000000) SELECT count(*) FROM n"


def test_a_read_past_its_limit_is_stopped_and_the_connection_is_clean(
    database: dbmod.Database,
) -> None:
    with database.transaction() as s:
        factories.creator(s, name="Mina Park")
    with pytest.raises(ReadTooLong), database.session_within(0.05) as session:
        session.execute(sa.text(SLOW)).scalar_one()
    # The same pooled connection answers afterwards, without a time limit left on it.
    with database.session_within(5) as session:
        assert session.execute(sa.text("SELECT count(*) FROM creators")).scalar_one() == 1
    with database.session() as session:
        assert (
            session.execute(sa.text("SELECT count(*) FROM (SELECT 1 FROM creators)")).scalar_one()
            == 1
        )
        small = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300000) SELECT count(*) FROM n"
        assert session.execute(sa.text(small)).scalar_one() == 300_000


def test_other_errors_pass_through(database: dbmod.Database) -> None:
    with pytest.raises(sa.exc.OperationalError), database.session_within(1) as session:
        session.execute(sa.text("SELECT * FROM no_such_table"))


def test_read_now_waits_for_nothing(tmp_path: Path) -> None:
    path = tmp_path / "talent.db"
    dbmod.open_database(str(path)).dispose()
    quick = TalentApp(DatabaseFile(path))  # the ORM is opened after the first frame
    with pytest.raises(ReadTooLong):
        quick.read_now(lambda session: 1)
    opened = dbmod.open_database(str(path))
    app = TalentApp(opened)
    assert app.read_now(lambda s: s.execute(sa.text("SELECT 41 + 1")).scalar_one()) == 42
    with pytest.raises(ReadTooLong):
        app.read_now(lambda s: s.execute(sa.text(SLOW)).scalar_one(), within_s=0.05)
    opened.dispose()


@pytest.mark.parametrize("inline", [True, False], ids=["read-now", "worker"])
async def test_the_deal_screens_show_their_data_either_way(
    demo_db: dbmod.Database, inline: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The deal flow and a deal show the same data whether their first read is done on the
    spot or, when that is refused (slow, or the database still opening), by a worker."""
    from textual.widgets import DataTable, Static

    from talent_tui.screens.campaign import CampaignScreen
    from talent_tui.screens.dealflow import DealFlowScreen

    from .conftest import make_app, settle

    calls: list[bool] = []
    real = TalentApp.read_now

    def read_now(self: TalentApp, read, within_s: float = 0.04):  # noqa: ANN001, ANN202
        calls.append(inline)
        if not inline:
            raise ReadTooLong("refused for the test")
        return real(self, read, within_s)

    monkeypatch.setattr(TalentApp, "read_now", read_now)
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("g")
        await settle(pilot)
        flow = app.screen
        assert isinstance(flow, DealFlowScreen)
        pipeline = flow.query_one("#flow-pipeline", DataTable)
        keys = [str(k.value) for k in pipeline.rows]
        deal_keys = [k for k in keys if k.startswith("campaign:")]
        assert deal_keys and pipeline.cursor_row == keys.index(deal_keys[0])
        await pilot.press("1", "enter")  # the pipeline's table, then its first deal
        await settle(pilot)
        deal = app.screen
        assert isinstance(deal, CampaignScreen)
        assert deal.campaign_id == int(deal_keys[0].split(":")[1])
        assert deal.data is not None and deal.data.summary.id == deal.campaign_id
        assert str(deal.query_one("#deal-title", Static).render()).startswith(
            deal.data.summary.name
        )
    assert calls == [inline, inline]


async def test_long_lived_objects_are_frozen_while_the_app_runs_and_released_after(
    demo_db: dbmod.Database,
) -> None:
    """What start-up and the background warm-up made is moved out of the collector's way
    (a full collection walked it, ~50 ms inside the next screen's opening), and handed back
    when the app closes, so apps run one after another in a process do not pile up."""
    import gc

    from .conftest import make_app, settle

    gc.unfreeze()
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await app.workers.wait_for_complete()
        assert app.frame_shown.is_set()
        assert gc.get_freeze_count() > 10_000
    assert gc.get_freeze_count() == 0
