"""The demo's affiliate side: 2 programs, 40 affiliates across every pipeline stage (some of
them roster creators, by TikTok handle), their links, codes and creatives, and 3 months of
clicks and orders in 2 currencies (EUR and USD), all relative to the demo's "today" and the
same on every load (a seeded random generator).

People, stages and resources go through the services (so every rule and audit entry holds);
clicks and orders are inserted in bulk, as an import would.

The money (issue 16, `_money`): tiers, a promotion and bonuses on both programs; the two
most recent months that can be built have statements (the older one's, built when it could
be, paid, but for one Peak Fuel statement left overdue; the newer one's, built today, open), a reversal after payment shows as an
adjustment of the newer month, and a few recent orders wait in review (a forbidden source,
a self-referral, an order 4 seconds after its click, an order claimed by two affiliates).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlmodel import Session, select

from talent_tui.io.importers.base import ImportReport, insert_many
from talent_tui.services.affiliates import members, programs, resources
from talent_tui.services.affiliates.conversions import customer_hash, hash_key
from talent_tui.store.models import (
    Affiliate,
    AffiliateStage,
    ClickDay,
    Conversion,
    ConversionStatus,
    Program,
    StageChange,
    StatementLine,
)

ACTOR = "demo"
DAYS = 92  # three months of clicks and orders, up to yesterday
S = AffiliateStage
# The way to each stage from prospect (every step dated and audited).
PATHS: dict[AffiliateStage, tuple[AffiliateStage, ...]] = {
    S.PROSPECT: (),
    S.CONTACTED: (S.CONTACTED,),
    S.APPLIED: (S.CONTACTED, S.APPLIED),
    S.ONBOARDING: (S.CONTACTED, S.APPLIED, S.ONBOARDING),
    S.ACTIVE: (S.CONTACTED, S.APPLIED, S.ONBOARDING, S.ACTIVE),
    S.PAUSED: (S.CONTACTED, S.APPLIED, S.ONBOARDING, S.ACTIVE, S.PAUSED),
    S.ENDED: (S.CONTACTED, S.APPLIED, S.ONBOARDING, S.ACTIVE, S.ENDED),
    S.REJECTED: (S.CONTACTED, S.APPLIED, S.REJECTED),
}
EARNING = (S.ACTIVE, S.PAUSED, S.ENDED)


@dataclass(frozen=True)
class DemoProgram:
    name: str
    brand: str
    currency: str
    rate: str
    checklist: str
    forbid: str
    shop: str
    aov: tuple[int, int]  # order amounts, in major units
    affiliates: tuple[tuple[str, str | None, AffiliateStage], ...]  # handle, name, stage
    net_days: int = 30


PROGRAMS = (
    DemoProgram(
        name="Lumière Glow Club",
        brand="Lumière Skin",
        currency="EUR",
        rate="12%",
        checklist="Signed terms; Tax form; Brand-safety briefing",
        forbid="brand keyword bidding; coupon sites",
        shop="https://lumiere-skin.example/shop",
        aov=(25, 140),
        affiliates=(
            ("@seoyeon.glow", None, S.ACTIVE),
            ("@liv.bennett", None, S.ACTIVE),
            ("@valen.makeup", None, S.ACTIVE),
            ("@daeun.ootd", None, S.PAUSED),
            ("@zoecarter.style", None, S.ONBOARDING),
            ("@chloe.chic", None, S.APPLIED),
            ("@glowdeals.blog", "Glow Deals Blog", S.ACTIVE),
            ("@skincare.weekly", "Skincare Weekly", S.ACTIVE),
            ("@derm.notes", "Derm Notes", S.ACTIVE),
            ("@beauty.haul.fr", "Beauty Haul FR", S.ENDED),
            ("@serum.society", "Serum Society", S.ACTIVE),
            ("@clean.beauty.list", "Clean Beauty List", S.CONTACTED),
            ("@k.beauty.finds", "K-Beauty Finds", S.PROSPECT),
            ("@minimal.routine", "Minimal Routine", S.PROSPECT),
            ("@coupon.kingdom", "Coupon Kingdom", S.REJECTED),
            ("@lipstick.lab", "Lipstick Lab", S.ONBOARDING),
            ("@glow.getter.mag", "Glow Getter Magazine", S.ACTIVE),
            ("@spa.at.home", "Spa at Home", S.APPLIED),
            ("@sunscreen.daily", "Sunscreen Daily", S.CONTACTED),
            ("@vanity.edit", "The Vanity Edit", S.PAUSED),
            ("@nail.it.studio", "Nail It Studio", S.REJECTED),
            ("@skin.first", "Skin First", S.PROSPECT),
        ),
    ),
    DemoProgram(
        name="Peak Fuel Athletes",
        brand="Peak Fuel",
        currency="USD",
        rate="8.5%",
        checklist="Signed terms; Product sample received",
        forbid="brand keyword bidding",
        shop="https://peakfuel.example/store",
        aov=(20, 90),
        affiliates=(
            ("@sofiaramirez.fit", None, S.ACTIVE),
            ("@ethanbrooks.fit", None, S.ACTIVE),
            ("@doyoon.fit", None, S.ACTIVE),
            ("@ava.moves", None, S.ONBOARDING),
            ("@lucasjoga", None, S.CONTACTED),
            ("@seoyeon.glow", None, S.PROSPECT),  # in both programs
            ("@runclub.daily", "Run Club Daily", S.ACTIVE),
            ("@protein.reviews", "Protein Reviews", S.ACTIVE),
            ("@gym.deals.hub", "Gym Deals Hub", S.REJECTED),
            ("@trail.mix.tv", "Trail Mix TV", S.PAUSED),
            ("@liftlog", "LiftLog", S.ACTIVE),
            ("@yoga.with.mia", "Yoga with Mia", S.APPLIED),
            ("@macro.kitchen", "Macro Kitchen", S.ENDED),
            ("@cycling.weekly.us", "Cycling Weekly US", S.PROSPECT),
            ("@hiit.home", "HIIT Home", S.ONBOARDING),
            ("@marathon.mind", "Marathon Mind", S.CONTACTED),
            ("@swole.science", "Swole Science", S.APPLIED),
            ("@fit.fam.podcast", "Fit Fam Podcast", S.ACTIVE),
        ),
        net_days=15,
    ),
)
SOURCES = ("tiktok", "instagram", "blog", "youtube", "newsletter")


def load_affiliate_demo(session: Session, today: date) -> list[ImportReport]:
    """Add the affiliate demo to the session (the caller's transaction)."""
    rng = random.Random(15)
    key = hash_key(session)
    people = links_made = clicks_made = orders_made = 0
    made: list[Program] = []
    for spec in PROGRAMS:
        program = programs.add_program(
            session,
            programs.ProgramInput(
                spec.name,
                spec.brand,
                spec.currency,
                spec.rate,
                net_days=spec.net_days,
                forbidden=spec.forbid,
            ),
            ACTOR,
        )
        assert program.id is not None
        programs.set_checklist(session, program.id, spec.checklist, ACTOR)
        resources.add_creative(
            session, program, "banner", "Leaderboard", ACTOR, size="728x90",
            path=f"creatives/{program.slug}-728x90.png",
        )  # fmt: skip
        resources.add_creative(
            session, program, "text", "Text link", ACTOR, text=f"Shop {spec.brand} with my link"
        )
        click_rows: list[dict[str, Any]] = []
        order_rows: list[dict[str, Any]] = []
        for index, (handle, name, stage) in enumerate(spec.affiliates):
            affiliate = members.add_affiliate(
                session,
                program.id,
                members.AffiliateInput(
                    handle, name=name, site=None if name is None else _site(handle)
                ),
                ACTOR,
            )
            # Ended and paused affiliates stopped some weeks ago.
            last = DAYS if stage is S.ACTIVE else rng.randint(30, 60)
            stopped = None if stage is S.ACTIVE else today - timedelta(days=DAYS - last - 1)
            _walk(session, affiliate, stage, today, rng, stopped)
            people += 1
            if stage not in EARNING:
                continue
            link = resources.add_link(session, program, affiliate, spec.shop, ACTOR)
            links_made += 1
            code = affiliate.code.split(".")[0].upper()[:12] + str(10 + index)
            promo = resources.add_code(
                session, program, affiliate, code, ACTOR, discount=rng.choice(("10%", "15%"))
            )
            strength = rng.uniform(0.4, 1.6)
            rate = rng.uniform(0.015, 0.05)
            for back in range(DAYS, 0, -1):
                if DAYS - back > last:
                    break
                day = today - timedelta(days=back)
                clicks = max(0, int(rng.gauss(60, 25) * strength))
                if clicks == 0:
                    continue
                click_rows.append(
                    {
                        "program_id": program.id,
                        "affiliate_id": affiliate.id,
                        "link_id": link.id,
                        "day": day,
                        "clicks": clicks,
                        "impressions": clicks * rng.randint(8, 20),
                    }
                )
                for _ in range(sum(rng.random() < rate for _ in range(clicks))):
                    order_rows.append(
                        _order(rng, program.id, affiliate, link.id, promo.id, day, today, spec, key)
                    )
        for row_number, row in enumerate(order_rows, start=1):
            row["order_id"] = f"{program.slug[:4].upper()}-{row_number:06d}"
        insert_many(session.connection(), ClickDay.__table__, click_rows)  # type: ignore[attr-defined]
        insert_many(session.connection(), Conversion.__table__, order_rows)  # type: ignore[attr-defined]
        clicks_made += len(click_rows)
        orders_made += len(order_rows)
        made.append(program)
    _money(session, made, today)
    return [
        ImportReport(kind="affiliates", source="demo", rows=people, new=people),
        ImportReport(kind="click days", source="demo", rows=clicks_made, new=clicks_made),
        ImportReport(kind="conversions", source="demo", rows=orders_made, new=orders_made),
    ]


def _site(handle: str) -> str:
    return "https://" + handle.lstrip("@").replace(".", "-") + ".example"


def _walk(
    session: Session,
    affiliate: Affiliate,
    stage: AffiliateStage,
    today: date,
    rng: random.Random,
    stopped: date | None,
) -> None:
    """Move a new affiliate along the path to `stage`, ticking the checklist before active,
    then date the steps in the past (a week or two apart, the last a few days ago)."""
    for step in PATHS[stage]:
        if step is S.ACTIVE:
            for item in members.missing_ticks(session, affiliate):
                members.tick(session, affiliate, item, ACTOR)
        members.set_stage(session, affiliate, step, ACTOR)
    changes = list(
        session.exec(
            select(StageChange)
            .where(StageChange.affiliate_id == affiliate.id)
            .order_by(StageChange.id)  # type: ignore[arg-type]
        )
    )
    # Earning affiliates became active before the three months of orders began; a paused or
    # ended one stopped the day after its last orders. The others moved in recent weeks.
    if stage in EARNING:
        became_active = today - timedelta(days=DAYS + rng.randint(3, 20))
        steps = PATHS[stage].index(S.ACTIVE) + 2  # prospect, then each step to active
        moments = [became_active - timedelta(days=9 * k) for k in range(steps)]
        if stopped is not None:
            moments.insert(0, stopped)
    else:
        when = today - timedelta(days=rng.randint(2, 20))
        moments = []
        for _ in changes:
            moments.append(when)
            when -= timedelta(days=rng.randint(5, 15))
    for change, day in zip(changes, reversed(moments), strict=True):
        change.at = datetime.combine(day, time(9, 30), tzinfo=UTC)
        session.add(change)
    affiliate.stage_since = changes[-1].at
    session.add(affiliate)
    session.flush()


def _order(
    rng: random.Random,
    program_id: int,
    affiliate: Affiliate,
    link_id: int | None,
    promo_id: int | None,
    day: date,
    today: date,
    spec: DemoProgram,
    key: bytes,
) -> dict[str, Any]:
    amount = rng.randint(spec.aov[0] * 100, spec.aov[1] * 100)
    age = (today - day).days
    roll = rng.random()
    if roll < 0.05:
        status = ConversionStatus.REVERSED
    elif roll < 0.07:
        status = ConversionStatus.HELD
    elif age > 30:
        status = ConversionStatus.APPROVED
    else:
        status = ConversionStatus.PENDING
    refund = 0
    if status is not ConversionStatus.REVERSED and rng.random() < 0.06:
        refund = amount // rng.choice((2, 4, 1))
    via_code = rng.random() < 0.3
    at = datetime.combine(day, time(rng.randint(0, 23), rng.randint(0, 59)), tzinfo=UTC)
    customer = f"customer{rng.randint(1, 5000)}@example.com"
    return {
        "program_id": program_id,
        "order_id": "",
        "affiliate_id": affiliate.id,
        "link_id": None if via_code else link_id,
        "promo_code_id": promo_id if via_code else None,
        "occurred_at": at,
        "amount_minor": amount,
        "refund_minor": refund,
        "currency": spec.currency,
        "status": status,
        "source": rng.choice(SOURCES),
        "customer_hash": customer_hash(key, customer),
        "platform_rate_bp": None,
        "platform_commission_minor": None,
        "created_at": at,
        "updated_at": at,
    }


# ---- money (issue 16) -------------------------------------------------------------------------

# Per program (by currency): tiers (from N, rate), bonuses (at N, amount), a promotion's rate.
MONEY_RULES: dict[str, tuple[tuple[tuple[int, str], ...], tuple[tuple[int, str], ...], str]] = {
    "EUR": (((40, "14%"), (80, "16%")), ((50, "100 EUR"),), "18%"),
    "USD": (((30, "10%"), (60, "12%")), ((40, "75 USD"),), "15%"),
}


def _money(session: Session, made: list[Program], today: date) -> None:
    from talent_tui.services.affiliates import commissions, payouts

    first_day = today - timedelta(days=DAYS)
    rules_from = datetime.combine(first_day - timedelta(days=30), time(9), tzinfo=UTC)
    # The two most recent months whose statements can be built by today.
    month = commissions.month_start(today)
    buildable: list[date] = []
    while month >= commissions.month_start(first_day) and len(buildable) < 2:
        if all(payouts.possible_on(p, month) <= today for p in made):
            buildable.insert(0, month)
        month = (month - timedelta(days=1)).replace(day=1)
    for program in made:
        tiers, bonuses, promo = MONEY_RULES[program.currency]
        for start, rate in tiers:
            commissions.set_tier(session, program, start, rate, ACTOR, now=rules_from)
        for at, amount in bonuses:
            commissions.set_bonus(session, program, at, amount, ACTOR, now=rules_from)
        window = buildable[-1] if buildable else commissions.month_start(today)
        commissions.add_promotion(
            session,
            program,
            promo,
            window.replace(day=10),
            window.replace(day=16),
            ACTOR,
            now=rules_from,
        )
    for index, month in enumerate(buildable):
        for program in made:
            # The older month was built when it could be (and is paid, or overdue); the newer
            # one is built today (open, due in the program's net days).
            older = index == 0 and len(buildable) > 1
            built_on = payouts.possible_on(program, month) if older else today
            result = payouts.build(
                session,
                program,
                month,
                built_on,
                ACTOR,
                now=datetime.combine(built_on, time(9), tzinfo=UTC),
            )
            if older:
                _pay_older(session, program, result.statements, built_on)
    _flagged(session, made, today)


def _pay_older(session: Session, program: Program, built: list[Any], built_on: date) -> None:
    """Pay the older month's statements on time, but for the largest Peak Fuel one (left
    overdue); then the platform reverses one paid order: an adjustment of the next month."""
    from talent_tui.services.affiliates import payouts

    payable = [v for v in built if v.status == "open"]
    if program.currency == "USD" and payable:
        payable.remove(max(payable, key=lambda v: (v.total_minor, v.id)))
    for number, view in enumerate(payable, start=1):
        paid_on = min(view.due_on, built_on + timedelta(days=5))
        payouts.pay(
            session,
            view.id,
            ACTOR,
            today=paid_on,
            paid_on=paid_on,
            reference=f"SEPA-{program.slug[:4].upper()}-{view.month:%Y%m}-{number:03d}",
        )
    if program.currency == "EUR" and payable:
        line = session.exec(
            select(StatementLine)
            .where(StatementLine.statement_id == payable[0].id, StatementLine.kind == "conversion")
            .order_by(StatementLine.id)  # type: ignore[arg-type]
        ).first()
        if line is not None and line.conversion_id is not None:
            conversion = session.get(Conversion, line.conversion_id)
            assert conversion is not None
            payouts.late_change(
                session, program, conversion, ConversionStatus.REVERSED, 0, built_on, ACTOR
            )


def _flagged(session: Session, made: list[Program], today: date) -> None:
    """A few recent orders the review rules hold."""
    from talent_tui.services.affiliates import review

    key = hash_key(session)
    when = datetime.combine(today - timedelta(days=2), time(14, 5), tzinfo=UTC)
    for program in made:
        assert program.id is not None
        active = list(
            session.exec(
                select(Affiliate)
                .where(Affiliate.program_id == program.id, Affiliate.stage == S.ACTIVE)
                .order_by(Affiliate.id)  # type: ignore[arg-type]
            )
        )
        first, second = active[0], active[1]
        prefix = program.slug[:4].upper()
        if program.currency == "EUR":
            first.email = first.code.replace(".", "") + "@example.com"
            session.add(first)
            rows = [
                _flag_order(program, first, f"{prefix}-R001", when, 8900, "Google brand keyword bidding", None),
                _flag_order(program, first, f"{prefix}-R002", when + timedelta(hours=1), 6450, "tiktok", customer_hash(key, first.email)),
                _flag_order(program, second, f"{prefix}-R003", when + timedelta(hours=2), 12000, "blog", None),
            ]  # fmt: skip
            session.add_all(rows)
            session.flush()
            clicked = {rows[2].id or 0: rows[2].occurred_at - timedelta(seconds=4)}
            review.check_conversions(
                session,
                program,
                [r.id for r in rows if r.id is not None],
                today,
                ACTOR,
                click_times=clicked,
            )
        else:
            row = _flag_order(program, first, f"{prefix}-R001", when, 7400, "youtube", None)
            session.add(row)
            session.flush()
            assert second.id is not None
            review.claim_conflict(session, program, row, second.id, today, ACTOR)


def _flag_order(
    program: Program,
    affiliate: Affiliate,
    order_id: str,
    at: datetime,
    amount: int,
    source: str,
    customer: str | None,
) -> Conversion:
    assert program.id is not None and affiliate.id is not None
    return Conversion(
        program_id=program.id,
        order_id=order_id,
        affiliate_id=affiliate.id,
        occurred_at=at,
        amount_minor=amount,
        currency=program.currency,
        status=ConversionStatus.PENDING,
        source=source,
        customer_hash=customer,
        created_at=at,
        updated_at=at,
    )
