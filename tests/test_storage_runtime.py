"""Storage pieces without a business database: reply cache, checkpointer, engine set-up."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

from settings import Settings
from storage.cache import InMemoryReplyCache
from storage.checkpointer import open_checkpointer
from storage.db import create_engine, sync_url


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# --- reply cache ----------------------------------------------------------------------------


async def test_cache_ttl_expiry() -> None:
    clock = FakeClock()
    cache = InMemoryReplyCache(clock=clock)
    await cache.put("k", {"template_id": "greet"}, ttl_seconds=60)
    clock.now += 59.9
    assert await cache.get("k") == {"template_id": "greet"}
    clock.now += 0.1
    assert await cache.get("k") is None
    assert len(cache) == 0  # expired entries are dropped on read


async def test_cache_zero_ttl_stores_nothing() -> None:
    cache = InMemoryReplyCache()
    await cache.put("k", {"a": 1}, ttl_seconds=60)
    await cache.put("k", {"a": 2}, ttl_seconds=0)
    assert await cache.get("k") is None


async def test_cache_is_bounded_lru() -> None:
    cache = InMemoryReplyCache(max_entries=2)
    await cache.put("a", {"v": 1}, 60)
    await cache.put("b", {"v": 2}, 60)
    assert await cache.get("a") is not None  # "a" is now the most recently used
    await cache.put("c", {"v": 3}, 60)
    assert len(cache) == 2
    assert await cache.get("b") is None
    assert await cache.get("a") == {"v": 1} and await cache.get("c") == {"v": 3}


async def test_cache_returns_copies() -> None:
    cache = InMemoryReplyCache()
    entry = {"variables": {"name": "Ana"}}
    await cache.put("k", entry, 60)
    entry["variables"]["name"] = "changed"
    got = await cache.get("k")
    assert got == {"variables": {"name": "Ana"}}
    got["variables"]["name"] = "changed again"
    assert await cache.get("k") == {"variables": {"name": "Ana"}}


def test_cache_rejects_zero_size() -> None:
    with pytest.raises(ValueError):
        InMemoryReplyCache(max_entries=0)


# --- checkpointer ---------------------------------------------------------------------------


def _settings(tmp_path: Path, **env: str) -> Settings:
    return Settings(_env_file=None, SILVIA_DATA_DIR=str(tmp_path / "data"), REDIS_URL="", **env)


async def test_open_checkpointer_sqlite(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    async with open_checkpointer(settings) as saver:
        assert isinstance(saver, AsyncSqliteSaver)
        config = {"configurable": {"thread_id": "lead:5581999990001"}}
        assert await saver.aget_tuple(config) is None
    assert settings.checkpoint_path.exists()


async def test_open_checkpointer_chooses_redis_when_redis_url_is_set(tmp_path: Path) -> None:
    from storage.redis.checkpointer import RedisCheckpointSaver
    from tests.conftest import require_service

    url = require_service("TEST_REDIS_URL")
    settings = _settings(tmp_path).model_copy(update={"redis_url": url, "thread_ttl_days": 3})
    async with open_checkpointer(settings) as saver:
        assert isinstance(saver, RedisCheckpointSaver)
        assert saver.prefix == f"{settings.redis_prefix}cp:" and saver.ttl_seconds == 3 * 86_400
    assert not settings.checkpoint_path.exists()  # nothing kept in a local file


# --- engines --------------------------------------------------------------------------------


def test_sync_url() -> None:
    assert sync_url("sqlite+aiosqlite:///x/y.db").render_as_string() == "sqlite:///x/y.db"
    pg = "postgresql+psycopg://u@h:5432/d"
    assert sync_url(pg).render_as_string() == pg
    assert sync_url("postgresql+asyncpg://h/d").drivername == "postgresql+psycopg"


async def test_sqlite_engine_pragmas(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path}/new/dir/silvia.db")
    try:
        async with engine.connect() as conn:
            assert (await conn.scalar(sa.text("PRAGMA journal_mode"))) == "wal"
            assert (await conn.scalar(sa.text("PRAGMA foreign_keys"))) == 1
    finally:
        await engine.dispose()
    assert (tmp_path / "new" / "dir" / "silvia.db").exists()
