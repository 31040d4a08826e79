"""What the deal command groups (campaigns, deliverables, invoices, deals, log) share beyond
`common`: today's date, reading a date option, the campaign id argument, and running one
change in one transaction with refusals as exit code 1."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any, TypeVar

import typer

from talent_tui.cli import common as cli
from talent_tui.core.fields import MAX_ID

T = TypeVar("T")

IdArg = Annotated[int, typer.Argument(help="Campaign id.", show_default=False, min=1, max=MAX_ID)]


def today() -> date:
    from talent_tui.core.dates import today as local_today

    return local_today()


def day(text: str | None, option: str) -> date | None:
    """A YYYY-MM-DD option, None when not given; a clear refusal naming the option."""
    from talent_tui.core.dates import parse_iso_date

    if text is None:
        return None
    try:
        return parse_iso_date(text)
    except ValueError as exc:
        raise cli.fail(f"{option}: {exc}") from None


def run(change: Callable[[Any], T], *, write: bool = True) -> T:
    """Run `change(session)` in one transaction (or, with write=False, a read-only session);
    a refusal (DomainError) is exit code 1 and nothing is written."""
    from talent_tui.core.errors import DomainError

    database = cli.open_db()
    try:
        with database.transaction() if write else database.session() as session:
            return change(session)
    except DomainError as exc:
        raise cli.refuse(exc) from None


def read(query: Callable[[Any], T]) -> T:
    """Run `query(session)` in a read-only session; a refusal is exit code 1."""
    return run(query, write=False)
