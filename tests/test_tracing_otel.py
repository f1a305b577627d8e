"""OpenTelemetry: one connected trace per lead message, exported over OTLP/HTTP, with no PII.

`silvia serve`'s app factory runs in a child process with OTEL_EXPORTER_OTLP_ENDPOINT pointing
at a local collector stand-in (tests/otlp_collector_fake.py decodes the protobuf the SDK's
exporter POSTs); a signed Meta webhook goes in over HTTP and the reply goes out through the
real Cloud API backend to the local Graph API peer (tests/graph_api_fake.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ops.logs import hash_phone
from ops.tracing import trace_context_of, with_trace_context
from tests.graph_api_fake import GraphApiFake
from tests.otlp_collector_fake import ExportedSpan, OtlpCollectorFake
from tests.webhook_kit import SERVICE_ENV, SilviaProcess, post, text, wait_for, webhook

LEAD = "+5581955554444"
MESSAGE = "oi, sou a Joana, moro em Recife PE e minha conta vem uns 412 reais"
UNSET = ("DATABASE_URL", "SUPABASE_CONNECTION_STRING", "REDIS_URL", "WHATSAPP_MCP_URL", "SERENA_MCP_URL")
SERVER, CLIENT, PRODUCER, CONSUMER = 2, 3, 4, 5  # OTLP SpanKind values


@pytest.fixture
def collector() -> Iterator[OtlpCollectorFake]:
    fake = OtlpCollectorFake().start()
    yield fake
    fake.stop()


def _one(spans: list[ExportedSpan], name: str) -> ExportedSpan:
    found = [s for s in spans if s.name == name]
    assert len(found) == 1, f"{name!r}: {[s.name for s in spans]}"
    return found[0]


def _ancestors(span: ExportedSpan, by_id: dict[str, ExportedSpan]) -> list[str]:
    names = []
    while span.parent_span_id in by_id:
        span = by_id[span.parent_span_id]
        names.append(span.name)
    return names


def test_a_webhook_turn_is_one_trace_down_to_the_graph_api_send(
    tmp_path: Path, graph: GraphApiFake, collector: OtlpCollectorFake
) -> None:
    env = {name: "" for name in UNSET} | SERVICE_ENV | graph.env() | {"SILVIA_DATA_DIR": str(tmp_path)}
    env |= {
        "OTEL_EXPORTER_OTLP_ENDPOINT": collector.endpoint,
        "OTEL_SERVICE_NAME": "silvia-test",
        "OTEL_BSP_SCHEDULE_DELAY": "200",
        "SILVIA_TRACE_MESSAGE_TEXT": "0",
    }
    server = SilviaProcess(env, tmp_path / "server.log").start()
    try:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            answer = post(client, webhook([text(LEAD, "wamid.otel1", MESSAGE)], name="Joana Lima"))
            assert answer.status_code == 200 and answer.json()["received"] == 1
        wait_for(lambda: graph.texts(LEAD), what="the reply")
        wait_for(lambda: any(s.name == "graph_api send_text" for s in collector.all()), what="the send span")
    finally:
        server.stop()  # the lifespan flushes the last batch

    spans = collector.all()
    webhook_span = _one(spans, "POST /webhook/whatsapp")
    trace_spans = [s for s in spans if s.trace_id == webhook_span.trace_id]
    by_id = {s.span_id: s for s in trace_spans}
    enqueue, dequeue = _one(trace_spans, "inbox enqueue"), _one(trace_spans, "inbox dequeue")
    turn, send = _one(trace_spans, "turn"), _one(trace_spans, "graph_api send_text")
    tool_call = _one(trace_spans, "mcp call sendTextMessage")

    # parent/child: request → enqueue → (inbox) → dequeue → turn → MCP call → … → Graph API send
    assert webhook_span.kind == SERVER and webhook_span.parent_span_id == ""
    assert enqueue.parent_span_id == webhook_span.span_id and enqueue.kind == PRODUCER
    assert dequeue.parent_span_id == enqueue.span_id and dequeue.kind == CONSUMER
    assert turn.parent_span_id == dequeue.span_id
    assert "turn" in _ancestors(tool_call, by_id)
    # our call → (the trace context in `_meta`) → the MCP server's span → the HTTP request
    assert _ancestors(send, by_id)[0] == "tools/call sendTextMessage"
    assert "mcp call sendTextMessage" in _ancestors(send, by_id)
    assert send.kind == CLIENT and send.attributes["http.response.status_code"] == 200
    assert webhook_span.attributes["http.response.status_code"] == 200
    assert turn.attributes["silvia.stage"] and int(turn.attributes["silvia.replies"]) >= 1
    assert "silvia.message.text" not in turn.attributes  # SILVIA_TRACE_MESSAGE_TEXT is off

    # the lead is its hash, the same one the logs use; the service name comes from OTEL_SERVICE_NAME
    for span in (enqueue, dequeue, turn):
        assert span.attributes["silvia.lead"] == hash_phone(LEAD)
    assert webhook_span.resource["service.name"] == "silvia-test"

    # no phone number (in any spelling) and no message text anywhere in what was exported
    exported = b"".join(collector.raw_bodies).decode("latin-1")
    digits = re.sub(r"\D", "", LEAD)
    for secret in (digits, digits[2:], digits[-8:], "Joana", "412 reais", "Recife PE"):
        assert secret not in exported, secret
    for reply in graph.texts(LEAD):
        assert reply[:30] not in exported


def test_the_trace_context_survives_the_inbox_payload_and_bad_carriers_are_ignored() -> None:
    # With no provider installed (tracing off) nothing is added: the stored payload is unchanged.
    payload = {"message": {"id": "wamid.x"}}
    assert with_trace_context(payload) == payload
    assert trace_context_of(payload) is None
    for carrier in (
        {"traceparent": "garbage"},
        "00-abc",
        {"traceparent": "00-" + "0" * 32 + "-" + "0" * 16 + "-01"},
    ):
        assert trace_context_of({"_trace": carrier}) is None
    good = {"traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}
    context = trace_context_of({"_trace": good})
    assert context is not None
