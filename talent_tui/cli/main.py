"""The `talent` command: opens the TUI, or runs a subcommand for scripts.

Human output is Rich tables on stdout; `--json` prints JSON and nothing else on stdout;
errors go to stderr with a non-zero exit code. Every subcommand calls the same services the
TUI uses. The command tree is built by `build_app()`, which registers each group explicitly;
importing a command module changes nothing elsewhere.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from talent_tui.cli import lazy
from talent_tui.cli.common import (
    Options,
    TuiOpener,
    err,
    fail,
    flag,
    open_db,
    options,
    out,
    report_bug,
    set_options,
)

if TYPE_CHECKING:
    from talent_tui.store.db import Database


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
    from talent_tui.core.config import ConfigError, settings

    try:
        settings()  # a bad TALENT_* variable is refused before anything runs
    except ConfigError as exc:
        raise fail(str(exc)) from None
    if as_name is not None:
        from talent_tui.core.fields import FieldError, actor_name

        try:
            as_name = actor_name(as_name)
        except FieldError as exc:
            raise fail(f"--as: {exc}") from None
    set_options(Options(db=db, actor=as_name, open_tui=ctx.obj))
    if ctx.invoked_subcommand is None:
        run_tui(open_db())


def run_tui(database: Database) -> None:
    """Hand over to the TUI the launcher passed to `build_app` (the CLI never imports it)."""
    opener = options().open_tui
    if opener is None:
        raise fail("this build of the command line cannot open the app; use a subcommand")
    from talent_tui.cli.common import acting_name

    opener(database, acting_name())


def demo(
    reset: Annotated[
        bool, flag("--reset", help="Throw the demo database away and rebuild it.")
    ] = False,
    no_open: Annotated[
        bool, flag("--no-open", help="Only load the demo data; print where.")
    ] = False,
) -> None:
    """Open talent on demo data (a separate database; never your real one)."""
    from talent_tui.core import locations
    from talent_tui.io import demo as demo_mod
    from talent_tui.services import roster
    from talent_tui.store import db as dbmod

    target = options().db or dbmod.path_to_url(locations.demo_db_path())
    path = dbmod.sqlite_path(dbmod.resolve_url(target))
    if reset and path is not None:
        _refuse_reset_of_real_data(path)
        for suffix in ("", "-wal", "-shm", "-journal"):
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
        dbmod.mark_demo(database)
        loaded = ", ".join(f"{r.new} {r.kind}" for r in reports)
        err.print(f"Loaded demo data: {loaded}.")
    elif reset:
        raise fail(f"--reset works on SQLite files only; {database.describe()} was not emptied")
    if no_open:
        out.print(f"Demo database: {database.describe()}")
        return
    run_tui(database)


def _refuse_reset_of_real_data(path: Path) -> None:
    """`demo --reset` empties only a database `talent demo` built (or the default demo file)."""
    from talent_tui.core import locations
    from talent_tui.store import db as dbmod

    if not path.exists() or path.stat().st_size == 0:
        return
    if path.resolve() == locations.demo_db_path().resolve() or dbmod.is_demo_file(path):
        return
    raise fail(
        f"{path} is not a demo database (talent demo did not build it); --reset only empties "
        "demo databases. Nothing was changed."
    )


# Every command and group of another module, in the order `talent --help` lists them (Typer
# lists commands before groups): the name, the module whose `register(app)` adds it, and the
# line `talent --help` shows for it, which is the first paragraph of the command's own help
# (tests/test_cli_startup.py checks they agree). The module is imported when the command runs.
COMMANDS = (
    ("import", "transfer", "Import a file, all or nothing. Rows are matched on natural keys, so re-runs are safe."),
    ("export", "transfer", "Export in the exact columns `talent import` reads back."),
    ("fit", "insights", "Who fits this brand best: creators ranked by audience fit (0-100), with the reason."),
    ("metrics", "insights", "A creator's key metrics from the latest snapshot, with growth over 30 and 90 days."),
    ("mediakit", "insights", "A creator's media kit for negotiations: stats, metrics, rates, audience, recent work."),
    ("report", "insights", "Campaigns won and lost, revenue per currency, deliverables on time; commission for management."),
    ("agenda", "agenda", "Everything due, by date, overdue first, with what to do next."),
    ("conflicts", "conflicts", "Exclusivity and usage-rights clashes between each creator's open deals."),
    ("serve-ssh", "serve", "Demos over SSH: every visitor gets the app on a private throwaway copy of the demo data."),
)  # fmt: skip
GROUPS = (
    ("creators", "creators", "List and inspect creators."),
    ("rates", "rates", "A creator's rate card."),
    ("db", "database", "Where the database lives, and its schema."),
    ("brands", "brands", "Brands and their target audiences."),
    ("campaigns", "campaigns", "Campaigns: offers, negotiation, lifecycle."),
    ("deliverables", "deliverables", "What a campaign delivers, and feedback."),
    ("invoices", "invoices", "Invoices per campaign."),
    ("deals", "deals", "Across all deals: what is due."),
    ("log", "log", "Calls, e-mails, meetings and notes; follow-ups."),
    ("programs", "programs", "Affiliate programs of an advertiser."),
    ("affiliates", "affiliates", "Affiliates: pipeline, checklist, KPIs, recruiting."),
    ("links", "affiliate_resources", "Tracking links given to affiliates."),
    ("codes", "affiliate_resources", "Promo codes given to affiliates."),
    ("creatives", "affiliate_resources", "Banners and text links for affiliates."),
    ("conversions", "conversions", "Orders imported from tracking platforms."),
    ("review", "review", "Fraud review: held conversions and decisions."),
    ("payouts", "payouts", "Affiliate statements and payouts."),
    ("clicks", "clicks", "Clicks per day, as imported."),
    ("team", "team", "The managers who share this database (team mode)."),
)


def build_app(open_tui: TuiOpener | None = None) -> typer.Typer:
    """The whole command tree, every group registered here and nowhere else. `open_tui` is
    how `talent` (no subcommand) and `talent demo` open the app: the launcher passes it in,
    so the command line stays independent of the TUI.

    The commands of other modules are registered lazily (`cli.lazy`): `talent --help` lists
    them from the names and lines above, and a command's module is imported only when that
    command runs or shows its own help."""
    app = typer.Typer(
        context_settings={"obj": open_tui},
        # `run` turns an unexpected exception into one line and a log entry, not a traceback.
        pretty_exceptions_enable=False,
        name="talent",
        help="Run a roster of social-media creators: stats, rates, campaigns and money.",
        no_args_is_help=False,
        add_completion=False,
        rich_markup_mode="rich",
    )
    app.callback(invoke_without_command=True)(main_callback)
    app.command("demo")(demo)
    for name, module, help_line in COMMANDS:
        lazy.command(app, name, f"talent_tui.cli.{module}", help_line)
    for name, module, help_line in GROUPS:
        lazy.group(app, name, f"talent_tui.cli.{module}", help_line)
    return app


def run(open_tui: TuiOpener | None = None) -> None:
    """The `talent` executable's body: run the command; a bug (any exception that is not a
    refusal already turned into an exit code) is logged with its traceback and reported in
    one line on stderr with exit code 70 (EX_SOFTWARE), never as a traceback."""
    app = build_app(open_tui)
    try:
        app()
    except Exception as error:  # noqa: BLE001 - the last line of defence, logged in full
        raise SystemExit(report_bug(error)) from None


app = build_app()  # the tree without a TUI: for scripts and tests that drive subcommands
