"""The Redis checkpointer on real Redis 7: the official conformance suite and our own promises
(expiry, failures that raise, no KEYS, and a bounded memory per lead).

Conformance and key-layout tests use TEST_REDIS_URL (own key prefix, removed after). Crash,
restart, timeout and no-`KEYS` tests run a private `redis-server` with AOF on a free port.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import ormsgpack
import pytest
import redis
import redis.asyncio
from langgraph.checkpoint.conformance import checkpointer_test, validate
from langgraph.checkpoint.conformance.capabilities import ALL_CAPABILITIES
from langgraph.checkpoint.conformance.test_utils import generate_checkpoint

from agent.state import Stage
from settings import Settings
from storage.checkpointer import open_checkpointer
from storage.redis.checkpointer import DEFAULT_TTL_SECONDS, RedisCheckpointSaver
from tests.backends import drop_prefix, private_redis, redis_prefix
from tests.conftest import MARIA, make_settings, require_service
from wiring import open_silvia

pytestmark = pytest.mark.integration


@pytest.fixture
def redis_url() -> str:
    return require_service("TEST_REDIS_URL")


@pytest.fixture
def prefix(redis_url: str) -> Iterator[str]:
    value = redis_prefix("cp")
    yield value
    drop_prefix(redis_url, value)


def _phone() -> str:
    return f"+55819{uuid.uuid4().int % 10**8:08d}"


async def test_official_conformance_suite_passes_in_full(redis_url: str, prefix: str) -> None:
    @checkpointer_test(name="RedisCheckpointSaver")
    async def factory() -> AsyncIterator[RedisCheckpointSaver]:
        async with RedisCheckpointSaver.from_url(redis_url, prefix=prefix) as saver:
            yield saver

    report = await validate(factory)
    failures = {
        cap: result.failures for cap, result in report.results.items() if result.failures or not result.passed
    }
    assert not failures, failures
    # Every capability, including the optional ones (copy, prune, delete_for_runs), is implemented.
    assert set(report.results) == {cap.value for cap in ALL_CAPABILITIES}
    assert all(result.detected for result in report.results.values())
    assert sum(result.tests_passed for result in report.results.values()) >= 81


def test_default_thread_ttl_is_thirty_days() -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.thread_ttl_days == 30
    assert DEFAULT_TTL_SECONDS == 30 * 86_400


async def _thread_keys(client: redis.asyncio.Redis, prefix: str, phone: str) -> list[bytes]:
    return [key async for key in client.scan_iter(match=f"{prefix}*{phone}*", count=1000)]


async def test_keys_carry_the_prefix_and_expiry_is_refreshed_every_turn(
    tmp_path: Path, redis_url: str, prefix: str
) -> None:
    phone = _phone()
    settings = make_settings(
        tmp_path, REDIS_URL=redis_url, SILVIA_REDIS_PREFIX=prefix, SILVIA_THREAD_TTL_DAYS="2"
    )
    client = redis.asyncio.Redis.from_url(redis_url)
    try:
        async with open_silvia(settings) as silvia:
            await silvia.leads.upsert_lead(MARIA.model_copy(update={"phone": phone}))
            await silvia.say(phone, "oi")
            # Every key in the database that mentions this lead is under our prefix.
            everywhere = [k async for k in client.scan_iter(match=f"*{phone}*", count=1000)]
            assert everywhere and all(k.decode().startswith(prefix) for k in everywhere)
            keys = await _thread_keys(client, f"{prefix}cp:", phone)
            assert len(keys) >= 5
            for key in keys:
                assert 2 * 86_400 - 60 < await client.ttl(key) <= 2 * 86_400
                await client.expire(key, 100)  # as if the lead had been quiet for ~2 days
            result = await silvia.say(phone, "sim")
            assert result.stage == Stage.PLANS_PRESENTED  # the state was still there
            for key in await _thread_keys(client, f"{prefix}cp:", phone):
                assert await client.ttl(key) > 2 * 86_400 - 60, key  # refreshed, old keys too
    finally:
        await client.aclose()


async def test_thread_expires_after_idle_ttl(redis_url: str, prefix: str) -> None:
    async with RedisCheckpointSaver.from_url(redis_url, prefix=prefix, ttl_seconds=1) as saver:
        config = {"configurable": {"thread_id": "lead:+5581000000001", "checkpoint_ns": ""}}

        stored = await saver.aput(config, generate_checkpoint(), {"step": 0}, {})
        await saver.aput_writes(stored, [("ch", "v")], "task-1")
        assert await saver.aget_tuple(config) is not None
        await asyncio.sleep(2.2)
        assert await saver.aget_tuple(config) is None
        assert [k async for k in saver.client.scan_iter(match=f"{prefix}*")] == []


async def test_broken_connection_raises_and_restart_keeps_the_conversation(tmp_path: Path) -> None:
    """Kill Redis mid-conversation: the turn fails loudly; restarted (AOF), the lead goes on."""
    phone = _phone()
    with private_redis(tmp_path / "redis") as server:
        settings = make_settings(tmp_path / "app", REDIS_URL=server.url)
        async with open_silvia(settings) as silvia:
            await silvia.leads.upsert_lead(MARIA.model_copy(update={"phone": phone}))
            await silvia.say(phone, "oi")
            assert (await silvia.say(phone, "sim")).stage == Stage.PLANS_PRESENTED
            assert silvia.sandbox is not None
            sent_before = len(silvia.sandbox.sent(phone))

            server.kill()
            with pytest.raises(redis.exceptions.ConnectionError):
                await silvia.say(phone, "quero o plus")
            with pytest.raises(redis.exceptions.ConnectionError):
                await silvia.state(phone)  # never an empty state that restarts the funnel
            assert len(silvia.sandbox.sent(phone)) == sent_before  # nothing went out

            server.start()  # same port, same directory: the AOF is replayed
            result = await silvia.say(phone, "quero o plus")
            assert result.stage == Stage.DOCUMENT_REQUESTED and "Plano Plus" in result.texts[0]

        async with open_silvia(settings) as again:  # a fresh process sees the same memory
            state = await again.state(phone)
            assert state["stage"] == Stage.DOCUMENT_REQUESTED
            assert state["selected_plan"]["id"] == "plus"


async def test_a_read_that_times_out_raises(tmp_path: Path) -> None:
    with private_redis(tmp_path / "redis") as server:
        async with RedisCheckpointSaver.from_url(server.url, socket_timeout=0.3) as saver:
            config = {"configurable": {"thread_id": "lead:+5581000000002", "checkpoint_ns": ""}}
            assert await saver.aget_tuple(config) is None  # reachable and empty: None is right
            pauser = server.client()
            pauser.execute_command("CLIENT", "PAUSE", "2000", "ALL")
            try:
                with pytest.raises(redis.exceptions.TimeoutError):
                    await saver.aget_tuple(config)
            finally:
                pauser.execute_command("CLIENT", "UNPAUSE")
                pauser.close()


async def test_delete_thread_works_where_keys_is_disabled(tmp_path: Path) -> None:
    """`KEYS` renamed away (as hardened production servers do): delete_thread still works."""
    with private_redis(tmp_path / "redis", "--rename-command", "KEYS", "") as server:
        settings = make_settings(tmp_path / "app", REDIS_URL=server.url)
        async with open_silvia(settings) as silvia:
            for phone in (MARIA.phone, "+5581977770000"):
                await silvia.leads.upsert_lead(MARIA.model_copy(update={"phone": phone}))
                await silvia.say(phone, "oi")
            with pytest.raises(redis.exceptions.ResponseError):
                await silvia.graph.checkpointer.client.keys("*")
            await silvia.graph.checkpointer.adelete_thread(f"lead:{MARIA.phone}")
            assert (await silvia.state(MARIA.phone)) == {}
            assert (await silvia.state("+5581977770000"))["stage"] == Stage.GREETED
        client = server.client()
        leftovers = [k for k in client.scan_iter(match=f"*{MARIA.phone}*")]
        client.close()
        assert leftovers == []


async def test_open_checkpointer_refuses_an_unreachable_redis(tmp_path: Path) -> None:
    from tests.backends import free_port

    settings = make_settings(tmp_path, REDIS_URL=f"redis://127.0.0.1:{free_port()}/0")
    with pytest.raises(redis.exceptions.ConnectionError):
        async with open_checkpointer(settings):
            pass


# --- memory per lead: values stored once, history trimmed, nothing lost -----------------------

CHATTY_LEAD = ["oi", "sim", "como funciona?", "tem fidelidade?", "quero o plus", "qual o desconto?"]


async def _talk(tmp_path: Path, redis_url: str, prefix: str, phone: str, **env: str) -> RedisCheckpointSaver:
    settings = make_settings(tmp_path, REDIS_URL=redis_url, SILVIA_REDIS_PREFIX=prefix, **env)
    async with open_silvia(settings) as silvia:
        await silvia.leads.upsert_lead(MARIA.model_copy(update={"phone": phone}))
        for text in CHATTY_LEAD:
            await silvia.say(phone, text)
        assert (await silvia.state(phone))["selected_plan"]["id"] == "plus"
        saver = silvia.graph.checkpointer
        assert isinstance(saver, RedisCheckpointSaver)
        return saver


def _base(prefix: str, phone: str) -> str:
    return f"{prefix}cp:{{lead:{phone}}}"


async def test_an_unchanged_value_is_stored_once_not_once_per_checkpoint(
    tmp_path: Path, redis_url: str, prefix: str
) -> None:
    phone = _phone()
    await _talk(tmp_path, redis_url, prefix, phone, SILVIA_CHECKPOINT_HISTORY="1000")
    client = redis.asyncio.Redis.from_url(redis_url)
    try:
        base = _base(prefix, phone)
        checkpoints = await client.zcard(f"{base}:ids:")
        phone_blobs = [f async for f in client.hscan_iter(f"{base}:blobs:", match="phone\x00*")]
        # ~10 checkpoints a turn; the phone is written once a turn, so stored once a turn.
        assert checkpoints > 30 and len(phone_blobs) <= len(CHATTY_LEAD)
        # Every checkpoint refers to its ~15 channel values, but few of them are new at each step.
        references = sum(len(r.split(b"\x01")) for r in await client.hvals(f"{base}:refs:"))
        stored = await client.hlen(f"{base}:blobs:")
        print(f"{checkpoints} checkpoints refer to {references} values; {stored} stored")
        assert stored * 3 < references  # without sharing, stored == references
        # The checkpoint records themselves no longer carry the conversation.
        for record in await client.hvals(f"{base}:cp:"):
            assert phone.encode() not in record
    finally:
        await client.aclose()


async def test_history_is_trimmed_to_the_setting_and_every_kept_checkpoint_reads_whole(
    tmp_path: Path, redis_url: str, prefix: str
) -> None:
    phone = _phone()
    await _talk(tmp_path, redis_url, prefix, phone, SILVIA_CHECKPOINT_HISTORY="20")
    settings = make_settings(tmp_path, REDIS_URL=redis_url, SILVIA_REDIS_PREFIX=prefix)
    client = redis.asyncio.Redis.from_url(redis_url)
    try:
        base = _base(prefix, phone)
        kept = await client.zcard(f"{base}:ids:")
        assert kept == 20  # trimmed on every write
        async with open_checkpointer(settings) as saver:
            history = [t async for t in saver.alist({"configurable": {"thread_id": f"lead:{phone}"}})]
        assert len(history) == kept
        phones = {t.checkpoint["channel_values"].get("phone") for t in history if t.metadata["step"] > 0}
        assert phones == {phone}
        # No blob is left that no kept checkpoint refers to, and none that one refers to is gone.
        referenced = {f for refs in await client.hvals(f"{base}:refs:") for f in refs.split(b"\x01") if f}
        stored = set(await client.hkeys(f"{base}:blobs:"))
        assert referenced == stored
        # Only the newest checkpoint keeps pending writes (a finished turn's newest has none).
        newest = (await client.zrange(f"{base}:ids:", -1, -1))[0].decode()
        write_owners = {f.decode().split("\x00")[0] for f in await client.zrange(f"{base}:wi:", 0, -1)}
        assert write_owners <= {newest}
        assert await client.hlen(f"{base}:w:") == await client.zcard(f"{base}:wi:")
    finally:
        await client.aclose()


async def test_the_conversation_goes_on_after_trimming(tmp_path: Path, redis_url: str, prefix: str) -> None:
    phone = _phone()
    await _talk(tmp_path, redis_url, prefix, phone, SILVIA_CHECKPOINT_HISTORY="20")
    settings = make_settings(
        tmp_path, REDIS_URL=redis_url, SILVIA_REDIS_PREFIX=prefix, SILVIA_CHECKPOINT_HISTORY="20"
    )
    async with open_silvia(settings) as silvia:
        result = await silvia.say(phone, "vou mandar a conta")
        assert result.stage == Stage.DOCUMENT_REQUESTED
        state = await silvia.state(phone)
        assert state["selected_plan"]["id"] == "plus" and state["phone"] == phone


async def test_a_checkpoint_written_before_blobs_is_still_read(redis_url: str, prefix: str) -> None:
    """Records of the first format kept the values inline; a deploy must not lose them."""
    async with RedisCheckpointSaver.from_url(redis_url, prefix=prefix) as saver:
        checkpoint = generate_checkpoint()
        checkpoint["channel_values"] = {"stage": "plans_presented", "phone": "+5581000000009"}
        old_record = ormsgpack.packb(
            [*saver.serde.dumps_typed(checkpoint), *saver.serde.dumps_typed({"step": 3}), None]
        )
        base = f"{prefix}{{lead:old}}"
        await saver.client.hset(f"{base}:cp:", checkpoint["id"], old_record)
        await saver.client.zadd(f"{base}:ids:", {checkpoint["id"]: 0})
        await saver.client.sadd(f"{base}:ns", "")
        found = await saver.aget_tuple({"configurable": {"thread_id": "lead:old", "checkpoint_ns": ""}})
        assert found is not None
        assert found.checkpoint["channel_values"]["stage"] == "plans_presented"
        assert found.metadata["step"] == 3


async def test_a_missing_value_raises_instead_of_returning_part_of_the_state(
    redis_url: str, prefix: str
) -> None:
    async with RedisCheckpointSaver.from_url(redis_url, prefix=prefix) as saver:
        config = {"configurable": {"thread_id": "lead:broken", "checkpoint_ns": ""}}
        checkpoint = generate_checkpoint()
        checkpoint["channel_values"] = {"stage": "greeted"}
        checkpoint["channel_versions"] = {"stage": "1"}
        await saver.aput(config, checkpoint, {"step": 0}, {"stage": "1"})
        assert (await saver.aget_tuple(config)).checkpoint["channel_values"] == {"stage": "greeted"}
        await saver.client.delete(f"{prefix}{{lead:broken}}:blobs:")
        with pytest.raises(LookupError):
            await saver.aget_tuple(config)


def test_large_values_are_compressed_and_small_ones_and_old_ones_read_as_they_are() -> None:
    from storage.redis.checkpointer import pack_blob, unpack_blob

    history = ["messages", "msgpack", ormsgpack.packb([{"role": "lead", "text": "oi, tudo bem?"}] * 60)]
    packed = pack_blob(history)
    assert packed.startswith(b"Z") and len(packed) * 5 < len(ormsgpack.packb(history))
    assert unpack_blob(packed) == history
    small = ["stage", "msgpack", ormsgpack.packb("greeted")]
    assert pack_blob(small) == ormsgpack.packb(small)  # not worth compressing
    assert unpack_blob(ormsgpack.packb(history)) == history  # written before compression


def test_history_setting_has_a_sane_floor(tmp_path: Path) -> None:
    from pydantic import ValidationError

    assert make_settings(tmp_path).checkpoint_history == 4
    with pytest.raises(ValidationError):
        make_settings(tmp_path, SILVIA_CHECKPOINT_HISTORY="0")  # the newest is what recovery needs


# --- recovery with the shortest history: the newest checkpoint is enough ----------------------


async def test_a_turn_that_crashed_mid_way_resumes_from_the_newest_checkpoint_alone(
    tmp_path: Path, redis_url: str, prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """History 1: the crashed turn is resumed, its reply not sent twice, and a message answered
    before later turns is still recognised as answered when it is delivered again."""
    from agent.inbound import Inbound
    from api.turns import Progress, progress_of, run_turn

    phone = _phone()
    settings = make_settings(
        tmp_path, REDIS_URL=redis_url, SILVIA_REDIS_PREFIX=prefix, SILVIA_CHECKPOINT_HISTORY="1"
    )
    first = Inbound(phone=phone, kind="text", text="oi", message_id="wamid.r1")
    crashing = Inbound(phone=phone, kind="text", text="sim", message_id="wamid.r2")
    async with open_silvia(settings) as silvia:
        await silvia.leads.upsert_lead(MARIA.model_copy(update={"phone": phone}))
        await run_turn(silvia, first, "1-0")
        assert silvia.sandbox is not None
        real_record = silvia.deps.leads.record_turn

        async def crash(*args: object, **kwargs: object) -> None:
            raise RuntimeError("the process died here")

        monkeypatch.setattr(silvia.deps.leads, "record_turn", crash)
        with pytest.raises(RuntimeError):
            await run_turn(silvia, crashing, "2-0")  # delivered, not recorded
        sent = len(silvia.sandbox.sent(phone))
        assert await progress_of(silvia, crashing, "2-0") is Progress.INTERRUPTED

        monkeypatch.setattr(silvia.deps.leads, "record_turn", real_record)
        result = await run_turn(silvia, crashing, "2-0")
        assert result is not None and result.stage == Stage.PLANS_PRESENTED
        assert len(silvia.sandbox.sent(phone)) == sent  # the plans went out once
        assert await progress_of(silvia, crashing, "2-0") is Progress.FINISHED
        await silvia.say(phone, "como funciona?")
        assert await progress_of(silvia, first, "1-0") is Progress.FINISHED  # two turns later
        assert await run_turn(silvia, first, "1-0") is None
        assert await silvia.graph.checkpointer.client.zcard(f"{_base(prefix, phone)}:ids:") == 1
