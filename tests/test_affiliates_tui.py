"""The affiliates workspace from the keyboard: A opens it on the demo's programs; the pipeline
board moves an affiliate with > (refused until the checklist is ticked with t); the KPI table
matches the service and sorts with s; Enter opens an affiliate's page; forms add affiliates
and links. Everything is checked in what was stored too."""

from __future__ import annotations

from sqlmodel import select
from textual.widgets import DataTable, Static

from talent_tui.screens.affiliate_page import AffiliatePage
from talent_tui.screens.affiliates import AffiliatesScreen
from talent_tui.screens.fields import FieldsForm
from talent_tui.services.affiliates import kpis, lookup
from talent_tui.store.db import Database
from talent_tui.store.models import Affiliate, ChecklistTick, TrackingLink

from .conftest import TODAY, fill, make_app, screen_text, settle


def _keys(table: DataTable) -> list[str]:
    return [str(k.value) for k in table.rows]


async def _open(pilot) -> AffiliatesScreen:  # noqa: ANN001
    await settle(pilot)
    await pilot.press("A")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, AffiliatesScreen)
    return screen


def _affiliate(db: Database, handle: str, program: str = "lumiere-glow-club") -> Affiliate:
    with db.session() as s:
        p = lookup.find_program(s, program)
        return lookup.find_affiliate(s, p.id, handle)


async def test_the_board_moves_an_affiliate_once_the_checklist_is_ticked(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot)
        assert "Lumière Glow Club" in screen_text(app)
        board = screen.query_one("#aff-pipeline", DataTable)
        keys = _keys(board)
        assert [k for k in keys if k.startswith("stage:")][:3] == [
            "stage:prospect",
            "stage:contacted",
            "stage:applied",
        ]
        zoe = _affiliate(demo_db, "@zoecarter.style")
        assert zoe.stage.value == "onboarding"
        board.focus()
        board.move_cursor(row=keys.index(f"affiliate:{zoe.id}"))
        await pilot.press("greater_than_sign")
        await settle(pilot)
        assert _affiliate(demo_db, "@zoecarter.style").stage.value == "onboarding"
        for _ in range(3):
            await pilot.press("t")
            await settle(pilot)
        with demo_db.session() as s:
            ticks = s.exec(select(ChecklistTick).where(ChecklistTick.affiliate_id == zoe.id)).all()
        assert len(ticks) == 3
        await pilot.press("greater_than_sign")
        await settle(pilot)
        assert _affiliate(demo_db, "@zoecarter.style").stage.value == "active"
        # The cursor stays on her, now under Active.
        keys = _keys(board)
        assert keys[board.cursor_row] == f"affiliate:{zoe.id}"
        assert keys.index(f"affiliate:{zoe.id}") > keys.index("stage:active")


async def test_kpis_match_the_service_and_sort(demo_db: Database) -> None:
    with demo_db.session() as s:
        program = lookup.find_program(s, "lumiere-glow-club")
        expected = kpis.program_kpis(s, program, kpis.month_period(TODAY))
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot)
        await pilot.press("2")
        await settle(pilot)
        table = screen.query_one("#aff-kpis", DataTable)
        # Filled while its tab was hidden, it shows its top: the Total row is on screen.
        assert table.scroll_y == 0
        await pilot.press("left_square_bracket", "right_square_bracket")
        await settle(pilot)
        assert _keys(table)[0] == "total"  # first: the table is drawn a page at a time
        total = [str(c) for c in table.get_row("total")]
        assert total[1] == f"{expected.total.clicks:,}"
        assert total[2] == f"{expected.total.conversions:,}"
        by_revenue = [k for k in _keys(table) if k != "total"]
        assert by_revenue == [f"affiliate:{k.affiliate_id}" for k in expected.rows]
        await pilot.press("s")  # clicks
        await pilot.pause()
        by_clicks = sorted(expected.rows, key=lambda k: (-k.clicks, k.handle))
        assert [k for k in _keys(table) if k != "total"] == [
            f"affiliate:{k.affiliate_id}" for k in by_clicks
        ]
        assert "by clicks" in str(screen.query_one("#aff-status", Static).render())
        table.move_cursor(row=1)  # the first affiliate, under the total
        await pilot.press("enter")
        await settle(pilot)
        page = app.screen
        assert isinstance(page, AffiliatePage)
        assert page.affiliate_id == by_clicks[0].affiliate_id
        assert page.query_one("#aff-orders", DataTable).row_count > 0
        await pilot.press("3")  # details: the stage history, what they were given
        await settle(pilot)
        assert "History:" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, AffiliatesScreen)


async def test_forms_add_an_affiliate_and_a_link(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, FieldsForm)
        await fill(pilot, "handle", "@new.partner")
        await fill(pilot, "stage", "vip")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, FieldsForm)  # unknown stage: said beside the field
        assert "unknown stage" in screen_text(app)
        await fill(pilot, "stage", "contacted")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, AffiliatesScreen)
        new = _affiliate(demo_db, "@new.partner")
        assert new.stage.value == "contacted"
        board = screen.query_one("#aff-pipeline", DataTable)
        board.focus()
        board.move_cursor(row=_keys(board).index(f"affiliate:{new.id}"))
        await pilot.press("L")
        await settle(pilot)
        await fill(pilot, "url", "https://lumiere-skin.example/new")
        await pilot.press("ctrl+s")
        await settle(pilot)
        with demo_db.session() as s:
            link = s.exec(select(TrackingLink).where(TrackingLink.affiliate_id == new.id)).one()
        assert link.url.endswith(
            "utm_source=new.partner&utm_medium=affiliate&utm_campaign=lumiere-glow-club"
        )


async def test_forms_add_a_program_with_its_checklist_and_a_creative(demo_db: Database) -> None:
    from talent_tui.store.models import ChecklistItem, Creative, Program

    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(pilot)
        await pilot.press("N")
        await settle(pilot)
        await fill(pilot, "name", "Byte Audio Club")
        await fill(pilot, "brand", "Byte Audio")
        await fill(pilot, "currency", "usd")
        await fill(pilot, "rate", "7.5%")
        await fill(pilot, "checklist", "Signed terms; Demo unit")
        await pilot.press("ctrl+s")
        await settle(pilot)
        with demo_db.session() as s:
            program = s.exec(select(Program).where(Program.name == "Byte Audio Club")).one()
            items = s.exec(
                select(ChecklistItem.label).where(ChecklistItem.program_id == program.id)
            ).all()
        assert (program.rate_bp, program.currency, program.slug) == (750, "USD", "byte-audio-club")
        assert sorted(items) == ["Demo unit", "Signed terms"]
        assert "Byte Audio Club" in screen_text(app)
        await pilot.press("B")
        await settle(pilot)
        await fill(pilot, "name", "Leaderboard")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "needs a path" in screen_text(app)  # said in the form, nothing stored
        await fill(pilot, "path", "creatives/byte.png")
        await pilot.press("ctrl+s")
        await settle(pilot)
        with demo_db.session() as s:
            creative = s.exec(select(Creative).where(Creative.program_id == program.id)).one()
        assert (creative.kind.value, creative.path, creative.affiliate_id) == (
            "banner",
            "creatives/byte.png",
            None,
        )


async def test_choosing_another_program_reads_it_once(demo_db: Database) -> None:
    """P then ↓: the board shows the second program, nothing is left reading or covered (the
    refilled program list once announced its highlight as a new choice: a loop of reads)."""
    with demo_db.session() as s:
        peak = lookup.find_program(s, "peak-fuel-athletes")
        handles = {a.id for a in s.exec(select(Affiliate).where(Affiliate.program_id == peak.id))}
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot)
        await pilot.press("P", "down")
        await settle(pilot)
        assert screen.program_id == peak.id
        board = screen.query_one("#aff-pipeline", DataTable)
        shown = {int(k.split(":")[1]) for k in _keys(board) if k.startswith("affiliate:")}
        assert shown == handles
        assert "Peak Fuel Athletes" in str(screen.query_one("#aff-status", Static).render())
        assert not screen.query_one("#aff-body").loading
        assert not [w for w in app.workers if w.is_running]
        await pilot.press("up", "down", "up")
        await settle(pilot)
        assert screen.program_id != peak.id
        assert not [w for w in app.workers if w.is_running]


async def test_the_program_report_and_the_management_report_are_saved_from_the_workspace(
    demo_db: Database, tmp_path
) -> None:  # noqa: ANN001
    from textual.widgets import Input

    from talent_tui.io import affiliate_reports
    from talent_tui.screens.document import DocumentScreen
    from talent_tui.services.affiliates import program_report

    october = kpis.month_period(TODAY).previous()
    with demo_db.session() as s:
        program = lookup.find_program(s, "lumiere-glow-club")
        expected, expected_management = (
            affiliate_reports.render(
                program_report.build_report(s, program, october, TODAY, management=flag), "md"
            )
            for flag in (False, True)
        )
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(pilot)
        await pilot.press("left_square_bracket")  # October, the month before
        await settle(pilot)
        await pilot.press("R")
        await settle(pilot)
        document = app.screen
        assert isinstance(document, DocumentScreen)
        assert document.renderers["md"]() == expected  # the highlighted program, October
        assert "2026-10" in expected and "cost of sale" in expected.lower()
        await pilot.press("w")
        await settle(pilot)
        form = app.screen
        form.query_one("#field-format", Input).value = "html"
        path = form.query_one("#field-path", Input)
        path.value = str(tmp_path / "report.html")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is document
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("M")
        await settle(pilot)
        management = app.screen
        assert isinstance(management, DocumentScreen)
        assert management.renderers["md"]() == expected_management != expected
    saved = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "<html" in saved.lower() and "Lumière Glow Club" in saved and "2026-10" in saved
