"""Reading a row to change it: locked until the transaction ends, its values as they are now.

On PostgreSQL `for_change` reads the row with SELECT … FOR UPDATE (and refreshes an object the
session already holds), so a state check made after it (is the offer still open? is the
invoice still unpaid?) cannot be overtaken by another transaction before this one commits:
the other waits, then sees the change. talent's own writers are already one at a time there
(`store.db._on_pg_begin`); the row lock also holds against any other writer. On SQLite a
writer holds the whole database (BEGIN IMMEDIATE), so the row is read as usual. In a session
that does not write (no `Database.writer`), nothing is locked.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlmodel import Session

T = TypeVar("T")


def writing(session: Session) -> bool:
    """Whether the session's transaction is one that writes (`Database.writer`)."""
    bind = session.bind
    if bind is None or not hasattr(bind, "get_execution_options"):
        return False
    return bool(bind.get_execution_options().get("talent_write", False))


def for_change(session: Session, model: type[T], ident: Any) -> T | None:
    """`session.get(model, ident)`, locked for the rest of the transaction when it writes to
    a database that locks rows."""
    bind = session.bind
    if bind is not None and bind.dialect.name != "sqlite" and writing(session):
        return session.get(model, ident, with_for_update=True, populate_existing=True)
    return session.get(model, ident)
