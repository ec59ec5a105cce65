"""The store's schema: which Alembic revision a database is at, bringing it to the head, and
the start-up check (one line naming the fix when a database is behind or ahead of this pdbot).

The default SQLite store upgrades itself on first use (nothing to run); a PostgreSQL database
is upgraded by `pdbot db upgrade` only, once per release, by one process.
"""
from __future__ import annotations

import logging
from contextlib import contextmanager
from pathlib import Path

from assistant.store.database import describe, is_sqlite, sqlite_path
from assistant.store.errors import StoreError

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).with_name("migrations")
PG_LOCK_KEY = 20_2020  # pg_advisory_xact_lock key: one upgrade at a time per database


def _config():
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head() -> str:
    """The newest revision this pdbot ships."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_config()).get_current_head()


def known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    return {s.revision for s in ScriptDirectory.from_config(_config()).walk_revisions()}


def current(engine) -> str | None:
    """The revision the database is at; None for a database Alembic has not touched;
    StoreError (one line) when it cannot be reached."""
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy.exc import OperationalError

    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
        raise StoreError(f"Cannot reach the database at {describe(engine)}: {reason}. Check "
                         f"PDBOT_DATABASE_URL and that the server accepts this host.") from None


def upgrade(engine) -> tuple[str | None, str]:
    """Bring the database to the head revision (a store the raw-sqlite3 releases wrote is
    adopted by the first revision, its rows kept); returns (revision before, after)."""
    from alembic import command

    with _exclusive(engine):
        before = current(engine)
        if before != head():
            with engine.begin() as connection:
                if connection.dialect.name == "postgresql":
                    connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({PG_LOCK_KEY})")
                config = _config()
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
    return before, head()


def check(engine) -> None:
    """StoreError, in one line naming the fix, unless the database is at the head revision."""
    at, newest = current(engine), head()
    if at == newest:
        return
    where = describe(engine)
    if at is None:
        raise StoreError(f"The database at {where} has no pdbot tables yet: run "
                         f"`pdbot db upgrade` once (one replica), then start pdbot.")
    if at not in known_revisions():
        raise StoreError(f"The database at {where} is at schema revision {at}, newer than this "
                         f"pdbot knows ({newest}): another replica runs a newer pdbot; upgrade "
                         f"this one too.")
    raise StoreError(f"The database at {where} is at schema revision {at}, older than this "
                     f"pdbot's {newest}: back it up, then run `pdbot db upgrade`.")


def prepare(engine) -> None:
    """Ready the store for use: SQLite upgrades itself; any other database is checked."""
    if is_sqlite(engine):
        before, after = upgrade(engine)
        if before is not None and before != after:  # a fresh store is not news
            log.info("store %s upgraded from schema %s to %s", describe(engine),
                     before or "(none)", after, extra={"event": "store_upgraded"})
        return
    check(engine)


@contextmanager
def _exclusive(engine):
    """SQLite: a file lock beside the database, so two processes starting on one data
    directory do not both upgrade it (PostgreSQL uses an advisory lock instead)."""
    path = sqlite_path(engine)
    if path is None:
        yield
        return
    import fcntl

    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".upgrade-lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
