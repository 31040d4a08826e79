"""`talent team …`: the managers who share a database (team mode), and `creators assign` /
`affiliates assign` (registered by those groups). The rules are services.team's."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from talent_tui.cli import common as cli
from talent_tui.cli.common import JsonOpt, flag
from talent_tui.core.text import printable

team_app = typer.Typer(
    help="The managers who share this database (team mode).", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    app.add_typer(team_app, name="team")


RoleOpt = Annotated[
    str, typer.Option("--role", help="admin, manager or viewer.", show_default=True)
]


AllOpt = Annotated[
    bool, flag("--all", help="Team mode: everyone's your role may see, not only yours.")
]


def scope(source: object, everything: bool) -> tuple[int | None, bool]:
    """(manager id, with the unassigned) a list keeps, or (None, _): everything (see
    services.team.Acting.owner_filter)."""
    return cli.acting(source).owner_filter(everything)  # type: ignore[no-any-return]


def keep(source: object, table: str, everything: bool) -> set[int] | None:
    """The ids of `table` a list shows, or None for all of them."""
    from talent_tui.services import team

    manager_id, unassigned = scope(source, everything)
    if manager_id is None:
        return None
    return team.owned_ids(source, table, manager_id, unassigned)


def _refused(exc: Exception) -> typer.Exit:
    return cli.fail(str(exc))


@team_app.command("add")
def team_add(
    name: Annotated[str, typer.Argument(help="Their PostgreSQL role (login) name.")],
    role: RoleOpt = "manager",
    take: Annotated[
        bool,
        flag(
            "--take-unassigned",
            help="Make them responsible for every unassigned creator and affiliate too.",
        ),
    ] = False,
) -> None:
    """Add someone to the team, or bring them back.

    On PostgreSQL this creates their login role NAME (or adopts an existing one) and grants
    it what the role needs."""
    from talent_tui.services import team

    try:
        role = team.role_name(role)
    except team.TeamError as exc:
        raise cli.usage(str(exc)) from None
    database = cli.open_db()
    try:
        with database.transaction() as session:
            who = cli.acting(session)
            added = team.add(session, who, name, role)
            taken = team.take_unassigned(session, who, added.name) if take else None
    except team.TeamError as exc:
        raise _refused(exc) from None
    where = " (PostgreSQL role with LOGIN)" if database.path is None else ""
    cli.out.print(f"Added {added.name} as {added.role}{where}.")
    if taken is not None:
        cli.out.print(
            f"{added.name} is now responsible for {taken[0]} creator(s) and {taken[1]} "
            "affiliate(s) that had nobody.",
            soft_wrap=True,
        )


@team_app.command("list")
def team_list(
    removed: Annotated[bool, flag("--removed", help="Include people who left.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """The team: role, and how many creators and affiliates each is responsible for."""
    from talent_tui.services import team

    database = cli.open_db()
    with database.session() as session:
        rows = team.members(session, removed=removed)
    if as_json:
        cli.print_json([row.as_dict() for row in rows])
        return
    if not rows:
        cli.err.print("Nobody on the team yet: talent team add NAME --role admin")
        return
    table = Table(box=None, header_style="bold")
    for column, justify in (
        ("Name", "left"),
        ("Role", "left"),
        ("Creators", "right"),
        ("Affiliates", "right"),
        ("Added", "left"),
    ):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for row in rows:
        added = row.added_at.strftime("%Y-%m-%d")
        role = row.role if row.removed_at is None else f"{row.role} (left)"
        table.add_row(printable(row.name), role, str(row.creators), str(row.affiliates), added)
    cli.out.print(table)


@team_app.command("remove")
def team_remove(
    name: Annotated[str, typer.Argument(help="Who leaves the team.")],
    to: Annotated[
        str | None,
        typer.Option("--to", help="Who takes over their creators and affiliates."),
    ] = None,
) -> None:
    """Take someone off the team (--to OTHER takes over their creators).

    Refused while they are responsible for creators or affiliates, unless --to OTHER takes
    them over, in the same transaction."""
    from talent_tui.services import team

    database = cli.open_db()
    try:
        with database.transaction() as session:
            who = cli.acting(session)
            creators, affiliates = team.remove(session, who, name, to)
    except team.TeamError as exc:
        raise _refused(exc) from None
    moved = f"; {creators} creator(s) and {affiliates} affiliate(s) now {to}'s" if to else ""
    cli.out.print(printable(f"Removed {name} from the team{moved}."))


def creators_assign(
    creator: Annotated[str, typer.Argument(help="Creator id or TikTok handle.")],
    manager: Annotated[str, typer.Argument(help="The team member responsible from now on.")],
) -> None:
    """Make a team member responsible for a creator.

    Their deals, invoices, metrics and rates follow the creator."""
    from talent_tui.services import team

    database = cli.open_db()
    try:
        with database.transaction() as session:
            who = cli.acting(session)
            creator_id = cli.resolve_creator(session, creator)
            previous = team.assign_creator(session, who, creator_id, manager)
    except team.TeamError as exc:
        raise _refused(exc) from None
    was = f" (was {previous})" if previous else " (was unassigned)"
    cli.out.print(printable(f"Creator #{creator_id} is now {manager}'s{was}."))


def affiliates_assign(
    handle: Annotated[str, typer.Argument(help="The affiliate's @handle.")],
    program: Annotated[str, typer.Option("--program", "-p", help="Program name, slug or id.")],
    manager: Annotated[str, typer.Argument(help="The team member responsible from now on.")],
) -> None:
    """Make a team member responsible for an affiliate (its clicks and orders follow)."""
    from talent_tui.core.errors import DomainError
    from talent_tui.services import team
    from talent_tui.services.affiliates import lookup

    database = cli.open_db()
    try:
        with database.transaction() as session:
            who = cli.acting(session)
            chosen = lookup.find_program(session, program)
            assert chosen.id is not None
            found = lookup.find_affiliate(session, chosen.id, handle)
            assert found.id is not None
            previous = team.assign_affiliate(session, who, found.id, manager)
    except DomainError as exc:
        raise _refused(exc) from None
    was = f" (was {previous})" if previous else " (was unassigned)"
    cli.out.print(printable(f"Affiliate {found.handle} is now {manager}'s{was}."))
