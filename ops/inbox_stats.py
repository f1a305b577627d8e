"""Inbox depth and the age of its oldest waiting entry, for either inbox backend (storage/inbox)."""

from __future__ import annotations

from storage.inbox import Inbox

UNFINISHED = ("pending", "processing")


async def inbox_stats(inbox: Inbox) -> tuple[int, float]:
    """(entries waiting or being processed, age in seconds of the oldest of them)."""
    counts = await inbox.counts()
    depth = sum(counts.get(state, 0) for state in UNFINISHED)
    if not depth:
        return 0, 0.0
    return depth, await inbox.oldest_age()
