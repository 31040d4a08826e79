"""PostgreSQL's side of `talent db check` and `talent db backup`.

Check: PostgreSQL keeps its own files consistent, so what can be wrong is the data against the
schema's rules: a constraint added NOT VALID, or rows written while triggers were disabled (a
restore with --disable-triggers, `session_replication_role = replica`) may break a foreign key
or a CHECK. Every foreign key and every CHECK constraint of talent's schema is tested by a
query over the rows (read-only: nothing is validated or changed), and every table's rows are
counted.

Backup: `pg_dump` in its custom format (restore with `pg_restore`), found on PATH or in the
newest /usr/lib/postgresql/*/bin (Debian's layout, not on PATH there). Without it the backup
is refused, saying what to install; the password, if the URL has one, reaches pg_dump through
PGPASSWORD, never its command line.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from talent_tui.store.sqlitefile import DatabaseError

SHOWN_PER_RULE = 20  # row ids listed per broken rule (the count says how many in all)
PG_BIN_GLOB = "/usr/lib/postgresql/*/bin"


@dataclass
class PgCheck:
    constraints: list[str] = field(default_factory=list)  # broken CHECKs, one line each
    foreign_keys: list[str] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)


_FOREIGN_KEYS = """
SELECT c.conname, c.conrelid::regclass::text, c.confrelid::regclass::text,
    array(SELECT a.attname FROM unnest(c.conkey) WITH ORDINALITY AS k(num, ord)
          JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.num ORDER BY k.ord),
    array(SELECT a.attname FROM unnest(c.confkey) WITH ORDINALITY AS k(num, ord)
          JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.num ORDER BY k.ord)
FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
WHERE c.contype = 'f' AND n.nspname = current_schema()
ORDER BY 2, 1
"""

_CHECKS = """
SELECT c.conname, c.conrelid::regclass::text, pg_get_expr(c.conbin, c.conrelid)
FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
WHERE c.contype = 'c' AND n.nspname = current_schema()
ORDER BY 2, 1
"""

_TABLES = """
SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND n.nspname = current_schema() ORDER BY 1
"""


def _sql(
    conn: sa.Connection, statement: str, params: dict[str, str] | None = None
) -> sa.CursorResult:  # type: ignore[type-arg]
    """A statement as written: psycopg reads every % as a placeholder's start, so a literal
    one (a LIKE pattern in a CHECK) is doubled when there are no parameters."""
    if params is None:
        return conn.exec_driver_sql(statement.replace("%", "%%"), {})
    return conn.exec_driver_sql(statement, params)


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _has_id(conn: sa.Connection, table: str) -> bool:
    return bool(
        _sql(
            conn,
            "SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() "
            "AND table_name = %(t)s AND column_name = 'id'",
            {"t": table.strip('"')},
        ).first()
    )


def _broken(conn: sa.Connection, table: str, where: str) -> tuple[int, list[int]]:
    """How many rows of `table` match `where`, and the first few ids."""
    count = _sql(conn, f"SELECT count(*) FROM {table} t WHERE {where}").scalar() or 0
    ids: list[int] = []
    if count and _has_id(conn, table):
        ids = list(
            _sql(
                conn,
                f"SELECT t.id FROM {table} t WHERE {where} ORDER BY t.id LIMIT {SHOWN_PER_RULE}",
            ).scalars()
        )
    return int(count), ids


def _rows(count: int, ids: list[int]) -> str:
    shown = ", ".join(str(i) for i in ids)
    more = f" and {count - len(ids)} more" if count > len(ids) and ids else ""
    noun = "row" if count == 1 else "rows"
    return f"{noun} {shown}{more}" if ids else f"{count} {noun}"


def check(conn: sa.Connection) -> PgCheck:
    """Every foreign key and CHECK constraint tested against the rows, every table counted."""
    report = PgCheck()
    for name, table, parent, columns, parent_columns in _sql(conn, _FOREIGN_KEYS):
        present = " AND ".join(f"t.{_q(c)} IS NOT NULL" for c in columns)
        match = " AND ".join(
            f"p.{_q(pc)} = t.{_q(c)}" for c, pc in zip(columns, parent_columns, strict=True)
        )
        where = f"{present} AND NOT EXISTS (SELECT 1 FROM {parent} p WHERE {match})"
        count, ids = _broken(conn, table, where)
        if count:
            report.foreign_keys.append(
                f"{table} {_rows(count, ids)} {'points' if count == 1 else 'point'} at a "
                f"missing {parent} ({name})"
            )
    for name, table, expression in _sql(conn, _CHECKS):
        count, ids = _broken(conn, table, f"NOT ({expression})")
        if count:
            verb = "breaks" if count == 1 else "break"
            report.constraints.append(f"{table} {_rows(count, ids)} {verb} {name}: {expression}")
    for (table,) in _sql(conn, _TABLES):
        report.rows[table] = int(_sql(conn, f"SELECT count(*) FROM {_q(table)}").scalar() or 0)
    return report


# ---- backup --------------------------------------------------------------------------------


class NoPgDump(DatabaseError):
    """pg_dump is not installed where talent looks for it."""


def is_postgres(url: str) -> bool:
    try:
        return make_url(url).get_backend_name() == "postgresql"
    except sa.exc.ArgumentError:
        return False


def default_dump_name(url: str) -> str:
    """`<database>-backup-<UTC time>.dump`, for the current folder."""
    from datetime import UTC, datetime

    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"{make_url(url).database or 'talent'}-backup-{stamp}.dump"


def pg_dump_path() -> Path | None:
    """pg_dump on PATH, else in the newest /usr/lib/postgresql/*/bin."""
    found = shutil.which("pg_dump")
    if found:
        return Path(found)

    def version(folder: str) -> tuple[int, ...]:
        return tuple(int(p) for p in Path(folder).parent.name.split(".") if p.isdigit())

    for folder in sorted(glob.glob(PG_BIN_GLOB), key=version, reverse=True):
        candidate = Path(folder) / "pg_dump"
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def dump(url: str, target: Path) -> Path:
    """`pg_dump --format=custom` of the database at `url` into `target` (private to the user,
    0600, in place only once complete). Returns the pg_dump used."""
    program = pg_dump_path()
    if program is None:
        raise NoPgDump(
            "pg_dump was not found (not on PATH, not in /usr/lib/postgresql/*/bin), so no "
            "backup was made. Install PostgreSQL's client tools (e.g. apt-get install "
            "postgresql-client) or back the database up with your server's own tools."
        )
    parsed = make_url(url)
    libpq = parsed.set(drivername="postgresql", password=None).render_as_string()
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    tmp = target.with_name(target.name + ".tmp")
    try:
        os.close(os.open(tmp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600))
        done = subprocess.run(
            [str(program), "--format=custom", f"--file={tmp}", f"--dbname={libpq}"],
            capture_output=True,
            text=True,
            env=env,
            timeout=3600,
        )
        if done.returncode != 0:
            reason = (done.stderr or done.stdout).strip() or f"exit code {done.returncode}"
            raise DatabaseError(f"pg_dump failed, no backup was made: {reason}")
        os.chmod(tmp, 0o600)
        os.replace(tmp, target)
    except (OSError, subprocess.SubprocessError) as exc:
        raise DatabaseError(f"cannot write {target}: {exc}") from exc
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
    return program
