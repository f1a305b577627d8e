"""The lead's journey, issue 14 rules 3, 5 and 10 in phrasings of our own: a role word or a
Nordeste double negative asking for a person hands the lead over, a lead back who asks for the
plans gets the welcome back and the plans in one reply, a goodbye is never a return, and a
greeting names the lead with a vocative comma. Through the real graph on the embedded default.
"""

from __future__ import annotations

import pytest

from agent.state import Stage
from tests.conftest import MARIA
from tests.test_conversations import reach_plans
from wiring import Silvia


def joined(result: object) -> str:
    return "\n".join(result.texts)  # type: ignore[attr-defined]


# --- 1. a person asked for by role, or in a Nordeste double negative ------------------------------


@pytest.mark.parametrize(
    "ask",
    [
        "prefiro resolver isso com um executivo de vendas",
        "vcs tem algum representante comercial pra eu conversar?",
        "tem um representante?",
        "queria tratar direto com o gerente comercial",
        "não tem como alguém me ligar não?",
        "nao da pra um atendente me chamar nao??",
        "não tem um consultor pra falar comigo não, visse?",
        "num tem como um moço da empresa me ligar não?",
    ],
)
async def test_a_person_asked_for_by_role_or_double_negative_hands_over(silvia: Silvia, ask: str) -> None:
    await reach_plans(silvia)
    handed = await silvia.say(MARIA.phone, ask)
    assert handed.stage == Stage.HANDED_OFF, handed.texts
    assert "não entendi" not in joined(handed).lower()


# --- 2. back and asking for the plans -------------------------------------------------------------


@pytest.mark.parametrize(
    "back",
    [
        "sou eu de novo, pensei melhor, me mostra as opções",
        "voltei!! mudei de ideia, manda os planos ai",
        "oi de novo, quero ver os planos agora",
    ],
)
async def test_a_lead_back_asking_for_the_plans_gets_both_in_one_reply(silvia: Silvia, back: str) -> None:
    await silvia.leads.upsert_lead(MARIA)
    await silvia.say(MARIA.phone, "oi")
    closed = await silvia.say(MARIA.phone, "não, obrigada")
    assert closed.stage == Stage.LOST
    shown = await silvia.say(MARIA.phone, back)
    text = joined(shown)
    assert "de volta" in text and shown.stage == Stage.PLANS_PRESENTED, shown.texts
    assert "Essencial" in text and "Premium" in text, shown.texts


# --- 3. a goodbye is never a return -----------------------------------------------------------------


@pytest.mark.parametrize("bye", ["tchau", "até mais!", "falou", "flw, bom dia pra vc", "valeu, até logo"])
async def test_a_goodbye_after_declining_is_no_welcome_back(silvia: Silvia, bye: str) -> None:
    await silvia.leads.upsert_lead(MARIA)
    await silvia.say(MARIA.phone, "oi")
    await silvia.say(MARIA.phone, "não tenho interesse")
    goodbye = await silvia.say(MARIA.phone, bye)
    text = joined(goodbye)
    assert goodbye.stage == Stage.LOST, goodbye.texts
    assert "de volta" not in text and "R$" not in text and "plano" not in text.lower(), goodbye.texts
    assert len(goodbye.texts) == 1


@pytest.mark.parametrize("bye", ["tchau", "até mais", "falou!"])
async def test_a_goodbye_at_the_plans_is_a_kind_goodbye(silvia: Silvia, bye: str) -> None:
    await reach_plans(silvia)
    goodbye = await silvia.say(MARIA.phone, bye)
    text = joined(goodbye)
    assert "de volta" not in text and "R$" not in text and "não entendi" not in text.lower(), goodbye.texts


# --- 4. the vocative comma --------------------------------------------------------------------------


async def test_the_greeting_names_the_lead_with_a_vocative_comma(silvia: Silvia) -> None:
    await silvia.leads.upsert_lead(MARIA)
    greeted = await silvia.say(MARIA.phone, "oi")
    text = joined(greeted)
    assert "Oi, Maria!" in text and "Oi Maria" not in text, greeted.texts


async def test_a_nameless_greeting_and_follow_up_leave_no_empty_vocative(silvia: Silvia) -> None:
    nameless = MARIA.model_copy(update={"phone": "+5584999990144", "name": ""})
    await silvia.leads.upsert_lead(nameless)
    greeted = await silvia.say(nameless.phone, "boa tarde")
    text = joined(greeted)
    assert text.startswith("Oi! 😊") and "Oi, !" not in text and "Oi ," not in text, greeted.texts


# --- a person declined is no request for one --------------------------------------------------------


@pytest.mark.parametrize(
    ("declines", "answer_word"),
    [
        ("não quero falar com ninguém não, só ver os preços", "R$"),
        ("nao quero falar com atendente nenhum, so quero saber quanto custa", "R$"),
        ("nem precisa me ligar não. tem multa se eu cancelar?", "fidelidade"),
    ],
)
async def test_a_person_declined_beside_a_question_answers_the_question(
    silvia: Silvia, declines: str, answer_word: str
) -> None:
    await reach_plans(silvia)
    result = await silvia.say(MARIA.phone, declines)
    assert result.stage == Stage.PLANS_PRESENTED, result.texts
    assert answer_word in joined(result) and "especialista vai" not in joined(result), result.texts


@pytest.mark.parametrize("declines", ["nao quero que ninguem me ligue nao", "não precisa ninguém me chamar"])
async def test_a_person_declined_alone_hands_nothing_over(silvia: Silvia, declines: str) -> None:
    await reach_plans(silvia)
    result = await silvia.say(MARIA.phone, declines)
    assert result.stage == Stage.PLANS_PRESENTED, result.texts
    assert "não entendi" not in joined(result).lower(), result.texts
    text = joined(result)
    assert "ninguém vai te ligar" in text and "qual dos planos" in text.lower(), result.texts
