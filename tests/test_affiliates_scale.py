"""The affiliates workspace on a big program, built with raw SQL (20,000 conversions, 30
affiliates, click days): the affiliate page's orders and click days hold one page of rows at a
time and `]` / `[` walk through all of them in order; the KPI table's sums equal sums computed
here with plain SQL, for a month, a quarter and a custom range, and `s` re-sorts them."""

from __future__ import annotations

import random
import shutil
import sqlite3
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from textual.widgets import DataTable, Static

from talent_tui.screens.affiliate_page import PAGE, AffiliatePage
from talent_tui.screens.affiliates import AffiliatesScreen
from talent_tui.store import db as dbmod

from .conftest import fill, make_app, settle

TODAY = date(2026, 11, 20)
AFFILIATES = 30
CONVERSIONS = 20_000
DAYS = 200
TOP = 1  # the affiliate with the most orders (the skew below)


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


def build(path: Path) -> None:
    """A migrated database filled with stdlib sqlite3 (as tests/bench/affiliates_bench.py)."""
    dbmod.open_database(str(path)).dispose()
    rng = random.Random(3)
    now = _stamp(datetime(2026, 1, 1))
    first = TODAY - timedelta(days=DAYS - 1)
    con = sqlite3.connect(path)
    with con:
        con.execute(
            "INSERT INTO brands (id, name, notes, created_at) VALUES (1, 'B', '', ?)", (now,)
        )
        con.execute(
            "INSERT INTO programs (id, name, slug, brand_id, currency, rate_bp, attribution_days,"
            " lock_days, net_days, forbidden_sources, terms, created_at) VALUES (1, 'Big', 'big',"
            " 1, 'USD', 1000, 30, 30, 30, '', '', ?)",
            (now,),
        )
        con.executemany(
            "INSERT INTO affiliates (id, program_id, handle, code, stage, stage_since, notes,"
            " created_at) VALUES (?, 1, ?, ?, 'active', ?, '', ?)",
            ((i, f"@a{i:02d}", f"a{i:02d}", now, now) for i in range(1, AFFILIATES + 1)),
        )
        con.executemany(
            "INSERT INTO affiliate_stage_changes (affiliate_id, to_stage, at, actor)"
            " VALUES (?, 'active', ?, 't')",
            ((i, now) for i in range(1, AFFILIATES + 1)),
        )
        con.executemany(
            "INSERT INTO click_days (program_id, affiliate_id, day, clicks, impressions)"
            " VALUES (1, ?, ?, ?, NULL)",
            (
                (a, (first + timedelta(days=d)).isoformat(), rng.randrange(1, 90))
                for a in range(1, AFFILIATES + 1)
                for d in range(DAYS)
            ),
        )
        weights = [1.0 / i for i in range(1, AFFILIATES + 1)]
        owners = rng.choices(range(1, AFFILIATES + 1), weights, k=CONVERSIONS)
        start = datetime.combine(first, datetime.min.time())
        con.executemany(
            "INSERT INTO conversions (id, program_id, order_id, affiliate_id, occurred_at,"
            " amount_minor, refund_minor, currency, status, created_at, updated_at)"
            " VALUES (?, 1, ?, ?, ?, ?, ?, 'USD', ?, ?, ?)",
            (
                (
                    n,
                    f"O{n:06d}",
                    owner,
                    _stamp(start + timedelta(seconds=rng.randrange(DAYS * 86_400))),
                    (amount := rng.randrange(100, 9_000)),
                    amount // 3 if n % 17 == 0 else 0,
                    "reversed" if n % 23 == 0 else "approved",
                    now,
                    now,
                )
                for n, owner in enumerate(owners, 1)
            ),
        )
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("big") / "big.db"
    build(path)
    return path


@pytest.fixture
def big(template: Path, tmp_path: Path) -> Iterator[dbmod.Database]:
    path = tmp_path / "big.db"
    shutil.copyfile(template, path)
    db = dbmod.open_database(str(path))
    yield db
    db.dispose()


def _sql(db: dbmod.Database, query: str, *args: object) -> list[tuple]:
    con = sqlite3.connect(str(db.path))
    try:
        return con.execute(query, args).fetchall()
    finally:
        con.close()


def _keys(table: DataTable) -> list[str]:
    return [str(k.value) for k in table.rows]


async def _workspace(pilot) -> AffiliatesScreen:  # noqa: ANN001
    await settle(pilot)
    await pilot.press("A")
    await settle(pilot)
    assert isinstance(pilot.app.screen, AffiliatesScreen)
    return pilot.app.screen


async def test_orders_and_click_days_are_paged_in_order(big: dbmod.Database) -> None:
    orders = [
        r[0]
        for r in _sql(
            big,
            "SELECT order_id FROM conversions WHERE affiliate_id = ?"
            " ORDER BY occurred_at DESC, id DESC",
            TOP,
        )
    ]
    assert len(orders) > 2 * PAGE  # the skew gives the top affiliate several pages
    days = [
        r[0]
        for r in _sql(
            big, "SELECT day FROM click_days WHERE affiliate_id = ? ORDER BY day DESC", TOP
        )
    ]
    app = make_app(big, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _workspace(pilot)
        await pilot.press("2")
        await settle(pilot)
        table = screen.query_one("#aff-kpis", DataTable)
        table.move_cursor(row=_keys(table).index(f"affiliate:{TOP}"))
        await pilot.press("enter")
        await settle(pilot)
        page = app.screen
        assert isinstance(page, AffiliatePage)
        shown = page.query_one("#aff-orders", DataTable)
        assert shown.row_count == PAGE  # one page, not all of them
        assert _keys(shown) == [f"order:{o}" for o in orders[:PAGE]]
        status = page.query_one("#page-status", Static)
        assert f"Orders 1–{PAGE} of {len(orders):,}" in str(status.render())
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert _keys(shown) == [f"order:{o}" for o in orders[PAGE : 2 * PAGE]]
        assert f"Orders {PAGE + 1}–{2 * PAGE} of" in str(status.render())
        last_page = (len(orders) - 1) // PAGE
        for _ in range(last_page + 2):  # past the end: it stays on the last page
            await pilot.press("right_square_bracket")
        await settle(pilot)
        assert _keys(shown) == [f"order:{o}" for o in orders[last_page * PAGE :]]
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert _keys(shown) == [
            f"order:{o}" for o in orders[(last_page - 1) * PAGE : last_page * PAGE]
        ]
        # Click days: their own pages, newest day first.
        await pilot.press("2")
        await settle(pilot)
        clicks = page.query_one("#aff-clicks", DataTable)
        assert clicks.row_count == PAGE
        assert [str(clicks.get_row_at(i)[0]) for i in range(PAGE)] == days[:PAGE]
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert [str(clicks.get_row_at(i)[0]) for i in range(clicks.row_count)] == days[
            PAGE : 2 * PAGE
        ]
        assert f"Click days {PAGE + 1}–{2 * PAGE} of {DAYS}" in str(status.render())


def _expected(db: dbmod.Database, start: date, end: date) -> dict[int, tuple[int, int, int]]:
    """(clicks, conversions, revenue) per affiliate over [start, end], in plain SQL."""
    clicks = dict(
        _sql(
            db,
            "SELECT affiliate_id, SUM(clicks) FROM click_days WHERE day >= ? AND day <= ?"
            " GROUP BY affiliate_id",
            start.isoformat(),
            end.isoformat(),
        )
    )
    sums = {
        a: (n, r)
        for a, n, r in _sql(
            db,
            "SELECT affiliate_id, COUNT(*), SUM(amount_minor - refund_minor) FROM conversions"
            " WHERE status != 'reversed' AND occurred_at >= ? AND occurred_at < ?"
            " GROUP BY affiliate_id",
            f"{start} 00:00:00",
            f"{end + timedelta(days=1)} 00:00:00",
        )
    }
    return {a: (clicks.get(a, 0), *sums.get(a, (0, 0))) for a in range(1, AFFILIATES + 1)}


def _table_sums(table: DataTable) -> dict[int, tuple[int, int, int]]:
    out = {}
    for key in _keys(table):
        if key.startswith("affiliate:"):
            row = [str(c) for c in table.get_row(key)]
            revenue = int(row[4].replace(",", "").replace(".", ""))
            out[int(key.split(":")[1])] = (
                int(row[1].replace(",", "")),
                int(row[2].replace(",", "")),
                revenue,
            )
    return out


async def test_kpis_for_a_month_a_quarter_and_a_range_sort_and_step(big: dbmod.Database) -> None:
    app = make_app(big, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _workspace(pilot)
        await pilot.press("2")
        await settle(pilot)
        table = screen.query_one("#aff-kpis", DataTable)
        status = screen.query_one("#aff-status", Static)
        month = _expected(big, date(2026, 11, 1), date(2026, 11, 30))
        assert _table_sums(table) == month
        assert "2026-11:" in str(status.render())
        # By revenue (the default), then s: by clicks, by conversions — each a true order.
        order = [k for k in _keys(table) if k != "total"]
        assert order == [
            f"affiliate:{a}" for a in sorted(month, key=lambda a: (-month[a][2], f"@a{a:02d}"))
        ]
        await pilot.press("s")
        await pilot.pause()
        assert [k for k in _keys(table) if k != "total"] == [
            f"affiliate:{a}" for a in sorted(month, key=lambda a: (-month[a][0], f"@a{a:02d}"))
        ]
        await pilot.press("s")
        await pilot.pause()
        assert [k for k in _keys(table) if k != "total"] == [
            f"affiliate:{a}" for a in sorted(month, key=lambda a: (-month[a][1], f"@a{a:02d}"))
        ]
        # [ : the month before, with its own sums.
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert _table_sums(table) == _expected(big, date(2026, 10, 1), date(2026, 10, 31))
        assert "2026-10:" in str(status.render())
        # p: the quarter of the shown month.
        await pilot.press("p")
        await settle(pilot)
        assert _table_sums(table) == _expected(big, date(2026, 10, 1), date(2026, 12, 31))
        assert "2026-Q4:" in str(status.render())
        assert "vs 2026-Q3" in str(status.render())
        # p again: a custom range, asked in a form that refuses what is not a range.
        await pilot.press("p")
        await settle(pilot)
        await fill(pilot, "from", "")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "give a day" in _text(app)
        await fill(pilot, "from", "2026-02-30")
        await fill(pilot, "to", "2026-06-01")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "February 2026 has 28 days" in _text(app)
        await fill(pilot, "from", "2026-09-15")
        await fill(pilot, "to", "2026-09-01")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "2026-09-01 is before 2026-09-15" in _text(app)
        assert app.screen is not screen  # still the form
        await fill(pilot, "to", "2026-10-14")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        assert _table_sums(table) == _expected(big, date(2026, 9, 15), date(2026, 10, 14))
        assert "2026-09-15..2026-10-14:" in str(status.render())
        assert "vs prev. 30 days" in str(status.render())
        # ] : the 30 days after.
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert _table_sums(table) == _expected(big, date(2026, 10, 15), date(2026, 11, 13))
        # p: back to months (the month of the range's first day); Esc on the range form keeps
        # the period shown.
        await pilot.press("p")
        await settle(pilot)
        assert "2026-10:" in str(status.render())
        await pilot.press("p", "p")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen
        assert "2026-Q4:" in str(status.render())


def _text(app) -> str:  # noqa: ANN001
    from .conftest import screen_text

    return screen_text(app)


async def test_long_tables_are_drawn_a_page_at_a_time() -> None:
    from textual.app import App, ComposeResult

    from talent_tui.screens.affiliate_common import LazyRows
    from talent_tui.widgets.tables import PlainTable

    class One(App):
        def compose(self) -> ComposeResult:
            yield PlainTable(id="t", cursor_type="row")

    rows = [((f"@a{i:04d}", str(i)), f"affiliate:{i}") for i in range(250)]
    app = One()
    async with app.run_test(size=(80, 24)):
        table = app.query_one(PlainTable)
        table.add_columns("Affiliate", "N")
        lazy = LazyRows(table)
        lazy.reset(rows, None)
        assert _keys(table) == [k for _c, k in rows[: LazyRows.DRAWN_PAGE]]
        lazy.near(50)  # far from the end: nothing more
        assert table.row_count == LazyRows.DRAWN_PAGE
        lazy.near(LazyRows.DRAWN_PAGE - 3)  # near it: the next page
        assert _keys(table) == [k for _c, k in rows[: 2 * LazyRows.DRAWN_PAGE]]
        lazy.near(2 * LazyRows.DRAWN_PAGE - 1)
        assert _keys(table) == [k for _c, k in rows]
        # A new order keeps the cursor's row, drawn as far as it and no further.
        lazy.reset(list(reversed(rows)), "affiliate:180")  # row 69: one page reaches it
        assert table.row_count == LazyRows.DRAWN_PAGE
        assert _keys(table)[table.cursor_row] == "affiliate:180"
        lazy.reset(list(reversed(rows)), "affiliate:40")  # row 209: three pages (all 250)
        assert table.row_count == 250
        assert _keys(table)[table.cursor_row] == "affiliate:40"
