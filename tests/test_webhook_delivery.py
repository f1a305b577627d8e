"""Outbound guarantees of the webhook service: delivery statuses, Cloud API retries and refusals,
and a crash in the middle of a turn (the server process is killed with SIGKILL and restarted)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from demo.bill_specs import random_bill_spec
from demo.sample_bills import render_bill_pdf
from tests.conftest import BACKEND_VARIABLES, clear_backend_env, make_settings
from tests.graph_api_fake import GraphApiFake
from tests.webhook_kit import (
    API_KEY,
    SERVICE_ENV,
    SilviaProcess,
    SilviaThread,
    button_reply,
    document,
    post,
    query,
    status,
    text,
    wait_for,
    webhook,
)

CARLA = "+5581977776666"


@pytest.fixture
def service(tmp_path: Path, graph: GraphApiFake, monkeypatch: pytest.MonkeyPatch) -> Iterator[httpx.Client]:
    clear_backend_env(monkeypatch)
    settings = make_settings(tmp_path, **SERVICE_ENV, **graph.env())
    with SilviaThread(settings) as server, httpx.Client(base_url=server.url, timeout=30) as client:
        yield client


def chat(client: httpx.Client, message: str, phone: str = CARLA) -> dict:
    body = {"phone": phone, "message": message, "name": "Carla"}
    return client.post("/v1/chat", json=body, headers={"X-API-Key": API_KEY}).json()


def logs(data_dir: Path, message: str) -> list[tuple]:
    return query(
        data_dir, "SELECT lead_id, log_level, error_details FROM sdr_logs WHERE message = ?", message
    )


# --- statuses -----------------------------------------------------------------------------------


def test_statuses_are_stored_against_the_outbound_message(
    service: httpx.Client, graph: GraphApiFake, tmp_path: Path
) -> None:
    chat(service, "oi")
    sent_id = graph.calls("message")[0]["message_id"]
    row = "SELECT lead_id, status FROM outbound_messages WHERE message_id = ?"
    assert query(tmp_path, row, sent_id) == [(CARLA, "accepted")]

    for state in ("delivered", "read", "sent"):  # the late "sent" must not move it back
        answer = post(service, webhook(statuses=[status(sent_id, state, CARLA)]))
        assert answer.status_code == 200 and answer.json()["statuses"] == 1
    assert query(tmp_path, row, sent_id) == [(CARLA, "read")]

    error = {"code": 131047, "title": "Re-engagement message"}
    post(service, webhook(statuses=[status("wamid.unknown", "failed", CARLA, [error])]))
    assert query(tmp_path, row, "wamid.unknown") == [(CARLA, "failed")]
    failed = logs(tmp_path, "whatsapp_delivery_failed")
    assert len(failed) == 1 and failed[0][:2] == (CARLA, "ERROR") and "131047" in failed[0][2]


# --- Cloud API failures ---------------------------------------------------------------------------


def test_transient_cloud_failures_are_retried_and_sent_once(
    service: httpx.Client, graph: GraphApiFake, tmp_path: Path
) -> None:
    graph.failures += [(500, None), (429, 130429)]
    reply = chat(service, "oi")
    assert len(graph.calls("message")) == 3  # two failures, then the one that went out
    assert graph.texts(CARLA) == [reply["replies"][0]["text"]]
    ok = query(tmp_path, "SELECT success FROM lead_interactions WHERE lead_id = ?", CARLA)
    assert ok == [(1,)]


def test_a_final_refusal_is_recorded_and_not_retried(
    service: httpx.Client, graph: GraphApiFake, tmp_path: Path
) -> None:
    graph.failures.append((400, 131047))
    reply = chat(service, "oi")
    assert reply["stage"] == "greeted"  # the turn itself completes
    assert len(graph.calls("message")) == 1 and graph.texts(CARLA) == []
    recorded = logs(tmp_path, "whatsapp_cloud_send_text_failed")
    assert len(recorded) == 1 and "131047" in recorded[0][2]
    row = query(tmp_path, "SELECT success, error_message FROM lead_interactions WHERE lead_id = ?", CARLA)
    assert row[0][0] == 0 and "131047" in row[0][1] and "24 h" in row[0][1]
    graph.failures.clear()
    assert chat(service, "oi")["replies"] and len(graph.texts(CARLA)) == 1  # still serving


# --- crash in the middle of a turn --------------------------------------------------------------


def _bill() -> bytes:
    spec = random_bill_spec(
        random.Random(9), distributor="Neoenergia Pernambuco", customer_name="Carla Souza",
        city="Recife", total_amount=412.37, consumer_class="residencial",
    )  # fmt: skip
    return render_bill_pdf(spec)


def test_kill_9_mid_turn_then_restart_answers_the_pending_message_once(
    tmp_path: Path, graph: GraphApiFake
) -> None:
    env = (
        {name: "" for name in BACKEND_VARIABLES}
        | SERVICE_ENV
        | graph.env()
        | {"SILVIA_DATA_DIR": str(tmp_path)}
    )
    first = SilviaProcess(env, tmp_path / "server.log").start()
    try:
        client = httpx.Client(base_url=first.url, timeout=30)
        steps = [
            text(CARLA, "wamid.k1", "oi"),
            text(CARLA, "wamid.k2", "moro em Recife PE e minha conta vem uns 380 reais"),
            text(CARLA, "wamid.k3", "sim"),
            button_reply(CARLA, "wamid.k4", "plan:plus", "Plano Plus"),
        ]
        for n, message in enumerate(steps, start=1):
            assert post(client, webhook([message], name="Carla Souza")).status_code == 200
            wait_for(lambda n=n: len(graph.delivered(CARLA)) >= n, what=f"answer {n}")
        graph.add_media("9001", _bill(), "application/pdf")
        graph.hang_media.add("9001")  # the bill download will never answer...
        assert post(client, webhook([document(CARLA, "wamid.k5", "9001")])).json()["received"] == 1
        assert graph.hanging.wait(20)  # ...so the turn is in the middle of the documents node
        before = len(graph.delivered(CARLA))
        first.kill9()
        client.close()
    finally:
        first.stop()

    graph.hang_media.clear()
    second = SilviaProcess(env, tmp_path / "server.log").start()
    try:
        entry = "SELECT status, attempts FROM inbox_messages WHERE message_id = 'wamid.k5'"
        # A crash is not a failure of the turn: `attempts` (failed turns) stays 0.
        wait_for(lambda: query(tmp_path, entry) == [("done", 0)], timeout=60, what="the pending bill turn")
    finally:
        second.stop()
    after = graph.texts(CARLA)[before:]
    assert after and len(after) == len(set(after))  # the bill turn's answer, once
    assert any("412,37" in t for t in after)
    rows = query(
        tmp_path, "SELECT message_received FROM lead_interactions WHERE lead_id = ? ORDER BY id", CARLA
    )
    assert [r[0] for r in rows].count("[document: conta.pdf]") == 1
    assert query(tmp_path, "SELECT lead_stage FROM lead_status WHERE lead_id = ?", CARLA) == [("handed_off",)]
