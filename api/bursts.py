"""Bursts: a lead's text messages sent close together are answered as one turn, in order.

People type "oi" / "quero saber" / "quanto custa" as three messages; answering each would
send three replies to one thought. Before a text turn runs (under the lead's lock), the
worker waits until the lead has been quiet for `window` seconds, then merges the texts that
arrived meanwhile into one `Inbound` (one line each, in arrival order) and answers once.
A media or button message ends a burst: it is a turn of its own.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from agent.inbound import Inbound
from api.inbox import Inbox, InboxEntry

MAX_BURST = 10  # messages merged into one turn at most
POLL_SECONDS = 0.2


@dataclass
class Burst:
    entries: list[InboxEntry]  # settled together once the turn is recorded
    inbound: Inbound


def order(entry: InboxEntry) -> tuple[int, ...]:
    """Arrival order: SQLite row ids and Redis stream ids (`ms-seq`) both sort as integers."""
    return tuple(int(part) for part in entry.entry_id.split("-"))


def is_text(entry: InboxEntry) -> bool:
    """Judged on the stored payload, so a media follower is never downloaded just to be skipped."""
    if entry.source == "whatsapp":
        return (entry.payload.get("message") or {}).get("type") == "text"
    return entry.payload.get("type", "text") == "text"


def merge(inbounds: Sequence[Inbound]) -> Inbound:
    """One inbound for the whole burst; the last message's id (reading it reads them all)."""
    text = "\n".join(i.text.strip() for i in inbounds if i.text.strip())
    name = next((i.name for i in inbounds if i.name), None)
    return inbounds[-1].model_copy(update={"text": text, "name": name})


class BurstCollector:
    def __init__(
        self,
        inbox: Inbox,
        to_inbound: Callable[[InboxEntry], Awaitable[Inbound]],
        window: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.inbox = inbox
        self.to_inbound = to_inbound
        self.window = window
        self.clock = clock

    async def collect(self, first: InboxEntry, inbound: Inbound) -> Burst:
        """`first` plus the texts that follow it until the lead is quiet for `window` seconds."""
        if self.window <= 0 or inbound.kind != "text":
            return Burst([first], inbound)
        entries, inbounds = [first], [inbound]
        quiet_until = self.clock() + self.window
        while len(entries) < MAX_BURST and (left := quiet_until - self.clock()) > 0:
            await asyncio.sleep(min(POLL_SECONDS, left))
            pending = await self.inbox.pending(first.phone, MAX_BURST + 1)
            later = [e for e in pending if order(e) > order(entries[-1])]
            for entry in later[: MAX_BURST - len(entries)]:
                if not is_text(entry):
                    return Burst(entries, merge(inbounds))
                entries.append(entry)
                inbounds.append(await self.to_inbound(entry))
                quiet_until = self.clock() + self.window
        return Burst(entries, merge(inbounds))
