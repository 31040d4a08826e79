"""Plain SQL through a DB-API connection: the reads that must not wait for the ORM to load
(see `services.roster`) run through these, on a stdlib `sqlite3` connection, a plain psycopg
connection (`store.handle.DatabaseServer`) or an ORM `Session`'s own connection, with the same
statements every way."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any


def dbapi(source: Any) -> Any:
    """The DB-API connection behind `source`: a stdlib `sqlite3` or a psycopg connection as
    it is, or an ORM `Session`'s own connection (so a read joins the session's transaction)."""
    if isinstance(source, sqlite3.Connection) or type(source).__module__.startswith("psycopg"):
        return source
    return source.connection().connection.driver_connection


def fetch_all(source: Any, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
    """Run one statement written with `?` placeholders; every row as a tuple."""
    connection = dbapi(source)
    if isinstance(connection, sqlite3.Connection):
        return connection.execute(sql, tuple(params)).fetchall()
    cursor = connection.cursor()  # psycopg and friends: %s placeholders
    try:
        cursor.execute(sql.replace("%", "%%").replace("?", "%s"), tuple(params))
        return [tuple(row) for row in cursor.fetchall()]
    finally:
        cursor.close()
