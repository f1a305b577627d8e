"""Locust plays Meta: signed WhatsApp webhooks of many leads, bursts, retries and statuses.

Run it through `benchmarks/load_test.py`, which starts `silvia serve` on Redis + PostgreSQL
with a local Graph API peer and prints the figures; or by hand against a running server:

    WHATSAPP_APP_SECRET=… LOAD_LEADS=500 .venv/bin/locust -f benchmarks/locustfile.py \
        --headless -u 20 -r 10 -t 30s --host http://127.0.0.1:8000

Each simulated Meta sender picks a lead at random and sends the lead's next message of a
short conversation (greeting, city and bill, "sim", questions). Mixed in, as Meta does:
bursts (three messages of one lead a few milliseconds apart), re-deliveries of a webhook
already sent (same message id: must be acknowledged and not answered twice) and delivery
statuses of outbound messages. Every request must be acknowledged with 200.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import sys
import threading
import time
from pathlib import Path
from typing import Any

from locust import FastHttpUser, between, task

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # locust loads this file by path

from api.signature import sign
from benchmarks.load_script import LEAD_SCRIPT

SECRET = os.environ.get("WHATSAPP_APP_SECRET", "test-app-secret")
LEADS = int(os.environ.get("LOAD_LEADS", "500"))
RUN = os.environ.get("LOAD_RUN", hex(int(time.time()))[-6:])  # message ids unique per run

_ids = itertools.count(1)
_turn_of: dict[int, int] = {}
_lock = threading.Lock()


def phone(lead: int) -> str:
    return f"55839{lead:08d}"


def next_message(lead: int) -> tuple[str, str]:
    """(message id, text): the lead's next line, the conversation starting over at its end."""
    with _lock:
        turn = _turn_of.get(lead, 0)
        _turn_of[lead] = turn + 1
        number = next(_ids)
    return f"wamid.load.{RUN}.{number}", LEAD_SCRIPT[turn % len(LEAD_SCRIPT)]


def envelope(value: dict[str, Any]) -> dict[str, Any]:
    value = {"messaging_product": "whatsapp", "metadata": {"phone_number_id": "1098765432"}, **value}
    change = {"field": "messages", "value": value}
    return {"object": "whatsapp_business_account", "entry": [{"id": "WABA1", "changes": [change]}]}


def message_payload(lead: int, message_id: str, body: str) -> dict[str, Any]:
    message = {"from": phone(lead), "id": message_id, "timestamp": str(int(time.time())), "type": "text"}
    message["text"] = {"body": body}
    contact = {"profile": {"name": f"Lead {lead}"}, "wa_id": phone(lead)}
    return envelope({"contacts": [contact], "messages": [message]})


def status_payload(lead: int) -> dict[str, Any]:
    status = {"id": f"wamid.out.{RUN}.{next(_ids)}", "status": "delivered", "recipient_id": phone(lead)}
    return envelope({"statuses": [{**status, "timestamp": str(int(time.time()))}]})


class Meta(FastHttpUser):
    """One of Meta's webhook senders."""

    wait_time = between(0.05, 0.5)

    def _post(self, payload: dict[str, Any], name: str) -> None:
        body = json.dumps(payload).encode()
        headers = {"Content-Type": "application/json", "X-Hub-Signature-256": sign(body, SECRET)}
        with self.client.post(
            "/webhook/whatsapp", data=body, headers=headers, name=name, catch_response=True
        ) as r:
            if r.status_code != 200:
                r.failure(f"HTTP {r.status_code}: {r.text[:200]}")

    @task(10)
    def a_message(self) -> None:
        lead = random.randrange(LEADS)
        self._post(message_payload(lead, *next_message(lead)), "message")

    @task(2)
    def a_burst(self) -> None:
        lead = random.randrange(LEADS)
        for _ in range(3):
            self._post(message_payload(lead, *next_message(lead)), "burst message")

    @task(2)
    def a_redelivery(self) -> None:
        """Meta retries when it did not see our 200 in time: the same webhook, twice."""
        lead = random.randrange(LEADS)
        payload = message_payload(lead, *next_message(lead))
        self._post(payload, "message")
        self._post(payload, "duplicate")

    @task(3)
    def a_status(self) -> None:
        self._post(status_payload(random.randrange(LEADS)), "status")
