"""The inbox worker: takes messages from the inbox and runs Sílvia's turns, in order per lead.

Several leads are served at once (`concurrency` turns in flight), one lead never twice at
once: each entry is handled under the lead's lock (`storage.locks`; Redis-backed across
processes when `REDIS_URL` is set), and whoever holds the lock answers the lead's oldest
unfinished message first (`Inbox.head`). A slot is only ever spent on running a turn: a lead
whose lock is held, or whose burst is still being typed (api/bursts.py), gives its entry back
to the inbox with a due time and frees the slot. An entry is acknowledged only after its turn
is recorded; a failing turn is retried or parked by the retry policy (api/retry_policy.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
import uuid
from collections.abc import Awaitable, Callable

from opentelemetry.trace import SpanKind

from agent.inbound import Inbound
from agent.state import TurnResult
from api import gateway, meta
from api.bursts import Burst, BurstPlanner, Wait, order
from api.heartbeats import BEAT_SECONDS, BEAT_TTL_SECONDS, Heartbeats
from api.media_url import MediaUrlPolicy
from api.retry_policy import RetryPolicy
from api.turns import Progress, progress_of, run_turn
from ops import tracing
from settings import Settings
from storage.delivery_statuses import DeliveryStatusRepository
from storage.inbox import Inbox, InboxEntry
from storage.locks import LeadBusyError, LeadLocks
from wiring import Silvia

log = logging.getLogger(__name__)

TurnListener = Callable[[InboxEntry, TurnResult | None], Awaitable[None]]
BUSY_RETRY_SECONDS = 0.5  # a lead whose turn runs elsewhere: look again this soon


def consumer_name() -> str:
    """Unique per worker, stable for its life: what Redis lists as the consumer."""
    return f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


class InboxWorker:
    def __init__(
        self,
        silvia: Silvia,
        inbox: Inbox,
        locks: LeadLocks,
        statuses: DeliveryStatusRepository | None = None,
        *,
        concurrency: int = 4,
        consumer: str | None = None,
        media_urls: MediaUrlPolicy | None = None,
        on_turn: TurnListener | None = None,
        burst_seconds: float = 0.0,
        retry_policy: RetryPolicy | None = None,
        heartbeats: Heartbeats | None = None,
    ) -> None:
        self.silvia = silvia
        self.inbox = inbox
        self.locks = locks
        self.statuses = statuses
        self.concurrency = max(1, concurrency)
        self.consumer = consumer or consumer_name()
        self.media_urls = media_urls or MediaUrlPolicy()
        self.on_turn = on_turn
        self.bursts = BurstPlanner(inbox, self.to_inbound, burst_seconds)
        self.policy = retry_policy or RetryPolicy()
        self.heartbeats = heartbeats or Heartbeats()
        if hasattr(locks, "owner"):  # Redis locks carry their holder's name (reaped if it dies)
            locks.owner = self.consumer  # type: ignore[attr-defined]
        self.started_at = time.time()
        self._tasks: set[asyncio.Task[None]] = set()
        self._slots = asyncio.Semaphore(self.concurrency)

    # --- the loop -------------------------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> None:
        """Take and process entries until `stop` is set; in-flight turns finish first."""
        log.info("inbox worker %s started (%d at a time)", self.consumer, self.concurrency)
        beating = asyncio.create_task(self._beat(stop), name=f"heartbeat:{self.consumer}")
        try:
            while not stop.is_set():
                await self._take_some()
            await self.drain()
        finally:
            beating.cancel()
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await beating
                await self.heartbeats.stopped(self.consumer)

    async def _take_some(self) -> None:
        await self._slots.acquire()
        free = 1 + max(0, self.concurrency - 1 - len(self._tasks))
        try:
            entries = await self.inbox.take(self.consumer, free, wait_seconds=0.5)
        except Exception:
            self._slots.release()
            log.exception("inbox unavailable; retrying in 1 s")
            await asyncio.sleep(1.0)
            return
        if not entries:
            self._slots.release()
            return
        for n, entry in enumerate(entries):
            if n:  # the first entry uses the slot acquired above
                await self._slots.acquire()
            task = asyncio.create_task(self._guarded(entry), name=f"turn:{entry.message_id}")
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _beat(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.heartbeats.beat(self.consumer, len(self._tasks), self.started_at)
                await self._reap_the_dead()
            except Exception as exc:  # Redis away: the worker goes on, /ready shows it missing
                log.warning("heartbeat failed: %r", exc)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), BEAT_SECONDS)

    async def _reap_the_dead(self) -> None:
        """Free what workers without a heartbeat held: their inbox entries and lead locks.
        (Only where workers share Redis; the embedded inbox has one worker, in this process.)"""
        if self.heartbeats.redis is None:
            return
        alive = {w["consumer"] for w in await self.heartbeats.alive()} | {self.consumer}
        quiet_ms = int(BEAT_TTL_SECONDS * 1000)
        freed = 0
        if hasattr(self.inbox, "reclaim_from_dead"):
            freed += await self.inbox.reclaim_from_dead(alive, self.consumer, quiet_ms)  # type: ignore[attr-defined]
        if hasattr(self.locks, "reap"):
            freed += await self.locks.reap(alive)  # type: ignore[attr-defined]
        if freed:
            log.warning("freed %d inbox entries/locks held by workers that stopped beating", freed)

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
            async with self.locks.hold(entry.phone, wait_seconds=0):
                while (head := await self.inbox.head(entry.phone)) is not None:
                    if order(head) > order(entry):
                        break  # ours was finished by whoever held the lock before us
                    mine = head.entry_id == entry.entry_id
                    wait = await self._one(entry if mine else head)
                    if wait is not None and not mine:  # ours waits behind the lead's head
                        await self.inbox.retry_in(
                            entry, wait, "waiting behind an earlier message", failed=False
                        )
                    if wait is not None or mine:
                        return
                await self.inbox.done(entry)  # acknowledge our delivery of it
        except LeadBusyError:
            await self.inbox.retry_in(entry, BUSY_RETRY_SECONDS, "lead busy", failed=False)
        except Exception as exc:  # storage down while reading the head...: the policy decides
            await self._give_back(entry, exc)

    async def _one(self, entry: InboxEntry) -> float | None:
        """One turn, traced as the continuation of the webhook that stored it (ops/tracing.py)."""
        with tracing.traced(
            "inbox dequeue",
            kind=SpanKind.CONSUMER,
            context=tracing.trace_context_of(entry.payload),
            attributes={"messaging.system": "silvia.inbox", **tracing.lead_attributes(entry.phone)},
        ):
            return await self._turn(entry)

    async def _turn(self, entry: InboxEntry) -> float | None:
        """One turn. None when the entry is settled (answered, or parked for a person);
        else the seconds after which it is due again."""
        try:
            inbound = await self.to_inbound(entry)
            progress = await progress_of(self.silvia, inbound, entry.entry_id)
            plan = await self._plan(entry, inbound, progress)
            if not isinstance(plan, Burst):
                await self.inbox.retry_in(
                    entry, plan.seconds, "waiting for the rest of a burst", failed=False
                )
                return plan.seconds
            with tracing.traced(
                "turn",
                attributes={
                    **tracing.lead_attributes(plan.inbound.phone),
                    **tracing.text_attributes(plan.inbound.text),
                },
            ) as span:
                result = await run_turn(self.silvia, plan.inbound, plan.entries[-1].entry_id, progress)
                if result is not None:
                    span.set_attributes(
                        {
                            "silvia.stage": result.stage,
                            "silvia.intent": result.intent,
                            "silvia.replies": len(result.replies),
                        }
                    )
            if result is not None and self.statuses is not None:
                sent = [s.get("message_id") for s in result.state.get("sent") or [] if s.get("ok")]
                await self.statuses.record_sent(plan.inbound.phone, sent)
            for settled in plan.entries:
                await self.inbox.done(settled)
        except Exception as exc:
            return await self._give_back(entry, exc)
        if self.on_turn is not None:
            await self.on_turn(entry, result)
        return None

    async def _plan(self, entry: InboxEntry, inbound: Inbound, progress: Progress) -> Burst | Wait:
        """A burst is only gathered in front of a new turn. An entry whose turn the checkpoint
        shows finished (a crash after the turn, before the inbox heard of it) or half-run is
        settled or resumed alone: merged with the lead's next messages it would be read again."""
        if progress is not Progress.NEW:
            return Burst([entry], inbound)
        return await self.bursts.plan(entry, inbound)

    async def _give_back(self, entry: InboxEntry, exc: Exception) -> float | None:
        decision = self.policy.decide(entry, exc)
        if decision.park:
            entry.failures += int(decision.counts_as_failure)
            log.error("inbox entry %s parked for a person: %s", entry.message_id, decision.reason[:300])
            await self.inbox.park(entry, decision.reason)
            await self._log("inbox_entry_parked", entry, decision.reason)
            return None
        if decision.counts_as_failure:
            log.exception(
                "turn for message %s failed (%d before)", entry.message_id, entry.failures, exc_info=exc
            )
            await self._log("inbox_turn_failed", entry, decision.reason)
        else:
            log.warning(
                "message %s will be retried in %.0f s: %s",
                entry.message_id,
                decision.delay_seconds,
                decision.reason[:300],
            )
        await self.inbox.retry_in(
            entry, decision.delay_seconds, decision.reason, failed=decision.counts_as_failure
        )
        return decision.delay_seconds

    async def to_inbound(self, entry: InboxEntry) -> Inbound:
        if entry.source == "whatsapp":
            return meta.to_inbound(entry.payload)
        return await gateway.to_inbound(entry.payload, self.silvia, self.media_urls)

    async def _log(self, event: str, entry: InboxEntry, error: str) -> None:
        with contextlib.suppress(Exception):  # the database may be the thing that is down
            await self.silvia.leads.log(
                "ERROR",
                event,
                phone=entry.phone,
                details={"message_id": entry.message_id, "failures": entry.failures, "error": error[:500]},
            )


def build_worker(
    settings: Settings,
    silvia: Silvia,
    inbox: Inbox,
    locks: LeadLocks,
    statuses: DeliveryStatusRepository | None,
    heartbeats: Heartbeats,
    concurrency: int | None = None,
) -> InboxWorker:
    """The worker as `silvia serve` and `silvia worker` both run it: same bursts, same retries."""
    policy = RetryPolicy(settings.inbox_retry_hours * 3600, settings.inbox_retry_max_delay_seconds)
    return InboxWorker(
        silvia,
        inbox,
        locks,
        statuses,
        concurrency=concurrency or settings.inbox_concurrency,
        media_urls=MediaUrlPolicy.of(settings),
        burst_seconds=settings.burst_seconds,
        retry_policy=policy,
        heartbeats=heartbeats,
    )


async def run_worker(worker: InboxWorker, stop: asyncio.Event) -> None:
    """`worker.run` for a background task: never dies quietly."""
    try:
        await worker.run(stop)
    except asyncio.CancelledError:
        await worker.drain()
        raise
