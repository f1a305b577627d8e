"""Bursts: a lead's text messages sent close together are answered as one turn, in order.

People type "oi" / "quero saber" / "quanto custa?" as three messages; answering each would
send three replies to one thought. The worker never *waits* for the rest of a burst: when a
text turn is due, `BurstPlanner.plan` merges the lead's texts already in the inbox (one line
each, in arrival order) and decides at once:

* the newest of them reads as complete (ends in `?`, `!` or `.`, or is a sentence of a few
  words not ending in a connective) → answer now;
* it looks like a fragment ("oi", "quero saber", "e tb…") and is younger than the window →
  `Wait(seconds)`: the worker gives the entry back to the inbox, due when the window closes,
  and frees its slot (a new message of the lead makes it due at once).

`silvia serve` and `silvia worker` build the same planner from `SILVIA_BURST_SECONDS`.
A media or button message ends a burst: it is a turn of its own.
"""

from __future__ import annotations

import re
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from agent.inbound import Inbound
from storage.inbox import Inbox, InboxEntry

MAX_BURST = 10  # messages merged into one turn at most
COMPLETE_WORDS = 4  # a message of this many words (not ending in a connective) reads as complete
_CONNECTIVES = frozenset(
    {"e", "ou", "mas", "que", "pq", "porque", "de", "do", "da", "com", "para", "pra", "por"}
    | {"o", "a", "os", "as", "um", "uma", "no", "na", "em", "tb", "tbm", "também", "quando"}
    | {"se", "então", "entao", "mais"}
)
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass
class Burst:
    entries: list[InboxEntry]  # settled together once the turn is recorded
    inbound: Inbound


@dataclass
class Wait:
    seconds: float  # until the window after the newest fragment closes


def order(entry: InboxEntry) -> tuple[int, ...]:
    """Arrival order: SQLite row ids and Redis stream ids (`ms-seq`) both sort as integers."""
    return tuple(int(part) for part in entry.entry_id.split("-"))


def is_text(entry: InboxEntry) -> bool:
    """Judged on the stored payload, so a media follower is never downloaded just to be skipped."""
    if entry.source == "whatsapp":
        return (entry.payload.get("message") or {}).get("type") == "text"
    return entry.payload.get("type", "text") == "text"


def reads_complete(text: str) -> bool:
    """Whether a message looks like a whole thought rather than the first piece of one."""
    stripped = text.strip()
    if not stripped or stripped.endswith(("...", "…", ",", ":", "-")):
        return False
    if stripped[-1] in "?!.":
        return True
    words = _WORD.findall(stripped.lower())
    return len(words) >= COMPLETE_WORDS and words[-1] not in _CONNECTIVES


def merge(inbounds: Sequence[Inbound]) -> Inbound:
    """One inbound for the whole burst; the last message's id (reading it reads them all)."""
    text = "\n".join(i.text.strip() for i in inbounds if i.text.strip())
    name = next((i.name for i in inbounds if i.name), None)
    return inbounds[-1].model_copy(update={"text": text, "name": name})


class BurstPlanner:
    def __init__(
        self,
        inbox: Inbox,
        to_inbound: Callable[[InboxEntry], Awaitable[Inbound]],
        window: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.inbox = inbox
        self.to_inbound = to_inbound
        self.window = window
        self.clock = clock  # wall clock: compared with when entries were stored

    async def plan(self, first: InboxEntry, inbound: Inbound) -> Burst | Wait:
        """`first` with the texts queued behind it, or how long to wait for the rest."""
        if self.window <= 0 or inbound.kind != "text":
            return Burst([first], inbound)
        entries, inbounds = [first], [inbound]
        for entry in await self.inbox.pending(first.phone, MAX_BURST + 1):
            if order(entry) <= order(first) or len(entries) >= MAX_BURST:
                continue
            if not is_text(entry):
                break
            entries.append(entry)
            inbounds.append(await self.to_inbound(entry))
        newest = entries[-1]
        left = newest.received_at + self.window - self.clock()
        if len(entries) < MAX_BURST and left > 0 and not reads_complete(inbounds[-1].text):
            return Wait(left)
        return Burst(entries, merge(inbounds))
