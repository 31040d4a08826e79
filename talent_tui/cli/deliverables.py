"""`talent deliverables …`: add a deliverable, move it along, record feedback."""

from __future__ import annotations

from typing import Annotated

import typer

from talent_tui.cli import common as cli
from talent_tui.cli.dealkit import IdArg, day, run, today
from talent_tui.core.fields import MAX_ID

deliverables_app = typer.Typer(help="What a campaign delivers, and feedback.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(deliverables_app, name="deliverables")


@deliverables_app.command("add")
def deliverables_add(
    campaign_id: IdArg,
    kind: Annotated[str, typer.Argument(help="video, story, live, …")],
    due: Annotated[str | None, typer.Option("--due", help="YYYY-MM-DD")] = None,
) -> None:
    """Add a deliverable to a campaign."""
    from talent_tui.services import deals

    due_on = day(due, "--due")
    item = run(lambda s: deals.add_deliverable(s, campaign_id, kind, due_on, cli.actor()).id)
    cli.out.print(f"Added deliverable {item}.")


@deliverables_app.command("status")
def deliverables_status(
    deliverable_id: Annotated[int, typer.Argument(help="Deliverable id.", min=1, max=MAX_ID)],
    status: Annotated[
        str, typer.Argument(help="draft_submitted, changes_requested, approved or posted")
    ],
    url: Annotated[str, typer.Option("--url", help="The post's URL (for posted).")] = "",
) -> None:
    """Move a deliverable along: planned → draft submitted → (changes requested) → approved →
    posted."""
    from talent_tui.services import deals
    from talent_tui.store.models import DeliverableStatus

    try:
        target = DeliverableStatus(status.replace("-", "_").replace(" ", "_"))
    except ValueError:
        allowed = ", ".join(s.value for s in DeliverableStatus)
        raise cli.usage(f"unknown status {status!r} (one of: {allowed})") from None
    run(lambda s: deals.set_deliverable_status(s, deliverable_id, target, cli.actor(), url))
    cli.out.print(f"Deliverable {deliverable_id}: {target.value}.")


@deliverables_app.command("feedback")
def deliverables_feedback(
    deliverable_id: Annotated[int, typer.Argument(help="Deliverable id.", min=1, max=MAX_ID)],
    text: Annotated[str, typer.Argument(help="What the brand said.")],
    author: Annotated[str, typer.Option("--author", help="Who said it.")] = "brand",
    on: Annotated[str | None, typer.Option("--on", help="YYYY-MM-DD (default today)")] = None,
) -> None:
    """Record a round of creative feedback on a deliverable."""
    from talent_tui.services import deals

    given = day(on, "--on") or today()
    run(lambda s: deals.add_feedback(s, deliverable_id, author, text, given, cli.actor()))
    cli.out.print("Feedback recorded.")
