"""`talent deliverables …`: add, edit or delete a deliverable, move it along, record
feedback."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from talent_tui.cli import common as cli
from talent_tui.cli.dealkit import IdArg, day, run, today
from talent_tui.core.fields import DELIVERABLE_KINDS, MAX_ID

KINDS = ", ".join(DELIVERABLE_KINDS)
DeliverableId = Annotated[
    int, typer.Argument(help="Deliverable id.", show_default=False, min=1, max=MAX_ID)
]

deliverables_app = typer.Typer(help="What a campaign delivers, and feedback.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(deliverables_app, name="deliverables")


@deliverables_app.command("add")
def deliverables_add(
    campaign_id: IdArg,
    kind: Annotated[str, typer.Argument(help=f"One of: {KINDS} (any case).")],
    due: Annotated[str | None, typer.Option("--due", help="YYYY-MM-DD")] = None,
) -> None:
    """Add a deliverable to a campaign."""
    from talent_tui.services import deals

    due_on = day(due, "--due")
    item = run(lambda s: deals.add_deliverable(s, campaign_id, kind, due_on, cli.actor()).id)
    cli.out.print(f"Added deliverable {item}.")


@deliverables_app.command("edit")
def deliverables_edit(
    deliverable_id: DeliverableId,
    kind: Annotated[
        str | None, typer.Option("--kind", help=f"New kind: {KINDS}.", show_default=False)
    ] = None,
    due: Annotated[
        str | None, typer.Option("--due", help="New due date, YYYY-MM-DD.", show_default=False)
    ] = None,
    clear_due: Annotated[bool, cli.flag("--clear-due", help="Remove the due date.")] = False,
) -> None:
    """Change a deliverable's kind or due date (until it is posted)."""
    from talent_tui.services import deals

    if kind is None and due is None and not clear_due:
        raise cli.usage("nothing to change: give --kind, --due or --clear-due")
    if due is not None and clear_due:
        raise cli.usage("--due and --clear-due contradict each other")
    due_on = day(due, "--due")
    item = run(
        lambda s: deals.edit_deliverable(
            s, deliverable_id, cli.actor(), kind=kind, due_on=due_on, clear_due=clear_due
        )
    )
    due_text = item.due_on.isoformat() if item.due_on else "no due date"
    cli.out.print(f"Deliverable {deliverable_id}: {item.kind}, {due_text}.")


@deliverables_app.command("delete")
def deliverables_delete(
    deliverable_id: DeliverableId,
    yes: Annotated[bool, cli.flag("--yes", "-y", help="Do not ask first.")] = False,
) -> None:
    """Delete a deliverable that is still planned (asks first unless --yes)."""
    from talent_tui.services import deals

    if not yes:
        planned, found = run(lambda s: _describe(s, deliverable_id), write=False)
        if planned:  # else deleting is refused below, with the reason
            if not sys.stdin.isatty():
                raise cli.fail("refusing to delete without --yes when not on a terminal")
            typer.confirm(f"Delete deliverable {deliverable_id} ({found})?", abort=True, err=True)
    run(lambda s: deals.delete_deliverable(s, deliverable_id, cli.actor()))
    cli.out.print(f"Deleted deliverable {deliverable_id}.")


def _describe(session: Any, deliverable_id: int) -> tuple[bool, str]:
    """(still planned, what it is) of a deliverable, for the question before deleting it."""
    from talent_tui.core.text import printable
    from talent_tui.services import deals
    from talent_tui.store.models import DeliverableStatus

    item = deals.get_deliverable(session, deliverable_id)
    due = f", due {item.due_on}" if item.due_on else ""
    return item.status is DeliverableStatus.PLANNED, printable(f"{item.kind}{due}")


@deliverables_app.command("status")
def deliverables_status(
    deliverable_id: DeliverableId,
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
    deliverable_id: DeliverableId,
    text: Annotated[str, typer.Argument(help="What the brand said.")],
    author: Annotated[str, typer.Option("--author", help="Who said it.")] = "brand",
    on: Annotated[str | None, typer.Option("--on", help="YYYY-MM-DD (default today)")] = None,
) -> None:
    """Record a round of creative feedback on a deliverable."""
    from talent_tui.services import deals

    given = day(on, "--on") or today()
    run(lambda s: deals.add_feedback(s, deliverable_id, author, text, given, cli.actor()))
    cli.out.print("Feedback recorded.")
