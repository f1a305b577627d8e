"""LangSmith's own environment variables trace Sílvia's turns, nothing else needed: a local
stand-in for the LangSmith API (its wire format: GET /info, POST /runs/multipart) receives a
turn's runs, one per graph node. Run in a subprocess so the tracing client it caches never
reaches other tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import BACKEND_VARIABLES

ROOT = Path(__file__).resolve().parent.parent
INFO = {
    "version": "0.10.0",
    "batch_ingest_config": {
        "use_multipart_endpoint": True, "size_limit": 100, "size_limit_bytes": 20_971_520,
        "scale_up_qsize_trigger": 1000, "scale_up_nthreads_limit": 16, "scale_down_nempty_trigger": 4,
    },
}  # fmt: skip
TURN = """
import asyncio, sys
from langchain_core.tracers.langchain import wait_for_all_tracers
from settings import Settings
from wiring import open_silvia

async def main() -> None:
    async with open_silvia(Settings(_env_file=None, SILVIA_DATA_DIR=sys.argv[1])) as silvia:
        await silvia.say("+5581999990001", "oi, moro em Recife e pago 380", name="Maria")

asyncio.run(main())
wait_for_all_tracers()
"""


@pytest.fixture
def langsmith_standin() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    received: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def _reply(self, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            self._reply(INFO if self.path.startswith("/info") else {})

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            received.append({"path": self.path, "body": body.decode("utf-8", "replace")})
            self._reply({})

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", received
    finally:
        server.shutdown()
        server.server_close()


def test_langsmith_variables_alone_trace_every_node_of_a_turn(
    langsmith_standin: tuple[str, list[dict[str, Any]]], tmp_path: Path
) -> None:
    endpoint, received = langsmith_standin
    env = {k: v for k, v in os.environ.items() if k not in BACKEND_VARIABLES and not k.startswith("OPENAI_")}
    env.update(
        LANGSMITH_TRACING="true", LANGSMITH_API_KEY="test-key", LANGSMITH_ENDPOINT=endpoint,
        LANGSMITH_PROJECT="silvia-test",
    )  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-c", TURN, str(tmp_path)], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=180,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert received and all(r["path"] == "/runs/multipart" for r in received)
    traced = "".join(r["body"] for r in received)
    for node in ("ingest", "understand", "reception", "compose", "guard", "deliver", "record"):
        assert f'"name":"{node}"' in traced.replace(" ", ""), node
    assert "silvia-test" in traced  # the project from LANGSMITH_PROJECT
