"""`silvia db …`: database migrations (Alembic)."""

from __future__ import annotations

import typer

from settings import get_settings

db_app = typer.Typer(help="Database migrations (Alembic).", no_args_is_help=True)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply all migrations (idempotent)."""
    from storage.migrate import upgrade

    settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    typer.echo(f"database at revision {upgrade(settings.effective_database_url)}")


@db_app.command("current")
def db_current() -> None:
    """Show the database's migration revision and the newest one."""
    from storage.migrate import current, head

    settings = get_settings()
    typer.echo(f"current: {current(settings.effective_database_url) or '(empty)'} · head: {head()}")
