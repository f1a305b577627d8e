"""Follow-ups and bursts on the real services: two scheduler processes on one Redis, Meta's
template wire format on the local Graph API peer, and a burst through the webhook service."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest

from agent.state import Stage
from api.followups import FollowupRunner
from storage.followups import FollowupStore
from storage.locks import InProcessDeduplicator, InProcessLeadLocks
from tests.backends import drop_prefix, redis_prefix
from tests.conftest import MARIA, make_settings, require_service
from tests.graph_api_fake import GraphApiFake
from tests.webhook_kit import SERVICE_ENV, SilviaThread, post, query, text, wait_for, webhook
from wiring import open_silvia

RECIFE = ZoneInfo("America/Recife")
ROOT = Path(__file__).resolve().parent.parent
NAMED_FIRST_NAME = {"type": "text", "parameter_name": "first_name", "text": "Maria"}
SERVICE_VARS = (
    "DATABASE_URL",
    "SUPABASE_CONNECTION_STRING",
    "REDIS_URL",
    "WHATSAPP_MCP_URL",
    "SERENA_MCP_URL",
)


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in SERVICE_VARS:
        monkeypatch.delenv(name, raising=False)


async def test_two_scheduler_processes_on_one_redis_send_once(tmp_path: Path) -> None:
    url = require_service("TEST_REDIS_URL")
    prefix = redis_prefix("followups")
    env = {"REDIS_URL": url, "SILVIA_REDIS_PREFIX": prefix}
    clock = [datetime(2026, 11, 24, 10, 0, tzinfo=RECIFE)]
    try:
        async with open_silvia(make_settings(tmp_path, **env), clock=lambda: clock[0]) as silvia:
            await silvia.leads.upsert_lead(MARIA)
            await silvia.say(MARIA.phone, "oi")
            assert (await silvia.say(MARIA.phone, "sim")).stage == Stage.PLANS_PRESENTED
        child_env = {**os.environ, **env, "SILVIA_DATA_DIR": str(tmp_path)}
        command = [sys.executable, "-m", "cli", "followups", "run", "--now", "2026-11-24T14:00"]
        runs = [
            subprocess.Popen(command, cwd=ROOT, env=child_env, stdout=subprocess.PIPE, text=True)
            for _ in range(2)
        ]
        outputs = [run.communicate(timeout=120)[0] for run in runs]
        assert all(run.returncode == 0 for run in runs), outputs
        senders = [out for out in outputs if "1 sent" in out]
        assert len(senders) == 1 and "gentle_nudge" in senders[0], outputs
        assert any("Another process already ran this pass" in out for out in outputs), outputs
        rows = query(tmp_path, "SELECT followup_count, last_followup_type FROM lead_status")
        assert rows == [(1, "gentle_nudge")]
    finally:
        drop_prefix(url, prefix)


async def test_templates_reach_the_graph_api_in_metas_format(tmp_path: Path, graph: GraphApiFake) -> None:
    clock = [datetime(2026, 11, 23, 10, 0, tzinfo=RECIFE)]  # Monday
    settings = make_settings(tmp_path, **graph.env())
    async with open_silvia(settings, clock=lambda: clock[0]) as silvia:
        await silvia.leads.upsert_lead(MARIA)
        await silvia.say(MARIA.phone, "oi")
        await silvia.say(MARIA.phone, "sim")
        store, claims, locks = FollowupStore(silvia.sessions), InProcessDeduplicator(), InProcessLeadLocks()
        runner = FollowupRunner(silvia, store, claims, locks, settings.timezone)
        clock[0] = datetime(2026, 11, 25, 9, 0, tzinfo=RECIFE)  # 47 h later: the window is closed
        report = await runner.run_pass(clock[0])
    assert [(o.action, o.channel) for o in report.outcomes] == [("sent", "template silvia_gentle_nudge")]
    assert graph.delivered(MARIA.phone)[-1] == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "5581999990001",
        "type": "template",
        "template": {
            "name": "silvia_gentle_nudge",
            "language": {"code": "pt_BR"},
            "components": [{"type": "body", "parameters": [NAMED_FIRST_NAME]}],
        },
    }
    # Earlier answers inside the window were free-form text.
    assert {m["type"] for m in graph.delivered(MARIA.phone)[:-1]} <= {"text", "interactive"}


def test_a_burst_of_three_messages_gets_one_answer(tmp_path: Path, graph: GraphApiFake) -> None:
    env = {**SERVICE_ENV, **graph.env(), "SILVIA_BURST_SECONDS": "1.5"}
    lead = "+5581955554444"
    with SilviaThread(make_settings(tmp_path, **env)) as server, httpx.Client(base_url=server.url) as client:
        for n, message in enumerate(["oi", "quero saber", "quanto custa?"]):
            post(client, webhook([text(lead, f"wamid.burst{n}", message)], name="Paula"))
        wait_for(lambda: graph.texts(lead), what="the answer")
        sql = "SELECT status FROM inbox_messages ORDER BY id"
        wait_for(lambda: query(tmp_path, sql) == [("done",)] * 3, what="all three settled")
    turns = query(tmp_path, "SELECT message_received FROM lead_interactions WHERE lead_id = ?", lead)
    assert turns == [("oi\nquero saber\nquanto custa?",)]
    # One turn answers the whole thought: the greeting and the price question, not three replies.
    answers = graph.texts(lead)
    assert len(answers) <= 2 and "Paula" in answers[0] and "conta de luz" in answers[-1]
