"""`talent log …`: calls, e-mails, meetings and notes with a creator or a brand; follow-ups."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from talent_tui.cli import common as cli
from talent_tui.cli.dealkit import read, run, today
from talent_tui.core.fields import MAX_ID
from talent_tui.core.text import printable

log_app = typer.Typer(help="Calls, e-mails, meetings and notes; follow-ups.", no_args_is_help=True)

CreatorOpt = Annotated[str | None, typer.Option("--creator", help="Id or TikTok handle.")]
BrandOpt = Annotated[str | None, typer.Option("--brand", help="Brand id or name.")]


def register(app: typer.Typer) -> None:
    app.add_typer(log_app, name="log")


def _party(session: Any, creator: str | None, brand: str | None) -> tuple[int | None, int | None]:
    from talent_tui.services import brands, roster

    creator_id = roster.find_creator(session, creator).id if creator else None
    brand_id = brands.find_brand(session, brand).id if brand else None
    return creator_id, brand_id


@log_app.command("add")
def log_add(
    kind: Annotated[str, typer.Argument(help="call, email, meeting or note")],
    summary: Annotated[str, typer.Argument(help="What happened.")],
    creator: CreatorOpt = None,
    brand: BrandOpt = None,
    follow_up: Annotated[str | None, typer.Option("--follow-up", help="YYYY-MM-DD")] = None,
) -> None:
    """Log an interaction with a creator or a brand."""
    from talent_tui.services import interactions

    def change(session: Any) -> int:
        kind_value = interactions.parse_kind(kind)
        follow_up_on = interactions.parse_follow_up(follow_up)
        creator_id, brand_id = _party(session, creator, brand)
        item = interactions.log_interaction(
            session, kind_value, summary, today(), cli.actor(), creator_id, brand_id, follow_up_on
        )
        return item.id

    cli.out.print(f"Logged interaction {run(change)}.")


@log_app.command("list")
def log_list(
    creator: CreatorOpt = None, brand: BrandOpt = None, as_json: cli.JsonOpt = False
) -> None:
    """Interactions, newest first."""
    from talent_tui.services import interactions

    def query(session: Any) -> list[Any]:
        return interactions.interactions_of(session, *_party(session, creator, brand))

    items = read(query)
    if as_json:
        cli.print_json(
            [
                {
                    "id": i.id,
                    "kind": i.kind.value,
                    "summary": i.summary,
                    "happened_on": i.happened_on,
                    "follow_up_on": i.follow_up_on,
                    "follow_up_done": i.follow_up_done,
                    "by": i.created_by,
                }
                for i in items
            ]
        )
        return
    table = Table(box=None, header_style="bold")
    for column in ("ID", "Date", "Kind", "Summary", "Follow up"):
        table.add_column(column)
    for i in items:
        follow = "—" if i.follow_up_on is None else str(i.follow_up_on)
        if i.follow_up_done:
            follow += " ✓"
        table.add_row(str(i.id), str(i.happened_on), i.kind.value, printable(i.summary), follow)
    cli.out.print(table)


@log_app.command("done")
def log_done(
    interaction_id: Annotated[int, typer.Argument(help="Interaction id.", min=1, max=MAX_ID)],
) -> None:
    """Mark a follow-up as done."""
    from talent_tui.services import interactions

    run(lambda s: interactions.complete_follow_up(s, interaction_id))
    cli.out.print("Follow-up done.")
