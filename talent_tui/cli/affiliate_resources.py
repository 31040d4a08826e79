"""`talent links|codes|creatives …`: what affiliates are given (each with add and list)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer
from rich.table import Table

from talent_tui.cli import common as cli
from talent_tui.cli.common import JsonOpt, ProgramOpt
from talent_tui.cli.refusals import refused
from talent_tui.core.text import printable

links_app = typer.Typer(help="Tracking links given to affiliates.", no_args_is_help=True)
codes_app = typer.Typer(help="Promo codes given to affiliates.", no_args_is_help=True)
creatives_app = typer.Typer(help="Banners and text links for affiliates.", no_args_is_help=True)

HandleOpt = Annotated[
    str | None, typer.Option("--affiliate", "-a", help="Only this affiliate's (a handle).")
]


def register(app: typer.Typer) -> None:
    app.add_typer(links_app, name="links")
    app.add_typer(codes_app, name="codes")
    app.add_typer(creatives_app, name="creatives")


def _day(text: str | None, option: str) -> date | None:
    from talent_tui.core.dates import parse_iso_date

    if text is None or not text.strip():
        return None
    try:
        return parse_iso_date(text)
    except ValueError as exc:
        raise cli.fail(f"{option}: {exc}") from None


def _print_given(rows: list, as_json: bool, empty: str) -> None:  # noqa: ANN001
    if as_json:
        cli.print_json([g.as_dict() for g in rows])
        return
    if not rows:
        cli.out.print(empty)
        return
    table = Table("kind", "affiliate", "code / name", "detail")
    for g in rows:
        table.add_row(
            g.kind,
            printable(g.affiliate or "(all)"),
            printable(g.code or str(g.data.get("name") or "")),
            printable(g.detail),
        )
    cli.out.print(table)


@links_app.command("add")
@refused
def links_add(
    handle: Annotated[str, typer.Argument(help="The affiliate's handle.")],
    url: Annotated[str, typer.Argument(help="Where the link leads (http or https).")],
    program: ProgramOpt = None,
    name: Annotated[str | None, typer.Option("--name", help="A label for the link.")] = None,
    code: Annotated[
        str | None, typer.Option("--code", help="Short code (default: handle and a number).")
    ] = None,
) -> None:
    """Give an affiliate a tracking link (UTM parameters added)."""
    from talent_tui.services.affiliates import lookup, resources

    database = cli.open_db()
    with database.transaction() as session:
        chosen = lookup.find_program(session, program)
        assert chosen.id is not None
        affiliate = lookup.find_affiliate(session, chosen.id, handle)
        link = resources.add_link(
            session, chosen, affiliate, url, cli.actor(), name=name, code=code
        )
        line = f"{affiliate.handle}: link {link.code} → {link.url}"
    cli.out.print(printable(line), soft_wrap=True)


@links_app.command("list")
@refused
def links_list(
    program: ProgramOpt = None, affiliate: HandleOpt = None, as_json: JsonOpt = False
) -> None:
    """A program's tracking links."""
    from talent_tui.services.affiliates import lookup, resources

    database = cli.open_db()
    with database.session() as session:
        chosen = lookup.find_program(session, program)
        assert chosen.id is not None
        who = lookup.find_affiliate(session, chosen.id, affiliate).id if affiliate else None
        rows = resources.links(session, chosen.id, who)
    _print_given(rows, as_json, "No links.")


@codes_app.command("add")
@refused
def codes_add(
    handle: Annotated[str, typer.Argument(help="The affiliate's handle.")],
    code: Annotated[str, typer.Argument(help="The promo code (unique in the program, any case).")],
    program: ProgramOpt = None,
    discount: Annotated[str | None, typer.Option("--discount", help="e.g. 10%")] = None,
    valid_from: Annotated[str | None, typer.Option("--from", help="First day, YYYY-MM-DD.")] = None,
    valid_to: Annotated[str | None, typer.Option("--to", help="Last day, YYYY-MM-DD.")] = None,
) -> None:
    """Give an affiliate a promo code."""
    from talent_tui.core.fields import format_bp
    from talent_tui.services.affiliates import lookup, resources

    first, last = _day(valid_from, "--from"), _day(valid_to, "--to")
    database = cli.open_db()
    with database.transaction() as session:
        chosen = lookup.find_program(session, program)
        assert chosen.id is not None
        affiliate = lookup.find_affiliate(session, chosen.id, handle)
        promo = resources.add_code(
            session,
            chosen,
            affiliate,
            code,
            cli.actor(),
            discount=discount,
            valid_from=first,
            valid_to=last,
        )
        off = f" ({format_bp(promo.discount_bp)} off)" if promo.discount_bp is not None else ""
        line = f"{affiliate.handle}: promo code {promo.code}{off}."
    cli.out.print(printable(line))


@codes_app.command("list")
@refused
def codes_list(
    program: ProgramOpt = None, affiliate: HandleOpt = None, as_json: JsonOpt = False
) -> None:
    """A program's promo codes."""
    from talent_tui.services.affiliates import lookup, resources

    database = cli.open_db()
    with database.session() as session:
        chosen = lookup.find_program(session, program)
        assert chosen.id is not None
        who = lookup.find_affiliate(session, chosen.id, affiliate).id if affiliate else None
        rows = resources.codes(session, chosen.id, who)
    _print_given(rows, as_json, "No promo codes.")


@creatives_app.command("add")
@refused
def creatives_add(
    kind: Annotated[str, typer.Option("--kind", help="banner or text")],
    name: Annotated[str, typer.Option("--name", help="What it is called.")],
    program: ProgramOpt = None,
    affiliate: Annotated[
        str | None, typer.Option("--affiliate", "-a", help="Give it to one affiliate (a handle).")
    ] = None,
    size: Annotated[
        str | None, typer.Option("--size", help="A banner's size, e.g. 300x250.")
    ] = None,
    text: Annotated[str | None, typer.Option("--text", help="A text link's text.")] = None,
    path: Annotated[str | None, typer.Option("--path", help="A banner's file or URL.")] = None,
) -> None:
    """Add a banner or text link, program-wide or for one affiliate."""
    from talent_tui.services.affiliates import lookup, resources

    database = cli.open_db()
    with database.transaction() as session:
        chosen = lookup.find_program(session, program)
        assert chosen.id is not None
        who = lookup.find_affiliate(session, chosen.id, affiliate) if affiliate else None
        creative = resources.add_creative(
            session, chosen, kind, name, cli.actor(), affiliate=who, size=size, text=text, path=path
        )
        line = f"Added {creative.kind.value} {creative.name!r}" + (
            f" for {who.handle}." if who is not None else " for the whole program."
        )
    cli.out.print(printable(line))


@creatives_app.command("list")
@refused
def creatives_list(
    program: ProgramOpt = None, affiliate: HandleOpt = None, as_json: JsonOpt = False
) -> None:
    """A program's creatives (with --affiliate: theirs and the program-wide ones)."""
    from talent_tui.services.affiliates import lookup, resources

    database = cli.open_db()
    with database.session() as session:
        chosen = lookup.find_program(session, program)
        assert chosen.id is not None
        who = lookup.find_affiliate(session, chosen.id, affiliate).id if affiliate else None
        rows = resources.creatives(session, chosen.id, who)
    _print_given(rows, as_json, "No creatives.")
