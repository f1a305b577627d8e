"""`silvia doctor`, `silvia intent --llm`, `silvia prompts …` and `silvia report costs`, run as
real processes against a scripted OpenAI-compatible server."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from demo.scripted_llm import Scripted, ScriptedLLMServer, good_model
from tests.conftest import MARIA
from tests.llm_support import CLEAN_ENV, llm_env, open_with_model
from tests.test_cli import run

pytest_plugins = ["tests.llm_support"]  # the llm_server fixture


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in CLEAN_ENV:
        monkeypatch.delenv(name, raising=False)


def test_doctor_shows_model_and_base_url_and_makes_a_call(
    tmp_path: Path, llm_server: ScriptedLLMServer
) -> None:
    llm_server.json_schema_supported = False
    done = run(["doctor"], tmp_path, **llm_env(llm_server))
    assert done.returncode == 0, done.stderr
    assert "scripted-1" in done.stdout and llm_server.base_url in done.stdout
    assert "test call: ok" in done.stdout and "structured output: function_calling" in done.stdout


def test_doctor_fails_loudly_when_the_model_does_not_answer(
    tmp_path: Path, llm_server: ScriptedLLMServer
) -> None:
    llm_server.script = [Scripted(status=401, error="invalid api key")] * 5
    done = run(["doctor"], tmp_path, **llm_env(llm_server))
    assert done.returncode == 1 and "FAILED" in done.stdout


def test_doctor_without_a_key_says_templates_only(tmp_path: Path) -> None:
    done = run(["doctor"], tmp_path, OPENAI_API_KEY="")
    assert done.returncode == 0 and "off" in done.stdout


def test_intent_llm_asks_the_model_only_when_the_rules_are_unsure(
    tmp_path: Path, llm_server: ScriptedLLMServer
) -> None:
    llm_server.script = [Scripted(data={"intent": "ask_trust", "entities": {}, "faq_fit": False})]
    unsure = run(["intent", "--llm", "e esse trem, presta?"], tmp_path, **llm_env(llm_server))
    assert json.loads(unsure.stdout) | {"usage": None} == {
        "intent": "ask_trust", "confidence": 0.75, "entities": {}, "source": "model", "faq_fit": False,
        "usage": None,
    }  # fmt: skip
    sure = run(["intent", "--llm", "quanto custa?"], tmp_path, **llm_env(llm_server))
    assert json.loads(sure.stdout)["source"] == "rules" and len(llm_server.requests) == 1


def test_prompts_list_show_diff(tmp_path: Path) -> None:
    listed = run(["prompts", "list"], tmp_path, SILVIA_PROMPT_WEIGHTS="v2.0_casual=0.5,v2.0_premium=0.5")
    assert "v2.0_premium       weight 0.5" in listed.stdout and "humanised" in listed.stdout
    shown = run(["prompts", "show", "v2.0_premium"], tmp_path)
    assert "## greeting (v2.0_premium)" in shown.stdout and '"humanise": true' in shown.stdout
    diff = run(["prompts", "diff", "v2.0_casual", "v2.0_premium"], tmp_path)
    assert "-Oi{name_greeting}! 😊 Sou a Sílvia da Serena Energia." in diff.stdout
    bad = run(["prompts", "show", "v9"], tmp_path)
    assert bad.returncode != 0 and "unknown version" in bad.stderr


async def test_report_costs_sums_model_tokens_per_day(
    tmp_path: Path, clock: list[datetime], llm_server: ScriptedLLMServer
) -> None:
    llm_server.responder = good_model()
    async with await open_with_model(tmp_path, clock, llm_server) as silvia:
        await silvia.leads.upsert_lead(MARIA)
        for text in (
            "oi",
            "sim",
            "vocês patrocinam algum time de futebol?",
            "uai, e esse trem aí é bão mesmo?",
        ):
            await silvia.say(MARIA.phone, text)
        rows = await silvia.leads.recent_interactions(MARIA.phone, 10)
    expected_in = sum(r["tokens_in"] or 0 for r in rows)
    assert expected_in > 0
    done = run(["report", "costs", "--json", "--days", "3650"], tmp_path)
    report = [json.loads(line) for line in done.stdout.splitlines()]
    # The two off-script turns are unsure: each is read and then answered by the model.
    assert [(r["model"], r["turns"], r["calls"]) for r in report] == [("scripted-1", 2, 4)]
    assert report[0]["tokens_in"] == expected_in and report[0]["day"] == "2026-11-24"
    metrics = run(["prompts", "metrics", "--days", "3650"], tmp_path)
    per_version = [json.loads(line) for line in metrics.stdout.splitlines()]
    assert per_version[0]["version"] == "v2.0_casual" and per_version[0]["l4_share"] == 0.5
