"""A local OpenAI-compatible HTTP server (Chat Completions wire format) for tests.

It records every request and answers with whatever the test queued: a message content, an HTTP
status, or raw bytes. Our real client code (httpx) talks to it over a real socket.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class ChatServer:
    url: str = ""
    requests: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    replies: list[tuple[int, bytes]] = field(default_factory=list)

    def answer(self, content: str) -> None:
        """Queue a 200 Chat Completions response whose message content is `content`."""
        body = {
            "id": "chatcmpl-test",
            "object": "chat.completion",
            "model": "vision-test",
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": content}}],
            "usage": {"prompt_tokens": 900, "completion_tokens": 80, "total_tokens": 980},
        }  # fmt: skip
        self.replies.append((200, json.dumps(body).encode()))

    def answer_json(self, data: dict[str, Any]) -> None:
        self.answer(json.dumps(data, ensure_ascii=False))

    def fail(self, status: int, body: bytes = b'{"error": {"message": "boom"}}') -> None:
        self.replies.append((status, body))


@contextmanager
def chat_server() -> Iterator[ChatServer]:
    state = ChatServer()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            payload = json.loads(self.rfile.read(length) or b"{}")
            state.requests.append({"path": self.path, **payload})
            state.headers.append(dict(self.headers))
            status, body = state.replies.pop(0) if state.replies else (500, b"no reply queued")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:  # keep pytest output clean
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
