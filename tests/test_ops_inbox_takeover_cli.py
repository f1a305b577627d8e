"""Inbox depth/age on both inbox backends, the model probe, and takeover from the command line."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from agent.context import utc_now
from ops.health import measure
from ops.inbox_stats import inbox_stats
from storage.db import create_engine, session_factory
from storage.inbox import RedisStreamInbox, SqlInbox
from storage.migrate import upgrade
from storage.models import Lead
from storage.takeover import TakeoverRepository
from tests.backends import drop_prefix, redis_prefix
from tests.conftest import make_settings, require_service
from tools.http import free_port

ROOT = Path(__file__).resolve().parent.parent


async def test_sql_inbox_depth_and_oldest_age(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'silvia.db'}"
    upgrade(url)
    inbox = SqlInbox(create_engine(url), own_engine=True)
    try:
        assert await inbox_stats(inbox) == (0, 0.0)
        await inbox.put("wamid.1", "+5581999990001", "whatsapp", {"text": "oi"})
        await asyncio.sleep(0.3)
        await inbox.put("wamid.2", "+5581999990002", "whatsapp", {"text": "oi"})
        depth, age = await inbox_stats(inbox)
        assert depth == 2 and 0.25 <= age < 30
        for entry in await inbox.take("t", 5, 0.1):
            await inbox.done(entry)
        assert (await inbox_stats(inbox))[0] == 0
    finally:
        await inbox.aclose()


async def test_redis_inbox_depth_and_oldest_age() -> None:
    url = require_service("TEST_REDIS_URL")
    prefix = redis_prefix("ops")
    inbox = RedisStreamInbox(url, prefix)
    try:
        await inbox.put("wamid.1", "+5581999990001", "whatsapp", {"text": "oi"})
        await asyncio.sleep(0.3)
        await inbox.put("wamid.2", "+5581999990002", "whatsapp", {"text": "oi"})
        depth, age = await inbox_stats(inbox)
        assert depth == 2 and 0.25 <= age < 30
    finally:
        await inbox.aclose()
        drop_prefix(url, prefix)


class _Models(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        ok = self.path == "/v1/models" and self.headers.get("Authorization") == "Bearer sk-test"
        body = b'{"object": "list", "data": [{"id": "gpt-4o-mini"}]}' if ok else b"{}"
        self.send_response(200 if ok else 401)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_: Any) -> None:
        pass


async def test_the_model_is_probed_when_configured(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'silvia.db'}"
    upgrade(url)
    engine = create_engine(url)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Models)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/v1"
    try:
        sessions = session_factory(engine)
        up = make_settings(tmp_path, OPENAI_API_KEY="sk-test", OPENAI_BASE_URL=base)
        assert (await measure(up, sessions, {}, utc_now())).model is True
        wrong_key = make_settings(tmp_path, OPENAI_API_KEY="sk-wrong", OPENAI_BASE_URL=base)
        assert (await measure(wrong_key, sessions, {}, utc_now())).model is False
        down = make_settings(
            tmp_path, OPENAI_API_KEY="sk-test", OPENAI_BASE_URL=f"http://127.0.0.1:{free_port()}/v1"
        )
        assert (await measure(down, sessions, {}, utc_now())).model is False
        assert (await measure(make_settings(tmp_path), sessions, {}, utc_now())).model is None
    finally:
        server.shutdown()
        await engine.dispose()


def test_silvia_lead_pause_and_resume(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    url = f"sqlite+aiosqlite:///{data / 'silvia.db'}"
    upgrade(url)

    async def add_lead() -> None:
        engine = create_engine(url)
        async with session_factory(engine).begin() as session:
            session.add(Lead(phone_number="+5581999990001", name="Maria"))
        await engine.dispose()

    async def paused() -> bool:
        engine = create_engine(url)
        try:
            return await TakeoverRepository(session_factory(engine)).is_paused("+5581999990001")
        finally:
            await engine.dispose()

    asyncio.run(add_lead())
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SUPABASE_CONNECTION_STRING")}
    env |= {"SILVIA_DATA_DIR": str(data), "PYTHONPATH": str(ROOT)}

    def silvia(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "cli", "lead", *args],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=tmp_path,
            env=env,
        )

    result = silvia("pause", "+55 81 99999-0001", "--by", "Ana", "--reason", "ligou")
    assert result.returncode == 0, result.stderr
    assert "paused by Ana" in result.stdout and asyncio.run(paused())
    assert silvia("resume", "+5581999990001").returncode == 0 and not asyncio.run(paused())
    unknown = silvia("pause", "+5511988887777")
    assert unknown.returncode == 1 and "No lead" in unknown.stderr
