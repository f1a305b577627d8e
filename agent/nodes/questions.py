"""Every question a message asks is answered in the turn's reply (issue 13).

Runs after every stage node. The stage node did its step (took the city and bill, showed the
plans, took the plan choice, waited for the bill); any confident question of the message whose
topic the knowledge base answers and that no reply answered yet is answered here, before the
funnel's next step, so a question is never ignored and a second question never dropped. A
filler the stage node sent instead ("fico no aguardo da sua conta", "não entendi") gives way to
the answer. A question written in English or Spanish gets its answer in Portuguese and, once, a
line saying so.
"""

from __future__ import annotations

import re
from typing import Any

from langgraph.runtime import Runtime

from agent.context import Deps
from agent.nodes.faq import faq_reply
from agent.nodes.knowledge import knowledge_reply, read_topics
from agent.nodes.privacy import request_kind
from agent.replies.drafts import reply
from agent.state import Intent, Reply, SilviaState, Stage
from agent.understanding.clauses import asking_clauses, looks_like_question
from agent.understanding.intent import normalise
from agent.understanding.knowledge import KnowledgeBase, default_knowledge
from agent.understanding.language import written_in
from agent.understanding.tone import is_angry

FOREIGN_NOTE = "knowledge.foreign_language"
BOT_ANSWER = "kb.is_bot."
FOREIGN_SENTENCE_WORDS = 3  # an English or Spanish message this long gets the note even unanswered
RECENT = 3  # Sílvia's last messages an added answer must not copy (the guard's window)
# Replies a stage node sends when it had nothing to say to the message: an answer replaces them.
_FILLERS = (
    "document_waiting",
    "fallback.",
    "knowledge.clarify",
    "knowledge.rephrase",
    "small_talk.greeting_again",
    "small_talk.ack",
    "small_talk.after_not_qualified",
)
# The verdict that the lead's place is not served goes first too: the answers follow it.
_OPENINGS = (
    "greeting",
    "ask_profile",
    "not_served_greeting",
    "company_below_minimum.greeting",
    "plans_unavailable",
)
_STEPS = ("ask_profile_missing", "ask_profile_again")
_ANSWERS = (
    "coverage.",  # the place question's answer: a question beside it is answered after it
    "kb.",
    "faq.",
    "faq_repeat",
    "knowledge.specialist_confirms",
    "privacy.",
    "small_talk.data_request",
)
_SKIP_INTENTS = frozenset({Intent.OPT_OUT})
_PRIVACY_ANSWERS = ("privacy.", "small_talk.data_request")


def _answered(topic_id: str, replies: list[Reply], kb: KnowledgeBase) -> bool:
    faq = kb[topic_id].faq
    privacy = kb[topic_id].intent == Intent.DATA_REQUEST
    for r in replies:
        template = str(r.get("template_id") or "")
        if r.get("topic") == topic_id or template.startswith(f"kb.{topic_id}."):
            return True
        if faq and template.startswith(f"faq.{faq}."):
            return True
        if privacy and template.startswith(_PRIVACY_ANSWERS):
            return True
    return False


def topic_answer(topic_id: str, state: SilviaState, deps: Deps) -> Reply | None:
    """The answer to one topic: its FAQ entry, or its own text; None for a topic a node owns."""
    topic = default_knowledge()[topic_id]
    plans = list(state.get("plans") or [])
    if topic.special:
        return None
    if topic.faq:
        served = state.get("stage") != Stage.NOT_QUALIFIED
        profile = (state.get("profile") or {}) if served else {}
        draft = faq_reply(topic.faq, profile, deps.prompts, nudge=False, plans=plans,
                          selected=state.get("selected_plan"))  # fmt: skip
        draft["topic"] = topic_id
        return draft
    return knowledge_reply(topic_id, state, deps, plans=plans, nudge=False)


def _opens(draft: Reply) -> bool:
    """The turn's first reply greets (or says the place is not served): answers follow it. A
    step that only asks for what is missing ("só falta o valor da conta") follows the answers."""
    template = str(draft.get("template_id", ""))
    return template.startswith(_OPENINGS) and not template.startswith(_STEPS)


def _insert_at(replies: list[Reply]) -> int:
    """After the first greeting and the answers already given; before the funnel's next step."""
    at = 1 if replies and _opens(replies[0]) else 0
    while at < len(replies) and str(replies[at].get("template_id", "")).startswith(_ANSWERS):
        at += 1
    return at


# A question inside a run-on: after a stop, a comma, or "e aí" ("sou de belém e aí como funciona o
# relógio de luz precisa trocar").
_RUN_ON_CLAUSES = re.compile(r"[?!.;,\n]+|\s+(?:e )?(?:ai|entao)\s+(?=\w)")


def _asks(text: str) -> bool:
    """The message asks something: as a whole, or in one of its clauses."""
    if looks_like_question(text) or asking_clauses(text):
        return True  # "fechado, essencial. e quando começa o desconto": its second sentence asks
    return any(
        looks_like_question(part.strip()) for part in _RUN_ON_CLAUSES.split(normalise(text)) if part.strip()
    )


def _in_the_leads_order(replies: list[Reply], asked: list[str]) -> list[Reply]:
    """The answers (one block after the greeting) in the order the lead asked the questions: the
    stage node answered one of them first, whichever it was."""
    at = 1 if replies and _opens(replies[0]) else 0
    end = at
    while end < len(replies) and str(replies[end].get("template_id", "")).startswith(_ANSWERS):
        end += 1
    rank = {topic: i for i, topic in enumerate(asked)}
    # An answer of no known topic (the stage node's own) keeps its place at the front.
    block = sorted(replies[at:end], key=lambda r: rank.get(str(r.get("topic") or ""), -1))
    return [*replies[:at], *block, *replies[end:]]


def _recent_templates(state: SilviaState) -> set[str]:
    said = [m.get("template") or "" for m in state.get("messages") or [] if m.get("role") == "silvia"]
    return set(said[-RECENT:])


def _foreign_note(state: SilviaState, replies: list[Reply]) -> str:
    """The line in the lead's own language (English or Spanish) saying Sílvia writes in
    Portuguese, once per conversation; '' when not due."""
    text = str((state.get("inbound") or {}).get("text") or "")
    language = written_in(text)
    if language not in ("en", "es"):
        return ""
    said = [m.get("template") for m in state.get("messages") or [] if m.get("role") == "silvia"]
    shown = {f"{FOREIGN_NOTE}_en", f"{FOREIGN_NOTE}_es"}
    return "" if shown & {*said, *(r.get("template_id") for r in replies)} else f"{FOREIGN_NOTE}_{language}"


def _with_nudge_last(replies: list[Reply], state: SilviaState) -> list[Reply]:
    """One line back to the funnel, at the end of the last answer, when nothing follows it."""
    answers = [i for i, r in enumerate(replies) if str(r.get("template_id", "")).startswith(_ANSWERS)]
    if not answers:
        return replies
    ends_with_answer = answers[-1] == len(replies) - 1
    nudge = ends_with_answer  # not qualified: the stage's line is "outra dúvida? é só mandar"
    out = [{**r, "append_nudge": False} if i in answers else r for i, r in enumerate(replies)]
    out[answers[-1]] = {**out[answers[-1]], "append_nudge": nudge}
    return out


def _person_offered(replies: list[Reply]) -> dict[str, Any]:
    """The honest "I am Serena's virtual assistant" ends on a person offered: "sim" hands over,
    so no line back to the funnel may ask another yes/no question after it (nor after an answer
    that follows it in the same turn)."""
    at = next(
        (i for i, r in enumerate(replies) if str(r.get("template_id", "")).startswith(BOT_ANSWER)), None
    )
    if at is None:
        return {}
    quiet = [{**r, "append_nudge": False} if i >= at else r for i, r in enumerate(replies)]
    return {"replies": quiet, "human_offered": True}


async def answer_questions(state: SilviaState, runtime: Runtime[Deps]) -> dict[str, Any]:
    update = _answer_questions(state, runtime.context)
    return update | _person_offered(update.get("replies") or list(state.get("replies") or []))


def _answer_questions(state: SilviaState, deps: Deps) -> dict[str, Any]:
    replies = list(state.get("replies") or [])
    inbound = state.get("inbound") or {}
    if not replies or inbound.get("kind") != "text" or state.get("intent") in _SKIP_INTENTS:
        return {}
    if state.get("stage") == Stage.OPTED_OUT:
        return {}  # a lead waiting for the specialist (handed_off) still gets every answer
    text = str(inbound.get("text") or "")
    if request_kind(state) not in (None, "how_number") or is_angry(text):
        return {}  # a data request or a complaint is acted on or apologised for, nothing else
    kb = default_knowledge()
    # Only what was asked: "perdi a conta, não sei onde botei" is near a topic but asks nothing.
    asked = read_topics(state) if _asks(text) else []
    missing = [t for t in asked if not _answered(t, replies, kb)]
    recent = _recent_templates(state)
    answers = [a for t in missing if (a := topic_answer(t, state, deps))]
    # An answer Sílvia just gave is not copied (the stage node said "vale o que expliquei acima").
    answers = [a for a in answers if a.get("template_id") not in recent]
    foreign = _foreign_note(state, replies)
    answered = any(str(r.get("template_id", "")).startswith(_ANSWERS) for r in [*replies, *answers])
    if not answered and len(text.split()) < FOREIGN_SENTENCE_WORDS:
        foreign = ""  # a bare "hi" is no sign the lead cannot read Portuguese
    if not answers and not foreign:
        return {}
    if answers:
        buttons = next((r["buttons"] for r in replies if r.get("buttons")), None)
        replies = [r for r in replies if not str(r.get("template_id", "")).startswith(_FILLERS)]
        at = _insert_at(replies)
        replies[at:at] = answers
        replies = _in_the_leads_order(replies, asked)
        if buttons and not any(r.get("buttons") for r in replies):
            replies[-1] = {**replies[-1], "buttons": buttons}
        replies = _with_nudge_last(replies, state)
    if foreign:
        at = _insert_at(replies)
        replies.insert(at, reply(foreign))
    return {"replies": replies}
