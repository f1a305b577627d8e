"""Sílvia with a language model: the real langchain-openai client over HTTP to a scripted local
server. The model answers what no template covers, understands what the rules miss, and the
guard stops every invented number; with the model off or failing, the funnel is unchanged."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from agent.policy.prompt_versions import assign_version, check_weights
from agent.state import Stage
from demo.scripted_llm import HOSTILE_REPLIES, Scripted, ScriptedLLMServer, good_model, hostile_model
from tests.conftest import MARIA
from tests.llm_support import CLEAN_ENV, open_with_model, sdr_logs
from tests.test_conversations import bill_pdf, reach_plans, send_file
from wiring import Silvia

pytest_plugins = ["tests.llm_support"]  # the llm_server / silvia_llm fixtures

ORACLE = {
    "minha conta dá meio milhar": {
        "intent": "provide_info",
        "entities": {"bill_amount": 500},
        "faq_fit": True,
    },
    "uai, e esse trem funciona mesmo?": {"intent": "ask_trust", "entities": {}, "faq_fit": False},
    "minha conta veio alta por causa do ar-condicionado": {
        "intent": "ask_price",
        "entities": {},
        "faq_fit": False,
    },
}
UNKNOWN = "+5571988887777"
# A question neither the FAQ nor the knowledge base answers (prompts/knowledge.yml): the model's.
OUTSIDE_KB = "vocês patrocinam algum time de futebol?"
# (message or "<bill>", ...) scripts; each runs with the model off and on.
SCRIPTS = {
    "maria": (MARIA.phone, ["Oi! Vi o anúncio", "minha conta veio alta por causa do ar-condicionado", "sim",
                            OUTSIDE_KB, "vocês são golpe?",
                            "minha conta veio alta por causa do ar-condicionado", "quero o primeiro",
                            "e se eu mudar de casa?", "<bill>", "obrigada"]),
    "unknown": (UNKNOWN, ["oi", "moro em salvador", "minha conta vem uns 500 reais",
                          "uai, e esse trem funciona mesmo?",
                          "bora", "premium", "hmm sei la", "PARAR", "ok"]),
}  # fmt: skip


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in CLEAN_ENV:
        monkeypatch.delenv(name, raising=False)


async def run_script(silvia: Silvia, name: str) -> list[tuple[str, str, str]]:
    phone, lines = SCRIPTS[name]
    await silvia.leads.upsert_lead(MARIA)
    trail = []
    for line in lines:
        result = await (send_file(silvia, phone, bill_pdf()) if line == "<bill>" else silvia.say(phone, line))
        layers = ",".join(r.get("layer") or "" for r in result.replies)
        trail.append((result.stage, layers, " | ".join(result.texts)))
    return trail


@pytest.mark.parametrize("script", sorted(SCRIPTS))
async def test_whole_conversations_reach_the_same_stages_with_and_without_the_model(
    tmp_path: Path, clock: list[datetime], llm_server: ScriptedLLMServer, script: str
) -> None:
    llm_server.responder = good_model(ORACLE)
    async with await open_with_model(tmp_path / "off", clock, None) as silvia:
        off = await run_script(silvia, script)
    async with await open_with_model(tmp_path / "on", clock, llm_server) as silvia:
        on = await run_script(silvia, script)
    assert [s for s, _, _ in on] == [s for s, _, _ in off]
    assert all("L4" not in layers for _, layers, _ in off)
    assert any("L4" in layers for _, layers, _ in on)  # questions outside the FAQ got a model answer
    assert on[-1][0] in (Stage.HANDED_OFF, Stage.OPTED_OUT)


async def test_question_outside_the_faq_gets_a_guarded_model_answer_recorded_as_l4(
    silvia_llm: Silvia, llm_server: ScriptedLLMServer
) -> None:
    await reach_plans(silvia_llm)
    result = await silvia_llm.say(MARIA.phone, OUTSIDE_KB)
    reply = result.replies[0]
    assert reply["layer"] == "L4" and "Maria" in reply["text"]
    assert reply["text"].rstrip().endswith("qual dos planos você prefere?")  # back to the current step
    system = llm_server.requests[-1]["messages"][0]
    assert system["role"] == "system" and "patrocinam" not in system["content"]
    assert "Plano Essencial" in system["content"]  # grounded on the plans (no FAQ covers this one)
    row = (await silvia_llm.leads.recent_interactions(MARIA.phone, 1))[0]
    assert row["layer"] == "L4" and row["model"] == "scripted-1"
    assert row["tokens_in"] > 0 and row["tokens_out"] > 0
    call = row["metadata"]["llm_calls"][-1]
    assert call["prompt_version"] == "v2.0_casual" and call["latency_ms"] >= 0 and call["ok"]


async def test_faq_question_the_faq_covers_stays_a_template(
    silvia_llm: Silvia, llm_server: ScriptedLLMServer
) -> None:
    await reach_plans(silvia_llm)
    before = len(llm_server.requests)
    result = await silvia_llm.say(MARIA.phone, "como funciona?")
    assert result.replies[0]["layer"] == "L3" and len(llm_server.requests) == before


async def test_missing_entity_is_read_by_the_model(
    tmp_path: Path, clock: list[datetime], llm_server: ScriptedLLMServer
) -> None:
    llm_server.responder = good_model(ORACLE)
    llm_server.json_schema_supported = False  # llama.cpp-like: structured output via function calling
    async with await open_with_model(tmp_path, clock, llm_server) as silvia:
        await silvia.say(UNKNOWN, "oi")
        await silvia.say(UNKNOWN, "moro em salvador")
        result = await silvia.say(UNKNOWN, "minha conta dá meio milhar")
        state = await silvia.state(UNKNOWN)
        assert state["profile"]["bill_amount"] == 500 and result.stage == Stage.GREETED
        assert "500,00" in result.texts[0]  # the estimate uses the amount the model read
        row = (await silvia.leads.recent_interactions(UNKNOWN, 1))[0]
        assert row["metadata"]["understood_by"] == "model"
    assert any(b.get("tools") for b in llm_server.requests)


async def test_hostile_model_is_caught_every_time(silvia_llm: Silvia, llm_server: ScriptedLLMServer) -> None:
    llm_server.responder = hostile_model()
    await reach_plans(silvia_llm)
    for _ in range(len(HOSTILE_REPLIES) // 2):  # two attempts (answer + one regeneration) per turn
        result = await silvia_llm.say(MARIA.phone, OUTSIDE_KB)
        assert result.replies[0]["layer"] != "L4"
        # What Sílvia says with no model (a repeat of it is refused), with a way to a person.
        assert result.replies[0]["template_id"] in ("fallback.question", "knowledge.rephrase")
        assert "especialista" in result.texts[0]
    logs = await sdr_logs(silvia_llm, "guard_violation")
    logged = [log["details"]["text"] for log in logs if log["details"].get("layer") == "L4"]  # the model's
    assert sorted(logged) == sorted(HOSTILE_REPLIES)
    regeneration = llm_server.requests[-1]["messages"][0]["content"]
    assert "CORREÇÃO: Sua resposta anterior foi recusada" in regeneration


@pytest.mark.parametrize(
    ("scripted", "failure"),
    [
        (Scripted(delay=4.0), "timeout"),
        (Scripted(status=429), "rate_limited"),
        (Scripted(status=500), "server_error"),
        (Scripted(raw_body="{oops"), "malformed"),
        (Scripted(text=""), "empty"),
        (Scripted(refusal="I cannot"), "refusal"),
    ],
)
async def test_model_failure_falls_back_to_the_template(
    tmp_path: Path, clock: list[datetime], llm_server: ScriptedLLMServer, scripted: Scripted, failure: str
) -> None:
    async with await open_with_model(tmp_path, clock, llm_server, SILVIA_LLM_TIMEOUT="1.5") as silvia:
        await reach_plans(silvia)
        llm_server.script = [scripted] * 10
        result = await silvia.say(MARIA.phone, OUTSIDE_KB)
        # The reply Sílvia sends with no model, never the model's bare open template.
        assert result.replies[0]["template_id"] == "fallback.question" and "especialista" in result.texts[0]
        assert result.stage == Stage.PLANS_PRESENTED
        logs = await sdr_logs(silvia, "llm_fallback")
        assert logs and logs[-1]["details"]["failure"] == failure


async def test_circuit_breaker_switches_to_template_mode_with_an_alert(
    tmp_path: Path, clock: list[datetime], llm_server: ScriptedLLMServer
) -> None:
    env = {
        "SILVIA_LLM_BREAKER_FAILURES": "2",
        "SILVIA_LLM_BREAKER_COOLDOWN": "600",
        "SILVIA_LLM_TIMEOUT": "1.5",  # generous: a loaded machine must not turn a 400 into a timeout
    }
    async with await open_with_model(tmp_path, clock, llm_server, **env) as silvia:
        await reach_plans(silvia)
        llm_server.script = [Scripted(status=400, error="broken") for _ in range(2)]
        for _ in range(2):
            await silvia.say(MARIA.phone, OUTSIDE_KB)
        alerts = await sdr_logs(silvia, "llm_circuit_open")
        assert len(alerts) == 1 and alerts[0]["level"] == "ERROR"
        calls = len(llm_server.requests)
        result = await silvia.say(MARIA.phone, "e se eu viajar e a casa ficar fechada uns meses?")
        assert result.texts and len(llm_server.requests) == calls  # no-LLM mode during the cool-down
        assert (await sdr_logs(silvia, "llm_fallback"))[-1]["details"]["failure"] == "circuit_open"


async def test_humanising_is_enabled_per_prompt_version(
    tmp_path: Path, clock: list[datetime], llm_server: ScriptedLLMServer
) -> None:
    async with await open_with_model(
        tmp_path / "p", clock, llm_server, SILVIA_PROMPT_VERSION="v2.0_premium"
    ) as s:
        await reach_plans(s)
        thanks = await s.say(MARIA.phone, "obrigada")
        assert (
            thanks.replies[0]["layer"] == "L4"
            and "TEXTO BASE" in llm_server.requests[-1]["messages"][0]["content"]
        )
    async with await open_with_model(
        tmp_path / "c", clock, llm_server, SILVIA_PROMPT_VERSION="v2.0_casual"
    ) as s:
        await reach_plans(s)
        assert (await s.say(MARIA.phone, "obrigada")).replies[0]["layer"] == "L3"


async def test_prompt_versions_are_assigned_by_weight_and_stay_sticky(
    tmp_path: Path, clock: list[datetime]
) -> None:
    weights = {"v2.0_casual": 0.25, "v2.0_premium": 0.75}
    phones = [f"+55819{n:08d}" for n in range(2000)]
    share = sum(assign_version(p, weights, "x") == "v2.0_premium" for p in phones) / len(phones)
    assert 0.70 < share < 0.80
    assert all(assign_version(p, weights, "x") == assign_version(p, weights, "x") for p in phones[:50])
    with pytest.raises(ValueError, match="unknown prompt versions"):
        check_weights({"v9_nope": 1.0}, ["v2.0_casual"])
    async with await open_with_model(tmp_path, clock, None, SILVIA_PROMPT_WEIGHTS="v2.0_premium=1") as silvia:
        await silvia.say(UNKNOWN, "oi")
        assert (await silvia.state(UNKNOWN))["prompt_version"] == "v2.0_premium"
    async with await open_with_model(tmp_path, clock, None, SILVIA_PROMPT_WEIGHTS="v2.0_casual=1") as silvia:
        await silvia.say(UNKNOWN, "moro em recife")
        assert (await silvia.state(UNKNOWN))["prompt_version"] == "v2.0_premium"  # sticky per lead


async def test_a_model_that_reads_a_question_as_a_yes_does_not_skip_the_clarifying_question(
    tmp_path: Path, clock: list[datetime], llm_server: ScriptedLLMServer
) -> None:
    """Seen with the real local model: an unsure question read by the model as "sim", and the
    lead got the plans instead of an answer. (The questions of the first sightings, "meu cpf tá
    negativado, vcs aceitam?" and "to com o nome meio enrolado, da pra fazer?", are now read
    surely as the credit check: see the next test. This one is near several bill topics.)"""
    question = "isso mexe na minha conta como?"
    llm_server.responder = good_model({question: {"intent": "affirm", "entities": {}, "faq_fit": True}})
    async with await open_with_model(tmp_path, clock, llm_server) as silvia:
        await silvia.leads.upsert_lead(MARIA)
        await silvia.say(MARIA.phone, "oi")
        result = await silvia.say(MARIA.phone, question)
        assert result.stage == Stage.GREETED  # no step the lead did not ask for
        assert result.replies[0]["template_id"] == "knowledge.clarify"
        assert llm_server.requests  # the model was asked, and overruled


async def test_a_question_the_rules_read_surely_is_answered_whatever_the_model_says(
    tmp_path: Path, clock: list[datetime], llm_server: ScriptedLLMServer
) -> None:
    question = "meu cpf ta negativado, vcs aceitam?"
    llm_server.responder = good_model({question: {"intent": "affirm", "entities": {}, "faq_fit": True}})
    async with await open_with_model(tmp_path, clock, llm_server) as silvia:
        await silvia.leads.upsert_lead(MARIA)
        await silvia.say(MARIA.phone, "oi")
        result = await silvia.say(MARIA.phone, question)
        assert result.stage == Stage.GREETED
        assert result.replies[0]["template_id"] == "kb.credit_check.generic"
