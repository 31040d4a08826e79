"""`talent brands …`: add, edit, archive and list brands, show one with its target audience,
set a target."""

from __future__ import annotations

import shlex
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from talent_tui.cli import common as cli
from talent_tui.cli.common import JsonOpt
from talent_tui.core.text import printable

brands_app = typer.Typer(help="Brands and their target audiences.", no_args_is_help=True)

BrandArg = Annotated[str, typer.Argument(help="Brand name (any case) or id.")]
ContactOpt = Annotated[str | None, typer.Option("--contact", help="The person you deal with.")]
EmailOpt = Annotated[str | None, typer.Option("--email")]
WebsiteOpt = Annotated[str | None, typer.Option("--website")]
CategoryOpt = Annotated[
    str | None, typer.Option("--category", help="e.g. beauty, fintech (kept in lower case).")
]
NotesOpt = Annotated[str | None, typer.Option("--notes")]
NameOpt = Annotated[str | None, typer.Option("--name", help="A new name (unique, any case).")]

# Option → service field name.
OPTION_OF_FIELD = {
    "name": "--name",
    "contact_name": "--contact",
    "email": "--email",
    "website": "--website",
    "category": "--category",
    "notes": "--notes",
    "gender": "gender",
    "age": "age",
    "country": "country",
}


def register(app: typer.Typer) -> None:
    app.add_typer(brands_app, name="brands")


def brand_or_fail(session: Any, ref: str) -> Any:
    """The brand by id or name (services.brands.find_brand), or exit 1 saying none matches."""
    from talent_tui.services import brands

    try:
        return brands.find_brand(session, ref)
    except LookupError as exc:
        raise cli.fail(f"{exc}; see `talent brands list --archived`") from None


def _invalid(exc: Any, name: str = "--name") -> typer.Exit:
    """InvalidBrand: one line per field, named as the option (or argument) that sets it."""
    options = OPTION_OF_FIELD | {"name": name}
    lines = [f"{options.get(f, f)}: {message}" for f, message in exc.errors.items()]
    return cli.fail("\n".join(lines))


def _brand_json(session: Any, brand: Any) -> dict[str, Any]:
    from talent_tui.services import brands, fit

    row = next(r for r in brands.brand_rows(session, include_archived=True) if r.id == brand.id)
    return row.to_json() | {"notes": brand.notes, "target": fit.brand_target(session, brand.id)}


@brands_app.command("list")
def brands_list(
    search: Annotated[
        str, typer.Option("--search", help="Part of a name, contact, email, website or category.")
    ] = "",
    archived: Annotated[
        bool, typer.Option("--archived", help="Include archived brands (marked).")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Brands by name; archived ones are left out unless --archived."""
    from talent_tui.services import brands

    database = cli.open_db()
    with database.session() as session:
        rows = brands.brand_rows(session, search, include_archived=archived)
    if as_json:
        cli.print_json([r.to_json() for r in rows])
        return
    if not rows:
        cli.err.print("No brands match." if search else "No brands yet: talent brands add NAME")
        return
    table = Table(box=None, header_style="bold")
    for column in ("ID", "Brand", "Category", "Contact", "Campaigns", "Target"):
        table.add_column(column, justify="right" if column in ("ID", "Campaigns") else "left")
    for r in rows:
        name = Text(printable(r.name))
        if r.archived:
            name.append(" (archived)", "dim")
        table.add_row(
            str(r.id),
            name,
            printable(r.category or ""),
            printable(r.contact_name or ""),
            str(r.campaigns),
            ", ".join(r.target) or "—",
        )
    cli.out.print(table)


@brands_app.command("show")
def brands_show(brand: BrandArg, as_json: JsonOpt = False) -> None:
    """A brand, its contact details and its target audience."""
    from talent_tui.services import brands

    database = cli.open_db()
    with database.session() as session:
        data = _brand_json(session, brand_or_fail(session, brand))
    if as_json:
        cli.print_json(data)
        return
    title = Text.assemble((printable(data["name"]), "bold"), f"  #{data['id']}")
    if data["archived"]:
        title.append("  archived", "italic")
    cli.out.print(title)
    table = Table(box=None, show_header=False)
    table.add_column(style="dim")
    table.add_column()
    for key, label in (
        ("category", "Category"),
        ("contact_name", "Contact"),
        ("email", "Email"),
        ("website", "Website"),
    ):
        table.add_row(label, printable(data[key] or "—"))
    table.add_row("Campaigns", str(data["campaigns"]))
    for dimension, distribution in data["target"].items():
        table.add_row(f"Target {dimension}", brands.format_distribution(distribution))
    if not data["target"]:
        table.add_row("Target", "none yet (talent brands target NAME DIMENSION SHARES)")
    if data["notes"]:
        table.add_row("Notes", printable(data["notes"], keep_newlines=True))
    cli.out.print(table)


@brands_app.command("add")
def brands_add(
    name: Annotated[str, typer.Argument(help="The brand's name (unique, any case).")],
    contact: ContactOpt = None,
    email: EmailOpt = None,
    website: WebsiteOpt = None,
    category: CategoryOpt = None,
    notes: NotesOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Add a brand (its target audience: `talent brands target`)."""
    from talent_tui.services import brands

    values = {
        "name": name, "contact_name": contact, "email": email, "website": website,
        "category": category, "notes": notes,
    }  # fmt: skip
    database = cli.open_db()
    try:
        with database.transaction() as session:
            row = brands.add_brand(session, values, cli.actor())
            data = _brand_json(session, row)
    except brands.InvalidBrand as exc:
        raise _invalid(exc, "NAME") from None
    if as_json:
        cli.print_json(data)
    else:
        cli.out.print(printable(f"Added brand {data['id']}: {data['name']}."))


@brands_app.command("edit")
def brands_edit(
    brand: BrandArg,
    name: NameOpt = None,
    contact: ContactOpt = None,
    email: EmailOpt = None,
    website: WebsiteOpt = None,
    category: CategoryOpt = None,
    notes: NotesOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Change the given fields of a brand (an empty value clears an optional field)."""
    from talent_tui.services import brands

    changes = {
        "name": name, "contact_name": contact, "email": email, "website": website,
        "category": category, "notes": notes,
    }  # fmt: skip
    if all(value is None for value in changes.values()):
        raise cli.fail("nothing to change: give at least one option such as --contact")
    database = cli.open_db()
    try:
        with database.transaction() as session:
            row = brand_or_fail(session, brand)
            changed = brands.edit_brand(session, row.id, changes, cli.actor())
            data = _brand_json(session, row)
    except brands.InvalidBrand as exc:
        raise _invalid(exc) from None
    if as_json:
        cli.print_json(data)
    elif changed:
        what = ", ".join(brands.LABELS[f].lower() for f in changed)
        cli.out.print(printable(f"Updated {data['name']} ({what})."))
    else:
        cli.out.print(printable(f"{data['name']}: nothing changed."))


@brands_app.command("archive")
def brands_archive(brand: BrandArg) -> None:
    """Archive a brand: out of lists and new offers, kept with its campaigns and history."""
    from talent_tui.services import brands

    database = cli.open_db()
    with database.transaction() as session:
        row = brand_or_fail(session, brand)
        done = brands.archive_brand(session, row.id, cli.actor())
        name = row.name
    if done:
        cli.out.print(
            printable(f"Archived {name}. Undo with: talent brands unarchive {shlex.quote(name)}")
        )
    else:
        cli.out.print(printable(f"{name} was already archived."))


@brands_app.command("unarchive")
def brands_unarchive(brand: BrandArg) -> None:
    """Bring an archived brand back."""
    from talent_tui.services import brands

    database = cli.open_db()
    with database.transaction() as session:
        row = brand_or_fail(session, brand)
        done = brands.unarchive_brand(session, row.id, cli.actor())
        name = row.name
    cli.out.print(printable(f"Unarchived {name}." if done else f"{name} is not archived."))


@brands_app.command("target")
def brands_target(
    brand: BrandArg,
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
