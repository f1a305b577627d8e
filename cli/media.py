"""`silvia media purge`: delete bill files past their retention (LGPD)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer

from settings import get_settings
from tools.media_retention import purge_media

media_app = typer.Typer(help="The media store of received bills (LGPD retention).", no_args_is_help=True)


@media_app.command("purge")
def purge(
    older_than_hours: Annotated[
        float | None,
        typer.Option(min=0, help="Age limit; default SILVIA_BILL_RETENTION_HOURS, or the merge window if 0"),
    ] = None,
) -> None:
    """Delete media files older than the retention period; prints how many went."""

    settings = get_settings()
    if older_than_hours is None:
        # With retention 0 files are deleted after extraction; what is left is pages that
        # waited for a second page: gone once the merge window has passed.
        max_age = settings.bill_retention_hours * 3600 or settings.bill_merge_window_s
    else:
        max_age = older_than_hours * 3600
    removed = purge_media(settings.media_dir, max_age, datetime.now(UTC))
    typer.echo(f"removed {len(removed)} file(s) older than {max_age / 3600:g} h from {settings.media_dir}")
