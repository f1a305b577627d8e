"""The sales dashboard in a real headless Chromium (Debian's), over the running webhook service.

A lead talks to Sílvia through signed Meta webhooks; a specialist opens /dashboard, sees the
funnel, opens the transcript and presses "assumir": the lead's next message is recorded and
gets no automatic answer, until the specialist hands the lead back. A screenshot is kept in
tests/artifacts/.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import clear_backend_env, make_settings
from tests.graph_api_fake import GraphApiFake
from tests.webhook_kit import SERVICE_ENV, SilviaThread, post, query, text, wait_for, webhook

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CARLA, BRUNO = "+5581977776666", "+5585988887777"
USER, PASSWORD, TOKEN = "vendas", "senha-do-painel", "token-do-painel"


def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        if os.environ.get("SILVIA_REQUIRE_SERVICES") == "1":
            pytest.fail("chromium is not installed (apt-get install chromium)")
        pytest.skip("chromium is not installed")
    return path


@pytest.fixture
def service(tmp_path: Path, graph: GraphApiFake, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    clear_backend_env(monkeypatch)
    settings = make_settings(
        tmp_path,
        **SERVICE_ENV,
        **graph.env(),
        SILVIA_DASHBOARD_USER=USER,
        SILVIA_DASHBOARD_PASSWORD=PASSWORD,
        SILVIA_DASHBOARD_TOKEN=TOKEN,
    )
    with SilviaThread(settings) as server:
        yield server.url


def recorded(data_dir: Path, phone: str) -> list[str]:
    rows = query(
        data_dir, "SELECT message_received FROM lead_interactions WHERE lead_id = ? ORDER BY id", phone
    )
    return [r[0] for r in rows]


def talk(
    client: httpx.Client, graph: GraphApiFake, phone: str, message_id: str, body: str, answers: int
) -> None:
    name = "Carla Souza" if phone == CARLA else "Bruno Lima"
    assert post(client, webhook([text(phone, message_id, body)], name=name)).status_code == 200
    wait_for(lambda: len(graph.texts(phone)) >= answers, what=f"answer to {body!r}")


def test_credentials_are_required_and_bad_input_is_refused(service: str) -> None:
    with httpx.Client(base_url=service, timeout=30) as client:
        anonymous = client.get("/dashboard")
        assert anonymous.status_code == 401 and anonymous.headers["www-authenticate"].startswith("Basic")
        assert client.get("/dashboard", auth=(USER, "errada")).status_code == 401
        assert (
            client.get("/dashboard/api/summary", headers={"Authorization": "Bearer nope"}).status_code == 401
        )
        assert client.post(f"/admin/leads/{CARLA}/pause").status_code == 401
        bearer = {"Authorization": f"Bearer {TOKEN}"}
        bad = client.post("/admin/leads/12ab/pause", headers=bearer)
        assert bad.status_code == 400 and "E.164" in bad.json()["detail"]
        assert client.post("/admin/leads/+5511900000000/pause", headers=bearer).status_code == 404
        too_long = client.post(f"/admin/leads/{CARLA}/pause", headers=bearer, json={"reason": "x" * 600})
        assert too_long.status_code == 422
        assert client.get("/dashboard/reports/ontem", headers=bearer).status_code == 400
        # The cloud backend is a deployment: /metrics wants SILVIA_METRICS_TOKEN (test_ops_metrics.py)
        assert client.get("/metrics").status_code == 403


def test_dashboard_funnel_transcript_and_take_over(service: str, graph: GraphApiFake, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    executable = chromium()
    with httpx.Client(base_url=service, timeout=30) as client:
        talk(client, graph, CARLA, "wamid.d1", "oi", 1)
        talk(client, graph, CARLA, "wamid.d2", "moro em Recife PE e minha conta vem uns 380 reais", 2)
        talk(client, graph, BRUNO, "wamid.d3", "oi", 1)
        answered = len(graph.texts(CARLA))

        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=executable, headless=True, args=["--no-sandbox"])
            context = browser.new_context(
                http_credentials={"username": USER, "password": PASSWORD},
                viewport={"width": 1400, "height": 1300},
            )
            page = context.new_page()
            page.goto(f"{service}/dashboard")
            greeted = page.locator('#funnel svg.funnel g.bar[data-label="saudado"]')
            assert greeted.get_attribute("data-value") == "2.0"  # both leads were greeted
            assert page.locator("#funnel g.bar").count() == 9
            assert page.locator("#today .card").first.inner_text().startswith("2")  # two new leads today

            row = page.locator(f'tr[data-phone="{CARLA}"]')
            row.locator("button.open-transcript").click()
            page.wait_for_selector("#transcript .msg.silvia")
            transcript = page.locator("#transcript").inner_text()
            assert "oi" in transcript and "380" in transcript and "Carla" in transcript
            assert "Bruno" not in transcript

            row.locator("button.takeover").click()
            page.wait_for_selector(f'tr[data-phone="{CARLA}"] button.takeover[data-paused="true"]')
            assert row.locator(".paused-badge").is_visible()

            # The lead writes while a specialist has her: recorded, not answered.
            post(
                client, webhook([text(CARLA, "wamid.d4", "prefiro falar com uma pessoa")], name="Carla Souza")
            )
            wait_for(
                lambda: "prefiro falar com uma pessoa" in recorded(tmp_path, CARLA),
                what="the recorded message",
            )
            row.locator("button.open-transcript").click()
            page.wait_for_function(
                "document.querySelector('#transcript').innerText.includes('prefiro falar com uma pessoa')"
            )
            assert "sem resposta automática" in page.locator("#transcript").inner_text()
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)
            assert len(graph.texts(CARLA)) == answered, "Sílvia must stay silent while paused"

            row.locator("button.takeover").click()  # hand back
            page.wait_for_selector(f'tr[data-phone="{CARLA}"] button.takeover[data-paused="false"]')
            browser.close()

        talk(client, graph, CARLA, "wamid.d5", "sim", answered + 1)  # Sílvia answers again
        assert query(tmp_path, "SELECT lead_stage FROM lead_status WHERE lead_id = ?", CARLA)[0][0] != "new"
