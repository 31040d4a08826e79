"""`talent conflicts`: exclusivity and usage-rights clashes between a creator's open deals; and
what `campaigns accept` and `campaigns counter` share: a change that the conflict check may
stop, shown the conflicts and gone ahead with `--yes` or an answer at the terminal."""

from __future__ import annotations

import sys
from collections.abc import Callable, Collection
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.text import Text

from talent_tui.cli import common as cli
from talent_tui.cli.dealkit import read
from talent_tui.core.text import printable

if TYPE_CHECKING:
    from talent_tui.services.deals.conflicts import Conflict

T = TypeVar("T")

YesOpt = Annotated[
    bool, typer.Option("--yes", "-y", help="Go ahead even when the conflict check finds clashes.")
]


def register(app: typer.Typer) -> None:
    app.command("conflicts")(conflicts_cmd)


def conflicts_cmd(
    creator: Annotated[
        str | None, typer.Argument(help="Id or TikTok handle (default: every creator).")
    ] = None,
    as_json: cli.JsonOpt = False,
) -> None:
    """Exclusivity and usage-rights clashes between each creator's open deals.

    Overlapping exclusivities in one category, a deal inside another's exclusivity, a brand's
    usage rights running into another's exclusivity, and a brand's version stretching usage
    beyond any earlier one."""
    from talent_tui.services.deals import conflicts

    def query(session: Any) -> list[Conflict]:
        creator_id = cli.resolve_creator(session, creator) if creator is not None else None
        return conflicts.open_conflicts(session, creator_id)

    found = read(query)
    if as_json:
        cli.print_json([c.to_json() for c in found])
        return
    if not found:
        cli.err.print("No conflicts between open deals.")
        return
    show(found, cli.out)


def show(found: Collection[Conflict], console: Any) -> None:
    """The conflicts, creator by creator, one line each."""
    creator = None
    for c in found:
        if c.creator_id != creator:
            creator = c.creator_id
            console.print(Text(printable(c.creator), style="bold"))
        console.print(
            Text.assemble("  ", (c.kind.replace("-", " "), "yellow"), "  ", printable(c.message))
        )


def checked(change: Callable[[Any, bool, Collection[Conflict]], T], yes: bool) -> T:
    """Run `change(session, go_ahead, seen)` in one transaction; with `yes` (`--yes`) it goes
    ahead whatever the conflict check finds. Otherwise, when the check stops it (nothing is
    written), show the conflicts, and after a yes at a terminal run it again having seen them
    (a clash found meanwhile asks again); without a terminal, exit 1. Other refusals exit 1
    as always."""
    from talent_tui.core.errors import DomainError
    from talent_tui.services.deals.conflicts import ConflictsFound

    database = cli.open_db()
    seen: Collection[Conflict] = ()
    while True:
        try:
            with database.transaction() as session:
                return change(session, yes, seen)
        except ConflictsFound as stopped:
            cli.err.print(Text("This clashes with the creator's other deals:", style="bold red"))
            show(stopped.conflicts, cli.err)
            if not interactive():
                raise cli.fail(
                    "nothing was changed; --yes goes ahead despite the conflicts"
                ) from None
            if not typer.confirm("Go ahead anyway?", default=False, err=True):
                raise cli.fail("nothing was changed") from None
            seen = stopped.conflicts
        except DomainError as exc:
            raise cli.refuse(exc) from None


def interactive() -> bool:
    """Whether someone at a terminal can answer a question."""
    return sys.stdin.isatty()


def went_ahead(found: Collection[Conflict]) -> None:
    """After a change made despite conflicts (`--yes`): say which, on stderr."""
    if found:
        cli.err.print(Text(f"Done despite {len(found)} conflict(s):", style="yellow"))
        show(found, cli.err)
