"""One inbox entry → exactly one turn, however often and by whichever path it is delivered.

Redelivery is recognised from the lead's own state, not from a delivery counter: every turn
the worker runs writes the inbox id of the (last) entry it answers into the checkpoint
(`inbox_id`), and inbox ids grow with arrival (SQLite row ids, Redis stream ids). So before a
turn runs, the lead's latest checkpoint says where this entry stands:

* its `inbox_id` is this entry's or a later one, and the graph has nothing left to run →
  finished (answered before a crash, or by a burst that included it): not answered again;
* it is this entry's and the graph stopped mid-way (`durability="sync"` checkpoints each
  step) → resumed from its last step, so a message already delivered is not sent again;
* otherwise → a new turn.

The one window left is a crash between Meta accepting a message and the checkpoint write that
follows it (milliseconds).
"""

from __future__ import annotations

import logging
from enum import StrEnum
from typing import Any

from agent.inbound import Inbound
from agent.state import TurnResult
from wiring import Silvia

log = logging.getLogger(__name__)


class Progress(StrEnum):
    NEW = "new"
    INTERRUPTED = "interrupted"
    FINISHED = "finished"


def _order(inbox_id: str) -> tuple[int, ...]:
    return tuple(int(part) for part in inbox_id.split("-"))


def _comparable(a: str, b: str) -> bool:
    """Ids of the same inbox backend ("ms-seq" stream ids vs plain row ids)."""
    return ("-" in a) == ("-" in b)


async def progress_of(silvia: Silvia, inbound: Inbound, inbox_id: str) -> Progress:
    """Where the turn for inbox entry `inbox_id` stands, according to the lead's checkpoint."""
    latest = await silvia.graph.aget_state(silvia.config(inbound.phone))
    values: dict[str, Any] = latest.values or {}
    last = values.get("inbox_id")
    if isinstance(last, str) and _comparable(last, inbox_id):
        if _order(last) < _order(inbox_id):
            return Progress.NEW
        if latest.next and last == inbox_id:
            return Progress.INTERRUPTED
        return Progress.FINISHED
    # A checkpoint from before inbox ids were kept, or from another inbox backend.
    same_message = (
        inbound.message_id and (values.get("inbound") or {}).get("message_id") == inbound.message_id
    )
    if same_message:
        return Progress.INTERRUPTED if latest.next else Progress.FINISHED
    return Progress.NEW


async def run_turn(
    silvia: Silvia, inbound: Inbound, inbox_id: str, progress: Progress | None = None
) -> TurnResult | None:
    """Run (or finish) the turn for inbox entry `inbox_id`; None when it was answered already.
    `progress`: where it stands, when the caller has just read it (`progress_of`)."""
    progress = progress or await progress_of(silvia, inbound, inbox_id)
    if progress is Progress.FINISHED:
        log.info("inbox entry %s was answered already; not answering again", inbox_id)
        return None
    if progress is Progress.INTERRUPTED:
        log.warning("resuming the interrupted turn of inbox entry %s", inbox_id)
        return await silvia.resume(inbound.phone)
    return await silvia.handle(inbound, durability="sync", inbox_id=inbox_id)
