"""In-process layer-1 reply cache (the embedded default; Redis takes over in production)."""

from __future__ import annotations

import copy
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

DEFAULT_MAX_ENTRIES = 10_000


class InMemoryReplyCache:
    """`ReplyCachePort` with per-entry TTL on a monotonic clock and LRU eviction.

    Monotonic, so a wall-clock jump (NTP, DST on a badly configured host) never resurrects
    or kills entries. No locking: every method runs to completion without awaiting.
    """

    def __init__(
        self, max_entries: int = DEFAULT_MAX_ENTRIES, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if max_entries < 1:
            raise ValueError("max_entries must be at least 1")
        self._max = max_entries
        self._clock = clock
        self._entries: OrderedDict[str, tuple[float, dict[str, Any]]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    async def get(self, key: str) -> dict[str, Any] | None:
        item = self._entries.get(key)
        if item is None:
            return None
        expires_at, entry = item
        if self._clock() >= expires_at:
            del self._entries[key]
            return None
        self._entries.move_to_end(key)
        # A copy: callers fill templates from it and must not edit what the next lead gets.
        return copy.deepcopy(entry)

    async def put(self, key: str, entry: dict[str, Any], ttl_seconds: int) -> None:
        if ttl_seconds <= 0:
            self._entries.pop(key, None)
            return
        self._entries[key] = (self._clock() + ttl_seconds, copy.deepcopy(entry))
        self._entries.move_to_end(key)
        while len(self._entries) > self._max:
            self._entries.popitem(last=False)  # least recently used

    async def clear(self) -> None:
        self._entries.clear()
