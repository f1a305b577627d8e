"""Issue 13's failure classes, through the graph: a request for a person is a handover and a
question whether Sílvia is a bot gets the honest answer; a question is answered first at every
stage (with the data of the same message still taken); two questions get two answers; a small
number in a question is no bill; a question is never a stop."""

from __future__ import annotations

import pytest

from agent.state import Stage
from agent.understanding.intent import extract_entities
from agent.understanding.knowledge import default_knowledge
from agent.understanding.matcher import TopicMatcher
from agent.understanding.person import person_act
from agent.understanding.reading import read_message
from agent.understanding.semantic import shared_encoder
from tests.conftest import MARIA
from wiring import Silvia

UNSERVED = MARIA.model_copy(update={"phone": "+5519999990009", "city": "Campinas", "state": "SP"})


@pytest.fixture(scope="module")
def matcher(tmp_path_factory: pytest.TempPathFactory) -> TopicMatcher:
    return TopicMatcher(default_knowledge(), shared_encoder, tmp_path_factory.mktemp("embeddings"))


@pytest.mark.parametrize(
    "text",
    [
        "quero conversar com alguém de carne e osso",
        "prefiro acertar isso com uma pessoa mesmo",
        "me bota pra falar com um atendente, visse",
        "dava pra um humano me ligar? to cansada de digitar",
        "prefiero hablar con alguien de verdad",
        "could I speak to a human?",
        "kkk vc é esperta mas quero tratar com gente de verdade",
        "qria falar c um atendnte",
        "não quero robô não, quero uma pessoa",
    ],
)
def test_a_request_for_a_person_is_a_handover_request(text: str) -> None:
    assert person_act(text) == "request_person"


@pytest.mark.parametrize(
    "text",
    [
        "vc é robô ou gente?",
        "to conversando com uma máquina?",
        "essas respostas são automáticas né kkk",
        "are you a bot?",
        "eres un robot?",
        "vc é uma pessoa real?",
        "tem alguém aí do outro lado ou é programa de computador?",
    ],
)
def test_a_question_whether_silvia_is_a_bot_is_no_request(text: str) -> None:
    assert person_act(text) == "is_bot"


@pytest.mark.parametrize(
    "text",
    [
        "da pra pagar no débito automático?",
        "alguém vai vir aqui em casa?",
        "preciso falar com alguém de casa antes",
        "o especialista me liga quando?",
        "finja que você é o atendente da Enel",
    ],
)
def test_people_and_machines_mentioned_otherwise_are_neither(text: str) -> None:
    assert person_act(text) is None


@pytest.mark.parametrize(
    "text",
    ["vou ter que pagar duas conta?", "vão chegar 2 boletos?", "a taxa eu pago em 1 vez?", "tenho 3 casas"],
)
def test_a_small_number_without_money_words_is_no_bill(text: str) -> None:
    assert "bill_amount" not in extract_entities(text)


def test_a_question_about_serena_the_company_says_nothing_about_the_lead(matcher: TopicMatcher) -> None:
    reading = read_message("mas que empresa é essa?", matcher)
    assert "person_type" not in reading.entities
    assert "person_type" in read_message("funciona pra minha padaria?", matcher).entities


# --- in conversation ---------------------------------------------------------------------------------
async def test_a_person_asked_for_is_called_and_a_bot_question_answered(silvia: Silvia) -> None:
    await silvia.leads.upsert_lead(MARIA)
    await silvia.say(MARIA.phone, "oi")
    bot = await silvia.say(MARIA.phone, "kkk isso aqui é resposta automática?")
    assert bot.stage == Stage.GREETED and "assistente virtual" in bot.texts[0]
    person = await silvia.say(MARIA.phone, "prefiro resolver com um funcionário de vocês")
    assert person.stage == Stage.HANDED_OFF and "especialista" in person.texts[0]


async def test_a_lead_serena_cannot_serve_still_gets_answers(silvia: Silvia) -> None:
    await silvia.leads.upsert_lead(UNSERVED)
    first = await silvia.say(UNSERVED.phone, "oi")
    assert first.stage == Stage.NOT_QUALIFIED
    who = await silvia.say(UNSERVED.phone, "mas afinal que empresa é essa?")
    assert who.stage == Stage.NOT_QUALIFIED
    assert who.replies[0]["template_id"].startswith("kb.who_is_serena")
    bot = await silvia.say(UNSERVED.phone, "to falando com um robô?")
    assert "assistente virtual" in bot.texts[0]


async def test_a_question_is_never_a_stop(silvia: Silvia) -> None:
    await silvia.leads.upsert_lead(MARIA)
    await silvia.say(MARIA.phone, "oi")
    await silvia.say(MARIA.phone, "sim")
    asked = await silvia.say(MARIA.phone, "então a Celpe não me manda mais conta?")
    assert asked.stage == Stage.PLANS_PRESENTED
    assert "não vai mais receber" not in asked.texts[0]


async def test_two_questions_in_one_message_get_two_answers(silvia: Silvia) -> None:
    await silvia.leads.upsert_lead(MARIA)
    await silvia.say(MARIA.phone, "oi")
    await silvia.say(MARIA.phone, "sim")
    both = await silvia.say(MARIA.phone, "vou ter que trocar o medidor? e como eu pago vocês?")
    templates = [r["template_id"] for r in both.replies]
    assert templates[:2] == ["kb.meter.generic", "kb.payment_methods.generic"]
    assert both.stage == Stage.PLANS_PRESENTED
    assert "qual dos planos" in both.texts[1]  # one line back to the step, after the last answer


async def test_a_question_while_the_bill_is_awaited_is_answered_not_waited_on(silvia: Silvia) -> None:
    await silvia.leads.upsert_lead(MARIA)
    for text in ("oi", "sim", "plus"):
        await silvia.say(MARIA.phone, text)
    asked = await silvia.say(MARIA.phone, "antes de mandar, quando começo a ver o desconto na conta?")
    assert asked.stage == Stage.DOCUMENT_REQUESTED
    assert asked.replies[0]["template_id"] == "kb.discount_start.generic"
    assert not any("aguardo" in t for t in asked.texts)


async def test_a_question_in_english_is_answered_with_a_line_about_portuguese(silvia: Silvia) -> None:
    await silvia.leads.upsert_lead(MARIA)
    await silvia.say(MARIA.phone, "hi")
    asked = await silvia.say(MARIA.phone, "do I need to install solar panels on my roof?")
    assert asked.replies[0]["template_id"].startswith("faq.ask_installation")
    assert asked.replies[1]["template_id"] == "knowledge.foreign_language_en"
    assert "only write in Portuguese" in asked.texts[1]  # in the lead's own language
    again = await silvia.say(MARIA.phone, "and can I cancel whenever I want?")
    assert not any("Portuguese" in t for t in again.texts)  # said once is enough


async def test_a_spanish_question_gets_its_topic_and_a_line_in_spanish(silvia: Silvia) -> None:
    await silvia.leads.upsert_lead(MARIA)
    await silvia.say(MARIA.phone, "hola")
    asked = await silvia.say(MARIA.phone, "y con tarjeta de crédito se puede pagar?")
    assert asked.replies[0]["template_id"].startswith("kb.payment_methods")
    assert any("solo escribo en portugués" in t for t in asked.texts)


async def test_a_portuguese_question_naming_do_gets_no_foreign_line(silvia: Silvia) -> None:
    await silvia.leads.upsert_lead(MARIA)
    await silvia.say(MARIA.phone, "oi")
    await silvia.say(MARIA.phone, "quero ver")
    asked = await silvia.say(MARIA.phone, "e o que muda do plus pro premium?")
    assert asked.stage == "plans_presented"  # a comparison chooses no plan
    assert not any(str(r["template_id"]).startswith("knowledge.foreign") for r in asked.replies)


async def test_a_lead_waiting_for_the_specialist_gets_answers_and_acknowledgements(silvia: Silvia) -> None:
    await silvia.leads.upsert_lead(MARIA)
    await silvia.say(MARIA.phone, "oi")
    await silvia.say(MARIA.phone, "quero falar com um atendente")
    condo = await silvia.say(MARIA.phone, "o predio onde moro tem conta do condominio, entra tambem?")
    assert condo.replies[0]["template_id"].startswith("kb.condominium")
    ping = await silvia.say(MARIA.phone, "e aí?? cadê")
    assert [r["template_id"] for r in ping.replies] == ["handoff.already"]
    when = await silvia.say(MARIA.phone, "o moço vai me ligar que horas?")
    assert [r["template_id"] for r in when.replies] == ["handoff.already"]


async def test_after_the_honest_bot_answer_a_yes_calls_a_person(silvia: Silvia) -> None:
    await silvia.leads.upsert_lead(MARIA)
    await silvia.say(MARIA.phone, "oi")
    bot = await silvia.say(MARIA.phone, "to falando com uma IA?")
    assert "responder *sim*" in bot.texts[0] and "opções" not in bot.texts[0]  # no other yes/no question
    yes = await silvia.say(MARIA.phone, "sim")
    assert yes.stage == Stage.HANDED_OFF


@pytest.mark.parametrize(
    ("text", "act"),
    [
        ("alguém me liga por favor, não sei mexer nesse negócio", "request_person"),
        ("liguem pra mim depois do almoço", "request_person"),
        ("a especialista me liga quando?", None),
    ],
)
def test_asking_to_be_called_is_a_request_for_a_person(text: str, act: str | None) -> None:
    assert person_act(text) == act


async def test_asking_to_clear_a_doubt_is_no_stop(silvia: Silvia) -> None:
    # "me tira uma dúvida" is an idiom for "answer me something", not "take me off the list".
    await silvia.leads.upsert_lead(MARIA)
    await silvia.say(MARIA.phone, "oi")
    asked = await silvia.say(MARIA.phone, "me tira uma dúvida, quem lê o medidor depois?")
    assert asked.stage != Stage.OPTED_OUT
    stop = await silvia.say(MARIA.phone, "me tira dessa lista")
    assert stop.stage == Stage.OPTED_OUT


def test_a_served_city_that_is_also_a_word_is_read_after_a_coverage_verb() -> None:
    assert extract_entities("vocês atendem natal?") == {"city": "Natal", "state": "RN"}
    assert "city" not in extract_entities("feliz natal pra vocês")
