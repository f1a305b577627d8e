"""The end of every turn: compose (L3) → guard → deliver → record."""

from __future__ import annotations

import logging
import re
from time import perf_counter
from typing import Any

from langgraph.runtime import Runtime

from agent.context import Deps
from agent.llm.compose import compose_with_model, llm_metadata, turn_layer
from agent.llm.prompts import default_llm_book
from agent.nodes.intake import cache_key, reply_content
from agent.nodes.knowledge import read_topics
from agent.policy.guard import check_message, check_model_reply
from agent.policy.outbound import plan_outbound
from agent.policy.privacy import redact
from agent.ports import LeadRecord, PortError, TurnRecord
from agent.replies.drafts import facts_of, render_reply
from agent.replies.templates import TemplateError
from agent.state import Reply, SilviaState, Stage
from agent.understanding.intent import normalise

log = logging.getLogger(__name__)

FALLBACK_ID = "error.generic_fallback"

# What kind of interaction a turn was, by the family of its first template (seed's
# lead_interactions.interaction_type; daily_metrics counts 'qualification').
_INTERACTION_TYPES = {
    "greeting": "greeting",
    "ask_profile": "greeting",
    "ask_profile_missing": "profile",
    "estimate": "greeting",
    "plan_presentation": "plan_presentation",
    "plan_choice_prompt": "plan_presentation",
    "plans_unavailable": "not_served",
    "document_request": "document_request",
    "document_waiting": "document_request",
    "bill": "document_problem",
    "error.ocr_failed": "document_problem",
    "qualification_result": "qualification",
    "handoff": "handoff",
    "faq": "faq",
    "small_talk": "small_talk",
    "opt_out": "opt_out",
    "media": "unsupported_media",
    "fallback": "fallback",
    "followup": "followup",
    "error.generic_fallback": "error",
    "satisfaction": "satisfaction",
}
SURVEY_QUESTION = "satisfaction.ask"  # rides along the turn that ended Sílvia's part


def _fallback(state: SilviaState, deps: Deps, layer: str = "L3") -> Reply:
    return render_reply(
        {"template_id": FALLBACK_ID, "variables": {}}, state, deps.prompts, deps.prompt_version, layer
    )  # type: ignore[arg-type]


def _rephrase(state: SilviaState, deps: Deps, layer: str) -> Reply:
    """The refused answer's stand-in: ask the lead to say it another way (or a specialist)."""
    draft: Reply = {"template_id": "knowledge.rephrase", "variables": {}}
    return render_reply(draft, state, deps.prompts, state.get("prompt_version") or deps.prompt_version, layer)  # type: ignore[arg-type]


def _stand_in(message: Reply, state: SilviaState, deps: Deps, version: str) -> Reply:
    """An open template the model did not write (timeout, error, refused by the guard twice)
    goes out as the reply Sílvia sends with no model at all: a failing model never leaves the
    lead worse off than no model (the bare "não entendi" has no way to a specialist)."""
    if message.get("layer") == "L4" or not message.get("stand_in"):
        return message
    draft: Reply = {"template_id": message["stand_in"], "variables": {}}
    return render_reply(draft, state, deps.prompts, version, message.get("layer", "L3"))  # type: ignore[arg-type]


async def compose(state: SilviaState, runtime: Runtime[Deps]) -> dict[str, Any]:
    """Render each draft from its template; a broken template becomes the generic fallback."""
    deps = runtime.context
    version = state.get("prompt_version") or deps.prompt_version
    rendered: list[Reply] = []
    for draft in state.get("replies") or []:
        try:
            rendered.append(render_reply(draft, state, deps.prompts, version, "L3"))
        except TemplateError as exc:
            await deps.leads.log(
                "ERROR",
                "template_error",
                phone=state.get("phone"),
                details={"template_id": draft.get("template_id"), "error": str(exc)},
            )
            rendered.append(_fallback(state, deps))
    if deps.llm is None:
        return {"replies": rendered}
    # L4: the model answers what no template covers (or humanises), guarded; else the template.
    rendered, calls = await compose_with_model(state, deps, default_llm_book(), rendered)
    rendered = [_stand_in(r, state, deps, version) for r in rendered]
    turn = dict(state.get("turn") or {})
    turn["llm_calls"] = [*turn.get("llm_calls", []), *calls]
    return {"replies": rendered, "turn": turn}


_ANSWER_FAMILIES = ("kb.", "faq.", "fallback.")  # "não entendi" twice, word for word, is a wall
RECENT_REPLIES = 3


def _said_recently(state: SilviaState) -> set[str]:
    """Sílvia's last three messages, normalised (an answer must not copy one of them)."""
    said = [m for m in state.get("messages") or [] if m.get("role") == "silvia"]
    return {" ".join((m.get("text") or "").split()) for m in said[-RECENT_REPLIES:]}


def conversation_violations(message: Reply, state: SilviaState) -> list[str]:
    """An answer that repeats one of Sílvia's last three messages, or answers another topic."""
    if message.get("layer") != "L4" and not str(message.get("template_id", "")).startswith(_ANSWER_FAMILIES):
        return []
    violations = []
    if " ".join(message.get("text", "").split()) in _said_recently(state):
        violations.append("repeats_recent_message")
    read = {state.get("topic"), *read_topics(state)} - {"", None}
    if message.get("topic") and read and message.get("topic") not in read:
        violations.append(f"other_topic:{message.get('topic')}")
    return violations


async def guard(state: SilviaState, runtime: Runtime[Deps]) -> dict[str, Any]:
    """Never let a broken message out: persona, formatting, length and grounded numbers; an answer
    that repeats a recent message or answers another topic becomes a question to the lead."""
    deps = runtime.context
    checked: list[Reply] = []
    violations_seen: list[str] = []
    for message in state.get("replies") or []:
        check = check_model_reply if message.get("layer") == "L4" else check_message
        violations = check(message.get("text", ""), facts_of(message))
        if not violations and (repeat := conversation_violations(message, state)):
            violations_seen += repeat
            details = {"template_id": message.get("template_id"), "violations": repeat}
            await deps.leads.log("WARNING", "guard_violation", phone=state.get("phone"), details=details)
            checked.append(_rephrase(state, deps, message.get("layer", "L3")))
            continue
        if not violations:
            checked.append(message)
            continue
        violations_seen += violations
        await deps.leads.log(
            "WARNING",
            "guard_violation",
            phone=state.get("phone"),
            details={
                "template_id": message.get("template_id"),
                "violations": violations,
                "text": message.get("text", "")[:1000],
            },
        )
        checked.append(_fallback(state, deps, message.get("layer", "L3")))
    turn = dict(state.get("turn") or {})
    turn["guard_violations"] = violations_seen
    return {"replies": checked, "turn": turn}


async def deliver(state: SilviaState, runtime: Runtime[Deps]) -> dict[str, Any]:
    """Send each message through the WhatsApp MCP tools (buttons when the reply has them).

    `plan_outbound` applies the rules of every outbound path: no proactive message after an
    opt-out, and an approved template outside WhatsApp's 24-hour window.
    """
    deps = runtime.context
    sent: list[dict[str, Any]] = []
    delivered: list[Reply] = []
    for draft in state.get("replies") or []:
        outbound = plan_outbound(draft, state, deps)
        if outbound.blocked:
            details = {"template_id": draft.get("template_id"), "reason": outbound.reason}
            await deps.leads.log("WARNING", "outbound_blocked", phone=state.get("phone"), details=details)
            continue
        message = outbound.apply(draft)
        delivered.append(message)
        try:
            message_id = await outbound.send(deps.whatsapp, state["phone"], message)
            sent.append({"message_id": message_id, "text": message["text"], "ok": True})
        except PortError as exc:  # recorded as a failed interaction; the inbox decides on retries
            log.error("delivery failed: %s", exc)
            sent.append({"message_id": None, "text": message["text"], "ok": False, "error": str(exc)[:300]})
    return {"sent": sent, "replies": delivered}


def interaction_type(replies: list[Reply]) -> str:
    if not replies:
        return "inbound_only"
    main = [r for r in replies if r.get("template_id") != SURVEY_QUESTION] or replies
    template_id = main[-1].get("template_id", "")
    return _INTERACTION_TYPES.get(template_id, _INTERACTION_TYPES.get(template_id.split(".")[0], "message"))


def _describe_inbound(inbound: dict[str, Any]) -> str:
    """What the lead sent, as stored and remembered: CPF/CNPJ masked (LGPD)."""
    kind = inbound.get("kind", "text")
    if kind in ("text", "interactive"):
        return redact(inbound.get("text") or inbound.get("button_id") or "")
    return redact(f"[{kind}{': ' + inbound['filename'] if inbound.get('filename') else ''}]")


async def record(state: SilviaState, runtime: Runtime[Deps]) -> dict[str, Any]:
    """Write lead_interactions + lead_status, fill the L1 cache, and remember the turn."""
    deps = runtime.context
    replies = state.get("replies") or []
    sent = state.get("sent") or []
    turn = dict(state.get("turn") or {})
    elapsed_ms = int((perf_counter() - turn.get("started_at", perf_counter())) * 1000)
    turn["response_time_ms"] = elapsed_ms
    stage = Stage(state.get("stage") or Stage.NEW)
    inbound = state["inbound"]
    received = _describe_inbound(inbound)
    failures = [s["error"] for s in sent if not s.get("ok")]
    profile = state.get("profile") or {}
    bill = state.get("bill") or {}
    lead = LeadRecord(
        phone=state["phone"],
        name=profile.get("name") or "",
        city=profile.get("city"),
        state=profile.get("state"),
        bill_amount=profile.get("bill_amount"),
        client_type="business" if profile.get("person_type") == "juridical" else "residential",
        source=contact_source(state),
    )
    await deps.leads.record_turn(
        TurnRecord(
            lead=lead,
            phone=state["phone"],
            # A reminder asked for is found by its type (storage/followups.py), whatever else was said.
            interaction_type="reminder" if turn.get("reminder_asked") else interaction_type(replies),
            message_received=received if inbound.get("kind") != "followup_tick" else None,
            message_sent="\n\n".join(r.get("text", "") for r in replies) or None,
            response_time_ms=elapsed_ms,
            layer=turn_layer(replies),
            prompt_version=replies[0].get("prompt_version", "")
            if replies
            else state.get("prompt_version", ""),
            intent=state.get("intent") or None,
            stage=stage,
            success=not failures,
            error_message="; ".join(failures) or None,
            bill_amount=profile.get("bill_amount"),
            consumption_kwh=bill.get("consumption_kwh"),
            qualified=(state.get("qualification") or {}).get("qualified"),
            metadata=_turn_metadata(state, turn) | llm_metadata(state, turn) | _separate_replies(replies),
            at=deps.clock(),
            cache_hit=_cache_hit(state, turn),
        )
    )
    await _fill_cache(state, deps, replies)
    messages = (
        []
        if inbound.get("kind") == "followup_tick"
        # The message id lets a redelivered message be recognised as answered (api/turns.py).
        else [
            {
                "role": "lead",
                "text": received,
                "intent": state.get("intent") or "",
                "id": inbound.get("message_id"),
            }
        ]
    )
    messages += [
        {"role": "silvia", "text": r.get("text", ""), "stage": stage.value, "template": r.get("template_id")}
        for r in replies
    ]
    return {"turn": turn, "messages": messages}


_AD_WORDS = re.compile(r"\b(anuncio|propaganda|instagram|facebook|insta|face|publicidade)\b")


def _cache_hit(state: SilviaState, turn: dict[str, Any]) -> tuple[str, str, str] | None:
    if not turn.get("cache_hit") or not turn.get("cache_key"):
        return None
    return turn["cache_key"], state.get("intent") or "", turn.get("cache_templates") or ""


def contact_source(state: SilviaState) -> str:
    """Where a lead with no recorded source came from: an ad they mention, else they wrote first.

    Only the first known source is kept (the repository never overwrites one), so a CRM import
    or a website form recorded before the first message stays what it was.
    """
    first = next((m for m in state.get("messages") or [] if m.get("role") == "lead"), None)
    text = (first or {}).get("text") or str((state.get("inbound") or {}).get("text") or "")
    return "ad" if _AD_WORDS.search(normalise(text)) else "inbound"


def _turn_metadata(state: SilviaState, turn: dict[str, Any]) -> dict[str, Any]:
    return {
        "confidence": state.get("confidence"),
        "entities": {k: v for k, v in (state.get("entities") or {}).items() if k != "cpf"},
        "cache_hit": bool(turn.get("cache_hit")),
        "guard_violations": turn.get("guard_violations", []),
        "templates": [r.get("template_id") for r in state.get("replies") or []],
        "message_ids": [s.get("message_id") for s in state.get("sent") or []],
        "serena_lead_id": state.get("serena_lead_id"),
        "specialist": (state.get("specialist") or {}).get("name"),
        "opted_out_at": state.get("opted_out_at"),
        "opt_out_words": state.get("opt_out_words") if state.get("stage") == Stage.OPTED_OUT else None,
        "followup_kind": turn.get("followup_kind"),
        # The reminder the lead asked for, as the planner reads it (storage/followups.py).
        "reminder": state.get("reminder") if turn.get("reminder_asked") else None,
        "followup": turn.get("followup"),
        "paused": bool(turn.get("paused")),  # a specialist had the lead: recorded, not answered
        "ab_version": state.get("prompt_version"),  # the lead's sticky A/B version (KPIs per version)
        "whatsapp_templates": [
            r["whatsapp_template"] for r in state.get("replies") or [] if r.get("whatsapp_template")
        ],
    }


# A handed-off lead's message is forwarded to the specialist by the answer node, and a lead
# Serena cannot serve is answered by why (qualification), which the key does not hold: a reply
# copied from the cache would skip the one and could contradict the other.
_UNCACHED_STAGES = frozenset({Stage.HANDED_OFF, Stage.NOT_QUALIFIED})


async def _fill_cache(state: SilviaState, deps: Deps, replies: list[Reply]) -> None:
    """Only pure answers are cached: the template id, never a finished message."""
    turn = state.get("turn") or {}
    if turn.get("cache_hit") or not replies or not all(r.get("cacheable") for r in replies):
        return
    if turn.get("guard_violations") or state.get("entities"):
        return  # a message that carried data must go through understand every time
    if state.get("stage") in _UNCACHED_STAGES:
        return
    inbound = state["inbound"]
    key = turn.get("cache_key") or cache_key(
        inbound.get("text", ""),
        state.get("stage", Stage.NEW),
        state.get("prompt_version", ""),
        state.get("profile") or {},
        reply_content(state, deps),
    )
    drafts = [
        {
            "template_id": r["template_id"],
            "variables": r.get("variables") or {},
            "cacheable": True,
            "append_nudge": bool(r.get("append_nudge")),
        }
        | ({"topic": r["topic"]} if r.get("topic") else {})
        for r in replies
    ]
    entry = {"intent": state.get("intent"), "replies": drafts, "interaction_type": interaction_type(replies)}
    if state.get("topic"):
        entry["topic"] = state["topic"]  # the knowledge topic read: /v1/chat and the evals report it
    await deps.cache.put(key, entry, deps.cache_ttl_seconds)


def _separate_replies(replies: list[dict[str, Any]]) -> dict[str, Any]:
    """Several messages in one turn are joined in `message_sent`; keep them apart too, so a
    recorded conversation (evals/record.py) grades each message as the lead saw it."""
    texts = [r.get("text", "") for r in replies if r.get("text")]
    return {"replies": texts} if len(texts) > 1 else {}
