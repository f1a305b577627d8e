"""Understanding with the model (L4) when the local rules (L2) are unsure or miss an entity.

The model answers with the same intents and entities as the rules, as structured output; what
it says is validated (unknown intents, impossible UFs or amounts are dropped) and merged with
what the rules found. Any failure keeps the rules' answer: the model only ever adds.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, Field

from agent.llm.compose import call_entry
from agent.llm.prompts import LLMBook, safe_label
from agent.ports import LanguageModelError, LanguageModelPort, LLMUsage
from agent.replies.drafts import profile_complete
from agent.state import Intent
from agent.understanding import rules as lx
from agent.understanding.intent import Understanding

IntentName = Literal[
    "greeting", "affirm", "deny", "ask_price", "ask_how_it_works", "ask_installation", "ask_trust",
    "ask_contract", "choose_plan", "document_promise", "later", "opt_out", "ask_human", "thanks",
    "provide_info", "data_request", "other",
]  # fmt: skip


class ModelEntities(BaseModel):
    city: str | None = Field(default=None, description="cidade mencionada")
    state: str | None = Field(default=None, description="UF, duas letras")
    bill_amount: float | None = Field(default=None, description="valor da conta de luz em reais")
    plan: Literal["essencial", "plus", "premium"] | None = None
    person_type: Literal["natural", "juridical"] | None = None


class ModelUnderstanding(BaseModel):
    """Classify a WhatsApp message from a Serena Energia lead."""

    intent: IntentName
    entities: ModelEntities = Field(default_factory=ModelEntities)
    faq_fit: bool = True


_DIGIT = re.compile(r"\d")


def needs_model(understood: Understanding, text: str, profile_complete: bool, threshold: float) -> bool:
    """Low confidence, or a message that looks like data the rules could not read."""
    if understood.intent == Intent.OPT_OUT:
        return False  # stopping is decided locally, always
    if understood.confidence < threshold:
        return True
    if understood.intent == Intent.PROVIDE_INFO and not understood.entities:
        return True
    return not profile_complete and bool(_DIGIT.search(text)) and "bill_amount" not in understood.entities


def _valid_entities(raw: dict[str, Any]) -> dict[str, Any]:
    entities: dict[str, Any] = {}
    city = safe_label(str(raw.get("city") or ""), 40)
    if len(city) >= 3:
        entities["city"] = city.title()
    state = str(raw.get("state") or "").upper()
    if state in lx.UFS:
        entities["state"] = state
    amount = raw.get("bill_amount")
    if isinstance(amount, int | float) and 10 <= amount <= 100_000:
        entities["bill_amount"] = round(float(amount), 2)
    for key in ("plan", "person_type"):
        if raw.get(key):
            entities[key] = raw[key]
    return entities


async def understand_with_model(
    llm: LanguageModelPort, book: LLMBook, text: str, rules: Understanding
) -> tuple[Understanding, bool, LLMUsage | None, str | None]:
    """(understanding, faq_fit, usage, failure kind). On failure the rules' answer comes back."""
    system, messages = book.understand_messages(text)
    try:
        result = await llm.structured(system, messages, ModelUnderstanding)
    except LanguageModelError as exc:
        return rules, True, exc.usage, exc.kind
    try:
        parsed = ModelUnderstanding.model_validate(result.data)
    except ValueError:
        return rules, True, result.usage, "malformed"
    entities = _valid_entities(parsed.entities.model_dump()) | dict(rules.entities)  # rules win
    merged = Understanding(parsed.intent, max(rules.confidence, 0.75), entities)
    return merged, parsed.faq_fit, result.usage, None


async def refine_with_model(
    state: dict[str, Any], deps: Any, understood: Understanding, book: LLMBook
) -> tuple[Understanding, dict[str, Any] | None]:
    """The understand node's L4 step: (understanding, updated turn info or None if not asked)."""
    inbound = state["inbound"]
    text = inbound.get("text") or ""
    if deps.llm is None or inbound.get("kind") != "text" or not text.strip():
        return understood, None
    if not needs_model(
        understood, text, profile_complete(state.get("profile") or {}), deps.llm_min_confidence
    ):
        return understood, None
    merged, faq_fit, usage, failure = await understand_with_model(deps.llm, book, text, understood)
    turn = dict(state.get("turn") or {})
    turn["llm_calls"] = [*turn.get("llm_calls", []), call_entry("understand", usage, deps, failure)]
    turn["understood_by"] = "rules" if failure else "model"
    turn["faq_fit"] = faq_fit
    if failure:
        await deps.leads.log(
            "WARNING", "llm_fallback", phone=state.get("phone"),
            details={"purpose": "understand", "failure": failure},
        )  # fmt: skip
    return merged, turn
