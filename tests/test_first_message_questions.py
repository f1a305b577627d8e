"""A new lead's first message (or first reply after the greeting) that gives data AND asks a
question gets both in one reply (issue 13, item 2): the answer to the question, the greeting or
the estimate (or the ask for what is missing), and one next step. Through the real graph on the
embedded default, in phrasings of our own (typos, no question mark, voice run-ons, Nordeste)."""

from __future__ import annotations

import pytest

from agent.state import Stage
from agent.understanding.knowledge import default_knowledge
from wiring import Silvia

KB = default_knowledge()
ASKS = ("valor médio", "cidade", "opções", "planos")  # the ask for the missing data, in either order


def templates(result: object) -> list[str]:
    return [str(r.get("template_id") or "") for r in result.replies]  # type: ignore[attr-defined]


def answers(ids: list[str], topic: str) -> bool:
    return any(t.startswith((f"kb.{topic}.", f"faq.{KB[topic].faq}.")) for t in ids)


def assert_one_next_step(texts: list[str]) -> None:
    asks = [t for t in texts if any(a in t for a in ASKS)]
    assert asks, texts


FIRST_MESSAGE = [
    # city, no amount: the question answered, then the bill amount asked
    (
        "bom dia aqui e de garanhuns pernambuco eu queria saber quando ta chuvendo a placa nao gera"
        " e a luz fica mais cara",
        "night_rain_clouds",
    ),
    ("oxe moro em juazeiro do norte, e quando o tempo fecha, fica sem energia", "night_rain_clouds"),
    ("sou dono de uma oficina aqui em petrolina serve pra empresa tambem?", "company"),
    # amount, no city: the question answered, then the city asked
    ("minha conta vem uns 480 reais, cobra alguma coisa pra aderir", "adhesion_fee"),
    ("pago em media 350 de energia. preciso pagar taxa de adesao??", "adhesion_fee"),
    ("a conta aqui é 600 conto, tem fidelidade ou posso sair qnd quiser", "loyalty"),
]


@pytest.mark.parametrize(("text", "topic"), FIRST_MESSAGE)
async def test_a_first_message_with_data_and_a_question_gets_both(
    silvia: Silvia, text: str, topic: str
) -> None:
    phone = "+5583999990301"
    result = await silvia.say(phone, text)
    ids = templates(result)
    assert answers(ids, topic), ids
    assert_one_next_step(result.texts)  # type: ignore[attr-defined]
    assert result.stage != Stage.NEW  # the lead is greeted and taken into the funnel


AFTER_GREETING = [
    ("moro em mossoro rn e a noite como fica, vcs fornecem energia de noite", "night_rain_clouds"),
    ("eu tenho um mercadinho em feira de santana, empresa pode", "company"),
    ("conta de 420 aqui em olinda, e tem taxa pra entrar", "adhesion_fee"),
    ("sou de sobral ceara e pago uns 300, quando começa o desconto", "discount_start"),
]


@pytest.mark.parametrize(("text", "topic"), AFTER_GREETING)
async def test_the_first_reply_after_the_greeting_with_data_and_a_question_gets_both(
    silvia: Silvia, text: str, topic: str
) -> None:
    phone = "+5583999990302"
    await silvia.say(phone, "oi")
    result = await silvia.say(phone, text)
    ids = templates(result)
    assert answers(ids, topic), ids
    assert_one_next_step(result.texts)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "text",
    [
        "moro em recife e pago uns 400",
        "sou de olinda, pago 300 reais, tenho casa propria",
        "bom dia, aqui é de caruaru e a conta vem 520 todo mes",
    ],
)
async def test_plain_data_gets_no_answer_to_a_question_never_asked(silvia: Silvia, text: str) -> None:
    result = await silvia.say("+5583999990303", text)
    assert templates(result) == ["greeting"], templates(result)
