"""The Redis checkpointer's memory per lead: values stored once, history trimmed, nothing lost.

Real Redis 7 from TEST_REDIS_URL (own key prefix, removed after) and the real graph.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import ormsgpack
import pytest
import redis.asyncio
from langgraph.checkpoint.conformance.test_utils import generate_checkpoint

from agent.state import Stage
from storage.checkpointer import open_checkpointer
from storage.redis_checkpointer import RedisCheckpointSaver
from tests.backends import drop_prefix, redis_prefix
from tests.conftest import MARIA, make_settings, require_service
from wiring import open_silvia

pytestmark = pytest.mark.integration

CHATTY_LEAD = ["oi", "sim", "como funciona?", "tem fidelidade?", "quero o plus", "qual o desconto?"]


@pytest.fixture
def redis_url() -> str:
    return require_service("TEST_REDIS_URL")


@pytest.fixture
def prefix(redis_url: str) -> Iterator[str]:
    value = redis_prefix("cph")
    yield value
    drop_prefix(redis_url, value)


def _phone() -> str:
    return f"+55819{uuid.uuid4().int % 10**8:08d}"


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
    await _talk(tmp_path, redis_url, prefix, phone)
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
        assert 20 <= kept <= 24  # trimmed back to 20 whenever it passes 20 % more
        async with open_checkpointer(settings) as saver:
            history = [t async for t in saver.alist({"configurable": {"thread_id": f"lead:{phone}"}})]
        assert len(history) == kept
        phones = {t.checkpoint["channel_values"].get("phone") for t in history if t.metadata["step"] > 0}
        assert phones == {phone}
        # No blob is left that no kept checkpoint refers to, and none that one refers to is gone.
        referenced = {f for refs in await client.hvals(f"{base}:refs:") for f in refs.split(b"\x01") if f}
        stored = set(await client.hkeys(f"{base}:blobs:"))
        assert referenced == stored
        # Pending writes of trimmed checkpoints went with them.
        kept_ids = {cid.decode() for cid in await client.zrange(f"{base}:ids:", 0, -1)}
        write_owners = {f.decode().split("\x00")[0] for f in await client.zrange(f"{base}:wi:", 0, -1)}
        assert write_owners <= kept_ids
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


def test_history_setting_has_a_sane_floor(tmp_path: Path) -> None:
    from pydantic import ValidationError

    assert make_settings(tmp_path).checkpoint_history == 100
    with pytest.raises(ValidationError):
        make_settings(tmp_path, SILVIA_CHECKPOINT_HISTORY="3")
