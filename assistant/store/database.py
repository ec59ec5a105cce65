"""Where the store lives and how to reach it: a URL from the settings, an engine per URL.

SQLite (the default, `feedback.sqlite3` in the data directory) gets write-ahead logging,
synchronous commits, a 30 s wait for another process's lock and secure deletion on every
connection; PostgreSQL (PDBOT_DATABASE_URL, driver psycopg 3) gets a small pool.
"""
from __future__ import annotations

from pathlib import Path

SQLITE_FILE = "feedback.sqlite3"
LOCK_WAIT_SECONDS = 30  # SQLite: how long a write waits for another process's transaction
POOL_SIZE = 5  # PostgreSQL connections kept per process (answering threads, purge, recovery)


def database_url(settings) -> str:
    """PDBOT_DATABASE_URL, or the SQLite file in the data directory."""
    return settings.database_url or sqlite_url(settings.data_dir / SQLITE_FILE)


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{Path(path).resolve()}"


def normalise_url(url: str) -> str:
    """postgresql:// and postgres:// mean psycopg 3 (SQLAlchemy would pick psycopg2)."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def make_engine(url: str):
    """An Engine for `url`, with the per-connection settings in the module docstring."""
    from sqlalchemy import create_engine, event

    url = normalise_url(url)
    if not url.startswith("sqlite"):
        return create_engine(url, pool_size=POOL_SIZE, pool_pre_ping=True)
    engine = create_engine(url, connect_args={"timeout": LOCK_WAIT_SECONDS})
    if engine.url.database:
        Path(engine.url.database).parent.mkdir(parents=True, exist_ok=True)

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, record):
        dbapi_connection.execute("PRAGMA journal_mode=WAL")
        dbapi_connection.execute("PRAGMA synchronous=FULL")  # an acknowledged question is on disk
        dbapi_connection.execute("PRAGMA secure_delete=ON")  # deleted text is overwritten
    return engine


def is_sqlite(engine) -> bool:
    return engine.dialect.name == "sqlite"


def sqlite_path(engine) -> Path | None:
    """The file of a SQLite engine, None for another database."""
    return Path(engine.url.database) if is_sqlite(engine) and engine.url.database else None


def insert_ignoring(engine, table):
    """INSERT … ON CONFLICT for the engine's dialect (call .values() on it). Whether a row
    went in is told by RETURNING, not rowcount (psycopg reports -1 for an INSERT)."""
    from sqlalchemy.dialects.postgresql import insert as pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return (sqlite_insert if is_sqlite(engine) else pg_insert)(table)


def upsert(engine, table, values: dict, keys: list[str]):
    """INSERT … ON CONFLICT (keys) DO UPDATE, replacing every other column."""
    statement = insert_ignoring(engine, table).values(**values)
    return statement.on_conflict_do_update(
        index_elements=keys, set_={k: statement.excluded[k] for k in values if k not in keys})


def describe(engine) -> str:
    """Where the store is, for messages: the SQLite file, or the server and database (no
    password)."""
    path = sqlite_path(engine)
    if path is not None:
        return str(path)
    url = engine.url
    return f"postgresql://{url.host or 'localhost'}:{url.port or 5432}/{url.database}"
