"""Short acknowledgements: data the lead gave mid-funnel, and a bare "ok" after Sílvia stepped back.

Both keep Sílvia from repeating the same push (or ignoring what the lead just told her).
"""

from __future__ import annotations

import re

from agent.context import Deps
from agent.replies.drafts import place_name, previous_turn, reply
from agent.routing import DOCUMENT_STAGES, DONE_STAGES
from agent.state import Intent, Reply, SilviaState, Stage
from agent.understanding.decisions import asks_for_plans
from agent.understanding.intent import normalise

# Sílvia's replies after which a bare "ok"/"blz"/"obrigado" needs no new push, only a short ack.
_RESTING_TEMPLATES = frozenset(
    {
        "document_waiting",
        "small_talk.deny",
        "small_talk.declined",
        "small_talk.later",
        "small_talk.after_not_qualified",
        "hesitation.no_bill_at_hand",
        "hesitation.someone_decides",
        "hesitation.later",
        "reminder.confirmed",
    }
)
_ACK_INTENTS = frozenset({Intent.AFFIRM, Intent.THANKS, Intent.DOCUMENT_PROMISE, Intent.LATER})


def noted_reply(state: SilviaState) -> Reply | None:
    """Data the lead gave mid-funnel (a new bill amount, that the bill is a company's): say we took it."""
    if state.get("intent") != Intent.PROVIDE_INFO:
        return None
    entities = state.get("entities") or {}
    stage = Stage(state.get("stage") or Stage.NEW)
    if entities.get("bill_amount") and stage in DOCUMENT_STAGES:
        return reply("document_amount_noted", append_nudge=True)
    if entities.get("person_type") == "juridical" and stage not in DONE_STAGES:
        return reply("company_noted", append_nudge=True)
    return None


def resting_ack(state: SilviaState) -> Reply | None:
    """A bare "ok" right after Sílvia stepped back (waiting, 'depois', 'não'): no second push."""
    _, previous = previous_turn(state)
    if asks_for_plans(str((state.get("inbound") or {}).get("text") or "")):
        return None  # "quero ver os planos agora", "pode mostrar": the lead moves on, not an "ok"
    if state.get("intent") in _ACK_INTENTS and _RESTING_TEMPLATES.intersection(previous):
        return reply("small_talk.ack")
    return None


_QUESTION_INTENTS = frozenset({Intent.PROVIDE_INFO, Intent.OTHER})
_DATA_ENTITIES = ("city", "state", "bill_amount", "plan", "person_type")


# "quando vocês chegam?", "tem previsão?", "vão abrir aqui?": asking when Serena arrives.
_WHEN_WORDS = re.compile(
    r"\b(quando|qdo|qnd|qndo|previsao|data|prazo|chegam|chegar|chegando|abrir|expandir|vao vir)\b"
)
# Words that carry no topic of their own around a bare "when" ("e pra quando?", "mas tem previsão?").
_ELLIPTIC_FILLERS = frozenset(
    {"e", "mas", "entao", "pra", "para", "ate", "tem", "alguma", "algum", "a", "o", "ai", "la", "aqui"}
    | {"ja", "sera", "mais", "ou", "menos", "voces", "vcs", "vc", "isso"}
)


def asks_only_when(text: str) -> bool:
    """ "e pra quando?", "tem previsão?": a bare "when" with nothing else it could be about; after
    "not served yet" it asks when Serena arrives, never when a discount starts."""
    words = [w for w in normalise(text).split() if w not in _ELLIPTIC_FILLERS]
    return bool(words) and all(_WHEN_WORDS.fullmatch(w) for w in words)


def not_served_question(state: SilviaState) -> Reply | None:
    """A lead Serena does not serve yet asks something ("e quando vocês chegam aqui?"): the honest
    answer is that there is no date and they will hear it here, never "não entendi"."""
    qualification = state.get("qualification") or {}
    if state.get("stage") != Stage.NOT_QUALIFIED or qualification.get("reason_code") != "state_not_served":
        return None
    text = str((state.get("inbound") or {}).get("text") or "")
    intent = str(state.get("intent") or "")
    if intent not in _QUESTION_INTENTS and not intent.startswith("ask_"):
        return None
    if "?" not in text and not _WHEN_WORDS.search(normalise(text)):
        return None
    return reply("coverage.not_served_question", city=place_name(state.get("profile") or {}))


def unanswered_question(state: SilviaState, deps: Deps) -> Reply | None:
    """A question no FAQ covers ("vocês patrocinam algum time?") gets an honest
    "não entendi a pergunta" and the way to a specialist, never "fico no aguardo". With a
    language model configured it goes to the open template, which the model answers (L4)."""
    inbound = state.get("inbound") or {}
    text = str(inbound.get("text") or "")
    if inbound.get("kind") != "text" or "?" not in text or len(text.split()) < 3:
        return None
    if state.get("intent") not in _QUESTION_INTENTS:
        return None
    entities = state.get("entities") or {}
    if any(entities.get(key) for key in _DATA_ENTITIES):
        return None  # data with a question mark ("moro em Olinda, pode?") is handled as data
    if deps.llm is None:
        return reply("fallback.question")
    draft = reply("fallback.not_understood")  # the open template the model answers (L4)
    draft["stand_in"] = "fallback.question"  # a model that fails must not leave the lead worse off
    return draft


async def coverage_reply(state: SilviaState, deps: Deps) -> Reply | None:
    """ "Vocês atendem em Olinda?" at any stage: yes (with which distributor) or not yet."""
    asked = state.get("place_question")
    if not asked:
        return None
    if asked.get("unlisted"):  # a town no table knows: the served states, never "não entendi"
        place = {"place": asked["city"]}
        await deps.leads.log("INFO", "coverage_asked", phone=state.get("phone"), details=place)
        served = deps.knowledge_facts.get("served_states") or "alguns estados do Nordeste"
        return reply("coverage.unlisted", place=asked["city"], served_states=served, append_nudge=True)
    catalog = await deps.serena.get_plans(asked["city"], asked["state"])
    place = catalog.city or asked["city"] or catalog.state
    if catalog.served and catalog.plans:
        distributor = catalog.distributor or "distribuidora local"
        return reply("coverage.served", place=place, distributor=distributor, append_nudge=True)
    # Demand the team can see: which places unserved leads ask about.
    await deps.leads.log("INFO", "coverage_asked", phone=state.get("phone"), details={"place": place})
    return reply("coverage.not_served", place=place, append_nudge=True)


def holder_reply(state: SilviaState) -> Reply | None:
    """The answer to "a conta está no nome de quem?": noted, then back to the current step."""
    _, previous = previous_turn(state)
    entities = state.get("entities") or {}
    if "reopen.whose_bill" not in previous or any(entities.get(key) for key in _DATA_ENTITIES):
        return None
    if state.get("intent") not in (*_QUESTION_INTENTS, Intent.DENY, Intent.THANKS):
        return None
    return reply("reopen.holder_noted", append_nudge=True)
