"""LGPD retention of the media store: bill files older than the retention period are deleted.

The conversation deletes a bill file as soon as its fields are extracted when
SILVIA_BILL_RETENTION_HOURS is 0 (the default). With a longer retention, or for pages left
waiting for a second page that never came, `silvia media purge` (run it from cron or the
scheduler) removes what is past its time.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path


def purge_media(directory: Path, max_age_s: float, now: datetime) -> list[Path]:
    """Delete files in `directory` last modified more than `max_age_s` before `now`."""
    if not directory.is_dir():
        return []
    cutoff = now.timestamp() - max_age_s
    removed: list[Path] = []
    for path in sorted(directory.iterdir()):
        try:
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
                removed.append(path)
        except FileNotFoundError:  # removed meanwhile by a turn that finished with it
            continue
    return removed
