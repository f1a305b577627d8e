"""`silvia serve`'s own logs, uvicorn's access and error lines included, hold no token, query
string or phone number (of any country) in clear; SQL errors hide their parameters."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from ops.logs import scrub
from storage.db import create_engine
from tests.webhook_kit import API_KEY, ROOT, SERVICE_ENV, VERIFY_TOKEN, wait_for
from tools.http import free_port

DASHBOARD_TOKEN = "painel-segredo-123"
PHONES = ("+14155550123", "+5581999990001", "+442079460958")


@pytest.mark.parametrize(
    "line",
    [
        "GET /webhook/whatsapp?hub.mode=subscribe&hub.verify_token=s3cr3t&hub.challenge=42",
        "lead +1 (415) 555-0123 wrote", "wa_id 14155550123", "POST /admin/leads/%2B442079460958/pause",
        "Authorization: Bearer s3cr3t", "/dashboard?token=s3cr3t",
    ],
)  # fmt: skip
def test_scrub_removes_secrets_and_phones_of_any_country(line: str) -> None:
    clean = scrub(line)
    assert "s3cr3t" not in clean and "4155550123" not in clean and "2079460958" not in clean


def test_scrub_keeps_what_is_not_personal() -> None:
    line = "entry 1733480000000-0 took 1234 ms at 2026-12-06 12:30"
    assert scrub(line) == line


def test_silvia_serve_logs_hold_no_token_query_string_or_phone(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env |= SERVICE_ENV | {"SILVIA_DATA_DIR": str(tmp_path), "SILVIA_DASHBOARD_TOKEN": DASHBOARD_TOKEN}
    env["PYTHONPATH"] = str(ROOT)
    command = [sys.executable, "-c", "from cli.main import app; app()", "serve", "--port", str(port)]
    log = (tmp_path / "serve.log").open("wb")
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: _up(base), 90, "silvia serve")
        with httpx.Client(base_url=base, timeout=30) as client:
            client.get(
                "/webhook/whatsapp", params={"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN}
            )
            client.get("/dashboard", params={"token": DASHBOARD_TOKEN})
            for phone in PHONES:
                client.post(
                    f"/admin/leads/{phone}/pause", headers={"Authorization": f"Bearer {DASHBOARD_TOKEN}"}
                )
                client.get("/sandbox/messages", params={"to": phone}, headers={"X-API-Key": API_KEY})
    finally:
        proc.terminate()
        proc.wait(timeout=60)
        log.close()
    text = (tmp_path / "serve.log").read_text()
    assert '"logger": "uvicorn.access"' in text  # the access log is there, in JSON...
    for secret in (VERIFY_TOKEN, DASHBOARD_TOKEN, API_KEY, *PHONES, "%2B", "4155550123", "2079460958"):
        assert secret not in text, secret  # ...without secrets or phones


async def test_sql_errors_do_not_carry_their_parameters(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
    try:
        async with engine.begin() as conn:
            await conn.execute(sa.text("CREATE TABLE t (phone TEXT UNIQUE)"))
            await conn.execute(sa.text("INSERT INTO t VALUES (:p)"), {"p": "+5581999990001"})
            with pytest.raises(IntegrityError) as failed:
                await conn.execute(sa.text("INSERT INTO t VALUES (:p)"), {"p": "+5581999990001"})
        assert "5581999990001" not in str(failed.value) and "hidden" in str(failed.value)
    finally:
        await engine.dispose()


def _up(base: str) -> bool:
    try:
        return httpx.get(f"{base}/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False
