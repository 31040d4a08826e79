"""Names with control characters and escape sequences never reach the terminal raw: the roster,
the stats panel, the campaign tabs and the tables draw them as visible symbols."""

from __future__ import annotations

import unicodedata

import pytest

from talent_tui.core.text import is_safe, printable
from talent_tui.store.db import Database
from talent_tui.widgets.tables import PlainTable

from .conftest import make_app, screen_text, settle

TITLE = "\x1b]0;pwned\x07"  # would set the terminal's window title
CLEAR = "\x1b[2J"  # would clear the screen
CSI = "\x9b"  # the 8-bit CSI


def _controls(text: str) -> list[str]:
    """C0/C1 control characters other than the line breaks of the screenshot itself."""
    return sorted({repr(ch) for ch in text if unicodedata.category(ch) == "Cc" and ch != "\n"})


def _poison(database: Database) -> int:
    """Give the creator with the most campaigns, its brands, campaigns and rates hostile names;
    return the creator's id."""
    with database.engine.begin() as conn:
        creator_id = conn.exec_driver_sql(
            "SELECT creator_id FROM campaigns GROUP BY creator_id ORDER BY count(*) DESC LIMIT 1"
        ).scalar_one()
        conn.exec_driver_sql(
            "UPDATE creators SET name = ?, tiktok_handle = ?, niche = ? WHERE id = ?",
            (f"AA{TITLE}Evil{CLEAR}", f"@x{CSI}31m", f"food{TITLE}", creator_id),
        )
        conn.exec_driver_sql(
            "UPDATE campaigns SET name = ? || name WHERE creator_id = ?", (CLEAR, creator_id)
        )
        conn.exec_driver_sql(
            "UPDATE brands SET name = ? || name WHERE id IN "
            "(SELECT brand_id FROM campaigns WHERE creator_id = ?)",
            (TITLE, creator_id),
        )
        conn.exec_driver_sql(
            "UPDATE rates SET deliverable = ? WHERE id = "
            "(SELECT min(id) FROM rates WHERE creator_id = ?)",
            (f"live{CLEAR}", creator_id),
        )
    return creator_id


def test_printable_shows_controls_as_symbols() -> None:
    assert printable(TITLE) == "␛]0;pwned␇"
    assert printable(CLEAR) == "␛[2J"
    assert printable(CSI + "x") == "\ufffdx"
    assert printable("a\nb\tc\rd") == "a b c d"
    assert printable("김하늘 🍜 [b]") == "김하늘 🍜 [b]"  # printable text is untouched
    assert printable("x\u202eevil") == "x\ufffdevil"  # no right-to-left override
    assert all(is_safe(printable(chr(code))) for code in range(0x00, 0xA0))


@pytest.mark.parametrize("size", [(80, 24), (140, 40)])
async def test_hostile_names_are_drawn_harmlessly(demo_db: Database, size) -> None:  # noqa: ANN001
    _poison(demo_db)
    app = make_app(demo_db)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("home")
        await settle(pilot)
        main = screen_text(app)
        assert "AA␛]0;pwn" in main  # the roster row (and the panel title) are drawn…
        assert _controls(main) == []  # …without a raw control character
        await pilot.press("c")  # the campaign tabs
        await settle(pilot)
        tabs = screen_text(app)
        assert "␛[2J" in tabs
        assert _controls(tabs) == []
        await pilot.press("g")  # the deal flow tables
        await settle(pilot)
        flow = screen_text(app)
        assert _controls(flow) == []


async def test_plain_table_draws_text_as_written(demo_db: Database) -> None:
    """Cells given as text are drawn as written, never as markup, and without control
    characters; `str()` of what `get_row` returns gives the words back."""
    app = make_app(demo_db)
    async with app.run_test() as pilot:
        table = PlainTable()
        await app.screen.mount(table)
        table.add_columns("a", "b")
        key = table.add_row(f"v{CLEAR}", "[/b]")
        await pilot.pause()
        assert [str(cell) for cell in table.get_row(key)] == ["v␛[2J", "[/b]"]
        assert "[/b]" in screen_text(app)
        assert _controls(screen_text(app)) == []
