"""The start of every turn: ingest the event, try the L1 cache, understand the message (L2)."""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import replace
from time import perf_counter
from typing import Any

from langgraph.runtime import Runtime

from agent.context import Deps
from agent.inbound import Inbound
from agent.llm.prompts import default_llm_book
from agent.nodes.amounts import amount_correction
from agent.nodes.naming import introduced_name, merged_name
from agent.nodes.returning import asks_still_on
from agent.policy.privacy import redact_inbound
from agent.policy.prompt_versions import assign_version
from agent.ports import LeadRecord, PortError
from agent.replies.drafts import previous_turn, profile_shape, render_reply
from agent.replies.templates import TemplateError
from agent.routing import FAQ_INTENTS
from agent.state import Intent, Profile, SilviaState, Stage
from agent.understanding.clauses import looks_like_question
from agent.understanding.company_names import is_company_name
from agent.understanding.coverage import (
    another_property,
    asks_about_place,
    home_place,
    mentions_other_place,
    place_asked,
    unlisted_place,
)
from agent.understanding.decisions import says_show_it
from agent.understanding.intent import normalise
from agent.understanding.knowledge import default_knowledge
from agent.understanding.llm import refine_with_model
from agent.understanding.person import asks_about_the_call, split_bot_question
from agent.understanding.privacy_requests import data_request_kind
from agent.understanding.reading import (
    BOT_TOPIC,
    PERSON_CONFIDENCE,
    Act,
    Reading,
    read_message,
)

log = logging.getLogger(__name__)

PLAN_BUTTON_PREFIX = "plan:"
TOPIC_BUTTON_PREFIX = "topic:"  # the clarifying question's buttons: the lead picks the topic


def _profile_from_lead(lead: LeadRecord) -> Profile:
    profile: Profile = {"name": lead.name}
    if lead.city:
        profile["city"] = lead.city
    if lead.state:
        profile["state"] = lead.state.upper()
    if lead.bill_amount:
        profile["bill_amount"] = float(lead.bill_amount)
    profile["person_type"] = (
        "juridical" if lead.client_type in ("business", "juridical", "company") else "natural"
    )
    if profile["person_type"] == "juridical" or is_company_name(lead.name):
        profile["company"] = lead.name  # a business's name: registered as such, never a first name
    return profile


def _speaks_for_a_business(profile: Profile) -> bool:
    name = str(profile.get("name") or "")
    return bool(name) and (profile.get("company") == name or is_company_name(name))


async def ingest(state: SilviaState, runtime: Runtime[Deps]) -> dict[str, Any]:
    """Reset per-turn fields, load the lead's profile the first time, mark the message read."""
    deps = runtime.context
    inbound = Inbound.model_validate(state["inbound"])
    if state.get("phone") and state["phone"] != inbound.phone:
        # A thread is one lead's conversation (`lead:<phone>`; a LangGraph server's thread too).
        raise ValueError(
            f"this thread is the conversation of the lead ending in {state['phone'][-4:]}; "
            "start a new thread for another phone"
        )
    profile: Profile = dict(state.get("profile") or {})  # type: ignore[assignment]
    if not profile and (lead := await deps.leads.get_lead(inbound.phone)):
        profile = _profile_from_lead(lead)
    if inbound.name and not profile.get("name"):
        profile["name"] = inbound.name
    elif inbound.name and _speaks_for_a_business(profile) and not is_company_name(inbound.name):
        # The WhatsApp name of who writes for the business: addressed by it.
        profile.setdefault("contact_name", inbound.name)
    update: dict[str, Any] = {
        "phone": inbound.phone,
        # LGPD: a CPF/CNPJ the lead types goes no further than this node (records, prompts).
        # Validated and complete (defaults filled): a LangGraph API run sends only what it has.
        "inbound": redact_inbound(inbound.model_dump(mode="json")),
        "profile": profile,
        "replies": [],
        "sent": [],
        "intent": "",
        "confidence": 0.0,
        "entities": {},
        "place_question": None,
        "profile_changed": False,
        "reading": {},
        "topic": "",
        "turn": {"started_at": perf_counter(), "cache_hit": False},
    }
    if inbound.kind != "followup_tick":  # the lead wrote: cancels pending follow-ups, opens the window
        update["last_inbound_at"] = deps.clock().isoformat()
    if not state.get("stage"):
        update["stage"] = Stage.NEW.value
    if not state.get("prompt_version"):  # sticky: assigned once per lead (A/B by weights)
        update["prompt_version"] = assign_version(inbound.phone, deps.prompt_weights, deps.prompt_version)
    if deps.takeover is not None and await deps.takeover.is_paused(inbound.phone):
        update["turn"]["paused"] = True  # a specialist has the lead: record the message, stay silent
        return update
    if inbound.message_id and inbound.kind != "followup_tick":
        try:
            await deps.whatsapp.mark_as_read(inbound.message_id)
        except PortError:  # a read receipt is never worth failing a turn
            log.warning("markAsRead failed for a message of %s", inbound.phone[-4:])
    return update


def cache_key(text: str, stage: str, version: str, profile: Profile, content: str = "") -> str:
    """What a cached reply depends on: the message, the stage, the prompt version, which lead data
    are known (never their values: those are filled from the asking lead at render time) and
    `content` (`reply_content`: the knowledge base and catalog facts the answer was chosen from)."""
    material = "|".join((version, content, stage, profile_shape(profile), normalise(text)))
    return hashlib.sha256(material.encode()).hexdigest()[:40]


def reply_content(state: SilviaState, deps: Deps) -> str:
    """The part of the cache key a knowledge answer adds: the knowledge base's version and text,
    the catalog facts its placeholders may state, and whether the lead chose a plan or has a
    distributor (both select or fill an answer variant)."""
    kb = deps.topics.knowledge if deps.topics is not None else default_knowledge()
    facts = json.dumps(deps.knowledge_facts, sort_keys=True, ensure_ascii=False)
    known = ("p" if state.get("selected_plan") else "-") + ("d" if state.get("distributor") else "-")
    return f"{kb.version}:{kb.digest}:{hashlib.sha256(facts.encode()).hexdigest()[:12]}:{known}"


async def cache_lookup(state: SilviaState, runtime: Runtime[Deps]) -> dict[str, Any]:
    """Layer 1: a repeated question at the same stage is answered from the cache."""
    deps = runtime.context
    inbound = state["inbound"]
    turn = dict(state.get("turn") or {})
    if inbound.get("kind") != "text" or not inbound.get("text", "").strip():
        return {"turn": turn}
    stage, version = state.get("stage", Stage.NEW), state.get("prompt_version", deps.prompt_version)
    key = cache_key(inbound["text"], stage, version, state.get("profile") or {}, reply_content(state, deps))
    turn["cache_key"] = key
    entry = await deps.cache.get(key)
    if not entry or _repeats_last_answer(entry, state):
        return {"turn": turn}  # the same answer twice in a row is decided by the nodes, not copied
    try:
        replies = [render_reply(draft, state, deps.prompts, version, "L1") for draft in entry["replies"]]
    except TemplateError:
        return {"turn": turn}  # an entry that no longer renders is a miss, not an error
    turn["cache_hit"] = True
    turn["interaction_type"] = entry.get("interaction_type", "faq")
    # Counted in `response_cache` by `record`, in the turn's own transaction.
    turn["cache_templates"] = ",".join(r["template_id"] for r in replies)
    update = {"intent": entry["intent"], "confidence": 1.0, "replies": replies, "turn": turn}
    return update | ({"topic": entry["topic"]} if entry.get("topic") else {})


def _repeats_last_answer(entry: dict[str, Any], state: SilviaState) -> bool:
    _, previous = previous_turn(state)
    return any(draft.get("template_id") in previous for draft in entry.get("replies") or [])


_ESTIMATE_KEYS = ("city", "state", "bill_amount", "person_type")
# What the model may still make of a question: stop, a person, the lead's data rights.
_MODEL_MAY_REDIRECT = frozenset({Intent.OPT_OUT.value, Intent.ASK_HUMAN.value, Intent.DATA_REQUEST.value})


def _update_profile(profile: Profile, entities: dict[str, Any], *, keep_place: bool = False) -> Profile:
    updated: Profile = dict(profile)  # type: ignore[assignment]
    if not keep_place and entities.get("city") and not entities.get("state"):
        updated.pop("state", None)  # a new city the rules cannot place: its state is asked, not kept
    for key in ("city", "state", "bill_amount", "person_type", "company"):
        if keep_place and key in ("city", "state"):
            continue
        if entities.get(key):
            updated[key] = entities[key]  # type: ignore[literal-required]
    return updated


def _button_reading(button: str, deps: Deps) -> Reading | None:
    """A reply button says exactly what the lead means: a plan, or a topic they picked."""
    if button.startswith(PLAN_BUTTON_PREFIX):
        plan = button[len(PLAN_BUTTON_PREFIX) :]
        act = Act("plan_choice", 1.0, button, "button", entities={"plan": plan})
        return Reading(button, (act,), Intent.CHOOSE_PLAN.value, 1.0, {"plan": plan}, "button", True)
    topic = button[len(TOPIC_BUTTON_PREFIX) :] if button.startswith(TOPIC_BUTTON_PREFIX) else ""
    if deps.topics is not None and topic in deps.topics.knowledge:
        act = Act("question", 1.0, button, "button", topic=topic)
        intent = deps.topics.knowledge[topic].intent
        return Reading(button, (act,), intent, 1.0, {}, "button", True)
    return None


def _question_turned_into_a_step(reading: Reading, model_intent: str, text: str) -> bool:
    """The model read as a funnel step ("sim", data, thanks) a message the reading saw as a
    question near known topics ("meu cpf ta negativado, vcs aceitam?" read as "yes, show me the
    plans"): the lead keeps the clarifying question, never a step they did not ask for."""
    question = reading.question
    asked = question is not None and bool(question.topic) and looks_like_question(text)
    return asked and not model_intent.startswith("ask_") and model_intent not in _MODEL_MAY_REDIRECT


def _with_the_bot_question(reading: Reading, text: str, deps: Deps) -> Reading:
    """'vcs são robô? e como conseguiram meu número?': both questions, in the lead's order. The
    whole message was read as one of them; the other clause is read on its own and joins it."""
    split = split_bot_question(text)
    if split is None or any(a.kind == "request_person" for a in reading.acts):
        return reading
    bot_first, bot_words, rest = split
    questions = [a for a in reading.acts if a.kind == "question" and a.topic != BOT_TOPIC]
    if not questions:
        other = read_message(rest, deps.topics)
        questions = [a for a in other.acts if a.kind == "question" and a.topic and a.topic != BOT_TOPIC]
    if not questions and data_request_kind(rest) == "how_number":
        questions = [Act("question", PERSON_CONFIDENCE, rest, "rules", topic="how_got_number")]
    if not questions:
        return reading
    bot = Act("question", PERSON_CONFIDENCE, bot_words, "rules", topic=BOT_TOPIC)
    ordered = [bot, *questions] if bot_first else [*questions, bot]
    return replace(reading, acts=(*[a for a in reading.acts if a.kind != "question"], *ordered))


async def _read(state: SilviaState, deps: Deps) -> tuple[Reading, dict[str, Any] | None]:
    """Rules, then meaning (embeddings), then the model for what both leave unsure."""
    text = state["inbound"].get("text") or ""
    reading = _with_the_bot_question(read_message(text, deps.topics), text, deps)
    if reading.layer == "embeddings" or (reading.explained_by_rules and deps.topics is not None):
        return reading, None  # read entirely: no model needed
    understood, turn = await refine_with_model(state, deps, reading.understanding(), default_llm_book())
    if turn is None or turn.get("understood_by") != "model":
        return reading, turn
    if _question_turned_into_a_step(reading, understood.intent, text):
        return reading, turn | {"understood_by": "rules", "model_overruled": understood.intent}
    acts = (
        *[a for a in reading.acts if a.kind != "question"],
        Act("other", understood.confidence, text, "model"),
    )
    if understood.intent.startswith("ask_") and reading.question:
        acts = (*acts[:-1], Act("question", understood.confidence, text, "model", topic=""))
    return (
        Reading(
            text, acts, understood.intent, understood.confidence, dict(understood.entities), "model", False
        ),
        turn,
    )


# A bare "oi" keeps its greeting intent: the answer node acknowledges the handover for it.
_PINGS = frozenset({Intent.OTHER, Intent.ASK_HUMAN, *FAQ_INTENTS})


def _about_the_call(state: SilviaState, reading: Reading) -> Reading:
    """A lead waiting for the specialist who pings or asks when the call comes ("oi??", "vai
    demorar muito?", "que horas o rapaz me liga?") asks about the person they were promised: read
    as such, so the handover is acknowledged (who and when) instead of a topic's text."""
    waiting = state.get("stage") == Stage.HANDED_OFF and bool(state.get("specialist"))
    if not waiting or reading.intent not in _PINGS or not asks_about_the_call(reading.text, reading.topic):
        return reading
    act = Act("request_person", reading.confidence, reading.text, reading.layer)
    return replace(reading, acts=(act,), intent=Intent.ASK_HUMAN.value)


async def understand(state: SilviaState, runtime: Runtime[Deps]) -> dict[str, Any]:
    """Read the whole message (agent/understanding/reading.py); what the lead told us about
    themselves joins the profile, what they said about someone else or asked about a place does not."""
    deps = runtime.context
    inbound = state["inbound"]
    turn: dict[str, Any] | None = None
    if reading := _button_reading(inbound.get("button_id") or "", deps):
        pass
    elif inbound.get("kind") in ("text", "interactive"):
        reading, turn = await _read(state, deps)
    else:
        reading = Reading("", (), Intent.OTHER.value, 1.0, {}, "rules", True)
    reading = _about_the_call(state, reading)
    entities = dict(reading.entities)
    if state.get("stage") == Stage.LOST and asks_still_on(text_of(inbound)):
        # "ainda tá valendo aquilo?" from a lead coming back: the welcome back to what was
        # pending answers it (issue 14 rule 5), not the knowledge base.
        reading = replace(reading, acts=tuple(a for a in reading.acts if a.kind != "question"),
                          intent=Intent.GREETING.value)  # fmt: skip
    reading = _no_question_in_a_yes_or_an_introduction(reading, text_of(inbound))
    intent = reading.intent
    if text_amount := _amount_without_money_word(state, reading, entities):
        entities["bill_amount"] = text_amount  # "na verdade é 380", "errei, é 1.200"
        intent = Intent.PROVIDE_INFO.value
    # "Vocês atendem em Salvador?" is answered (answer node), never stored as the lead's city.
    text = str(inbound.get("text") or "") if inbound.get("kind") == "text" else ""
    asked = bool(text) and asks_about_place(text, entities)
    if asked and await _reopens(state, deps, text, entities):
        asked = False  # a not-qualified lead's relative in a served place: data that re-opens (rule 1)
    if (
        text
        and not asked
        and state.get("stage") in (None, Stage.NEW, Stage.GREETED)
        and (home := home_place(text, entities))
    ):
        entities["city"] = home  # "moro em Surubim": a town no table knows is still the lead's city
    unlisted = unlisted_place(text, entities) if text else None
    before = state.get("profile") or {}
    profile = _update_profile(before, entities, keep_place=asked or _another_home(state, text))
    if (said_name := introduced_name(text)) and _speaks_for_a_business(profile):
        profile["contact_name"] = said_name  # "aqui é a Joana, da loja": the business keeps its name
    elif said_name:  # "aqui é a dona Severina": addressed so from now on
        profile["name"] = merged_name(str(profile.get("name") or ""), said_name)
    update: dict[str, Any] = {
        "intent": intent,
        "confidence": reading.confidence,
        "entities": entities,
        "reading": reading.to_dict(),
        "topic": reading.topic,
        "profile": profile,
        "place_question": place_asked(entities, unlisted) if asked or unlisted else None,
        "profile_changed": any(profile.get(k) != before.get(k) for k in _ESTIMATE_KEYS),
    }
    if entities.get("plan") and not state.get("selected_plan"):
        update["wanted_plan"] = entities["plan"]  # named before choosing: kept for the proposal
    if turn:
        update["turn"] = turn
    return update


def _no_question_in_a_yes_or_an_introduction(reading: Reading, text: str) -> Reading:
    """ "entendi, pode mandar" answers Sílvia's offer and "quem fala aqui é o Sr. Raimundo" says who
    writes: neither asks the topic their words are near ("pode mandar" the documents, "quem" who
    Serena is). A question mark keeps the question."""
    if not text or "?" in text or not reading.question:
        return reading
    if says_show_it(text):
        acts = tuple(a for a in reading.acts if a.kind != "question")
        return replace(reading, acts=acts, intent=Intent.AFFIRM.value)
    if introduced_name(text) and not reading.entities:
        acts = tuple(a for a in reading.acts if a.kind != "question")
        return replace(reading, acts=acts, intent=Intent.OTHER.value)
    return reading


# What a lead correcting the amount may also be read as ("não, é 250" reads as a "no").
_CORRECTABLE_INTENTS = frozenset(
    {Intent.OTHER, Intent.DENY, Intent.AFFIRM, Intent.GREETING, Intent.PROVIDE_INFO}
)


def _amount_without_money_word(
    state: SilviaState, reading: Reading, entities: dict[str, Any]
) -> float | None:
    """An amount the rules leave unread because it has no money word: a correction of the
    amount already known, or a lone number while Sílvia waits for one (issue 14 rule 6)."""
    inbound = state["inbound"]
    if (
        entities.get("bill_amount")
        or inbound.get("kind") != "text"
        or reading.intent not in _CORRECTABLE_INTENTS
    ):
        return None
    known = bool((state.get("profile") or {}).get("bill_amount")) and state.get("stage") not in (
        None,
        Stage.NEW,
    )
    waiting = bool(state.get("amount_check"))
    if not (known or waiting):
        return None
    return amount_correction(str(inbound.get("text") or ""), awaiting_amount=waiting)


def _another_home(state: SilviaState, text: str) -> bool:
    """ "Tenho mais uma casa em Olinda, dá pra botar as duas?": that house's town, never the lead's
    own city (a lead not served is re-opened by another home's town: issue 14 rule 1)."""
    known = bool((state.get("profile") or {}).get("city"))
    return known and state.get("stage") != Stage.NOT_QUALIFIED and another_property(text)


def text_of(inbound: dict[str, Any]) -> str:
    return str(inbound.get("text") or "") if inbound.get("kind") == "text" else ""


async def _reopens(state: SilviaState, deps: Deps, text: str, entities: dict[str, Any]) -> bool:
    """ "Minha irmã mora em Feira, lá tem?" from a lead Serena could not serve: a served place of
    someone close re-opens qualification for it (issue 14 rule 1); elsewhere it is only a question."""
    if state.get("stage") != Stage.NOT_QUALIFIED or not mentions_other_place(text):
        return False
    catalog = await deps.serena.get_plans(str(entities.get("city") or ""), str(entities.get("state") or ""))
    return catalog.served and bool(catalog.plans)
