"""The knowledge base, the reading of a whole message, and both in conversations on the
embedded default (the real embedding model, no network)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import yaml

from agent.inbound import Inbound
from agent.state import Stage
from agent.understanding.knowledge import KnowledgeError, _topic, default_knowledge, load_knowledge
from agent.understanding.matcher import TopicMatcher
from agent.understanding.reading import read_message
from agent.understanding.semantic import Match, build_index, shared_encoder
from tests.conftest import MARIA
from tests.llm_support import sdr_logs
from wiring import Silvia

KB = default_knowledge()


@pytest.fixture(scope="module")
def matcher(tmp_path_factory: pytest.TempPathFactory) -> TopicMatcher:
    return TopicMatcher(KB, shared_encoder, tmp_path_factory.mktemp("embeddings"))


# --- the knowledge base --------------------------------------------------------------------------
def test_knowledge_base_covers_at_least_fifty_topics_with_six_paraphrases() -> None:
    assert len(KB.topics) >= 50
    assert all(len(t.paraphrases) >= 6 for t in KB.topics.values())
    required = {"payment_methods", "one_or_two_bills", "discount_start", "night_rain_clouds", "tariff_flags",
                "serena_closes", "distributor_role", "cancellation", "adhesion_fee", "plans_difference",
                "which_plan", "moving_house", "bill_other_name", "tenant", "several_properties",
                "condominium", "company", "rural", "apartment", "meter", "credit_check", "signing",
                "data_privacy", "scam", "who_is_serena", "is_bot", "how_got_number", "english",
                "spanish", "talk_to_person"}  # fmt: skip
    assert required <= set(KB.topics)


def test_an_answer_cannot_state_a_number_or_an_undeclared_fact() -> None:
    base = {"title": "X", "intent": "ask_price", "paraphrases": ["a", "b", "c", "d", "e", "f"]}
    with pytest.raises(KnowledgeError, match="number"):
        _topic("x", base | {"answers": {"generic": "Custa 30 reais 😊"}})
    with pytest.raises(KnowledgeError, match="declaring"):
        _topic("x", base | {"answers": {"generic": "Mínimo R$ {min_bill_natural} 😊"}})
    with pytest.raises(KnowledgeError, match="paraphrases"):
        _topic("x", base | {"paraphrases": ["a"], "answers": {"generic": "ok 😊"}})


def test_topic_words_are_checked_for_what_each_kind_does(tmp_path: Path) -> None:
    """Required words (anchors) filter: every paraphrase must hold one. Deciding words (keywords)
    name one topic: shared by two topics they would name neither."""
    paraphrases = ["meus dados", "dados seguros", "lgpd", "meus dados vazam", "cpf", "o que fazem"]
    base = {"title": "X", "intent": "ask_price", "answers": {"generic": "ok 😊"}, "paraphrases": paraphrases}
    with pytest.raises(KnowledgeError, match="required topic words"):
        _topic("x", base | {"anchors": ["dados", "lgpd", "cpf"]})
    assert _topic("x", base | {"anchors": ["dados", "lgpd", "cpf", "o que"]}).named_in("o que fazem")
    with pytest.raises(KnowledgeError, match="blank deciding"):
        _topic("x", base | {"keywords": ["chuva", " "]})
    topics = {"a": base | {"keywords": ["Chuva"]}, "b": base | {"keywords": ["chuva"]}}
    shared = {"version": "t", "topics": topics}
    path = tmp_path / "kb.yml"
    path.write_text(yaml.safe_dump(shared, allow_unicode=True), encoding="utf-8")
    with pytest.raises(KnowledgeError, match="more than one topic"):
        load_knowledge(path)


class CountingEncoder:
    def __init__(self) -> None:
        self.calls = 0

    def encode(self, texts: list[str]) -> np.ndarray:
        self.calls += 1
        return np.ones((len(texts), 4), dtype=np.float32)


def test_embeddings_are_cached_on_disk_and_rebuilt_when_the_examples_change(tmp_path: Path) -> None:
    encoder = CountingEncoder()
    examples = [("quanto custa", "price"), ("aceita pix", "payment_methods")]
    build_index(examples, encoder, tmp_path, "kb")
    build_index(examples, encoder, tmp_path, "kb")
    assert encoder.calls == 1
    build_index([*examples, ("tem multa", "cancellation")], encoder, tmp_path, "kb")
    assert encoder.calls == 2
    (next(tmp_path.glob("kb-*.npy"))).write_bytes(b"broken")  # a corrupt cache is rebuilt, not fatal
    build_index(examples, encoder, tmp_path, "kb")


# --- the reading ------------------------------------------------------------------------------------
def test_short_replies_amounts_and_stop_words_stay_on_the_fast_path(matcher: TopicMatcher) -> None:
    for text, intent in (
        ("sim", "affirm"),
        ("Recife 500", "provide_info"),
        ("PARAR", "opt_out"),
        ("oi", "greeting"),
    ):
        reading = read_message(text, matcher)
        assert (reading.intent, reading.layer, reading.explained_by_rules) == (intent, "rules", True)


def test_a_question_is_read_by_meaning_not_by_a_keyword(matcher: TopicMatcher) -> None:
    bot = read_message("vc é um robô?", matcher)
    assert bot.topic == "is_bot"  # read by the sentence's shape (agent/understanding/person.py)
    assert bot.intent != "ask_human"  # the word "robô" is not a request for a person
    pix = read_message("da pra pagar com pix ou cartão?", matcher)
    assert pix.topic == "payment_methods"


def test_data_and_a_question_in_one_message_are_both_read(matcher: TopicMatcher) -> None:
    reading = read_message(
        "moro em Salvador, minha conta vem uns 400 e queria saber se tem multa pra sair", matcher
    )
    kinds = [a.kind for a in reading.acts]
    assert kinds == ["info", "question"]
    assert reading.entities["bill_amount"] == 400.0 and reading.acts[0].about == "lead"
    assert reading.topic == "cancellation"


def test_a_place_asked_about_or_someone_elses_house_is_not_the_lead(matcher: TopicMatcher) -> None:
    asked = read_message("vocês atendem em Caruaru?", matcher)
    assert asked.question is not None and asked.question.about == "place"
    relative = read_message("a casa da minha mãe fica em Natal", matcher)
    assert relative.acts[0].about == "someone_else"


def test_an_emotional_reaction_is_not_a_confident_trust_question(matcher: TopicMatcher) -> None:
    reading = read_message("sério? que pena", matcher)
    assert reading.intent != "ask_trust" and reading.confidence < 0.7


# --- in conversation ---------------------------------------------------------------------------------
async def test_off_script_questions_are_answered_and_the_lead_brought_back(silvia: Silvia) -> None:
    await silvia.leads.upsert_lead(MARIA)
    await silvia.say(MARIA.phone, "oi")
    pix = await silvia.say(MARIA.phone, "vocês aceitam pix?")
    assert pix.replies[0]["template_id"] == "kb.payment_methods.generic"
    assert "especialista" in pix.texts[0] and "opções" in pix.texts[0]  # honest + the nudge back
    await silvia.say(MARIA.phone, "sim")
    await silvia.say(MARIA.phone, "quero o plus")
    leave = await silvia.say(MARIA.phone, "se eu quiser cancelar tem multa?")
    assert leave.replies[0]["template_id"] == "kb.cancellation.with_plan"
    assert "12 meses" in leave.texts[0]  # the chosen plan's loyalty, from the catalog
    assert leave.stage == Stage.DOCUMENT_REQUESTED


async def test_a_first_message_with_data_and_a_question_gets_both(silvia: Silvia) -> None:
    result = await silvia.say(
        "+5571999990002", "oi, moro em Salvador, pago 400 de luz. precisa trocar o medidor?"
    )
    assert result.stage == Stage.GREETED
    assert [r["template_id"] for r in result.replies][-1] == "kb.meter.generic"
    assert "R$ 400,00" in result.texts[0]


class TiedMatcher(TopicMatcher):
    """Two topics neck and neck, whatever the message: the reading must ask, not guess."""

    def match(self, texts: list[str], *, words: bool = True) -> tuple[list[Match], str]:
        return [
            Match("payment_methods", 0.62, "aceita pix"),
            Match("cancellation", 0.60, "tem multa"),
        ], texts[0]


async def test_unsure_topics_get_a_clarifying_question_with_buttons(silvia: Silvia) -> None:
    await silvia.leads.upsert_lead(MARIA)
    await silvia.say(MARIA.phone, "oi")
    silvia.deps = replace(silvia.deps, topics=TiedMatcher(KB, shared_encoder))
    result = await silvia.say(MARIA.phone, "e como fica isso da conta?")
    assert result.replies[0]["template_id"] == "knowledge.clarify"
    assert "*Pagamento*" in result.texts[0] and "*Cancelamento*" in result.texts[0]
    buttons = result.replies[0]["buttons"]
    assert [b["id"] for b in buttons] == [
        "topic:payment_methods",
        "topic:cancellation",
        "topic:talk_to_person",
    ]
    picked = await silvia.handle(
        Inbound(phone=MARIA.phone, kind="interactive", button_id=buttons[1]["id"], text=buttons[1]["title"])
    )
    assert picked.replies[0]["template_id"].startswith("kb.cancellation.")
    assert picked.stage == Stage.GREETED


async def test_an_answer_never_copies_one_of_silvias_last_three_messages(silvia: Silvia) -> None:
    await silvia.leads.upsert_lead(MARIA)
    await silvia.say(MARIA.phone, "oi")
    first = await silvia.say(MARIA.phone, "vocês aceitam pix?")
    await silvia.say(MARIA.phone, "entendi")
    again = await silvia.say(MARIA.phone, "mas aceita pix ou não?")
    assert first.replies[0]["template_id"] == "kb.payment_methods.generic"
    assert again.texts[0] != first.texts[0]
    assert again.replies[0]["template_id"] == "knowledge.rephrase"
    refused = await sdr_logs(silvia, "guard_violation")
    assert refused[-1]["details"]["violations"] == ["repeats_recent_message"]


def test_a_question_outside_the_base_reaches_the_model_with_the_nearest_answers() -> None:
    from agent.llm.compose import nearest_knowledge

    act = {
        "kind": "question",
        "topic": "serena_closes",
        "alternatives": ["power_outage", "price"],
        "confidence": 0.3,
    }
    texts = nearest_knowledge({"reading": {"acts": [act]}})  # type: ignore[typeddict-item]
    assert texts == [KB["serena_closes"].answers["generic"], KB["power_outage"].answers["generic"]]
    assert nearest_knowledge({"reading": {"acts": [{"kind": "yes"}]}}) == []  # type: ignore[typeddict-item]
