"""topic_relevance: a question answered off its topic fails the turn and the gate, without a judge."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from typer.testing import CliRunner

from cli.main import app
from evals.topic_relevance import answered_on_topic, question_topic


def test_the_topic_is_the_expected_question_else_what_silvia_read() -> None:
    assert question_topic("ask_contract", "ask_price") == "ask_contract"  # a misread question
    assert question_topic(None, "ask_price") == "ask_price"
    assert question_topic("provide_info", "ask_price") is None  # not a question after all
    assert question_topic(None, "greeting") is None


def test_an_answer_is_on_topic_by_its_template_or_by_its_words() -> None:
    assert answered_on_topic("ask_contract", ["faq.ask_contract.generic", "nudge"], ["…", "…"])
    assert answered_on_topic("ask_contract", ["faq_repeat"], ["Sobre isso, vale o que te expliquei"])
    assert not answered_on_topic("ask_contract", ["faq.ask_price.with_plans"], ["R$ 57,00/mês"])
    assert answered_on_topic("ask_price", ["plans.list"], ["*Plano Plus* — 15% de desconto"])
    assert answered_on_topic("ask_contract", [], ["O Plano Plus tem fidelidade de 12 meses."])
    assert not answered_on_topic("ask_contract", [], ["Hoje o dia está lindo para uma praia 🏖️"])


def test_only_a_message_that_reads_as_a_question_is_owed_an_answer() -> None:
    assert question_topic("ask_price", "ask_price", "olá, quero economizar na conta de luz") is None
    assert question_topic(None, "ask_how_it_works", "deixa eu pensar") is None
    assert question_topic("ask_price", "ask_price", "quanto custa?") == "ask_price"


def test_the_knowledge_base_topic_read_counts_only_when_it_answers_that_question() -> None:
    # "vc é um robô?" is an ask_trust question the is_bot topic answers
    assert answered_on_topic(
        "ask_trust", ["kb.is_bot.generic"], ["Sou a Sílvia, a assistente virtual"], "is_bot"
    )
    # a reply of another topic than the one read, or a topic of another intent, is not an answer
    assert not answered_on_topic("ask_trust", ["kb.price.generic"], ["Oi!"], "is_bot")
    assert not answered_on_topic("ask_price", ["kb.is_bot.generic"], ["Sou a Sílvia"], "is_bot")
    # a node's reply tagged with the topic read ("quem te deu meu número?")
    assert answered_on_topic(
        "ask_trust", ["privacy.how_we_got_your_number"], ["…"], "how_got_number", ["how_got_number"]
    )
    # "ainda não atendemos sua região" is no answer to "como funciona?"
    not_served = ["Ainda não temos uma data para São Paulo/SP, Ricardo 🙏"]
    assert not answered_on_topic(
        "ask_how_it_works", ["coverage.not_served_question"], not_served, "how_it_works"
    )


RECORDED = {
    "conversations": [
        {
            "id": "multa-answered",
            "lead": {"name": "Ana"},
            "scenario": "A lead asks about a cancellation fee.",
            "expected_outcome": "The answer is about loyalty and cancelling.",
            "turns": [
                {
                    "lead": "e se eu cancelar tem multa?",
                    "recorded": {
                        "replies": ["No Essencial não há fidelidade: cancele quando quiser 😊"],
                        "intent": "ask_contract",
                    },
                    "expect": {"intent": "ask_contract"},
                }
            ],
        },
        {
            "id": "multa-off-topic",
            "lead": {"name": "Ana"},
            "scenario": "The same question, answered about the weather.",
            "expected_outcome": "topic_relevance fails this turn.",
            "turns": [
                {
                    "lead": "e se eu cancelar tem multa?",
                    "recorded": {
                        "replies": ["Ana, hoje o dia está lindo, perfeito para uma praia 🏖️"],
                        "intent": "ask_contract",
                    },
                    "expect": {"intent": "ask_contract"},
                }
            ],
        },
    ]
}


def test_an_off_topic_answer_fails_the_turn_and_the_gate(tmp_path: Path) -> None:
    dataset = tmp_path / "recorded.yaml"
    dataset.write_text(yaml.safe_dump(RECORDED, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "run.json"
    result = CliRunner().invoke(
        app, ["eval", "run", str(dataset), "--recorded", "--out", str(out), "--runs-dir", str(tmp_path / "r")]
    )
    run = json.loads(out.read_text(encoding="utf-8"))
    assert run["kpis"]["topic_relevance"] == 0.5
    by_id = {c["id"]: c["turns"][0] for c in run["conversations"]}
    assert by_id["multa-answered"]["topic_ok"] and by_id["multa-answered"]["passed"]
    assert by_id["multa-off-topic"]["topic_ok"] is False and not by_id["multa-off-topic"]["passed"]
    gate = next(g for g in run["gates"] if g["kpi"] == "topic_relevance")
    assert gate["passed"] is False and result.exit_code == 1
    assert "question about ask_contract not answered on topic" in result.output
