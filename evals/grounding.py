"""The numbers a reply may state, worked out independently of the bot's own bookkeeping.

docs/architecture.md, "Rules that hold everywhere": a reply never states a price, percentage,
amount or date that did not come from the catalog, the economics calculation or the lead's own
bill. The eval rebuilds that set from the sources (catalog file, templates, what the lead said
and sent, the seed's formulas) instead of trusting the facts the bot attached to its own messages.
"""

from __future__ import annotations

import re
from datetime import time
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from agent.policy.economics import REGION_MULTIPLIER, estimate, plan_monthly_savings
from agent.policy.followups import PASS_TIMES
from agent.policy.guard import collect_facts, numbers_in, ungrounded_numbers
from agent.policy.hours import CLOSE, OPEN
from agent.replies.templates import PROMPTS_DIR
from agent.understanding.intent import classify
from demo.bill_specs import ground_truth
from evals.attachments import bill_spec
from evals.dataset import Conversation, Turn

CATALOG = Path(__file__).resolve().parent.parent / "tools" / "data" / "serena_catalog.yml"
ROSTER = CATALOG.parent / "specialists.yml"
# A time of day: "8h", "18h", "8h30", "9:00", "às 9h00". A bare number, "R$ 8" or "8%" is not.
CLOCK_RE = re.compile(r"(?<![\w.,/:])(?P<hour>[01]?\d|2[0-3])(?:h(?P<hm>[0-5]\d)?|:(?P<cm>[0-5]\d))(?![\w%])")


@lru_cache
def schedule_times() -> frozenset[time]:
    """Times of day that are facts: business hours, follow-up passes, specialists' shifts."""
    times = {OPEN, CLOSE, *PASS_TIMES}
    roster = yaml.safe_load(ROSTER.read_text(encoding="utf-8")) or {}
    for person in roster.get("specialists") or []:
        hours = person.get("hours") or {}
        for key in ("start", "end"):
            if hours.get(key):
                hour, minute = str(hours[key]).split(":")
                times.add(time(int(hour), int(minute)))
    return frozenset(times)


def without_schedule_times(text: str) -> str:
    """The text with every time of day of the business schedule blanked out (a fact, not a figure)."""

    def blank(match: re.Match[str]) -> str:
        minute = int(match["hm"] or match["cm"] or 0)
        return " " if time(int(match["hour"]), minute) in schedule_times() else match[0]

    return CLOCK_RE.sub(blank, text)


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
            elif len(said := numbers_in(turn.lead)) == 1 and said[0] >= 10:
                # A lone number ("errei, é 1.200", "não, é 250") may be a corrected bill: Sílvia's
                # figures for it are computed from what the lead said, so they are grounded.
                self._bills.add(float(said[0]))
            self._states.add(entities.get("state"))
        if turn.attachment and turn.attachment.kind in ("bill", "encrypted", "too_large"):
            truth = ground_truth(bill_spec(turn.attachment, self._lead_name))
            new.append(truth)
            self._bills.add(float(truth["total_amount"]))  # type: ignore[arg-type]
            self._states.add(str(truth["state"]))
        self.facts |= collect_facts(new)
        self._refresh()

    def ungrounded(self, text: str) -> list[str]:
        """Numbers in a reply that no source grounds; times of the business schedule are facts."""
        return ungrounded_numbers(without_schedule_times(text), self.facts)
