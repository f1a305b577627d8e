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
