"""PostgreSQL's refusals of a team member's change, in words (team mode, migration 0009).

A login that may not change a table (a viewer; someone removed from the team) gets
"permission denied"; a manager whose change would touch another manager's rows, or hand one
of theirs to someone else, gets "new row violates row-level security policy". Both are
SQLSTATE 42501. They are refusals, not bugs: `NotPermitted` (a `DatabaseReadOnly`, so work
that only writes when it can, such as expiring overdue offers on open, simply skips it)
says who was refused and why, and that nothing was changed (the transaction rolls back)."""

from __future__ import annotations

import re

import sqlalchemy as sa

from talent_tui.store.sqlitefile import DatabaseReadOnly

INSUFFICIENT_PRIVILEGE = "42501"


class NotPermitted(DatabaseReadOnly):
    """The database refused a change this login may not make."""


def on_postgres_error(context: sa.engine.ExceptionContext) -> None:
    original = context.original_exception
    if getattr(original, "sqlstate", None) != INSUFFICIENT_PRIVILEGE:
        return
    engine = context.engine or (context.connection.engine if context.connection else None)
    who = (engine.url.username if engine is not None else None) or "this login"
    text = str(original)
    table = re.search(r'(?:table|for table) "?([a-z_]+)"?', text)
    where = f" ({table.group(1)})" if table else ""
    if "row-level security" in text:
        message = (
            f"{who} may not make this change{where}: it would touch or hand over a creator or "
            "affiliate of another manager (team mode). Nothing was changed; ask an admin."
        )
    elif (context.statement or "").lstrip().upper().startswith("SELECT"):
        message = (
            f"{who} may not read this database{where}: not on its team (an admin adds people "
            f"with `talent team add {who}`)."
        )
    else:
        message = (
            f"{who} may only read this{where} (a viewer, or no longer on the team). Nothing "
            "was changed."
        )
    raise NotPermitted(message) from original


def listen(engine: sa.Engine) -> None:
    sa.event.listen(engine, "handle_error", on_postgres_error)
