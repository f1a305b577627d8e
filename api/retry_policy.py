"""What to do with a turn that failed: retry it later, or park it for a person.

A *transient* failure (PostgreSQL or Redis down, an MCP server or Meta unreachable, a time-out,
the lead's lock held) says nothing about the message: it is retried with a backoff for as long
as the message is worth answering (`SILVIA_INBOX_RETRY_HOURS`, default 24 h), and never counts
as an attempt. Only a *deterministic* failure of the turn itself (a bug, a payload the graph
cannot handle) counts; after `MAX_ATTEMPTS` of those the entry is parked. Either way a parked
entry is visible: a metric, an alert, a line in `/ready`, and `silvia inbox list`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
from redis import exceptions as redis_exc

from storage.db import TRANSIENT_ERRORS as DATABASE_TRANSIENT_ERRORS
from storage.inbox import MAX_ATTEMPTS, InboxEntry
from storage.locks import LeadBusyError
from tools.client import McpUnavailableError

_TRANSIENT: tuple[type[BaseException], ...] = (
    OSError,  # ConnectionError, TimeoutError, socket errors
    asyncio.TimeoutError,
    LeadBusyError,
    McpUnavailableError,
    redis_exc.ConnectionError,
    redis_exc.TimeoutError,
    redis_exc.BusyLoadingError,
    redis_exc.ReadOnlyError,
    redis_exc.TryAgainError,
    redis_exc.ClusterDownError,
    *DATABASE_TRANSIENT_ERRORS,
    httpx.TransportError,
)


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """The exception, what caused it, and the members of exception groups, once each."""
    seen: set[int] = set()
    todo = [exc]
    while todo:
        current = todo.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        todo += [e for e in (current.__cause__, current.__context__) if e is not None]
        if isinstance(current, BaseExceptionGroup):
            todo += list(current.exceptions)


def is_transient(exc: BaseException) -> bool:
    """True when the failure came from a dependency being away, not from the turn itself."""
    return any(isinstance(e, _TRANSIENT) for e in _chain(exc))


@dataclass(frozen=True)
class Decision:
    park: bool
    delay_seconds: float = 0.0
    counts_as_failure: bool = False
    reason: str = ""


@dataclass(frozen=True)
class RetryPolicy:
    horizon_seconds: float = 24 * 3600.0
    max_delay_seconds: float = 300.0
    first_delay_seconds: float = 1.0
    failed_turn_delay_seconds: float = 5.0  # times the failures so far

    def backoff(self, age_seconds: float) -> float:
        """Grows with how long the message has waited: ~1 s at first, a quarter of its age later,
        at most `max_delay_seconds`; no counter needed, so every path agrees on it."""
        return min(self.max_delay_seconds, max(self.first_delay_seconds, age_seconds / 4))

    def decide(self, entry: InboxEntry, exc: BaseException, now: float | None = None) -> Decision:
        age = max(0.0, (now or time.time()) - entry.received_at)
        error = f"{type(exc).__name__}: {exc}"
        if is_transient(exc):
            if age >= self.horizon_seconds:
                hours = self.horizon_seconds / 3600
                return Decision(park=True, reason=f"still failing after {hours:g} h (transient): {error}")
            return Decision(park=False, delay_seconds=self.backoff(age), reason=error)
        if entry.failures + 1 >= MAX_ATTEMPTS:
            return Decision(
                park=True, counts_as_failure=True, reason=f"turn failed {MAX_ATTEMPTS} times: {error}"
            )
        delay = self.failed_turn_delay_seconds * (entry.failures + 1)
        return Decision(park=False, delay_seconds=delay, counts_as_failure=True, reason=error)
