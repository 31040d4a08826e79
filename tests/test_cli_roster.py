"""`talent creators …` and `talent rates …`: output, exit codes and what was stored."""

from __future__ import annotations

import json

from sqlmodel import select
from typer.testing import CliRunner

from talent_tui.cli import main as cli
from talent_tui.services import roster
from talent_tui.store.db import Database
from talent_tui.store.models import Rate

runner = CliRunner()


def run(db: Database, *args: str):  # noqa: ANN201
    return runner.invoke(cli.app, ["--db", db.url, *args])


def test_add_show_edit(database: Database) -> None:
    added = run(
        database, "creators", "add", "--name", "Mina Park", "--tiktok", "Mina.Park",
        "--followers", "12,300", "--engagement-rate", "4.5%", "--niche", "Beauty",
        "--tags", "kbeauty, skincare", "--commission", "17.5", "--json",
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    data = json.loads(added.stdout)
    assert data["tiktok_handle"] == "@mina.park" and data["followers"] == 12300
    with database.session() as s:
        creator = roster.find_creator(s, "@mina.park")
    assert (creator.engagement_rate, creator.niche, creator.tags) == (
        0.045,
        "beauty",
        "kbeauty;skincare",
    )
    assert creator.commission_bp == 1750

    shown = run(database, "creators", "show", str(creator.id))
    assert shown.exit_code == 0 and "Mina Park" in shown.stdout and "12,300" in shown.stdout

    edited = run(database, "creators", "edit", "@mina.park", "--name", "Mina P.", "--email", "")
    assert edited.exit_code == 0
    with database.session() as s:
        creator = roster.find_creator(s, "@mina.park")
    assert creator.name == "Mina P." and creator.followers == 12300  # others untouched


def test_add_reports_every_bad_field_and_stores_nothing(database: Database) -> None:
    result = run(
        database, "creators", "add", "--tiktok", "two words", "--followers", "many",
        "--engagement-rate", "45",
    )  # fmt: skip
    assert result.exit_code == 1
    for field in ("name", "tiktok_handle", "followers", "engagement_rate"):
        assert f"{field}:" in result.stderr
    with database.session() as s:
        assert roster.count_creators(s) == 0


def test_duplicate_handle_is_refused(demo_db: Database) -> None:
    result = run(demo_db, "creators", "add", "--name", "Copy", "--tiktok", "@haneul.eats")
    assert result.exit_code == 1 and "already belongs to 김하늘" in result.stderr


def test_archive_restore_delete(demo_db: Database) -> None:
    with demo_db.session() as s:
        creator_id = roster.find_creator(s, "@haneul.eats").id
    refused = run(demo_db, "creators", "delete", "@haneul.eats", "--yes")
    assert refused.exit_code == 1 and "not archived" in refused.stderr

    assert run(demo_db, "creators", "archive", "@haneul.eats").exit_code == 0
    listed = json.loads(run(demo_db, "creators", "list", "--json").stdout)
    assert creator_id not in {r["id"] for r in listed}
    archived = json.loads(run(demo_db, "creators", "list", "--archived", "--json").stdout)
    assert [r["id"] for r in archived] == [creator_id]

    assert run(demo_db, "creators", "restore", str(creator_id)).exit_code == 0
    with demo_db.session() as s:
        assert roster.get_creator(s, creator_id).archived_at is None

    run(demo_db, "creators", "archive", "@haneul.eats")
    no_tty = run(demo_db, "creators", "delete", "@haneul.eats")  # no --yes, not a terminal
    assert no_tty.exit_code == 1
    deleted = run(demo_db, "creators", "delete", "@haneul.eats", "--yes")
    assert deleted.exit_code == 0
    with demo_db.session() as s:
        assert s.exec(select(Rate).where(Rate.creator_id == creator_id)).all() == []
        assert roster.search_names(s, "haneul", archived=True) == []


def test_unknown_creator_is_an_error(demo_db: Database) -> None:
    result = run(demo_db, "creators", "show", "@nobody")
    assert result.exit_code == 1 and "@nobody" in result.stderr


def test_rates_set_accepts_what_people_type(demo_db: Database) -> None:
    cases = [
        (("video", "1,200.50", "USD"), ("video", 120050, "USD")),
        (("live", "₩1,500,000"), ("live", 1_500_000, "KRW")),
        (("story", "1200 eur"), ("story", 120000, "EUR")),
    ]
    for args, _ in cases:
        result = run(demo_db, "rates", "set", "@liv.bennett", *args)
        assert result.exit_code == 0, result.output
    with demo_db.session() as s:
        creator_id = roster.find_creator(s, "@liv.bennett").id
        stored = {
            r.deliverable: (r.deliverable, r.amount_minor, r.currency)
            for r in s.exec(select(Rate).where(Rate.creator_id == creator_id))
        }
    for _, expected in cases:
        assert stored[expected[0]] == expected

    bad = run(demo_db, "rates", "set", "@liv.bennett", "video", "12.5", "KRW")
    assert bad.exit_code == 1 and "decimals" in bad.stderr
    listed = json.loads(run(demo_db, "rates", "list", "@liv.bennett", "--json").stdout)
    assert {"deliverable": "video", "amount_minor": 120050, "currency": "USD"}.items() <= next(
        r for r in listed if r["deliverable"] == "video"
    ).items()

    assert run(demo_db, "rates", "remove", "@liv.bennett", "story").exit_code == 0
    missing = run(demo_db, "rates", "remove", "@liv.bennett", "story")
    assert missing.exit_code == 1


def test_list_sorts_and_filters(demo_db: Database) -> None:
    rows = json.loads(run(demo_db, "creators", "list", "--sort", "followers", "--json").stdout)
    assert [r["followers"] for r in rows] == sorted((r["followers"] for r in rows), reverse=True)
    food = json.loads(run(demo_db, "creators", "list", "--niche", "food", "--json").stdout)
    assert food
    with demo_db.session() as s:
        expected = {r.id for r in roster.RosterQuery(niche="food").page(s, 0, None)}
    assert {r["id"] for r in food} == expected
    bad = run(demo_db, "creators", "list", "--sort", "height")
    assert bad.exit_code == 2 and "height" in bad.stderr
