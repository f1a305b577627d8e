"""Messages with two acts get both handled in one reply (issue 13): a place question never
swallows the question beside it, two questions both get their answer, and a first message with a
town and "how did you get my number?" is answered and keeps the town. Through the real graph on
the embedded default, in phrasings of our own (typos, run-ons, Nordeste phrasing)."""

from __future__ import annotations

import pytest

from agent.ports import LeadRecord
from agent.state import Stage
from agent.understanding.intent import extract_entities
from agent.understanding.knowledge import default_knowledge
from agent.understanding.matcher import TopicMatcher
from agent.understanding.reading import read_message
from agent.understanding.semantic import shared_encoder
from tests.conftest import MARIA
from wiring import Silvia

KB = default_knowledge()
JOSEFA = LeadRecord(phone="+5581999990002", name="Josefa Lima", city="Recife", state="PE", bill_amount=420.0)
NOT_SERVED = ("ainda não atende", "não atende")
FIRST_NUMBER = "+5581999990101"


@pytest.fixture(scope="module")
def matcher(tmp_path_factory: pytest.TempPathFactory) -> TopicMatcher:
    return TopicMatcher(KB, shared_encoder, tmp_path_factory.mktemp("embeddings"))


def templates(result: object) -> list[str]:
    return [str(r.get("template_id") or "") for r in result.replies]  # type: ignore[attr-defined]


async def cold(silvia: Silvia, n: int, text: str) -> object:
    """A cold lead (no CRM data) says hi, then `text`."""
    phone = f"+55819999{n:05d}"
    await silvia.say(phone, "oi")
    return await silvia.say(phone, text)


@pytest.mark.parametrize(
    "text",
    [
        "sou de manaus am, vcs atendem ai? e tem q trocar o medidor?",
        "moro em cuiaba mato grosso queria saber se vcs atendem aqui e tbm se precisa mexer no relogio",
        "boa noite, moro em manaus. atende? e o relogio de luz precisa trocar",
    ],
)
async def test_a_place_not_served_and_a_meter_question_get_both(silvia: Silvia, text: str) -> None:
    result = await cold(silvia, 201, text)
    ids = templates(result)
    assert result.stage == Stage.NOT_QUALIFIED  # type: ignore[attr-defined]
    assert any(t.startswith("kb.meter.") for t in ids), ids
    verdict = next(i for i, t in enumerate(ids) if t.startswith(("plans_unavailable", "not_served")))
    meter = next(i for i, t in enumerate(ids) if t.startswith("kb.meter."))
    assert verdict < meter  # "not here yet" first, then the answer to what was asked
    assert any(w in result.texts[verdict] for w in NOT_SERVED)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("vcs atendem em olinda? aceita pix?", "payment_methods"),
        ("atende em natal? e tem fidelidade", "loyalty"),
        ("tem serena em caruaru?? e quanto tempo pra comecar o desconto", "discount_start"),
    ],
)
async def test_a_served_place_and_another_question_get_both(silvia: Silvia, text: str, topic: str) -> None:
    result = await cold(silvia, 202, text)
    ids = templates(result)
    assert ids[0] == "coverage.served", ids  # the place, as the lead asked it first
    assert any(t.startswith((f"kb.{topic}.", f"faq.{KB[topic].faq}.")) for t in ids[1:]), ids


@pytest.mark.parametrize(
    "text",
    [
        "vcs atendem empresa em caruaru?",
        "atende cnpj la em mossoro? tenho uma padaria",
        "serena atende comercio em feira de santana?",
    ],
)
async def test_a_company_coverage_question_gets_the_place_and_the_company(silvia: Silvia, text: str) -> None:
    result = await cold(silvia, 203, text)
    ids = templates(result)
    assert "coverage.served" in ids and any(t.startswith("kb.company.") for t in ids), ids
    asks = [t for t in result.texts if "valor médio" in t]  # type: ignore[attr-defined]
    assert len(asks) == 1  # the next step once, at the end, never twice
    assert "valor médio" in result.texts[-1]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("text", "city", "amount"),
    [
        ("tenho um sitio em garanhuns, a conta vem uns 350, funciona pra sitio?", "Garanhuns", 350.0),
        ("minha chacara fica em caruaru pago uns 450 de luz da pra colocar la?", "Caruaru", 450.0),
        ("fazenda em petrolina conta 900 serve pra zona rural?", "Petrolina", 900.0),
    ],
)
async def test_a_farm_with_a_town_and_an_amount_gets_the_rural_answer_and_the_estimate(
    silvia: Silvia, text: str, city: str, amount: float
) -> None:
    result = await cold(silvia, 204, text)
    ids = templates(result)
    assert "estimate" in ids and any(t.startswith("kb.rural.") for t in ids), ids
    assert not any(t.startswith("faq.ask_how_it_works") for t in ids)  # "funciona pra sítio?" is the farm
    profile = (await silvia.state("+5581999900204"))["profile"]
    assert (profile["city"], profile["bill_amount"]) == (city, amount)


@pytest.mark.parametrize(
    "text",
    [
        "oxi tenho mais uma casa em olinda, consigo botar as duas no mesmo plano?",
        "e se eu tiver duas casa uma aqui outra em jaboatao da pra colocar as 2",
        "e se eu tiver 2 casas, uma aqui e outra em caruaru, da pra por as duas?",
    ],
)
async def test_two_houses_at_the_plans_keep_the_leads_city(silvia: Silvia, text: str) -> None:
    await silvia.leads.upsert_lead(JOSEFA)
    await silvia.say(JOSEFA.phone, "oi")
    await silvia.say(JOSEFA.phone, "sim")
    result = await silvia.say(JOSEFA.phone, text)
    assert result.stage == Stage.PLANS_PRESENTED
    assert any(t.startswith("kb.several_properties.") for t in templates(result)), templates(result)
    assert (await silvia.state(JOSEFA.phone))["profile"]["city"] == "Recife"


@pytest.mark.parametrize(
    "text",
    [
        "vc é um robo? e onde pegou meu contato?",
        "isso é robo né?? quem passou meu numero pra vcs",
        "to falando com maquina? e onde pegaram meu zap",
    ],
)
async def test_a_bot_question_and_a_number_question_get_both(silvia: Silvia, text: str) -> None:
    await silvia.leads.upsert_lead(MARIA)
    await silvia.say(MARIA.phone, "oi")
    result = await silvia.say(MARIA.phone, text)
    ids = templates(result)
    assert result.stage == Stage.GREETED
    assert any(t.startswith("kb.is_bot.") for t in ids), ids
    assert any(t.startswith(("privacy.how_we_got_your_number", "kb.how_got_number.")) for t in ids), ids


@pytest.mark.parametrize(
    ("text", "city"),
    [
        ("oi moro em recife, como vcs conseguiram meu numero?", "Recife"),
        ("boa tarde sou de fortaleza, quem te deu meu contato?", "Fortaleza"),
        ("aqui é de natal rn... de onde vcs tiraram meu numero", "Natal"),
    ],
)
async def test_a_first_message_with_a_town_and_how_we_got_the_number(
    silvia: Silvia, text: str, city: str
) -> None:
    result = await silvia.say(FIRST_NUMBER, text)
    ids = templates(result)
    assert result.stage == Stage.GREETED  # never an opt-out: "tiraram meu número" asks where from
    assert any(t.startswith(("privacy.how_we_got_your_number", "kb.how_got_number.")) for t in ids), ids
    assert "valor médio" in " ".join(result.texts)  # the town is taken: only the bill is asked
    assert (await silvia.state(FIRST_NUMBER))["profile"]["city"] == city


async def test_a_number_question_alone_is_still_not_pitched(silvia: Silvia) -> None:
    result = await silvia.say(FIRST_NUMBER, "quem te deu meu numero??? nunca pedi nada")
    assert templates(result) == ["privacy.how_we_got_your_number"]
    assert result.stage == Stage.NEW


@pytest.mark.parametrize(
    ("text", "plan", "topic"),
    [
        ("vou de plus. tem multa se cancelar?", "plus", "cancellation"),
        ("quero o premium e se eu me mudar?", "premium", "moving_house"),
        ("fechado, essencial. e quando comeca o desconto", "essencial", "discount_start"),
    ],
)
async def test_a_plan_chosen_beside_a_question_is_taken_and_the_question_answered(
    silvia: Silvia, text: str, plan: str, topic: str
) -> None:
    await silvia.leads.upsert_lead(JOSEFA)
    await silvia.say(JOSEFA.phone, "oi")
    await silvia.say(JOSEFA.phone, "sim")
    result = await silvia.say(JOSEFA.phone, text)
    ids = templates(result)
    assert result.stage == Stage.DOCUMENT_REQUESTED, ids
    assert (await silvia.state(JOSEFA.phone))["selected_plan"]["id"] == plan
    answer = next(i for i, t in enumerate(ids) if t.startswith((f"kb.{topic}.", f"faq.{KB[topic].faq}.")))
    assert answer < ids.index("document_request")  # the answer first, then the bill is asked


@pytest.mark.parametrize(
    "text",
    [
        "qual a diferença do plus pro premium? acho que vou no plus",
        "vou pensar. tem multa?",
        "o plus ou o premium?",
    ],
)
def test_no_plan_is_taken_from_a_comparison_or_a_maybe(matcher: TopicMatcher, text: str) -> None:
    assert all(a.kind != "plan_choice" for a in read_message(text, matcher).acts)


@pytest.mark.parametrize(
    "text",
    [
        "vcs atendem em olinda?",
        "queria saber se vcs atendem em salvador",
        "moro em manaus, vcs atendem aqui?",
        "e a casa da minha irmã em maceió, dá pra colocar tambem?",
        "da pra contratar em fortaleza?",
    ],
)
def test_a_place_question_alone_gets_no_second_topic(matcher: TopicMatcher, text: str) -> None:
    questions = [a for a in read_message(text, matcher).acts if a.kind == "question"]
    assert [(a.topic, a.about) for a in questions] == [("coverage", "place")]


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("vcs atendem apartamento em recife?", "apartment"),
        ("vcs atendem zona rural em garanhuns?", "rural"),
        ("vcs atendem empresa em caruaru?", "company"),
    ],
)
def test_what_the_place_is_read_beside_the_place(matcher: TopicMatcher, text: str, topic: str) -> None:
    questions = [a.topic for a in read_message(text, matcher).acts if a.kind == "question"]
    assert questions == ["coverage", topic]


@pytest.mark.parametrize(
    "text",
    ["ah é, fui eu mesma rs. entao manda os planos ai", "kkkk verdade rs, pode mostrar os planos"],
)
async def test_a_laugh_is_no_state(silvia: Silvia, text: str) -> None:
    """'rs' (risos) beside the act of the message never moves a Recife lead to Rio Grande do Sul."""
    await silvia.leads.upsert_lead(MARIA)
    await silvia.say(MARIA.phone, "oi")
    result = await silvia.say(MARIA.phone, text)
    profile = (await silvia.state(MARIA.phone))["profile"]
    assert (profile["city"], profile["state"]) == ("Recife", "PE")
    assert result.stage == Stage.PLANS_PRESENTED


def test_rs_is_still_the_state_where_a_place_is_said() -> None:
    assert extract_entities("moro em pelotas rs").get("state") == "RS"
    assert extract_entities("rs").get("state") == "RS"
    assert "state" not in extract_entities("nossa que caro rs")


@pytest.mark.parametrize(
    ("text", "city", "amount"),
    [
        ("vc é robô? moro em recife pago uns 400", "Recife", 400.0),
        ("isso aqui é automatico? minha conta ta uns 600 aqui em olinda", "Olinda", 600.0),
        ("to falando com maquina ne, sou de caruaru e pago 380", "Caruaru", 380.0),
    ],
)
async def test_a_bot_question_beside_the_leads_data_gets_the_estimate_too(
    silvia: Silvia, text: str, city: str, amount: float
) -> None:
    result = await cold(silvia, 205, text)
    ids = templates(result)
    assert "estimate" in ids and any(t.startswith("kb.is_bot.") for t in ids), ids
    profile = (await silvia.state("+5581999900205"))["profile"]
    assert (profile["city"], profile["bill_amount"]) == (city, amount)
