"""Layer-1 reply cache on Redis (production twin of `storage.cache.InMemoryReplyCache`).

Entries are what `record` stores: template ids + node variables, JSON, with a TTL set by Redis
(`SET ... EX`). The key the nodes compute already contains the prompt version, stage and
profile shape, so a new prompt version simply never finds the old entries (they age out).

The cache is an optimisation, not memory: if Redis misbehaves a lookup is a miss and a store
is skipped (logged), so the turn goes on through understand/compose. The checkpointer, which
IS memory, does the opposite and raises.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from redis.exceptions import RedisError

from agent.ports import ReplyCachePort
from settings import Settings
from storage.cache import InMemoryReplyCache
from storage.redis.client import AnyRedis, redis_from_url

log = logging.getLogger(__name__)


class RedisReplyCache:
    """`ReplyCachePort` on Redis strings under `prefix`."""

    def __init__(self, client: AnyRedis, prefix: str = "silvia:cache:") -> None:
        self.client = client
        self.prefix = prefix

    def key(self, key: str) -> str:
        return f"{self.prefix}{key}"

    async def get(self, key: str) -> dict[str, Any] | None:
        try:
            raw = await self.client.get(self.key(key))
        except RedisError as exc:
            log.warning("reply cache read failed, treating as a miss: %s", exc)
            return None
        if raw is None:
            return None
        try:
            entry = json.loads(raw)
        except ValueError:
            log.warning("reply cache entry %s is not JSON; ignoring it", key)
            return None
        return entry if isinstance(entry, dict) else None

    async def put(self, key: str, entry: dict[str, Any], ttl_seconds: int) -> None:
        try:
            if ttl_seconds <= 0:
                await self.client.delete(self.key(key))
                return
            await self.client.set(self.key(key), json.dumps(entry, ensure_ascii=False), ex=ttl_seconds)
        except RedisError as exc:
            log.warning("reply cache write failed, skipping: %s", exc)

    async def clear(self) -> int:
        """Delete every entry under the prefix (SCAN, never KEYS); returns how many."""
        removed = 0
        batch: list[bytes] = []
        async for name in self.client.scan_iter(match=f"{self.prefix}*", count=500):
            batch.append(name)
            if len(batch) >= 500:
                removed += await self.client.delete(*batch)
                batch = []
        if batch:
            removed += await self.client.delete(*batch)
        return removed


def cache_prefix(settings: Settings) -> str:
    return f"{settings.redis_prefix}cache:"


@asynccontextmanager
async def open_reply_cache(settings: Settings) -> AsyncIterator[ReplyCachePort]:
    """The L1 cache for these settings: Redis when `REDIS_URL` is set, else in-process."""
    if not settings.redis_url:
        yield InMemoryReplyCache()
        return
    client = redis_from_url(settings.redis_url, socket_timeout=2.0, socket_connect_timeout=2.0)
    try:
        yield RedisReplyCache(client, cache_prefix(settings))
    finally:
        await client.aclose()
