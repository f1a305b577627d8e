"""De-duplication and per-lead locks: the primitives the webhook service and scheduler use.

Two interfaces with in-process twins for the embedded default; the Redis implementations
(set-if-absent with TTL, a lease renewed while a turn runs) live beside them and are chosen by
`build_deduplicator` / `build_lead_locks` from settings.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Protocol


class MessageDeduplicator(Protocol):
    async def first_time(self, message_id: str) -> bool:
        """True the first time a WhatsApp message id is seen (within the TTL), else False."""
        ...

    async def forget(self, message_id: str) -> None:
        """Let a message id be processed again (e.g. when persisting it failed)."""
        ...


class LeadLocks(Protocol):
    def hold(self, phone: str) -> AbstractAsyncContextManager[None]:
        """Exclusive access to one lead's thread while a turn runs."""
        ...


class InProcessDeduplicator:
    """Seen message ids in memory, bounded, with a TTL (embedded default)."""

    def __init__(self, ttl_seconds: float = 7 * 24 * 3600, max_entries: int = 100_000) -> None:
        self._ttl = ttl_seconds
        self._max = max_entries
        self._seen: OrderedDict[str, float] = OrderedDict()

    async def first_time(self, message_id: str) -> bool:
        now = time.monotonic()
        expires = self._seen.get(message_id)
        if expires is not None and expires > now:
            return False
        self._seen[message_id] = now + self._ttl
        self._seen.move_to_end(message_id)
        while len(self._seen) > self._max:
            self._seen.popitem(last=False)
        return True

    async def forget(self, message_id: str) -> None:
        self._seen.pop(message_id, None)


class InProcessLeadLocks:
    """One asyncio.Lock per lead, dropped when nobody holds or waits for it."""

    def __init__(self) -> None:
        self._locks: dict[str, asyncio.Lock] = {}
        self._users: dict[str, int] = {}

    @asynccontextmanager
    async def hold(self, phone: str) -> AsyncIterator[None]:
        lock = self._locks.setdefault(phone, asyncio.Lock())
        self._users[phone] = self._users.get(phone, 0) + 1
        try:
            async with lock:
                yield
        finally:
            self._users[phone] -= 1
            if not self._users[phone]:
                del self._users[phone], self._locks[phone]
