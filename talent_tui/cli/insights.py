"""`talent fit`, `talent metrics`, `talent mediakit`, `talent report`: what the roster's data
says (fit for a brand, key metrics, a media kit, a report)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer
from rich.table import Table

from talent_tui.cli import common as cli
from talent_tui.cli.brands import brand_or_fail
from talent_tui.cli.common import JsonOpt
from talent_tui.core.fields import MAX_ID
from talent_tui.core.shares import format_share
from talent_tui.core.text import printable

if TYPE_CHECKING:
    from talent_tui.store.db import Database

# The choices of `report` and `mediakit` (io.render.REPORT_FORMATS, MEDIA_KIT_FORMATS; a test
# keeps them equal: naming them here keeps --help from loading the renderers).
ReportKind = Literal["creator", "brand", "period", "management"]
ReportFormat = Literal["md", "csv", "html"]
MediaKitFormat = Literal["md", "html"]


def register(app: typer.Typer) -> None:
    app.command("fit")(fit_cmd)
    app.command("metrics")(metrics_cmd)
    app.command("mediakit")(mediakit_cmd)
    app.command("report")(report_cmd)


def _creator(session: Any, ref: str) -> Any:
    from talent_tui.services import roster

    try:
        return roster.find_creator(session, ref)
    except roster.CreatorNotFound as exc:
        raise cli.fail(str(exc)) from None


def fit_cmd(
    brand: Annotated[str, typer.Argument(help="Brand name or id.")],
    limit: Annotated[
        int | None, typer.Option("--limit", min=1, max=MAX_ID, help="At most N creators.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Who fits this brand best: creators ranked by audience fit (0-100), with the reason."""
    from talent_tui.services import fit

    database = cli.open_db()
    with database.session() as session:
        row = brand_or_fail(session, brand)
        ranked = fit.rank_for_brand(session, row.id, limit)
    if as_json:
        cli.print_json(
            [
                {
                    "id": r.creator_id,
                    "name": r.name,
                    "tiktok_handle": r.tiktok_handle,
                    "followers": r.followers,
                    "fit": r.fit.score,
                    "reason": r.fit.reason,
                    "dimensions": {d.dimension: round(d.overlap, 4) for d in r.fit.dimensions},
                }
                for r in ranked
            ]
        )
        return
    if not ranked:
        cli.err.print(
            f"No fit to show: {printable(row.name)} has no target audience, or no creator has demographics."
        )
        return
    table = Table(box=None, header_style="bold")
    for column in ("Fit", "Creator", "TikTok", "Why"):
        table.add_column(column, justify="right" if column == "Fit" else "left")
    for r in ranked:
        table.add_row(
            str(r.fit.score), printable(r.name), printable(r.tiktok_handle), printable(r.fit.reason)
        )
    cli.out.print(table)


def metrics_cmd(
    creator: Annotated[str, typer.Argument(help="Id or TikTok handle.")], as_json: JsonOpt = False
) -> None:
    """A creator's key metrics from the latest snapshot, with growth over 30 and 90 days."""
    from dataclasses import asdict

    from talent_tui.services import roster

    database = cli.open_db()
    with database.session() as session:
        row = _creator(session, creator)
        m = roster.profile(session, row.id).metrics
    data = asdict(m)
    data.pop("followers_trend")
    if as_json:
        cli.print_json({"id": row.id, "tiktok_handle": row.tiktok_handle, **data})
        return
    table = Table.grid(padding=(0, 2))
    table.add_column(style="dim")
    table.add_column(justify="right")
    for key, value in data.items():
        if isinstance(value, dict):
            value = " / ".join(f"{k} {format_share(v)}" for k, v in value.items())
        elif isinstance(value, float):
            value = f"{value:+.1%}" if "growth" in key else f"{value:.2%}"
        table.add_row(key.replace("_", " "), "—" if value is None else str(value))
    cli.out.print(table)


def _write(output: Path | None, text: str, database: Database) -> None:
    """Print `text`, or write it to `output`; a CSV report (`render.CsvTables`) is one file
    per table, named after `output` (`render.output_files`), each checked before any is
    written."""
    from talent_tui.io import render
    from talent_tui.io.files import OutputPathError, check_output_path, write_atomically

    if output is None:
        if isinstance(text, render.CsvTables):
            names = " and ".join(f"FILE-{name}.csv" for name in text.tables)
            raise cli.usage(f"a CSV report is one file per table: give -o FILE (writes {names})")
        import sys

        sys.stdout.write(printable(text, keep_newlines=True))
        return
    files = render.output_files(output, text)
    try:
        targets = [(check_output_path(path, database.path), body) for path, body in files]
    except OutputPathError as exc:
        raise cli.fail(str(exc)) from None
    for (target, body), (path, _) in zip(targets, files, strict=True):
        try:
            write_atomically(target, body)
        except OSError as exc:
            raise cli.fail(f"cannot write {path}: {exc.strerror or exc}") from None
        cli.err.print(printable(f"Wrote {path}."), soft_wrap=True)


def mediakit_cmd(
    creator: Annotated[str, typer.Argument(help="Id or TikTok handle.")],
    fmt: Annotated[MediaKitFormat, typer.Option("--format", "-f")] = "md",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write.")] = None,
) -> None:
    """A creator's media kit for negotiations: stats, metrics, rates, audience, recent work."""
    from talent_tui.core.dates import today
    from talent_tui.io import render
    from talent_tui.services import reports

    database = cli.open_db()
    with database.session() as session:
        kit = reports.media_kit(session, _creator(session, creator).id, today())
    _write(output, render.media_kit(kit, fmt), database)


def report_cmd(
    kind: Annotated[
        ReportKind,
        typer.Argument(
            help="brand: for the advertiser; period and management: everyone's campaigns, "
            "management with the manager's commission",
            show_default=False,
        ),
    ],
    subject: Annotated[
        str | None, typer.Argument(help="Creator id/handle or brand name (creator, brand)")
    ] = None,
    since: Annotated[str | None, typer.Option("--from", help="YYYY-MM-DD")] = None,
    until: Annotated[str | None, typer.Option("--to", help="YYYY-MM-DD")] = None,
    fmt: Annotated[ReportFormat, typer.Option("--format", "-f", help="csv needs -o")] = "md",
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="File to write (csv: FILE-summary.csv and FILE-campaigns.csv)."
        ),
    ] = None,
) -> None:
    """Campaigns won and lost, revenue per currency, deliverables on time; commission for management.

    A brand report goes to the advertiser: only the management report shows the manager's
    commission. A CSV report is one file per table (-o FILE writes FILE-summary.csv and
    FILE-campaigns.csv)."""
    from talent_tui.core.dates import parse_iso_date, today
    from talent_tui.io import render
    from talent_tui.services import reports

    if kind in ("period", "management") and subject:
        raise cli.usage(f"a {kind} report covers everyone: give --from/--to, not {subject!r}")
    if kind in ("creator", "brand") and not subject:
        raise cli.fail(f"a {kind} report needs the {kind}")
    try:
        start = parse_iso_date(since) if since else None
        end = parse_iso_date(until) if until else None
    except ValueError as exc:
        raise cli.fail(str(exc)) from None
    database = cli.open_db()
    with database.session() as session:
        creator_id = brand_id = None
        if kind == "creator":
            creator_id = _creator(session, subject).id
        elif kind == "brand":
            brand_id = brand_or_fail(session, subject).id
        try:
            report = reports.build_report(
                session, today(), creator_id=creator_id, brand_id=brand_id, start=start, end=end,
                management=kind == "management",
            )  # fmt: skip
        except reports.InvalidPeriod as exc:
            raise cli.fail(str(exc)) from None
    _write(output, render.report(report, fmt), database)
