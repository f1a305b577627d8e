"""Alembic environment, driven from code (`storage.migrate`), no alembic.ini needed.

The URL comes from `config.attributes["url"]` (kept out of the ini parser, which would choke
on `%` in passwords) or, for the plain `alembic` CLI, `sqlalchemy.url`. Async driver URLs
are turned into their sync twins: migrations run on a blocking connection.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine, pool

from storage.db import ensure_parent_dir, sync_url
from storage.models import Base

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    url = config.attributes.get("url") or config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("No database URL given to the migration environment")
    return sync_url(url).render_as_string(hide_password=False)


def run_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _migrate(connection)
        return
    url = _url()
    ensure_parent_dir(url)
    engine = create_engine(url, poolclass=pool.NullPool)
    try:
        with engine.connect() as conn:
            _migrate(conn)
    finally:
        engine.dispose()


def _migrate(connection: Connection) -> None:
    # render_as_batch: SQLite can only ALTER tables by copying them; future revisions need it.
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
