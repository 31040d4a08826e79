"""What every command group shares: the consoles, exit codes, the per-invocation options
(`--db`, `--as`), opening the database, and printing JSON.

The root command's callback sets the invocation's `Options` once, in a context variable
(scoped to the running command, reset by every invocation); `options()` reads them.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

if TYPE_CHECKING:
    from talent_tui.store.db import Database
    from talent_tui.store.handle import DatabaseFile

# markup=False: names and notes people typed ("[/sale]") are printed as written. Styling is
# done with Text objects, or markup=True on a print whose input is escaped.
out = Console(highlight=False, markup=False)
err = Console(stderr=True, highlight=False, markup=False)

EXIT_INPUT = 1  # bad input, not found, invalid file
EXIT_USAGE = 2  # Click's own code for bad usage: an unknown option or a bad option value
EXIT_DATABASE = 3  # the database cannot be opened
EXIT_BUG = 70  # EX_SOFTWARE: something talent did not expect; the traceback is in the log

_T = TypeVar("_T")

# How the launcher opens the app on a database, as the given actor (see talent_tui.launch).
TuiOpener = Callable[["Database", str | None], None]


def flag(*names: str, help: str) -> Any:  # noqa: A002 - Typer's own name for it
    """A plain on/off option. Its --help line shows no value type (Typer would write
    `<bool>` beside it, as if it took a value)."""
    return typer.Option(*names, help=help, metavar="")


JsonOpt = Annotated[bool, flag("--json", help="Print JSON only.")]
# An affiliate command's program: needed only when the database has several (find_program).
ProgramOpt = Annotated[
    str | None,
    typer.Option(
        "--program", "-p", help="Program name, slug or id (needed when there are several)."
    ),
]


@dataclass(frozen=True)
class Options:
    """The root command's options, for the subcommand that runs."""

    db: str | None = None
    actor: str | None = None
    open_tui: TuiOpener | None = None


_options: ContextVar[Options | None] = ContextVar("talent_cli_options", default=None)


def set_options(value: Options) -> None:
    _options.set(value)
    _acting.set(None)


def options() -> Options:
    return _options.get() or Options()


def usage(message: str) -> typer.Exit:
    """A value that is not one of an option's or argument's choices: exit code 2, as Click
    gives for its own choices."""
    return fail(message, EXIT_USAGE)


def choice(option: str, parse: Callable[[str], _T], text: str) -> _T:
    """An option's value read by its rule's own parser; a refusal is a usage error (exit 2)
    naming the option, as Click gives for its own choices."""
    from talent_tui.core.errors import DomainError

    try:
        return parse(text)
    except DomainError as error:
        words = str(error).removeprefix(f"{getattr(error, 'field', None)}: ")
        raise usage(f"{option}: {words}") from None


def fitted_table(
    columns: list[tuple[str, bool]],
    rows: list[tuple[Any, ...]],
    *,
    names: tuple[str, ...],
    title: str | None = None,
) -> Any:  # rich.table.Table
    """A table of one line a row that fits the terminal: the columns (header, right-aligned?)
    not in `names` keep their widest cell whole (figures, dates, states); the `names` columns
    share what is left, the first one first, cut with … (never below 7 characters). On a
    terminal too narrow even for that, each row is a paragraph of `header value` pairs that
    wraps: nothing cut, nothing dropped."""
    from rich.table import Table

    table = Table(box=None, header_style="bold", title=title)
    widest = [
        max([len(header)] + [len(str(row[i])) for row in rows])
        for i, (header, _) in enumerate(columns)
    ]
    fixed = sum(w for (header, _), w in zip(columns, widest, strict=True) if header not in names)
    room = out.width - fixed - 2 * len(columns)
    if room < 7 * len(names):  # too narrow for a table
        from rich.console import Group
        from rich.text import Text

        lines = [Text(title, style="bold")] if title else []
        for row in rows:
            line = Text()
            for (header, _), cell in zip(columns, row, strict=True):
                line.append(" · " if line else "")
                line.append(f"{header} ", style="dim")
                line.append(cell if isinstance(cell, Text) else str(cell))
            lines.append(line)
        return Group(*lines)
    rooms: dict[str, int] = {}
    for k, name in enumerate(names):
        width = widest[[header for header, _ in columns].index(name)]
        rooms[name] = max(7, min(width, room - 7 * (len(names) - k - 1)))
        room -= rooms[name]
    for (header, right), width in zip(columns, widest, strict=True):
        table.add_column(
            header,
            justify="right" if right else "left",
            no_wrap=True,
            min_width=None if header in names else width,
            max_width=rooms.get(header),
        )
    for row in rows:
        table.add_row(*row)
    return table


def fail(message: str, code: int = EXIT_INPUT) -> typer.Exit:
    from talent_tui.core.text import printable

    text = escape(printable(message, keep_newlines=True))
    err.print(f"[bold red]error:[/] {text}", markup=True, soft_wrap=True)
    return typer.Exit(code)


def exit_code_of(exc: BaseException) -> int:
    """3 when the database is the trouble (another talent is writing, the file is read-only
    or cannot be opened), else 1 (bad input: a --db path in a folder that does not exist is
    a typo, not a database problem)."""
    from talent_tui.store.db import DatabaseError, NoSuchFolder

    if isinstance(exc, DatabaseError) and not isinstance(exc, NoSuchFolder):
        return EXIT_DATABASE
    return EXIT_INPUT


def refuse(exc: BaseException) -> typer.Exit:
    """A refusal in its own words, with its exit code (`exit_code_of`)."""
    return fail(str(exc), exit_code_of(exc))


def open_db(db: str | None = None) -> Database:
    from talent_tui.services import deals
    from talent_tui.store import db as dbmod

    try:
        database = dbmod.open_database(db if db is not None else options().db)
    except dbmod.DatabaseError as exc:
        raise refuse(exc) from None
    if database.backup:
        err.print(
            f"Upgraded the schema to {dbmod.SCHEMA_HEAD}; the old file is kept at {database.backup}"
        )
    if database.path is None:  # PostgreSQL: who acts is the login (team mode)
        with database.session() as session:
            acting(session)
    expired = deals.expire_on_open(database)
    if expired:
        ids = ", ".join(f"#{i}" for i in expired[:10]) + (" …" if len(expired) > 10 else "")
        err.print(
            f"{len(expired)} offer(s) passed their respond-by date and expired: {ids} "
            "(see `talent campaigns show ID`)."
        )
    return database


@contextmanager
def reading() -> Iterator[tuple[Database | DatabaseFile, Any]]:
    """A read of the database for a listing: (the database, a connection for the plain-SQL
    reads of `services.roster`). An up-to-date SQLite file with no offer overdue is read at
    once through the stdlib driver, without loading the ORM; anything else is opened as
    `open_db` does (created, upgraded, refused, or its overdue offers expired first)."""
    quick = _quick_file()
    if quick is not None:
        with quick.reading() as connection:
            yield quick, connection
        return
    database = open_db()
    with database.reading() as connection:
        yield database, connection


def _quick_file() -> DatabaseFile | None:
    from talent_tui.core.dates import today
    from talent_tui.services.expiry import overdue_or_unreadable
    from talent_tui.store.handle import current_file

    quick = current_file(options().db)
    if quick is None or overdue_or_unreadable(quick, today()):
        return None
    return quick


def actor() -> str:
    from talent_tui.core.config import settings

    found = _acting.get()
    if found is not None:
        return str(found.name)
    return options().actor or settings().actor


# ---- team mode: who acts (services.team.acting), once per invocation -------------------------
_acting: ContextVar[Any] = ContextVar("talent_cli_acting", default=None)


def acting_name() -> str | None:
    """The acting name once known (PostgreSQL), else `--as` as given (the app decides)."""
    found = _acting.get()
    return str(found.name) if found is not None else options().actor


def acting(source: Any) -> Any:
    """Who acts (a `services.team.Acting`), read through `source` (a session or a plain
    connection) once per invocation: on PostgreSQL the login (`--as` only for admins, else a
    refusal), on SQLite `--as` / TALENT_AS / the OS user."""
    import os

    from talent_tui.core.config import settings
    from talent_tui.services import team

    found = _acting.get()
    if found is None:
        requested = options().actor or (os.environ.get("TALENT_AS") or "").strip() or None
        try:
            found = team.acting(source, requested, settings().actor)
        except team.TeamError as exc:
            raise fail(str(exc)) from None
        _acting.set(found)
    return found


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def resolve_creator(session: Any, ref: str) -> int:
    """A creator's id from an id or a handle; a clear refusal when there is none."""
    from talent_tui.services import roster

    try:
        return roster.find_creator(session, ref).id
    except roster.CreatorNotFound as exc:
        raise fail(str(exc)) from None


def report_bug(error: BaseException) -> int:
    """Log an unexpected exception with its traceback; say so in one line. Returns the exit
    code. A `DomainError` that reached this far is a refusal: its words, exit code 1 (3 for
    the database)."""
    import logging
    import logging.handlers

    from talent_tui.core.errors import DomainError
    from talent_tui.core.locations import log_path

    if isinstance(error, DomainError):
        return refuse(error).exit_code
    where = "the log could not be written"
    try:
        path = log_path()
        logger = logging.getLogger("talent.cli")
        handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=1_000_000, backupCount=3, encoding="utf-8"
        )
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        logger.addHandler(handler)
        try:
            logger.error(
                "command %r failed",
                sys.argv[1:],
                exc_info=(type(error), error, error.__traceback__),
            )
        finally:
            logger.removeHandler(handler)
            handler.close()
        where = f"details are in {path}"
    except OSError:
        pass
    what = f"{type(error).__name__}: {_one_line(str(error))}"
    fail(f"talent hit an unexpected problem ({what}); {where}", EXIT_BUG)
    return EXIT_BUG


BUG_TEXT = 200  # characters of an unexpected error's own words in its one-line message


def _one_line(text: str) -> str:
    """An error's words on one line: its first non-blank line (a database error goes on with
    the whole SQL statement and its parameters, which the log keeps), at most BUG_TEXT
    characters."""
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return first if len(first) <= BUG_TEXT else first[: BUG_TEXT - 1] + "…"
