"""The numbers a reply may state, worked out independently of the bot's own bookkeeping.

DESIGN.md: a reply never states a price, percentage, amount or date that did not come from the
catalog, the economics calculation or the lead's own bill. The eval rebuilds that set from the
sources (catalog file, templates, what the lead said and sent, the seed's formulas) instead of
trusting the facts the bot attached to its own messages.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from agent.economics import REGION_MULTIPLIER, estimate, plan_monthly_savings
from agent.guard import collect_facts, numbers_in
from agent.intent import classify
from agent.templates import PROMPTS_DIR
from evals.attachments import bill_spec
from evals.dataset import Conversation, Turn
from tools.sample_bills import ground_truth

CATALOG = Path(__file__).resolve().parent.parent / "tools" / "data" / "serena_catalog.yml"


@lru_cache
def _static_sources() -> tuple[frozenset[Decimal], tuple[float, ...]]:
    """Numbers in the catalog and in every template text; the catalog's discounts."""
    catalog = yaml.safe_load(CATALOG.read_text(encoding="utf-8"))
    texts = [p.read_text(encoding="utf-8") for p in sorted(PROMPTS_DIR.glob("*.y*ml"))]
    facts = collect_facts([catalog, *texts])
    discounts = tuple(
        float(v)
        for state in catalog.get("states", {}).values()
        for v in (state.get("discounts") or {}).values()
    )
    return frozenset(facts), discounts


def _economics_facts(
    bills: set[float], states: set[str | None], discounts: tuple[float, ...]
) -> set[Decimal]:
    values: list[Any] = []
    for bill in bills:
        if bill <= 0:
            continue
        for uf in states | set(REGION_MULTIPLIER):
            values.append(estimate(bill, uf).to_dict())
        values += [plan_monthly_savings(bill, d) for d in discounts]
    return collect_facts(values)


class FactBook:
    """Grows turn by turn: what the lead said or sent is a fact from then on."""

    def __init__(self, conv: Conversation) -> None:
        static, self._discounts = _static_sources()
        self.facts: set[Decimal] = set(static)
        self._bills: set[float] = set()
        self._states: set[str | None] = {conv.lead.state}
        self._lead_name = conv.lead.name
        if conv.lead.bill_amount:
            self._bills.add(conv.lead.bill_amount)
        self._refresh()

    def _refresh(self) -> None:
        self.facts |= _economics_facts(self._bills, self._states, self._discounts)

    def add_turn(self, turn: Turn) -> None:
        new: list[Any] = []
        if turn.lead:
            new += numbers_in(turn.lead)
            entities = classify(turn.lead).entities
            if entities.get("bill_amount"):
                self._bills.add(float(entities["bill_amount"]))
            self._states.add(entities.get("state"))
        if turn.attachment and turn.attachment.kind in ("bill", "encrypted", "too_large"):
            truth = ground_truth(bill_spec(turn.attachment, self._lead_name))
            new.append(truth)
            self._bills.add(float(truth["total_amount"]))  # type: ignore[arg-type]
            self._states.add(str(truth["state"]))
        self.facts |= collect_facts(new)
        self._refresh()
