"""The KPIs where the team sees them, in Debian's Chromium over the running service.

A lead completes the conversation through signed Meta webhooks (qualified on the total she
types, handed to a specialist), is asked for a rating (a WhatsApp list) and picks 5; the
specialist opens the dashboard, sees the rating on the conversation, records "contrato assinado"
with the button; the KPI table (dashboard and daily report page) shows the satisfaction and the
conversion.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx

from tests.graph_api_fake import GraphApiFake
from tests.test_ops_dashboard import ARTIFACTS, CARLA, PASSWORD, USER, chromium, service, talk
from tests.webhook_kit import post, query, wait_for, webhook

__all__ = ["service"]  # a fixture shared with the dashboard test


def list_reply(phone: str, message_id: str, row_id: str, title: str) -> dict:
    message = {"from": phone.lstrip("+"), "id": message_id, "timestamp": "1764000000", "type": "interactive"}
    message["interactive"] = {"type": "list_reply", "list_reply": {"id": row_id, "title": title}}
    return webhook([message], name="Carla Souza")


def test_a_rating_and_a_signed_contract_show_up(service: str, graph: GraphApiFake, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    executable = chromium()
    with httpx.Client(base_url=service, timeout=30) as client:
        talk(client, graph, CARLA, "wamid.k1", "oi", 1)
        for n, body in enumerate(("moro em recife e pago 400 reais", "sim", "plus"), start=2):
            talk(client, graph, CARLA, f"wamid.k1{n}", body, n)
        before = len(graph.texts(CARLA))
        typed = "não consigo mandar a foto, mas a conta é 400 reais"  # qualified: the survey follows
        talk(client, graph, CARLA, "wamid.k2", typed, before + 2)
        assert "de 1 a 5" in graph.texts(CARLA)[-1]  # the survey, as a list message
        assert post(client, list_reply(CARLA, "wamid.k3", "rating:5", "5 - Excelente")).status_code == 200
        wait_for(lambda: query(tmp_path, "SELECT score FROM lead_ratings")[0][0] == 5, what="the rating")

        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=executable, headless=True, args=["--no-sandbox"])
            context = browser.new_context(
                http_credentials={"username": USER, "password": PASSWORD},
                viewport={"width": 1400, "height": 1600},
            )
            page = context.new_page()
            page.goto(f"{service}/dashboard")
            satisfaction = page.locator('#kpis tr[data-kpi="satisfaction"]')
            assert "5,00" in satisfaction.locator(".value").inner_text()
            assert satisfaction.locator(".n").inner_text() == "1"
            assert page.locator('#kpis svg.trend[data-kpi="conversion_rate"]').count() == 1

            page.locator(f'tr[data-phone="{CARLA}"] button.open-transcript').click()
            page.wait_for_function("document.querySelector('#rating-view').innerText.includes('5/5')")
            page.select_option("#outcome-kind", "lost")
            page.click("#outcome-save")  # a loss without a reason is refused, with the reason shown
            page.wait_for_function("document.querySelector('#outcome-status').innerText.includes('reason')")
            page.select_option("#outcome-kind", "contract_signed")
            page.click("#outcome-save")
            page.wait_for_selector('#outcome-list li[data-outcome="contract_signed"]')
            assert "contrato assinado" in page.locator("#outcome-list").inner_text()

            page.goto(f"{service}/dashboard")
            conversion = page.locator('#kpis tr[data-kpi="conversion_rate"]')
            assert conversion.locator(".value").inner_text().startswith("100,0%")
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "dashboard-kpis.png"), full_page=True)

            today = datetime.now(ZoneInfo("America/Recife")).date().isoformat()
            page.goto(f"{service}/dashboard/reports/{today}")
            assert "5,00" in page.locator('#kpis tr[data-kpi="satisfaction"] .value').inner_text()
            assert page.locator('#kpis tr[data-kpi="conversion_rate"] .day').inner_text() == "100,0%"
            browser.close()

    audit = query(tmp_path, "SELECT error_details FROM sdr_logs WHERE message = 'lead_outcome'")
    assert len(audit) == 1 and '"source": "dashboard"' in audit[0][0] and f'"by": "{USER}"' in audit[0][0]
