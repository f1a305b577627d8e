"""The inbox worker: takes messages from the inbox and runs Sílvia's turns, in order per lead.

Several leads are served at once (`concurrency` turns in flight), one lead never twice at
once: each entry is handled under the lead's lock (`storage.locks`; Redis-backed across
processes when `REDIS_URL` is set), and whoever holds the lock answers the lead's oldest
unfinished message first (`Inbox.head`). An entry is acknowledged only after its turn is
recorded; a failing turn is retried, then parked with its raw payload (`failed`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable

from agent.inbound import Inbound
from agent.state import TurnResult
from api import gateway, meta
from api.bursts import Burst, BurstCollector
from api.inbox import Inbox, InboxEntry
from api.statuses import StatusStore
from api.turns import run_turn
from storage.locks import LeadLocks
from wiring import Silvia

log = logging.getLogger(__name__)

TurnListener = Callable[[InboxEntry, TurnResult | None], Awaitable[None]]


def consumer_name() -> str:
    """Unique per worker, stable for its life: what Redis lists as the consumer."""
    return f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


def _order(entry: InboxEntry) -> tuple[int, ...]:
    """Arrival order: SQLite row ids and Redis stream ids (`ms-seq`) both sort as integers."""
    return tuple(int(part) for part in entry.entry_id.split("-"))


class InboxWorker:
    def __init__(
        self,
        silvia: Silvia,
        inbox: Inbox,
        locks: LeadLocks,
        statuses: StatusStore | None = None,
        *,
        concurrency: int = 4,
        consumer: str | None = None,
        max_media_bytes: int = 10 * 1024 * 1024,
        on_turn: TurnListener | None = None,
        burst_seconds: float = 0.0,
    ) -> None:
        self.silvia = silvia
        self.inbox = inbox
        self.locks = locks
        self.statuses = statuses
        self.concurrency = max(1, concurrency)
        self.consumer = consumer or consumer_name()
        self.max_media_bytes = max_media_bytes
        self.on_turn = on_turn
        # A lead's texts this close together are answered as one turn (api/bursts.py).
        self.bursts = BurstCollector(inbox, self.to_inbound, burst_seconds)
        self._tasks: set[asyncio.Task[None]] = set()
        self._slots = asyncio.Semaphore(self.concurrency)

    # --- the loop -------------------------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> None:
        """Take and process entries until `stop` is set; in-flight turns finish first."""
        log.info("inbox worker %s started (%d at a time)", self.consumer, self.concurrency)
        while not stop.is_set():
            await self._slots.acquire()
            free = 1 + self._free_slots()
            try:
                entries = await self.inbox.take(self.consumer, free, wait_seconds=0.5)
            except Exception:
                self._slots.release()
                log.exception("inbox unavailable; retrying in 1 s")
                await asyncio.sleep(1.0)
                continue
            if not entries:
                self._slots.release()
                continue
            for n, entry in enumerate(entries):
                if n:  # the first entry uses the slot acquired above
                    await self._slots.acquire()
                task = asyncio.create_task(self._guarded(entry), name=f"turn:{entry.message_id}")
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
        await self.drain()

    def _free_slots(self) -> int:
        return max(0, self.concurrency - 1 - len(self._tasks))

    async def drain(self) -> None:
        if self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def _guarded(self, entry: InboxEntry) -> None:
        try:
            await self.process(entry)
        except Exception:
            log.exception("entry %s could not be processed", entry.message_id)
        finally:
            self._slots.release()

    # --- one entry ------------------------------------------------------------------------

    async def process(self, entry: InboxEntry) -> None:
        """Under the lead's lock, answer the lead's messages in order up to this one."""
        try:
            async with self.locks.hold(entry.phone):
                while (head := await self.inbox.head(entry.phone)) is not None:
                    if _order(head) > _order(entry):
                        break  # ours was finished by whoever held the lock before us
                    mine = head.entry_id == entry.entry_id
                    if not await self._one(entry if mine else head) or mine:
                        return  # done, or failed: later messages of this lead wait for it
                await self.inbox.done(entry)  # acknowledge our delivery of it
        except Exception as exc:  # lock not acquired, storage down...: try again later
            log.warning("entry %s postponed: %r", entry.message_id, exc)
            await self.inbox.retry_later(entry, repr(exc))

    async def _one(self, entry: InboxEntry) -> bool:
        """One turn; True when it is recorded and the entry acknowledged."""
        burst = Burst([entry], Inbound(phone=entry.phone))
        try:
            burst = await self.bursts.collect(entry, await self.to_inbound(entry))
            inbound = burst.inbound
            redelivered = any(e.attempts > 1 for e in burst.entries)
            result = await run_turn(self.silvia, inbound, redelivered=redelivered)
        except Exception as exc:
            log.exception("turn for message %s failed (attempt %d)", entry.message_id, entry.attempts)
            await self._log_failure(entry, exc)
            await self.inbox.retry_later(entry, f"{type(exc).__name__}: {exc}")
            return False
        if result is not None and self.statuses is not None:
            sent = [s.get("message_id") for s in result.state.get("sent") or [] if s.get("ok")]
            await self.statuses.record_sent(inbound.phone, sent)
        for settled in burst.entries:
            await self.inbox.done(settled)
        if self.on_turn is not None:
            await self.on_turn(entry, result)
        return True

    async def to_inbound(self, entry: InboxEntry) -> Inbound:
        if entry.source == "whatsapp":
            return meta.to_inbound(entry.payload)
        return await gateway.to_inbound(entry.payload, self.silvia, self.max_media_bytes)

    async def _log_failure(self, entry: InboxEntry, exc: Exception) -> None:
        with contextlib.suppress(Exception):
            await self.silvia.leads.log(
                "ERROR",
                "inbox_turn_failed",
                phone=entry.phone,
                details={"message_id": entry.message_id, "attempt": entry.attempts, "error": repr(exc)[:500]},
            )


async def run_worker(worker: InboxWorker, stop: asyncio.Event) -> None:
    """`worker.run` for a background task: never dies quietly."""
    try:
        await worker.run(stop)
    except asyncio.CancelledError:
        await worker.drain()
        raise
