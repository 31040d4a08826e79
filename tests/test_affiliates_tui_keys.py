"""The affiliates workspace under real key presses, fast ones too: after a form is saved the
workspace is never left behind its loading indicator; stage keys typed at machine speed are
applied in the order they were typed; Esc right after Ctrl+S waits for the save; a change
made by another process shows (the watcher, Ctrl+R); p cycles month → quarter → range →
month; big KPI figures are never cut off by their column; the footer has no stray letter."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime

from sqlmodel import select
from textual.widgets import DataTable, Static

from talent_tui.screens.affiliate_page import AffiliatePage
from talent_tui.screens.affiliates import AffiliatesScreen
from talent_tui.screens.fields import FieldsForm, FormField, FormProblem
from talent_tui.screens.main import MainScreen
from talent_tui.services import brands
from talent_tui.services.affiliates import kpis, lookup, members, programs
from talent_tui.store.db import Database
from talent_tui.store.kinds import ConversionStatus
from talent_tui.store.models import Affiliate, ClickDay, Conversion, Program

from .conftest import TODAY, fill, make_app, screen_text, settle
from .test_affiliates_tui import _keys, _open
from .test_typing_speed_fit import type_burst


async def _quiet(pilot, screen: AffiliatesScreen) -> None:  # noqa: ANN001
    """Settled, and past the moment after which a read still waited for shows its loading
    indicator: nothing is left covered."""
    await settle(pilot)
    await pilot.pause(0.3)  # longer than LOADING_AFTER_S: a stuck indicator would show now
    await settle(pilot)
    assert not screen.board_loading.workers
    assert not screen.kpis_loading.workers
    assert not screen.query_one("#aff-body").loading
    assert not screen.query_one("#aff-kpis").loading


def _program(db: Database, name: str, handle: str) -> tuple[int, int]:
    """A program without a checklist (its brand too) with one prospect: (program, affiliate)."""
    with db.transaction() as s:
        brands.add_brand(s, {"name": f"{name} Brand"}, "mina")
        program = programs.add_program(
            s, programs.ProgramInput(name, f"{name} Brand", "USD", "10%"), "mina"
        )
        member = members.add_affiliate(s, program.id or 0, members.AffiliateInput(handle), "mina")
        return program.id or 0, member.id or 0


def _focus_on(screen: AffiliatesScreen, affiliate_id: int) -> None:
    board = screen.query_one("#aff-pipeline", DataTable)
    board.focus()
    board.move_cursor(row=_keys(board).index(f"affiliate:{affiliate_id}"))


async def test_saving_a_form_leaves_the_workspace_shown(demo_db: Database) -> None:
    """N, fill, Ctrl+S; then n for an affiliate; then L: each time the board shows the saved
    row, with no loading indicator left up (the done callback's reload and the resume's
    reload cancelled a read before it ran, which the indicator waited for for good)."""
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot)
        await pilot.press("N")
        await settle(pilot)
        for name, text in (("name", "Byte Audio Club"), ("brand", "Byte Audio")):
            await fill(pilot, name, text)
        await fill(pilot, "currency", "USD")
        await fill(pilot, "rate", "8%")
        await pilot.press("ctrl+s")
        await _quiet(pilot, screen)
        assert app.screen is screen
        with demo_db.session() as s:
            program = s.exec(select(Program).where(Program.name == "Byte Audio Club")).one()
        assert screen.program_id == program.id
        assert f"program:{program.id}" in _keys(screen.query_one("#aff-programs", DataTable))
        await pilot.press("n")
        await settle(pilot)
        await fill(pilot, "handle", "@byte.fan")
        await pilot.press("ctrl+s")
        await _quiet(pilot, screen)
        with demo_db.session() as s:
            fan = s.exec(select(Affiliate).where(Affiliate.handle == "@byte.fan")).one()
        assert fan.program_id == program.id
        board = screen.query_one("#aff-pipeline", DataTable)
        assert f"affiliate:{fan.id}" in _keys(board)
        _focus_on(screen, fan.id or 0)
        await pilot.press("L")
        await settle(pilot)
        await fill(pilot, "url", "https://byte.example/x")
        await pilot.press("ctrl+s")
        await _quiet(pilot, screen)
        assert app.screen is screen
        # Fast t and > presses: each change reads the board again; none is left covering it.
        await type_burst(pilot, "t", "greater_than_sign", "t")
        await _quiet(pilot, screen)
        with demo_db.session() as s:
            assert s.get(Affiliate, fan.id).stage.value == "contacted"  # type: ignore[union-attr]


async def test_fast_stage_keys_are_applied_in_the_order_typed(database: Database) -> None:
    """A prospect in a program without a checklist, `> > > > > x > >` at machine speed:
    contacted, applied, onboarding, active, paused, ended (x), onboarding, active — in that
    order (one worker per key committed them in any order: it ended paused)."""
    program_id, affiliate_id = _program(database, "Quick Club", "@quick")
    app = make_app(database)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot)
        assert screen.program_id == program_id
        _focus_on(screen, affiliate_id)
        await type_burst(pilot, *">>>>>", "x", *">>")
        await _quiet(pilot, screen)
        board = screen.query_one("#aff-pipeline", DataTable)
        keys = _keys(board)
        assert keys.index(f"affiliate:{affiliate_id}") > keys.index("stage:active")
        assert keys.index(f"affiliate:{affiliate_id}") < keys.index("stage:paused")
    with database.session() as s:
        assert s.get(Affiliate, affiliate_id).stage.value == "active"  # type: ignore[union-attr]
        steps = [c.to_stage.value for c in members.history(s, affiliate_id)]
    assert steps[-8:] == [
        "contacted",
        "applied",
        "onboarding",
        "active",
        "paused",
        "ended",
        "onboarding",
        "active",
    ]
    assert steps[: len(steps) - 8] in ([], ["prospect"])  # only the first stage before them


async def test_esc_right_after_ctrl_s_waits_for_the_save(demo_db: Database) -> None:
    """Esc while the save runs: the form stays until the save has ended; saved, it closes
    with what was saved (the workspace says so and shows it); refused, it stays open with the
    reason — never closed like a cancel while the save happens anyway."""
    release = threading.Event()
    calls: list[dict[str, str]] = []

    def submit(values: dict[str, str]) -> str:
        calls.append(values)
        assert release.wait(10)
        if values["name"] == "bad":
            raise FormProblem({"name": "not that name"})
        return f"saved {values['name']}"

    results: list[object] = []
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for name, outcome in (("bad", None), ("good", "saved good")):
            release.clear()
            form = FieldsForm("Slow", [FormField("name", "Name")], submit)
            app.push_screen(form, results.append)
            await settle(pilot)
            await fill(pilot, "name", name)
            await pilot.press("ctrl+s")
            for _ in range(200):  # until the save's worker is running (blocked in submit)
                if len(calls) == (1 if name == "bad" else 2):
                    break
                await pilot.pause()
            await pilot.press("escape")
            await pilot.press("escape", "ctrl+s")  # impatient: neither closes nor saves twice
            assert app.screen is form  # Esc waits for the save
            assert "closes if it is saved" in str(form.query_one("#form-status", Static).render())
            release.set()
            await settle(pilot)
            if outcome is None:
                assert app.screen is form  # refused: the reason is shown, the form stays
                assert "not that name" in screen_text(app)
                assert any("Not saved" in n.message for n in app._notifications)
                await pilot.press("escape")  # nothing running now: Esc cancels
                await settle(pilot)
            assert app.screen is not form
        assert results == [None, "saved good"]
        assert [c["name"] for c in calls] == ["bad", "good"]  # each saved once

        # In the workspace at machine speed: N, fill, Ctrl+S then Esc at once.
        screen = await _open(pilot)
        await pilot.press("N")
        await settle(pilot)
        await fill(pilot, "name", "Esc Club")
        await fill(pilot, "brand", "Byte Audio")
        await fill(pilot, "currency", "EUR")
        await fill(pilot, "rate", "5%")
        await type_burst(pilot, "ctrl+s", "escape")
        await _quiet(pilot, screen)
        assert app.screen is screen
        with demo_db.session() as s:
            program = s.exec(select(Program).where(Program.name == "Esc Club")).one()
        assert (program.currency, program.rate_bp) == ("EUR", 500)
        assert any("Added Esc Club" in n.message for n in app._notifications)
        assert f"program:{program.id}" in _keys(screen.query_one("#aff-programs", DataTable))


def _add_order(db: Database, program_slug: str, handle: str, order: str, amount: int) -> None:
    """What `talent import conversions` commits from another process: one approved order
    today, and 40 clicks."""
    with db.transaction() as s:
        program = lookup.find_program(s, program_slug)
        affiliate = lookup.find_affiliate(s, program.id or 0, handle)
        s.add(
            Conversion(
                program_id=program.id or 0,
                order_id=order,
                affiliate_id=affiliate.id or 0,
                occurred_at=datetime(TODAY.year, TODAY.month, TODAY.day, 9, tzinfo=UTC),
                amount_minor=amount,
                currency=program.currency,
                status=ConversionStatus.APPROVED,
            )
        )
        s.add(
            ClickDay(
                program_id=program.id or 0,
                affiliate_id=affiliate.id or 0,
                day=date(TODAY.year, TODAY.month, 1),
                clicks=40,
            )
        )


async def test_the_workspace_and_the_page_show_a_change_made_by_another_process(
    demo_db: Database,
) -> None:
    with demo_db.session() as s:
        program = lookup.find_program(s, "lumiere-glow-club")
        before = kpis.program_kpis(s, program, kpis.month_period(TODAY)).total
        zoe_id = lookup.find_affiliate(s, program.id or 0, "@zoecarter.style").id or 0
        zoe_orders = kpis.order_count(s, zoe_id)
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot)
        await pilot.press("2")
        await settle(pilot)
        table = screen.query_one("#aff-kpis", DataTable)
        main = app.screen_stack[0]
        assert isinstance(main, MainScreen)
        shown = [str(c) for c in table.get_row("total")]
        assert shown[1:3] == [f"{before.clicks:,}", f"{before.conversions:,}"]
        _add_order(demo_db, "lumiere-glow-club", "@zoecarter.style", "EXT-1", 12_345)
        main._poll_changes()  # the watcher's next tick (every 2 s) sees the commit
        await _quiet(pilot, screen)
        shown = [str(c) for c in table.get_row("total")]
        assert shown[1:3] == [f"{before.clicks + 40:,}", f"{before.conversions + 1:,}"]
        _add_order(demo_db, "lumiere-glow-club", "@zoecarter.style", "EXT-2", 100)
        await pilot.press("ctrl+r")  # at once, without waiting for the watcher
        await _quiet(pilot, screen)
        shown = [str(c) for c in table.get_row("total")]
        assert shown[1:3] == [f"{before.clicks + 80:,}", f"{before.conversions + 2:,}"]

        table.move_cursor(row=_keys(table).index(f"affiliate:{zoe_id}"))
        await pilot.press("enter")
        await settle(pilot)
        page = app.screen
        assert isinstance(page, AffiliatePage)
        assert page.totals["orders"] == zoe_orders + 2
        orders = page.query_one("#aff-orders", DataTable)
        _add_order(demo_db, "lumiere-glow-club", "@zoecarter.style", "EXT-3", 100)
        main._poll_changes()
        await settle(pilot)
        assert page.totals["orders"] == zoe_orders + 3
        assert "order:EXT-3" in _keys(orders)  # newest first, on the first page
        _add_order(demo_db, "lumiere-glow-club", "@zoecarter.style", "EXT-4", 100)
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert page.totals["orders"] == zoe_orders + 4
        assert "order:EXT-4" in _keys(orders)


async def test_p_cycles_month_quarter_range_and_back_to_month(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot)
        # The footer's palette key reaches the last column (a letter of the keys scrolled
        # beneath it showed there: "^p palettee").
        palette = screen.query_one(".-command-palette")
        assert palette.region.right == app.size.width
        month = kpis.month_period(TODAY)
        assert screen.period == month
        await pilot.press("p")
        await settle(pilot)
        assert screen.period == kpis.quarter_of(TODAY)
        await pilot.press("p")  # the range form; Esc keeps the quarter…
        await settle(pilot)
        assert isinstance(app.screen, FieldsForm)
        await pilot.press("escape")
        await _quiet(pilot, screen)
        assert screen.period == kpis.quarter_of(TODAY)
        await pilot.press("p")  # …and the next p is the month again
        await _quiet(pilot, screen)
        assert app.screen is screen
        assert screen.period == month
        assert month.label in str(screen.query_one("#aff-status", Static).render())
        await pilot.press("p", "p")  # quarter, then the range form: a range this time
        await settle(pilot)
        await fill(pilot, "from", "2026-10-01")
        await fill(pilot, "to", "2026-10-10")
        await pilot.press("ctrl+s")
        await _quiet(pilot, screen)
        assert screen.period == kpis.parse_range("2026-10-01", "2026-10-10")
        assert screen.data is not None and screen.data.result is not None
        assert screen.data.result.period == screen.period  # its sums were read
        await pilot.press("p")
        await _quiet(pilot, screen)
        assert screen.period == kpis.month_period(date(2026, 10, 1))


async def test_big_kpi_figures_are_never_cut_off(database: Database) -> None:
    """200,003 conversions of 617.20 from 360 clicks (a rate of 55,556%): at 80x24 each figure is shown whole or shortened with its unit (k, M), never cut."""
    program_id, whale_id = _program(database, "Whale Club", "@whale")
    stamp = f"{date(TODAY.year, TODAY.month, 2).isoformat()} 12:00:00.000000"  # as stored
    conn = database.engine.raw_connection()
    try:
        # Orders W0 … W200002, made by SQLite itself (a recursive count): 0.5 s, where the
        # same rows sent one by one through executemany took 6 s.
        conn.execute(
            "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 200002) "
            "INSERT INTO conversions (program_id, order_id, affiliate_id, occurred_at, "
            "amount_minor, refund_minor, currency, status, created_at, updated_at) "
            "SELECT ?, 'W' || i, ?, ?, ?, 0, ?, ?, '2026-11-01', '2026-11-01' FROM n",
            (program_id, whale_id, stamp, 61_720, "USD", "approved"),
        )
        conn.execute(
            "INSERT INTO click_days (program_id, affiliate_id, day, clicks) VALUES (?, ?, ?, ?)",
            (program_id, whale_id, date(TODAY.year, TODAY.month, 2).isoformat(), 360),
        )
        conn.commit()
    finally:
        conn.close()
    with database.session() as s:
        program = lookup.find_program(s, str(program_id))
        total = kpis.program_kpis(s, program, kpis.month_period(TODAY)).total
    assert (total.conversions, total.clicks) == (200_003, 360)
    assert total.revenue_minor == 200_003 * 61_720  # 123,441,851.60 USD
    app = make_app(database)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot)
        await pilot.press("2")
        await _quiet(pilot, screen)
        table = screen.query_one("#aff-kpis", DataTable)
        row = [str(c) for c in table.get_row("total")]
        # Conversions 200,003 → 200k (5 wide); rate 200,003 / 360 = 55,556% (6 wide);
        # revenue 123,441,851.60 → 123,441.9k (10 wide); commission 10% = 617.20 × 200,003 ×
        # 10% = 12,344,185.16 → 12,344k (8 wide); EPC 12,344,185.16 / 360 = 34,289.40 →
        # 34.3k (5 wide); AOV 617.20.
        assert row[1:] == ["360", "200k", "55556%", "123,441.9k", "12,344k", "34.3k", "617.20"]
        widths = [c.width for c in table.columns.values()]
        for cell, width in zip(row[1:], widths[1:], strict=True):
            assert len(cell) <= width  # the rate's column widened to 6 for it
        assert widths[3] == 6
        text = screen_text(app)
        for cell in row[1:]:
            assert cell in text
