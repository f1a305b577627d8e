"""The inbox contract: durable, de-duplicated, in order per lead.

The webhook `put`s every message (raw payload included) before answering Meta; workers
`take` entries, run the turn under the lead's lock, and `done` them once the turn is
recorded. An entry that is taken but never settled (the process died) comes back: on the
embedded SQLite inbox when the process restarts or the claim goes stale, on Redis through
`XAUTOCLAIM` after `reclaim_seconds`. `head(phone)` is the oldest unfinished entry of a lead,
so whoever holds the lead's lock answers that lead's messages in the order they arrived.

A turn that fails is given back with `retry_in` (it is not handed out again before the delay)
and only `park`ed, raw payload kept, when the worker's retry policy (api/retry_policy.py)
gives up on it: parked entries wait for a person (`silvia inbox list|retry|drop`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Protocol

MAX_ATTEMPTS = 3  # deterministic failures of a turn before its entry is parked


@dataclass
class InboxEntry:
    entry_id: str  # the backend's id: SQLite row id or Redis stream id (both grow with arrival)
    message_id: str  # WhatsApp's id (or one we made up for gateways without ids)
    phone: str
    source: str  # "whatsapp" | "silvia"
    payload: dict[str, Any] = field(default_factory=dict)
    failures: int = 0  # deterministic failures of its turn so far (transient ones do not count)
    received_at: float = field(default_factory=time.time)  # epoch seconds it was stored


@dataclass
class ParkedEntry:
    """An entry the worker gave up on: what a person needs to decide to retry or drop it."""

    entry_id: str
    message_id: str
    phone: str
    source: str
    error: str
    payload: dict[str, Any] = field(default_factory=dict)


class Inbox(Protocol):
    async def put(self, message_id: str, phone: str, source: str, payload: dict[str, Any]) -> bool:
        """Store a message durably. False (and nothing stored) when the id was seen before."""
        ...

    async def take(self, consumer: str, count: int, wait_seconds: float) -> list[InboxEntry]:
        """Up to `count` due entries for this consumer, waiting at most `wait_seconds` for one."""
        ...

    async def head(self, phone: str) -> InboxEntry | None:
        """The oldest entry of this lead that is neither done nor parked."""
        ...

    async def pending(self, phone: str, limit: int) -> list[InboxEntry]:
        """This lead's unfinished entries, oldest first (`head` is the first): burst merging."""
        ...

    async def done(self, entry: InboxEntry) -> None:
        """The turn is recorded: never hand this entry out again."""
        ...

    async def retry_in(self, entry: InboxEntry, seconds: float, error: str, *, failed: bool) -> None:
        """Give the entry back, due again in `seconds`; `failed` counts a deterministic failure."""
        ...

    async def park(self, entry: InboxEntry, error: str) -> None:
        """Stop retrying: keep the entry, raw, for a person to retry or drop."""
        ...

    async def parked(self, limit: int = 100) -> list[ParkedEntry]:
        """Parked entries, oldest first."""
        ...

    async def unpark(self, message_id: str) -> bool:
        """Queue a parked entry again (its failures reset). False when no such parked entry."""
        ...

    async def drop(self, message_id: str) -> bool:
        """Forget a parked entry for good. False when no such parked entry."""
        ...

    async def counts(self) -> dict[str, int]:
        """Entries by state: pending, processing, waiting (a retry is due later), failed (parked)."""
        ...

    async def oldest_age(self) -> float:
        """Seconds since the oldest unfinished entry arrived (0.0 when there is none)."""
        ...

    async def ping(self) -> None:
        """Raise if the inbox's storage is unreachable."""
        ...

    async def aclose(self) -> None: ...
