"""The refusals of the affiliate side, each with a message a manager can act on."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from talent_tui.core.errors import DomainError


class AffiliateError(DomainError):
    """A refused change or lookup on the affiliate side; `field` names the input at fault."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class ProgramNotFound(AffiliateError, LookupError):
    pass


class AffiliateNotFound(AffiliateError, LookupError):
    pass


class AffiliateErrors(AffiliateError):
    """Several inputs refused at once: `errors` maps each field to its words (without the
    field's name in front); the message names them all, one after another."""

    def __init__(self, refusals: list[AffiliateError]):
        super().__init__("; ".join(str(r) for r in refusals), refusals[0].field)
        self.errors: dict[str, str] = {}
        for r in refusals:
            key = r.field or ""
            self.errors.setdefault(key, str(r).removeprefix(f"{key}: "))


def gather_fields(readers: dict[str, Callable[[], Any]]) -> dict[str, Any]:
    """Each reader run; the values by name, or every refusal at once: the one AffiliateError
    itself, or AffiliateErrors for several."""
    values: dict[str, Any] = {}
    refusals: list[AffiliateError] = []
    for name, read in readers.items():
        try:
            values[name] = read()
        except AffiliateError as exc:
            refusals.append(exc)
    if len(refusals) == 1:
        raise refusals[0]
    if refusals:
        raise AffiliateErrors(refusals)
    return values
