"""The `talent` command: opens the TUI, or runs a subcommand for scripts.

Human output is Rich tables on stdout; `--json` prints JSON and nothing else on stdout;
errors go to stderr with a non-zero exit code. Every subcommand calls the same domain
services the TUI uses.
"""

from __future__ import annotations

import json
import shlex
import sqlite3
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from talent_tui import db as dbmod
from talent_tui import locations

app = typer.Typer(
    name="talent",
    help="Run a roster of social-media creators: stats, rates, campaigns and money.",
    no_args_is_help=False,
    add_completion=False,
    rich_markup_mode="rich",
)
creators_app = typer.Typer(help="List and inspect creators.", no_args_is_help=True)
db_app = typer.Typer(help="Where the database lives, and its schema.", no_args_is_help=True)
rates_app = typer.Typer(help="A creator's rate card.", no_args_is_help=True)
app.add_typer(creators_app, name="creators")
app.add_typer(rates_app, name="rates")
app.add_typer(db_app, name="db")

# markup=False: names and notes people typed ("[/sale]") are printed as written. Styling is
# done with Text objects, or markup=True on a print whose input is escaped.
out = Console(highlight=False, markup=False)
err = Console(stderr=True, highlight=False, markup=False)

EXIT_INPUT = 1  # bad input, not found, invalid file
# 2 is Click's own code for bad usage (unknown option, bad option value).
EXIT_DATABASE = 3  # the database cannot be opened


class State:
    db: str | None = None
    actor: str | None = None


state = State()


def fail(message: str, code: int = EXIT_INPUT) -> typer.Exit:
    err.print(f"[bold red]error:[/] {escape(message)}", markup=True, soft_wrap=True)
    return typer.Exit(code)


def open_db(db: str | None = None) -> dbmod.Database:
    try:
        database = dbmod.open_database(db if db is not None else state.db)
    except dbmod.DatabaseError as exc:
        raise fail(str(exc), EXIT_DATABASE) from None
    if database.backup:
        err.print(
            f"Upgraded the schema to {dbmod.SCHEMA_HEAD}; the old file is kept at {database.backup}"
        )
    expire_offers(database)
    return database


def expire_offers(database: dbmod.Database) -> None:
    """Offers past their respond-by date become expired whenever the database is opened."""
    from talent_tui import deals
    from talent_tui.dates import today

    with database.transaction() as session:
        expired = deals.expire_overdue(session, today())
    if expired:
        ids = ", ".join(f"#{i}" for i in expired[:10]) + (" …" if len(expired) > 10 else "")
        err.print(
            f"{len(expired)} offer(s) passed their respond-by date and expired: {ids} "
            "(see `talent campaigns show ID`)."
        )


def actor() -> str:
    from talent_tui.deals import default_actor

    return state.actor or default_actor()


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


@app.callback(invoke_without_command=True)
def main_callback(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="Database file or SQLAlchemy URL (default: $TALENT_DB, else the user data dir).",
            show_default=False,
        ),
    ] = None,
    as_name: Annotated[
        str | None,
        typer.Option("--as", help="Who is making changes, for the history (default: OS user)."),
    ] = None,
) -> None:
    """Open talent on your database (or run a subcommand)."""
    state.db = db
    state.actor = as_name
    if ctx.invoked_subcommand is None:
        database = open_db()
        run_tui(database)


def run_tui(database: dbmod.Database) -> None:
    from talent_tui.app import TalentApp

    TalentApp(database, actor=state.actor).run()


@app.command()
def demo(
    reset: Annotated[
        bool, typer.Option("--reset", help="Throw the demo database away and rebuild it.")
    ] = False,
    no_open: Annotated[
        bool, typer.Option("--no-open", help="Only load the demo data; print where.")
    ] = False,
) -> None:
    """Open talent on demo data (a separate database; never your real one)."""
    from talent_tui import demo as demo_mod
    from talent_tui import roster

    target = state.db or dbmod.path_to_url(locations.demo_db_path())
    path = dbmod.sqlite_path(dbmod.resolve_url(target))
    if reset and path is not None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    database = open_db(target)
    with database.session() as session:
        empty = roster.count_creators(session) == 0
    if empty:
        with err.status("Loading demo data…"):
            try:
                reports = demo_mod.load_demo(database)
            except Exception as exc:  # noqa: BLE001 - reported, nothing was written
                raise fail(f"could not load the demo data: {exc}") from None
        loaded = ", ".join(f"{r.new} {r.kind}" for r in reports)
        err.print(f"Loaded demo data: {loaded}.")
    elif reset:
        raise fail(f"--reset works on SQLite files only; {database.describe()} was not emptied")
    if no_open:
        out.print(f"Demo database: {database.describe()}")
        return
    run_tui(database)


def _parse_sort(value: str) -> Any:
    from talent_tui.roster import SortKey

    try:
        return SortKey(value.replace("-", "_"))
    except ValueError:
        raise fail(
            f"unknown sort {value!r} (one of: {', '.join(k.value for k in SortKey)})"
        ) from None


@creators_app.command("list")
def creators_list(
    search: Annotated[str, typer.Option("--search", "-s", help="Text in the name or handle.")] = "",
    sort: Annotated[
        str, typer.Option("--sort", help="name, followers, engagement, growth or open_deals")
    ] = "name",
    niche: Annotated[str | None, typer.Option("--niche", help="Only this niche.")] = None,
    tag: Annotated[str | None, typer.Option("--tag", help="Only creators with this tag.")] = None,
    archived: Annotated[
        bool, typer.Option("--archived", help="List archived creators instead.")
    ] = False,
    limit: Annotated[
        int | None, typer.Option("--limit", min=1, help="At most this many rows.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON only.")] = False,
) -> None:
    """List creators (archived ones only with --archived)."""
    from talent_tui import roster
    from talent_tui.money import compact_number

    query = roster.RosterQuery(
        search=search, sort=_parse_sort(sort), niche=niche, tag=tag, archived=archived
    )
    database = open_db()
    with database.session() as session:
        rows = query.page(session, 0, limit)
    if as_json:
        print_json([row.as_dict() for row in rows])
        return
    if not rows:
        with database.session() as session:
            stored = roster.count_creators(session)
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
            row.name,
            row.tiktok_handle,
            compact_number(row.followers),
            rate,
            growth,
            str(row.open_deals),
        )
    out.print(table)


def _explain_empty(
    database: dbmod.Database, stored: int, *, filtered: bool, archived: bool
) -> None:
    """Say why `creators list` printed nothing, and where the demo roster is if that is why."""
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
TiktokOpt = Annotated[str | None, typer.Option("--tiktok", help="TikTok handle (@name).")]
InstagramOpt = Annotated[str | None, typer.Option("--instagram", help="Instagram handle.")]
YoutubeOpt = Annotated[str | None, typer.Option("--youtube", help="YouTube handle.")]
NicheOpt = Annotated[str | None, typer.Option("--niche", help="Niche, e.g. beauty.")]
TagsOpt = Annotated[str | None, typer.Option("--tags", help="Tags separated by ; or ,")]
FollowersOpt = Annotated[str | None, typer.Option("--followers", help="e.g. 12,300")]
EngagementOpt = Annotated[str | None, typer.Option("--engagement-rate", help="4.5% or 0.045")]
EmailOpt = Annotated[str | None, typer.Option("--email")]
PhoneOpt = Annotated[str | None, typer.Option("--phone")]
CommissionOpt = Annotated[str | None, typer.Option("--commission", help="Manager's commission %.")]
NotesOpt = Annotated[str | None, typer.Option("--notes")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON only.")]


def _invalid(exc: Exception) -> typer.Exit:
    from talent_tui.creators import InvalidCreator

    if isinstance(exc, InvalidCreator):
        for field, message in exc.errors.items():
            err.print(
                f"[bold red]error:[/] {escape(f'{field}: {message}')}", markup=True, soft_wrap=True
            )
        return typer.Exit(EXIT_INPUT)
    return fail(str(exc))


def _creator_json(session: Any, creator_id: int) -> dict[str, Any]:
    from talent_tui import campaigns, roster
    from talent_tui.creators import form_values
    from talent_tui.dates import today

    creator = roster.get_creator(session, creator_id)
    profile = roster.profile(session, creator_id)
    m = profile.metrics
    counts = campaigns.tab_counts(session, creator_id)
    return {
        "id": creator.id,
        **form_values(creator),
        "followers": creator.followers,
        "engagement_rate": creator.engagement_rate,
        "commission_pct": creator.commission_bp / 100,
        "tags": profile.tags,
        "archived_at": creator.archived_at.isoformat() if creator.archived_at else None,
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
            for r in profile.rates
        ],
        "campaigns": {tab.value: counts[tab] for tab in counts},
        "as_of": today().isoformat(),
    }


def _resolve(session: Any, ref: str) -> int:
    from talent_tui import roster

    try:
        return roster.find_creator(session, ref).id
    except roster.CreatorNotFound as exc:
        raise fail(str(exc)) from None


def _print_creator(data: dict[str, Any]) -> None:
    from talent_tui.money import format_money

    table = Table.grid(padding=(0, 2))
    table.add_column(style="dim")
    table.add_column()
    table.add_row("Name", data["name"] + ("  (archived)" if data["archived_at"] else ""))
    for key, label in (
        ("tiktok_handle", "TikTok"),
        ("instagram_handle", "Instagram"),
        ("youtube_handle", "YouTube"),
        ("niche", "Niche"),
        ("email", "Email"),
        ("phone", "Phone"),
    ):
        if data.get(key):
            table.add_row(label, str(data[key]))
    if data["tags"]:
        table.add_row("Tags", ", ".join(data["tags"]))
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
            f"Rate: {rate['deliverable']}", format_money(rate["amount_minor"], rate["currency"])
        )
    camp = data["campaigns"]
    table.add_row(
        "Campaigns",
        f"{camp['pending']} pending, {camp['active']} active, "
        f"{camp['completed']} completed, {camp['inactive']} inactive",
    )
    if data["notes"]:
        table.add_row("Notes", data["notes"])
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
    from talent_tui import creators

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
        out.print(f"Added {data['name']} ({data['tiktok_handle']}) as creator {data['id']}.")


@creators_app.command("show")
def creators_show(
    creator: Annotated[str, typer.Argument(help="Id or TikTok handle.")],
    as_json: JsonOpt = False,
) -> None:
    """Everything about one creator: profile, latest metrics, rates, campaign counts."""
    database = open_db()
    with database.session() as session:
        data = _creator_json(session, _resolve(session, creator))
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
    from talent_tui import creators

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
            creator_id = _resolve(session, creator)
            creators.update_fields(session, creator_id, changes)
            data = _creator_json(session, creator_id)
    except creators.InvalidCreator as exc:
        raise _invalid(exc) from None
    if as_json:
        print_json(data)
    else:
        out.print(f"Updated {data['name']} ({data['tiktok_handle']}).")


@creators_app.command("archive")
def creators_archive(creator: Annotated[str, typer.Argument(help="Id or TikTok handle.")]) -> None:
    """Archive a creator: off the roster, kept with all history; `restore` brings it back."""
    from talent_tui import creators

    database = open_db()
    with database.transaction() as session:
        archived = creators.archive(session, _resolve(session, creator))
        name = archived.name
    out.print(f"Archived {name}. Undo with: talent creators restore {archived.tiktok_handle}")


@creators_app.command("restore")
def creators_restore(creator: Annotated[str, typer.Argument(help="Id or TikTok handle.")]) -> None:
    """Bring an archived creator back to the roster."""
    from talent_tui import creators

    database = open_db()
    with database.transaction() as session:
        restored = creators.restore(session, _resolve(session, creator))
        name = restored.name
    out.print(f"Restored {name}.")


@creators_app.command("delete")
def creators_delete(
    creator: Annotated[str, typer.Argument(help="Id or TikTok handle.")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete an archived creator for good, with its metrics, rates and campaigns."""
    from talent_tui import creators

    database = open_db()
    with database.session() as session:
        creator_id = _resolve(session, creator)
        summary = creators.delete_summary(session, creator_id)
        is_archived = creators.resolve(session, str(creator_id)).archived_at is not None
    if not is_archived:
        raise fail(f"{summary.name} is not archived; run `talent creators archive` first")
    if not yes:
        if not sys.stdin.isatty():
            raise fail("refusing to delete without --yes when not on a terminal")
        typer.confirm(
            f"Delete {summary.name} with {summary.campaigns} campaign(s) and "
            f"{summary.rates} rate(s)? This cannot be undone",
            abort=True,
            err=True,
        )
    with database.transaction() as session:
        creators.delete(session, creator_id)
    out.print(f"Deleted {summary.name}.")


@rates_app.command("set")
def rates_set(
    creator: Annotated[str, typer.Argument(help="Id or TikTok handle.")],
    deliverable: Annotated[str, typer.Argument(help="video, live, story, bundle, ugc, ...")],
    amount: Annotated[str, typer.Argument(help='e.g. 1200.50, "1,200.50 USD" or ₩1500000')],
    currency: Annotated[
        str | None, typer.Argument(help="ISO code, unless AMOUNT names one", show_default=False)
    ] = None,
) -> None:
    """Add or change a creator's rate for one deliverable type."""
    from talent_tui import creators
    from talent_tui.money import MoneyError, format_money

    database = open_db()
    try:
        with database.transaction() as session:
            creator_id = _resolve(session, creator)
            rate, created = creators.set_rate(session, creator_id, deliverable, amount, currency)
            text = format_money(rate.amount_minor, rate.currency)
            kind = rate.deliverable
    except (MoneyError, ValueError) as exc:
        raise fail(str(exc)) from None
    out.print(f"{'Added' if created else 'Set'} {kind} rate: {text}.")


@rates_app.command("remove")
def rates_remove(
    creator: Annotated[str, typer.Argument(help="Id or TikTok handle.")],
    deliverable: Annotated[str, typer.Argument(help="The deliverable type to remove.")],
) -> None:
    """Remove a creator's rate for one deliverable type."""
    from talent_tui import creators

    database = open_db()
    with database.transaction() as session:
        removed = creators.remove_rate(session, _resolve(session, creator), deliverable)
    if not removed:
        raise fail(f"no {deliverable!r} rate to remove")
    out.print(f"Removed the {deliverable} rate.")


@rates_app.command("list")
def rates_list(
    creator: Annotated[str, typer.Argument(help="Id or TikTok handle.")],
    as_json: JsonOpt = False,
) -> None:
    """A creator's rate card."""
    from talent_tui import creators
    from talent_tui.money import format_money

    database = open_db()
    with database.session() as session:
        rates = creators.rates_of(session, _resolve(session, creator))
    if as_json:
        print_json(
            [
                {
                    "deliverable": r.deliverable,
                    "amount_minor": r.amount_minor,
                    "currency": r.currency,
                    "updated_at": r.updated_at.isoformat(),
                }
                for r in rates
            ]
        )
        return
    table = Table(box=None, header_style="bold")
    table.add_column("Deliverable")
    table.add_column("Rate", justify="right")
    for r in rates:
        table.add_row(r.deliverable, format_money(r.amount_minor, r.currency))
    out.print(table)


PROGRESS_THRESHOLD = 10_000


@app.command("import")
def import_cmd(
    kind: Annotated[
        str, typer.Argument(help="creators, metrics, demographics, rates, brands or campaigns")
    ],
    file: Annotated[Path, typer.Argument(help="A .csv or .json file.", show_default=False)],
    fmt: Annotated[
        str | None, typer.Option("--format", help="csv or json (default: by extension)")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Validate and report; write nothing.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON only.")] = False,
) -> None:
    """Import a file, all or nothing. Rows are matched on natural keys, so re-runs are safe."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from talent_tui import importers

    if kind not in importers.KINDS:
        raise fail(f"unknown import kind {kind!r} (one of: {', '.join(importers.KINDS)})")
    database = open_db()
    show_progress = not as_json and out.is_terminal
    try:
        rows = importers.read_rows(file, fmt)
        if show_progress and len(rows) > PROGRESS_THRESHOLD:
            columns = (
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
            )
            with Progress(*columns, console=err, transient=True) as progress:
                task = progress.add_task(f"Checking {file.name}", total=len(rows))

                def advance(done: int, total: int) -> None:
                    progress.update(task, completed=done)
                    if done == total:
                        progress.update(task, description="Writing", total=None)

                report = importers.import_source(database, kind, rows, file.name, dry_run, advance)
        else:
            report = importers.import_source(database, kind, rows, file.name, dry_run)
    except importers.ImportFailed as exc:
        if as_json:
            print_json(
                {
                    "ok": False,
                    "errors": [e.as_dict() for e in exc.errors[: importers.MAX_REPORTED_ERRORS]],
                    "total_errors": len(exc.errors),
                }
            )
        raise fail(str(exc)) from None
    if as_json:
        print_json({"ok": True, **report.as_dict()})
        return
    verb = "Would import" if dry_run else "Imported"
    rows_text = "1 row" if report.rows == 1 else f"{report.rows} rows"
    out.print(
        f"{verb} {file.name} ({kind}): {rows_text}, "
        f"{report.new} new, {report.updated} updated, {report.unchanged} unchanged.",
        markup=False,
        soft_wrap=True,
    )


@app.command("export")
def export_cmd(
    kind: Annotated[
        str, typer.Argument(help="creators, metrics, demographics, rates, brands or campaigns")
    ],
    fmt: Annotated[str, typer.Option("--format", "-f", help="csv or json")] = "csv",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")
    ] = None,
) -> None:
    """Export in the exact columns `talent import` reads back."""
    from talent_tui import exporters

    if kind not in exporters.KINDS:
        raise fail(f"unknown export kind {kind!r} (one of: {', '.join(exporters.KINDS)})")
    if fmt not in exporters.FORMATS:
        raise fail(f"unknown format {fmt!r} (csv or json)")
    database = open_db()
    with database.session() as session:
        rows = exporters.export_rows(session, kind, fmt)
    text = exporters.render(kind, rows, fmt)
    if output is None:
        sys.stdout.write(text)
        return
    from talent_tui.reports import write_atomically

    if not output.parent.is_dir():
        raise fail(f"the folder {output.parent} does not exist")
    try:
        write_atomically(output, text)
    except OSError as exc:
        raise fail(f"cannot write {output}: {exc.strerror or exc}") from None
    err.print(f"Wrote {len(rows)} {kind} row(s) to {output}.")


@db_app.command("path")
def db_path() -> None:
    """Print the database in use (after --db and $TALENT_DB)."""
    url = dbmod.resolve_url(state.db)
    path = dbmod.sqlite_path(url)
    out.print(str(path) if path is not None else url, soft_wrap=True)


@db_app.command("migrate")
def db_migrate() -> None:
    """Bring the database schema up to date, after copying the file aside (talent also does
    this by itself when it opens an older database)."""
    try:
        database = dbmod.open_database(state.db, migrate=False)
        before = dbmod.current_revision(database)
        backup = dbmod.upgrade(database)
    except dbmod.DatabaseError as exc:
        raise fail(str(exc), EXIT_DATABASE) from None
    if before == dbmod.SCHEMA_HEAD:
        out.print(f"{database.describe()} is up to date (schema {before}).", soft_wrap=True)
        return
    out.print(
        f"{database.describe()}: schema {before or 'none'} → {dbmod.SCHEMA_HEAD}.", soft_wrap=True
    )
    if backup:
        out.print(f"The previous file is kept at {backup}", soft_wrap=True)


@db_app.command("backup")
def db_backup(
    target: Annotated[
        Path | None, typer.Argument(help="Where to write the copy (default: beside it, dated).")
    ] = None,
) -> None:
    """A consistent copy of the database, safe while talent is open (SQLite's backup API)."""
    from datetime import UTC, datetime

    database = open_db()
    path = database.path
    if path is None:
        raise fail("backups are for SQLite databases; use your database server's tools")
    if target is None:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        target = path.with_name(f"{path.stem}-backup-{stamp}{path.suffix}")
    if target.resolve() == path.resolve():
        raise fail("the backup cannot overwrite the database itself")
    if not target.parent.is_dir():
        raise fail(f"the folder {target.parent} does not exist")
    if target.exists():
        raise fail(f"{target} already exists; choose another name")
    try:
        dbmod.backup_sqlite(database, target)
    except (OSError, sqlite3.Error) as exc:
        raise fail(f"cannot write {target}: {exc}") from None
    out.print(f"Backed up {path} to {target}", soft_wrap=True)


@db_app.command("check")
def db_check(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON only.")] = False,
) -> None:
    """Integrity and foreign-key checks. Exit code 1 when something is wrong."""
    database = open_db()
    report = dbmod.check(database)
    if as_json:
        print_json(
            {"ok": report.ok, "integrity": report.integrity, "foreign_keys": report.foreign_keys}
        )
    else:
        out.print(f"Integrity: {', '.join(report.integrity[:20])}")
        if report.foreign_keys:
            for line in report.foreign_keys[:50]:
                out.print(f"Foreign key: {line}")
        else:
            out.print("Foreign keys: ok")
        out.print(
            "All good." if report.ok else "Problems found: restore a backup (talent db backup)."
        )
    if not report.ok:
        raise typer.Exit(EXIT_INPUT)


def _register_deal_commands() -> None:
    from talent_tui import cli_deals

    cli_deals.register(app)
    from talent_tui import cli_insights

    cli_insights.register(app)


_register_deal_commands()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
