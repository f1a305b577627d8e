"""The LangGraph checkpointer that keeps each lead thread's conversation state.

Embedded default: `AsyncSqliteSaver` on `settings.checkpoint_path`. Production: Redis when
`REDIS_URL` is set (added by a later issue; the branch below is where it goes).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

if TYPE_CHECKING:
    from settings import Settings


@asynccontextmanager
async def open_checkpointer(settings: Settings) -> AsyncIterator[BaseCheckpointSaver]:
    """Yield a ready checkpointer (tables created); closes its connection on exit."""
    if settings.redis_url:
        # Redis saver goes here (langgraph-checkpoint-redis): refuse rather than silently
        # keeping production state in a local file the next container will not see.
        raise NotImplementedError(
            "REDIS_URL is set but the Redis checkpointer is not implemented yet; "
            "unset REDIS_URL to use the embedded SQLite checkpointer."
        )
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
