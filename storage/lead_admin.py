"""Look up and erase one lead across every store: business rows, graph thread, Redis, media.

`silvia lead show` / `silvia lead forget` (cli/lead.py) are thin wrappers around
`LeadAdmin`. Erasure (LGPD art. 18) deletes, in every table of the schema, the rows whose
lead column (`lead_id`, `phone`, `phone_number`) is the lead's number, so tables added later
are covered without touching this module.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from langgraph.checkpoint.base import BaseCheckpointSaver
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.checkpointer import open_checkpointer
from storage.db import create_engine, session_factory
from storage.models import Base, DataRequest, utc_now
from storage.redis.client import AnyRedis, redis_from_url
from storage.repositories import LeadRepository

if TYPE_CHECKING:
    from settings import Settings

LEAD_COLUMNS = ("lead_id", "phone", "phone_number")
_MEDIA_ID = re.compile(r"[A-Za-z0-9._-]{1,200}")


def thread_id(phone: str) -> str:
    return f"lead:{phone}"


@dataclass
class LeadAdmin:
    settings: Settings
    sessions: async_sessionmaker[AsyncSession]
    checkpointer: BaseCheckpointSaver
    redis: AnyRedis | None

    @classmethod
    @asynccontextmanager
    async def open(cls, settings: Settings) -> AsyncIterator[LeadAdmin]:
        async with AsyncExitStack() as stack:
            engine = create_engine(settings.effective_database_url)
            stack.push_async_callback(engine.dispose)
            checkpointer = await stack.enter_async_context(open_checkpointer(settings))
            redis = redis_from_url(settings.redis_url) if settings.redis_url else None
            if redis is not None:
                stack.push_async_callback(redis.aclose)
            yield cls(settings, session_factory(engine), checkpointer, redis)

    # --- show -------------------------------------------------------------------------------

    async def report(self, phone: str, interactions: int = 10) -> dict[str, Any]:
        leads = LeadRepository(self.sessions)
        record = await leads.get_lead(phone)
        status = await leads.get_status(phone)
        latest = await self.checkpointer.aget_tuple({"configurable": {"thread_id": thread_id(phone)}})
        values = dict(latest.checkpoint["channel_values"]) if latest else {}
        return {
            "phone": phone,
            "record": record.model_dump() if record else None,
            "stage": (status or {}).get("lead_stage") or values.get("stage"),
            "status": status,
            "last_interactions": await leads.recent_interactions(phone, interactions),
            "graph_state": _summarise_state(values) if latest else None,
            "checkpoints": await self._count_checkpoints(phone),
        }

    async def _count_checkpoints(self, phone: str) -> int:
        config = {"configurable": {"thread_id": thread_id(phone)}}
        return len([tup async for tup in self.checkpointer.alist(config)])

    # --- forget -----------------------------------------------------------------------------

    async def forget(self, phone: str) -> dict[str, int]:
        """Erase the lead everywhere; returns what was removed, by place."""
        removed: dict[str, int] = {}
        media_ids: set[str] = set()
        config = {"configurable": {"thread_id": thread_id(phone)}}
        checkpoints = 0
        async for tup in self.checkpointer.alist(config):
            checkpoints += 1
            media_ids |= _media_ids(tup.checkpoint["channel_values"])
        await self.checkpointer.adelete_thread(thread_id(phone))
        removed["graph checkpoints"] = checkpoints
        removed.update(await self._delete_rows(phone))
        removed["data requests closed"] = await self._close_requests(phone)
        removed["media files"] = _delete_media(self.settings.media_dir, media_ids)
        if self.redis is not None:
            lock_key = f"{self.settings.redis_prefix}lock:{phone}"
            removed["redis lock keys"] = int(await self.redis.delete(lock_key))
        return removed

    async def _close_requests(self, phone: str) -> int:
        """The lead's data requests are done: kept as the audit, without the number."""
        done = {"status": "done", "done_at": utc_now(), "requester_phone": None}
        async with self.sessions.begin() as session:
            query = sa.update(DataRequest).where(DataRequest.requester_phone == phone).values(**done)
            result = await session.execute(query)
        return int(result.rowcount or 0)

    async def pending_requests(self) -> list[dict[str, Any]]:
        """Data requests leads made in the chat that the team has not carried out yet."""
        query = sa.select(DataRequest).where(DataRequest.status == "pending").order_by(DataRequest.id)
        async with self.sessions() as session:
            rows = (await session.scalars(query)).all()
        keys = ("id", "requester_phone", "kind", "words", "requested_at")
        return [{key: getattr(row, key) for key in keys} for row in rows]

    async def _delete_rows(self, phone: str) -> dict[str, int]:
        removed: dict[str, int] = {}
        async with self.sessions.begin() as session:
            existing = await session.run_sync(lambda s: set(sa.inspect(s.connection()).get_table_names()))
            # Children before parents, in case a table gains a foreign key to another.
            for table in reversed(Base.metadata.sorted_tables):
                columns = [table.c[name] for name in LEAD_COLUMNS if name in table.c]
                if not columns or table.name not in existing:
                    continue
                result = await session.execute(sa.delete(table).where(sa.or_(*(c == phone for c in columns))))
                removed[f"{table.name} rows"] = int(result.rowcount or 0)
        return removed


def _summarise_state(values: dict[str, Any]) -> dict[str, Any]:
    """The parts of the graph state a person wants to see (messages trimmed to the last 6)."""
    messages = values.get("messages") or []
    keep = ("stage", "prompt_version", "profile", "intent", "selected_plan", "serena_lead_id")
    summary = {key: values[key] for key in keep if values.get(key) not in (None, "", {}, [])}
    summary["messages"] = len(messages)
    summary["last_messages"] = [
        {"role": m.get("role"), "text": (m.get("text") or "")[:200]}
        for m in messages[-6:]
        if isinstance(m, dict)
    ]
    return summary


def _media_ids(values: dict[str, Any]) -> set[str]:
    found: set[str] = set()
    for key in ("inbound", "bill"):
        item = values.get(key)
        if isinstance(item, dict) and isinstance(item.get("media_id"), str):
            found.add(item["media_id"])
    return found


def _delete_media(media_dir: Path, media_ids: set[str]) -> int:
    removed = 0
    for media_id in media_ids:
        if not _MEDIA_ID.fullmatch(media_id) or not media_dir.is_dir():
            continue
        for path in media_dir.glob(f"{media_id}.*"):
            path.unlink(missing_ok=True)
            removed += 1
    return removed
