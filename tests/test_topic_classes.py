"""Five classes of wrong topic a fresh held-out set found (issue 13, fourth pass), read by the real
embedding model (no network), in phrasings of our own: weather, the adhesion fee, rural properties,
credit checks for a company, and words spelt by ear."""

from __future__ import annotations

import pytest

from agent.understanding.knowledge import default_knowledge
from agent.understanding.matcher import TopicMatcher
from agent.understanding.reading import read_message
from agent.understanding.semantic import shared_encoder
from agent.understanding.spelling import phonetic_key

KB = default_knowledge()


@pytest.fixture(scope="module")
def matcher(tmp_path_factory: pytest.TempPathFactory) -> TopicMatcher:
    return TopicMatcher(KB, shared_encoder, tmp_path_factory.mktemp("embeddings"))


@pytest.mark.parametrize(
    "text",
    [
        "boa noite! e quando chove a semana toda, o desconto continua?",
        "se o tempo ficar fechado uns dias eu perco a economia?",
        "aqui no sul tem muito dia sem sol no inverno, compensa?",
        "e em época de chuva, como fica o valor da conta?",
    ],
)
def test_weather_words_name_the_weather_topic(matcher: TopicMatcher, text: str) -> None:
    assert read_message(text, matcher).topic == "night_rain_clouds"


@pytest.mark.parametrize(
    "text",
    [
        "precisa pagar alguma coisa pra aderir?",
        "existe taxa de entrada ou é tudo gratis?",
        "quanto eu pago pra entrar no plano?",
    ],
)
def test_a_fee_to_join_is_the_adhesion_fee(matcher: TopicMatcher, text: str) -> None:
    assert read_message(text, matcher).topic == "adhesion_fee"


def test_rural_words_name_the_rural_topic_even_beside_data(matcher: TopicMatcher) -> None:
    assert read_message("meu sitio fica na zona rural, da pra participar?", matcher).topic == "rural"
    beside = read_message("sou de Caruaru, pago uns 300 e a casa é numa chacara no interior, serve?", matcher)
    assert beside.entities["city"] == "Caruaru" and beside.entities["bill_amount"] == 300.0
    assert beside.topic == "rural"
    assert (
        read_message("tenho uma propriedade rural com conta de 500, vcs atendem?", matcher).topic == "rural"
    )


@pytest.mark.parametrize(
    "text",
    [
        "empresa com cnpj negativado pode assinar?",
        "vcs olham o score da empresa antes de aprovar?",
        "minha firma ta com nome no spc, consigo mesmo assim?",
        "sou pessoa juridica, vcs consultam o serasa do cnpj?",
        "meu cpf ta com restrição, posso assinar?",
    ],
)
def test_a_company_asking_about_a_credit_check_gets_the_credit_check(
    matcher: TopicMatcher, text: str
) -> None:
    assert read_message(text, matcher).topic == "credit_check"


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("quanto tenpo demora pra comessar a economizar?", "discount_start"),
        ("quando cai o disconto na conta?", "discount_start"),
        ("isso não é inganassão nao?", "scam"),
        ("se eu quizer cancelar tem muta?", "cancellation"),
    ],
)
def test_words_spelt_by_ear_are_read_as_meant(matcher: TopicMatcher, text: str, topic: str) -> None:
    assert read_message(text, matcher).topic == topic


def test_repair_by_sound_leaves_real_words_and_names_alone(matcher: TopicMatcher) -> None:
    assert phonetic_key("comesa") == phonetic_key("começa") != phonetic_key("comeca")
    assert phonetic_key("direto") != phonetic_key("direito")
    assert matcher.repair("quando comesa o disconto?") == "quando começa o desconto?"
    assert (
        matcher.repair("eu queria saber, falei com a Dona Costa") == "eu queria saber, falei com a Dona Costa"
    )
    assert matcher.repair("pago direto no banco") == "pago direto no banco"


def test_joining_is_no_fee_and_a_fee_among_other_words_still_is(matcher: TopicMatcher) -> None:
    assert read_message("sou sindica, o condominio pode aderir?", matcher).topic == "condominium"
    assert read_message("tem custo pra começar ou taxa de ativação?", matcher).topic == "adhesion_fee"
    assert read_message("pago 400 numa fazendinha em Garanhuns, vcs fazem?", matcher).topic == "rural"
