"""The durable inbox between the webhook and the graph: one interface, two stores (the webhook
service, `api/`, puts and takes; the storage lives here).

`build_inbox(settings)`: Redis Streams when `REDIS_URL` is set (shared by every `silvia serve`
/ `silvia worker` process), else the `inbox_messages` table of the business database.
"""

from __future__ import annotations

from settings import Settings
from storage.db import create_engine
from storage.inbox.base import MAX_ATTEMPTS, Inbox, InboxEntry, ParkedEntry
from storage.inbox.redis_streams import RedisStreamInbox
from storage.inbox.sql import SqlInbox


def build_inbox(settings: Settings) -> Inbox:
    if settings.redis_url:
        return RedisStreamInbox(settings.redis_url, settings.redis_prefix, settings.inbox_reclaim_seconds)
    engine = create_engine(settings.effective_database_url)
    return SqlInbox(engine, settings.inbox_reclaim_seconds, own_engine=True)


__all__ = [
    "MAX_ATTEMPTS",
    "Inbox",
    "InboxEntry",
    "ParkedEntry",
    "RedisStreamInbox",
    "SqlInbox",
    "build_inbox",
]
