"""Input that used to become a 5xx (so Meta retried it for days) or an acknowledged entry that
could never be stored: each is now a 400 with the reason, and nothing is stored."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import clear_backend_env, make_settings
from tests.webhook_kit import SERVICE_ENV, SilviaThread, post, query, text, webhook

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
