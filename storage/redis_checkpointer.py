"""A LangGraph checkpointer on plain Redis 7 (no modules), built for lead threads.

Why our own (docs/decisions/0001-redis-checkpointer.md): the official saver needs RedisJSON +
RediSearch, and the Valkey saver hides failed reads as "no state" and deletes with `KEYS`.
This one passes the official conformance suite (tests/test_redis_checkpointer.py) and:

* keeps a fixed handful of keys per thread, all under `prefix` and hash-tagged by thread
  (`{thread}`), so a thread lives on one cluster slot and can be refreshed/deleted as a unit;
* refreshes the idle expiry of every key of the thread on every write (one Lua call), so an
  active conversation never loses its state and an abandoned one disappears after `ttl`;
* lets every Redis error propagate: a read that fails raises, it never returns None;
* deletes a thread through its namespace index set, never `KEYS`.

Layout per thread `T` and namespace `N` (`B` = `<prefix>{T}`):
  B:ns        SET   namespaces of the thread (the index used to refresh/delete/copy)
  B:ids:N     ZSET  checkpoint ids, score 0, lexicographic = chronological (uuid6)
  B:cp:N      HASH  checkpoint id -> packed (type, checkpoint, metadata, parent id)
  B:w:N       HASH  "<checkpoint id>\\0<task id>\\0<idx>" -> packed pending write
  B:wi:N      ZSET  the same field names, so one checkpoint's writes are a range query
  B:runs      SET   run ids that wrote checkpoints here (to clean the run index on delete)
  <prefix>run:R  SET  packed (thread, namespace, checkpoint id) written by run R
"""

from __future__ import annotations

import heapq
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import ormsgpack
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import (
    WRITES_IDX_MAP,
    BaseCheckpointSaver,
    ChannelVersions,
    Checkpoint,
    CheckpointMetadata,
    CheckpointTuple,
    get_checkpoint_id,
    get_checkpoint_metadata,
)
from langgraph.checkpoint.serde.base import SerializerProtocol
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from storage.redis_scripts import READ, REFRESH

DEFAULT_PREFIX = "silvia:cp:"
DEFAULT_TTL_SECONDS = 30 * 24 * 3600
_SEP = "\x00"
_PARTS = ("ids", "cp", "w", "wi")

def _idx_key(idx: int) -> str:
    # Fixed width keeps the lexicographic order of a checkpoint's writes stable.
    return f"{idx:+012d}"


class RedisCheckpointSaver(BaseCheckpointSaver[str]):
    """Async LangGraph checkpointer on a `redis.asyncio.Redis` client (bytes, not decoded)."""

    def __init__(
        self,
        client: Redis,
        *,
        prefix: str = DEFAULT_PREFIX,
        ttl_seconds: int | None = DEFAULT_TTL_SECONDS,
        serde: SerializerProtocol | None = None,
    ) -> None:
        super().__init__(serde=serde)
        self.client = client
        self.prefix = prefix
        self.ttl_seconds = ttl_seconds
        self._read = client.register_script(READ)

    @classmethod
    @asynccontextmanager
    async def from_url(
        cls,
        url: str,
        *,
        prefix: str = DEFAULT_PREFIX,
        ttl_seconds: int | None = DEFAULT_TTL_SECONDS,
        socket_timeout: float = 5.0,
    ) -> AsyncIterator[RedisCheckpointSaver]:
        """A saver on its own client; a timeout raises instead of hanging a turn forever."""
        client = Redis.from_url(url, socket_timeout=socket_timeout, socket_connect_timeout=socket_timeout)
        try:
            yield cls(client, prefix=prefix, ttl_seconds=ttl_seconds)
        finally:
            await client.aclose()

    @asynccontextmanager
    async def _fresh_after_failure(self) -> AsyncIterator[None]:
        """Re-raise a connection failure after dropping every pooled connection.

        Pooled connections that were idle when Redis died are dead too; left in the pool they
        would fail the first turns after Redis comes back (redis-py does not retry those
        inside a MULTI). Dropping them means the next call connects afresh.
        """
        try:
            yield
        except (RedisConnectionError, RedisTimeoutError):
            await self.client.connection_pool.disconnect()
            raise

    # --- keys -------------------------------------------------------------------------------

    def _base(self, thread_id: str) -> str:
        return f"{self.prefix}{{{thread_id}}}"

    def _key(self, thread_id: str, part: str, ns: str) -> str:
        return f"{self._base(thread_id)}:{part}:{ns}"

    def _ns_key(self, thread_id: str) -> str:
        return f"{self._base(thread_id)}:ns"

    def _run_key(self, run_id: str) -> str:
        return f"{self.prefix}run:{run_id}"

    def thread_keys(self, thread_id: str, namespaces: Sequence[str]) -> list[str]:
        """Every key a thread uses, given its namespaces (for deletion and inspection)."""
        keys = [self._key(thread_id, part, ns) for ns in namespaces for part in _PARTS]
        return [*keys, self._ns_key(thread_id), f"{self._base(thread_id)}:runs"]

    async def namespaces(self, thread_id: str) -> list[str]:
        async with self._fresh_after_failure():
            members = await self.client.smembers(self._ns_key(thread_id))
        return sorted(ns.decode() for ns in members)

    def _refresh_in(self, pipe: Any, thread_id: str) -> None:
        if self.ttl_seconds:
            pipe.eval(REFRESH, 1, self._ns_key(thread_id), self._base(thread_id), self.ttl_seconds)

    # --- writing ----------------------------------------------------------------------------

    async def aput(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        configurable = config["configurable"]
        thread_id = str(configurable["thread_id"])
        ns = configurable.get("checkpoint_ns", "")
        checkpoint_id = checkpoint["id"]
        full_metadata = get_checkpoint_metadata(config, metadata)
        record = ormsgpack.packb(
            [
                *self.serde.dumps_typed(checkpoint),
                *self.serde.dumps_typed(full_metadata),
                configurable.get("checkpoint_id"),
            ]
        )
        async with self._fresh_after_failure(), self.client.pipeline(transaction=True) as pipe:
            pipe.sadd(self._ns_key(thread_id), ns)
            pipe.hset(self._key(thread_id, "cp", ns), checkpoint_id, record)
            pipe.zadd(self._key(thread_id, "ids", ns), {checkpoint_id: 0})
            if run_id := full_metadata.get("run_id"):
                self._index_run(pipe, str(run_id), thread_id, ns, checkpoint_id)
            self._refresh_in(pipe, thread_id)
            await pipe.execute()
        return {"configurable": {"thread_id": thread_id, "checkpoint_ns": ns, "checkpoint_id": checkpoint_id}}

    async def aput_writes(
        self,
        config: RunnableConfig,
        writes: Sequence[tuple[str, Any]],
        task_id: str,
        task_path: str = "",
    ) -> None:
        configurable = config["configurable"]
        thread_id = str(configurable["thread_id"])
        ns = configurable.get("checkpoint_ns", "")
        checkpoint_id = str(configurable["checkpoint_id"])
        w_key, wi_key = self._key(thread_id, "w", ns), self._key(thread_id, "wi", ns)
        async with self._fresh_after_failure(), self.client.pipeline(transaction=True) as pipe:
            pipe.sadd(self._ns_key(thread_id), ns)
            for position, (channel, value) in enumerate(writes):
                idx = WRITES_IDX_MAP.get(channel, position)
                field = _SEP.join((checkpoint_id, task_id, _idx_key(idx)))
                packed = ormsgpack.packb([task_id, channel, *self.serde.dumps_typed(value), task_path])
                # Like InMemorySaver: a regular write is kept once (replays don't duplicate it),
                # special channels (error, interrupt, resume) overwrite.
                if idx >= 0:
                    pipe.hsetnx(w_key, field, packed)
                else:
                    pipe.hset(w_key, field, packed)
                pipe.zadd(wi_key, {field: 0})
            self._refresh_in(pipe, thread_id)
            await pipe.execute()

    def _index_run(self, pipe: Any, run_id: str, thread_id: str, ns: str, checkpoint_id: str) -> None:
        pipe.sadd(self._run_key(run_id), ormsgpack.packb([thread_id, ns, checkpoint_id]))
        pipe.sadd(f"{self._base(thread_id)}:runs", run_id)
        if self.ttl_seconds:
            pipe.expire(self._run_key(run_id), self.ttl_seconds)

    # --- reading (errors propagate: a failed read must never look like "no state") -------

    def _tuple(
        self, thread_id: str, ns: str, checkpoint_id: str, record: bytes, writes: Sequence[bytes]
    ) -> CheckpointTuple:
        cp_type, cp_data, meta_type, meta_data, parent_id = ormsgpack.unpackb(record)
        pending = []
        for raw in writes:
            task_id, channel, value_type, value_data, _path = ormsgpack.unpackb(raw)
            pending.append((task_id, channel, self.serde.loads_typed((value_type, value_data))))
        config: RunnableConfig = {
            "configurable": {"thread_id": thread_id, "checkpoint_ns": ns, "checkpoint_id": checkpoint_id}
        }
        parent: RunnableConfig | None = None
        if parent_id:
            parent = {
                "configurable": {"thread_id": thread_id, "checkpoint_ns": ns, "checkpoint_id": parent_id}
            }
        return CheckpointTuple(
            config=config,
            checkpoint=self.serde.loads_typed((cp_type, cp_data)),
            metadata=self.serde.loads_typed((meta_type, meta_data)),
            parent_config=parent,
            pending_writes=pending,
        )

    async def _read_one(self, thread_id: str, ns: str, checkpoint_id: str) -> CheckpointTuple | None:
        keys = [self._key(thread_id, part, ns) for part in ("ids", "cp", "wi", "w")]
        async with self._fresh_after_failure():
            result = await self._read(keys=keys, args=[checkpoint_id])
        if not result:
            return None
        return self._tuple(thread_id, ns, result[0].decode(), result[1], result[2:])

    async def aget_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        configurable = config["configurable"]
        thread_id = str(configurable["thread_id"])
        ns = configurable.get("checkpoint_ns", "")
        return await self._read_one(thread_id, ns, get_checkpoint_id(config) or "")

    async def alist(
        self,
        config: RunnableConfig | None,
        *,
        filter: dict[str, Any] | None = None,
        before: RunnableConfig | None = None,
        limit: int | None = None,
    ) -> AsyncIterator[CheckpointTuple]:
        """Newest first; all namespaces unless `checkpoint_ns` is given; all threads if no config."""
        if config is None:
            thread_ids = [tid async for tid in self._all_threads()]
        else:
            thread_ids = [str(config["configurable"]["thread_id"])]
        before_id = get_checkpoint_id(before) if before else None
        wanted_ns = None if config is None else config["configurable"].get("checkpoint_ns")
        remaining = limit
        for thread_id in thread_ids:
            namespaces = [wanted_ns] if wanted_ns is not None else await self.namespaces(thread_id)
            for ns, checkpoint_id in await self._ids(thread_id, namespaces, before_id):
                tup = await self._read_one(thread_id, ns, checkpoint_id)
                if tup is None or not _matches(tup.metadata, filter):
                    continue
                yield tup
                if remaining is not None:
                    remaining -= 1
                    if remaining <= 0:
                        return

    async def _ids(
        self, thread_id: str, namespaces: Sequence[str], before_id: str | None
    ) -> list[tuple[str, str]]:
        """(namespace, checkpoint id) of the thread, newest first across namespaces."""
        upper = f"({before_id}" if before_id else "+"
        async with self._fresh_after_failure(), self.client.pipeline(transaction=False) as pipe:
            for ns in namespaces:
                pipe.zrange(self._key(thread_id, "ids", ns), upper, "-", desc=True, bylex=True)
            per_ns = await pipe.execute()
        streams = [[(cid.decode(), ns) for cid in ids] for ns, ids in zip(namespaces, per_ns, strict=True)]
        merged = heapq.merge(*streams, reverse=True)
        return [(ns, cid) for cid, ns in merged]

    async def _all_threads(self) -> AsyncIterator[str]:
        """Thread ids under our prefix, by SCAN (never KEYS)."""
        start = len(self.prefix) + 1
        async for key in self.client.scan_iter(match=f"{_glob_escape(self.prefix)}*:ns", count=500):
            yield key.decode()[start : -len("}:ns")]

    # --- maintenance ------------------------------------------------------------------------

    async def adelete_thread(self, thread_id: str) -> None:
        namespaces = await self.namespaces(thread_id)
        run_ids = [run.decode() for run in await self.client.smembers(f"{self._base(thread_id)}:runs")]
        entries: dict[str, list[bytes]] = {}
        for run_id in run_ids:  # drop this thread's entries from the run index too (erasure)
            members = await self.client.smembers(self._run_key(run_id))
            entries[run_id] = [m for m in members if ormsgpack.unpackb(m)[0] == thread_id]
        async with self.client.pipeline(transaction=True) as pipe:
            pipe.delete(*self.thread_keys(thread_id, namespaces))
            for run_id, members in entries.items():
                if members:
                    pipe.srem(self._run_key(run_id), *members)
            await pipe.execute()

    async def adelete_for_runs(self, run_ids: Sequence[str]) -> None:
        """Delete the checkpoints (and their writes) that the given runs wrote."""
        for run_id in run_ids:
            for member in await self.client.smembers(self._run_key(run_id)):
                thread_id, ns, checkpoint_id = ormsgpack.unpackb(member)
                await self._delete_checkpoints(thread_id, ns, [checkpoint_id])
            await self.client.delete(self._run_key(run_id))

    async def acopy_thread(self, source_thread_id: str, target_thread_id: str) -> None:
        namespaces = await self.namespaces(source_thread_id)
        if not namespaces:
            return
        async with self.client.pipeline(transaction=True) as pipe:
            for src, dst in zip(
                self.thread_keys(source_thread_id, namespaces),
                self.thread_keys(target_thread_id, namespaces),
                strict=True,
            ):
                pipe.copy(src, dst, replace=True)
            self._refresh_in(pipe, target_thread_id)
            await pipe.execute()

    async def aprune(self, thread_ids: Sequence[str], *, strategy: str = "keep_latest") -> None:
        """`keep_latest` keeps each namespace's newest checkpoint (and its writes); `delete` all."""
        if strategy not in ("keep_latest", "delete"):
            raise ValueError(f"unknown prune strategy {strategy!r}")
        for thread_id in thread_ids:
            if strategy == "delete":
                await self.adelete_thread(thread_id)
                continue
            for ns in await self.namespaces(thread_id):
                await self._keep_latest(thread_id, ns)

    async def _keep_latest(self, thread_id: str, ns: str) -> None:
        old = [cid.decode() for cid in await self.client.zrange(self._key(thread_id, "ids", ns), 0, -2)]
        await self._delete_checkpoints(thread_id, ns, old)

    async def _delete_checkpoints(self, thread_id: str, ns: str, checkpoint_ids: Sequence[str]) -> None:
        if not checkpoint_ids:
            return
        ids_key, cp_key = self._key(thread_id, "ids", ns), self._key(thread_id, "cp", ns)
        w_key, wi_key = self._key(thread_id, "w", ns), self._key(thread_id, "wi", ns)
        fields: list[bytes] = []
        for cid in checkpoint_ids:
            fields += await self.client.zrange(wi_key, f"[{cid}{_SEP}", f"({cid}\x01", bylex=True)
        async with self.client.pipeline(transaction=True) as pipe:
            pipe.zrem(ids_key, *checkpoint_ids)
            pipe.hdel(cp_key, *checkpoint_ids)
            if fields:
                pipe.zrem(wi_key, *fields)
                pipe.hdel(w_key, *fields)
            await pipe.execute()

    # --- the sync API is not offered: the app is async end to end --------------------------

    def get_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        raise NotImplementedError("RedisCheckpointSaver is async-only; use aget_tuple")

    def list(self, config: RunnableConfig | None, **kwargs: Any) -> Iterator[CheckpointTuple]:
        raise NotImplementedError("RedisCheckpointSaver is async-only; use alist")

    def put(self, *args: Any, **kwargs: Any) -> RunnableConfig:
        raise NotImplementedError("RedisCheckpointSaver is async-only; use aput")

    def put_writes(self, *args: Any, **kwargs: Any) -> None:
        raise NotImplementedError("RedisCheckpointSaver is async-only; use aput_writes")


def _matches(metadata: CheckpointMetadata, filter: dict[str, Any] | None) -> bool:
    return not filter or all(metadata.get(key) == value for key, value in filter.items())  # type: ignore[misc]


def _glob_escape(text: str) -> str:
    return "".join(f"\\{ch}" if ch in "*?[]\\" else ch for ch in text)
