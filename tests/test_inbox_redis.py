"""The production inbox on real Redis (TEST_REDIS_URL): Streams, consumer groups, XAUTOCLAIM,
and two app instances sharing it (separate event loops, consumers and Redis lead locks)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from redis.asyncio import Redis

from storage.inbox import RedisStreamInbox
from storage.locks import LeadBusyError, RedisLeadLocks
from tests.conftest import clear_backend_env, make_settings, require_service
from tests.graph_api_fake import GraphApiFake
from tests.webhook_kit import SERVICE_ENV, SilviaThread, post, query, text, wait_for, webhook

pytestmark = pytest.mark.integration
CARLA, BRUNO = "+5581977776666", "+5581966665555"


async def _purge(url: str, prefix: str) -> None:
    client = Redis.from_url(url)
    try:
        keys = [k async for k in client.scan_iter(match=f"{prefix}*")]
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()


@pytest.fixture
def redis_url() -> str:
    return require_service("TEST_REDIS_URL")


@pytest.fixture
async def inbox(redis_url: str) -> AsyncIterator[RedisStreamInbox]:
    prefix = f"test-inbox-{uuid.uuid4().hex[:8]}:"
    box = RedisStreamInbox(redis_url, prefix, reclaim_seconds=0.2)
    yield box
    await box.aclose()
    await _purge(redis_url, prefix)


async def test_put_is_once_per_message_id(inbox: RedisStreamInbox) -> None:
    assert await inbox.put("wamid.1", CARLA, "whatsapp", {"message": {"id": "wamid.1"}})
    assert not await inbox.put("wamid.1", CARLA, "whatsapp", {"message": {"id": "wamid.1"}})
    taken = await inbox.take("a", 10, 0.1)
    assert [e.message_id for e in taken] == ["wamid.1"] and taken[0].payload == {"message": {"id": "wamid.1"}}
    assert await inbox.take("a", 10, 0.1) == []


async def test_head_keeps_arrival_order_across_consumers(inbox: RedisStreamInbox) -> None:
    for n in range(3):
        await inbox.put(f"wamid.c{n}", CARLA, "whatsapp", {"n": n})
    await inbox.put("wamid.b0", BRUNO, "whatsapp", {"n": 0})
    first = await inbox.take("a", 1, 0.1)
    second = await inbox.take("b", 3, 0.1)
    assert [e.message_id for e in first + second] == ["wamid.c0", "wamid.c1", "wamid.c2", "wamid.b0"]
    head = await inbox.head(CARLA)
    assert head is not None and head.message_id == "wamid.c0"  # even for consumer b
    await inbox.done(first[0])
    assert (await inbox.head(CARLA)).message_id == "wamid.c1"  # type: ignore[union-attr]
    assert await inbox.counts() == {"pending": 0, "processing": 3, "waiting": 0, "failed": 0}


async def test_pending_lists_a_leads_queue_in_order_with_its_failures(inbox: RedisStreamInbox) -> None:
    for n in range(3):
        await inbox.put(f"wamid.q{n}", CARLA, "whatsapp", {"n": n})
    await inbox.put("wamid.other", BRUNO, "whatsapp", {"n": 9})
    first, *_ = await inbox.take("a", 4, 0.1)
    await inbox.retry_in(first, 30, "a failed turn", failed=True)
    queued = await inbox.pending(CARLA, 2)
    assert [(e.message_id, e.payload, e.failures) for e in queued] == [
        ("wamid.q0", {"n": 0}, 1),
        ("wamid.q1", {"n": 1}, 0),
    ]
    await inbox.done(queued[1])  # a settled entry leaves the lead's queue
    assert [e.message_id for e in await inbox.pending(CARLA, 10)] == ["wamid.q0", "wamid.q2"]
    assert await inbox.pending("+5581900000000", 10) == []


async def test_a_crashed_consumers_entry_is_reclaimed(inbox: RedisStreamInbox) -> None:
    await inbox.put("wamid.crash", CARLA, "whatsapp", {"raw": True})
    taken = await inbox.take("dies", 1, 0.1)
    assert taken[0].failures == 0  # ... and "dies" never acknowledges it
    assert await inbox.take("survivor", 1, 0.05) == []  # not idle long enough yet
    await asyncio.sleep(0.3)
    reclaimed = await inbox.take("survivor", 1, 0.1)
    # A crash is no failure of the turn: nothing counts it (redelivery is read from the checkpoint).
    assert [e.message_id for e in reclaimed] == ["wamid.crash"] and reclaimed[0].failures == 0
    assert reclaimed[0].payload == {"raw": True}
    await inbox.done(reclaimed[0])
    await asyncio.sleep(0.3)
    assert await inbox.take("survivor", 1, 0.1) == [] and await inbox.head(CARLA) is None


async def test_a_retry_is_not_handed_out_before_it_is_due(inbox: RedisStreamInbox) -> None:
    await inbox.put("wamid.later", CARLA, "whatsapp", {"raw": True})
    entry = (await inbox.take("w", 1, 0.1))[0]
    await inbox.retry_in(entry, 0.6, "database down", failed=False)
    assert (await inbox.counts())["waiting"] == 1
    await asyncio.sleep(0.3)  # reclaim_seconds (0.2) has passed, the retry is not due yet
    assert await inbox.take("w", 1, 0.05) == []
    await asyncio.sleep(0.5)
    again = await inbox.take("other", 1, 0.1)
    assert [e.message_id for e in again] == ["wamid.later"] and again[0].failures == 0


async def test_parked_entries_can_be_listed_retried_and_dropped(inbox: RedisStreamInbox) -> None:
    await inbox.put("wamid.bad", CARLA, "whatsapp", {"raw": "payload"})
    entry = (await inbox.take("w", 1, 0.1))[0]
    await inbox.retry_in(entry, 0, "boom", failed=True)
    assert entry.failures == 1
    entry = (await inbox.take("w", 1, 0.1))[0]
    assert entry.failures == 1  # counted in Redis, not in memory
    await inbox.park(entry, "boom")
    assert await inbox.head(CARLA) is None and (await inbox.counts())["failed"] == 1
    [parked] = await inbox.parked()
    assert (parked.message_id, parked.phone, parked.payload, parked.error) == (
        "wamid.bad",
        CARLA,
        {"raw": "payload"},
        "boom",
    )
    assert await inbox.unpark("wamid.bad") and not await inbox.unpark("wamid.bad")
    requeued = (await inbox.take("w", 1, 0.1))[0]
    assert requeued.message_id == "wamid.bad" and requeued.entry_id > entry.entry_id
    assert requeued.failures == 0
    await inbox.park(requeued, "again")
    assert await inbox.drop("wamid.bad") and await inbox.parked() == []
    assert not await inbox.put("wamid.bad", CARLA, "whatsapp", {})  # still known to dedup


# --- two app instances sharing the Redis inbox -------------------------------------------------


def test_two_instances_answer_a_burst_once_and_in_order(
    redis_url: str, graph: GraphApiFake, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clear_backend_env(monkeypatch)
    prefix = f"test-webhook-{uuid.uuid4().hex[:8]}:"
    env = {**SERVICE_ENV, **graph.env(), "REDIS_URL": redis_url, "SILVIA_REDIS_PREFIX": prefix}
    graph.delay_for["5581977776666"] = 0.2
    burst = ["oi", "moro em Recife PE", "minha conta vem uns 380 reais", "sim", "quanto custa?"]
    try:
        with (
            SilviaThread(make_settings(tmp_path, **env)) as one,
            SilviaThread(make_settings(tmp_path, **env)) as two,
            httpx.Client(base_url=one.url, timeout=30) as a,
            httpx.Client(base_url=two.url, timeout=30) as b,
        ):
            for n, message in enumerate(burst):  # alternate instances, and Meta retries each once
                payload = webhook([text(CARLA, f"wamid.r{n}", message)], name="Carla")
                assert post(a if n % 2 else b, payload).json()["received"] == 1
                assert post(b if n % 2 else a, payload).json()["duplicates"] == 1
            post(b, webhook([text(BRUNO, "wamid.rb", "oi")], name="Bruno"))
            sql = "SELECT message_received FROM lead_interactions WHERE lead_id = ? ORDER BY id"
            wait_for(lambda: len(query(tmp_path, sql, CARLA)) == len(burst), timeout=60, what="the burst")
            wait_for(lambda: graph.texts(BRUNO), what="Bruno's answer")
            assert b.get("/ready").json()["dependencies"]["redis"]["ok"] is True
        assert [r[0] for r in query(tmp_path, sql, CARLA)] == burst
        assert len(graph.texts(BRUNO)) == 1
    finally:
        asyncio.run(_purge(redis_url, prefix))


async def test_what_a_worker_without_heartbeat_held_is_freed_at_once(redis_url: str) -> None:
    prefix = f"test-reap-{uuid.uuid4().hex[:8]}:"
    inbox = RedisStreamInbox(redis_url, prefix, reclaim_seconds=60)  # far longer than this test
    locks = RedisLeadLocks(Redis.from_url(redis_url), f"{prefix}lock:")
    try:
        await inbox.put("wamid.held", CARLA, "whatsapp", {"raw": True})
        assert [e.message_id for e in await inbox.take("dead-worker", 1, 0.1)] == ["wamid.held"]
        locks.owner = "dead-worker"
        async with locks.hold(CARLA, wait_seconds=0):
            pass
        await locks.client.set(locks.key(CARLA), "dead-worker|abc", px=60_000)  # it died holding it
        assert await inbox.take("survivor", 1, 0.05) == []
        assert await inbox.reclaim_from_dead({"survivor"}, "survivor", quiet_ms=60_000) == 0  # not quiet yet
        assert (
            await inbox.reclaim_from_dead({"dead-worker", "survivor"}, "survivor", quiet_ms=0) == 0
        )  # alive
        assert await inbox.reclaim_from_dead({"survivor"}, "survivor", quiet_ms=0) == 1
        again = await inbox.take("survivor", 1, 0.1)
        assert [e.message_id for e in again] == ["wamid.held"]
        locks.owner = "survivor"
        with pytest.raises(LeadBusyError):
            async with locks.hold(CARLA, wait_seconds=0):
                pass
        assert await locks.reap({"survivor"}) == 1
        async with locks.hold(CARLA, wait_seconds=0):
            assert await locks.reap({"survivor"}) == 0  # our own lock stays
    finally:
        await inbox.aclose()
        await locks.aclose()
        await _purge(redis_url, prefix)
