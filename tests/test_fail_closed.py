"""Fail closed: a deployment without its secrets does not start; the sandbox log needs the API
key; the dashboard's state-changing requests resist cross-site forgery."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from api.startup_checks import InsecureStartError, check_secure_start
from cli.main import app as cli_app
from tests.conftest import clear_backend_env, make_settings
from tests.webhook_kit import API_KEY, ROOT, SERVICE_ENV, SilviaThread

SECRETS = ("WHATSAPP_APP_SECRET", "WHATSAPP_VERIFY_TOKEN", "SILVIA_API_KEY")
TOKEN = "token-do-painel"


def test_the_embedded_default_starts_without_secrets(tmp_path: Path) -> None:
    check_secure_start(make_settings(tmp_path), "127.0.0.1")
    check_secure_start(make_settings(tmp_path), "::1")


@pytest.mark.parametrize(
    ("env", "host", "reason"),
    [
        ({"DATABASE_URL": "postgresql://db/silvia"}, "127.0.0.1", "DATABASE_URL is set"),
        ({"REDIS_URL": "redis://cache:6379/0"}, "127.0.0.1", "REDIS_URL is set"),
        ({"WHATSAPP_BACKEND": "cloud"}, "127.0.0.1", "WHATSAPP_BACKEND=cloud"),
        ({}, "0.0.0.0", "binding 0.0.0.0 (not loopback)"),
        ({}, "silvia.example", "binding silvia.example (not loopback)"),
    ],
)
def test_a_deployment_without_secrets_refuses_to_start_naming_them(
    tmp_path: Path, env: dict[str, str], host: str, reason: str
) -> None:
    with pytest.raises(InsecureStartError) as refused:
        check_secure_start(make_settings(tmp_path, **env), host)
    assert reason in str(refused.value) and all(name in str(refused.value) for name in SECRETS)
    only_key_missing = {**env, **SERVICE_ENV, "SILVIA_API_KEY": ""}
    with pytest.raises(InsecureStartError, match="SILVIA_API_KEY is not set") as refused:
        check_secure_start(make_settings(tmp_path, **only_key_missing), host)
    assert "WHATSAPP_APP_SECRET" not in str(refused.value)
    check_secure_start(make_settings(tmp_path, **env, **SERVICE_ENV), host)  # with them: fine


def test_the_development_switch_starts_but_says_so_loudly(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        check_secure_start(make_settings(tmp_path, SILVIA_INSECURE_DEV="1"), "0.0.0.0")
    assert "INSECURELY" in caplog.text and "WHATSAPP_APP_SECRET" in caplog.text


def test_silvia_serve_on_all_interfaces_without_secrets_exits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clear_backend_env(monkeypatch)
    for name in SECRETS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SILVIA_DATA_DIR", str(tmp_path))
    monkeypatch.chdir(tmp_path)  # no .env of the developer's
    monkeypatch.setenv("SILVIA_BIND_HOST", "")  # serve sets it for its workers: restored after
    monkeypatch.setenv("SILVIA_SERVE_WORKER", "1")
    result = CliRunner().invoke(cli_app, ["serve", "--host", "0.0.0.0", "--port", "1"])
    assert result.exit_code == 2
    assert "Refusing to start" in result.output and "SILVIA_API_KEY" in result.output


def test_uvicorn_started_by_hand_on_a_database_url_refuses_too(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in SECRETS and k not in ("REDIS_URL",)}
    env |= {"DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none", "SILVIA_DATA_DIR": str(tmp_path)}
    env["PYTHONPATH"] = str(ROOT)
    command = [sys.executable, "-m", "uvicorn", "cli.serve:app_from_env", "--factory", "--port", "1"]
    done = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode != 0 and "Refusing to start" in done.stderr


@pytest.fixture
def service(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[httpx.Client]:
    clear_backend_env(monkeypatch)
    settings = make_settings(tmp_path, **SERVICE_ENV, SILVIA_DASHBOARD_TOKEN=TOKEN)
    with SilviaThread(settings) as server, httpx.Client(base_url=server.url, timeout=30) as client:
        yield client


def test_the_sandbox_log_needs_the_api_key(service: httpx.Client) -> None:
    assert service.get("/sandbox/messages").status_code == 401
    assert service.get("/sandbox/messages", headers={"X-API-Key": "wrong"}).status_code == 401
    assert service.get("/sandbox/messages", headers={"X-API-Key": API_KEY}).status_code == 200


def test_admin_posts_resist_forgery_and_never_take_a_query_token(service: httpx.Client) -> None:
    opened = service.get(f"/dashboard?token={TOKEN}")
    assert opened.status_code == 200
    cookie = opened.headers["set-cookie"].lower()
    assert all(flag in cookie for flag in ("secure", "httponly", "samesite=strict"))
    cookies = {"silvia_ops": TOKEN}
    pause = "/admin/leads/+5581900001111/pause"
    # The cookie alone is what a forged cross-site form would send.
    assert service.post(pause, cookies=cookies).status_code == 403
    foreign = {"X-Silvia-Dashboard": "1", "Origin": "https://evil.example"}
    assert service.post(pause, cookies=cookies, headers=foreign).status_code == 403
    assert service.post(pause, cookies=cookies, headers={"X-Silvia-Dashboard": "1"}).status_code == 404
    service.cookies.clear()
    assert service.post(f"{pause}?token={TOKEN}").status_code == 401
    assert service.post(pause, headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 404
