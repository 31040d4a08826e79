"""`talent creators …`: list, add, show, edit, archive, restore and delete creators."""

from __future__ import annotations

import shlex
import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from talent_tui.cli.common import (
    EXIT_INPUT,
    JsonOpt,
    err,
    fail,
    flag,
    open_db,
    out,
    print_json,
    reading,
    refuse,
    resolve_creator,
)
from talent_tui.core.fields import MAX_ID
from talent_tui.core.text import printable
from talent_tui.services.roster import SortKey  # the --sort choices (no ORM: a light import)

if TYPE_CHECKING:
    from talent_tui.store.db import Database
    from talent_tui.store.handle import DatabaseFile

creators_app = typer.Typer(help="List and inspect creators.", no_args_is_help=True)


@creators_app.command("list")
def creators_list(
    search: Annotated[str, typer.Option("--search", "-s", help="Text in the name or handle.")] = "",
    sort: Annotated[
        SortKey, typer.Option("--sort", help="The order of the list.", case_sensitive=False)
    ] = SortKey.NAME,
    niche: Annotated[str | None, typer.Option("--niche", help="Only this niche.")] = None,
    tag: Annotated[str | None, typer.Option("--tag", help="Only creators with this tag.")] = None,
    archived: Annotated[bool, flag("--archived", help="List archived creators instead.")] = False,
    limit: Annotated[
        int | None, typer.Option("--limit", min=1, max=MAX_ID, help="At most this many rows.")
    ] = None,
    everything: Annotated[
        bool,
        flag("--all", help="Team mode: everyone's creators your role may see, not only yours."),
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """List creators (archived ones only with --archived)."""
    from dataclasses import replace

    from talent_tui.cli.common import acting
    from talent_tui.core.money import compact_number
    from talent_tui.services import roster

    query = roster.RosterQuery(search=search, sort=sort, niche=niche, tag=tag, archived=archived)
    with reading() as (database, connection):
        owner, unassigned = acting(connection).owner_filter(everything)
        query = replace(query, manager_id=owner, unassigned=unassigned)
        rows = query.page(connection, 0, limit)
        stored = roster.count_creators(connection) if not rows and not as_json else 0
        contacts = roster.contacts(connection, [r.id for r in rows]) if as_json else {}
    if as_json:
        print_json([_listed(row.as_dict(), contacts[row.id]) for row in rows])
        return
    if not rows:
        _explain_empty(database, stored, filtered=bool(search or niche or tag), archived=archived)
        return
    table = Table(box=None, header_style="bold")
    table.add_column("ID", justify="right")
    table.add_column("Name")
    table.add_column("TikTok")
    table.add_column("Followers", justify="right")
    table.add_column("Eng.", justify="right")
    table.add_column("30d", justify="right")
    table.add_column("Open", justify="right")
    for row in rows:
        rate = f"{row.engagement_rate:.2%}" if row.engagement_rate is not None else "—"
        growth = f"{row.follower_growth_30d:+.1%}" if row.follower_growth_30d is not None else "—"
        table.add_row(
            str(row.id),
            printable(row.name),
            printable(row.tiktok_handle),
            compact_number(row.followers),
            rate,
            growth,
            str(row.open_deals),
        )
    out.print(table)


def _listed(row: dict[str, Any], contact: Any) -> dict[str, Any]:
    """A `creators list --json` row: the roster's columns, then niche, tags, e-mail and the
    commission as a percentage (`commission_pct`: 15.0 for 15%, 12.5 for 12.5%; stored as
    basis points), the same keys and shapes as `creators show --json`."""
    return {
        **row,
        "niche": contact.niche or "",
        "tags": contact.tags,
        "email": contact.email or "",
        "commission_pct": contact.commission_bp / 100,
    }


def _explain_empty(
    database: Database | DatabaseFile, stored: int, *, filtered: bool, archived: bool
) -> None:
    """Say why `creators list` printed nothing, and where the demo roster is if that is why."""
    from talent_tui.core import locations

    if stored and filtered:
        message = "No creators match."
    elif stored:
        message = (
            "No archived creators."
            if archived
            else f"All {stored} creator(s) are archived: talent creators list --archived"
        )
    else:
        message = f"No creators in {database.describe()}."
        demo_path = locations.demo_db_path()
        in_use = database.path
        if demo_path.exists() and (in_use is None or in_use.resolve() != demo_path.resolve()):
            quoted = shlex.quote(str(demo_path))
            message += f"\nThe demo roster is in {demo_path}: talent --db {quoted} creators list"
        elif not demo_path.exists():
            message += " Add some with `talent import creators FILE`, or try `talent demo`."
    err.print(message, markup=False, soft_wrap=True)


# Options shared by `creators add` and `creators edit`; None means "not given".
def _field_options(
    name: str | None,
    tiktok: str | None,
    instagram: str | None,
    youtube: str | None,
    niche: str | None,
    tags: str | None,
    followers: str | None,
    engagement_rate: str | None,
    email: str | None,
    phone: str | None,
    commission: str | None,
    notes: str | None,
) -> dict[str, str]:
    given = {
        "name": name,
        "tiktok_handle": tiktok,
        "instagram_handle": instagram,
        "youtube_handle": youtube,
        "niche": niche,
        "tags": tags,
        "followers": followers,
        "engagement_rate": engagement_rate,
        "email": email,
        "phone": phone,
        "commission_pct": commission,
        "notes": notes,
    }
    return {k: v for k, v in given.items() if v is not None}


NameOpt = Annotated[str | None, typer.Option("--name", help="Display name.")]
TiktokOpt = Annotated[
    str | None,
    typer.Option("--tiktok", help="TikTok handle (@name): letters, digits, _ and ., 2 to 24."),
]
InstagramOpt = Annotated[
    str | None,
    typer.Option("--instagram", help="Instagram handle: letters, digits, _ and ., at most 30."),
]
YoutubeOpt = Annotated[
    str | None,
    typer.Option("--youtube", help="YouTube handle: letters, digits, _, - and ., 3 to 30."),
]
NicheOpt = Annotated[str | None, typer.Option("--niche", help="Niche, e.g. beauty.")]
TagsOpt = Annotated[str | None, typer.Option("--tags", help="Tags separated by ; or ,")]
FollowersOpt = Annotated[str | None, typer.Option("--followers", help="e.g. 12,300")]
EngagementOpt = Annotated[str | None, typer.Option("--engagement-rate", help="4.5% or 0.045")]
EmailOpt = Annotated[str | None, typer.Option("--email")]
PhoneOpt = Annotated[str | None, typer.Option("--phone")]
CommissionOpt = Annotated[str | None, typer.Option("--commission", help="Manager's commission %.")]
NotesOpt = Annotated[str | None, typer.Option("--notes")]


def _invalid(exc: Exception) -> typer.Exit:
    from talent_tui.services.creators import InvalidCreator

    if isinstance(exc, InvalidCreator):
        for field, message in exc.errors.items():
            err.print(
                f"[bold red]error:[/] {escape(f'{field}: {message}')}", markup=True, soft_wrap=True
            )
        return typer.Exit(EXIT_INPUT)
    return refuse(exc)


def _creator_json(session: Any, creator_id: int) -> dict[str, Any]:
    """The JSON of `creators show/add/edit`: a CreatorDetail, optional text as ""."""
    from talent_tui.core.dates import today
    from talent_tui.services import creators

    d = creators.detail(session, creator_id, today())
    p, m = d.profile, d.profile.metrics
    return {
        "id": p.id,
        "name": p.name,
        "tiktok_handle": p.tiktok_handle,
        "instagram_handle": p.instagram_handle or "",
        "youtube_handle": p.youtube_handle or "",
        "niche": p.niche or "",
        "tags": p.tags,
        "followers": d.followers,
        "engagement_rate": d.engagement_rate,
        "email": d.email or "",
        "phone": d.phone or "",
        "commission_pct": d.commission_pct,
        "notes": d.notes,
        "archived_at": d.archived_at.isoformat() if d.archived_at else None,
        "metrics": {
            "captured_on": m.captured_on.isoformat() if m.captured_on else None,
            "followers": m.followers,
            "avg_views": m.avg_views,
            "engagement_rate": m.engagement_rate,
            "follower_growth_30d": m.follower_growth_30d,
        },
        "rates": [
            {
                "deliverable": r.deliverable,
                "amount_minor": r.amount_minor,
                "currency": r.currency,
                "updated_on": r.updated_on.isoformat(),
            }
            for r in p.rates
        ],
        "campaigns": d.campaigns,
        "as_of": d.as_of.isoformat(),
    }


def _print_creator(data: dict[str, Any]) -> None:
    from talent_tui.core.money import format_money

    table = Table.grid(padding=(0, 2))
    table.add_column(style="dim")
    table.add_column()
    table.add_row("Name", printable(data["name"]) + ("  (archived)" if data["archived_at"] else ""))
    for key, label in (
        ("tiktok_handle", "TikTok"),
        ("instagram_handle", "Instagram"),
        ("youtube_handle", "YouTube"),
        ("niche", "Niche"),
        ("email", "Email"),
        ("phone", "Phone"),
    ):
        if data.get(key):
            table.add_row(label, printable(str(data[key])))
    if data["tags"]:
        table.add_row("Tags", printable(", ".join(data["tags"])))
    m = data["metrics"]
    table.add_row("Followers", f"{data['followers']:,}")
    if m["avg_views"] is not None:
        table.add_row("Avg views", f"{m['avg_views']:,}")
    if data["engagement_rate"] is not None:
        table.add_row("Engagement", f"{data['engagement_rate']:.2%}")
    if m["follower_growth_30d"] is not None:
        table.add_row("30-day growth", f"{m['follower_growth_30d']:+.1%}")
    table.add_row("Commission", f"{data['commission_pct']:g}%")
    for rate in data["rates"]:
        table.add_row(
            printable(f"Rate: {rate['deliverable']}"),
            format_money(rate["amount_minor"], rate["currency"]),
        )
    camp = data["campaigns"]
    table.add_row(
        "Campaigns",
        f"{camp['pending']} pending, {camp['active']} active, "
        f"{camp['completed']} completed, {camp['inactive']} inactive",
    )
    if data["notes"]:
        table.add_row("Notes", printable(data["notes"], keep_newlines=True))
    out.print(table)


@creators_app.command("add")
def creators_add(
    name: NameOpt = None,
    tiktok: TiktokOpt = None,
    instagram: InstagramOpt = None,
    youtube: YoutubeOpt = None,
    niche: NicheOpt = None,
    tags: TagsOpt = None,
    followers: FollowersOpt = None,
    engagement_rate: EngagementOpt = None,
    email: EmailOpt = None,
    phone: PhoneOpt = None,
    commission: CommissionOpt = None,
    notes: NotesOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Add a creator (--name and --tiktok are required)."""
    from talent_tui.services import creators

    values = _field_options(
        name,
        tiktok,
        instagram,
        youtube,
        niche,
        tags,
        followers,
        engagement_rate,
        email,
        phone,
        commission,
        notes,
    )
    database = open_db()
    try:
        with database.transaction() as session:
            creator = creators.add_creator(session, values)
            data = _creator_json(session, creator.id)
    except creators.InvalidCreator as exc:
        raise _invalid(exc) from None
    if as_json:
        print_json(data)
    else:
        out.print(
            printable(f"Added {data['name']} ({data['tiktok_handle']}) as creator {data['id']}.")
        )


@creators_app.command("show")
def creators_show(
    creator: Annotated[str, typer.Argument(help="Id or TikTok handle.")],
    as_json: JsonOpt = False,
) -> None:
    """Everything about one creator: profile, latest metrics, rates, campaign counts."""
    database = open_db()
    with database.session() as session:
        data = _creator_json(session, resolve_creator(session, creator))
    if as_json:
        print_json(data)
    else:
        _print_creator(data)


@creators_app.command("edit")
def creators_edit(
    creator: Annotated[str, typer.Argument(help="Id or TikTok handle.")],
    name: NameOpt = None,
    tiktok: TiktokOpt = None,
    instagram: InstagramOpt = None,
    youtube: YoutubeOpt = None,
    niche: NicheOpt = None,
    tags: TagsOpt = None,
    followers: FollowersOpt = None,
    engagement_rate: EngagementOpt = None,
    email: EmailOpt = None,
    phone: PhoneOpt = None,
    commission: CommissionOpt = None,
    notes: NotesOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Change the given fields of a creator (an empty value clears an optional field)."""
    from talent_tui.services import creators

    changes = _field_options(
        name,
        tiktok,
        instagram,
        youtube,
        niche,
        tags,
        followers,
        engagement_rate,
        email,
        phone,
        commission,
        notes,
    )
    if not changes:
        raise fail("nothing to change: give at least one option such as --name")
    database = open_db()
    try:
        with database.transaction() as session:
            creator_id = resolve_creator(session, creator)
            creators.update_fields(session, creator_id, changes)
            data = _creator_json(session, creator_id)
    except creators.InvalidCreator as exc:
        raise _invalid(exc) from None
    if as_json:
        print_json(data)
    else:
        out.print(printable(f"Updated {data['name']} ({data['tiktok_handle']})."))


@creators_app.command("archive")
def creators_archive(creator: Annotated[str, typer.Argument(help="Id or TikTok handle.")]) -> None:
    """Archive a creator: off the roster, kept with all history; `restore` brings it back."""
    from talent_tui.services import creators

    database = open_db()
    with database.transaction() as session:
        archived = creators.archive(session, resolve_creator(session, creator))
        name = archived.name
    out.print(
        printable(f"Archived {name}. Undo with: talent creators restore {archived.tiktok_handle}")
    )


@creators_app.command("restore")
def creators_restore(creator: Annotated[str, typer.Argument(help="Id or TikTok handle.")]) -> None:
    """Bring an archived creator back to the roster."""
    from talent_tui.services import creators

    database = open_db()
    with database.transaction() as session:
        restored = creators.restore(session, resolve_creator(session, creator))
        name = restored.name
    out.print(printable(f"Restored {name}."))


@creators_app.command("delete")
def creators_delete(
    creator: Annotated[str, typer.Argument(help="Id or TikTok handle.")],
    yes: Annotated[bool, flag("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete an archived creator for good, with its metrics, rates and campaigns."""
    from talent_tui.services import creators

    database = open_db()
    try:
        with database.session() as session:
            creator_id = resolve_creator(session, creator)
            summary = creators.deletable(session, creator_id)
    except creators.NotArchived as exc:
        raise fail(str(exc)) from None
    if not yes:
        if not sys.stdin.isatty():
            raise fail("refusing to delete without --yes when not on a terminal")
        typer.confirm(
            f"Delete {printable(summary.name)} with {summary.campaigns} campaign(s) and "
            f"{summary.rates} rate(s)? This cannot be undone",
            abort=True,
            err=True,
        )
    try:
        with database.transaction() as session:
            creators.delete(session, creator_id)
    except creators.NotArchived as exc:  # restored by someone else meanwhile
        raise fail(str(exc)) from None
    out.print(printable(f"Deleted {summary.name}."))


def register(app: typer.Typer) -> None:
    from talent_tui.cli.team import creators_assign  # team mode (issue 17)

    creators_app.command("assign")(creators_assign)
    app.add_typer(creators_app, name="creators")
