"""The eval's grounded-number check: times of the business schedule are facts, made-up figures are not."""

from __future__ import annotations

import pytest

from agent.policy.guard import ungrounded_numbers
from evals.dataset import Conversation, LeadProfile, Turn
from evals.grounding import FactBook


def book() -> FactBook:
    conv = Conversation(
        id="grounding",
        lead=LeadProfile(name="Maria", city="Recife", state="PE", bill_amount=380.0),
        scenario="grounding",
        expected_outcome="handed_off",
        turns=[Turn(lead="oi")],
    )
    return FactBook(conv)


@pytest.mark.parametrize(
    "text",
    [
        "*Ana* vai te chamar amanhã a partir das 8h 😊",  # a specialist's shift (the roster)
        "Nosso horário é das 9h às 18h, de segunda a sexta 😊",  # agent/policy/hours.py
        "Ela fala com você às 9:00 ou a partir das 10h00 😊",
    ],
)
def test_times_of_the_business_schedule_are_grounded(text: str) -> None:
    assert book().ungrounded(text) == []


def test_the_after_hours_handoff_time_was_flagged_by_the_bare_number_check() -> None:
    facts, text = book(), "*Ana* vai te chamar amanhã a partir das 8h 😊"
    assert ungrounded_numbers(text, facts.facts) == ["8"]  # what the eval reported before
    assert facts.ungrounded(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "Você economiza R$ 8 por mês 😊",  # a money figure the sources never gave
        "São 8% de desconto a mais 😊",  # a percentage
        "Ela te chama amanhã às 7h 😊",  # a time nobody works at
        "Ana te chama às 8h e o desconto é de 37% 😊",  # a schedule time does not cover a figure
    ],
)
def test_made_up_figures_are_still_caught(text: str) -> None:
    assert book().ungrounded(text)
