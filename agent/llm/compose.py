"""Layer L4 in compose: the model answers what no template covers, or humanises a template.

Funnel messages stay templates. The model writes only (a) the answer to a question or objection
outside the FAQ and (b) a light rewrite of a template when the lead's prompt version enables it.
Every model text passes `check_model_reply`; on a violation the model gets one regeneration
that names the problem, then the template goes out. Every failure and violation is logged.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from agent.context import Deps
from agent.llm.prompts import ComposeContext, LLMBook, clip, safe_label
from agent.policy.economics import estimate, format_brl, format_number
from agent.policy.guard import check_model_reply, collect_facts, explain
from agent.ports import LanguageModelError, LLMUsage
from agent.replies.drafts import first_name, nudge_id, nudge_values
from agent.routing import FAQ_INTENTS
from agent.state import Reply, SilviaState, Stage
from agent.understanding.intent import normalise
from agent.understanding.knowledge import default_knowledge

OPEN_TEMPLATES = frozenset({"fallback.not_understood"})


def _economics_facts(state: SilviaState) -> list[str]:
    profile = state.get("profile") or {}
    if not profile.get("bill_amount"):
        return []
    econ = estimate(profile["bill_amount"], profile.get("state"))
    return [
        f"Conta de luz média do lead: R$ {format_brl(econ.bill_amount)} por mês",
        f"Economia média com a Serena: {format_number(econ.average_saving_pct)}%",
        f"Economia estimada: R$ {format_brl(econ.monthly_savings)} por mês",
        f"Economia estimada: R$ {format_brl(econ.yearly_savings)} por ano",
        f"Investimento estimado em painéis próprios (comparação): R$ {format_brl(econ.investment_estimate)}",
    ]


def _catalog_facts(state: SilviaState) -> list[str]:
    plans = state.get("plans") or []
    facts = [f"Planos disponíveis na região do lead: {len(plans)}"] if plans else []
    for plan in plans:
        loyalty = (
            f"fidelidade de {plan['loyalty_months']} meses"
            if plan.get("loyalty_months")
            else "sem fidelidade"
        )
        fee = f", taxa de adesão R$ {format_brl(plan['adhesion_fee'])}" if plan.get("adhesion_fee") else ""
        facts.append(f"{plan['name']}: {format_number(plan['discount_pct'])}% de desconto, {loyalty}{fee}")
    if state.get("distributor"):
        facts.append(f"Distribuidora do lead: {state['distributor']}")
    return facts


def _bill_facts(state: SilviaState) -> list[str]:
    bill = state.get("bill") or {}
    facts = []
    if bill.get("total_amount"):
        facts.append(f"Valor da fatura enviada: R$ {format_brl(bill['total_amount'])}")
    if bill.get("consumption_kwh"):
        facts.append(f"Consumo da fatura: {format_number(bill['consumption_kwh'])} kWh")
    if bill.get("reference_month"):
        facts.append(f"Mês de referência da fatura: {bill['reference_month']}")
    return facts


def facts_for(state: SilviaState) -> list[str]:
    """The only numbers the model may state: catalog, economics and the lead's own bill."""
    return _economics_facts(state) + _catalog_facts(state) + _bill_facts(state)


def _profile(state: SilviaState) -> dict[str, str]:
    profile = state.get("profile") or {}
    shown = {key: safe_label(str(profile[key])) for key in ("city", "state") if profile.get(key)}
    if profile.get("person_type"):
        shown["tipo"] = "empresa" if profile["person_type"] == "juridical" else "pessoa física"
    return shown


def _history(state: SilviaState, deps: Deps) -> list[tuple[str, str]]:
    turns = (state.get("messages") or [])[-deps.history_turns :] if deps.history_turns else []
    return [("user" if m.get("role") == "lead" else "assistant", clip(m.get("text") or "")) for m in turns]


def _mode(draft: Reply, state: SilviaState, book: LLMBook, version: str) -> str | None:
    """'answer', 'humanise' or None (the template goes out as it is)."""
    inbound = state["inbound"]
    if inbound.get("kind") != "text" or not (inbound.get("text") or "").strip():
        return None
    template_id = draft.get("template_id", "")
    if template_id in OPEN_TEMPLATES:
        return "answer"
    intent = state.get("intent") or ""
    if template_id.startswith("faq.") and intent in FAQ_INTENTS:
        fits = (state.get("turn") or {}).get("faq_fit", True) and book.faq_fits(intent, inbound["text"])
        if not fits:
            return "answer"
    return "humanise" if book.humanises(version, template_id) else None


def _context(
    draft: Reply, state: SilviaState, deps: Deps, book: LLMBook, mode: str, version: str
) -> ComposeContext:
    profile = state.get("profile") or {}
    stage = Stage(state.get("stage") or Stage.NEW)
    name = first_name(profile)
    next_step = deps.prompts.render(
        nudge_id(stage, profile, state.get("amount_check")), nudge_values(state, name)
    ).text
    faq = []
    if draft.get("template_id", "").startswith("faq."):
        faq.append(draft.get("text", ""))
    faq += nearest_knowledge(state)
    return ComposeContext(
        persona=deps.prompts.persona,
        task=mode,
        tone=str(book.options(version).get("tone", "")),
        first_name=name,
        stage=stage.value,
        next_step=next_step,
        profile=_profile(state),
        facts=facts_for(state),
        faq=faq,
        base_text=draft.get("text", "") if mode == "humanise" else "",
    )


def nearest_knowledge(state: SilviaState, limit: int = 2) -> list[str]:
    """The knowledge base's answers to the topics nearest the lead's question (the reading's
    likeliest and runner-up), so an answer outside the base still rests on what Serena says.
    Only answers without placeholders: the model sees finished text, never a template."""
    reading = state.get("reading") or {}
    question = next((a for a in reading.get("acts") or [] if a.get("kind") == "question"), None)
    if not question or not question.get("topic"):
        return []
    kb = default_knowledge()
    texts = []
    for topic in (question["topic"], *question.get("alternatives", ())):
        answer = kb[topic].answers.get("generic", "") if topic in kb else ""
        if answer and "{" not in answer:
            texts.append(answer)
    return texts[:limit]


def _finish(text: str, next_step: str, mode: str) -> str:
    """An answer always ends by bringing the lead back to the current step."""
    if mode == "answer" and normalise(next_step) not in normalise(text):
        return f"{text}\n\n{next_step}"
    return text


async def compose_with_model(
    state: SilviaState, deps: Deps, book: LLMBook, rendered: list[Reply]
) -> tuple[list[Reply], list[dict[str, Any]]]:
    """Replace eligible template replies with guarded model text; returns (replies, call log)."""
    if deps.llm is None:
        return rendered, []
    version = state.get("prompt_version") or deps.prompt_version
    out: list[Reply] = []
    calls: list[dict[str, Any]] = []
    for draft in rendered:
        mode = _mode(draft, state, book, version)
        written = await _write(draft, state, deps, book, mode, version, calls) if mode else None
        if mode and written is None:  # the template stood in: don't cache it, ask the model next time
            written = {**draft, "cacheable": False}
        out.append(written or draft)
    return out, calls


async def _write(
    draft: Reply,
    state: SilviaState,
    deps: Deps,
    book: LLMBook,
    mode: str,
    version: str,
    calls: list[dict[str, Any]],
) -> Reply | None:
    assert deps.llm is not None
    ctx = _context(draft, state, deps, book, mode, version)
    allowed: set[Decimal] = collect_facts([ctx.facts, ctx.faq, ctx.next_step]) | {
        Decimal(f) for f in draft.get("facts", [])
    }
    messages = [*_history(state, deps), ("user", clip(state["inbound"].get("text") or ""))]
    for attempt in (1, 2):
        system = book.compose_system(ctx)
        try:
            result = await deps.llm.complete(system, messages)
        except LanguageModelError as exc:
            calls.append(call_entry(f"compose_{mode}", exc.usage, deps, failure=exc.kind))
            await deps.leads.log(
                "WARNING", "llm_fallback", phone=state.get("phone"),
                details={"purpose": f"compose_{mode}", "failure": exc.kind, "detail": exc.detail[:200]},
            )  # fmt: skip
            return None
        calls.append(call_entry(f"compose_{mode}", result.usage, deps))
        text = _finish(result.text, ctx.next_step, mode)
        violations = check_model_reply(
            text,
            allowed,
            first_name=ctx.first_name,
            system_prompt=book.instructions(ctx),
            fact_texts=[*ctx.facts, *ctx.faq, ctx.next_step, draft.get("text", "")],
        )
        if not violations:
            return {
                **draft,
                "text": text,
                "layer": "L4",
                "cacheable": False,
                "facts": sorted(str(f) for f in allowed),
                "llm_mode": mode,  # type: ignore[typeddict-unknown-key]
            }
        await deps.leads.log(
            "WARNING", "guard_violation", phone=state.get("phone"),
            details={"layer": "L4", "mode": mode, "attempt": attempt, "violations": violations,
                     "text": result.text[:1000], "template_id": draft.get("template_id")},
        )  # fmt: skip
        ctx.correction = explain(violations)
    return None


def call_entry(
    purpose: str, usage: LLMUsage | None, deps: Deps, failure: str | None = None
) -> dict[str, Any]:
    entry: dict[str, Any] = {"purpose": purpose, "ok": failure is None, "failure": failure}
    if usage is not None:
        entry |= usage.model_dump()
    else:
        entry["model"] = getattr(deps.llm, "model", "")
    return entry


def llm_metadata(state: SilviaState, turn: dict[str, Any]) -> dict[str, Any]:
    """What `record` stores about this turn's model calls (lead_interactions model/tokens)."""
    calls = [dict(c, prompt_version=state.get("prompt_version")) for c in turn.get("llm_calls") or []]
    meta: dict[str, Any] = {"ab_version": state.get("prompt_version")}
    if not calls:
        return meta
    return meta | {
        "model": next((c["model"] for c in calls if c.get("model")), None),
        "tokens_in": sum(int(c.get("tokens_in") or 0) for c in calls),
        "tokens_out": sum(int(c.get("tokens_out") or 0) for c in calls),
        "llm_latency_ms": sum(int(c.get("latency_ms") or 0) for c in calls),
        "llm_calls": calls,
        "understood_by": turn.get("understood_by"),
    }


def turn_layer(replies: list[Reply]) -> str:
    if not replies:
        return "none"
    return "L4" if any(r.get("layer") == "L4" for r in replies) else replies[0].get("layer", "L3")
