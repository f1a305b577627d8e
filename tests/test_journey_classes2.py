"""The lead's journey, fourth held-out pass (issues 13 and 14): the plan recommendation follows the
lead's own reasons (negations included), a yes that asks for the plans after the honest bot
answer shows them, a bot question beside another question gets both answers, and a question
beside the lead's own data is answered at every stage. Through the real graph on the embedded
default, in phrasings of our own.
"""

from __future__ import annotations

from agent.state import Stage
from tests.conftest import MARIA
from tests.test_conversations import reach_plans
from wiring import Silvia

COLD = "+5583999990088"


# --- the recommendation follows the lead's reasons ---------------------------------------------


async def _recommended(silvia: Silvia, text: str) -> str:
    await reach_plans(silvia)
    result = await silvia.say(MARIA.phone, text)
    joined = "\n".join(result.texts)
    assert "Pelo que você me contou" in joined, joined
    first = joined.split("Pelo que você me contou", 1)[1].split("\n", 1)[0]
    assert any(word in first for word in ("recomendo", "indico", "sugiro")), first
    return first


async def test_a_lead_who_dislikes_long_contracts_gets_the_plan_without_loyalty(silvia: Silvia) -> None:
    first = await _recommended(
        silvia, "eu detesto ficar amarrado em contrato comprido, qual plano vc indica?"
    )
    assert "Essencial" in first and "Premium" not in first and "maior economia" not in first


async def test_a_tenant_who_may_leave_gets_the_plan_without_loyalty(silvia: Silvia) -> None:
    first = await _recommended(
        silvia, "moro de aluguel e ano que vem posso sair daqui, qual dos planos é melhor pra mim?"
    )
    assert "Essencial" in first and "pretende ficar" not in first


async def test_an_owner_staying_for_years_who_wants_the_most_gets_premium(silvia: Silvia) -> None:
    first = await _recommended(
        silvia, "a casa é minha e não penso em me mudar tão cedo, qual plano vale mais a pena?"
    )
    assert "Premium" in first and "Essencial" not in first


async def test_a_lead_who_does_not_want_to_be_tied_down_gets_no_loyalty(silvia: Silvia) -> None:
    first = await _recommended(silvia, "não quero me prender a nada, qual plano vc me sugere?")
    assert "Essencial" in first


async def test_a_lead_who_gives_no_reason_gets_plus_with_the_trade_off(silvia: Silvia) -> None:
    first = await _recommended(silvia, "qual plano vc me recomenda?")
    assert "Plus" in first and "equilibra" in first


# --- a yes that asks for the plans after the bot answer ------------------------------------------


async def test_a_yes_asking_for_the_plans_after_the_bot_answer_shows_them(silvia: Silvia) -> None:
    await silvia.leads.upsert_lead(MARIA)
    await silvia.say(MARIA.phone, "oi")
    honest = await silvia.say(MARIA.phone, "to conversando com uma máquina?")
    assert "especialista" in "\n".join(honest.texts)
    shown = await silvia.say(MARIA.phone, "sim, pode me mostrar então")
    assert shown.stage == Stage.PLANS_PRESENTED, shown.texts


async def test_a_yes_naming_the_plans_after_the_bot_answer_shows_them(silvia: Silvia) -> None:
    await silvia.leads.upsert_lead(MARIA)
    await silvia.say(MARIA.phone, "oi")
    await silvia.say(MARIA.phone, "vc é um robô?")
    shown = await silvia.say(MARIA.phone, "sim, quero ver as opções")
    assert shown.stage == Stage.PLANS_PRESENTED, shown.texts


async def test_a_plain_yes_after_the_bot_answer_still_hands_over(silvia: Silvia) -> None:
    await silvia.leads.upsert_lead(MARIA)
    await silvia.say(MARIA.phone, "oi")
    await silvia.say(MARIA.phone, "vc é um robô?")
    handed = await silvia.say(MARIA.phone, "sim")
    assert handed.stage == Stage.HANDED_OFF


# --- a bot question beside another question --------------------------------------------------


async def test_a_bot_question_and_how_the_number_was_got_are_both_answered(silvia: Silvia) -> None:
    await silvia.leads.upsert_lead(MARIA)
    await silvia.say(MARIA.phone, "oi")
    both = await silvia.say(MARIA.phone, "isso aqui é robô? e de onde vcs pegaram meu telefone?")
    joined = "\n".join(both.texts)
    assert "assistente virtual" in joined, joined
    assert "primeira mensagem" in joined, joined  # where the number came from (an inbound lead)
    assert joined.index("assistente virtual") < joined.index("primeira mensagem")
    assert "Quer que eu mostre" not in joined  # no yes/no question after the person on offer


async def test_a_question_before_the_bot_question_is_answered_first(silvia: Silvia) -> None:
    await reach_plans(silvia)
    both = await silvia.say(MARIA.phone, "precisa trocar o medidor? e vc é uma pessoa de verdade?")
    joined = "\n".join(both.texts)
    assert "assistente virtual" in joined and "medidor" in joined, joined
    assert joined.index("medidor") < joined.index("assistente virtual")


# --- a question beside the lead's own data ---------------------------------------------------


async def test_an_unserved_city_and_a_meter_question_in_one_message(silvia: Silvia) -> None:
    first = await silvia.say(COLD, "oi sou de manaus e queria saber se precisa trocar o relógio de luz")
    joined = "\n".join(first.texts)
    assert first.stage == Stage.NOT_QUALIFIED
    assert "medidor" in joined.lower(), joined


async def test_a_question_in_a_run_on_beside_an_unserved_city(silvia: Silvia) -> None:
    first = await silvia.say(
        COLD, "bom dia eu moro em porto velho entao como é isso do relogio de luz tem que trocar"
    )
    assert first.stage == Stage.NOT_QUALIFIED
    assert "medidor" in "\n".join(first.texts).lower(), first.texts


async def test_several_properties_asked_at_the_plans_is_answered(silvia: Silvia) -> None:
    await reach_plans(silvia)
    asked = await silvia.say(MARIA.phone, "e se eu tiver dois imóveis, consigo colocar os dois no plano?")
    joined = "\n".join(asked.texts)
    assert asked.stage == Stage.PLANS_PRESENTED
    assert "imóve" in joined or "unidade" in joined, joined


async def test_a_lead_unsure_of_staying_who_asks_what_pays_off_gets_no_loyalty(silvia: Silvia) -> None:
    first = await _recommended(silvia, "qual compensa mais? nem sei se fico nessa casa por muito tempo")
    assert "Essencial" in first and "maior economia" not in first
