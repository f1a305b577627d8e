"""The `followup` node: a scheduler tick becomes one follow-up, a move to `lost`, or nothing.

The scheduler decided from `lead_status`; this node decides again from the conversation
itself, at the moment of sending, under the lead's lock, so whatever happened in between
(the lead wrote back, opted out, already got one today) wins over the plan.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from langgraph.runtime import Runtime

from agent.context import Deps
from agent.policy.followups import (
    PASS_GRACE,
    Decision,
    FollowupKind,
    LeadFacts,
    complained,
    decide,
    said_no,
)
from agent.policy.reminders import reminder_from
from agent.replies.drafts import reply
from agent.state import Reply, SilviaState, Stage

CLOSE = "lost"  # the tick's planned action when the lead is to be closed


def _at(value: Any) -> datetime | None:
    if not value:
        return None
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def _last_lead_message(state: SilviaState) -> dict[str, Any]:
    """The lead's last message as `record` keeps it in `messages` (text and intent)."""
    for message in reversed(state.get("messages") or []):
        if message.get("role") == "lead":
            return dict(message)
    return {}


def facts_from_state(state: SilviaState) -> LeadFacts:
    sent = state.get("followups") or {}
    stage = Stage(state.get("stage") or Stage.NEW)
    last = _last_lead_message(state)
    return LeadFacts(
        phone=state.get("phone", ""),
        stage=stage,
        last_inbound_at=_at(state.get("last_inbound_at")),
        followup_count=int(sent.get("count") or 0),
        last_followup_at=_at(sent.get("last_at")),
        last_followup_kind=sent.get("last_kind"),
        has_savings_figure=bool((state.get("profile") or {}).get("bill_amount")),
        # A clear decline already closed the lead as lost (answer node); a "não" still here
        # was a bare one to Sílvia's offer.
        said_no=said_no(stage, str(last.get("intent") or "")),
        complained=complained(last.get("text")),
        reminder=reminder_from(state.get("reminder")),
    )


def followup_reply(kind: FollowupKind, has_savings_figure: bool) -> Reply:
    if kind == FollowupKind.VALUE_REINFORCEMENT and not has_savings_figure:
        return reply("followup.value_reinforcement_general")
    return reply(f"followup.{kind.value}")


def _against_plan(decision: Decision, planned: str | None, facts: LeadFacts) -> Decision:
    """A tick carries what the scheduler planned; anything else now means the lead changed.

    Except after a lead's "não": the scheduler reads it from the lead's last recorded message
    (`said_no`), but a tick planned just before that message lands; what the node decides then
    is always gentler (the one nudge, or closing the lead).
    """
    if planned is None or decision.action == "skip" or facts.said_no:
        return decision
    now_planned = CLOSE if decision.action == "close" else str(decision.kind)
    if now_planned != planned:
        return Decision("skip", f"plan changed since scheduling ({planned} → {now_planned})")
    return decision


def _skipped(state: SilviaState, decision: Decision) -> dict[str, Any]:
    turn = dict(state.get("turn") or {})
    turn["followup"] = {"action": decision.action, "reason": decision.reason}
    return {"replies": [], "turn": turn}


async def followup(state: SilviaState, runtime: Runtime[Deps]) -> dict[str, Any]:
    """A scheduler tick: nudge a quiet lead, but only when it is allowed and useful."""
    deps = runtime.context
    now = deps.clock()
    inbound = state["inbound"]
    # The pass instant decides the hour rule (the 18:00 pass sends a few seconds after 18:00).
    pass_at = _at(inbound.get("received_at")) or now
    if now - pass_at > PASS_GRACE:
        return _skipped(state, Decision("skip", f"stale tick from {pass_at.isoformat()}"))
    facts = facts_from_state(state)
    decision = _against_plan(
        decide(facts, min(pass_at, now), deps.timezone), inbound.get("followup_kind"), facts
    )
    if decision.action == "skip":
        return _skipped(state, decision)
    update = _skipped(state, decision)
    if decision.action == "close":
        details = {"reason": decision.reason}
        await deps.leads.log("INFO", "followup_closed", phone=state.get("phone"), details=details)
        return update | {"stage": Stage.LOST.value}
    assert decision.kind is not None
    update["turn"] |= {"followup_kind": decision.kind.value}
    sent = {"count": facts.followup_count + 1, "last_at": now.isoformat(), "last_kind": decision.kind.value}
    return update | {"replies": [followup_reply(decision.kind, facts.has_savings_figure)], "followups": sent}
