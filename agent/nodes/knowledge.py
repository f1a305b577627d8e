"""Answers from the knowledge base (prompts/knowledge.yml), and the clarifying question when the
reading is unsure which topic the lead meant.

Every number an answer states comes through a placeholder filled here: the lead's data, the plans
Serena returned for their state, and the catalog facts `wiring.py` read (`Deps.knowledge_facts`).
"""

from __future__ import annotations

import string
from typing import Any

from agent.context import Deps
from agent.nodes.faq import _loyalty_lines
from agent.policy.economics import AVERAGE_SAVING, format_brl, format_number, plan_monthly_savings
from agent.replies.drafts import reply
from agent.state import Intent, Reply, SilviaState
from agent.understanding.clauses import looks_like_question
from agent.understanding.decisions import plan_reason
from agent.understanding.knowledge import KnowledgeBase, Topic, default_knowledge
from agent.understanding.reading import TOPIC_MIN_CONFIDENCE

TOPIC_BUTTON_PREFIX = "topic:"
CLARIFY_MIN_SCORE = 0.5  # the likeliest topic's cosine: under it, the options would be guesses
_FUNNEL_DATA = frozenset({Intent.PROVIDE_INFO, Intent.CHOOSE_PLAN})


def _knowledge(deps: Deps | None = None) -> KnowledgeBase:
    return deps.topics.knowledge if deps is not None and deps.topics is not None else default_knowledge()


def answers_from_knowledge(state: SilviaState) -> bool:
    """The lead asked what a knowledge-base topic answers, and gave no data to act on first."""
    topic = state.get("topic") or ""
    kb = default_knowledge()
    if topic not in kb or state.get("intent") in _FUNNEL_DATA:
        return False
    return kb[topic].answered_here


def asked_topic(state: SilviaState) -> str:
    """The knowledge topic of a confident question act in this message (with or without data)."""
    reading = state.get("reading") or {}
    kb = default_knowledge()
    for act in reading.get("acts") or []:
        topic = act.get("topic") or ""
        if act.get("kind") == "question" and act.get("confidence", 0) >= TOPIC_MIN_CONFIDENCE and topic in kb:
            if kb[topic].special:
                continue  # the place question beside it is the node's own ("atendem em X? e o medidor?")
            return topic if kb[topic].answered_here else ""
    return ""


def read_topics(state: SilviaState) -> list[str]:
    """The knowledge topics of every confident question act of this message, in the lead's order."""
    reading = state.get("reading") or {}
    kb = default_knowledge()
    topics: list[str] = []
    for act in reading.get("acts") or []:
        topic = act.get("topic") or ""
        sure = act.get("confidence", 0) >= TOPIC_MIN_CONFIDENCE
        if act.get("kind") == "question" and sure and topic in kb and topic not in topics:
            topics.append(topic)
    return topics


def _plan_lines(plans: list[dict[str, Any]], bill: float | None = None) -> str:
    """One line per plan: discount, the lead's monthly saving when the bill is known, loyalty."""
    lines = []
    for plan in plans:
        months = int(plan.get("loyalty_months") or 0)
        loyalty = f"fidelidade de {months} meses" if months else "sem fidelidade"
        saving = f" (R$ {format_brl(plan_monthly_savings(bill, plan['discount_pct']))}/mês)" if bill else ""
        lines.append(
            f"• *{plan['name']}*: {format_number(plan['discount_pct'])}% de desconto{saving}, {loyalty}"
        )
    return "\n".join(lines)


_WHY = {
    "freedom": "como você comentou que pode se mudar ou não quer ficar preso a contrato longo, "
    "vale um plano sem fidelidade: você sai quando quiser, sem multa",
    "stay": "como você pretende ficar no imóvel, a fidelidade mais longa compensa: é o maior desconto",
    "most": "como você quer a maior economia, ele dá o maior desconto",
}
_BALANCE = (
    "ele equilibra desconto e compromisso e é o mais escolhido; se preferir liberdade total, o "
    "sem fidelidade também serve, e se for ficar por anos, o de maior desconto rende mais"
)


def _lead_reason(state: SilviaState) -> str | None:
    """The latest reason the lead gave: this message first, then the earlier ones, newest first."""
    said = [str((state.get("inbound") or {}).get("text") or "")]
    said += [m.get("text") or "" for m in reversed(state.get("messages") or []) if m.get("role") == "lead"]
    return next((reason for text in said if (reason := plan_reason(text))), None)


def _recommendation(plans: list[dict[str, Any]], state: SilviaState, bill: float | None) -> str:
    """A reasoned pick from what the lead said: freedom → no loyalty; staying or the most → the
    biggest discount; nothing said → the balanced plan, with the trade-off."""
    by_loyalty = sorted(plans, key=lambda p: int(p.get("loyalty_months") or 0))
    reason = _lead_reason(state)
    if reason == "freedom":
        plan = by_loyalty[0]
    elif reason in ("stay", "most"):
        plan = max(plans, key=lambda p: float(p.get("discount_pct") or 0))
    else:
        plan = next((p for p in plans if p.get("highlight")), by_loyalty[len(by_loyalty) // 2])
    why = _WHY.get(reason or "", _BALANCE)
    months = int(plan.get("loyalty_months") or 0)
    loyalty = f"fidelidade de {months} meses" if months else "sem fidelidade"
    return (
        f"Pelo que você me contou, eu recomendo o *{plan['name']}* 🤔 {why[:1].upper()}{why[1:]} "
        f"({format_number(plan['discount_pct'])}% de desconto, {loyalty}).\n{_plan_lines(plans, bill)}"
    )


def _selected_variables(selected: dict[str, Any] | None) -> dict[str, Any]:
    if not selected:
        return {}
    months = int(selected.get("loyalty_months") or 0)
    text = f"fidelidade de {months} meses" if months else "sem fidelidade, você cancela quando quiser"
    return {"plan_discount_pct": format_number(selected["discount_pct"]), "plan_loyalty_text": text}


def _source_text(profile: dict[str, Any]) -> str:
    source = str(profile.get("source") or "").strip()
    if source:
        return (
            f"Seu contato chegou até a Serena por *{source}*, como interessado em economizar na conta de luz"
        )
    return (
        "Seu contato chegou até a Serena como alguém interessado em economizar na conta de luz "
        "(por um cadastro, um anúncio ou uma indicação); o especialista pode confirmar a origem"
    )


def answer_variables(
    state: SilviaState, deps: Deps, plans: list[dict[str, Any]], selected: dict[str, Any] | None
) -> dict[str, Any]:
    """Every placeholder a knowledge answer may use, from what is known now."""
    variables: dict[str, Any] = dict(deps.knowledge_facts)
    variables["average_saving_pct"] = format_number(float(AVERAGE_SAVING * 100))
    variables["source_text"] = _source_text(dict(state.get("profile") or {}))
    variables["plan_lines"] = _loyalty_lines(plans)
    if plans:
        bill = (state.get("profile") or {}).get("bill_amount")
        variables["plan_compare_lines"] = _plan_lines(plans, bill)
        variables["plan_recommendation"] = _recommendation(plans, state, bill)
    return variables | _selected_variables(selected)


def _fits(text: str, variables: dict[str, Any], state: SilviaState) -> bool:
    """Every placeholder of the answer can be filled (lead variables are checked by compose)."""
    needed = {f for _, f, _, _ in string.Formatter().parse(text) if f}
    lead_known = {"first_name", "city", "state", "bill_amount", "monthly_savings", "yearly_savings",
                  "investment_amount", "distributor", "selected_plan"}  # fmt: skip
    profile = state.get("profile") or {}
    missing = needed - set(variables) - lead_known
    if "distributor" in needed and not state.get("distributor"):
        return False
    if needed & {"bill_amount", "monthly_savings", "yearly_savings", "investment_amount"}:
        return not missing and bool(profile.get("bill_amount"))
    return not missing


def knowledge_reply(
    topic_id: str,
    state: SilviaState,
    deps: Deps,
    *,
    plans: list[dict[str, Any]],
    nudge: bool = True,
) -> Reply:
    """The topic's most specific answer the lead's data allows, never an unfilled fact."""
    topic: Topic = _knowledge(deps)[topic_id]
    selected = state.get("selected_plan")
    variables = answer_variables(state, deps, plans, selected)
    has_estimate = bool((state.get("profile") or {}).get("bill_amount"))
    preferred = topic.variant_for(has_plan=bool(selected), has_estimate=has_estimate)
    for variant in (preferred, "generic"):
        text = topic.answers.get(variant, "")
        if text and _fits(text, variables, state):
            used = {f for _, f, _, _ in string.Formatter().parse(text) if f}
            filled = {k: variables[k] for k in used if k in variables}
            draft = reply(
                f"kb.{topic_id}.{variant}",
                cacheable=variant == preferred and _shared_only(filled, deps),
                append_nudge=nudge,
                **filled,
            )
            draft["topic"] = topic_id
            return draft
    return reply("knowledge.specialist_confirms", append_nudge=nudge)


def _shared_only(filled: dict[str, Any], deps: Deps) -> bool:
    """A knowledge answer may be replayed to another lead (the L1 cache) when what it was filled
    with here is the same for every lead: the catalog facts, whose digest is in the cache key.
    The lead's own data (name, bill, saving, distributor, chosen plan) are placeholders filled
    from the asking lead when the entry is rendered; their plans, recommendation and origin are
    stored values, so an answer holding them is never cached. A fallback variant (a fact was
    missing) is not cached either: the key does not say why it was chosen."""
    shared = {**deps.knowledge_facts, "average_saving_pct": format_number(float(AVERAGE_SAVING * 100))}
    return all(key in shared and shared[key] == value for key, value in filled.items())


def clarify_reply(state: SilviaState, deps: Deps) -> Reply | None:
    """Below the confidence line: ask which of the two likeliest topics the lead meant (buttons)."""
    reading = state.get("reading") or {}
    question = next((a for a in reading.get("acts") or [] if a.get("kind") == "question"), None)
    text = str((state.get("inbound") or {}).get("text") or "")
    if not question or not question.get("topic") or question.get("confidence", 0) >= TOPIC_MIN_CONFIDENCE:
        return None
    if question.get("score", 0) < CLARIFY_MIN_SCORE:
        return None  # near no topic at all: offering two unrelated ones would only confuse
    if not looks_like_question(text):
        return None
    kb = _knowledge(deps)
    options = [t for t in (question["topic"], *question.get("alternatives", ())) if t in kb][:2]
    if len(options) < 2:
        return None
    buttons = [{"id": f"{TOPIC_BUTTON_PREFIX}{t}", "title": kb[t].title} for t in options]
    if "talk_to_person" not in options:
        buttons.append({"id": f"{TOPIC_BUTTON_PREFIX}talk_to_person", "title": kb["talk_to_person"].title})
    return reply(
        "knowledge.clarify", buttons=buttons, option_a=kb[options[0]].title, option_b=kb[options[1]].title
    )
