"""`POST /admin/leads/{phone}/outcome` over HTTP: auth, validation, idempotency, audit."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from tests.conftest import clear_backend_env, make_settings
from tests.webhook_kit import API_KEY, SERVICE_ENV, SilviaThread, query

LEAD = "+5581977771234"
TOKEN = "token-do-painel"
BEARER = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def service(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[httpx.Client]:
    clear_backend_env(monkeypatch)
    settings = make_settings(tmp_path, **SERVICE_ENV, SILVIA_DASHBOARD_TOKEN=TOKEN)
    with SilviaThread(settings) as server, httpx.Client(base_url=server.url, timeout=30) as client:
        said = client.post("/v1/chat", headers={"X-API-Key": API_KEY}, json={"phone": LEAD, "message": "oi"})
        assert said.status_code == 200
        yield client


def outcome(
    client: httpx.Client, body: object, phone: str = LEAD, headers: dict | None = None
) -> httpx.Response:
    return client.post(
        f"/admin/leads/{phone}/outcome", json=body, headers=BEARER if headers is None else headers
    )


def test_needs_the_operator_credentials(service: httpx.Client) -> None:
    assert outcome(service, {"outcome": "signed"}, headers={}).status_code == 401
    assert (
        outcome(service, {"outcome": "signed"}, headers={"Authorization": "Bearer nope"}).status_code == 401
    )
    assert outcome(service, {"outcome": "signed"}, headers={"X-API-Key": API_KEY}).status_code == 401


@pytest.mark.parametrize(
    ("phone", "body", "status", "words"),
    [
        ("12ab", {"outcome": "signed"}, 400, "E.164"),
        ("+5511900000000", {"outcome": "signed"}, 404, "No lead"),
        (LEAD, {"outcome": "bought a cow"}, 422, "use one of"),
        (LEAD, {"outcome": "lost"}, 422, "needs a reason"),
        (LEAD, {"outcome": "lost", "reason": "   "}, 422, "needs a reason"),
        (LEAD, {"outcome": "meeting_held", "occurred_at": "2099-01-01T10:00:00-03:00"}, 422, "future"),
        (LEAD, {"outcome": "meeting_held", "occurred_at": "2026-11-24T10:00:00"}, 422, "time zone"),
        (LEAD, {"outcome": "meeting_held", "occurred_at": "ontem"}, 422, "datetime"),
        (LEAD, {"outcome": "signed", "source": "fax"}, 422, "source must be"),
        (LEAD, {"outcome": "signed", "price": 10}, 422, "Extra inputs"),
        (LEAD, {"outcome": "signed", "reason": "x" * 201}, 422, "200"),
        (LEAD, ["signed"], 422, "valid dictionary"),
    ],
)
def test_bad_input_is_refused_with_a_reason_and_nothing_stored(
    service: httpx.Client, tmp_path: Path, phone: str, body: object, status: int, words: str
) -> None:
    response = outcome(service, body, phone=phone)
    assert response.status_code == status, response.text
    assert words in response.text
    assert query(tmp_path, "SELECT count(*) FROM lead_outcomes")[0][0] == 0


def test_signed_is_stored_once_audited_and_contradictions_are_refused(
    service: httpx.Client, tmp_path: Path
) -> None:
    first = outcome(service, {"outcome": "signed", "by": "Ana", "note": "plano Plus"})
    assert first.status_code == 201, first.text
    body = first.json()
    assert body["outcome"] == "contract_signed" and body["created"] is True and body["reported_by"] == "Ana"
    again = outcome(service, {"outcome": "contract_signed", "by": "Ana"})
    assert again.status_code == 200 and again.json()["created"] is False
    assert again.json()["recorded_at"] == body["recorded_at"]

    lost = outcome(service, {"outcome": "lost", "reason": "preço"})
    assert lost.status_code == 409 and "contract_signed" in lost.json()["detail"]["reason"]

    met = outcome(
        service,
        {"outcome": "meeting_held", "occurred_at": (datetime.now(UTC) - timedelta(days=2)).isoformat()},
    )
    assert met.status_code == 201
    assert query(tmp_path, "SELECT count(*) FROM lead_outcomes")[0][0] == 2
    audits = query(tmp_path, "SELECT error_details FROM sdr_logs WHERE message = 'lead_outcome' ORDER BY id")
    assert len(audits) == 2 and '"by": "Ana"' in audits[0][0] and '"source": "api"' in audits[0][0]

    listed = service.get(f"/admin/leads/{LEAD}/outcomes", headers=BEARER).json()["outcomes"]
    assert [o["outcome"] for o in listed] == ["meeting_held", "contract_signed"]  # by when they happened


def test_a_loss_with_another_reason_is_a_conflict_not_an_overwrite(service: httpx.Client) -> None:
    assert outcome(service, {"outcome": "lost", "reason": "preço"}).status_code == 201
    assert outcome(service, {"outcome": "lost", "reason": "preço"}).status_code == 200
    changed = outcome(service, {"outcome": "lost", "reason": "sumiu"})
    assert changed.status_code == 409 and changed.json()["detail"]["stored"]["reason"] == "preço"
    assert outcome(service, {"outcome": "signed"}).status_code == 409
