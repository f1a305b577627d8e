"""Defects a third fresh held-out set found (issues 13 and 14), fixed for their class and tested through the
real graph on the embedded default, in phrasings that are not the set's."""

from __future__ import annotations

import pytest

from agent.state import Stage
from agent.understanding.coverage import home_place
from agent.understanding.intent import normalise
from agent.understanding.knowledge import default_knowledge
from agent.understanding.matcher import TopicMatcher
from agent.understanding.person import person_act
from agent.understanding.reading import read_message
from agent.understanding.semantic import shared_encoder
from tests.conftest import MARIA
from tests.test_conversations import reach_plans
from wiring import Silvia

KB = default_knowledge()


@pytest.fixture(scope="module")
def matcher(tmp_path_factory: pytest.TempPathFactory) -> TopicMatcher:
    return TopicMatcher(KB, shared_encoder, tmp_path_factory.mktemp("embeddings"))


async def test_tired_of_the_bot_and_asking_for_a_person_is_handed_over(silvia: Silvia) -> None:
    await reach_plans(silvia)
    handed = await silvia.say(MARIA.phone, "chega de mensagem de robô!! me passa pra um atendente")
    assert handed.stage == Stage.HANDED_OFF
    assert "especialista" in handed.texts[0] and "não vai mais receber" not in handed.texts[0]


async def test_a_plain_stop_is_still_a_stop_even_beside_people(silvia: Silvia) -> None:
    await reach_plans(silvia)
    stopped = await silvia.say(MARIA.phone, "parem de me mandar mensagem, nem robô nem pessoa")
    assert stopped.stage == Stage.OPTED_OUT


def test_a_flat_or_a_floor_is_no_town() -> None:
    for text in ("moro em apto no terceiro andar", "moro num ap alugado", "moro em uma kitnet",
                 "moro em cobertura no centro"):  # fmt: skip
        assert home_place(text, {}) is None, text
    assert home_place("moro em Surubim", {}) == "Surubim"


async def test_a_flat_question_at_the_greeting_keeps_the_leads_city(silvia: Silvia) -> None:
    await silvia.leads.upsert_lead(MARIA)
    await silvia.say(MARIA.phone, "oi")
    asked = await silvia.say(MARIA.phone, "moro em apto no decimo andar, sem telhado, da certo pra mim?")
    assert "andar" not in asked.texts[0].lower().split("estado")[-1]  # never "which state is 5º andar"
    assert "apartamento" in asked.texts[0].lower()
    assert (await silvia.state(MARIA.phone))["profile"]["city"] == "Recife"


def test_data_and_number_answers_need_their_words(matcher: TopicMatcher) -> None:
    # Near in meaning, but naming no data: no privacy answer to a lead coming back or curious.
    for text in ("voltei, encontrei a fatura aqui", "oi outra vez, quero entender melhor"):
        assert read_message(text, matcher).topic != "data_privacy", text
    assert read_message("vcs guardam meus dados onde?", matcher).topic == "data_privacy"
    # "In which number will they call?" is about the call, not how Serena got the number.
    assert read_message("vão me ligar em que número?", matcher).topic != "how_got_number"
    assert read_message("quem passou meu contato pra vcs?", matcher).topic == "how_got_number"


def test_every_anchored_paraphrase_names_an_anchor() -> None:
    anchored = [t for t in KB.topics.values() if t.anchors]
    assert {"data_privacy", "how_got_number"} <= {t.id for t in anchored}
    assert all(t.named_in(normalise(p)) for t in anchored for p in t.paraphrases)


def test_someone_of_serena_asked_to_call_is_a_request_for_a_person() -> None:
    assert person_act("pede pra alguém da serena me ligar por favor") == "request_person"
    assert person_act("fala pra uma pessoa da equipe me ligar hoje") == "request_person"


def test_does_it_work_for_me_is_read_with_what_was_just_said(matcher: TopicMatcher) -> None:
    # Alone, "serve pra mim?" is only "does it work?": its topic is the clause before it.
    flat = read_message("moro num predio, nao tenho telhado proprio, serve pra mim?", matcher)
    assert flat.topic == "apartment"
    farm = read_message("tenho um sitio no interior longe da cidade, funciona la?", matcher)
    assert farm.topic == "rural"
