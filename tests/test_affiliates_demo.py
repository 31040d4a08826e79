"""The demo's affiliate side: two programs in two currencies, 40 affiliates across every
stage (some of them roster creators), links and codes, three months of clicks and orders
before the demo's today, and the same data on every load."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import select

from talent_tui.services.affiliates import kpis, lookup
from talent_tui.store.models import (
    Affiliate,
    AffiliateStage,
    ClickDay,
    Conversion,
    Program,
    PromoCode,
    TrackingLink,
)
from tests.conftest import TODAY


def test_the_demo_has_two_programs_forty_affiliates_and_three_months_of_activity(demo_db) -> None:  # noqa: ANN001
    with demo_db.session() as s:
        programs = s.exec(select(Program).order_by(Program.id)).all()
        assert [(p.name, p.currency) for p in programs] == [
            ("Lumière Glow Club", "EUR"),
            ("Peak Fuel Athletes", "USD"),
        ]
        affiliates = s.exec(select(Affiliate)).all()
        assert len(affiliates) == 40
        assert {a.stage for a in affiliates} == set(AffiliateStage)
        assert sum(a.creator_id is not None for a in affiliates) >= 10
        earning = [a for a in affiliates if a.stage.value in ("active", "paused", "ended")]
        assert len(s.exec(select(TrackingLink)).all()) == len(earning)
        assert len(s.exec(select(PromoCode)).all()) == len(earning)
        first, last = s.execute(
            sa.select(sa.func.min(ClickDay.day), sa.func.max(ClickDay.day))
        ).one()
        assert (first, last) == (TODAY - timedelta(days=92), TODAY - timedelta(days=1))
        currencies = {c for (c,) in s.execute(sa.select(Conversion.currency).distinct())}
        assert currencies == {"EUR", "USD"}
        assert all(
            c.customer_hash and len(c.customer_hash) == 64
            for c in s.exec(select(Conversion).limit(50))
        )
        # Every active affiliate became active before the first orders.
        program = lookup.find_program(s, "peak-fuel-athletes")
        month = kpis.month_period(TODAY - timedelta(days=15))
        result = kpis.program_kpis(s, program, month)
        assert result.total.conversions > 50 and result.total.clicks > 1000
        assert result.total.previous is not None and result.total.previous.conversions > 50


def test_the_demo_is_the_same_on_every_load(demo_db, tmp_path) -> None:  # noqa: ANN001
    from talent_tui.io import demo
    from talent_tui.store import db as dbmod

    other = dbmod.open_database(str(tmp_path / "again.db"))
    demo.load_demo(other, today=TODAY)

    def totals(database):  # noqa: ANN001, ANN202
        with database.session() as s:
            return s.execute(
                sa.select(
                    sa.func.count(),
                    sa.func.sum(Conversion.amount_minor),
                    sa.func.sum(Conversion.refund_minor),
                )
            ).one(), s.execute(sa.select(sa.func.sum(ClickDay.clicks))).scalar()

    assert totals(other) == totals(demo_db)
    other.dispose()
