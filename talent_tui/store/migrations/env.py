"""Alembic environment: runs against the engine talent already opened (see db.upgrade)."""

import warnings

from alembic import context
from sqlmodel import SQLModel

import talent_tui.store.models  # noqa: F401 - registers the tables on SQLModel.metadata
from talent_tui.store.db import include_object

target_metadata = SQLModel.metadata


def run_migrations_online() -> None:
    # The expression index on lower(name) is created by hand and cannot be reflected; fine.
    warnings.filterwarnings("ignore", message="Skipped unsupported reflection of expression")
    # db.upgrade hands over a connection inside its transaction (holding the write lock);
    # other callers (tests comparing schemas) give the engine.
    given = context.config.attributes.get("connection")
    if given is not None:
        _run(given)
        return
    with context.config.attributes["engine"].begin() as connection:
        _run(connection)


def _run(connection) -> None:  # noqa: ANN001
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=include_object,
    )
    context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("talent migrations run online only")
run_migrations_online()
