"""Conversions' rules that are not about importing them: the customer e-mail hash, the check
of a platform's commission against its own rate (mismatches), and reading them page by page.

Customer e-mails are never stored: `customer_hash` keeps HMAC-SHA256(key, e-mail in lower
case, trimmed) in hex, with a random 256-bit key made once per database and kept in the
`settings` table (so the same customer gives the same hash within a database — what the
self-referral rule of issue 16 compares — and the hashes mean nothing elsewhere).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from talent_tui.services.affiliates.kpis import BP
from talent_tui.store.models import Affiliate, Conversion, Program, Setting

HASH_KEY_SETTING = "customer_hash_key"
MISMATCH_TOLERANCE_MINOR = 1


def hash_key(session: Session) -> bytes:
    """This database's key for customer e-mail hashes (made on first use)."""
    row = session.get(Setting, HASH_KEY_SETTING)
    if row is None:
        row = Setting(key=HASH_KEY_SETTING, value=secrets.token_hex(32))
        session.add(row)
        session.flush()
    return bytes.fromhex(row.value)


def customer_hash(key: bytes, email: str) -> str:
    """HMAC-SHA256(key, the e-mail trimmed and in lower case), in hex."""
    return hmac.digest(key, email.strip().lower().encode("utf-8"), hashlib.sha256).hex()


@dataclass(frozen=True)
class Mismatch:
    program: str
    order_id: str
    affiliate: str
    amount_minor: int
    refund_minor: int
    currency: str
    rate_bp: int
    expected_minor: int
    actual_minor: int

    @property
    def difference_minor(self) -> int:
        return self.actual_minor - self.expected_minor

    def as_dict(self) -> dict[str, object]:
        return {
            "program": self.program,
            "order_id": self.order_id,
            "affiliate": self.affiliate,
            "amount_minor": self.amount_minor,
            "refund_minor": self.refund_minor,
            "currency": self.currency,
            "commission_rate_bp": self.rate_bp,
            "expected_commission_minor": self.expected_minor,
            "actual_commission_minor": self.actual_minor,
            "difference_minor": self.difference_minor,
        }


def mismatches(
    session: Session, program_id: int | None = None, *, limit: int = 1000, offset: int = 0
) -> list[Mismatch]:
    """Orders whose platform commission differs from (amount − refund) × the platform's rate,
    rounded half up to the minor unit, by more than one minor unit. Found in SQL, paged."""
    net = col(Conversion.amount_minor) - col(Conversion.refund_minor)
    expected = (net * col(Conversion.platform_rate_bp) + BP // 2) // BP
    query = (
        sa.select(
            col(Program.name),
            col(Conversion.order_id),
            col(Affiliate.handle),
            col(Conversion.amount_minor),
            col(Conversion.refund_minor),
            col(Conversion.currency),
            col(Conversion.platform_rate_bp),
            expected,
            col(Conversion.platform_commission_minor),
        )
        .join(Program, col(Program.id) == col(Conversion.program_id))
        .join(Affiliate, col(Affiliate.id) == col(Conversion.affiliate_id))
        .where(
            col(Conversion.platform_rate_bp).is_not(None),
            col(Conversion.platform_commission_minor).is_not(None),
            sa.func.abs(col(Conversion.platform_commission_minor) - expected)
            > MISMATCH_TOLERANCE_MINOR,
        )
        .order_by(col(Conversion.program_id), col(Conversion.occurred_at), col(Conversion.id))
        .limit(limit)
        .offset(offset)
    )
    if program_id is not None:
        query = query.where(col(Conversion.program_id) == program_id)
    return [
        Mismatch(
            program=row[0],
            order_id=row[1],
            affiliate=row[2],
            amount_minor=row[3],
            refund_minor=row[4],
            currency=row[5],
            rate_bp=row[6],
            expected_minor=int(row[7]),
            actual_minor=int(row[8]),
        )
        for row in session.execute(query)
    ]


@dataclass(frozen=True)
class ConversionRow:
    order_id: str
    affiliate: str
    occurred_at: datetime
    amount_minor: int
    refund_minor: int
    currency: str
    status: str
    source: str | None


def page(
    session: Session,
    program_id: int,
    *,
    affiliate_id: int | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[ConversionRow]:
    """One page of a program's conversions, newest first (never the whole table)."""
    query = (
        select(Conversion, Affiliate.handle)
        .join(Affiliate, col(Affiliate.id) == col(Conversion.affiliate_id))
        .where(Conversion.program_id == program_id)
        .order_by(col(Conversion.occurred_at).desc(), col(Conversion.id).desc())
        .limit(limit)
        .offset(offset)
    )
    if affiliate_id is not None:
        query = query.where(Conversion.affiliate_id == affiliate_id)
    return [
        ConversionRow(
            c.order_id,
            handle,
            c.occurred_at,
            c.amount_minor,
            c.refund_minor,
            c.currency,
            c.status.value,
            c.source,
        )
        for c, handle in session.exec(query)
    ]
