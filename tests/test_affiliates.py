"""Affiliate programs' rules (services.affiliates): programs, the pipeline, links and codes,
KPIs against hand-computed figures, suggestions from the roster."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlmodel import select

from talent_tui.services.affiliates import kpis, members, programs, resources, suggest
from talent_tui.services.affiliates.errors import AffiliateError
from talent_tui.store.models import (
    Affiliate,
    AuditEntry,
    ChecklistTick,
    ClickDay,
    Conversion,
    ConversionStatus,
    Creative,
    Dimension,
    Program,
    StageChange,
)
from tests import factories


def _program(session, rate: str = "10%", currency: str = "USD", **extra) -> Program:  # noqa: ANN001
    brand = factories.brand(session, name=extra.pop("brand", None))
    data = programs.ProgramInput(
        extra.pop("name", f"Program of {brand.name}"), brand.name, currency, rate, **extra
    )
    return programs.add_program(session, data, "mina")


def _affiliate(session, program: Program, handle: str, stage: str = "prospect"):  # noqa: ANN001, ANN202
    assert program.id is not None
    return members.add_affiliate(
        session, program.id, members.AffiliateInput(handle, stage=stage), "mina"
    )


def test_a_program_keeps_its_rate_in_basis_points_and_gets_a_slug(database) -> None:  # noqa: ANN001
    with database.transaction() as s:
        program = _program(s, rate="12.75%", name="Glow Spring 2026!", forbidden="a;  b ;")
    with database.session() as s:
        stored = s.get(Program, program.id)
        assert (stored.rate_bp, stored.slug, stored.forbidden_sources) == (
            1275,
            "glow-spring-2026",
            "a; b",
        )
        assert (stored.lock_days, stored.net_days) == (30, 30)
        entry = s.exec(select(AuditEntry).where(AuditEntry.entity == "program")).one()
        assert json.loads(entry.after)["rate_bp"] == 1275


@pytest.mark.parametrize("rate", ["10.125%", "101%", "-1", "ten", "", "0.1", "0.05"])
def test_a_bad_rate_is_refused_before_anything_is_stored(database, rate: str) -> None:  # noqa: ANN001
    with pytest.raises(AffiliateError) as caught, database.transaction() as s:
        _program(s, rate=rate)
    assert caught.value.field == "rate"
    with database.session() as s:
        assert s.exec(select(Program)).all() == []


def test_an_unknown_currency_or_brand_is_refused(database) -> None:  # noqa: ANN001
    with database.transaction() as s:
        factories.brand(s, name="Oat")
        with pytest.raises(AffiliateError, match="currency"):
            programs.add_program(s, programs.ProgramInput("P", "Oat", "XXQ", "10%"), "mina")
        with pytest.raises(AffiliateError, match="no brand"):
            programs.add_program(s, programs.ProgramInput("P", "Nope", "USD", "10%"), "mina")


def test_active_needs_every_checklist_item_ticked_and_every_move_is_dated(database) -> None:  # noqa: ANN001
    with database.transaction() as s:
        program = _program(s)
        programs.set_checklist(s, program.id, "Signed terms; Tax form", "mina")
        nora = _affiliate(s, program, "@Nora")
        for stage in ("contacted", "applied", "onboarding"):
            members.set_stage(s, nora, members.parse_stage(stage), "mina")
        with pytest.raises(AffiliateError, match="not ticked: Signed terms; Tax form"):
            members.set_stage(s, nora, members.parse_stage("active"), "mina")
        members.tick(s, nora, "signed TERMS", "mina")
        with pytest.raises(AffiliateError, match="not ticked: Tax form"):
            members.set_stage(s, nora, members.parse_stage("active"), "mina")
        members.tick(s, nora, "2", "mina")
        members.set_stage(s, nora, members.parse_stage("active"), "mina")
        nora_id = nora.id
    with database.session() as s:
        history = members.history(s, nora_id)
        assert [(c.from_stage, c.to_stage.value) for c in history] == [
            (None, "prospect"),
            (members.S.PROSPECT, "contacted"),
            (members.S.CONTACTED, "applied"),
            (members.S.APPLIED, "onboarding"),
            (members.S.ONBOARDING, "active"),
        ]
        assert all(c.at.tzinfo is UTC for c in history)
        assert len(s.exec(select(ChecklistTick)).all()) == 2
        actions = [
            e.action
            for e in s.exec(
                select(AuditEntry).where(
                    AuditEntry.entity_id == nora_id, AuditEntry.entity == "affiliate"
                )
            )
        ]
        assert actions.count("stage changed") == 4 and actions.count("checklist ticked") == 2


def test_a_move_the_pipeline_does_not_allow_is_refused_and_nothing_changes(database) -> None:  # noqa: ANN001
    with database.transaction() as s:
        program = _program(s)
        sam = _affiliate(s, program, "sam")
        with pytest.raises(AffiliateError, match="cannot go from prospect to paused"):
            members.set_stage(s, sam, members.parse_stage("paused"), "mina")
        with pytest.raises(AffiliateError, match="unknown stage"):
            members.parse_stage("vip")
        assert sam.stage.value == "prospect"
        assert len(s.exec(select(StageChange)).all()) == 1


def test_an_affiliate_with_a_roster_creators_handle_is_that_creator(database) -> None:  # noqa: ANN001
    with database.transaction() as s:
        creator = factories.creator(s, tiktok_handle="@haneul.eats", name="Haneul")
        program = _program(s)
        one = _affiliate(s, program, "Haneul.Eats")
        other = _affiliate(s, program, "@publisher")
        assert (one.handle, one.code, one.creator_id, one.name) == (
            "@haneul.eats",
            "haneul.eats",
            creator.id,
            "Haneul",
        )
        assert other.creator_id is None
        with pytest.raises(AffiliateError, match="in this program already"):
            _affiliate(s, program, "@HANEUL.EATS")
        second = _program(s)
        assert _affiliate(s, second, "@haneul.eats").creator_id == creator.id


def test_the_utm_rule_keeps_other_parameters_and_replaces_old_utm_ones() -> None:
    url = resources.tracking_url(
        "https://shop.example/p?ref=x&utm_source=old&utm_medium=cpc", "nora", "glow-spring"
    )
    query = parse_qs(urlsplit(url).query)
    assert query == {
        "ref": ["x"],
        "utm_source": ["nora"],
        "utm_medium": ["affiliate"],
        "utm_campaign": ["glow-spring"],
    }


def test_link_codes_are_unique_per_program_and_promo_codes_whatever_their_case(database) -> None:  # noqa: ANN001
    with database.transaction() as s:
        program = _program(s)
        nora = _affiliate(s, program, "@nora")
        first = resources.add_link(s, program, nora, "https://shop.example", "mina")
        second = resources.add_link(s, program, nora, "https://shop.example/b", "mina")
        assert (first.code, second.code) == ("nora-1", "nora-2")
        with pytest.raises(AffiliateError, match="taken"):
            resources.add_link(s, program, nora, "https://shop.example", "mina", code="nora-1")
        with pytest.raises(AffiliateError, match="not an http"):
            resources.add_link(s, program, nora, "javascript:alert(1)", "mina")
        promo = resources.add_code(
            s, program, nora, "NORA10", "mina", discount="10%", valid_from=date(2026, 10, 1)
        )
        assert (promo.code_key, promo.discount_bp) == ("nora10", 1000)
        with pytest.raises(AffiliateError, match="any case"):
            resources.add_code(s, program, nora, "nora10", "mina")
        other = _program(s)
        other_nora = _affiliate(s, other, "@nora")
        assert resources.add_code(s, other, other_nora, "nora10", "mina").code == "nora10"
        banner = resources.add_creative(
            s, program, "banner", "Spring", "mina", size="300x250", path="b.png"
        )
        given = resources.given_to(s, nora)
        assert [g.kind for g in given] == ["link", "link", "code", "banner"]
        assert given[-1].id == banner.id
        with pytest.raises(AffiliateError, match="needs its text"):
            resources.add_creative(s, program, "text", "Line", "mina")


def _conversion(s, program, affiliate, order, at, amount, refund=0, status="approved"):  # noqa: ANN001, ANN202
    s.add(
        Conversion(
            program_id=program.id,
            order_id=order,
            affiliate_id=affiliate.id,
            occurred_at=at,
            amount_minor=amount,
            refund_minor=refund,
            currency=program.currency,
            status=ConversionStatus(status),
        )
    )


def test_kpis_match_a_hand_calculation(database) -> None:  # noqa: ANN001
    oct_ = datetime(2026, 10, 15, 12, tzinfo=UTC)
    with database.transaction() as s:
        program = _program(s, rate="12.5%")
        nora = _affiliate(s, program, "@nora")
        sam = _affiliate(s, program, "@sam")
        idle = _affiliate(s, program, "@idle")
        # Impressions known on 1 October only (4,000 for its 120 clicks): nora's CTR is
        # 120 / 4,000 = 3%, not 200 / 4,000; sam's 3 / 60 = 5%.
        for day, clicks, shown in (
            (date(2026, 10, 1), 120, 4000),
            (date(2026, 10, 31), 80, None),
            (date(2026, 11, 1), 999, 5),
        ):
            s.add(
                ClickDay(
                    program_id=program.id,
                    affiliate_id=nora.id,
                    day=day,
                    clicks=clicks,
                    impressions=shown,
                )
            )
        s.add(
            ClickDay(
                program_id=program.id,
                affiliate_id=sam.id,
                day=date(2026, 10, 5),
                clicks=3,
                impressions=60,
            )
        )
        s.add(ClickDay(program_id=program.id, affiliate_id=sam.id, day=date(2026, 9, 5), clicks=10))
        # nora: 100.00 − 0, 55.55 − 5.55 = 50.00, 10.00 reversed (ignored), 0.04 → commission
        # 12.50 + 6.25 + 0.005 → 0.01 (half up) = 18.76; revenue 150.04.
        _conversion(s, program, nora, "A1", oct_, 10000)
        _conversion(s, program, nora, "A2", oct_, 5555, 555, "pending")
        _conversion(s, program, nora, "A3", oct_, 1000, 0, "reversed")
        _conversion(s, program, nora, "A4", datetime(2026, 10, 31, 23, 59, 59, tzinfo=UTC), 4)
        _conversion(s, program, nora, "A5", datetime(2026, 11, 1, tzinfo=UTC), 7777)  # November
        # sam: 19.99 held → 2.49875 → 2.50; September 40.00 for the trend.
        _conversion(s, program, sam, "B1", oct_, 1999, 0, "held")
        _conversion(s, program, sam, "B0", datetime(2026, 9, 30, 23, tzinfo=UTC), 4000)
        program_id = program.id
        assert idle.id is not None
    with database.session() as s:
        result = kpis.program_kpis(s, s.get(Program, program_id), kpis.parse_month("2026-10"))
    rows = {k.handle: k for k in result.rows}
    nora_k, sam_k = rows["@nora"], rows["@sam"]
    assert (nora_k.clicks, nora_k.conversions, nora_k.revenue_minor) == (200, 3, 15004)
    assert nora_k.commission_minor == 1250 + 625 + 1
    assert nora_k.aov_minor == 5001  # 15004 / 3 = 5001.33
    assert nora_k.epc_minor == 9  # 1876 / 200 = 9.38
    assert nora_k.conversion_rate == pytest.approx(3 / 200)
    assert (sam_k.clicks, sam_k.conversions, sam_k.revenue_minor, sam_k.commission_minor) == (
        3,
        1,
        1999,
        250,
    )
    assert sam_k.epc_minor == 83  # 250 / 3 = 83.33
    assert (nora_k.impressions, nora_k.ctr, sam_k.ctr) == (4000, 0.03, 0.05)
    assert result.total.ctr == pytest.approx(123 / 4060)
    assert sam_k.previous_revenue_minor == 4000
    assert rows["@idle"].as_dict() == {
        "affiliate": "@idle",
        "clicks": 0,
        "conversions": 0,
        "conversion_rate": None,
        "revenue_minor": 0,
        "currency": "USD",
        "aov_minor": None,
        "commission_minor": 0,
        "epc_minor": None,
        "impressions": 0,
        "ctr": None,
    }
    assert [k.handle for k in result.rows] == ["@nora", "@sam", "@idle"]
    assert (result.total.clicks, result.total.revenue_minor, result.total.commission_minor) == (
        203,
        17003,
        2126,
    )
    assert result.total.previous is not None
    assert (result.total.previous.clicks, result.total.previous.revenue_minor) == (10, 4000)
    assert result.previous_period.label == "2026-09"


def test_periods_months_quarters_and_ranges_with_their_previous_period() -> None:
    q = kpis.parse_quarter("2026-Q1")
    assert (q.start, q.end, q.previous().label) == (date(2026, 1, 1), date(2026, 4, 1), "2025-Q4")
    assert kpis.parse_month("2026-01").previous().label == "2025-12"
    r = kpis.parse_range("2026-10-01", "2026-10-10")
    assert (r.previous().start, r.previous().end) == (date(2026, 9, 21), date(2026, 10, 1))
    for bad in ("2026-13", "26-1", "2026/10"):
        with pytest.raises(AffiliateError):
            kpis.parse_month(bad)
    with pytest.raises(AffiliateError, match="one period"):
        kpis.choose_period(date(2026, 1, 1), month="2026-01", quarter="2026-Q1")
    assert kpis.commission_at(5, 1000) == 1  # 0.5 rounds up
    assert kpis.commission_at(4, 1000) == 0


def test_suggest_ranks_roster_creators_not_in_the_program_by_fit(database) -> None:  # noqa: ANN001
    from talent_tui.store.models import AudienceSegment, BrandTarget

    with database.transaction() as s:
        program = _program(s)
        s.add(
            BrandTarget(
                brand_id=program.brand_id, dimension=Dimension.GENDER, bucket="female", share=1.0
            )
        )
        fits = {}
        for handle, female in (("@good", 0.9), ("@okay", 0.5), ("@taken", 1.0)):
            c = factories.creator(s, tiktok_handle=handle)
            fits[handle] = c.id
            for bucket, share in (("female", female), ("male", 1 - female)):
                s.add(
                    AudienceSegment(
                        creator_id=c.id,
                        captured_on=date(2026, 10, 1),
                        dimension=Dimension.GENDER,
                        bucket=bucket,
                        share=share,
                    )
                )
        _affiliate(s, program, "@taken")
        s.flush()
        ranked = suggest.suggest(s, program)
    assert [(r.tiktok_handle, r.fit.score) for r in ranked] == [("@good", 90), ("@okay", 50)]
    assert "gender" in ranked[1].fit.reason


def test_a_roster_creator_affiliate_shows_followers_and_fit_beside(database) -> None:  # noqa: ANN001
    from talent_tui.store.models import AudienceSegment, BrandTarget

    with database.transaction() as s:
        program = _program(s)
        s.add(
            BrandTarget(
                brand_id=program.brand_id, dimension=Dimension.GENDER, bucket="female", share=1.0
            )
        )
        c = factories.creator(s, tiktok_handle="@mina.glow", followers=12_345)
        for bucket, share in (("female", 0.8), ("male", 0.2)):
            s.add(
                AudienceSegment(
                    creator_id=c.id,
                    captured_on=date(2026, 10, 1),
                    dimension=Dimension.GENDER,
                    bucket=bucket,
                    share=share,
                )
            )
        s.flush()
        side = members.roster_side(s, _affiliate(s, program, "@mina.glow"), program.brand_id)
        outsider = members.roster_side(s, _affiliate(s, program, "@blog"), program.brand_id)
    assert outsider is None
    assert side is not None
    assert (side.creator_id, side.followers, side.fit_score) == (c.id, 12_345, 80)
    assert side.describe().startswith("roster: 12,345 followers")


def test_a_program_name_that_would_find_another_program_is_refused(database) -> None:  # noqa: ANN001
    """Commands find a program by id, name or slug: a name that is a number, or another
    program's slug, would open the wrong one."""
    with database.transaction() as s:
        first = _program(s, name="Acme Club")
        second = _program(s, name="ACME club!", brand="Oat")  # slug acme-club taken: acme-club-2
        assert (first.slug, second.slug) == ("acme-club", "acme-club-2")
        for name, words in (("2", "cannot be a number"), ("acme-club-2", r"slug\) of program")):
            with pytest.raises(AffiliateError, match=words) as caught:
                _program(s, name=name, brand=f"Brand {name}")
            assert caught.value.field == "name"
    with database.session() as s:
        assert sorted(p.name for p in s.exec(select(Program))) == [
            "ACME club!",
            "Acme Club",
        ]


@pytest.mark.parametrize("handle", ["@a<b>", "@a+b", "@ab.", "@.ab", "@e\u200bx", "@-x"])
def test_a_new_affiliates_handle_is_refused_when_no_link_code_could_be_made_of_it(
    database, handle: str
) -> None:  # noqa: ANN001
    with database.transaction() as s:
        program = _program(s)
        with pytest.raises(AffiliateError, match="handle has only letters, digits, _") as caught:
            _affiliate(s, program, handle)
        assert caught.value.field == "handle"
        ok = _affiliate(s, program, "@Site-Reviews_2.0x")
        link = resources.add_link(s, program, ok, "https://shop.example/", "mina")
        assert (ok.handle, link.code) == ("@site-reviews_2.0x", "site-reviews_2-0x-1")
    with database.session() as s:
        assert [a.handle for a in s.exec(select(Affiliate))] == ["@site-reviews_2.0x"]


def test_creative_sizes_are_width_by_height_and_names_unique_per_owner(database) -> None:  # noqa: ANN001
    with database.transaction() as s:
        program = _program(s)
        nora = _affiliate(s, program, "@nora")
        banner = resources.add_creative(
            s, program, "banner", "Spring", "mina", size="300 × 250", path="spring.png"
        )
        assert banner.size == "300x250"
        for size in ("abc", "-1x5", "0x0", "300x", "1" * 26 + "x5", "30000x10"):
            with pytest.raises(AffiliateError, match="size") as caught:
                resources.add_creative(s, program, "banner", "B", "mina", size=size, path="b.png")
            assert caught.value.field == "size"
        with pytest.raises(AffiliateError, match="named 'spring' already"):
            resources.add_creative(s, program, "text", "spring", "mina", text="Shop")
        # The same name for one affiliate is another creative.
        resources.add_creative(s, program, "text", "Spring", "mina", affiliate=nora, text="Hi")
    with database.session() as s:
        stored = {(c.name, c.size, c.affiliate_id) for c in s.exec(select(Creative))}
        assert stored == {("Spring", None, nora.id), ("Spring", "300x250", None)}


def test_a_range_at_the_calendars_ends_is_refused_naming_the_right_field() -> None:
    with pytest.raises(AffiliateError, match="too late") as late:
        kpis.parse_range("2026-01-01", "9999-12-31")
    with pytest.raises(AffiliateError, match="too early for a trend") as early:
        kpis.parse_range("0001-01-01", "0001-02-01")
    assert (late.value.field, early.value.field) == ("to", "from")
    assert kpis.parse_range("9999-11-01", "9999-12-30").label.startswith("9999-11-01")


def test_a_bare_rate_below_one_is_asked_about_not_guessed() -> None:
    """Platforms export rates as fractions (0.1 is 10%), people write 10 or 10%: a bare number
    between 0 and 1 is refused, saying both readings; with % it is taken as written."""
    from talent_tui.core import fields

    with pytest.raises(fields.FieldError, match=r"write it with %: 0\.1% or 10%\?"):
        fields.percent_to_bp("rate", "0.1")
    assert [fields.percent_to_bp("rate", t) for t in ("0.1%", "10", "1", "0", "12.75 %")] == [
        10,
        1000,
        100,
        0,
        1275,
    ]


def test_kpi_sums_past_64_bits_are_exact_and_the_commands_print_them(database) -> None:  # noqa: ANN001
    """9,300 orders of 10 trillion dollars (the import's limit each) add up past 2**63, where
    SQLite's SUM failed ("integer overflow", exit 70), and at 99.99% one order's amount ×
    rate is past it too (PostgreSQL: "bigint out of range"). Each sum is read in two halves
    and put together in Python, exactly."""
    import sqlalchemy as sa
    from typer.testing import CliRunner

    from talent_tui.cli import main as cli
    from talent_tui.core.money import MAX_MINOR
    from talent_tui.services.affiliates import program_report

    at = datetime(2026, 10, 15, 12, tzinfo=UTC)
    with database.transaction() as s:
        program = _program(s, rate="99.99%", name="Whales")
        whale = _affiliate(s, program, "@whale")
        _conversion(s, program, whale, "SMALL", at, 12345)
        s.flush()
        rows = [
            {
                "program_id": program.id,
                "order_id": f"W{n}",
                "affiliate_id": whale.id,
                "occurred_at": at,
                "amount_minor": MAX_MINOR,
                "refund_minor": 0,
                "currency": "USD",
                "status": ConversionStatus.APPROVED,
                "created_at": at,
                "updated_at": at,
            }
            for n in range(9300)
        ]
        s.connection().execute(sa.insert(Conversion), rows)
        s.add(ClickDay(program_id=program.id, affiliate_id=whale.id, day=at.date(), clicks=10**12))
        program_id = program.id
    # By hand: revenue 9,300 × 10**15 + 123.45 USD; commission per big order 10**15 ×
    # 99.99% = 999,900,000,000,000 exactly, the small one 123.45 × 99.99% = 123.437655 →
    # 123.44 (half up): 9,300 × 999,900,000,000,000 + 12,344.
    revenue = 9_300_000_000_000_000_000 + 12_345
    commission = 9_299_070_000_000_000_000 + 12_344
    assert revenue > 2**63
    month = kpis.parse_month("2026-10")
    with database.session() as s:
        prog = s.get(Program, program_id)
        result = kpis.program_kpis(s, prog, month)
        [row] = result.rows
        assert (row.clicks, row.conversions, row.revenue_minor, row.commission_minor) == (
            10**12,
            9301,
            revenue,
            commission,
        )
        assert (result.total.revenue_minor, result.total.commission_minor) == (revenue, commission)
        # The sums in halves (what SQLite is read with after its overflow) on either store.
        [wide] = s.execute(kpis.kpi_query(prog, month, wide=True)).all()
        assert kpis._figures(wide[3:10]) == (10**12, 9301, revenue, commission)
        series = kpis.revenue_series(
            s, prog, [kpis.parse_month("2026-09"), month], row.affiliate_id
        )
        assert series == [0, revenue]
        report = program_report.build_report(s, prog, month, date(2026, 11, 20), management=False)
        assert (report.conversions, report.revenue_minor) == (9301, revenue)
    runner = CliRunner()
    shown = runner.invoke(
        cli.app,
        [
            "--db",
            database.url,
            "affiliates",
            "kpis",
            "-p",
            "whales",
            "--month",
            "2026-10",
            "--json",
        ],
    )
    assert shown.exit_code == 0, shown.output
    [kpi] = json.loads(shown.stdout)
    assert (kpi["revenue_minor"], kpi["commission_minor"]) == (revenue, commission)
    printed = runner.invoke(
        cli.app, ["--db", database.url, "programs", "report", "whales", "-m", "2026-10"]
    )
    assert printed.exit_code == 0, printed.output
    assert "- **Revenue:** 93,000,000,000,000,123.45 USD" in printed.stdout
    assert "92,990,700,000,000,123.44 USD" in printed.stdout  # the commission, estimated
