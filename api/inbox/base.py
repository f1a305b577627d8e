"""The inbox contract: durable, de-duplicated, in order per lead.

The webhook `put`s every message (raw payload included) before answering Meta; workers
`take` entries, run the turn under the lead's lock, and `done` them once the turn is
recorded. An entry that is taken but never settled (the process died) comes back: on the
embedded SQLite inbox when the process restarts or the claim goes stale, on Redis through
`XAUTOCLAIM` after `reclaim_seconds`. `head(phone)` is the oldest unfinished entry of a lead,
so whoever holds the lead's lock answers that lead's messages in the order they arrived.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

MAX_ATTEMPTS = 3  # a turn that fails this often is parked as `failed` (raw payload kept)


@dataclass
class InboxEntry:
    entry_id: str  # the backend's id: SQLite row id or Redis stream id
    message_id: str  # WhatsApp's id (or one we made up for gateways without ids)
    phone: str
    source: str  # "whatsapp" | "silvia"
    payload: dict[str, Any] = field(default_factory=dict)
    attempts: int = 1  # deliveries so far, this one included


class Inbox(Protocol):
    async def put(self, message_id: str, phone: str, source: str, payload: dict[str, Any]) -> bool:
        """Store a message durably. False (and nothing stored) when the id was seen before."""
        ...

    async def take(self, consumer: str, count: int, wait_seconds: float) -> list[InboxEntry]:
        """Up to `count` entries for this consumer, waiting at most `wait_seconds` for one."""
        ...

    async def head(self, phone: str) -> InboxEntry | None:
        """The oldest entry of this lead that is neither done nor failed."""
        ...

    async def pending(self, phone: str, limit: int) -> list[InboxEntry]:
        """This lead's unfinished entries, oldest first (`head` is the first): burst merging."""
        ...

    async def done(self, entry: InboxEntry) -> None:
        """The turn is recorded: never hand this entry out again."""
        ...

    async def retry_later(self, entry: InboxEntry, error: str) -> None:
        """The turn failed; give the entry back (or park it as failed after MAX_ATTEMPTS)."""
        ...

    async def counts(self) -> dict[str, int]:
        """Entries by state (pending, processing, failed…) for /ready and the benchmark."""
        ...

    async def ping(self) -> None:
        """Raise if the inbox's storage is unreachable."""
        ...

    async def aclose(self) -> None: ...
