"""The LangGraph checkpointer that keeps each lead thread's conversation state.

Embedded default: `AsyncSqliteSaver` on `settings.checkpoint_path`. Production: our
`RedisCheckpointSaver` on plain Redis 7 when `REDIS_URL` is set (keys under
`SILVIA_REDIS_PREFIX` + `cp:`, idle expiry `SILVIA_THREAD_TTL_DAYS`, the newest
`SILVIA_CHECKPOINT_HISTORY` checkpoints kept per lead; see
docs/decisions/0001-redis-checkpointer.md).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

from storage.redis.checkpointer import RedisCheckpointSaver

if TYPE_CHECKING:
    from settings import Settings


def checkpoint_prefix(settings: Settings) -> str:
    return f"{settings.redis_prefix}cp:"


@asynccontextmanager
async def open_checkpointer(settings: Settings) -> AsyncIterator[BaseCheckpointSaver]:
    """Yield a ready checkpointer (tables created); closes its connection on exit."""
    if settings.redis_url:
        async with RedisCheckpointSaver.from_url(
            settings.redis_url,
            prefix=checkpoint_prefix(settings),
            ttl_seconds=int(settings.thread_ttl_days * 86_400),
            keep_checkpoints=settings.checkpoint_history,
        ) as saver:
            await saver.client.ping()  # fail at start, not on the first lead's message
            yield saver
        return
    async with open_sqlite_checkpointer(str(settings.checkpoint_path)) as saver:
        yield saver


@asynccontextmanager
async def open_sqlite_checkpointer(path: str) -> AsyncIterator[AsyncSqliteSaver]:
    """`AsyncSqliteSaver` on a file (parent directory created) or `:memory:`."""
    if path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    async with AsyncSqliteSaver.from_conn_string(path) as saver:
        await saver.setup()
        yield saver
