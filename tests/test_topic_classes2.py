"""Wrong topics a probe of 170 new off-script questions found (issue 13, fifth pass), through the real
graph on the embedded default, in phrasings of our own (none of them is in the probe or the
knowledge base): a question mark or capitals that pulled a short question off its topic, a keyword
the lead denies of themselves, and the words that name a topic outright.
"""

from __future__ import annotations

import pytest

from agent.state import Stage
from agent.understanding.knowledge import default_knowledge
from agent.understanding.matcher import TopicMatcher
from agent.understanding.reading import _agreeing_runner_up
from agent.understanding.semantic import Match
from tests.conftest import MARIA
from tests.test_conversations import reach_plans
from wiring import Silvia


async def _answer_to(silvia: Silvia, text: str) -> tuple[list[str], str]:
    """The template ids of Sílvia's reply to a known lead's question right after the greeting."""
    await silvia.leads.upsert_lead(MARIA)
    await silvia.say(MARIA.phone, "oi")
    result = await silvia.say(MARIA.phone, text)
    assert result.stage == Stage.GREETED  # a question moves no step of the funnel
    return [r["template_id"] for r in result.replies], "\n".join(result.texts)


# --- the words that name a topic outright ------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("e se um dia vcs falirem, eu fico no escuro?", "serena_closes"),
        ("quando a conta vem com aquela bandeira vermelha vcs cobram a mais?", "tariff_flags"),
        ("se eu me mudar pro interior ano que vem como faço com o plano", "moving_house"),
        ("sou síndica aqui do prédio, a área comum entra nisso?", "condominium"),
        ("não seria melhor comprar placa e ter minha própria energia?", "own_panels"),
        ("tô com umas contas atrasadas na energisa, isso impede?", "overdue_bills"),
        ("aceitam pix ou é só boleto msm?", "payment_methods"),
        ("o desconto cai na conta a partir de quando??", "discount_start"),
        ("E DE MADRUGADA, DE ONDE VEM A LUZ?", "night_rain_clouds"),
    ],
)
async def test_a_word_that_names_the_topic_gets_its_answer(silvia: Silvia, text: str, topic: str) -> None:
    templates, joined = await _answer_to(silvia, text)
    assert templates[0].startswith(f"kb.{topic}."), (templates, joined)


async def test_a_contract_that_renews_is_answered_with_the_contract_terms(silvia: Silvia) -> None:
    templates, joined = await _answer_to(silvia, "no fim do prazo o contrato renova sozinho ou acaba?")
    assert templates[0].startswith("faq.ask_contract"), (templates, joined)


# --- a keyword the lead denies of themselves ----------------------------------------------------


async def test_a_lead_without_panels_is_not_answered_as_a_panel_owner(silvia: Silvia) -> None:
    templates, joined = await _answer_to(silvia, "não tenho placa solar nenhuma, como a energia chega aqui?")
    assert not any(t.startswith("kb.already_have_panels") for t in templates), joined


async def test_a_lead_who_will_not_move_is_recommended_a_plan_not_told_about_moving(silvia: Silvia) -> None:
    await reach_plans(silvia)
    result = await silvia.say(MARIA.phone, "a casa é própria e nem penso em me mudar, qual plano compensa?")
    joined = "\n".join(result.texts)
    assert "Pelo que você me contou" in joined and "Premium" in joined, joined
    assert not any(r["template_id"].startswith("kb.moving_house") for r in result.replies)


# --- a question mark or capitals ----------------------------------------------------------------


@pytest.mark.parametrize("text", ["E PRA MEI SERVE??", "e pra quem tem CNPJ?"])
async def test_a_short_question_is_read_the_same_with_marks_and_capitals(silvia: Silvia, text: str) -> None:
    templates, joined = await _answer_to(silvia, text)
    assert any(t.startswith("kb.company") or t.startswith("company") for t in templates), (templates, joined)


# --- a question without its question mark -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("meu nome tá no serasa, consigo fazer", "credit_check"),
        ("essa serena é firma de onde", "who_is_serena"),
        ("se vcs fecharem um dia, o que acontece comigo", "serena_closes"),
    ],
)
async def test_a_question_left_without_its_mark_is_answered(silvia: Silvia, text: str, topic: str) -> None:
    templates, joined = await _answer_to(silvia, text)
    assert templates[0].startswith(f"kb.{topic}."), (templates, joined)


async def test_a_company_question_ending_in_funciona_is_the_company_topic(silvia: Silvia) -> None:
    templates, joined = await _answer_to(silvia, "e pra quem é MEI funciona")
    assert any("company" in t for t in templates), (templates, joined)


async def test_an_offer_to_send_the_bill_later_is_no_question(silvia: Silvia) -> None:
    await silvia.leads.upsert_lead(MARIA)
    await silvia.say(MARIA.phone, "oi")
    result = await silvia.say(MARIA.phone, "então tá, posso te mandar a conta depois")
    assert not any(r["template_id"].startswith(("kb.", "knowledge.")) for r in result.replies), result.texts


async def test_a_statement_that_is_a_topic_gets_its_answer(silvia: Silvia) -> None:
    templates, joined = await _answer_to(silvia, "a conta ainda tá no nome do meu finado pai")
    assert templates[0].startswith("kb.bill_other_name."), (templates, joined)


# --- a distributor named by its own name, and words spelt by ear ---------------------------------


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("a equatorial continua me mandando a fatura dela?", "one_or_two_bills"),
        ("vcs sao parceiros da cemig ou é outra coisa?", "distributor_role"),
    ],
)
async def test_any_distributor_is_asked_about_like_the_distributor(
    silvia: Silvia, text: str, topic: str
) -> None:
    templates, joined = await _answer_to(silvia, text)
    assert templates[0].startswith(f"kb.{topic}."), (templates, joined)


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("se ficar chuvenu a semana toda eu perco o disconto", "night_rain_clouds"),
        ("e quano é que o disconto comesa a vale", "discount_start"),
    ],
)
async def test_a_spoken_spelling_is_read_as_the_word_meant(silvia: Silvia, text: str, topic: str) -> None:
    templates, joined = await _answer_to(silvia, text)
    assert templates[0].startswith(f"kb.{topic}."), (templates, joined)


# --- a near tie the rules break, and "como fica" after what the lead said -----------------------


def test_a_near_tie_goes_to_the_topic_the_rules_question_covers() -> None:
    matcher = TopicMatcher(default_knowledge(), lambda: None)  # type: ignore[arg-type,return-value]
    tie = [
        Match("scam", 0.53, "to desconfiado dessa historia"),
        Match("distributor_role", 0.50, "a distribuidora"),
    ]
    assert _agreeing_runner_up(tie, matcher, "ask_how_it_works") == tie[1]
    assert _agreeing_runner_up(tie, matcher, "ask_price") is None  # the rules cover neither
    apart = [
        Match("scam", 0.60, "to desconfiado dessa historia"),
        Match("distributor_role", 0.50, "a distribuidora"),
    ]
    assert _agreeing_runner_up(apart, matcher, "ask_how_it_works") is None  # no tie to break


async def test_how_it_goes_after_a_move_is_the_moving_topic(silvia: Silvia) -> None:
    templates, joined = await _answer_to(silvia, "vou vender minha casa ano que vem, como fica o contrato")
    assert templates[0].startswith("kb.moving_house."), (templates, joined)


# --- a blackout and several homes, named outright -----------------------------------------------


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("teve um apagão na rua ontem, nessas horas eu chamo quem?", "power_outage"),
        ("tenho umas casas que alugo lá em olinda e aqui, cabe tudo num cadastro?", "several_properties"),
    ],
)
async def test_a_blackout_and_several_homes_get_their_answers(silvia: Silvia, text: str, topic: str) -> None:
    templates, joined = await _answer_to(silvia, text)
    assert any(t.startswith(f"kb.{topic}.") for t in templates), (templates, joined)


# --- "qual compensa?" beside a reason, and Serena stopping ---------------------------------------


async def test_which_one_pays_off_beside_a_reason_to_stay_is_a_recommendation(silvia: Silvia) -> None:
    await reach_plans(silvia)
    result = await silvia.say(MARIA.phone, "moro aqui faz tempo e vou continuar, qual vc me indica?")
    joined = "\n".join(result.texts)
    assert "Pelo que você me contou" in joined and "Premium" in joined, joined


async def test_serena_stopping_is_not_a_blackout(silvia: Silvia) -> None:
    templates, joined = await _answer_to(silvia, "e se a serena parar um dia, eu fico no escuro?")
    assert templates[0].startswith("kb.serena_closes."), (templates, joined)


async def test_two_plans_named_to_compare_without_a_mark_choose_none(silvia: Silvia) -> None:
    await reach_plans(silvia)
    result = await silvia.say(MARIA.phone, "o plus e o premium, o que muda de um pro outro")
    assert result.stage == Stage.PLANS_PRESENTED  # no plan taken from a comparison
    assert (await silvia.state(MARIA.phone)).get("selected_plan") is None


@pytest.mark.parametrize(
    "text", ["o que vcs fazem com o meu cpf depois?", "e o que voces fazem com meus dados pessoais"]
)
async def test_what_is_done_with_my_data_is_the_privacy_answer(silvia: Silvia, text: str) -> None:
    templates, joined = await _answer_to(silvia, text)
    assert any(t.startswith(("kb.data_privacy", "privacy.", "small_talk.data_request")) for t in templates), (
        templates,
        joined,
    )
