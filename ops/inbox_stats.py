"""Inbox depth and the age of its oldest waiting entry, for either inbox backend.

The inbox contract (api/inbox) only promises `counts()`; the age comes from the backend's own
storage: the oldest unfinished `inbox_messages` row, or the first id left in the Redis stream
(stream ids start with their millisecond timestamp; processed entries are deleted).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from storage.models import InboxMessage

UNFINISHED = ("pending", "processing")


async def inbox_stats(inbox: Any) -> tuple[int, float]:
    """(entries waiting or being processed, age in seconds of the oldest of them)."""
    counts = await inbox.counts()
    depth = sum(counts.get(state, 0) for state in UNFINISHED)
    if not depth:
        return 0, 0.0
    return depth, await _oldest_age(inbox)


async def _oldest_age(inbox: Any) -> float:
    if hasattr(inbox, "stream") and hasattr(inbox, "redis"):
        first = await inbox.redis.xrange(inbox.stream, count=1)
        if not first:
            return 0.0
        stream_id = first[0][0]
        millis = int((stream_id.decode() if isinstance(stream_id, bytes) else str(stream_id)).split("-")[0])
        return max(0.0, time.time() - millis / 1000)
    if hasattr(inbox, "sessions"):
        query = sa.select(sa.func.min(InboxMessage.received_at)).where(InboxMessage.status.in_(UNFINISHED))
        async with inbox.sessions() as session:
            oldest = await session.scalar(query)
        if oldest is None:
            return 0.0
        oldest = oldest if oldest.tzinfo else oldest.replace(tzinfo=UTC)
        return max(0.0, (datetime.now(UTC) - oldest).total_seconds())
    return 0.0
