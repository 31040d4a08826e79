"""The refusals of the affiliate side, each with a message a manager can act on."""

from __future__ import annotations

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
