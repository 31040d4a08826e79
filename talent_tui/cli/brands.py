"""`talent brands …`: list brands, show one with its target audience, set a target."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.text import Text

from talent_tui.cli import common as cli
from talent_tui.cli.common import JsonOpt
from talent_tui.core.text import printable

brands_app = typer.Typer(help="Brands and their target audiences.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(brands_app, name="brands")


def brand_or_fail(session: Any, ref: str) -> Any:
    """The brand by id or name (services.brands.find_brand), or exit 1 saying none matches."""
    from talent_tui.services import brands

    try:
        return brands.find_brand(session, ref)
    except LookupError as exc:
        raise cli.fail(str(exc)) from None


@brands_app.command("list")
def brands_list(as_json: JsonOpt = False) -> None:
    """All brands."""
    from talent_tui.services import brands

    database = cli.open_db()
    with database.session() as session:
        rows = [{"id": b.id, "name": b.name, "email": b.email} for b in brands.list_brands(session)]
    if as_json:
        cli.print_json(rows)
        return
    for r in rows:
        cli.out.print(printable(f"{r['id']:>4}  {r['name']}"))


@brands_app.command("show")
def brands_show(
    brand: Annotated[str, typer.Argument(help="Brand name or id.")], as_json: JsonOpt = False
) -> None:
    """A brand and its target audience."""
    from talent_tui.services import brands, fit

    database = cli.open_db()
    with database.session() as session:
        row = brand_or_fail(session, brand)
        data = {
            "id": row.id,
            "name": row.name,
            "contact_name": row.contact_name,
            "email": row.email,
            "website": row.website,
            "target": fit.brand_target(session, row.id),
        }
    if as_json:
        cli.print_json(data)
        return
    cli.out.print(Text.assemble((printable(data["name"]), "bold"), f"  #{data['id']}"))
    for dimension, distribution in data["target"].items():
        cli.out.print(f"  {dimension}: {brands.format_distribution(distribution)}", highlight=False)
    if not data["target"]:
        cli.out.print("  no target audience yet")


@brands_app.command("target")
def brands_target(
    brand: Annotated[str, typer.Argument(help="Brand name or id.")],
    dimension: Annotated[str, typer.Argument(help="gender, age or country")],
    shares: Annotated[str, typer.Argument(help='e.g. "female=0.6; male=0.4" ("" clears)')],
) -> None:
    """Set one dimension of a brand's target audience (shares sum to 1)."""
    from talent_tui.services import brands
    from talent_tui.store.models import Dimension

    try:
        dim = Dimension(dimension.lower())
    except ValueError:
        raise cli.fail(f"unknown dimension {dimension!r} (gender, age or country)") from None
    try:
        distribution = brands.parse_distribution(dim, shares)
    except brands.InvalidTarget as exc:
        raise cli.fail(f"{dim.value}: {exc}") from None
    database = cli.open_db()
    with database.transaction() as session:
        row = brand_or_fail(session, brand)
        brands.set_target(session, row.id, dim, distribution, cli.actor())
        name = row.name
    if distribution:
        cli.out.print(printable(f"{name}: {dim.value} target set."))
    else:
        cli.out.print(
            printable(f"{name}: {dim.value} target cleared (fit ignores {dim.value} now).")
        )
