"""Nodes outside the funnel's forward path: answers, opt-out and fallback."""

from __future__ import annotations

import re
from typing import Any

from langgraph.runtime import Runtime

from agent.context import Deps
from agent.nodes.acks import (
    asks_only_when,
    coverage_reply,
    holder_reply,
    not_served_question,
    noted_reply,
    resting_ack,
    unanswered_question,
)
from agent.nodes.amounts import check_amount
from agent.nodes.faq import faq_reply, repeated_answer
from agent.nodes.funnel import opening_answer, plan_buttons
from agent.nodes.handoff import forward_to_specialist
from agent.nodes.knowledge import answers_from_knowledge, clarify_reply, knowledge_reply
from agent.nodes.naming import introduced_name
from agent.nodes.privacy import complaint_answer, erasure_opt_out, privacy_answer
from agent.nodes.returning import says_back, welcome_back
from agent.policy.followups import DECLINE_STAGES, refuses_offer
from agent.policy.reminders import day_words, reminder_day
from agent.replies.drafts import previous_turn, reply
from agent.routing import DOCUMENT_STAGES, DONE_STAGES, FAQ_INTENTS, HESITATION_STAGES
from agent.state import Intent, Reply, SilviaState, Stage
from agent.understanding.farewell import says_goodbye
from agent.understanding.hesitations import Hesitation, hesitation
from agent.understanding.intent import normalise
from agent.understanding.offers import Offer
from agent.understanding.offers import last_offer as offer_said_last
from agent.understanding.person import asks_about_the_call, declined_person_clauses
from agent.understanding.privacy_requests import data_request_kind
from agent.understanding.reminders import reminder_asked
from agent.understanding.tone import is_angry

# After an opt-out only an explicit request from the lead re-opens the conversation; "ok",
# "obrigado" or another "pare" are recorded and never answered.
REOPENING_INTENTS = frozenset(
    {
        Intent.GREETING,
        Intent.CHOOSE_PLAN,
        Intent.PROVIDE_INFO,
        Intent.ASK_HUMAN,
        Intent.DATA_REQUEST,
        *FAQ_INTENTS,
    }
)


_REOPEN_WORDS = re.compile(
    r"\b(volt\w*|de novo|novamente|retom\w*|reativ\w*|continu\w*|quero (saber|ver|conhecer|economizar))\b"
)


def wants_to_reopen(state: SilviaState) -> bool:
    """An explicit message from the lead after an opt-out: a question, data, or 'quero voltar'."""
    if state.get("intent") in REOPENING_INTENTS:
        return True
    return state.get("intent") != Intent.OPT_OUT and bool(
        _REOPEN_WORDS.search(normalise(state["inbound"].get("text") or ""))
    )


def _asks_about_the_call(state: SilviaState, stage: Stage) -> bool:
    """A lead waiting for the specialist pings or asks when the call comes ("oi??", "e aí, cadê?",
    "que horas vão me ligar?"): no knowledge topic was read, or only the specialist's contact."""
    text = str((state.get("inbound") or {}).get("text") or "")
    waiting = stage in DONE_STAGES and bool(state.get("specialist"))
    return waiting and asks_about_the_call(text, state.get("topic") or "")


def _small_talk(intent: str, stage: Stage, state: SilviaState, deps: Deps) -> Reply:
    if short := holder_reply(state) or noted_reply(state) or resting_ack(state) or not_served_question(state):
        return short
    if _asks_about_the_call(state, stage):
        return reply("handoff.already")
    if short := clarify_reply(state, deps) or unanswered_question(state, deps):
        return short
    if stage in DONE_STAGES or stage == Stage.NOT_QUALIFIED:
        if intent == Intent.THANKS:
            return reply(
                "small_talk.thanks_handed_off" if state.get("specialist") else "small_talk.thanks_done"
            )
        if stage == Stage.NOT_QUALIFIED:
            return reply("small_talk.after_not_qualified")
        return reply("handoff.already") if state.get("specialist") else reply("small_talk.thanks")
    if stage in DOCUMENT_STAGES and intent in (
        Intent.DOCUMENT_PROMISE,
        Intent.AFFIRM,
        Intent.LATER,
        Intent.PROVIDE_INFO,
        Intent.CHOOSE_PLAN,
    ):
        return reply("document_waiting")
    templates = {
        Intent.THANKS: "small_talk.thanks",
        Intent.LATER: "small_talk.later",
        Intent.DENY: "small_talk.deny",
        Intent.GREETING: "small_talk.greeting_again",
    }
    return reply(templates.get(intent, "fallback.not_understood"), cacheable=intent == Intent.THANKS)


async def _known_plans(state: SilviaState, deps: Deps) -> list[dict[str, Any]]:
    """The plans shown to the lead, or the catalog's for their state (a loyalty question)."""
    if state.get("plans"):
        return list(state["plans"])
    profile = state.get("profile") or {}
    if not profile.get("state"):
        return []
    catalog = await deps.serena.get_plans(profile.get("city", ""), profile["state"])
    return [p.model_dump() for p in catalog.plans] if catalog.served else []


async def answer(state: SilviaState, runtime: Runtime[Deps]) -> dict[str, Any]:
    """Answer questions and small talk at any stage, then point back to the current step."""
    deps = runtime.context
    stage = Stage(state.get("stage") or Stage.NEW)
    intent = state.get("intent") or Intent.OTHER
    if stage == Stage.HANDED_OFF:
        await forward_to_specialist(state, deps)  # the specialist sees what the lead adds
    if state["inbound"].get("kind") in ("image", "document"):
        handed_without_bill = state.get("specialist") and not state.get("bill")
        return {"replies": [reply("handoff.media_noted" if handed_without_bill else "bill.already_received")]}
    if says_goodbye(_text(state)):
        # "tchau", "falou": a short kind goodbye, never a welcome back nor a pitch (issue 14 rule 5)
        return {
            "replies": [
                reply("small_talk.goodbye_handed_off" if state.get("specialist") else "small_talk.goodbye")
            ]
        }
    if cared := await privacy_answer(state, deps) or complaint_answer(state):
        return cared  # a data request or a complaint: acted on, and no pitch
    if stage in HESITATION_STAGES and (when := reminder_asked(_text(state))):
        return await _confirm_reminder(state, deps, when)  # "me lembra amanhã?": the day, same stage
    if coverage := await coverage_reply(state, deps):
        return {"replies": [coverage]}
    said = (state.get("entities") or {}).get("bill_amount")
    if said and stage in DOCUMENT_STAGES and (check := await check_amount(deps, state.get("profile") or {})):
        return check  # an amount below the minimum or very high, said while the bill is awaited
    if stage in HESITATION_STAGES and (kind := hesitation_of(state)):
        return {"replies": [reply(f"hesitation.{kind}", distributor_text=_distributor_text(state))]}
    if stage == Stage.HANDED_OFF and _asks_about_the_call(state, stage) and intent != Intent.DATA_REQUEST:
        return {"replies": [reply("handoff.already")]}  # impatience is acknowledged, not read as a topic
    knows_answer = answers_from_knowledge(state)
    answerable = knows_answer or intent in FAQ_INTENTS
    # A topic read into a bare "e pra quando?" is a guess; after "not served yet" it asks when Serena arrives.
    not_served_first = asks_only_when(_text(state)) or not (answerable and stage == Stage.NOT_QUALIFIED)
    if not_served_first and (short := not_served_question(state)):
        return {"replies": [short]}  # "e quando vocês chegam?" from a lead Serena cannot serve yet
    if knows_answer:
        # A lead Serena does not serve yet still gets the answer to "como funciona?" (issue 14
        # rule 1); their stage's closing line is "se tiver outra dúvida, é só mandar", never a
        # funnel step they cannot take (and, since no survey follows a not-served close, it is
        # what addresses them by name).
        plans = await _known_plans(state, deps)
        draft = knowledge_reply(state["topic"], state, deps, plans=plans, nudge=True)
        return {"replies": [repeated_answer(draft["template_id"], previous_turn(state)[1], deps) or draft]}
    if intent in FAQ_INTENTS:
        plans = await _known_plans(state, deps) if intent in (Intent.ASK_CONTRACT, Intent.ASK_PRICE) else []
        # A lead Serena does not serve gets the general answer, never a saving they cannot have.
        profile = state.get("profile") or {} if stage != Stage.NOT_QUALIFIED else {}
        draft = faq_reply(intent, profile, deps.prompts, plans=plans, selected=state.get("selected_plan"))
        draft["append_nudge"] = draft.get("append_nudge", True)  # not qualified: "outra dúvida?"
        return {"replies": [repeated_answer(draft["template_id"], previous_turn(state)[1], deps) or draft]}
    if intent == Intent.GREETING and (stage == Stage.PLANS_PRESENTED or stage in DOCUMENT_STAGES):
        # "boa tarde" from a lead back after silence or a restart: what was pending (the plan
        # chosen and the bill, or the plans), never a bare "oi de novo" (issue 14 rule 5).
        return welcome_back(state, plan_buttons(state.get("plans") or []))
    if intent == Intent.DENY and stage in DECLINE_STAGES and refuses_offer(_text(state), last_offer(state)):
        # "não tenho interesse", or a bare "não" to Sílvia's offer (the plans, the bill) closes the
        # lead with one kind line: no follow-up chases it (seed: only active leads are followed
        # up). A "não" to a question that offers nothing, or "agora não", keeps the stage.
        words = _text(state)[:200]
        await deps.leads.log("INFO", "lead_declined", phone=state.get("phone"), details={"words": words})
        return {"stage": Stage.LOST.value, "replies": [reply("small_talk.declined")]}
    return {"replies": [_small_talk(intent, stage, state, deps)]}


def last_offer(state: SilviaState) -> Offer | None:
    return offer_said_last(state.get("messages") or [])


async def _confirm_reminder(state: SilviaState, deps: Deps, when: str) -> dict[str, Any]:
    """Confirm the reminder with its day and keep it where the follow-up planner and node read it
    (the state, and the turn's row in `lead_interactions`): it goes out on that day, nothing
    before (agent/policy/followups.py)."""
    now = deps.clock()
    day = reminder_day(when, now, deps.timezone)
    await deps.leads.log("INFO", "reminder_asked", phone=state.get("phone"), details={"on": day.isoformat()})
    return {
        "reminder": {"on": day.isoformat(), "asked_at": now.isoformat()},
        "turn": {**(state.get("turn") or {}), "reminder_asked": True},
        "replies": [reply("reminder.confirmed", when_text=day_words(day, now, deps.timezone))],
    }


def hesitation_of(state: SilviaState) -> Hesitation | None:
    """The lead's "not now", unless it is a promise to send the bill ("vou mandar a conta mais
    tarde" is waited for, not a lead to reassure)."""
    kind = hesitation(_text(state))
    return None if kind == "later" and state.get("intent") == Intent.DOCUMENT_PROMISE else kind


def _text(state: SilviaState) -> str:
    inbound = state.get("inbound") or {}
    return str(inbound.get("text") or "") if inbound.get("kind") == "text" else ""


def _distributor_text(state: SilviaState) -> str:
    return state.get("distributor") or "sua distribuidora de energia"


async def opt_out(state: SilviaState, runtime: Runtime[Deps]) -> dict[str, Any]:
    """Opt-out is immediate and permanent; only an explicit message from the lead re-opens."""
    deps = runtime.context
    inbound = state["inbound"]
    if state.get("stage") != Stage.OPTED_OUT:
        now = deps.clock().isoformat()
        words = (inbound.get("text") or "")[:500]
        # Each opt-out is kept with its time and words (sdr_logs); lead_status holds the latest.
        await deps.leads.log("INFO", "opt_out", phone=state["phone"], details={"at": now, "words": words})
        if data_request_kind(words) == "erase":  # "apaga meus dados e não me manda mais nada"
            await deps.leads.request_data(state["phone"], "erase", words)
            return erasure_opt_out(state, deps, words)
        return {
            "stage": Stage.OPTED_OUT.value,
            "opted_out_at": now,
            "opt_out_words": words,
            "replies": [reply("opt_out.confirmed_sorry" if is_angry(words) else "opt_out.confirmed")],
        }
    if inbound.get("kind") in ("text", "interactive") and not wants_to_reopen(state):
        return {"replies": []}  # recorded, never answered
    if inbound.get("kind") not in ("text", "interactive", "image", "document"):
        return {"replies": []}
    await deps.leads.log("INFO", "opt_in_again", phone=state["phone"])
    replies = [reply("small_talk.welcome_back")]
    if opening := opening_answer(state.get("intent") or "", state.get("profile") or {}, deps):
        replies.append(opening)  # "quanto custa?" after an opt-out: welcome back, then answer
    return {"stage": Stage.GREETED.value, "replies": replies}


async def fallback(state: SilviaState, runtime: Runtime[Deps]) -> dict[str, Any]:
    """Messages we cannot use (audio, stickers, …) or did not understand: a polite pt-BR reply."""
    kind = state["inbound"].get("kind")
    if kind in ("audio", "sticker", "location", "unsupported"):
        return {"replies": [reply(f"media.{kind}")]}
    if noted := holder_reply(state):
        return {"replies": [noted]}
    if says_back(_text(state)):
        return {"replies": [reply("small_talk.welcome_back")]}  # "voltei!": the current step again
    if introduced_name(_text(state)):
        return {
            "replies": [reply("small_talk.introduced")]
        }  # "Aqui é a Joana": greeted by name, never "não entendi"
    if question := clarify_reply(state, runtime.context) or unanswered_question(state, runtime.context):
        return {"replies": [question]}  # a question no answer of ours covers: offer a specialist
    if declined_person_clauses(_text(state)):
        return {"replies": [reply("small_talk.no_call")]}  # "ninguém precisa me ligar": no handover
    return {"replies": [reply("fallback.not_understood")]}
