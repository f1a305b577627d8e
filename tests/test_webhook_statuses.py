"""Delivery receipts (`statuses` webhooks) on PostgreSQL: one transaction per webhook call, all or
nothing, and a redelivered webhook changes nothing (storage/delivery_statuses.py).

The failure is a real one: a trigger in the test's schema makes PostgreSQL refuse one row, so the
webhook's other statuses must not be written either; Meta gets a 503 and sends it again.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest
from sqlalchemy.engine import make_url

from storage import migrate
from tests.backends import pg_schema
from tests.conftest import clear_backend_env, make_settings
from tests.webhook_kit import SERVICE_ENV, SilviaThread, post, status, webhook

LEAD = "+5581988887777"
POISON = "wamid.poison"


def _connect(database_url: str) -> psycopg.Connection:
    url = make_url(database_url)
    options = dict(url.query)["options"]
    plain = url.set(drivername="postgresql", query={}).render_as_string(hide_password=False)
    return psycopg.connect(plain, options=options, autocommit=True)


@pytest.fixture
def service(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[httpx.Client, str]]:
    clear_backend_env(monkeypatch)
    with pg_schema("statuses") as database_url:
        migrate.upgrade(database_url)
        settings = make_settings(tmp_path, **SERVICE_ENV, DATABASE_URL=database_url)
        with SilviaThread(settings) as server, httpx.Client(base_url=server.url, timeout=30) as client:
            yield client, database_url


def _state(database_url: str) -> tuple[dict[str, str], int]:
    with _connect(database_url) as conn:
        rows = dict(conn.execute("SELECT message_id, status FROM outbound_messages").fetchall())
        failed_logs = conn.execute(
            "SELECT count(*) FROM sdr_logs WHERE message = 'whatsapp_delivery_failed'"
        ).fetchone()
    return rows, int(failed_logs[0]) if failed_logs else 0


def test_a_webhooks_statuses_are_written_all_or_none_and_once(service: tuple[httpx.Client, str]) -> None:
    client, database_url = service
    with _connect(database_url) as conn:
        conn.execute(
            "CREATE FUNCTION refuse_poison() RETURNS trigger AS $$ BEGIN "
            f"IF NEW.message_id = '{POISON}' THEN RAISE EXCEPTION 'disk full (simulated)'; END IF; "
            "RETURN NEW; END $$ LANGUAGE plpgsql"
        )
        conn.execute(
            "CREATE TRIGGER poison BEFORE INSERT OR UPDATE ON outbound_messages "
            "FOR EACH ROW EXECUTE FUNCTION refuse_poison()"
        )
    error = [{"code": 131026, "title": "Message undeliverable"}]
    receipts = webhook(
        statuses=[
            status("wamid.a", "delivered", LEAD),
            status("wamid.b", "failed", LEAD, error),
            status(POISON, "read", LEAD),  # sorted last: a and b were written before it failed
            status("wamid.a", "read", LEAD),
        ]
    )
    refused = post(client, receipts)
    assert refused.status_code == 503, refused.text
    assert _state(database_url) == ({}, 0)  # nothing half-written, no alert for a status not stored

    with _connect(database_url) as conn:
        conn.execute("DROP TRIGGER poison ON outbound_messages")
    for _ in range(2):  # Meta's retry, then a duplicate delivery of the same webhook
        accepted = post(client, receipts)
        assert accepted.status_code == 200 and accepted.json()["statuses"] == 4, accepted.text
        rows, failed_logs = _state(database_url)
        assert rows == {"wamid.a": "read", "wamid.b": "failed", POISON: "read"}
        assert failed_logs == 1  # the failure is alerted once, not once per delivery
    late = post(
        client, webhook(statuses=[status("wamid.a", "sent", LEAD), status("wamid.b", "delivered", LEAD)])
    )
    assert late.status_code == 200
    assert _state(database_url) == ({"wamid.a": "read", "wamid.b": "failed", POISON: "read"}, 1)
