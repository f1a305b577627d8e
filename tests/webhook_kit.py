"""Test kit for the webhook service: Meta payloads, signing, and the app on a real port.

`SilviaThread` runs `create_app(settings)` under uvicorn in a thread of the test process;
`SilviaProcess` runs `silvia serve`'s app in a child process, so a test can `kill -9` it.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from api.app import create_app
from api.signature import sign
from settings import Settings
from tools.http import free_port

SECRET = "test-app-secret"
VERIFY_TOKEN = "test-verify-token"
API_KEY = "test-api-key"
ROOT = Path(__file__).resolve().parent.parent

SERVICE_ENV = {
    "WHATSAPP_APP_SECRET": SECRET,
    "WHATSAPP_VERIFY_TOKEN": VERIFY_TOKEN,
    "SILVIA_API_KEY": API_KEY,
    # Every message its own turn here (these tests count turns); bursts: tests/test_followups_service.py
    "SILVIA_BURST_SECONDS": "0",
}


# --- Meta payloads ----------------------------------------------------------------------------


def webhook(
    messages: list[dict[str, Any]] = (),  # type: ignore[assignment]
    name: str | None = None,
    statuses: list[dict[str, Any]] = (),  # type: ignore[assignment]
) -> dict[str, Any]:
    value: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "558130000000", "phone_number_id": "1098765432"},
    }
    if messages:
        value["messages"] = list(messages)
        value["contacts"] = [{"profile": {"name": name or "Lead"}, "wa_id": messages[0].get("from", "0")}]
    if statuses:
        value["statuses"] = list(statuses)
    change = {"field": "messages", "value": value}
    return {"object": "whatsapp_business_account", "entry": [{"id": "WABA1", "changes": [change]}]}


def _message(phone: str, message_id: str, kind: str, body: dict[str, Any]) -> dict[str, Any]:
    digits = "".join(ch for ch in phone if ch.isdigit())
    return {"from": digits, "id": message_id, "timestamp": str(int(time.time())), "type": kind, kind: body}


def text(phone: str, message_id: str, body: str) -> dict[str, Any]:
    return _message(phone, message_id, "text", {"body": body})


def button_reply(phone: str, message_id: str, button_id: str, title: str) -> dict[str, Any]:
    return _message(
        phone,
        message_id,
        "interactive",
        {"type": "button_reply", "button_reply": {"id": button_id, "title": title}},
    )


def document(phone: str, message_id: str, media_id: str, filename: str = "conta.pdf") -> dict[str, Any]:
    return _message(
        phone, message_id, "document", {"id": media_id, "mime_type": "application/pdf", "filename": filename}
    )


def status(
    message_id: str, state: str, phone: str, errors: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    digits = "".join(ch for ch in phone if ch.isdigit())
    out: dict[str, Any] = {
        "id": message_id,
        "status": state,
        "timestamp": str(int(time.time())),
        "recipient_id": digits,
    }
    if errors:
        out["errors"] = errors
    return out


def signed(payload: dict[str, Any] | bytes, secret: str = SECRET) -> tuple[bytes, dict[str, str]]:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return body, {"Content-Type": "application/json", "X-Hub-Signature-256": sign(body, secret)}


def post(client: httpx.Client, payload: dict[str, Any] | bytes) -> httpx.Response:
    body, headers = signed(payload)
    return client.post("/webhook/whatsapp", content=body, headers=headers)


# --- waiting and reading the database ---------------------------------------------------------


# Generous: on a loaded 2-core machine a subprocess turn can take seconds; a pass returns early.
def wait_for(check: Callable[[], Any], timeout: float = 45.0, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def query(data_dir: Path, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    with sqlite3.connect(data_dir / "silvia.db", timeout=10) as conn:
        return conn.execute(sql, args).fetchall()


# --- the service on a real port ---------------------------------------------------------------


class SilviaThread:
    """The app under uvicorn in a daemon thread (its own event loop)."""

    def __init__(self, settings: Settings, clock: Callable[[], datetime] | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        app = create_app(settings, clock=clock)
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True, name="silvia-http")

    def __enter__(self) -> SilviaThread:
        self.thread.start()
        wait_for(lambda: self.server.started, 60, "the app to start")
        return self

    def __exit__(self, *_: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=60)


class SilviaProcess:
    """The app in a child process (the same factory `silvia serve` uses), killable with SIGKILL."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, **env, "PYTHONPATH": str(ROOT)}
        self.log_path = log_path
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> SilviaProcess:
        command = [sys.executable, "-m", "uvicorn", "cli.serve:app_from_env", "--factory"]
        command += ["--host", "127.0.0.1", "--port", str(self.port), "--log-level", "warning"]
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        wait_for(self._healthy, 90, "the server process to start")
        return self

    def _healthy(self) -> bool:
        if self.proc is not None and self.proc.poll() is not None:
            raise AssertionError(f"server exited: {self.log_path.read_text()[-3000:]}")
        try:
            return httpx.get(f"{self.url}/ready", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def kill9(self) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
