"""Brands as a service and from the shell: add, edit, archive and unarchive (each with its
audit entry), names unique whatever their case, listing with search, the brand a new offer
comes from; `talent brands …` and `talent campaigns add` with the offer's windows."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from talent_tui.cli import main as cli
from talent_tui.services import brands, deals
from talent_tui.store.db import Database
from talent_tui.store.models import (
    AuditEntry,
    Brand,
    Campaign,
    CampaignStatus,
    Dimension,
    Offer,
    Party,
)

from . import factories
from .factories import DAY

runner = CliRunner()


def trail(database: Database, brand_id: int) -> list[str]:
    with database.session() as s:
        entries = s.exec(
            select(AuditEntry).where(AuditEntry.entity == "brand", AuditEntry.entity_id == brand_id)
        ).all()
    return [e.action for e in entries]


# ---- adding and editing -----------------------------------------------------------------


def test_adding_a_brand_checks_every_field_and_records_it(database: Database) -> None:
    with database.transaction() as s:
        brand = brands.add_brand(
            s,
            {"name": " Glow Lab ", "contact_name": "Ana Kim", "email": "ana@glowlab.example",
             "category": "Beauty", "website": "glowlab.example"},
            "mina",
        )  # fmt: skip
        brand_id = brand.id
    with database.session() as s:
        stored = s.get(Brand, brand_id)
        assert (stored.name, stored.category, stored.contact_name) == (
            "Glow Lab",
            "beauty",
            "Ana Kim",
        )
        entry = s.exec(select(AuditEntry).where(AuditEntry.entity_id == brand_id)).one()
    assert (entry.actor, entry.action) == ("mina", "brand added")
    assert json.loads(entry.after)["email"] == "ana@glowlab.example"

    with pytest.raises(brands.InvalidBrand) as refused, database.transaction() as s:
        brands.add_brand(s, {"name": "", "email": "not-an-email", "category": "x" * 61}, "mina")
    assert set(refused.value.errors) == {"name", "email", "category"}


@pytest.mark.parametrize("other", ["glow lab", "GLOW LAB", "  Glow Lab  "])
def test_a_name_is_unique_whatever_its_case(database: Database, other: str) -> None:
    with database.transaction() as s:
        brands.add_brand(s, {"name": "Glow Lab"}, "mina")
    with pytest.raises(brands.InvalidBrand) as refused, database.transaction() as s:
        brands.add_brand(s, {"name": other}, "mina")
    assert "a brand named 'Glow Lab' already exists" in refused.value.errors["name"]
    with database.session() as s:
        assert len(brands.list_brands(s)) == 1


def test_names_beyond_ascii_are_compared_in_any_case_too(database: Database) -> None:
    with database.transaction() as s:
        brand_id = brands.add_brand(s, {"name": "Éclat Beauté"}, "mina").id
    with pytest.raises(brands.InvalidBrand), database.transaction() as s:
        brands.add_brand(s, {"name": "ÉCLAT BEAUTÉ"}, "mina")
    with database.session() as s:
        assert brands.find_brand(s, "éclat beauté").id == brand_id


def test_editing_changes_only_the_given_fields_and_records_before_and_after(
    database: Database,
) -> None:
    with database.transaction() as s:
        brand_id = brands.add_brand(s, {"name": "Glow lab", "email": "a@glow.example"}, "mina").id
        other = brands.add_brand(s, {"name": "Peak Fuel"}, "mina").id
    with database.transaction() as s:
        changed = brands.edit_brand(
            s, brand_id, {"name": "Glow Lab", "contact_name": "Bo", "email": None}, "jun"
        )
    assert changed == ["name", "contact_name"]  # a new case of its own name is fine
    with database.session() as s:
        brand = s.get(Brand, brand_id)
        assert (brand.name, brand.contact_name, brand.email) == ("Glow Lab", "Bo", "a@glow.example")
        entry = s.exec(
            select(AuditEntry).where(AuditEntry.entity_id == brand_id, AuditEntry.actor == "jun")
        ).one()
    assert entry.action == "brand edited (name, contact)"
    assert json.loads(entry.before) == {"name": "Glow lab", "contact_name": None}
    assert json.loads(entry.after) == {"name": "Glow Lab", "contact_name": "Bo"}

    with database.transaction() as s:
        assert brands.edit_brand(s, brand_id, {"contact_name": "Bo"}, "jun") == []  # no entry
        brands.edit_brand(s, brand_id, {"email": ""}, "jun")  # "" clears
        assert s.get(Brand, brand_id).email is None
    with pytest.raises(brands.InvalidBrand) as refused, database.transaction() as s:
        brands.edit_brand(s, other, {"name": "glow LAB"}, "jun")
    assert "already exists" in refused.value.errors["name"]
    assert trail(database, brand_id) == [
        "brand added", "brand edited (name, contact)", "brand edited (email)",
    ]  # fmt: skip


def test_archived_brands_leave_lists_and_new_offers_until_unarchived(database: Database) -> None:
    with database.transaction() as s:
        brand_id = brands.add_brand(s, {"name": "Glow Lab"}, "mina").id
        brands.add_brand(s, {"name": "Peak Fuel"}, "mina")
    with database.transaction() as s:
        assert brands.archive_brand(s, brand_id, "mina") is True
        assert brands.archive_brand(s, brand_id, "mina") is False  # already: nothing written
    with database.session() as s:
        assert [b.name for b in brands.list_brands(s)] == ["Peak Fuel"]
        assert [b.name for b in brands.list_brands(s, include_archived=True)] == [
            "Glow Lab", "Peak Fuel",
        ]  # fmt: skip
        assert brands.find_brand(s, "glow lab").id == brand_id  # still found by name
        with pytest.raises(brands.BrandArchived, match="Glow Lab is archived"):
            brands.brand_for_offer(s, "Glow Lab", "mina")
    with database.transaction() as s:
        assert brands.unarchive_brand(s, brand_id, "mina") is True
        assert brands.brand_for_offer(s, "GLOW LAB", "mina").id == brand_id
    assert trail(database, brand_id) == ["brand added", "brand archived", "brand unarchived"]


def test_a_new_offer_adds_an_unknown_brand_only_when_asked(database: Database) -> None:
    with database.session() as s, pytest.raises(brands.BrandNotFound):
        brands.brand_for_offer(s, "Fresh Co", "mina")
    with database.transaction() as s:
        created = brands.brand_for_offer(s, "Fresh Co", "mina", create=True)
        assert brands.brand_for_offer(s, "fresh co", "mina", create=True).id == created.id
    assert trail(database, created.id) == ["brand added"]


def test_search_looks_at_name_contact_email_website_and_category(database: Database) -> None:
    with database.transaction() as s:
        brands.add_brand(s, {"name": "Glow Lab", "category": "beauty"}, "mina")
        brands.add_brand(s, {"name": "Peak Fuel", "contact_name": "Derek Glowa"}, "mina")
        brands.add_brand(s, {"name": "Byte Audio", "email": "hi@byte.example"}, "mina")
        factories.offer(s, brand_row=brands.find_brand(s, "Peak Fuel"))
    with database.session() as s:
        assert [b.name for b in brands.list_brands(s, "GLOW")] == ["Glow Lab", "Peak Fuel"]
        assert [b.name for b in brands.list_brands(s, "beauty")] == ["Glow Lab"]
        assert [b.name for b in brands.list_brands(s, "byte.example")] == ["Byte Audio"]
        rows = {r.name: r for r in brands.brand_rows(s)}
    assert rows["Peak Fuel"].campaigns == 1 and rows["Glow Lab"].campaigns == 0


def test_target_lines_are_read_together_and_an_unchanged_one_writes_nothing(
    database: Database,
) -> None:
    with database.transaction() as s:
        brand_id = brands.add_brand(s, {"name": "Glow Lab"}, "mina").id
    with pytest.raises(brands.InvalidBrand) as refused:
        brands.parse_targets(
            {"gender": "female=0.7; male=0.2", "age": "18-24=1", "country": "XX=1"}
        )
    assert set(refused.value.errors) == {"gender", "country"}
    targets = brands.parse_targets({"gender": "female=60%; male=40%", "age": ""})
    with database.transaction() as s:
        assert brands.set_targets(s, brand_id, targets, "mina") == [Dimension.GENDER]
    with database.transaction() as s:
        assert brands.set_targets(s, brand_id, targets, "mina") == []
        assert brands.target_texts(s, brand_id) == {
            "gender": "female=0.6; male=0.4", "age": "", "country": "",
        }  # fmt: skip
    assert trail(database, brand_id) == ["brand added", "target gender set"]


# ---- a new offer's windows ----------------------------------------------------------------


def settled(**typed: str) -> dict:
    terms = deals.new_terms({"fee": "1,000 USD", **typed}).__dict__.copy()
    deals.settle_windows(terms, DAY)
    return terms


def test_days_give_the_end_dates_counted_from_the_day_the_offer_came() -> None:
    terms = settled(usage_days="90", exclusivity_days="30", exclusivity_category="Beauty")
    assert terms["usage_until"] == date(2027, 1, 29)  # 1 Nov + 89 days: the 90th day
    assert (terms["exclusive_from"], terms["exclusive_until"]) == (DAY, date(2026, 11, 30))
    assert terms["exclusivity_category"] == "beauty"
    later = settled(exclusivity_days="10", exclusive_from="2026-12-01")
    assert later["exclusive_until"] == date(2026, 12, 10)
    before_end = settled(exclusivity_days="10", exclusive_until="2026-12-31")
    assert before_end["exclusive_from"] == date(2026, 12, 22)


def test_an_end_date_alone_is_kept_and_its_days_counted() -> None:
    terms = settled(usage_until="2027-03-31", exclusive_until="2026-12-31")
    assert terms["usage_until"] == date(2027, 3, 31) and terms["usage_days"] is None
    assert (terms["exclusive_from"], terms["exclusivity_days"]) == (DAY, 61)
    assert settled()["usage_until"] is None and settled()["exclusive_from"] is None


@pytest.mark.parametrize(
    ("typed", "field", "words"),
    [
        ({"exclusive_from": "2026-12-10", "exclusive_until": "2026-12-01"}, "exclusive_until",
         "before it starts"),
        ({"exclusive_from": "2026-12-01", "exclusive_until": "2026-12-31",
          "exclusivity_days": "10"}, "exclusive_until", "10 exclusivity days from 2026-12-01"),
        ({"exclusivity_category": "beauty"}, "exclusivity_days", "length in days or its end"),
        ({"exclusive_from": "2026-12-01"}, "exclusivity_days", "length in days or its end"),
        ({"usage_until": "2026-10-01"}, "usage_until", "before the offer was received"),
        ({"exclusive_from": "2026-01-01", "exclusive_until": "2026-02-01"}, "exclusive_until",
         "before the offer was received"),
        ({"exclusive_until": "2040-01-01"}, "exclusive_until", "at most 3650"),
    ],
)  # fmt: skip
def test_windows_that_cannot_be_are_refused_naming_the_field(
    typed: dict, field: str, words: str
) -> None:
    with pytest.raises(deals.DealError, match=words) as refused:
        settled(**typed)
    assert refused.value.field == field


def test_bad_window_text_is_named_per_field_with_the_other_terms() -> None:
    with pytest.raises(deals.TermsInvalid) as refused:
        deals.new_terms(
            {"fee": "abc", "usage_until": "2026-13-01", "exclusive_from": "soon",
             "exclusivity_category": "x" * 61, "net_days": "-1"}
        )  # fmt: skip
    assert set(refused.value.errors) == {
        "fee", "usage_until", "exclusive_from", "exclusivity_category", "net_days",
    }  # fmt: skip


def test_days_or_date_tells_one_typed_field_apart() -> None:
    assert deals.days_or_date("90") == ("90", "")
    assert deals.days_or_date(" 90 days ") == ("90", "")
    assert deals.days_or_date("30d") == ("30", "")
    assert deals.days_or_date("2027-01-31") == ("", "2027-01-31")
    assert deals.days_or_date("") == ("", "")


def test_an_offer_stores_its_windows_and_counters_keep_them_in_step(database: Database) -> None:
    terms = deals.new_terms(
        {"fee": "1,000 USD", "usage_days": "30", "exclusivity_days": "30",
         "exclusivity_category": "beauty"}
    )  # fmt: skip
    with database.transaction() as s:
        campaign = deals.add_campaign(
            s, factories.creator(s).id, factories.brand(s).id, "Serum", terms, "mina", DAY
        )
        campaign_id = campaign.id
    with database.transaction() as s:
        deals.propose(s, campaign_id, {"usage_days": 60, "exclusivity_days": 45}, "mina")
    with database.transaction() as s:
        deals.propose(s, campaign_id, {"fee_minor": 90_000}, "brand", Party.BRAND)
    with database.session() as s:
        offers = s.exec(select(Offer).where(Offer.campaign_id == campaign_id)).all()
    windows = [
        (o.usage_days, o.usage_until, o.exclusivity_category, o.exclusive_from, o.exclusive_until)
        for o in sorted(offers, key=lambda o: o.version)
    ]
    assert windows == [
        (30, date(2026, 11, 30), "beauty", DAY, date(2026, 11, 30)),
        (60, date(2026, 12, 30), "beauty", DAY, date(2026, 12, 15)),
        (60, date(2026, 12, 30), "beauty", DAY, date(2026, 12, 15)),  # carried over
    ]


# ---- the command line ---------------------------------------------------------------------


@pytest.fixture
def pinned(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TALENT_TODAY", DAY.isoformat())


def run(db: Database, *args: str):  # noqa: ANN201
    return runner.invoke(cli.app, ["--db", db.url, "--as", "mina", *args])


def test_cli_adds_edits_archives_and_lists_brands(database: Database) -> None:
    added = run(
        database, "brands", "add", "Glow Lab", "--contact", "Ana Kim", "--email",
        "ana@glowlab.example", "--category", "Beauty", "--json",
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    data = json.loads(added.stdout)
    assert (data["name"], data["category"], data["archived"]) == ("Glow Lab", "beauty", False)

    twice = run(database, "brands", "add", "GLOW LAB")
    assert twice.exit_code == 1 and "NAME: a brand named 'Glow Lab' already exists" in twice.stderr
    bad = run(database, "brands", "edit", "glow lab", "--email", "nope", "--name", "")
    assert bad.exit_code == 1 and "--email: not an email address" in bad.stderr
    assert "--name: required" in bad.stderr
    assert run(database, "brands", "edit", "glow lab").exit_code == 1  # nothing to change

    edited = run(database, "brands", "edit", "glow lab", "--contact", "Bo Park", "--website", "")
    assert edited.exit_code == 0 and "Updated Glow Lab (contact)." in edited.stdout
    assert run(database, "brands", "add", "Peak Fuel").exit_code == 0
    archived = run(database, "brands", "archive", "Glow Lab")
    assert archived.exit_code == 0 and "talent brands unarchive 'Glow Lab'" in archived.stdout

    listed = json.loads(run(database, "brands", "list", "--json").stdout)
    assert [b["name"] for b in listed] == ["Peak Fuel"]
    everything = json.loads(run(database, "brands", "list", "--archived", "--json").stdout)
    assert [(b["name"], b["archived"]) for b in everything] == [
        ("Glow Lab", True), ("Peak Fuel", False),
    ]  # fmt: skip
    found = json.loads(run(database, "brands", "list", "--search", "bo p", "--archived",
                           "--json").stdout)  # fmt: skip
    assert [b["name"] for b in found] == ["Glow Lab"]
    human = run(database, "brands", "list", "--archived")
    assert "Glow Lab (archived)" in human.stdout

    assert run(database, "brands", "unarchive", "glow lab").exit_code == 0
    assert (
        run(database, "brands", "target", "glow lab", "age", "18-24=40%; 25-34=60%").exit_code == 0
    )
    shown = json.loads(run(database, "brands", "show", "Glow Lab", "--json").stdout)
    assert shown["contact_name"] == "Bo Park" and shown["website"] is None
    assert shown["target"] == {"age": {"18-24": 0.4, "25-34": 0.6}}
    missing = run(database, "brands", "show", "Nobody")
    assert missing.exit_code == 1 and "no brand with id or name 'Nobody'" in missing.stderr
    with database.session() as s:
        brand = brands.find_brand(s, "Glow Lab")
        actors = {e.actor for e in s.exec(select(AuditEntry).where(AuditEntry.entity == "brand"))}
    assert actors == {"mina"}
    assert trail(database, brand.id) == [
        "brand added", "brand edited (contact)", "brand archived", "brand unarchived",
        "target age set",
    ]  # fmt: skip


def test_campaigns_add_stores_the_windows_and_says_how_to_add_a_missing_brand(
    database: Database, pinned: None
) -> None:
    with database.transaction() as s:
        factories.creator(s, tiktok_handle="@ana.eats")
    missing = run(
        database, "campaigns", "add", "--creator", "@ana.eats", "--brand", "Glow Lab",
        "--name", "Serum", "--fee", "2,500 USD",
    )  # fmt: skip
    assert missing.exit_code == 1
    assert "no brand with id or name 'Glow Lab'; add it first: talent brands add 'Glow Lab'" in (
        missing.stderr.replace("\n", " ")
    )
    assert run(database, "brands", "add", "Glow Lab").exit_code == 0
    added = run(
        database, "campaigns", "add", "--creator", "@ana.eats", "--brand", "glow lab",
        "--name", "Serum", "--fee", "2,500 USD", "--usage-days", "90",
        "--exclusivity-category", "Skincare", "--exclusive-from", "2026-11-15",
        "--exclusive-until", "2026-12-14", "--respond-by", "2026-11-10", "--json",
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    campaign_id = json.loads(added.stdout)["id"]
    with database.session() as s:
        campaign = s.get(Campaign, campaign_id)
        offer = s.exec(select(Offer).where(Offer.campaign_id == campaign_id)).one()
    assert campaign.status is CampaignStatus.OFFER_RECEIVED and offer.version == 1
    assert (offer.usage_days, offer.usage_until) == (90, date(2027, 1, 29))
    assert (offer.exclusivity_category, offer.exclusive_from, offer.exclusive_until) == (
        "skincare", date(2026, 11, 15), date(2026, 12, 14),
    )  # fmt: skip
    assert offer.exclusivity_days == 30

    refused = run(
        database, "campaigns", "add", "--creator", "@ana.eats", "--brand", "Glow Lab",
        "--name", "Bad", "--fee", "1 USD", "--usage-until", "2026-10-01",
    )  # fmt: skip
    assert refused.exit_code == 1 and "before the offer was received" in refused.stderr
    assert run(database, "brands", "archive", "Glow Lab").exit_code == 0
    archived = run(
        database, "campaigns", "add", "--creator", "@ana.eats", "--brand", "Glow Lab",
        "--name", "Later", "--fee", "1 USD",
    )  # fmt: skip
    assert archived.exit_code == 1 and "talent brands unarchive 'Glow Lab'" in archived.stderr
    with database.session() as s:
        assert len(s.exec(select(Campaign)).all()) == 1  # nothing half-written


def test_a_form_that_read_an_older_brand_is_refused_naming_what_changed(
    database: Database,
) -> None:
    with database.transaction() as s:
        brand_id = brands.add_brand(s, {"name": "Glow Lab"}, "mina").id
        opened = brands.form_values(s.get(Brand, brand_id)) | brands.target_texts(s, brand_id)
    with database.transaction() as s:
        brands.edit_brand(s, brand_id, {"email": "hi@glow.example"}, "jun")
        brands.set_target(s, brand_id, Dimension.AGE, {"18-24": 1.0}, "jun")
    with database.session() as s, pytest.raises(brands.BrandChanged) as refused:
        brands.check_unchanged(s, brand_id, opened)
    assert refused.value.fields == ["email", "age"]
    assert "(email, target age)" in str(refused.value)
