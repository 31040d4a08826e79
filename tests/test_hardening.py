"""No key press and no typed value can crash talent: huge numbers, non-numbers, control
characters and markup are refused with a field error (or shown as written), in the forms,
on the command line and in imports alike, and nothing is stored."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlmodel import select
from textual.widgets import DataTable, Input, Static
from typer.testing import CliRunner

from talent_tui.cli import main as cli
from talent_tui.core import fields, money
from talent_tui.core.errors import DomainError
from talent_tui.screens.forms import ConfirmScreen, CreatorForm
from talent_tui.screens.main import MainScreen
from talent_tui.screens.rates import RateEditor
from talent_tui.services import creators, roster
from talent_tui.store import db as dbmod
from talent_tui.store.db import Database
from talent_tui.store.models import Creator, Rate

from . import factories
from .conftest import fill, make_app, settle, text_of

runner = CliRunner()
HUGE = "1" + "0" * 25


def run(db: Database, *args: str):  # noqa: ANN201
    return runner.invoke(cli.app, ["--db", db.url, *args])


def creator_count(db: Database) -> int:
    with db.session() as s:
        return roster.count_creators(s)


# ---- the field rules (core) ---------------------------------------------------------------


@pytest.mark.parametrize(
    "raw", [HUGE, "1e30", "inf", "nan", "-1", "1" * 5000, "10000000000001", "12abc"]
)
def test_counts_refuse_what_is_not_a_plausible_count(raw: str) -> None:
    with pytest.raises(fields.FieldError) as caught:
        fields.integer({"followers": raw}, "followers")
    assert caught.value.field == "followers"


def test_counts_accept_the_bound_and_full_width_digits() -> None:
    assert fields.integer({"n": str(fields.MAX_COUNT)}, "n") == fields.MAX_COUNT
    assert fields.integer({"n": "１２３"}, "n") == 123
    # JSON numbers go through the same bound
    for number in (10**30, 1e30, fields.MAX_COUNT + 1):
        with pytest.raises(fields.FieldError, match="too large"):
            fields.integer({"n": number}, "n")


@pytest.mark.parametrize("raw", ["12345678901234567890123456", "1e400", "nan", "inf", "-5%"])
def test_rates_and_percentages_refuse_out_of_range(raw: str) -> None:
    with pytest.raises(fields.FieldError):
        fields.fraction({"engagement_rate": raw}, "engagement_rate")
    with pytest.raises(fields.FieldError):
        fields.percent_bp({"commission_pct": raw}, "commission_pct")


def test_a_json_number_too_large_for_a_float_is_a_field_error() -> None:
    with pytest.raises(fields.FieldError):
        fields.fraction({"engagement_rate": 10**400}, "engagement_rate")


@pytest.mark.parametrize(
    "raw", ["1e400", "1" + "0" * 14 + " USD", "1e999999999", "10000000000000.01"]
)
def test_money_above_the_bound_is_refused(raw: str) -> None:
    with pytest.raises(money.MoneyError, match="too large"):
        money.parse_money(raw, "USD")


def test_money_at_the_bound_is_kept_exactly() -> None:
    assert money.parse_money("10,000,000,000,000 USD").amount_minor == money.MAX_MINOR


@pytest.mark.parametrize("name", ["Mina\x1b[31m", "a\x00b", "bell\x07"])
def test_control_characters_are_refused_in_names(name: str) -> None:
    with pytest.raises(fields.FieldError, match="control character"):
        fields.req_text({"name": name}, "name")


def test_notes_keep_newlines_but_not_escape_sequences() -> None:
    assert fields.notes({"notes": "line one\n\tline two"}) == "line one\n\tline two"
    with pytest.raises(fields.FieldError):
        fields.notes({"notes": "red \x1b[31m"})
    with pytest.raises(fields.FieldError, match="longer than"):
        fields.notes({"notes": "x" * (fields.MAX_NOTES + 1)})


# ---- services ----------------------------------------------------------------------------


def test_add_creator_refuses_huge_followers_and_stores_nothing(database: Database) -> None:
    with pytest.raises(creators.InvalidCreator) as caught, database.transaction() as s:
        creators.add_creator(s, {"name": "Big", "tiktok_handle": "@big", "followers": HUGE})
    assert "followers" in caught.value.errors
    assert creator_count(database) == 0


def test_only_archived_creators_can_be_deleted(database: Database) -> None:
    with database.transaction() as s:
        live = factories.creator(s)
        live_id = live.id
    with pytest.raises(creators.NotArchived), database.transaction() as s:
        creators.deletable(s, live_id)
    with database.transaction() as s:
        creators.archive(s, live_id)
        assert creators.deletable(s, live_id).name == live.name


def test_backup_failures_are_database_errors(database: Database, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with pytest.raises(dbmod.DatabaseError, match="cannot write"):
        dbmod.backup_sqlite(database, blocker / "backup.db")


# ---- the command line --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--followers", HUGE),
        ("--followers", "1e30"),
        ("--followers", "-1"),
        ("--engagement-rate", "12345678901234567890123456"),
        ("--commission", "1e400"),
        ("--name", "Mina\x1b[31m"),
    ],
)
def test_cli_add_and_edit_refuse_bad_values(database: Database, option: str, value: str) -> None:
    added = run(database, "creators", "add", "--name", "Mina", "--tiktok", "@mina", option, value)
    assert added.exit_code == 1, added.output
    assert "error:" in added.stderr and "Traceback" not in added.output
    assert creator_count(database) == 0
    assert run(database, "creators", "add", "--name", "Mina", "--tiktok", "@mina").exit_code == 0
    edited = run(database, "creators", "edit", "@mina", option, value)
    assert edited.exit_code == 1, edited.output
    with database.session() as s:
        stored = roster.find_creator(s, "@mina")
    assert (stored.name, stored.followers, stored.commission_bp) == ("Mina", 0, 0)


@pytest.mark.parametrize("amount", ["1e400", HUGE + " USD", "10000000000000.01"])
def test_cli_rates_set_refuses_huge_amounts(database: Database, amount: str) -> None:
    with database.transaction() as s:
        factories.creator(s, tiktok_handle="@rated")
    result = run(database, "rates", "set", "@rated", "video", amount, "USD")
    assert result.exit_code == 1, result.output
    assert "too large" in result.stderr
    with database.session() as s:
        assert s.exec(select(Rate)).first() is None


def test_cli_rates_remove_with_a_control_character_is_an_error(database: Database) -> None:
    with database.transaction() as s:
        factories.creator(s, tiktok_handle="@rated")
    result = run(database, "rates", "remove", "@rated", "vid\x1beo")
    assert result.exit_code == 1 and "control character" in result.stderr


def test_cli_import_names_the_row_and_field_of_a_huge_number(
    database: Database, tmp_path: Path
) -> None:
    path = tmp_path / "creators.csv"
    path.write_text(
        "name,tiktok_handle,followers,commission_pct\n"
        "Ok,@ok,100,10\n"
        f"Big,@big,{HUGE},10\n"
        "Money,@money,5,1e400\n"
    )
    result = run(database, "import", "creators", str(path))
    assert result.exit_code == 1, result.output
    assert "creators.csv:3:followers:" in result.stderr
    assert "creators.csv:4:commission_pct:" in result.stderr
    assert creator_count(database) == 0


def test_cli_import_rates_refuses_a_huge_amount(database: Database, tmp_path: Path) -> None:
    with database.transaction() as s:
        factories.creator(s, tiktok_handle="@rated")
    path = tmp_path / "rates.json"
    path.write_text(
        json.dumps([{"tiktok_handle": "@rated", "deliverable": "video", "amount": "1e400",
                     "currency": "USD"}])
    )  # fmt: skip
    result = run(database, "import", "rates", str(path))
    assert result.exit_code == 1 and "rates.json:1:amount:" in result.stderr
    with database.session() as s:
        assert s.exec(select(Rate)).first() is None


def test_cli_delete_of_a_live_creator_gives_the_service_words(database: Database) -> None:
    with database.transaction() as s:
        factories.creator(s, name="Live One", tiktok_handle="@live")
    result = run(database, "creators", "delete", "@live", "--yes")
    assert result.exit_code == 1
    assert "Live One is not archived; archive before deleting" in result.stderr


# ---- the TUI -----------------------------------------------------------------------------


async def test_enter_on_a_rate_puts_it_in_the_form_and_saving_changes_it(
    demo_db: Database,
) -> None:
    with demo_db.session() as s:
        zoe = roster.find_creator(s, "@zoecarter.style")
        before = {r.deliverable: r.amount_minor for r in creators.rates_of(s, zoe.id)}
    assert before, "the demo gives Zoe a rate card"
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"zoe")
        await pilot.pause(0.5)  # the palette searches on a timer
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.creator_id == zoe.id
        await pilot.press("t")
        await settle(pilot)
        editor = app.screen
        assert isinstance(editor, RateEditor)
        table = editor.query_one("#rates-table", DataTable)
        assert table.has_focus
        first = str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
        await pilot.press("enter")
        await settle(pilot)
        assert editor.query_one("#rate-deliverable", Input).value == first
        amount = editor.query_one("#rate-amount", Input)
        assert amount.has_focus and amount.value == editor.amounts[first]
        amount.value = ""
        await pilot.press(*"4,321 usd", "enter")
        await settle(pilot)
        assert text_of(editor.query_one("#error-amount", Static)) == ""
    with demo_db.session() as s:
        after = {r.deliverable: (r.amount_minor, r.currency) for r in creators.rates_of(s, zoe.id)}
    assert after[first] == (432100, "USD")
    assert set(after) == set(before)


async def test_rate_editor_refuses_a_huge_amount(demo_db: Database) -> None:
    with demo_db.session() as s:
        zoe = roster.find_creator(s, "@zoecarter.style")
        before = {r.deliverable: r.amount_minor for r in creators.rates_of(s, zoe.id)}
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.screen.jump_to(zoe.id)
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        editor = app.screen
        editor.query_one("#rate-deliverable", Input).focus()
        await pilot.press(*"video", "enter", *"1e400 usd", "enter")
        await settle(pilot)
        assert "too large" in text_of(editor.query_one("#error-amount", Static))
        editor.query_one("#rate-deliverable", Input).value = ""
        editor.query_one("#rate-deliverable", Input).insert_text_at_cursor("vi\x1b[31mdeo")
        editor.query_one("#rate-amount", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert "control character" in text_of(editor.query_one("#error-deliverable", Static))
    with demo_db.session() as s:
        assert {r.deliverable: r.amount_minor for r in creators.rates_of(s, zoe.id)} == before


# Each bad number in a new-creator form of its own, opened afresh (one app, not one a case).
BAD_CREATOR_NUMBERS = [
    ("followers", HUGE),
    ("followers", "1e30"),
    ("followers", "nan"),
    ("followers", "-1"),
    ("engagement_rate", "12345678901234567890123456"),
    ("commission_pct", "1e400"),
]


async def test_the_creator_form_refuses_bad_numbers_beside_the_field(demo_db: Database) -> None:
    count = creator_count(demo_db)
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for field, value in BAD_CREATOR_NUMBERS:
            case = f"{field}={value!r}"
            await pilot.press("n")
            await pilot.pause()
            form = app.screen
            assert isinstance(form, CreatorForm), case
            await fill(pilot, "name", "Big Number")
            await fill(pilot, "tiktok_handle", "big.number")
            await fill(pilot, field, value)
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert app.screen is form, case
            assert text_of(form.query_one(f"#error-{field}", Static)) != "", case
            assert form.query_one(f"#field-{field}", Input).has_class("-invalid"), case
            assert creator_count(demo_db) == count, case
            await pilot.press("escape")
            await settle(pilot)
            assert isinstance(app.screen, MainScreen), (case, app.screen)
    assert creator_count(demo_db) == count


async def test_the_creator_form_reads_full_width_digits(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await pilot.pause()
        await fill(pilot, "name", "Wide Digits")
        await fill(pilot, "tiktok_handle", "wide.digits")
        app.screen.query_one("#field-followers", Input).insert_text_at_cursor("１２３")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
    with demo_db.session() as s:
        assert roster.find_creator(s, "@wide.digits").followers == 123


async def test_an_escape_sequence_in_a_name_is_refused(demo_db: Database) -> None:
    count = creator_count(demo_db)
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await pilot.pause()
        form = app.screen
        await fill(pilot, "tiktok_handle", "esc")
        form.query_one("#field-name", Input).insert_text_at_cursor("Red \x1b[31m")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "control character" in text_of(form.query_one("#error-name", Static))
    assert creator_count(demo_db) == count


async def test_markup_in_a_name_is_shown_as_written_when_deleting(database: Database) -> None:
    with database.transaction() as s:
        row = factories.creator(s, name="[/b] Sale [bold]", tiktok_handle="@markup")
        creators.archive(s, row.id)
    app = make_app(database)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        await pilot.press("D")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert "[/b] Sale [bold]" in text_of(app.screen.query_one("#confirm-question", Static))
        await pilot.press("y")
        await settle(pilot)
    with database.session() as s:
        assert s.exec(select(Creator)).first() is None


def test_domain_errors_share_one_base() -> None:
    for error in (fields.FieldError, money.MoneyError, creators.NotArchived, dbmod.DatabaseError):
        assert issubclass(error, DomainError)


# ---- rows stored before the field rules (older versions, other tools) -------------------


def _raw_creator(database: Database, name: str, handle: str) -> None:
    """A row written straight to the table, as an older version or another tool could have."""
    with database.transaction() as s:
        s.add(Creator(name=name, tiktok_handle=handle))


def test_cli_output_never_carries_a_control_character(database: Database) -> None:
    _raw_creator(database, "Evil\x1b[31mRed", "@evil")
    listed = run(database, "creators", "list")
    shown = run(database, "creators", "show", "@evil")
    for result in (listed, shown):
        assert result.exit_code == 0, result.output
        assert "\x1b" not in result.stdout
        assert "Evil␛[31mRed" in result.stdout
    as_json = run(database, "creators", "show", "@evil", "--json")
    assert json.loads(as_json.stdout)["name"] == "Evil\x1b[31mRed"  # JSON escapes it itself


def test_a_nul_in_the_search_is_ignored_not_an_sql_error(database: Database) -> None:
    with database.transaction() as s:
        factories.creator(s, name="Abcde Fgh", tiktok_handle="@abcde")
    with database.session() as s:
        plain = roster.RosterQuery(search="abc").count(s)
        assert plain == 1
        assert roster.RosterQuery(search="abc\x00").count(s) == plain
        assert roster.RosterQuery(search="\x00").count(s) == 1  # nothing left: no filter
        assert [r.name for r in roster.search_names(s, "abc\x00", limit=5)] == ["Abcde Fgh"]


async def test_the_brand_target_form_refuses_nonsense_beside_the_field(demo_db: Database) -> None:
    """Each nonsense share in a target form of its own, opened afresh (one app for all)."""
    from talent_tui.screens.fit import FitScreen
    from talent_tui.services import brands, fit

    with demo_db.session() as s:
        before = {b.id: fit.brand_target(s, b.id) for b in brands.list_brands(s)}
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("b")
        await settle(pilot)
        assert isinstance(app.screen, FitScreen)
        for shares in ["KR=1e400", "KR=nan", "KR=inf", "[/b]=1", "K\x1bR=1"]:
            await pilot.press("t")
            await settle(pilot)
            form = app.screen
            assert not isinstance(form, FitScreen), shares
            field = form.query_one("#field-country", Input)
            field.value = ""
            field.insert_text_at_cursor(shares)
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert app.screen is form, shares
            assert text_of(form.query_one("#error-country", Static)) != "", shares
            with demo_db.session() as s:
                after = {b.id: fit.brand_target(s, b.id) for b in brands.list_brands(s)}
            assert after == before, shares
            await pilot.press("escape")
            await settle(pilot)
            assert isinstance(app.screen, FitScreen), shares


@pytest.mark.parametrize("path", ["{out}/bad\x00name.md", "{out}/missing/kit.md", "{out}"])
async def test_saving_a_document_to_an_unusable_path_says_so(
    demo_db: Database, tmp_path: Path, path: str
) -> None:
    from talent_tui.screens.document import DocumentScreen

    out = tmp_path / "out"
    out.mkdir()
    (out / "kit.md").mkdir()  # "{out}" becomes out.md beside it; "kit.md" is a folder
    with demo_db.session() as s:
        zoe = roster.find_creator(s, "@zoecarter.style")
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.screen.jump_to(zoe.id)
        await settle(pilot)
        await pilot.press("K")
        await settle(pilot)
        assert isinstance(app.screen, DocumentScreen)
        await pilot.press("w")
        await settle(pilot)
        form = app.screen
        form.query_one("#field-format", Input).value = "md"
        field = form.query_one("#field-path", Input)
        field.value = ""
        field.insert_text_at_cursor(path.format(out=out if "/" in path else out / "kit.md"))
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        assert text_of(form.query_one("#error-path", Static)) != ""
    assert [p.name for p in out.iterdir()] == ["kit.md"]


def test_cli_report_to_an_unusable_path_is_an_error(database: Database, tmp_path: Path) -> None:
    nul = run(database, "report", "period", "-o", str(tmp_path / "bad\x00name.md"))
    assert nul.exit_code == 2 and "embedded null byte" in nul.output  # Click refuses it
    folder = run(database, "report", "period", "-o", str(tmp_path))
    assert folder.exit_code == 1, folder.output
    assert "error:" in folder.stderr and "Traceback" not in folder.output


async def test_a_refusal_while_saving_a_form_is_said_on_the_form(database: Database) -> None:
    from talent_tui.screens.fields import FieldsForm, FormField

    def submit(values: dict[str, str]) -> str:
        raise creators.NotArchived(f"{values['name']} is not archived")

    app = make_app(database)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        form = FieldsForm("Try", [FormField("name", "Name")], submit)
        app.push_screen(form)
        await settle(pilot)
        await fill(pilot, "name", "Mina")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        assert text_of(form.query_one("#form-status", Static)) == "Mina is not archived"


def test_cli_errors_never_carry_a_control_character(database: Database) -> None:
    _raw_creator(database, "Evil\x1b]0;owned\x07", "@evil")
    refused = run(database, "creators", "delete", "@evil", "--yes")
    assert refused.exit_code == 1
    assert "\x1b" not in refused.stderr and "\x07" not in refused.stderr
    assert "Evil␛]0;owned␇ is not archived" in refused.stderr


@pytest.mark.parametrize(("male", "accepted"), [("0.485", True), ("0.47", False)])
def test_one_share_rule_for_brand_targets_and_imported_demographics(
    database: Database, tmp_path: Path, male: str, accepted: bool
) -> None:
    from talent_tui.io import importers
    from talent_tui.services import brands
    from talent_tui.store.models import Dimension

    text = f"female=0.5; male={male}"
    if accepted:
        assert brands.parse_distribution(Dimension.GENDER, text)["male"] == float(male)
    else:
        with pytest.raises(brands.InvalidTarget, match="sum to"):
            brands.parse_distribution(Dimension.GENDER, text)
    with database.transaction() as s:
        factories.creator(s, tiktok_handle="@aud")
    path = tmp_path / "demographics.csv"
    path.write_text(
        "tiktok_handle,captured_on,dimension,bucket,share\n"
        f"@aud,2026-11-01,gender,female,0.5\n@aud,2026-11-01,gender,male,{male}\n"
    )
    if accepted:
        assert importers.import_file(database, "demographics", path).new == 2
    else:
        with pytest.raises(importers.ImportFailed, match="sum to"):
            importers.import_file(database, "demographics", path)


def test_country_buckets_are_two_ascii_letters_everywhere() -> None:
    from talent_tui.services import brands
    from talent_tui.store.models import Dimension

    assert fields.bucket({"b": "kr"}, "b", "country") == "KR"
    for text in ("KOR", "ÄÖ", "K1"):
        with pytest.raises(fields.FieldError, match="ISO 3166"):
            fields.bucket({"b": text}, "b", "country")
        with pytest.raises(brands.InvalidTarget, match="ISO 3166"):
            brands.parse_distribution(Dimension.COUNTRY, f"{text}=1")


async def test_a_result_arriving_after_its_screen_closed_is_dropped(demo_db: Database) -> None:
    from talent_tui.screens.fit import FitScreen

    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("b")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, FitScreen)
        brand_id, ranked = screen.brand_id, screen.ranked
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        # what the ranking worker would deliver had it finished just now
        screen._show_rank(brand_id, {}, ranked)
        screen._show_brands([])


async def test_a_database_path_with_markup_is_shown_as_written(tmp_path: Path) -> None:
    folder = tmp_path / "clients [" / "b] [red]"  # the path reads ".../clients [/b] [red]/..."
    folder.mkdir(parents=True)
    database = dbmod.open_database(str(folder / "talent.db"))
    try:
        app = make_app(database)
        async with app.run_test(size=(100, 24)) as pilot:
            await settle(pilot)
            shown = text_of(app.screen.query_one("#empty", Static))
            assert "No creators yet." in shown and "clients [/b] [red]" in shown
    finally:
        database.dispose()


@pytest.mark.parametrize("raw", ["1e400", "inf", "-inf", "nan", "infinity%"])
def test_a_rate_that_is_not_a_finite_number_says_so(raw: str) -> None:
    with pytest.raises(fields.FieldError, match="not a rate"):
        fields.fraction({"engagement_rate": raw}, "engagement_rate")
