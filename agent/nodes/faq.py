"""FAQ answers (intents ask_*), grounded in what we know: the bill, the plans, the chosen plan.

A question about loyalty gets each plan's loyalty from the catalog; a price question after the
plans were shown gets the plans' own savings (never only the seed's 18 % average, which is no
plan's discount and would contradict the list the lead just read).
"""

from __future__ import annotations

import re
from typing import Any

from agent.policy.economics import format_brl, format_number, plan_monthly_savings
from agent.replies.drafts import reply
from agent.routing import FAQ_INTENTS
from agent.state import Intent, Profile, Reply
from agent.understanding.intent import classify

_LOYALTY_UNKNOWN = (
    "As condições de fidelidade de cada plano aparecem na apresentação dos planos, e as de saída "
    "antes do prazo (como multa) estão no contrato, que o especialista repassa com você antes de assinar."
)
_LOYALTY_EXIT = (
    "Nos planos com fidelidade, as condições de saída antes do prazo (como multa) estão no contrato, "
    "e o especialista repassa tudo com você antes de assinar."
)


def _loyalty_lines(plans: list[dict[str, Any]]) -> str:
    if not plans:
        return _LOYALTY_UNKNOWN
    lines = ["A fidelidade depende do plano:"]
    for plan in plans:
        months = int(plan.get("loyalty_months") or 0)
        terms = f"fidelidade de {months} meses" if months else "sem fidelidade, cancele quando quiser"
        lines.append(f"• *{plan['name']}*: {terms}")
    return "\n".join([*lines, _LOYALTY_EXIT])


def _savings_lines(plans: list[dict[str, Any]], bill: float) -> str:
    lines = []
    for plan in plans:
        saving = format_brl(plan_monthly_savings(bill, float(plan["discount_pct"])))
        discount = format_number(plan["discount_pct"])
        lines.append(f"• *{plan['name']}*: R$ {saving}/mês ({discount}% de desconto)")
    return "\n".join(lines)


def _plan_variables(
    intent: str, bill: float | None, plans: list[dict[str, Any]], selected: dict[str, Any] | None
) -> tuple[str, dict[str, Any]]:
    """The variant and its variables when the answer can name the plans; ("", {}) otherwise."""
    if intent == Intent.ASK_CONTRACT:
        return "generic", {"plan_lines": _loyalty_lines(plans)}
    if intent == Intent.ASK_PRICE and bill and selected:
        discount = float(selected["discount_pct"])
        return "with_plan", {
            "selected_plan": selected["name"],
            "discount_pct": format_number(discount),
            "plan_monthly_savings": format_brl(plan_monthly_savings(bill, discount)),
        }
    if intent == Intent.ASK_PRICE and bill and plans:
        return "with_plans", {"plan_lines": _savings_lines(plans, bill)}
    return "", {}


def faq_reply(
    intent: str,
    profile: Profile,
    book: Any,
    *,
    nudge: bool = True,
    plans: list[dict[str, Any]] | None = None,
    selected: dict[str, Any] | None = None,
) -> Reply:
    """The FAQ answer for an ask_* intent, personalised with what we know of the lead."""
    variant, variables = _plan_variables(intent, profile.get("bill_amount"), plans or [], selected)
    if not variant or not book.has(f"faq.{intent}.{variant}"):
        variant, variables = ("with_estimate" if profile.get("bill_amount") else "generic"), {}
    if not book.has(f"faq.{intent}.{variant}"):
        variant = "generic"
    # Answers that carry this lead's plan figures are never cached (the cache is shared).
    cacheable = variables in ({}, {"plan_lines": _LOYALTY_UNKNOWN})
    return reply(f"faq.{intent}.{variant}", cacheable=cacheable, append_nudge=nudge, **variables)


def repeated_answer(template_id: str, previous_templates: list[str], deps: Any) -> Reply | None:
    """The lead asked the same thing again right after our answer: no copy of the same text.
    With a language model configured the model answers again instead (it sees the history)."""
    if deps.llm is None and template_id.startswith(("faq.", "kb.")) and template_id in previous_templates:
        return reply("faq_repeat", append_nudge=True)
    return None


_CLAUSES = re.compile(r"[,.;!?\n]|\s(?:e|porque|pq|mas|tambem|também)\s", re.IGNORECASE)
_EMBEDDED_MIN_CONFIDENCE = 0.65


def embedded_question(text: str) -> str | None:
    """The FAQ intent of a question inside a longer message ("moro em Recife, pago 500 e queria
    saber como funciona"): the whole message reads as data, the question must still be answered."""
    for clause in _CLAUSES.split(text or ""):
        if len(clause.split()) < 2:
            continue
        understood = classify(clause)
        if understood.intent in FAQ_INTENTS and understood.confidence >= _EMBEDDED_MIN_CONFIDENCE:
            return understood.intent
    return None
