"""The respond-by rule, written once in SQL: a pending offer whose respond-by date has passed
is overdue (and expires when a front end opens the database, see `deals.expire_on_open`).

Plain SQL so that a front end can ask "is anything overdue?" before the ORM is loaded: the
command line answers a read at once when nothing is, and opens the database fully (which
expires the overdue offers) when something is.
"""

from __future__ import annotations

import sqlite3
from datetime import date
from typing import Any

from talent_tui.store.kinds import Tab, statuses_in
from talent_tui.store.plain import fetch_all

PENDING = tuple(str(status) for status in statuses_in(Tab.PENDING))

# Campaigns whose offer is overdue on the day bound to :today (a `sqlalchemy.text` clause and
# `any_overdue` both use it; the statuses are this code's own enum values, not user input).
OVERDUE_SQL = (
    f"campaigns.status IN ({', '.join(repr(s) for s in PENDING)})"
    " AND campaigns.respond_by IS NOT NULL AND campaigns.respond_by < :today"
)


def any_overdue(source: Any, today: date) -> bool:
    """Whether some pending offer's respond-by date is before `today` (one indexed read)."""
    sql = f"SELECT 1 FROM campaigns WHERE {OVERDUE_SQL.replace(':today', '?')} LIMIT 1"
    return bool(fetch_all(source, sql, (today.isoformat(),)))


def overdue_or_unreadable(handle: Any, today: date) -> bool:
    """Whether a database must be opened fully before it is read: an offer is overdue (it
    expires on open), or the quick read itself fails (the full open says why)."""
    try:
        with handle.reading() as connection:
            return any_overdue(connection, today)
    except sqlite3.Error:
        return True
