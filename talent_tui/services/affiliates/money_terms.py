"""A program's money rules in force, in one view: base rate, lock and net days, tiers,
promotions, bonuses and fraud thresholds (what the rules editor and `programs rules` show).
Changing them: `commissions` (tiers, promotions, bonuses), `programs.set_money_terms` (base
rate, lock and net days), `review.set_thresholds` (fraud thresholds)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from talent_tui.core import fields, money
from talent_tui.services.affiliates import commissions, review
from talent_tui.services.affiliates.programs import split_list
from talent_tui.store.models import Program


@dataclass(frozen=True)
class MoneyRules:
    """A program's money rules in force: what the rules editor and `programs rules` show."""

    program_id: int
    name: str
    currency: str
    rate_bp: int
    lock_days: int
    net_days: int
    tiers: list[dict[str, object]]
    promotions: list[dict[str, object]]
    bonuses: list[dict[str, object]]
    fraud: dict[str, object]
    forbidden: list[str]  # the forbidden-source rule's terms

    def as_dict(self) -> dict[str, object]:
        return {
            "program": self.name,
            "currency": self.currency,
            "rate_bp": self.rate_bp,
            "lock_days": self.lock_days,
            "net_days": self.net_days,
            "tiers": self.tiers,
            "promotions": self.promotions,
            "bonuses": self.bonuses,
            "fraud": self.fraud | {"forbidden": self.forbidden},
        }

    def lines(self) -> list[str]:
        out = [
            f"{self.name}: base {fields.format_bp(self.rate_bp)} · lock {self.lock_days} d · "
            f"net {self.net_days} d · {self.currency}"
        ]
        for t in self.tiers:
            out.append(f"  tier #{t['id']}: from {t['from']} conversions, {t['rate']}")
        for p in self.promotions:
            out.append(f"  promotion #{p['id']}: {p['rate']} from {p['from']} to {p['to']}")
        for b in self.bonuses:
            out.append(f"  bonus #{b['id']}: {b['amount']} at {b['at']} conversions")
        f = self.fraud
        out.append(
            f"  fraud: outlier {f['outlier_x']}× median (≥ {f['outlier_min_clicks']} clicks), "
            f"spike {f['spike_x']}× ({f['spike_days']} d), too fast ≤ {f['too_fast_s']} s, "
            f"forbidden sources: {'; '.join(self.forbidden) or '(none)'}"
        )
        return out


def money_rules(session: Session, program: Program) -> MoneyRules:
    assert program.id is not None
    ruleset = commissions.rules(session, program)
    return MoneyRules(
        program.id,
        program.name,
        program.currency,
        program.rate_bp,
        program.lock_days,
        program.net_days,
        [
            {
                "id": t.id,
                "from": t.threshold,
                "rate_bp": t.rate_bp,
                "rate": fields.format_bp(t.rate_bp),
            }
            for t in ruleset.tiers
        ],
        [
            {
                "id": p.id,
                "rate_bp": p.rate_bp,
                "rate": fields.format_bp(p.rate_bp),
                "from": p.starts_on.isoformat(),
                "to": p.ends_on.isoformat(),
            }
            for p in ruleset.promotions
        ],
        [
            {
                "id": b.id,
                "at": b.threshold,
                "amount_minor": b.amount_minor,
                "currency": b.currency,
                "amount": money.format_money(b.amount_minor, b.currency),
            }
            for b in ruleset.bonuses
        ],
        review.thresholds(session, program.id).as_dict(),
        split_list(program.forbidden_sources),
    )
