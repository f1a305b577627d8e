"""One inbox entry → exactly one turn, even when the entry is delivered again after a crash.

A redelivered entry (attempts > 1) may have been answered already — the process died after
the turn was recorded but before the inbox heard about it — or died in the middle of it.
The lead's newest checkpoint tells which: the turn of a message is checkpointed step by step
(`durability="sync"`), so a finished turn is found in the conversation (`messages` keeps the
id of each lead message) and skipped, and an interrupted one is resumed from its last step
instead of starting over (a message that was already delivered is not sent again). The one
window left is a crash between Meta accepting a message and the checkpoint write that follows
it (milliseconds).
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


def _message_id(values: dict[str, Any]) -> str | None:
    return (values.get("inbound") or {}).get("message_id")


async def progress_of(silvia: Silvia, inbound: Inbound) -> Progress:
    """Where the turn for this message stands, according to the lead's checkpoints."""
    if not inbound.message_id:
        return Progress.NEW
    latest = await silvia.graph.aget_state(silvia.config(inbound.phone))
    if _message_id(latest.values) == inbound.message_id:
        return Progress.INTERRUPTED if latest.next else Progress.FINISHED
    # A later turn ran after it: the conversation remembers the ids of the lead's messages.
    answered = {m.get("id") for m in latest.values.get("messages") or [] if m.get("role") == "lead"}
    return Progress.FINISHED if inbound.message_id in answered else Progress.NEW


async def run_turn(silvia: Silvia, inbound: Inbound, redelivered: bool) -> TurnResult | None:
    """Run (or finish) the turn for `inbound`; None when it had been answered already."""
    if redelivered:
        progress = await progress_of(silvia, inbound)
        if progress is Progress.FINISHED:
            log.info("message %s was answered before a restart; not answering again", inbound.message_id)
            return None
        if progress is Progress.INTERRUPTED:
            log.warning("resuming the interrupted turn of message %s", inbound.message_id)
            return await silvia.resume(inbound.phone)
    return await silvia.handle(inbound, durability="sync")
