"""/metrics over HTTP after real turns, LLM usage from turn metadata, and the JSON logs."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from agent.ports import TurnRecord
from ops import metrics
from ops.logs import JsonFormatter, hash_phone, scrub, turn_trace
from ops.observe import MeteredLeadStore
from tests.conftest import clear_backend_env, make_settings
from tests.webhook_kit import API_KEY, SERVICE_ENV, SilviaThread
from wiring import Silvia

ANA, BETO = "+5581966665555", "+5571955554444"


def scrape(client: httpx.Client) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = client.get("/metrics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(response.text)
        for s in family.samples
    }


def value(samples: dict, name: str, **labels: str) -> float:  # type: ignore[type-arg]
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


@pytest.fixture
def service(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[httpx.Client]:
    clear_backend_env(monkeypatch)
    with (
        # Gauges read at every scrape here: these tests compare scrapes a moment apart.
        SilviaThread(make_settings(tmp_path, **SERVICE_ENV, SILVIA_METRICS_REFRESH="0")) as server,
        httpx.Client(base_url=server.url, timeout=30, headers={"X-API-Key": API_KEY}) as client,
    ):
        yield client


def test_metrics_need_their_token_in_a_deployment_and_storage_is_read_once_per_interval(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clear_backend_env(monkeypatch)
    env = {**SERVICE_ENV, "WHATSAPP_BACKEND": "cloud", "WHATSAPP_API_URL": "http://127.0.0.1:9"}
    env |= {"WHATSAPP_API_TOKEN": "t", "WHATSAPP_PHONE_NUMBER_ID": "1"}
    with SilviaThread(make_settings(tmp_path, **env)) as server, httpx.Client(base_url=server.url) as client:
        refused = client.get("/metrics")
        assert refused.status_code == 403 and "SILVIA_METRICS_TOKEN" in refused.json()["detail"]
    env["SILVIA_METRICS_TOKEN"] = "prom-token"
    with SilviaThread(make_settings(tmp_path, **env)) as server, httpx.Client(base_url=server.url) as client:
        assert client.get("/metrics").status_code == 401
        assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
        bearer = {"Authorization": "Bearer prom-token"}
        first = client.get("/metrics", headers=bearer).text
        assert 'silvia_inbox_entries{state="pending"} 0.0' in first
        inbox = server.server.config.app.state.services.inbox  # type: ignore[attr-defined]
        asyncio.run(inbox.put("wamid.m1", ANA, "whatsapp", {"message": {"id": "wamid.m1", "type": "audio"}}))
        # Within SILVIA_METRICS_REFRESH (15 s) a scrape is served from the gauges as they were:
        # however many scrapers, storage is read once per interval.
        assert client.get("/metrics", headers=bearer).text.count("silvia_inbox_entries{") == 4
        assert 'silvia_inbox_entries{state="pending"} 0.0' in client.get("/metrics", headers=bearer).text


def test_metrics_count_real_turns(service: httpx.Client) -> None:
    before = scrape(service)
    for phone, message in (
        (ANA, "oi"),
        (ANA, "moro em Recife PE, conta de 380 reais"),
        (ANA, "sim"),
        (BETO, "oi"),
        (BETO, "PARAR"),
    ):
        assert (
            service.post("/v1/chat", json={"phone": phone, "message": message, "name": "Ana"}).status_code
            == 200
        )
    after = scrape(service)

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert delta("silvia_turns_total", stage="greeted", intent="greeting", layer="L3") == 2
    assert delta("silvia_turns_total", stage="opted_out", intent="opt_out", layer="L3") == 1
    assert delta("silvia_opt_outs_total") == 1
    assert delta("silvia_turns_total", stage="plans_presented", intent="affirm", layer="L3") == 1
    assert delta("silvia_turn_duration_seconds_count", layer="L3") == 5
    assert delta("silvia_end_to_end_latency_seconds_count") == 5
    sends = sum(
        delta("silvia_mcp_calls_total", server="whatsapp", tool=t)
        for t in ("sendTextMessage", "sendInteractiveButtons")
    )
    assert (
        sends >= 5
        and delta("silvia_mcp_errors_total", server="whatsapp", tool="sendTextMessage", kind="tool_error")
        == 0
    )
    assert delta("silvia_mcp_calls_total", server="serena", tool="obter_planos_gd") >= 1
    assert delta("silvia_mcp_call_duration_seconds_count", server="serena", tool="obter_planos_gd") >= 1
    assert value(after, "silvia_funnel_leads", stage="plans_presented") == 1
    assert value(after, "silvia_funnel_leads", stage="opted_out") == 1
    assert value(after, "silvia_funnel_reached_leads", stage="greeted") == 2
    assert value(after, "silvia_funnel_reached_leads", stage="plans_presented") == 1
    assert value(after, "silvia_inbox_depth") == 0 and ("silvia_inbox_oldest_entry_age_seconds", ()) in after
    assert value(after, "silvia_paused_leads") == 0
    # Prometheus conventions: a prefix, base units, _total on counters.
    families = {f.name: f.type for f in text_string_to_metric_families(service.get("/metrics").text)}
    assert families["silvia_turns"] == "counter" and families["silvia_turn_duration_seconds"] == "histogram"
    assert all(name.startswith("silvia_") for name in families)


class _Sink:
    def __init__(self) -> None:
        self.turns: list[TurnRecord] = []

    async def record_turn(self, turn: TurnRecord) -> None:
        self.turns.append(turn)

    async def get_lead(self, phone: str) -> None:
        return None


async def test_llm_calls_tokens_and_cost_come_from_the_turn_record() -> None:
    store = MeteredLeadStore(_Sink())
    calls = [
        {"model": "gpt-4o-mini", "tokens_in": 1200, "tokens_out": 300, "purpose": "understand"},
        {"model": "gpt-4o-mini", "tokens_in": 800, "tokens_out": 100, "purpose": "compose"},
    ]
    calls_before = metrics.LLM_CALLS.labels("gpt-4o-mini")._value.get()
    tokens_before = metrics.LLM_TOKENS.labels("gpt-4o-mini", "input")._value.get()
    cost_before = metrics.LLM_COST.labels("gpt-4o-mini")._value.get()
    followups_before = metrics.FOLLOWUPS.labels("value_reinforcement")._value.get()
    await store.record_turn(
        TurnRecord(
            phone=ANA, interaction_type="followup", message_sent="Oi Ana!", response_time_ms=900, layer="L4",
            prompt_version="v2.0_casual", stage="greeted", at=datetime.now(UTC),
            metadata={"llm_calls": calls, "followup_kind": "value_reinforcement"},
        )
    )  # fmt: skip
    assert metrics.LLM_CALLS.labels("gpt-4o-mini")._value.get() - calls_before == 2
    assert metrics.LLM_TOKENS.labels("gpt-4o-mini", "input")._value.get() - tokens_before == 2000
    cost = metrics.LLM_COST.labels("gpt-4o-mini")._value.get() - cost_before
    assert cost == pytest.approx((2000 * 0.15 + 400 * 0.60) / 1_000_000)
    assert metrics.FOLLOWUPS.labels("value_reinforcement")._value.get() - followups_before == 1
    assert await store.get_lead(ANA) is None  # everything else is delegated


def test_logs_are_json_with_trace_id_and_never_a_phone_or_cpf() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("tests.ops.logs")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        with turn_trace(ANA) as trace_id:
            logger.info(
                "lead %s sent CPF 123.456.789-09", ANA, extra={"details": {"cpf": "12345678909", "to": ANA}}
            )
        logger.info("outside a turn")
    finally:
        logger.removeHandler(handler)
    inside, outside = (json.loads(line) for line in stream.getvalue().splitlines())
    assert inside["trace_id"] == trace_id and inside["lead"] == hash_phone(ANA)
    text = json.dumps(inside)
    assert "966665555" not in text and "123.456.789" not in text and "12345678909" not in text
    assert hash_phone(ANA) in inside["msg"] and "[cpf]" in inside["msg"]
    assert "trace_id" not in outside
    assert scrub("ligue 81 96666-5555 ou +55 (81) 96666-5555").count("lead_") >= 1


def test_a_trace_id_made_of_digits_is_kept_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    """A random hex trace id can start with 11 digits, the shape of a CPF: it must not be scrubbed."""
    import uuid

    monkeypatch.setattr(uuid, "uuid4", lambda: uuid.UUID("96774914222c45e4" + "0" * 16))
    with turn_trace(ANA) as trace_id:
        record = logging.getLogger("tests.ops.logs").makeRecord("t", logging.INFO, "f", 1, "m", None, None)
    entry = json.loads(JsonFormatter().format(record))
    assert trace_id == "96774914222c45e4" and entry["trace_id"] == trace_id


async def test_every_turn_logs_its_trace(silvia: Silvia, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="silvia.turn"):
        await silvia.say(ANA, "oi", name="Ana")
    done = [r for r in caplog.records if r.name == "silvia.turn"]
    assert len(done) == 1
    entry = json.loads(JsonFormatter().format(done[0]))
    assert len(entry["trace_id"]) == 16 and entry["lead"] == hash_phone(ANA) and entry["elapsed_ms"] >= 0
