"""L1 reply cache, message de-duplication and per-lead locks: in-process twins and Redis.

The same behaviour tests run on both implementations; the Redis ones use TEST_REDIS_URL with
a key prefix of their own (deleted afterwards).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import redis.asyncio as aioredis

from agent.nodes.intake import cache_key, reply_content
from agent.understanding.knowledge import default_knowledge
from storage.cache import InMemoryReplyCache
from storage.locks import (
    InProcessDeduplicator,
    InProcessLeadLocks,
    LeadBusyError,
    RedisDeduplicator,
    RedisLeadLocks,
    build_deduplicator,
    build_lead_locks,
)
from storage.redis.cache import RedisReplyCache, open_reply_cache
from tests.backends import drop_prefix, redis_prefix
from tests.conftest import make_settings, require_service

ENTRY = {"intent": "ask_trust", "replies": [{"template_id": "faq.ask_trust.a", "variables": {}}]}


@asynccontextmanager
async def _redis() -> AsyncIterator[tuple[aioredis.Redis, str]]:
    url = require_service("TEST_REDIS_URL")
    prefix = redis_prefix("prim")
    client = aioredis.Redis.from_url(url)
    try:
        yield client, prefix
    finally:
        await client.aclose()
        drop_prefix(url, prefix)


@pytest.fixture
async def redis_client() -> AsyncIterator[tuple[aioredis.Redis, str]]:
    async with _redis() as pair:
        yield pair


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.integration)])
async def cache(request: pytest.FixtureRequest) -> AsyncIterator[object]:
    if request.param == "memory":
        yield InMemoryReplyCache()
        return
    async with _redis() as (client, prefix):
        yield RedisReplyCache(client, f"{prefix}cache:")


async def test_cache_round_trip_and_expiry(cache) -> None:
    assert await cache.get("k1") is None
    await cache.put("k1", ENTRY, 1)
    assert await cache.get("k1") == ENTRY
    await cache.put("k2", ENTRY, 0)  # ttl 0 = do not cache
    assert await cache.get("k2") is None
    await asyncio.sleep(1.2)
    assert await cache.get("k1") is None


def test_prompt_version_is_part_of_the_cache_key() -> None:
    profile = {"name": "Maria", "city": "Recife", "bill_amount": 380.0}
    casual = cache_key("Como funciona?", "greeted", "v2.0_casual", profile)
    assert casual == cache_key("como funciona", "greeted", "v2.0_casual", profile)  # normalised
    assert casual != cache_key("como funciona", "greeted", "v2.0_premium", profile)
    assert casual != cache_key("como funciona", "plans_presented", "v2.0_casual", profile)


def test_knowledge_base_catalog_facts_and_chosen_plan_are_part_of_the_cache_key() -> None:
    """A knowledge answer is chosen from the knowledge base and filled with catalog facts: a new
    knowledge base or new facts must miss, and so must a lead whose chosen plan selects another
    variant of the answer."""
    deps = SimpleNamespace(topics=None, knowledge_facts={"min_bill_natural": "200"})
    state: dict[str, Any] = {"stage": "plans_presented"}
    content = reply_content(state, deps)  # type: ignore[arg-type]
    assert default_knowledge().version in content and default_knowledge().digest in content
    newer_facts = SimpleNamespace(topics=None, knowledge_facts={"min_bill_natural": "250"})
    assert reply_content(state, newer_facts) != content  # type: ignore[arg-type]
    chose = reply_content({**state, "selected_plan": {"name": "Plus"}}, deps)  # type: ignore[arg-type]
    assert chose != content
    key = cache_key("tem fidelidade?", "plans_presented", "v2.0_casual", {"name": "Ana"}, content)
    assert key != cache_key("tem fidelidade?", "plans_presented", "v2.0_casual", {"name": "Ana"}, chose)


@pytest.mark.integration
async def test_redis_cache_entries_are_json_under_the_prefix(redis_client) -> None:
    client, prefix = redis_client
    cache = RedisReplyCache(client, f"{prefix}cache:")
    await cache.put("abc", ENTRY, 60)
    assert 0 < await client.ttl(f"{prefix}cache:abc") <= 60
    await client.set(f"{prefix}cache:bad", b"\xff not json")
    assert await cache.get("bad") is None  # a corrupt entry is a miss, never an error
    assert await cache.clear() == 2


async def test_cache_failure_is_a_miss_not_an_error(tmp_path: Path) -> None:
    from tests.backends import free_port

    dead = aioredis.Redis.from_url(f"redis://127.0.0.1:{free_port()}/0", socket_connect_timeout=0.2)
    cache = RedisReplyCache(dead)
    assert await cache.get("k") is None
    await cache.put("k", ENTRY, 60)  # logged and skipped
    await dead.aclose()


async def test_factories_pick_in_process_without_redis(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    assert isinstance(build_deduplicator(settings), InProcessDeduplicator)
    assert isinstance(build_lead_locks(settings), InProcessLeadLocks)
    async with open_reply_cache(settings) as cache:
        assert isinstance(cache, InMemoryReplyCache)


@pytest.mark.integration
async def test_factories_pick_redis_with_redis_url(tmp_path: Path, redis_client) -> None:
    _, prefix = redis_client
    settings = make_settings(
        tmp_path, REDIS_URL=require_service("TEST_REDIS_URL"), SILVIA_REDIS_PREFIX=prefix
    )
    dedup, locks = build_deduplicator(settings), build_lead_locks(settings)
    try:
        assert isinstance(dedup, RedisDeduplicator) and dedup.prefix == f"{prefix}seen:"
        assert isinstance(locks, RedisLeadLocks) and locks.prefix == f"{prefix}lock:"
        async with open_reply_cache(settings) as cache:
            assert isinstance(cache, RedisReplyCache) and cache.prefix == f"{prefix}cache:"
    finally:
        await dedup.aclose()
        await locks.aclose()


# --- de-duplication -------------------------------------------------------------------------


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.integration)])
async def dedup(request: pytest.FixtureRequest):
    if request.param == "memory":
        yield InProcessDeduplicator(ttl_seconds=1)
        return
    async with _redis() as (client, prefix):
        yield RedisDeduplicator(client, f"{prefix}seen:", ttl_seconds=1)


async def test_dedup_first_time_only_then_expires(dedup) -> None:
    assert await dedup.first_time("wamid.1") is True
    assert await dedup.first_time("wamid.1") is False
    assert await dedup.first_time("wamid.2") is True
    await dedup.forget("wamid.1")
    assert await dedup.first_time("wamid.1") is True
    await asyncio.sleep(1.2)
    assert await dedup.first_time("wamid.2") is True


async def test_dedup_is_atomic_under_concurrency(dedup) -> None:
    results = await asyncio.gather(*(dedup.first_time("wamid.same") for _ in range(20)))
    assert results.count(True) == 1


# --- per-lead locks -------------------------------------------------------------------------


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.integration)])
async def locks(request: pytest.FixtureRequest):
    if request.param == "memory":
        yield InProcessLeadLocks()
        return
    async with _redis() as (client, prefix):
        yield RedisLeadLocks(client, f"{prefix}lock:", lease_seconds=0.6, wait_seconds=5)


async def test_lock_serialises_one_lead_but_not_two(locks) -> None:
    events: list[str] = []

    async def turn(phone: str, name: str) -> None:
        async with locks.hold(phone):
            events.append(f"{name}+")
            await asyncio.sleep(0.1)
            events.append(f"{name}-")

    await asyncio.gather(turn("+5581", "a"), turn("+5581", "b"))
    assert events in (["a+", "a-", "b+", "b-"], ["b+", "b-", "a+", "a-"])
    events.clear()
    await asyncio.gather(turn("+5581", "a"), turn("+5582", "b"))
    assert events[:2] in (["a+", "b+"], ["b+", "a+"])  # different leads run side by side


@pytest.mark.integration
async def test_lease_is_renewed_while_the_turn_runs(redis_client) -> None:
    client, prefix = redis_client
    locks = RedisLeadLocks(client, f"{prefix}lock:", lease_seconds=0.6, wait_seconds=0.2)
    async with locks.hold("+5581"):
        await asyncio.sleep(1.5)  # 2.5 leases: only renewal keeps it
        assert await client.pttl(f"{prefix}lock:+5581") > 0
        with pytest.raises(LeadBusyError):
            async with locks.hold("+5581"):
                pass
    assert await client.exists(f"{prefix}lock:+5581") == 0  # released on exit


@pytest.mark.integration
async def test_crashed_holder_is_released_by_expiry(redis_client) -> None:
    client, prefix = redis_client
    # What a worker that died mid-turn leaves behind: its token with a lease nobody renews.
    await client.set(f"{prefix}lock:+5581", "token-of-a-dead-worker", px=600)
    other = RedisLeadLocks(client, f"{prefix}lock:", lease_seconds=0.6, wait_seconds=0.1)
    with pytest.raises(LeadBusyError):
        async with other.hold("+5581"):
            pass
    waiting = RedisLeadLocks(client, f"{prefix}lock:", lease_seconds=0.6, wait_seconds=2)
    async with waiting.hold("+5581"):
        assert await client.pttl(f"{prefix}lock:+5581") > 0
