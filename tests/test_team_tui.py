"""Team mode in the app beyond the roster: the deal flow (with its agenda) and the affiliates
workspace (pipeline board and KPIs) show the acting manager's own rows by default, and `w`
on any of them flips the app's one mine/all choice, which the roster follows too. Real key
presses on SQLite with two managers assigned (the demo's data); a solo roster is unchanged.
The KPI statement keeps reading the covering indexes with the owner filter."""

from __future__ import annotations

import sqlalchemy as sa
from textual.widgets import DataTable

from talent_tui.screens.affiliates import AffiliatesScreen
from talent_tui.screens.dealflow import DealFlowScreen
from talent_tui.screens.main import MainScreen
from talent_tui.services.affiliates import kpis, lookup
from talent_tui.services.deals.states import OPEN_STATUSES
from talent_tui.store.db import Database

from .conftest import TODAY, make_app, settle, text_of

MINA, JOE = "mina_t", "joe_t"
PROGRAM = "lumiere-glow-club"
OPEN = ", ".join(f"'{s.value}'" for s in OPEN_STATUSES)


def _keys(table: DataTable, kind: str) -> set[int]:
    prefix = f"{kind}:"
    return {int(str(k.value)[len(prefix) :]) for k in table.rows if str(k.value).startswith(prefix)}


def db_rows(db: Database, sql: str) -> list[int]:
    with db.engine.connect() as conn:
        return list(conn.execute(sa.text(sql)).scalars())


def _team(db: Database) -> dict[str, object]:
    """Two managers: mina gets the creator with most open deals and two affiliates of the
    program, joe the next creator and one affiliate; the rest stays unassigned."""
    with db.engine.begin() as conn:
        ids = {}
        for name in (MINA, JOE):
            ids[name] = conn.execute(
                sa.text(
                    "INSERT INTO managers (name, role, added_at) VALUES (:n, 'manager',"
                    " '2026-11-01 09:00:00') RETURNING id"
                ),
                {"n": name},
            ).scalar_one()
        open_deals = conn.execute(
            sa.text(
                "SELECT k.creator_id, k.id FROM campaigns k JOIN creators c ON c.id = k.creator_id"
                " WHERE c.archived_at IS NULL AND k.status IN"
                f" ({OPEN})"
            )
        ).all()
        by_creator: dict[int, set[int]] = {}
        for creator_id, campaign_id in open_deals:
            by_creator.setdefault(creator_id, set()).add(campaign_id)
        busiest = sorted(by_creator, key=lambda c: (-len(by_creator[c]), c))
        hers, his = busiest[0], busiest[1]
        for creator_id, name in ((hers, MINA), (his, JOE)):
            conn.execute(
                sa.text("UPDATE creators SET manager_id = :m WHERE id = :c"),
                {"m": ids[name], "c": creator_id},
            )
        program_id = conn.execute(
            sa.text("SELECT id FROM programs WHERE slug = :s"), {"s": PROGRAM}
        ).scalar_one()
        affiliates = list(
            conn.execute(
                sa.text("SELECT id FROM affiliates WHERE program_id = :p ORDER BY id"),
                {"p": program_id},
            ).scalars()
        )
        assert len(affiliates) >= 4
        for affiliate_id, name in zip(affiliates[:3], (MINA, MINA, JOE), strict=True):
            conn.execute(
                sa.text("UPDATE affiliates SET manager_id = :m WHERE id = :a"),
                {"m": ids[name], "a": affiliate_id},
            )
    every = set().union(*by_creator.values())
    return {
        "mine": by_creator[hers],
        "mine_free": every - by_creator[his],
        "every": every,
        "aff_mine": set(affiliates[:2]),
        "aff_mine_free": set(affiliates) - {affiliates[2]},
        "manager_id": ids[MINA],
        "hers": hers,
        "unassigned_affiliates": set(
            db_rows(db, "SELECT id FROM affiliates WHERE manager_id IS NULL")
        ),
        "his": his,
        "program_id": program_id,
    }


async def test_w_flips_mine_and_all_on_the_deal_flow_the_affiliates_and_the_roster(
    demo_db: Database,
) -> None:
    seen = _team(demo_db)
    assert seen["mine"] < seen["mine_free"] < seen["every"]  # type: ignore[operator]
    with demo_db.session() as s:
        program = lookup.find_program(s, PROGRAM)
        period = kpis.month_period(TODAY)
        hers = kpis.program_kpis(s, program, period, manager_id=seen["manager_id"])  # type: ignore[arg-type]
        everyone = kpis.program_kpis(s, program, period)
    assert {k.affiliate_id for k in hers.rows} == seen["aff_mine"]
    assert hers.total.clicks == sum(
        k.clicks for k in everyone.rows if k.affiliate_id in seen["aff_mine"]
    )  # type: ignore[operator]
    app = make_app(demo_db, actor=MINA)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        main = app.screen
        assert isinstance(main, MainScreen)
        assert " · mine · " in text_of(main.query_one("#roster-status"))  # type: ignore[arg-type]
        await pilot.press("g")
        await settle(pilot)
        flow = app.screen
        assert isinstance(flow, DealFlowScreen)
        assert flow.sub_title == "deal flow · mine"
        pipeline = flow.query_one("#flow-pipeline", DataTable)
        assert _keys(pipeline, "campaign") == seen["mine"]
        whose = {i.creator_id for i in flow._agenda.values()}
        assert seen["hers"] in whose and whose <= {seen["hers"], None}
        mine_due = len(flow._agenda)
        with demo_db.engine.connect() as conn:
            paid_to = dict(conn.execute(sa.text("SELECT id, affiliate_id FROM statements")).all())
        to_pay = {paid_to[i.ref_id] for i in flow._agenda.values() if i.kind == "statement"}
        assert to_pay <= seen["aff_mine"]  # type: ignore[operator]
        await pilot.press("w")
        await settle(pilot)
        assert flow.sub_title == "deal flow · mine + unassigned"
        assert _keys(pipeline, "campaign") == seen["mine_free"]
        whose = {i.creator_id for i in flow._agenda.values()}
        assert len(flow._agenda) > mine_due and seen["his"] not in whose
        to_pay = {paid_to[i.ref_id] for i in flow._agenda.values() if i.kind == "statement"}
        assert to_pay and to_pay <= seen["aff_mine_free"] | seen["unassigned_affiliates"]  # type: ignore[operator]
        await pilot.press("escape")  # the roster follows the choice made on the deal flow
        await settle(pilot)
        assert app.screen is main
        status = text_of(main.query_one("#roster-status"))  # type: ignore[arg-type]
        assert " · mine + unassigned · " in status
        await pilot.press("A")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, AffiliatesScreen)
        assert screen.sub_title == "affiliate programs · mine + unassigned"
        board = screen.query_one("#aff-pipeline", DataTable)
        assert _keys(board, "affiliate") == seen["aff_mine_free"]
        await pilot.press("w")
        await settle(pilot)
        assert screen.sub_title == "affiliate programs · mine"
        assert _keys(board, "affiliate") == seen["aff_mine"]
        await pilot.press("2")
        await settle(pilot)
        table = screen.query_one("#aff-kpis", DataTable)
        assert _keys(table, "affiliate") == seen["aff_mine"]
        total = [str(c) for c in table.get_row("total")]
        assert total[1] == f"{hers.total.clicks:,}"
        assert total[2] == f"{hers.total.conversions:,}"
        await pilot.press("escape")
        await settle(pilot)
        assert " · mine · " in text_of(main.query_one("#roster-status"))  # type: ignore[arg-type]
        assert not app.failures


async def test_a_solo_roster_sees_every_deal_and_affiliate_as_before(demo_db: Database) -> None:
    with demo_db.engine.connect() as conn:
        every = set(
            conn.execute(
                sa.text(
                    "SELECT k.id FROM campaigns k JOIN creators c ON c.id = k.creator_id WHERE"
                    " c.archived_at IS NULL AND k.status IN"
                    f" ({OPEN})"
                )
            ).scalars()
        )
    app = make_app(demo_db, actor="solo")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("g")
        await settle(pilot)
        flow = app.screen
        assert isinstance(flow, DealFlowScreen)
        assert flow.sub_title == "deal flow"
        assert _keys(flow.query_one("#flow-pipeline", DataTable), "campaign") == every
        await pilot.press("w")
        await settle(pilot)
        assert "you have no roster of your own" in " ".join(
            str(n.message) for n in app._notifications
        )
        assert flow.sub_title == "deal flow"
        assert _keys(flow.query_one("#flow-pipeline", DataTable), "campaign") == every
        assert not app.failures


def test_the_own_kpis_still_read_the_covering_indexes(demo_db: Database) -> None:
    seen = _team(demo_db)
    with demo_db.session() as s:
        program = lookup.find_program(s, PROGRAM)
        statement = kpis.kpi_query(
            program,
            kpis.month_period(TODAY),
            manager_id=seen["manager_id"],  # type: ignore[arg-type]
            unassigned=True,
        )
        conn = s.connection()
        compiled = statement.compile(dialect=conn.dialect)
        params = tuple(compiled.params[name] for name in compiled.positiontup or ())
        rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + str(compiled), params).all()
    plan = " | ".join(str(r[3]) for r in rows)
    assert "conversions USING COVERING INDEX ix_conversions_program_time" in plan, plan
    assert "click_days USING COVERING INDEX ix_click_days_program_day" in plan, plan
    assert "SCAN conversions" not in plan.replace("SCAN conversions USING COVERING", ""), plan
