"""The production inbox: a Redis Stream read by a consumer group, shared by every process.

* `put` is one Lua script: remember the WhatsApp id (`SET NX EX`, 7 days, the span Meta
  retries over), `XADD` the raw payload, and append the stream id to the lead's list — so a
  message is either stored and queued once, or recognised as a duplicate; never half.
* `take` first reclaims entries another consumer took and never acknowledged for
  `reclaim_seconds` (`XAUTOCLAIM`: it crashed), then reads new ones (`XREADGROUP`).
* The lead's list (`{inbox}:lead:<phone>`) keeps that lead's unfinished ids in arrival order:
  `head(phone)` is its first element, so the worker holding the lead's lock answers in order
  even when the group handed a lead's messages to different consumers.
* `done` acknowledges (`XACK`), deletes the entry and pops it from the lead's list in one
  transaction. A turn that keeps failing is parked in the `inbox:failed` hash, raw.
"""

from __future__ import annotations

import json
from typing import Any

from redis.exceptions import ResponseError

from api.inbox.base import MAX_ATTEMPTS, InboxEntry
from storage.redis.client import redis_from_url

SEEN_TTL_SECONDS = 7 * 24 * 3600
GROUP = "silvia-workers"

_PUT = """
if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then return false end
local id = redis.call('XADD', KEYS[2], '*', 'message_id', ARGV[2], 'phone', ARGV[3],
                      'source', ARGV[4], 'payload', ARGV[5])
redis.call('RPUSH', KEYS[3], id)
return id
"""


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class RedisStreamInbox:
    def __init__(self, url: str, prefix: str = "silvia:", reclaim_seconds: float = 60.0) -> None:
        # No socket timeout: XREADGROUP BLOCK holds the connection open on purpose.
        self.redis = redis_from_url(url, socket_connect_timeout=5.0)
        self.prefix = prefix
        # One hash tag for every inbox key: the put script and the `done` transaction touch
        # several of them, and on a Redis Cluster they must share a slot.
        self.stream = f"{prefix}{{inbox}}"
        self.failed_key = f"{self.stream}:failed"
        self.attempts_key = f"{self.stream}:attempts"
        self.reclaim_ms = int(reclaim_seconds * 1000)
        self._put = self.redis.register_script(_PUT)
        self._group_ready = False

    def _lead_key(self, phone: str) -> str:
        return f"{self.stream}:lead:{phone}"

    async def _ensure_group(self) -> None:
        if self._group_ready:
            return
        try:  # id 0: entries written before the first worker started are read too
            await self.redis.xgroup_create(self.stream, GROUP, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise
        self._group_ready = True

    async def put(self, message_id: str, phone: str, source: str, payload: dict[str, Any]) -> bool:
        keys = [f"{self.stream}:seen:{message_id}", self.stream, self._lead_key(phone)]
        body = json.dumps(payload, ensure_ascii=False)
        stored = await self._put(keys=keys, args=[SEEN_TTL_SECONDS, message_id, phone, source, body])
        return stored is not None

    async def _entry(self, stream_id: Any, fields: dict[Any, Any]) -> InboxEntry:
        data = {_text(k): _text(v) for k, v in fields.items()}
        entry_id = _text(stream_id)
        attempts = int(await self.redis.hincrby(self.attempts_key, entry_id, 1))
        return InboxEntry(
            entry_id=entry_id,
            message_id=data["message_id"],
            phone=data["phone"],
            source=data["source"],
            payload=json.loads(data["payload"]),
            attempts=attempts,
        )

    async def take(self, consumer: str, count: int, wait_seconds: float) -> list[InboxEntry]:
        await self._ensure_group()
        _next, claimed, *_ = await self.redis.xautoclaim(
            self.stream, GROUP, consumer, self.reclaim_ms, "0-0", count=count
        )
        taken = [await self._entry(sid, fields) for sid, fields in claimed if fields]
        if len(taken) < count:
            block = max(1, int(wait_seconds * 1000)) if not taken else None
            answer = await self.redis.xreadgroup(
                GROUP, consumer, {self.stream: ">"}, count=count - len(taken), block=block
            )
            for _stream, messages in answer or []:
                taken += [await self._entry(sid, fields) for sid, fields in messages if fields]
        return taken

    async def head(self, phone: str) -> InboxEntry | None:
        key = self._lead_key(phone)
        while (first := await self.redis.lindex(key, 0)) is not None:
            found = await self.redis.xrange(self.stream, first, first)
            if found:
                sid, fields = found[0]
                data = {_text(k): _text(v) for k, v in fields.items()}
                attempts = int(await self.redis.hget(self.attempts_key, _text(sid)) or 0)
                return InboxEntry(
                    entry_id=_text(sid),
                    message_id=data["message_id"],
                    phone=data["phone"],
                    source=data["source"],
                    payload=json.loads(data["payload"]),
                    attempts=max(1, attempts),
                )
            await self.redis.lrem(key, 1, first)  # its entry is gone: nothing left to answer
        return None

    async def pending(self, phone: str, limit: int) -> list[InboxEntry]:
        entries: list[InboxEntry] = []
        for sid in await self.redis.lrange(self._lead_key(phone), 0, max(0, limit - 1)):
            for found_id, fields in await self.redis.xrange(self.stream, sid, sid):
                data = {_text(k): _text(v) for k, v in fields.items()}
                attempts = int(await self.redis.hget(self.attempts_key, _text(found_id)) or 0)
                entries.append(
                    InboxEntry(
                        entry_id=_text(found_id),
                        message_id=data["message_id"],
                        phone=data["phone"],
                        source=data["source"],
                        payload=json.loads(data["payload"]),
                        attempts=max(1, attempts),
                    )
                )
        return entries

    async def done(self, entry: InboxEntry) -> None:
        async with self.redis.pipeline(transaction=True) as tx:
            tx.xack(self.stream, GROUP, entry.entry_id)
            tx.xdel(self.stream, entry.entry_id)
            tx.lrem(self._lead_key(entry.phone), 1, entry.entry_id)
            tx.hdel(self.attempts_key, entry.entry_id)
            await tx.execute()

    async def retry_later(self, entry: InboxEntry, error: str) -> None:
        """Below MAX_ATTEMPTS the entry stays unacknowledged and XAUTOCLAIM brings it back."""
        if entry.attempts < MAX_ATTEMPTS:
            return
        record = {
            "message_id": entry.message_id,
            "phone": entry.phone,
            "source": entry.source,
            "payload": entry.payload,
            "error": error[:2000],
        }
        await self.redis.hset(self.failed_key, entry.entry_id, json.dumps(record, ensure_ascii=False))
        await self.done(entry)

    async def counts(self) -> dict[str, int]:
        await self._ensure_group()
        summary = await self.redis.xpending(self.stream, GROUP)
        processing = int(summary.get("pending", 0)) if isinstance(summary, dict) else 0
        unfinished = int(await self.redis.xlen(self.stream))
        return {
            "pending": max(0, unfinished - processing),
            "processing": processing,
            "failed": int(await self.redis.hlen(self.failed_key)),
        }

    async def failed(self) -> list[dict[str, Any]]:
        return [json.loads(v) for v in (await self.redis.hgetall(self.failed_key)).values()]

    async def ping(self) -> None:
        await self.redis.ping()

    async def aclose(self) -> None:
        await self.redis.aclose()
