"""A company (CNPJ) whose bill is below Serena's company minimum hears it before sending the bill."""

from __future__ import annotations

from agent.state import Stage
from tests.conftest import MARIA
from wiring import Silvia

SHOP = MARIA.model_copy(
    update={"phone": "+5581999990077", "name": "Padaria Sol", "client_type": "business", "bill_amount": 320.0}
)


def no_savings_promise(text: str) -> bool:
    return "economizar" not in text.lower() and "por ano" not in text


async def test_a_small_company_from_the_crm_hears_the_minimum_in_the_greeting(silvia: Silvia) -> None:
    await silvia.leads.upsert_lead(SHOP)
    greeting = await silvia.say(SHOP.phone, "oi")
    text = greeting.texts[0]
    assert "R$ 500,00" in text and "320,00" in text and no_savings_promise(text)
    assert greeting.stage == Stage.GREETED  # the lead is kept, not closed
    assert "especialista" in text and "{" not in text
    handed = await silvia.say(SHOP.phone, "sim")  # "quer que eu chame?" → a specialist
    assert handed.state.get("specialist"), handed.texts


async def test_a_company_told_in_the_conversation_and_a_corrected_amount(silvia: Silvia) -> None:
    phone = "+5581999990078"
    first = await silvia.say(phone, "oi, sou de Recife, a conta da minha empresa é uns 320 reais", name="Rui")
    assert any("R$ 500,00" in t for t in first.texts) and all(no_savings_promise(t) for t in first.texts)
    corrected = await silvia.say(phone, "na verdade a média é uns 900 reais")
    assert "R$ 500,00" not in corrected.texts[0] and "900,00" in corrected.texts[0]
    plans = await silvia.say(phone, "sim")  # now "sim" means the plans, not a specialist
    assert plans.stage == Stage.PLANS_PRESENTED


async def test_a_household_with_the_same_bill_still_gets_its_estimate(silvia: Silvia) -> None:
    await silvia.leads.upsert_lead(MARIA.model_copy(update={"bill_amount": 320.0}))
    greeting = await silvia.say(MARIA.phone, "oi")
    assert "R$ 500,00" not in greeting.texts[0] and "320,00" in greeting.texts[0]
