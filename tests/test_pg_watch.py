"""An open talent notices another's commits on both stores (issue 17): SQLite through
`PRAGMA data_version`, PostgreSQL through LISTEN/NOTIFY (every writing transaction notifies;
PostgreSQL delivers it at the commit and drops it on a rollback). The main screen asks the
watcher every 2 seconds; here a second connection commits and the watcher sees it."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from talent_tui.screens.main import MainScreen
from talent_tui.store import db as dbmod
from talent_tui.store.models import Creator
from talent_tui.store.watch import ChangeWatcher, PgChangeWatcher, watcher_for
from tests import factories

from .conftest import make_app, screen_text, settle


def seen(watcher: ChangeWatcher, within_s: float = 10.0) -> bool:
    """Whether the watcher reports a change, asking until it does (a notification travels
    over a socket: it may arrive a moment after the commit returns)."""
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        if watcher.changed():
            return True
        time.sleep(0.02)
    return False


@pytest.fixture
def other(database: dbmod.Database) -> Iterator[dbmod.Database]:
    """A second handle on the same database: another manager's talent."""
    handle = dbmod.open_database(database.url)
    yield handle
    handle.dispose()


def test_a_commit_elsewhere_is_seen_and_nothing_else_is(
    database: dbmod.Database, other: dbmod.Database
) -> None:
    watcher = watcher_for(database)
    expected = PgChangeWatcher if database.path is None else ChangeWatcher
    assert type(watcher) is expected
    try:
        assert watcher.changed() is False
        with other.transaction() as s:
            factories.creator(s, name="From elsewhere")
        assert seen(watcher)
        assert watcher.changed() is False  # seen once
        with other.session() as s:  # a read changes nothing
            s.get(Creator, 1)
        with pytest.raises(RuntimeError), other.transaction() as s:  # a rollback neither
            factories.creator(s)
            raise RuntimeError("changed my mind")
        assert not seen(watcher, within_s=0.5)
    finally:
        watcher.close()


def test_a_lost_listening_connection_is_opened_again_and_says_changed(
    pg_url: str,
) -> None:
    db = dbmod.open_database(pg_url)
    watcher = watcher_for(db)
    assert isinstance(watcher, PgChangeWatcher)
    try:
        watcher.listener.close()  # the server restarted, the network dropped…
        assert watcher.changed() is True  # a commit may have been missed: look again
        assert watcher.changed() is False
        with db.transaction() as s:
            factories.creator(s)
        assert seen(watcher)
    finally:
        watcher.close()
        db.dispose()


def test_an_unreachable_server_watches_nothing_and_does_not_fail() -> None:
    watcher = PgChangeWatcher("postgresql+psycopg://nobody@127.0.0.1:1/none")
    assert watcher.changed() is False
    assert watcher.replaced() is False and watcher.gone() is False
    watcher.close()


async def test_the_open_app_on_postgres_shows_another_managers_new_creator(pg_url: str) -> None:
    db = dbmod.open_database(pg_url)
    other = dbmod.open_database(pg_url)
    try:
        with db.transaction() as s:
            factories.creator(s, name="Already here")
        app = make_app(db)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            main = app.screen
            assert isinstance(main, MainScreen)
            assert "Already here" in screen_text(app)
            with other.transaction() as s:  # another manager, another process
                factories.creator(s, name="Added elsewhere")
            for _ in range(100):  # the watcher's tick (every 2 s), until the NOTIFY is in
                main._poll_changes()
                await settle(pilot)
                if "Added elsewhere" in screen_text(app):
                    break
                time.sleep(0.02)
            assert "Added elsewhere" in screen_text(app)
    finally:
        other.dispose()
        db.dispose()
