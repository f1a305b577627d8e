"""Sílvia on a Redis Cluster: a private 3-master cluster (`redis-server --cluster-enabled yes`
on free ports) and `REDIS_URL=redis+cluster://host:port`.

The checkpointer (the whole conformance suite), a conversation with crash recovery, the inbox,
lead locks, de-duplication and the reply cache all run on it. A lead's checkpoint keys share
one hash slot, the inbox's keys share another, and no command crosses slots (the cluster would
refuse it with CROSSSLOT).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from langgraph.checkpoint.conformance import checkpointer_test, validate

from agent.inbound import Inbound
from agent.state import Stage
from api.turns import Progress, progress_of, run_turn
from storage.inbox.redis_streams import RedisStreamInbox
from storage.locks import RedisDeduplicator, RedisLeadLocks
from storage.redis.cache import RedisReplyCache
from storage.redis.checkpointer import RedisCheckpointSaver
from storage.redis.client import redis_from_url
from tests.backends import PrivateCluster, private_cluster
from tests.conftest import MARIA, make_settings, require_service
from wiring import open_silvia

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivateCluster]:
    require_service("TEST_REDIS_URL")  # where Redis is expected, redis-server is too
    with private_cluster(tmp_path_factory.mktemp("cluster")) as running:
        yield running


def _prefix() -> str:
    return f"silvia-{uuid.uuid4().hex[:6]}:"


async def test_the_conformance_suite_passes_on_a_cluster(cluster: PrivateCluster) -> None:
    prefix = _prefix()

    @checkpointer_test(name="RedisCheckpointSaver on a cluster")
    async def factory() -> AsyncIterator[RedisCheckpointSaver]:
        async with RedisCheckpointSaver.from_url(cluster.url, prefix=prefix) as saver:
            yield saver

    report = await validate(factory)
    failures = {cap: r.failures for cap, r in report.results.items() if r.failures or not r.passed}
    assert not failures, failures
    assert sum(result.tests_passed for result in report.results.values()) >= 81


async def test_a_conversation_lives_in_one_slot_and_recovers_from_a_crash(
    tmp_path: Path, cluster: PrivateCluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    prefix, phone = _prefix(), "+5581977001234"
    settings = make_settings(tmp_path, REDIS_URL=cluster.url, SILVIA_REDIS_PREFIX=prefix)
    async with open_silvia(settings) as silvia:
        await silvia.leads.upsert_lead(MARIA.model_copy(update={"phone": phone}))
        assert (await silvia.say(phone, "oi")).stage == Stage.GREETED

        async def crash(*args: object, **kwargs: object) -> None:
            raise RuntimeError("the process died here")

        real_record = silvia.deps.leads.record_turn
        monkeypatch.setattr(silvia.deps.leads, "record_turn", crash)
        message = Inbound(phone=phone, kind="text", text="sim", message_id="wamid.cluster.1")
        with pytest.raises(RuntimeError):
            await run_turn(silvia, message, "1-0")
        monkeypatch.setattr(silvia.deps.leads, "record_turn", real_record)
        assert await progress_of(silvia, message, "1-0") is Progress.INTERRUPTED
        result = await run_turn(silvia, message, "1-0")  # the redelivery: same inbox entry
        assert result is not None and result.stage == Stage.PLANS_PRESENTED
        assert (await silvia.say(phone, "como funciona?")).replies  # answered from the L1 cache or not

        client = silvia.graph.checkpointer.client
        keys = [k async for k in client.scan_iter(match=f"{prefix}cp:*{phone}*")]
        slots = {await client.cluster_keyslot(key) for key in keys}
        assert len(keys) >= 5 and len(slots) == 1
        await silvia.graph.checkpointer.adelete_thread(f"lead:{phone}")
        assert await silvia.state(phone) == {}


async def test_inbox_locks_dedup_and_cache_work_on_a_cluster(cluster: PrivateCluster) -> None:
    prefix = _prefix()
    inbox = RedisStreamInbox(cluster.url, prefix, reclaim_seconds=0.2)
    client = redis_from_url(cluster.url)
    try:
        assert await inbox.put("wamid.a", MARIA.phone, "meta", {"n": 1})
        assert not await inbox.put("wamid.a", MARIA.phone, "meta", {"n": 1})  # a duplicate
        assert await inbox.put("wamid.b", MARIA.phone, "meta", {"n": 2})
        taken = await inbox.take("consumer-1", 10, 0.1)
        assert [e.message_id for e in taken] == ["wamid.a", "wamid.b"]
        head = await inbox.head(MARIA.phone)
        assert head is not None and head.message_id == "wamid.a"
        await inbox.done(head)
        head = await inbox.head(MARIA.phone)
        assert head is not None and head.message_id == "wamid.b"

        locks = RedisLeadLocks(client, f"{prefix}lock:")
        async with locks.hold(MARIA.phone):
            assert await client.exists(locks.key(MARIA.phone))
        assert not await client.exists(locks.key(MARIA.phone))

        seen = RedisDeduplicator(client, f"{prefix}seen:")
        assert await seen.first_time("wamid.c") and not await seen.first_time("wamid.c")

        cache = RedisReplyCache(client, f"{prefix}cache:")
        for n in range(20):  # keys spread over the three masters
            await cache.put(f"k{n}", {"replies": [n]}, 60)
        assert await cache.get("k7") == {"replies": [7]}
        assert await cache.clear() == 20
    finally:
        await inbox.aclose()
        await client.aclose()
