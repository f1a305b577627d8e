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
  B:cp:N      HASH  checkpoint id -> packed (type, checkpoint without its channel values,
                    metadata, parent id)
  B:refs:N    HASH  checkpoint id -> the blob fields of its channel values, joined by \\1
  B:blobs:N   HASH  "<channel>\\0<version>" -> packed channel value, shared by every checkpoint
                    that holds that version (a value is stored once, not once per checkpoint)
  B:w:N       HASH  "<checkpoint id>\\0<task id>\\0<idx>" -> packed pending write
  B:wi:N      ZSET  the same field names, so one checkpoint's writes are a range query
  B:runs      SET   run ids that wrote checkpoints here (to clean the run index on delete)
  <prefix>run:R  SET  packed (thread, namespace, checkpoint id) written by run R
"""

from __future__ import annotations

import asyncio
import heapq
import zlib
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

from storage.redis.checkpoint_upkeep import CheckpointUpkeep
from storage.redis.client import redis_from_url
from storage.redis.scripts import PUT, PUT_WRITES, READ, REFRESH

DEFAULT_PREFIX = "silvia:cp:"
DEFAULT_TTL_SECONDS = 30 * 24 * 3600
_SEP = "\x00"
_REF_SEP = "\x01"
_PARTS = ("ids", "cp", "w", "wi", "refs", "blobs")
COMPRESS_FROM_BYTES = 512
_COMPRESSED = b"Z"
_PUT_PARTS = ("ids", "cp", "refs", "blobs", "w", "wi")  # the order the PUT script expects


def pack_blob(value: list[Any]) -> bytes:
    """msgpack, and zlib on top for a large value (the conversation history compresses ~3x).

    A packed list starts with a msgpack array byte (0x90-0x9f, 0xdc, 0xdd), never with "Z",
    so blobs written before compression existed are still read.
    """
    packed = ormsgpack.packb(value)
    if len(packed) < COMPRESS_FROM_BYTES:
        return packed
    return _COMPRESSED + zlib.compress(packed, 6)


def unpack_blob(blob: bytes) -> Any:
    if blob[:1] == _COMPRESSED:
        return ormsgpack.unpackb(zlib.decompress(blob[1:]))
    return ormsgpack.unpackb(blob)


def _idx_key(idx: int) -> str:
    # Fixed width keeps the lexicographic order of a checkpoint's writes stable.
    return f"{idx:+012d}"


class RedisCheckpointSaver(CheckpointUpkeep, BaseCheckpointSaver[str]):
    """Async LangGraph checkpointer on a `redis.asyncio.Redis` client (bytes, not decoded).

    `keep_checkpoints` is the retention policy (docs/decisions/0003-redis-memory-per-lead.md):
    every write keeps only that many newest checkpoints per namespace (older ones go with their
    unused blobs) and only the newest checkpoint's pending writes. None keeps everything.
    `call_timeout` bounds each call (see `_bounded`); None leaves it to the client.
    """

    def __init__(
        self,
        client: Redis,
        *,
        prefix: str = DEFAULT_PREFIX,
        ttl_seconds: int | None = DEFAULT_TTL_SECONDS,
        serde: SerializerProtocol | None = None,
        keep_checkpoints: int | None = None,
        call_timeout: float | None = None,
    ) -> None:
        super().__init__(serde=serde)
        self.client = client
        self.prefix = prefix
        self.ttl_seconds = ttl_seconds
        self.keep_checkpoints = keep_checkpoints
        self.call_timeout = call_timeout
        self._read = client.register_script(READ)
        self._put = client.register_script(PUT)
        self._put_writes = client.register_script(PUT_WRITES)

    @classmethod
    @asynccontextmanager
    async def from_url(
        cls,
        url: str,
        *,
        prefix: str = DEFAULT_PREFIX,
        ttl_seconds: int | None = DEFAULT_TTL_SECONDS,
        socket_timeout: float = 5.0,
        keep_checkpoints: int | None = None,
    ) -> AsyncIterator[RedisCheckpointSaver]:
        """A saver on its own client; a timeout raises instead of hanging a turn forever.

        The client has no socket timeout: the saver bounds each call itself (`_bounded`).
        """
        client = redis_from_url(url, socket_timeout=None, socket_connect_timeout=socket_timeout)
        try:
            yield cls(
                client,
                prefix=prefix,
                ttl_seconds=ttl_seconds,
                keep_checkpoints=keep_checkpoints,
                call_timeout=socket_timeout,
            )
        finally:
            await client.aclose()

    @asynccontextmanager
    async def _bounded(self) -> AsyncIterator[None]:
        """Bound a call by `call_timeout`; after a connection failure, drop every pooled connection.

        One `asyncio.timeout` around the call instead of redis-py's socket timeout, which wraps
        every send in `asyncio.wait_for`: on Python 3.11 one more task per command, ~3.5 % of a
        template turn's instructions. A call cut short is cancelled, and redis-py closes a
        connection whose command was cancelled. Pooled connections that were idle when Redis
        died are dead too; left in the pool they would fail the first turns after Redis comes
        back (redis-py does not retry those inside a MULTI), so the next call connects afresh.
        """
        try:
            async with asyncio.timeout(self.call_timeout):
                yield
        except (RedisConnectionError, RedisTimeoutError):
            await self.client.connection_pool.disconnect()
            raise
        except TimeoutError as exc:
            await self.client.connection_pool.disconnect()
            raise RedisTimeoutError(f"Redis did not answer within {self.call_timeout} s") from exc

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
        async with self._bounded():
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
        stored = {**checkpoint, "channel_values": {}}
        record = ormsgpack.packb(
            [
                *self.serde.dumps_typed(stored),
                *self.serde.dumps_typed(full_metadata),
                configurable.get("checkpoint_id"),
            ]
        )
        if run_id := full_metadata.get("run_id"):
            await self._index_run(str(run_id), thread_id, ns, checkpoint_id)
        fields = self._blob_fields(checkpoint)
        keys = [self._ns_key(thread_id), *(self._key(thread_id, part, ns) for part in _PUT_PARTS)]
        head: list[Any] = [ns, checkpoint_id, record, _REF_SEP.join(fields), self.ttl_seconds or 0]
        head += [self.keep_checkpoints or 0, self._base(thread_id)]
        send_in_full = {channel for channel in fields.values() if channel in new_versions}
        async with self._bounded():
            result = await self._put(keys=keys, args=head + self._blob_args(checkpoint, fields, send_in_full))
            if isinstance(result, list):  # an unchanged value was not stored: send those too
                send_in_full |= {fields[field.decode()] for field in result[1:]}
                await self._put(keys=keys, args=head + self._blob_args(checkpoint, fields, send_in_full))
        return self._config(thread_id, ns, checkpoint_id)

    @staticmethod
    def _blob_fields(checkpoint: Checkpoint) -> dict[str, str]:
        """Blob field ("<channel>\0<version>") → channel, for each channel value of the checkpoint."""
        versions = checkpoint["channel_versions"]
        return {
            f"{channel}{_SEP}{versions.get(channel, '')}": channel for channel in checkpoint["channel_values"]
        }

    def _blob_args(self, checkpoint: Checkpoint, fields: dict[str, str], in_full: set[str]) -> list[Any]:
        """(field, packed value) for the values to store; the rest are named only in the refs."""
        args: list[Any] = []
        values = checkpoint["channel_values"]
        for field, channel in fields.items():
            if channel in in_full:
                args += [field, pack_blob([channel, *self.serde.dumps_typed(values[channel])])]
        return args

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
        args: list[Any] = [ns, self.ttl_seconds or 0, self._base(thread_id)]
        for position, (channel, value) in enumerate(writes):
            idx = WRITES_IDX_MAP.get(channel, position)
            field = _SEP.join((checkpoint_id, task_id, _idx_key(idx)))
            packed = ormsgpack.packb([task_id, channel, *self.serde.dumps_typed(value), task_path])
            args += [field, packed, b"0" if idx >= 0 else b"1"]  # special channels overwrite
        keys = [self._ns_key(thread_id), self._key(thread_id, "w", ns), self._key(thread_id, "wi", ns)]
        async with self._bounded():
            await self._put_writes(keys=keys, args=args)

    async def _index_run(self, run_id: str, thread_id: str, ns: str, checkpoint_id: str) -> None:
        """Remember which checkpoints a run wrote (for `delete_for_runs`).

        The run key is not the thread's (a run may span threads), so on a cluster it lives in
        another slot: it is written on its own, before the checkpoint, so it never misses one.
        """
        async with self._bounded():
            await self.client.sadd(self._run_key(run_id), ormsgpack.packb([thread_id, ns, checkpoint_id]))
            await self.client.sadd(f"{self._base(thread_id)}:runs", run_id)
            if self.ttl_seconds:
                await self.client.expire(self._run_key(run_id), self.ttl_seconds)

    # --- reading (errors propagate: a failed read must never look like "no state") -------

    def _tuple(self, thread_id: str, ns: str, checkpoint_id: str, result: Sequence[Any]) -> CheckpointTuple:
        """Decode what READ returned: record, writes, then the record's channel blobs in order."""
        record, write_count = result[1], int(result[2])
        writes, blobs = result[3 : 3 + write_count], result[3 + write_count :]
        cp_type, cp_data, meta_type, meta_data, parent_id = ormsgpack.unpackb(record)
        checkpoint = self.serde.loads_typed((cp_type, cp_data))
        for index, blob in enumerate(blobs):
            if blob is None:  # never silently drop part of the state
                raise LookupError(f"checkpoint {checkpoint_id} of {thread_id}: value {index} is missing")
            channel, value_type, value_data = unpack_blob(blob)
            checkpoint["channel_values"][channel] = self.serde.loads_typed((value_type, value_data))
        pending = []
        for raw in writes:
            task_id, channel, value_type, value_data, _path = ormsgpack.unpackb(raw)
            pending.append((task_id, channel, self.serde.loads_typed((value_type, value_data))))
        return CheckpointTuple(
            config=self._config(thread_id, ns, checkpoint_id),
            checkpoint=checkpoint,
            metadata=self.serde.loads_typed((meta_type, meta_data)),
            parent_config=self._config(thread_id, ns, parent_id) if parent_id else None,
            pending_writes=pending,
        )

    @staticmethod
    def _config(thread_id: str, ns: str, checkpoint_id: str) -> RunnableConfig:
        return {"configurable": {"thread_id": thread_id, "checkpoint_ns": ns, "checkpoint_id": checkpoint_id}}

    async def _read_one(self, thread_id: str, ns: str, checkpoint_id: str) -> CheckpointTuple | None:
        keys = [self._key(thread_id, part, ns) for part in ("ids", "cp", "wi", "w", "refs", "blobs")]
        async with self._bounded():
            result = await self._read(keys=keys, args=[checkpoint_id])
        if not result:
            return None
        return self._tuple(thread_id, ns, result[0].decode(), result)

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
        async with self._bounded(), self.client.pipeline(transaction=False) as pipe:
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
