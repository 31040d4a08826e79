"""The TikTok Shop affiliate-orders export, read as conversions (`--profile tiktok-shop`).

Columns: Order ID, Creator Username, Product Name, SKU ID, Quantity, Payment Amount, Currency,
Commission Rate, Actual Commission, Order Status, Order Created Time, Refund Amount.

- The export has a row per order line: a line is stored as order id "ORDER:SKU" (just ORDER
  when the SKU ID is empty), so two lines of one order are two conversions.
- Order Status: Customer Unpaid → skipped (counted, never stored); Pending → pending;
  Settled → approved; Ineligible → reversed; Frozen → held.
- Creator Username is the affiliate's handle (with or without @); Currency must be the
  program's; Payment Amount, Refund Amount and Actual Commission as written, in it.
- Commission Rate ("10%" or 0.1) is kept in basis points with Actual Commission, for
  `talent conversions mismatches`.
- Order Created Time is UTC unless it carries an offset.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from typing import Any

from talent_tui.core import fields
from talent_tui.core.dates import today
from talent_tui.core.fields import FieldError, integer, text_of, timestamp
from talent_tui.io.importers.base import KindSpec, gather
from talent_tui.io.importers.conversions import Skips, checked, money_in, spec_for
from talent_tui.store.models import ConversionStatus, Program

NAME = "tiktok-shop"
COLUMNS = (
    "order id",
    "creator username",
    "product name",
    "sku id",
    "quantity",
    "payment amount",
    "currency",
    "commission rate",
    "actual commission",
    "order status",
    "order created time",
    "refund amount",
)
REQUIRED = (
    "order id",
    "creator username",
    "payment amount",
    "currency",
    "commission rate",
    "actual commission",
    "order status",
    "order created time",
)
SKIPPED = "customer unpaid"
STATUS = {
    "pending": ConversionStatus.PENDING,
    "settled": ConversionStatus.APPROVED,
    "ineligible": ConversionStatus.REVERSED,
    "frozen": ConversionStatus.HELD,
}


def rate_bp(v: Mapping[str, Any], name: str) -> int:
    """The platform's commission rate ("10%", "12.5%", 0.1) in whole basis points."""
    rate = fields.fraction(v, name, required=True)
    assert rate is not None
    bp = rate * 10_000
    if abs(bp - round(bp)) > 1e-6:
        raise FieldError(name, f"finer than 0.01%: {text_of(v, name)}")
    return round(bp)


def _parser(program: Program) -> Callable[[Mapping[str, Any]], dict[str, Any]]:
    currency = program.currency
    numbers = itertools.count()
    window = fields.EventWindow(today())

    def status(v: Mapping[str, Any]) -> ConversionStatus | str:
        text = " ".join(text_of(v, "order status").split()).lower()
        if text == SKIPPED:
            return SKIPPED
        if text not in STATUS:
            known = "Customer Unpaid, Pending, Settled, Ineligible, Frozen"
            raise FieldError(
                "order status", f"unknown status {text_of(v, 'order status')!r} ({known})"
            )
        return STATUS[text]

    def same_currency(v: Mapping[str, Any]) -> str:
        code = fields.currency(v, "currency")
        if code != currency:
            raise FieldError("currency", f"{code}, but the program is in {currency}")
        return code

    def parse(v: Mapping[str, Any]) -> dict[str, Any]:
        first = status(v)
        if first == SKIPPED:
            return {"skip": "Customer Unpaid", "skip_n": next(numbers)}
        data = gather(
            {
                "order": lambda: fields.req_text(v, "order id", fields.MAX_ORDER_ID - 41),
                "sku": lambda: fields.opt_text(v, "sku id", 40),
                "affiliate": lambda: fields.creator_ref(v, "creator username"),
                "product": lambda: fields.opt_text(v, "product name", fields.MAX_LINE),
                "quantity": lambda: integer(v, "quantity", required=False),
                "currency": lambda: same_currency(v),
                "amount_minor": lambda: money_in(v, "payment amount", currency),
                "refund_minor": lambda: money_in(v, "refund amount", currency, required=False),
                "platform_rate_bp": lambda: rate_bp(v, "commission rate"),
                "platform_commission_minor": lambda: money_in(v, "actual commission", currency),
                "occurred_at": lambda: window.check(
                    "order created time", timestamp(v, "order created time")
                ),
            }
        )
        if data["refund_minor"] > data["amount_minor"]:
            raise FieldError("refund amount", "larger than the payment amount")
        order_id = data["order"] + (f":{data['sku']}" if data["sku"] else "")
        return checked(
            {
                "order_id": order_id,
                "affiliate": data["affiliate"],
                "link_code": None,
                "promo_code": None,
                "occurred_at": data["occurred_at"],
                "amount_minor": data["amount_minor"],
                "refund_minor": data["refund_minor"],
                "status": first,
                "source": "tiktok shop",
                "email": None,
                "platform_rate_bp": data["platform_rate_bp"],
                "platform_commission_minor": data["platform_commission_minor"],
            }
        )

    return parse


# The columns the fields a re-import may change are read from: a file without Refund Amount
# leaves a stored order's refund as it is.
GIVEN = {
    "status": "order status",
    "refund_minor": "refund amount",
    "platform_commission_minor": "actual commission",
}


def spec(program: Program, skips: Skips) -> KindSpec:
    return spec_for(program, _parser(program), COLUMNS, REQUIRED, skips, GIVEN)
