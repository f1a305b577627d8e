"""Input that used to become a 5xx (so Meta retried it for days) or an acknowledged entry that
could never be stored: each is now a 400 with the reason, and nothing is stored."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import clear_backend_env, make_settings
from tests.graph_api_fake import GraphApiFake
from tests.webhook_kit import API_KEY, SERVICE_ENV, SilviaThread, document, post, query, text, webhook
from tools.whatsapp_cloud import CloudBackend
from tools.whatsapp_server import MediaNotFoundError

LEAD = "+5581944443333"


@pytest.fixture
def service(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[httpx.Client]:
    clear_backend_env(monkeypatch)
    with (
        SilviaThread(make_settings(tmp_path, **SERVICE_ENV)) as server,
        httpx.Client(base_url=server.url) as client,
    ):
        yield client


def _with(message_changes: dict[str, object]) -> dict[str, object]:
    payload = webhook([text(LEAD, "wamid.bad", "oi")])
    payload["entry"][0]["changes"][0]["value"]["messages"][0].update(message_changes)  # type: ignore[index]
    return payload


def test_unstorable_or_implausible_webhooks_are_refused_with_a_reason(
    service: httpx.Client, tmp_path: Path
) -> None:
    nested: object = "fundo"
    for _ in range(200):
        nested = [nested]
    deep = post(service, webhook([text(LEAD, "wamid.deep", "oi")]) | {"extra": nested})
    assert deep.status_code == 400 and "nested deeper" in deep.text
    very_deep = post(service, b"[" * 100_000 + b"]" * 100_000)
    assert very_deep.status_code in (400, 413)
    surrogate = json.dumps(webhook([text(LEAD, "wamid.sur", "oi")])).replace('"oi"', '"oi \\ud800"').encode()
    lone = post(service, surrogate)
    assert lone.status_code == 400 and "surrogate" in lone.text
    for bad in (
        {"timestamp": "99999999999999999999"},
        {"timestamp": "-5"},
        {"from": "1" * 32},
        {"from": "abc"},
    ):
        refused = post(service, _with(bad))
        assert refused.status_code == 400, (bad, refused.text)
    assert post(service, _with({})).status_code == 200
    assert query(tmp_path, "SELECT message_id FROM inbox_messages") == [("wamid.bad",)]


def test_a_media_id_not_shaped_like_metas_is_refused_before_the_200(
    service: httpx.Client, tmp_path: Path
) -> None:
    for media_id in ("..", "../../me/accounts", "1234?fields=access_token", "", "12 34"):
        payload = webhook([document(LEAD, f"wamid.doc{len(media_id)}", media_id)])
        refused = post(service, payload)
        assert refused.status_code == 400, (media_id, refused.text)
        assert "not a WhatsApp media id" in refused.text
    assert post(service, webhook([document(LEAD, "wamid.doc.ok", "1479523422800001")])).status_code == 200
    assert query(tmp_path, "SELECT message_id FROM inbox_messages") == [("wamid.doc.ok",)]


async def test_the_cloud_backend_checks_a_media_id_before_any_graph_api_call(tmp_path: Path) -> None:
    graph = GraphApiFake().start()
    backend = CloudBackend(
        token=graph.token, phone_number_id=graph.phone_number_id, api_url=graph.base_url, media_dir=tmp_path
    )
    try:
        for media_id in ("..", ".", "media.sandbox.abc", "1/../../me", "9" * 33):
            with pytest.raises(MediaNotFoundError, match="not a WhatsApp media id"):
                await backend.download_media(media_id)
        assert graph.requests == []
        graph.add_media("9001", b"%PDF-1.4 tiny", "application/pdf")
        assert (await backend.download_media("9001")).size == len(b"%PDF-1.4 tiny")
    finally:
        await backend.aclose()
        graph.stop()


def test_a_phone_no_reply_could_reach_is_a_422_on_both_json_routes(
    service: httpx.Client, tmp_path: Path
) -> None:
    """A number starting with 0 has no country code: the WhatsApp tools would refuse every reply."""
    key = {"X-API-Key": API_KEY}
    for phone in ("+0081999990001", "0000000000", "+55 81", "+5581999990001999"):
        chat = service.post("/v1/chat", json={"phone": phone, "message": "oi"}, headers=key)
        gateway = service.post("/webhook/silvia", json={"phone": phone, "message": "oi"}, headers=key)
        for refused in (chat, gateway):
            assert refused.status_code == 422 and "phone" in refused.text, (phone, refused.text)
    assert query(tmp_path, "SELECT count(*) FROM leads") == [(0,)]
    accepted = service.post(
        "/webhook/silvia", json={"phone": "+55 (81) 99999-0001", "message": "oi"}, headers=key
    )
    assert accepted.status_code == 200
