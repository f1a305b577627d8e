"""De-duplication and per-lead locks: the primitives the webhook service and scheduler use.

Two interfaces with in-process twins for the embedded default; the Redis implementations
(set-if-absent with TTL, a lease renewed while a turn runs) live beside them and are chosen by
`build_deduplicator` / `build_lead_locks` from settings.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections import OrderedDict
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import TYPE_CHECKING, Protocol

from redis.exceptions import LockError

from storage.redis.client import AnyRedis, redis_from_url

if TYPE_CHECKING:
    from settings import Settings

log = logging.getLogger(__name__)

DEDUP_TTL_SECONDS = 7 * 24 * 3600  # Meta retries a webhook for up to 7 days
LOCK_LEASE_SECONDS = 15.0  # how long a crashed holder blocks the lead; renewed while alive
LOCK_WAIT_SECONDS = 60.0  # how long a second message waits for the lead's current turn


_DELETE_IF_SAME = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class LeadBusyError(RuntimeError):
    """The lead's lock could not be taken in time (another turn is still running)."""


class MessageDeduplicator(Protocol):
    async def first_time(self, message_id: str) -> bool:
        """True the first time a WhatsApp message id is seen (within the TTL), else False."""
        ...

    async def forget(self, message_id: str) -> None:
        """Let a message id be processed again (e.g. when persisting it failed)."""
        ...

    async def aclose(self) -> None:
        """Release connections (a no-op in-process)."""
        ...


class LeadLocks(Protocol):
    def hold(self, phone: str, wait_seconds: float | None = None) -> AbstractAsyncContextManager[None]:
        """Exclusive access to one lead's thread while a turn runs (raises `LeadBusyError`
        if it cannot be had within `wait_seconds`; None = the implementation's default; 0 = at
        once or not at all, so the inbox worker never spends a slot waiting for a busy lead)."""
        ...

    async def aclose(self) -> None:
        """Release connections (a no-op in-process)."""
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

    async def aclose(self) -> None:
        self._seen.clear()


class InProcessLeadLocks:
    """One asyncio.Lock per lead, dropped when nobody holds or waits for it."""

    def __init__(self) -> None:
        self._locks: dict[str, asyncio.Lock] = {}
        self._users: dict[str, int] = {}

    @asynccontextmanager
    async def hold(self, phone: str, wait_seconds: float | None = None) -> AsyncIterator[None]:
        lock = self._locks.setdefault(phone, asyncio.Lock())
        if wait_seconds == 0 and lock.locked():  # someone holds it, so the entry stays in the map
            raise LeadBusyError(f"lead …{phone[-4:]} is busy")
        self._users[phone] = self._users.get(phone, 0) + 1
        try:
            async with lock:
                yield
        finally:
            self._users[phone] -= 1
            if not self._users[phone]:
                del self._users[phone], self._locks[phone]

    async def aclose(self) -> None:
        """Nothing to release (the locks live and die with the process)."""


class RedisDeduplicator:
    """Seen message ids as `SET key 1 NX EX ttl`: atomic across workers and restarts."""

    def __init__(
        self, client: AnyRedis, prefix: str = "silvia:seen:", ttl_seconds: int = DEDUP_TTL_SECONDS
    ) -> None:
        self.client = client
        self.prefix = prefix
        self.ttl_seconds = ttl_seconds

    async def first_time(self, message_id: str) -> bool:
        return bool(await self.client.set(f"{self.prefix}{message_id}", 1, nx=True, ex=self.ttl_seconds))

    async def forget(self, message_id: str) -> None:
        await self.client.delete(f"{self.prefix}{message_id}")

    async def aclose(self) -> None:
        await self.client.aclose()


class RedisLeadLocks:
    """A per-lead lease (redis-py's token lock) renewed while the turn runs.

    The lease is short so a crashed worker blocks the lead for at most `lease_seconds`; a live
    one keeps it by re-acquiring the lease every `lease_seconds / 3`. Release only deletes
    the key if it still holds our token, so an expired holder never frees someone else's lock.
    """

    def __init__(
        self,
        client: AnyRedis,
        prefix: str = "silvia:lock:",
        lease_seconds: float = LOCK_LEASE_SECONDS,
        wait_seconds: float = LOCK_WAIT_SECONDS,
    ) -> None:
        self.client = client
        self.prefix = prefix
        self.lease_seconds = lease_seconds
        self.wait_seconds = wait_seconds
        # Who holds a lock is written in its token ("<owner>|<random>"): the inbox worker sets
        # its consumer name, so `reap` can free the locks of a worker whose heartbeat is gone.
        self.owner = ""
        self._delete_if = client.register_script(_DELETE_IF_SAME)

    def key(self, phone: str) -> str:
        return f"{self.prefix}{phone}"

    @asynccontextmanager
    async def hold(self, phone: str, wait_seconds: float | None = None) -> AsyncIterator[None]:
        lock = self.client.lock(self.key(phone), timeout=self.lease_seconds, sleep=0.05, thread_local=False)
        wait = self.wait_seconds if wait_seconds is None else wait_seconds
        token = f"{self.owner}|{uuid.uuid4().hex}"
        acquired = await lock.acquire(
            blocking=wait > 0, blocking_timeout=wait if wait > 0 else None, token=token
        )
        if not acquired:
            raise LeadBusyError(f"lead …{phone[-4:]} is busy (lock not acquired in {wait}s)")
        renewer = asyncio.create_task(self._renew(lock, phone))
        try:
            yield
        finally:
            renewer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewer
            try:
                await lock.release()
            except LockError:  # the lease expired under us: nothing of ours to release
                log.warning("lock of lead …%s had expired before release", phone[-4:])

    async def _renew(self, lock: object, phone: str) -> None:
        while True:
            await asyncio.sleep(self.lease_seconds / 3)
            try:
                await lock.reacquire()  # type: ignore[attr-defined]
            except LockError:
                log.error("lost the lock of lead …%s while its turn was running", phone[-4:])
                return

    async def reap(self, alive: set[str]) -> int:
        """Delete locks whose owner is not among the `alive` workers (it died holding them):
        the lead is free now rather than when the lease lapses. Returns how many were freed."""
        freed = 0
        async for key in self.client.scan_iter(match=f"{self.prefix}*", count=200):
            token = await self.client.get(key)
            owner = (token or b"").decode(errors="replace").partition("|")[0]
            if owner and owner not in alive:
                freed += int(await self._delete_if(keys=[key], args=[token]))
        return freed

    async def aclose(self) -> None:
        await self.client.aclose()


def _redis(settings: Settings) -> AnyRedis:
    return redis_from_url(settings.redis_url, socket_timeout=5.0, socket_connect_timeout=5.0)


def build_deduplicator(settings: Settings) -> MessageDeduplicator:
    """Redis when `REDIS_URL` is set (shared by every worker), else in-process."""
    if settings.redis_url:
        return RedisDeduplicator(_redis(settings), f"{settings.redis_prefix}seen:")
    return InProcessDeduplicator()


def build_lead_locks(settings: Settings) -> LeadLocks:
    """Redis when `REDIS_URL` is set (shared by every worker), else in-process."""
    if settings.redis_url:
        return RedisLeadLocks(_redis(settings), f"{settings.redis_prefix}lock:")
    return InProcessLeadLocks()
