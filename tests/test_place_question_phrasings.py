"""Questions about whether Serena serves a place, in slang and elliptic forms (issue 14 rule 2,
issue 13): answered at every stage with that place's coverage, never stored as the lead's city,
and read the same way by the reading and by the intake (one check). A statement about where the
lead lives still sets their city. Through the real graph on the embedded default."""

from __future__ import annotations

import pytest

from agent.state import Stage
from agent.understanding.coverage import asks_about_place
from agent.understanding.intent import classify
from agent.understanding.knowledge import default_knowledge
from agent.understanding.matcher import TopicMatcher
from agent.understanding.reading import read_message
from agent.understanding.semantic import shared_encoder
from tests.conftest import MARIA
from tests.test_conversations import reach_plans
from wiring import Silvia

# (message, the place's name as the answer spells it, words the coverage answer must hold)
SERVED = "Serena já atende"
ASKED = [
    ("e em petrolina, tem?", "Petrolina"),
    ("vcs chegam em maceio?", "Maceió"),
    ("cês tão em sobral?", "Sobral"),
    ("tem atendimento em caruaru?", "Caruaru"),
    ("vcs trabalham em natal?", "Natal"),
    ("e lá em juazeiro, funciona?", "Juazeiro"),
    ("oxe e mossoro voces pegam?", "Mossoró"),
    ("vcs ja tao operando em teresina", "Teresina"),
    ("e pra campina grande rola?", "Campina Grande"),
    ("voces fazem em arapiraca tbm?", "Arapiraca"),
]
# More of the class: other tenses of serving, a place first, "né?" tails, "tem pra X?".
MORE = [
    ("alguma chance de vcs atenderem em garanhuns?", "Garanhuns"),
    ("pra fortaleza nao tem ne?", "Fortaleza"),
    ("ja tem gente usando em petrolina?", "Petrolina"),
    ("tem pra joao pessoa?", "João Pessoa"),
    ("caruaru vcs atendem?", "Caruaru"),
    ("serena ta em aracaju?", "Aracaju"),
]
COLD = "+5584999990313"
NOT_QUALIFIED = MARIA.model_copy(update={"phone": "+5591999990313", "city": "Belém", "state": "PA"})


@pytest.fixture(scope="module")
def matcher(tmp_path_factory: pytest.TempPathFactory) -> TopicMatcher:
    return TopicMatcher(default_knowledge(), shared_encoder, tmp_path_factory.mktemp("embeddings"))


def _answers_the_place(texts: list[str], place: str) -> None:
    first = texts[0]
    assert place in first, texts
    assert "não entendi" not in " ".join(texts).lower(), texts


@pytest.mark.parametrize(("text", "place"), ASKED + MORE)
def test_the_reading_and_the_intake_agree_it_is_a_place_question(
    matcher: TopicMatcher, text: str, place: str
) -> None:
    entities = classify(text).entities
    assert asks_about_place(text, entities), text
    reading = read_message(text, matcher)
    assert reading.question is not None and reading.question.about == "place", reading


@pytest.mark.parametrize(
    "text", ["moro em natal", "sou de sobral e pago 300", "to aqui em maceio", "minha mae mora em olinda"]
)
def test_where_the_lead_lives_is_no_place_question(text: str) -> None:
    assert not asks_about_place(text, classify(text).entities)


@pytest.mark.parametrize(("text", "place"), ASKED[:5] + MORE[:3])
async def test_a_greeted_cold_lead_gets_the_answer_and_no_city(silvia: Silvia, text: str, place: str) -> None:
    await silvia.say(COLD, "oi")
    asked = await silvia.say(COLD, text)
    assert asked.stage == Stage.GREETED
    _answers_the_place(asked.texts, place)
    assert not (await silvia.state(COLD))["profile"].get("city")
    home = await silvia.say(COLD, "eu moro em recife mesmo, pago uns 300")
    assert (await silvia.state(COLD))["profile"]["city"] == "Recife" and home.stage == Stage.GREETED


@pytest.mark.parametrize(("text", "place"), ASKED[3:8])
async def test_after_the_plans_the_answer_keeps_the_stage_and_the_city(
    silvia: Silvia, text: str, place: str
) -> None:
    await reach_plans(silvia)
    asked = await silvia.say(MARIA.phone, text)
    assert asked.stage == Stage.PLANS_PRESENTED
    _answers_the_place(asked.texts, place)
    profile = (await silvia.state(MARIA.phone))["profile"]
    assert (profile["city"], profile["state"]) == ("Recife", "PE")


@pytest.mark.parametrize(("text", "place"), ASKED[5:])
async def test_while_the_bill_is_awaited_the_answer_keeps_the_stage(
    silvia: Silvia, text: str, place: str
) -> None:
    await reach_plans(silvia)
    assert (await silvia.say(MARIA.phone, "plus")).stage == Stage.DOCUMENT_REQUESTED
    asked = await silvia.say(MARIA.phone, text)
    assert asked.stage == Stage.DOCUMENT_REQUESTED
    _answers_the_place(asked.texts, place)
    assert (await silvia.state(MARIA.phone))["profile"]["city"] == "Recife"


@pytest.mark.parametrize(("text", "place"), [ASKED[0], ASKED[2], ASKED[4], ASKED[7]])
async def test_a_not_qualified_lead_asking_about_a_place_is_answered(
    silvia: Silvia, text: str, place: str
) -> None:
    await silvia.leads.upsert_lead(NOT_QUALIFIED)
    assert (await silvia.say(NOT_QUALIFIED.phone, "boa tarde")).stage == Stage.NOT_QUALIFIED
    asked = await silvia.say(NOT_QUALIFIED.phone, text)
    assert asked.stage == Stage.NOT_QUALIFIED
    _answers_the_place(asked.texts, place)
    assert (await silvia.state(NOT_QUALIFIED.phone))["profile"]["city"] == "Belém"
