"""The webhook service end to end over HTTP: signed Meta payloads in, Graph API calls out.

The app runs under uvicorn on a free port (a thread of this process); outbound messages go
through the real Cloud API backend to a local Graph API peer (`tests/graph_api_fake.py`).
"""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from demo.bill_specs import random_bill_spec
from demo.sample_bills import render_bill_pdf
from tests.conftest import clear_backend_env, make_settings
from tests.graph_api_fake import GraphApiFake
from tests.webhook_kit import (
    API_KEY,
    SERVICE_ENV,
    VERIFY_TOKEN,
    SilviaThread,
    button_reply,
    document,
    post,
    query,
    signed,
    text,
    wait_for,
    webhook,
)

CARLA = "+5581977776666"
BRUNO = "+5581966665555"


@pytest.fixture
def service(tmp_path: Path, graph: GraphApiFake, monkeypatch: pytest.MonkeyPatch) -> Iterator[httpx.Client]:
    clear_backend_env(monkeypatch)
    settings = make_settings(tmp_path, **SERVICE_ENV, **graph.env(), SILVIA_MAX_WEBHOOK_BYTES="65536")
    with SilviaThread(settings) as server, httpx.Client(base_url=server.url, timeout=30) as client:
        yield client


def stage_of(data_dir: Path, phone: str) -> str | None:
    rows = query(data_dir, "SELECT lead_stage FROM lead_status WHERE lead_id = ?", phone)
    return rows[0][0] if rows else None


def received(data_dir: Path, phone: str) -> list[str]:
    sql = "SELECT message_received FROM lead_interactions WHERE lead_id = ? ORDER BY id"
    return [r[0] for r in query(data_dir, sql, phone)]


# --- Meta's verification and the signature ----------------------------------------------------


def test_verification_echoes_the_challenge_only_for_the_right_token(service: httpx.Client) -> None:
    ok = service.get(
        "/webhook/whatsapp",
        params={"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444"},
    )
    assert ok.status_code == 200 and ok.text == "1158201444"
    for params in (
        {"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "x"},
        {"hub.mode": "unsubscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "x"},
        {},
    ):
        assert service.get("/webhook/whatsapp", params=params).status_code == 403


def test_bad_signatures_are_refused_and_nothing_is_stored(
    service: httpx.Client, graph: GraphApiFake, tmp_path: Path
) -> None:
    payload = webhook([text(CARLA, "wamid.sig1", "oi")])
    body, headers = signed(payload)
    missing = service.post("/webhook/whatsapp", content=body, headers={"Content-Type": "application/json"})
    assert missing.status_code == 401 and "X-Hub-Signature-256" in missing.json()["detail"]
    _, forged = signed(payload, secret="not-the-secret")
    assert service.post("/webhook/whatsapp", content=body, headers=forged).status_code == 401
    tampered = body.replace(b"oi", b"PARAR")
    assert service.post("/webhook/whatsapp", content=tampered, headers=headers).status_code == 401
    assert query(tmp_path, "SELECT count(*) FROM inbox_messages") == [(0,)]
    assert graph.delivered() == []


# --- whole conversation -----------------------------------------------------------------------


def test_a_whole_conversation_over_the_cloud_api(
    service: httpx.Client, graph: GraphApiFake, tmp_path: Path
) -> None:
    answer = post(service, webhook([text(CARLA, "wamid.c1", "oi")], name="Carla Souza"))
    assert answer.status_code == 200 and answer.json()["received"] == 1
    wait_for(lambda: graph.texts(CARLA), what="the greeting")
    greeting = graph.delivered(CARLA)[0]
    assert greeting["messaging_product"] == "whatsapp" and greeting["to"] == "5581977776666"
    assert greeting["type"] == "text" and "Carla" in greeting["text"]["body"]
    wait_for(
        lambda: [r for r in graph.calls("read") if r["body"]["message_id"] == "wamid.c1"], what="read receipt"
    )

    post(service, webhook([text(CARLA, "wamid.c2", "moro em Recife PE e minha conta vem uns 380 reais")]))
    wait_for(lambda: len(graph.texts(CARLA)) == 2, what="the estimate")
    assert "380,00" in graph.texts(CARLA)[1]

    post(service, webhook([text(CARLA, "wamid.c3", "sim")]))
    plans = wait_for(lambda: [m for m in graph.delivered(CARLA) if m["type"] == "interactive"], what="plans")[
        0
    ]
    buttons = plans["interactive"]["action"]["buttons"]
    assert plans["interactive"]["type"] == "button"
    assert [b["reply"]["id"] for b in buttons] == ["plan:essencial", "plan:plus", "plan:premium"]

    post(service, webhook([button_reply(CARLA, "wamid.c4", "plan:plus", "Plano Plus")]))
    wait_for(lambda: stage_of(tmp_path, CARLA) == "document_requested", what="the document request")
    assert "Plano Plus" in graph.texts(CARLA)[-1]

    spec = random_bill_spec(
        random.Random(5), distributor="Neoenergia Pernambuco", customer_name="Carla Souza",
        city="Recife", total_amount=412.37, consumer_class="residencial",
    )  # fmt: skip
    graph.add_media("1479523422800001", render_bill_pdf(spec), "application/pdf")
    post(service, webhook([document(CARLA, "wamid.c5", "1479523422800001")]))
    wait_for(lambda: stage_of(tmp_path, CARLA) == "handed_off", what="the hand-off", timeout=30)
    assert any("412,37" in t for t in graph.texts(CARLA))
    assert graph.calls("media_info")[0]["media_id"] == "1479523422800001"
    assert received(tmp_path, CARLA)[:4] == [
        "oi", "moro em Recife PE e minha conta vem uns 380 reais", "sim", "Plano Plus",
    ]  # fmt: skip
    by_status = "SELECT status, count(*) FROM inbox_messages GROUP BY status"
    wait_for(lambda: query(tmp_path, by_status) == [("done", 5)], what="every entry done")


# --- exactly once, in order ---------------------------------------------------------------------


def test_duplicate_webhooks_are_acknowledged_and_answered_once(
    service: httpx.Client, graph: GraphApiFake, tmp_path: Path
) -> None:
    payload = webhook([text(BRUNO, "wamid.dup1", "oi")], name="Bruno")
    answers: list[httpx.Response] = []

    def send() -> None:
        answers.append(post(service, payload))

    threads = [threading.Thread(target=send) for _ in range(5)]  # Meta retrying, concurrently
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(a.status_code == 200 for a in answers)
    assert sum(a.json()["received"] for a in answers) == 1
    assert sum(a.json()["duplicates"] for a in answers) == 4
    wait_for(lambda: graph.texts(BRUNO), what="the answer")
    again = post(service, payload)  # a late retry, after the turn
    assert again.json() == {"received": 0, "duplicates": 1, "ignored": 0, "statuses": 0}
    wait_for(lambda: query(tmp_path, "SELECT status FROM inbox_messages") == [("done",)], what="done")
    assert len(graph.texts(BRUNO)) == 1 and received(tmp_path, BRUNO) == ["oi"]


def test_a_burst_is_answered_in_order_while_other_leads_proceed(
    service: httpx.Client, graph: GraphApiFake, tmp_path: Path
) -> None:
    graph.delay_for["5581977776666"] = 0.3  # Carla's answers are slow to send
    burst = ["oi", "moro em Recife PE", "minha conta vem uns 380 reais", "sim", "quanto custa?"]
    for n, message in enumerate(burst):
        post(service, webhook([text(CARLA, f"wamid.b{n}", message)], name="Carla"))
    post(service, webhook([text(BRUNO, "wamid.other", "oi")], name="Bruno"))
    wait_for(lambda: graph.texts(BRUNO), what="Bruno's answer")
    assert len(received(tmp_path, CARLA)) < len(burst)  # Bruno did not wait for Carla's burst
    wait_for(lambda: len(received(tmp_path, CARLA)) == len(burst), timeout=40, what="the whole burst")
    assert received(tmp_path, CARLA) == burst
    sends = [r for r in graph.calls("message") if r["body"]["to"] == "5581977776666"]
    assert len(sends) >= len(burst)


# --- bad input ----------------------------------------------------------------------------------


def test_bad_input_gets_a_reason_and_the_service_keeps_serving(
    service: httpx.Client, graph: GraphApiFake, tmp_path: Path
) -> None:
    malformed = post(service, b'{"object": "whatsapp_business_account", "entry": [')
    assert malformed.status_code == 400 and "malformed JSON" in malformed.json()["detail"]
    body, headers = signed(webhook([text(CARLA, "wamid.x1", "oi")]))
    wrong_type = service.post(
        "/webhook/whatsapp", content=body, headers={**headers, "Content-Type": "text/plain"}
    )
    assert wrong_type.status_code == 415
    huge = webhook([text(CARLA, "wamid.x2", "a" * 70_000)])
    assert post(service, huge).status_code == 413
    missing = post(service, webhook([{"id": "wamid.x3", "type": "text", "text": {"body": "oi"}}]))
    assert missing.status_code == 400 and any("from" in p for p in missing.json()["detail"]["problems"])
    assert post(service, {"object": "whatsapp_business_account"}).status_code == 400
    assert post(service, [1, 2, 3]).status_code == 400  # type: ignore[arg-type]

    video = {"from": "5581977776666", "id": "wamid.x4", "type": "video", "video": {"id": "55"}}
    new_kind = {"from": "5581977776666", "id": "wamid.x5", "type": "hologram", "hologram": {}}
    assert post(service, webhook([video, new_kind], name="Carla")).json()["received"] == 2
    wait_for(lambda: len(graph.texts(CARLA)) == 2, what="two polite answers")
    done = "SELECT count(*) FROM inbox_messages WHERE status = 'done'"
    wait_for(lambda: query(tmp_path, done) == [(2,)], what="both entries done")
    assert service.get("/health").json() == {"status": "ok"}


def test_reactions_are_acknowledged_and_not_answered(service: httpx.Client, graph: GraphApiFake) -> None:
    reaction = {
        "from": "5581977776666", "id": "wamid.r1", "type": "reaction",
        "reaction": {"message_id": "wamid.out.1", "emoji": "👍"},
    }  # fmt: skip
    assert post(service, webhook([reaction])).json()["ignored"] == 1
    assert graph.delivered() == []


# --- the gateway JSON and /v1/chat ----------------------------------------------------------------


def test_gateway_webhook_needs_the_api_key(
    service: httpx.Client, graph: GraphApiFake, tmp_path: Path
) -> None:
    body = {"phone": "5581955554444", "message": "oi", "type": "text", "name": "Duda"}
    assert service.post("/webhook/silvia", json=body).status_code == 401
    assert service.post("/webhook/silvia", json=body, headers={"X-API-Key": "nope"}).status_code == 401
    bad = service.post(
        "/webhook/silvia", json={"phone": "12", "message": "oi"}, headers={"X-API-Key": API_KEY}
    )
    assert bad.status_code == 422 and "phone" in str(bad.json()["detail"])
    ok = service.post("/webhook/silvia", json=body, headers={"X-API-Key": API_KEY})
    assert ok.status_code == 200 and ok.json()["received"] == 1
    wait_for(lambda: graph.texts("+5581955554444"), what="the gateway lead's answer")
    assert "Duda" in graph.texts("+5581955554444")[0]


def test_chat_runs_a_turn_synchronously(service: httpx.Client, graph: GraphApiFake) -> None:
    assert service.post("/v1/chat", json={"phone": CARLA, "message": "oi"}).status_code == 401
    reply = service.post(
        "/v1/chat", json={"phone": CARLA, "message": "oi", "name": "Carla"}, headers={"X-API-Key": API_KEY}
    )
    assert reply.status_code == 200
    data = reply.json()
    assert data["stage"] == "greeted" and data["intent"] == "greeting" and data["response_time_ms"] >= 0
    assert data["replies"][0]["layer"] and data["replies"][0]["prompt_version"]
    assert "Carla" in data["replies"][0]["text"] and graph.texts(CARLA) == [data["replies"][0]["text"]]
    empty = service.post("/v1/chat", json={"phone": CARLA, "message": ""}, headers={"X-API-Key": API_KEY})
    assert empty.status_code == 422
    sandbox = service.get("/sandbox/messages", headers={"X-API-Key": API_KEY})
    assert sandbox.status_code == 404  # the cloud backend is in use


def test_ready_lists_every_dependency_and_docs_are_served(service: httpx.Client) -> None:
    ready = service.get("/ready").json()
    assert ready["ready"] is True
    assert set(ready["dependencies"]) == {"database", "whatsapp_mcp", "serena_mcp", "inbox", "inbox_workers"}
    assert len(ready["workers"]) == 1 and ready["attention"] == []
    assert all(d["ok"] for d in ready["dependencies"].values())
    assert service.get("/docs").status_code == 200
    paths = service.get("/openapi.json").json()["paths"]
    assert {"/webhook/whatsapp", "/webhook/silvia", "/v1/chat", "/health", "/ready"} <= set(paths)
