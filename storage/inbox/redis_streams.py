"""The production inbox: a Redis Stream read by a consumer group, shared by every process.

* `put` is one Lua script: remember the WhatsApp id (`SET NX EX`, 7 days, the span Meta
  retries over), `XADD` the raw payload, and append the stream id to the lead's list — so a
  message is either stored and queued once, or recognised as a duplicate; never half.
* `take` first reclaims entries another consumer took and never acknowledged for
  `reclaim_seconds` (`XAUTOCLAIM`: it crashed), then reads new ones (`XREADGROUP`).
* The lead's list (`{inbox}:lead:<phone>`) keeps that lead's unfinished ids in arrival order:
  `head(phone)` is its first element, so the worker holding the lead's lock answers in order
  even when the group handed a lead's messages to different consumers.
* `retry_in` leaves the entry unacknowledged and notes when it is due (`inbox:retry_at`, a
  sorted set); `XCLAIM … IDLE` makes `XAUTOCLAIM` hand it back at that moment, and an entry
  reclaimed before it is due is put back the same way. Deterministic failures are counted in
  `inbox:attempts`; deliveries are not counted anywhere (redelivery is recognised from the
  lead's checkpoint, api/turns.py).
* `done` acknowledges (`XACK`), deletes the entry and pops it from the lead's list in one
  transaction. `park` keeps the raw entry in the `inbox:failed` hash for a person.
"""

from __future__ import annotations

import json
import time
from typing import Any

from redis.exceptions import ResponseError

from storage.inbox.base import InboxEntry, ParkedEntry
from storage.redis.client import redis_from_url

SEEN_TTL_SECONDS = 7 * 24 * 3600
GROUP = "silvia-workers"

# KEYS: seen, stream, lead list. ARGV: ttl, message_id, phone, source, payload, force (1 = requeue).
_PUT = """
if ARGV[6] ~= '1' and not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then return false end
local id = redis.call('XADD', KEYS[2], '*', 'message_id', ARGV[2], 'phone', ARGV[3],
                      'source', ARGV[4], 'payload', ARGV[5])
redis.call('RPUSH', KEYS[3], id)
return id
"""


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _millis(stream_id: str) -> int:
    return int(stream_id.split("-")[0])


def _built(stream_id: Any, fields: dict[Any, Any], attempts: Any) -> InboxEntry:
    data = {_text(k): _text(v) for k, v in fields.items()}
    entry_id = _text(stream_id)
    return InboxEntry(
        entry_id=entry_id,
        message_id=data["message_id"],
        phone=data["phone"],
        source=data["source"],
        payload=json.loads(data["payload"]),
        failures=int(attempts or 0),
        received_at=_millis(entry_id) / 1000,
    )


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
        self.retry_key = f"{self.stream}:retry_at"
        self.reclaim_ms = max(1, int(reclaim_seconds * 1000))
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
        return await self._store(message_id, phone, source, payload, requeue=False)

    async def _store(
        self, message_id: str, phone: str, source: str, payload: dict[str, Any], *, requeue: bool
    ) -> bool:
        keys = [f"{self.stream}:seen:{message_id}", self.stream, self._lead_key(phone)]
        body = json.dumps(payload, ensure_ascii=False)
        args = [SEEN_TTL_SECONDS, message_id, phone, source, body, "1" if requeue else "0"]
        return await self._put(keys=keys, args=args) is not None

    async def _entry(self, stream_id: Any, fields: dict[Any, Any]) -> InboxEntry:
        return _built(stream_id, fields, await self.redis.hget(self.attempts_key, _text(stream_id)))

    async def take(self, consumer: str, count: int, wait_seconds: float) -> list[InboxEntry]:
        await self._ensure_group()
        _next, claimed, *_ = await self.redis.xautoclaim(
            self.stream, GROUP, consumer, self.reclaim_ms, "0-0", count=count
        )
        taken = [await self._entry(sid, fields) for sid, fields in claimed if fields]
        taken = [entry for entry in taken if await self._is_due(entry, consumer)]
        if len(taken) < count:
            block = max(1, int(wait_seconds * 1000)) if not taken else None
            answer = await self.redis.xreadgroup(
                GROUP, consumer, {self.stream: ">"}, count=count - len(taken), block=block
            )
            for _stream, messages in answer or []:
                taken += [await self._entry(sid, fields) for sid, fields in messages if fields]
        return taken

    async def _is_due(self, entry: InboxEntry, consumer: str) -> bool:
        """A reclaimed entry whose retry is not due yet goes back to wait (and is not returned)."""
        due = await self.redis.zscore(self.retry_key, entry.entry_id)
        left_ms = int(due - time.time() * 1000) if due is not None else 0
        if left_ms <= 0:
            return True
        await self._come_back_in(entry.entry_id, consumer, left_ms)
        return False

    async def _come_back_in(self, entry_id: str, consumer: str, millis: int) -> None:
        # XAUTOCLAIM hands out entries idle for reclaim_ms: backdate the idle time so that
        # happens `millis` from now (or after a whole reclaim period, then re-checked).
        idle = max(0, self.reclaim_ms - millis)
        await self.redis.xclaim(self.stream, GROUP, consumer, 0, [entry_id], idle=idle, justid=True)

    async def reclaim_from_dead(self, alive: set[str], consumer: str, quiet_ms: int) -> int:
        """Entries held by consumers whose heartbeat is gone (and that have not touched the
        stream for `quiet_ms`) become reclaimable now, not after `reclaim_seconds`; the dead
        consumers are removed from the group. Returns how many entries were freed."""
        await self._ensure_group()
        freed = 0
        for info in await self.redis.xinfo_consumers(self.stream, GROUP):
            name = _text(info["name"])
            if name in alive or int(info.get("idle", 0)) < quiet_ms:
                continue
            held = await self.redis.xpending_range(self.stream, GROUP, "-", "+", 1000, consumername=name)
            ids = [_text(p["message_id"]) for p in held]
            if ids:  # idle = reclaim_ms: XAUTOCLAIM takes them at once (due times still apply)
                await self.redis.xclaim(
                    self.stream, GROUP, consumer, 0, ids, idle=self.reclaim_ms, justid=True
                )
                freed += len(ids)
            await self.redis.xgroup_delconsumer(self.stream, GROUP, name)
        return freed

    async def head(self, phone: str) -> InboxEntry | None:
        key = self._lead_key(phone)
        while (first := await self.redis.lindex(key, 0)) is not None:
            found = await self.redis.xrange(self.stream, first, first)
            if found:
                return await self._entry(*found[0])
            await self.redis.lrem(key, 1, first)  # its entry is gone: nothing left to answer
        return None

    async def pending(self, phone: str, limit: int) -> list[InboxEntry]:
        ids = await self.redis.lrange(self._lead_key(phone), 0, max(0, limit - 1))
        if not ids:
            return []
        # One round trip for every entry and its attempts (all keys share the {inbox} slot),
        # not two per entry: the burst planner reads the lead's queue before each text turn.
        async with self.redis.pipeline(transaction=False) as pipe:
            for sid in ids:
                pipe.xrange(self.stream, sid, sid)
                pipe.hget(self.attempts_key, sid)
            answers = await pipe.execute()
        return [
            _built(found_id, fields, attempts)
            for found, attempts in zip(answers[::2], answers[1::2], strict=True)
            for found_id, fields in found
        ]

    async def done(self, entry: InboxEntry) -> None:
        async with self.redis.pipeline(transaction=True) as tx:
            tx.xack(self.stream, GROUP, entry.entry_id)
            tx.xdel(self.stream, entry.entry_id)
            tx.lrem(self._lead_key(entry.phone), 1, entry.entry_id)
            tx.hdel(self.attempts_key, entry.entry_id)
            tx.zrem(self.retry_key, entry.entry_id)
            await tx.execute()

    async def retry_in(self, entry: InboxEntry, seconds: float, error: str, *, failed: bool) -> None:
        """The entry stays unacknowledged; XAUTOCLAIM hands it back once it is due."""
        millis = max(0, int(seconds * 1000))
        async with self.redis.pipeline(transaction=True) as tx:
            tx.zadd(self.retry_key, {entry.entry_id: time.time() * 1000 + millis})
            if failed:
                tx.hincrby(self.attempts_key, entry.entry_id, 1)
            await tx.execute()
        if failed:
            entry.failures += 1
        consumers = await self.redis.xpending_range(self.stream, GROUP, entry.entry_id, entry.entry_id, 1)
        if consumers:  # still ours (or another consumer's): make it reclaimable when due
            await self._come_back_in(entry.entry_id, _text(consumers[0]["consumer"]), millis)

    async def park(self, entry: InboxEntry, error: str) -> None:
        record = {
            "message_id": entry.message_id,
            "phone": entry.phone,
            "source": entry.source,
            "payload": entry.payload,
            "error": error[:2000],
            "failures": entry.failures,
        }
        await self.redis.hset(self.failed_key, entry.entry_id, json.dumps(record, ensure_ascii=False))
        await self.done(entry)

    async def _parked_records(self) -> list[tuple[str, dict[str, Any]]]:
        records = [(_text(k), json.loads(v)) for k, v in (await self.redis.hgetall(self.failed_key)).items()]
        return sorted(records, key=lambda item: tuple(int(p) for p in item[0].split("-")))

    async def parked(self, limit: int = 100) -> list[ParkedEntry]:
        return [
            ParkedEntry(
                entry_id=entry_id,
                message_id=r["message_id"],
                phone=r["phone"],
                source=r["source"],
                error=r.get("error", ""),
                payload=r.get("payload") or {},
            )
            for entry_id, r in (await self._parked_records())[:limit]
        ]

    async def _find_parked(self, message_id: str) -> tuple[str, dict[str, Any]] | None:
        return next(((k, r) for k, r in await self._parked_records() if r["message_id"] == message_id), None)

    async def unpark(self, message_id: str) -> bool:
        found = await self._find_parked(message_id)
        if found is None:
            return False
        entry_id, r = found
        # A new stream id (later than anything a turn finished), so it is answered, not skipped.
        await self._store(r["message_id"], r["phone"], r["source"], r["payload"], requeue=True)
        await self.redis.hdel(self.failed_key, entry_id)
        return True

    async def drop(self, message_id: str) -> bool:
        found = await self._find_parked(message_id)
        return bool(found and await self.redis.hdel(self.failed_key, found[0]))

    async def counts(self) -> dict[str, int]:
        await self._ensure_group()
        summary = await self.redis.xpending(self.stream, GROUP)
        taken = int(summary.get("pending", 0)) if isinstance(summary, dict) else 0
        unfinished = int(await self.redis.xlen(self.stream))
        waiting = int(await self.redis.zcount(self.retry_key, time.time() * 1000, "+inf"))
        return {
            "pending": max(0, unfinished - taken),
            "processing": max(0, taken - waiting),
            "waiting": waiting,
            "failed": int(await self.redis.hlen(self.failed_key)),
        }

    async def oldest_age(self) -> float:
        """From the first id left in the stream: ids start with their millisecond timestamp, and
        processed entries are deleted."""
        first = await self.redis.xrange(self.stream, count=1)
        if not first:
            return 0.0
        stream_id = first[0][0]
        millis = int((stream_id.decode() if isinstance(stream_id, bytes) else str(stream_id)).split("-")[0])
        return max(0.0, time.time() - millis / 1000)

    async def ping(self) -> None:
        await self.redis.ping()

    async def aclose(self) -> None:
        await self.redis.aclose()
