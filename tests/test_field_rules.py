"""Field rules shared by forms, the command line and the importers: handles per platform, one
set of text limits, and amounts and counts read exactly as written (issue "Trust")."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from talent_tui.cli import main as cli
from talent_tui.core import fields, money
from talent_tui.io import importers
from talent_tui.services import creators, roster
from talent_tui.store import db as dbmod
from talent_tui.store.models import Creator
from tests import factories

ZWSP = "\u200b"


def run(*args: str):  # noqa: ANN201
    return CliRunner().invoke(cli.app, list(args))


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8", newline="")
    return path


def stored_creators(database: dbmod.Database) -> list[tuple[str, str, int]]:
    with database.session() as s:
        return [
            (c.name, c.tiktok_handle, c.followers)
            for c in s.exec(select(Creator).order_by(Creator.id))  # type: ignore[arg-type]
        ]


# ---- handles per platform ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "typed", "stored"),
    [
        ("tiktok_handle", "@Haeun.Bakes", "@haeun.bakes"),
        ("tiktok_handle", "haeun_bakes", "@haeun_bakes"),
        ("tiktok_handle", "@ab", "@ab"),
        ("tiktok_handle", "@" + "a" * 24, "@" + "a" * 24),
        ("instagram_handle", "@A.B_c", "@a.b_c"),
        ("instagram_handle", "@" + "a" * 30, "@" + "a" * 30),
        ("instagram_handle", "@a", "@a"),
        ("youtube_handle", "@Chef-Kim.2", "@chef-kim.2"),
        ("youtube_handle", "@abc", "@abc"),
    ],
)
def test_handles_each_platform_allows(name: str, typed: str, stored: str) -> None:
    assert fields.handle({name: typed}, name) == stored


@pytest.mark.parametrize(
    ("name", "typed", "platform"),
    [
        ("tiktok_handle", f"@haeun{ZWSP}.bakes", "TikTok"),
        ("tiktok_handle", "@a/../../b", "TikTok"),
        ("tiktok_handle", "@a", "TikTok"),
        ("tiktok_handle", "@" + "a" * 25, "TikTok"),
        ("tiktok_handle", "@name.", "TikTok"),
        ("tiktok_handle", "@chef-kim", "TikTok"),
        ("tiktok_handle", "@chloé", "TikTok"),
        ("tiktok_handle", "@ａｂｃ", "TikTok"),  # full-width look-alikes
        ("tiktok_handle", "@@name", "TikTok"),
        ("tiktok_handle", "@na me", "TikTok"),
        ("instagram_handle", "@.name", "Instagram"),
        ("instagram_handle", "@name.", "Instagram"),
        ("instagram_handle", "@na..me", "Instagram"),
        ("instagram_handle", "@" + "a" * 31, "Instagram"),
        ("instagram_handle", "@na-me", "Instagram"),
        ("youtube_handle", "@ab", "YouTube"),
        ("youtube_handle", "@" + "a" * 31, "YouTube"),
        ("youtube_handle", "@a/b", "YouTube"),
    ],
)
def test_handles_each_platform_refuses_naming_the_rule(
    name: str, typed: str, platform: str
) -> None:
    with pytest.raises(fields.FieldError) as caught:
        fields.handle({name: typed}, name)
    assert caught.value.field == name
    assert f"{platform} handle has only letters, digits" in caught.value.message


def test_an_invisible_character_is_shown_in_the_message() -> None:
    with pytest.raises(fields.FieldError) as caught:
        fields.handle({"tiktok_handle": f"@haeun{ZWSP}.bakes"}, "tiktok_handle")
    message = caught.value.message
    assert ZWSP not in message
    assert "'@haeun<U+200B>.bakes'" in message and "zero width space" in message
    assert "(2 to 24 characters, not ending with .)" in message


def test_add_refuses_a_look_alike_and_stores_nothing(database: dbmod.Database) -> None:
    with database.transaction() as s:
        factories.creator(s, tiktok_handle="@haeun.bakes", name="Haeun")
    for typed in (f"@haeun{ZWSP}.bakes", "@a/../../b"):
        with pytest.raises(creators.InvalidCreator) as caught, database.transaction() as s:
            creators.add_creator(s, {"name": "Copy", "tiktok_handle": typed})
        assert set(caught.value.errors) == {"tiktok_handle"}
    assert [h for _, h, _ in stored_creators(database)] == ["@haeun.bakes"]


def test_edit_keeps_a_stored_handle_from_before_the_rule(database: dbmod.Database) -> None:
    """A handle stored before the rule (here written straight into the table) stays usable:
    editing another field keeps it; changing it to another refused handle is refused."""
    with database.transaction() as s:
        legacy = Creator(name="Old", tiktok_handle="@old-style", youtube_handle="@yt")
        s.add(legacy)
        s.flush()
        creator_id = legacy.id
    assert creator_id is not None
    with database.transaction() as s:
        creators.update_fields(s, creator_id, {"name": "Old Renamed"})
    with pytest.raises(creators.InvalidCreator) as caught, database.transaction() as s:
        creators.update_fields(s, creator_id, {"tiktok_handle": "@other-style"})
    assert "TikTok handle" in caught.value.errors["tiktok_handle"]
    with database.session() as s:
        stored = s.get(Creator, creator_id)
        assert stored is not None
        assert (stored.name, stored.tiktok_handle, stored.youtube_handle) == (
            "Old Renamed",
            "@old-style",
            "@yt",
        )
        assert roster.find_creator(s, "@OLD-STYLE").id == creator_id  # any case finds it


def test_cli_add_with_a_bad_handle_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    db = str(tmp_path / "t.db")
    result = run("--db", db, "creators", "add", "--name", "X", "--tiktok", f"@x{ZWSP}y")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "tiktok_handle: a TikTok handle has only letters" in result.stderr
    assert "<U+200B>" in result.stderr and ZWSP not in result.stderr
    result = run("--db", db, "creators", "add", "--name", "X", "--tiktok", "@ok", "--youtube", "@a")
    assert result.exit_code == 1 and "youtube_handle: a YouTube handle" in result.stderr
    assert stored_creators(dbmod.open_database(db)) == []


def test_import_names_file_row_and_handle_field(database: dbmod.Database, tmp_path: Path) -> None:
    text = (
        "name,tiktok_handle,instagram_handle,youtube_handle\n"
        "Good,@Good.One,@good.one,@good-one\n"
        f"Zero,@haeun{ZWSP}.bakes,,\n"
        "Path,@a/../../b,,\n"
        "Insta,@fine,@bad..name,\n"
        "Tube,@fine2,,@y\n"
    )
    with pytest.raises(importers.ImportFailed) as caught:
        importers.import_file(database, "creators", write(tmp_path, "c.csv", text))
    assert [(e.row, e.field) for e in caught.value.errors] == [
        (3, "tiktok_handle"),
        (4, "tiktok_handle"),
        (5, "instagram_handle"),
        (6, "youtube_handle"),
    ]
    assert str(caught.value.errors[0]).startswith("c.csv:3:tiktok_handle: a TikTok handle")
    assert stored_creators(database) == []


def test_import_keeps_a_stored_creators_handle_from_before_the_rule(
    database: dbmod.Database, tmp_path: Path
) -> None:
    with database.transaction() as s:
        s.add(Creator(name="Old", tiktok_handle="@old-style", instagram_handle="@in..sta"))
    text = "name,tiktok_handle,instagram_handle\nOld Renamed,@Old-Style,@in..sta\n"
    report = importers.import_file(database, "creators", write(tmp_path, "c.csv", text))
    assert (report.new, report.updated) == (0, 1)
    assert stored_creators(database) == [("Old Renamed", "@old-style", 0)]
    # A new creator with such a handle, or a changed handle, is refused.
    text = "name,tiktok_handle,instagram_handle\nNew,@new-style,\nOld,@old-style,@other..\n"
    with pytest.raises(importers.ImportFailed) as caught:
        importers.import_file(database, "creators", write(tmp_path, "d.csv", text))
    assert [(e.row, e.field) for e in caught.value.errors] == [
        (2, "tiktok_handle"),
        (3, "instagram_handle"),
    ]
    assert stored_creators(database) == [("Old Renamed", "@old-style", 0)]


def test_rates_import_finds_a_creator_stored_before_the_rule(
    database: dbmod.Database, tmp_path: Path
) -> None:
    with database.transaction() as s:
        s.add(Creator(name="Old", tiktok_handle="@old-style"))
    text = "tiktok_handle,deliverable,amount,currency\n@Old-Style,video,100,USD\n"
    assert importers.import_file(database, "rates", write(tmp_path, "r.csv", text)).new == 1


def test_demo_and_sample_handles_follow_the_rules(demo_db: dbmod.Database) -> None:
    with demo_db.session() as s:
        for creator in s.exec(select(Creator)):
            for name in fields.PLATFORMS:
                value = getattr(creator, name)
                if value:
                    assert fields.handle({name: value}, name) == value, (name, value)


# ---- small defects -------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["1,2,3", "12,34", "1,2345", ",123", "1,234.5,6", "1,000,0"])
def test_commas_that_do_not_group_thousands_are_not_an_amount(typed: str) -> None:
    with pytest.raises(money.MoneyError, match="not an amount"):
        money.to_minor(typed, "USD")
    with pytest.raises(money.MoneyError, match="not an amount"):
        money.parse_money(f"{typed} USD")
    with pytest.raises(fields.FieldError, match="not a whole number"):
        fields.integer({"followers": typed}, "followers")


@pytest.mark.parametrize(
    ("typed", "minor"), [("1,234,567", 123456700), ("1,234.50", 123450), ("999", 99900)]
)
def test_grouped_thousands_are_an_amount(typed: str, minor: int) -> None:
    assert money.to_minor(typed, "USD") == minor
    assert fields.integer({"followers": "12,300"}, "followers") == 12300


def test_cli_refuses_1_2_3_as_a_fee(demo_db: dbmod.Database) -> None:
    with demo_db.session() as s:
        before = len(list(s.exec(select(Creator))))
    result = run(
        "--db", demo_db.url, "campaigns", "add", "--creator", "@aikotunes", "--brand", "1",
        "--name", "Typo", "--fee", "1,2,3 USD",
    )  # fmt: skip
    assert result.exit_code == 1 and "not an amount: '1,2,3'" in result.stderr
    listed = run("--db", demo_db.url, "campaigns", "list", "--json")
    assert "Typo" not in listed.stdout
    with demo_db.session() as s:
        assert len(list(s.exec(select(Creator)))) == before


def test_an_empty_followers_cell_on_an_update_is_a_field_error(
    demo_db: dbmod.Database, tmp_path: Path
) -> None:
    path = write(tmp_path, "c.csv", "name,tiktok_handle,followers\nNora Quinn,@aikotunes,\n")
    with demo_db.session() as s:
        before = roster.find_creator(s, "@aikotunes")
        name, followers = before.name, before.followers
    result = run("--db", demo_db.url, "import", "creators", str(path))
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "c.csv:2:followers: empty" in result.stderr
    with demo_db.session() as s:
        after = roster.find_creator(s, "@aikotunes")
        assert (after.name, after.followers) == (name, followers)


# ---- one set of limits ---------------------------------------------------------------------

# A note of exactly MAX_NOTES characters with everything CSV must quote, a formula-looking
# start (the exporter's spreadsheet guard) and text beyond Latin-1.
_PIECE = '=1+1, "quoted", comma\nnext line\n\ttab; 가나다 '
LONG_NOTE = (_PIECE * (fields.MAX_NOTES // len(_PIECE) + 1))[: fields.MAX_NOTES - 1] + "x"


def test_the_longest_note_survives_a_csv_and_a_json_round_trip(
    database: dbmod.Database, tmp_path: Path
) -> None:
    from talent_tui.io import exporters

    assert len(LONG_NOTE) == fields.MAX_NOTES
    with database.transaction() as s:
        factories.creator(s, tiktok_handle="@long.notes", notes=LONG_NOTE)
    for fmt in ("csv", "json"):
        with database.session() as s:
            text = exporters.export_text(s, "creators", fmt)
        path = write(tmp_path, f"creators.{fmt}", text)
        fresh = dbmod.open_database(str(tmp_path / f"{fmt}.db"))
        try:
            report = importers.import_file(fresh, "creators", path)
            assert report.new == 1
            with fresh.session() as s:
                stored = roster.find_creator(s, "@long.notes").notes
            assert stored == LONG_NOTE.strip(), fmt
            with fresh.session() as s:
                assert exporters.export_text(s, "creators", fmt) == text  # and again
        finally:
            fresh.dispose()


@pytest.mark.parametrize("kind", ["creators", "brands", "campaigns"])
@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_every_importer_refuses_a_note_past_the_limit_naming_file_row_field(
    demo_db: dbmod.Database, tmp_path: Path, kind: str, fmt: str
) -> None:
    from talent_tui.io import exporters

    with demo_db.session() as s:
        rows = exporters.export_rows(s, kind, fmt)[:2]
    rows[1]["notes"] = "n" * (fields.MAX_NOTES + 1)
    if fmt == "json":
        text = json.dumps(rows)
    else:
        text = exporters.render(kind, rows, "csv")
    path = write(tmp_path, f"{kind}.{fmt}", text)
    with demo_db.session() as s:
        before = exporters.export_text(s, kind, "json")
    with pytest.raises(importers.ImportFailed) as caught:
        importers.import_file(demo_db, kind, path)
    assert [str(e) for e in caught.value.errors] == [
        f"{kind}.{fmt}:{3 if fmt == 'csv' else 2}:notes: longer than {fields.MAX_NOTES:,} characters"
    ]
    with demo_db.session() as s:
        assert exporters.export_text(s, kind, "json") == before


def test_a_campaign_name_has_the_same_limit_everywhere(
    demo_db: dbmod.Database, tmp_path: Path
) -> None:
    longest, too_long = "n" * fields.MAX_NAME, "n" * (fields.MAX_NAME + 1)
    base = ["--db", demo_db.url, "campaigns", "add", "--creator", "@aikotunes", "--brand", "1"]
    refused = run(*base, "--name", too_long, "--fee", "1,000 USD")
    assert refused.exit_code == 1
    assert f"longer than {fields.MAX_NAME} characters" in refused.stderr
    added = run(*base, "--name", longest, "--fee", "1,000 USD", "--json")
    assert added.exit_code == 0, added.output
    assert json.loads(added.stdout)["name"] == longest
    header = "external_id,tiktok_handle,brand,name,fee,currency,status\n"
    with demo_db.session() as s:
        from talent_tui.services import brands

        brand = brands.get_brand(s, 1).name
    for name, ok in ((longest, True), (too_long, False)):
        text = header + f'X-{len(name)},@aikotunes,"{brand}",{name},100,USD,offer_received\n'
        path = write(tmp_path, "c.csv", text)
        if ok:
            assert importers.import_file(demo_db, "campaigns", path).new == 1
        else:
            with pytest.raises(importers.ImportFailed) as caught:
                importers.import_file(demo_db, "campaigns", path)
            assert [(e.row, e.field) for e in caught.value.errors] == [(2, "name")]


def test_cli_external_id_is_bounded_like_the_import(demo_db: dbmod.Database) -> None:
    result = run(
        "--db", demo_db.url, "campaigns", "add", "--creator", "@aikotunes", "--brand", "1",
        "--name", "Ref", "--fee", "100 USD", "--external-id", "r" * (fields.MAX_EXTERNAL_ID + 1),
    )  # fmt: skip
    assert result.exit_code == 1
    assert f"longer than {fields.MAX_EXTERNAL_ID} characters" in result.stderr
    assert "Ref" not in run("--db", demo_db.url, "campaigns", "list", "--json").stdout


def test_model_widths_are_the_field_limits() -> None:
    from talent_tui.store.models import Brand, Campaign

    def width(model: type, column: str) -> int:
        return model.__table__.c[column].type.length  # type: ignore[attr-defined,no-any-return]

    assert width(Creator, "name") == width(Brand, "name") == width(Campaign, "name")
    assert width(Creator, "name") == fields.MAX_NAME
    assert width(Creator, "tags") == fields.MAX_TAGS
    assert width(Campaign, "external_id") == fields.MAX_EXTERNAL_ID
    assert width(Brand, "website") == fields.MAX_WEBSITE


def test_a_note_with_windows_line_ends_imports_as_the_same_note(
    database: dbmod.Database, tmp_path: Path
) -> None:
    text = 'name,tiktok_handle,notes\r\nMina,@mina.k,"first\r\nsecond\rthird"\r\n'
    importers.import_file(database, "creators", write(tmp_path, "c.csv", text))
    with database.session() as s:
        assert roster.find_creator(s, "@mina.k").notes == "first\nsecond\nthird"


@pytest.mark.parametrize("typed", ["1,0", "3,65"])
def test_days_grouped_wrongly_are_not_a_number_of_days(typed: str) -> None:
    from talent_tui.services import deals

    with pytest.raises(deals.TermsInvalid) as caught:
        deals.new_terms({"fee": "100 USD", "usage_days": typed})
    assert "not a whole number of days" in str(caught.value)
    assert deals.new_terms({"fee": "100 USD", "usage_days": "1,000"}).usage_days == 1000


async def test_the_creator_form_refuses_a_look_alike_handle_beside_its_field(
    demo_db: dbmod.Database,
) -> None:
    from textual.widgets import Input

    from talent_tui.screens.forms import CreatorForm
    from tests.conftest import fill, make_app, settle

    before = stored_creators(demo_db)
    app = make_app(demo_db)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await pilot.pause()
        await fill(pilot, "name", "Copy Cat")
        # as pasted: a key press cannot carry a zero-width space
        app.screen.query_one("#field-tiktok_handle", Input).value = f"@haneul{ZWSP}.eats"
        await fill(pilot, "youtube_handle", "@yt")
        await pilot.press("ctrl+s")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, CreatorForm)
        shown = {
            w.id.removeprefix("error-"): str(w.render())
            for w in form.query(".field-error.-shown")
            if w.id
        }
        assert set(shown) == {"tiktok_handle", "youtube_handle"}
        assert "TikTok handle" in shown["tiktok_handle"] and "U+200B" in shown["tiktok_handle"]
        assert "YouTube handle" in shown["youtube_handle"]
        assert app.focused is form.query_one("#field-tiktok_handle", Input)
        await pilot.press("escape")
        await pilot.pause()
    assert stored_creators(demo_db) == before
