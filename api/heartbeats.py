"""Worker heartbeats: every inbox worker says "alive, N turns in flight" every few seconds.

With Redis each beat is a key with a TTL (`{prefix}worker:<consumer>`), so a worker that was
`kill -9`ed disappears from `/ready` and `/metrics` within `BEAT_TTL_SECONDS`; on the embedded
default the worker runs inside `silvia serve` and beats into memory.
"""

from __future__ import annotations

import json
import time
from typing import Any

from storage.redis.client import AnyRedis, redis_from_url

BEAT_SECONDS = 5.0
BEAT_TTL_SECONDS = 15  # three missed beats and the worker counts as gone


class Heartbeats:
    """Redis-backed when `redis` is given (shared by every process), else in-process."""

    def __init__(self, redis: AnyRedis | None = None, prefix: str = "silvia:") -> None:
        self.redis = redis
        self.prefix = f"{prefix}worker:"
        self._local: dict[str, dict[str, Any]] = {}

    async def beat(self, consumer: str, in_flight: int, started_at: float) -> None:
        record = {"consumer": consumer, "in_flight": in_flight, "started_at": started_at, "at": time.time()}
        if self.redis is None:
            self._local[consumer] = record
            return
        await self.redis.set(f"{self.prefix}{consumer}", json.dumps(record), ex=BEAT_TTL_SECONDS)

    async def stopped(self, consumer: str) -> None:
        self._local.pop(consumer, None)
        if self.redis is not None:
            await self.redis.delete(f"{self.prefix}{consumer}")

    async def alive(self) -> list[dict[str, Any]]:
        """Workers that beat within the TTL, each with its age in seconds."""
        now = time.time()
        if self.redis is None:
            records = list(self._local.values())
        else:
            keys = [k async for k in self.redis.scan_iter(match=f"{self.prefix}*", count=100)]
            records = [json.loads(v) for v in (await self.redis.mget(keys) if keys else []) if v]
        fresh = [
            r | {"age_seconds": round(now - r["at"], 1)} for r in records if now - r["at"] < BEAT_TTL_SECONDS
        ]
        return sorted(fresh, key=lambda r: r["consumer"])

    async def aclose(self) -> None:
        if self.redis is not None:
            await self.redis.aclose()


def build_heartbeats(redis_url: str, prefix: str) -> Heartbeats:
    if not redis_url:
        return Heartbeats()
    return Heartbeats(redis_from_url(redis_url, socket_timeout=5.0, socket_connect_timeout=5.0), prefix)
