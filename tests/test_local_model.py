"""The real local model (llama.cpp, scripts/llm_server.sh) behind Sílvia's own client and inside
whole turns. Marked `model`: skipped without TEST_OPENAI_BASE_URL (`.ci/run` starts the server and
sets it).

These assert behaviour a small real model must not break, never its wording: structured output
reaches a method llama.cpp serves and validates; what the model writes only goes out through the
guard (the lead's name, no copy of a recent message, Portuguese), else the template does; a model
slower than the time budget never holds the lead."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import get_args

import pytest
from typer.testing import CliRunner

from agent.llm.client import OpenAIChatModel
from agent.policy.guard import check_model_reply
from agent.replies.drafts import facts_of
from agent.state import Stage
from agent.understanding.llm import IntentName, ModelUnderstanding
from cli.main import app
from settings import get_settings
from tests.conftest import MARIA, make_settings
from tests.llm_support import CLEAN_ENV, sdr_logs
from tests.test_conversations import reach_plans
from wiring import Silvia, open_silvia

pytestmark = pytest.mark.model

# A question neither the FAQ nor the knowledge base answers: the model writes the answer.
OUTSIDE_KB = "vocês patrocinam algum time de futebol?"
GENEROUS_BUDGET = "120"  # a 1.5B model on one shared core: the behaviour, not the speed, is tested


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in CLEAN_ENV:
        monkeypatch.delenv(name, raising=False)


def model_env(base_url: str, budget: str) -> dict[str, str]:
    return {"OPENAI_API_KEY": "not-needed", "OPENAI_BASE_URL": base_url, "OPENAI_MODEL": "local",
            "SILVIA_LLM_TIMEOUT": budget}  # fmt: skip


@pytest.fixture
async def silvia_real(tmp_path: Path, clock: list[datetime], model_base_url: str) -> AsyncIterator[Silvia]:
    settings = make_settings(tmp_path, **model_env(model_base_url, GENEROUS_BUDGET))
    async with open_silvia(settings, clock=lambda: clock[0]) as silvia:
        yield silvia


def test_doctor_reaches_the_local_model(model_base_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in model_env(model_base_url, GENEROUS_BUDGET).items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()  # an earlier test in this process may have cached settings without a model
    result = CliRunner().invoke(app, ["doctor"])
    assert result.exit_code == 0, result.output
    assert "test call: ok" in result.output and "structured output:" in result.output


async def test_structured_reading_falls_back_to_a_method_llama_cpp_serves(model_base_url: str) -> None:
    model = OpenAIChatModel(api_key="not-needed", base_url=model_base_url, model="local", budget_seconds=120)
    system = "Classifique a mensagem de um lead da Serena Energia. Responda só com o JSON pedido."
    result = await model.structured(system, [("user", "quanto custa a assinatura?")], ModelUnderstanding)
    assert result.data["intent"] in get_args(IntentName)  # validated against the schema
    assert result.usage.method in ("function_calling", "json_mode")  # llama.cpp refuses json_schema
    assert "json_schema" not in model.structured_methods  # remembered: not tried on the next call


async def test_model_answers_go_out_only_through_the_guard(silvia_real: Silvia) -> None:
    await reach_plans(silvia_real)
    for question in (OUTSIDE_KB, OUTSIDE_KB):  # asked twice: the second answer must not copy the first
        said_before = [m["text"] for m in (await silvia_real.state(MARIA.phone))["messages"]
                       if m.get("role") == "silvia"][-3:]  # fmt: skip
        result = await silvia_real.say(MARIA.phone, question)
        assert result.stage == Stage.PLANS_PRESENTED and result.texts and all(t.strip() for t in result.texts)
        for reply in result.replies:
            assert " ".join(reply["text"].split()) not in {" ".join(t.split()) for t in said_before}
            if reply.get("layer") == "L4":  # what the model wrote passed every rule of the guard
                assert check_model_reply(reply["text"], facts_of(reply), first_name="Maria") == []
        row = (await silvia_real.leads.recent_interactions(MARIA.phone, 1))[0]
        assert row["metadata"]["llm_calls"], "the question outside the knowledge base reached the model"


async def test_a_model_slower_than_the_budget_never_holds_the_lead(
    tmp_path: Path, clock: list[datetime], model_base_url: str
) -> None:
    settings = make_settings(tmp_path, **model_env(model_base_url, "0.2"))  # no 1.5B answers that fast
    async with open_silvia(settings, clock=lambda: clock[0]) as silvia:
        await reach_plans(silvia)
        result = await silvia.say(MARIA.phone, OUTSIDE_KB)
        assert result.stage == Stage.PLANS_PRESENTED
        assert result.replies[0]["template_id"] == "fallback.question"  # what Sílvia says with no model
        failures = [log["details"]["failure"] for log in await sdr_logs(silvia, "llm_fallback")]
        assert failures and set(failures) == {"timeout"}
