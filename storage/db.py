"""Engines and sessions for the business database (SQLite by default, PostgreSQL in production)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
import sqlalchemy.exc as sa_exc
from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

# The names the rooms outside storage use for what they hold and pass on without opening it:
# they never import SQLAlchemy themselves (an import-linter contract in pyproject.toml).
Engine = AsyncEngine
Sessions = async_sessionmaker[AsyncSession]

# Database failures that are about the connection, not the statement: a turn that met one is
# retried, not counted against the message (api/retry_policy.py).
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    sa_exc.OperationalError,  # the server went away, refused the connection, is in recovery
    sa_exc.InterfaceError,
    sa_exc.DisconnectionError,
    sa_exc.TimeoutError,  # the pool had no connection in time
)

_ASYNC_TO_SYNC = {
    "sqlite+aiosqlite": "sqlite",
    "postgresql+asyncpg": "postgresql+psycopg",
    "postgresql": "postgresql+psycopg",
    "postgres": "postgresql+psycopg",
}


def is_sqlite(url: str | URL) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def sqlite_file(url: str | URL) -> Path | None:
    """The database file of a SQLite URL, or None for in-memory / non-SQLite URLs."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def sync_url(url: str | URL) -> URL:
    """The blocking-driver twin of an application URL (Alembic migrates synchronously).

    psycopg 3 is both sync and async, so `postgresql+psycopg` stays as it is.
    """
    parsed = make_url(url)
    driver = _ASYNC_TO_SYNC.get(parsed.drivername)
    return parsed.set(drivername=driver) if driver else parsed


def ensure_parent_dir(url: str | URL) -> None:
    path = sqlite_file(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the API read while the worker writes; SQLite leaves FKs off unless asked.
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
    finally:
        cursor.close()


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """An async engine for `url` (`sqlite+aiosqlite://...` or `postgresql+psycopg://...`).

    Statement parameters (phones, messages, names) never appear in error messages or logs.
    """
    kwargs.setdefault("hide_parameters", True)
    if is_sqlite(url):
        ensure_parent_dir(url)
        engine = create_async_engine(url, **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_async_engine(url, **kwargs)


async def ping(engine: AsyncEngine) -> str:
    """`SELECT 1` on a fresh connection; the dialect's name when it answers (raises otherwise)."""
    async with engine.connect() as conn:
        await conn.execute(sa.text("SELECT 1"))
    return engine.dialect.name


async def ping_sessions(sessions: Sessions) -> None:
    """`SELECT 1` through a session of the pool (raises when the database does not answer)."""
    async with sessions() as session:
        await session.execute(sa.text("SELECT 1"))


def session_factory(engine: AsyncEngine) -> Sessions:
    # Rows are handed out as plain values after commit; expiring them would force reloads.
    return async_sessionmaker(engine, expire_on_commit=False)


def engine_of(sessions: Sessions) -> AsyncEngine:
    """The engine a session factory is bound to.

    A turn's own statements run on one of its connections, not in an ORM session: the
    session's unit of work and ORM execution path cost more CPU than those statements.
    """
    engine = sessions.kw["bind"]
    if not isinstance(engine, AsyncEngine):
        raise TypeError(f"the session factory is bound to {engine!r}, not an AsyncEngine")
    return engine
