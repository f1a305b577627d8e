"""Upkeep of the Redis checkpointer's threads: delete, copy, prune and trim history.

A mixin of `RedisCheckpointSaver` (storage/redis/checkpointer.py), kept apart so the saver's
read/write path stays short. Each operation is bounded by the saver's call timeout.
Checkpoints share versioned channel blobs, so removing checkpoints ends with `_collect_blobs`:
a blob no remaining checkpoint refers to is deleted.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING, Any

import ormsgpack
from redis.exceptions import WatchError

if TYPE_CHECKING:
    from redis.asyncio import Redis

_SEP = "\x00"


def blob_fields_of(refs: bytes) -> list[bytes]:
    """The blob fields a checkpoint refers to, from its entry in the refs hash."""
    return [field for field in refs.split(b"\x01") if field]


class CheckpointUpkeep:
    """delete_thread, delete_for_runs, copy_thread, prune, and trimming old checkpoints."""

    client: Redis

    # Provided by RedisCheckpointSaver.
    def _base(self, thread_id: str) -> str: ...
    def _key(self, thread_id: str, part: str, ns: str) -> str: ...
    def _run_key(self, run_id: str) -> str: ...
    def _refresh_in(self, pipe: Any, thread_id: str) -> None: ...
    def thread_keys(self, thread_id: str, namespaces: Sequence[str]) -> list[str]: ...
    def _bounded(self) -> AbstractAsyncContextManager[None]: ...
    async def namespaces(self, thread_id: str) -> list[str]: ...

    async def adelete_thread(self, thread_id: str) -> None:
        namespaces = await self.namespaces(thread_id)
        async with self._bounded():
            run_ids = [run.decode() for run in await self.client.smembers(f"{self._base(thread_id)}:runs")]
            await self.client.delete(*self.thread_keys(thread_id, namespaces))
            # The run index is not the thread's (another slot on a cluster): cleaned on its own.
            for run_id in run_ids:  # drop this thread's entries from the run index too (erasure)
                members = await self.client.smembers(self._run_key(run_id))
                if mine := [m for m in members if ormsgpack.unpackb(m)[0] == thread_id]:
                    await self.client.srem(self._run_key(run_id), *mine)

    async def adelete_for_runs(self, run_ids: Sequence[str]) -> None:
        """Delete the checkpoints (and their writes) that the given runs wrote."""
        touched: set[tuple[str, str]] = set()
        async with self._bounded():
            for run_id in run_ids:
                for member in await self.client.smembers(self._run_key(run_id)):
                    thread_id, ns, checkpoint_id = ormsgpack.unpackb(member)
                    await self._delete_checkpoints(thread_id, ns, [checkpoint_id])
                    touched.add((thread_id, ns))
                await self.client.delete(self._run_key(run_id))
            for thread_id, ns in touched:
                await self._collect_blobs(thread_id, ns)

    async def acopy_thread(self, source_thread_id: str, target_thread_id: str) -> None:
        """DUMP the source's keys, RESTORE them under the target's: the two threads have
        different hash tags, so on a cluster they live on different slots (COPY can't)."""
        namespaces = await self.namespaces(source_thread_id)
        if not namespaces:
            return
        sources = self.thread_keys(source_thread_id, namespaces)
        async with self._bounded(), self.client.pipeline(transaction=True) as pipe:  # one snapshot
            for key in sources:
                pipe.dump(key)
            dumps = await pipe.execute()
        async with self._bounded(), self.client.pipeline(transaction=True) as pipe:
            for key, dumped in zip(self.thread_keys(target_thread_id, namespaces), dumps, strict=True):
                if dumped is None:
                    pipe.delete(key)
                else:
                    pipe.restore(key, 0, dumped, replace=True)
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
                await self.trim(thread_id, ns, keep=1)

    async def trim(self, thread_id: str, ns: str, *, keep: int) -> int:
        """Keep the `keep` newest checkpoints of a namespace; returns how many were removed."""
        async with self._bounded():
            ids = await self.client.zrange(self._key(thread_id, "ids", ns), 0, -keep - 1)
            old = [cid.decode() for cid in ids]
            await self._delete_checkpoints(thread_id, ns, old)
            if old:
                await self._collect_blobs(thread_id, ns)
        return len(old)

    async def _delete_checkpoints(self, thread_id: str, ns: str, checkpoint_ids: Sequence[str]) -> None:
        if not checkpoint_ids:
            return
        ids_key, cp_key = self._key(thread_id, "ids", ns), self._key(thread_id, "cp", ns)
        w_key, wi_key = self._key(thread_id, "w", ns), self._key(thread_id, "wi", ns)
        refs_key = self._key(thread_id, "refs", ns)
        fields: list[bytes] = []
        for cid in checkpoint_ids:
            fields += await self.client.zrange(wi_key, f"[{cid}{_SEP}", f"({cid}\x01", bylex=True)
        async with self.client.pipeline(transaction=True) as pipe:
            pipe.zrem(ids_key, *checkpoint_ids)
            pipe.hdel(cp_key, *checkpoint_ids)
            pipe.hdel(refs_key, *checkpoint_ids)
            if fields:
                pipe.zrem(wi_key, *fields)
                pipe.hdel(w_key, *fields)
            await pipe.execute()

    async def _collect_blobs(self, thread_id: str, ns: str) -> None:
        """Delete the channel blobs that no remaining checkpoint of the namespace refers to.

        Runs in a WATCH transaction on the refs hash: a checkpoint written meanwhile (which may
        refer to a blob we are about to drop) makes us look again.
        """
        refs_key, blobs_key = self._key(thread_id, "refs", ns), self._key(thread_id, "blobs", ns)
        async with self.client.pipeline(transaction=True) as pipe:
            while True:
                try:
                    await pipe.watch(refs_key)
                    referenced: set[bytes] = set()
                    for refs in await pipe.hvals(refs_key):
                        referenced.update(blob_fields_of(refs))
                    unused = [f for f in await pipe.hkeys(blobs_key) if f not in referenced]
                    pipe.multi()
                    if unused:
                        pipe.hdel(blobs_key, *unused)
                    await pipe.execute()
                    return
                except WatchError:  # a checkpoint was written meanwhile: look again
                    continue
