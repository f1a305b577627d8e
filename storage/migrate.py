"""Apply and check the business-database schema (Alembic, configured in code).

`silvia db upgrade` calls `upgrade`; the app calls `ensure_current` at start-up so it never
runs against a schema older than the code.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, pool

from storage.db import sqlite_file, sync_url

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
UPGRADE_COMMAND = "silvia db upgrade"


class SchemaBehindError(RuntimeError):
    """The database is not at the schema revision this code expects."""


def alembic_config(url: str | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url is not None:
        # Via attributes, not set_main_option: configparser would interpolate `%` in passwords.
        cfg.attributes["url"] = url
    return cfg


def head() -> str:
    """The newest revision shipped with the code."""
    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    if len(heads) != 1:
        raise RuntimeError(f"Expected one migration head, found {heads}")
    return heads[0]


def current(url: str) -> str | None:
    """The revision the database is at; None for an empty (or missing SQLite) database."""
    path = sqlite_file(url)
    if path is not None and not path.exists():
        return None  # don't create an empty file just to look at it
    engine = create_engine(sync_url(url), poolclass=pool.NullPool)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


def upgrade(url: str) -> str:
    """Bring the database to head (a no-op when it is already there); returns the revision."""
    command.upgrade(alembic_config(url), "head")
    revision = current(url)
    if revision is None:  # pragma: no cover - alembic would have raised
        raise RuntimeError("Migration finished but no revision is recorded")
    return revision


def ensure_current(url: str) -> None:
    """Raise `SchemaBehindError` unless the database is exactly at head."""
    expected = head()
    found = current(url)
    if found == expected:
        return
    if found is None:
        raise SchemaBehindError(
            f"The database has no schema yet (expected revision {expected}). Run `{UPGRADE_COMMAND}`."
        )
    known = {script.revision for script in ScriptDirectory.from_config(alembic_config()).walk_revisions()}
    if found not in known:
        raise SchemaBehindError(
            f"The database is at revision {found}, unknown to this code (expected {expected}); "
            "it was migrated by a newer version of Sílvia."
        )
    raise SchemaBehindError(
        f"The database schema is at revision {found}, the code expects {expected}. Run `{UPGRADE_COMMAND}`."
    )
