"""A local Slack incoming webhook: checks each payload the way Slack does and records it.

Slack answers 200 `ok` for a good message and 400 `invalid_payload` / `invalid_blocks` for a
bad one; `fail_next` scripts 500s/429s to exercise retries.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

BLOCK_TYPES = {"header", "section", "context", "divider", "actions", "image"}


def problems(payload: Any) -> list[str]:
    """What Slack would refuse in an incoming-webhook payload (the subset Sílvia uses)."""
    if not isinstance(payload, dict):
        return ["payload is not an object"]
    found: list[str] = []
    if not isinstance(payload.get("text"), str) or not payload["text"]:
        found.append("text (notification fallback) missing")
    blocks = payload.get("blocks")
    if not isinstance(blocks, list) or not 1 <= len(blocks) <= 50:
        return [*found, "blocks must be a list of 1-50 blocks"]
    for i, block in enumerate(blocks):
        kind = block.get("type")
        if kind not in BLOCK_TYPES:
            found.append(f"block {i}: unknown type {kind!r}")
        if kind == "header" and (
            block.get("text", {}).get("type") != "plain_text" or len(block["text"].get("text", "")) > 150
        ):
            found.append(f"block {i}: header needs plain_text of at most 150 chars")
        if kind == "section":
            text, fields = block.get("text"), block.get("fields")
            if text is None and not fields:
                found.append(f"block {i}: section needs text or fields")
            if text is not None and (
                text.get("type") not in ("mrkdwn", "plain_text") or len(text.get("text", "")) > 3000
            ):
                found.append(f"block {i}: bad section text")
            if fields is not None and (
                len(fields) > 10 or any(len(f.get("text", "")) > 2000 for f in fields)
            ):
                found.append(f"block {i}: at most 10 fields of 2000 chars")
        if kind == "context" and not 1 <= len(block.get("elements", [])) <= 10:
            found.append(f"block {i}: context needs 1-10 elements")
    return found


class SlackFake:
    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.refused: list[list[str]] = []
        self.fail_next: list[int] = []  # status codes to answer before accepting again
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if fake.fail_next:
                    self._answer(fake.fail_next.pop(0), "server_error")
                    return
                if self.headers.get("Content-Type", "").split(";")[0] != "application/json":
                    self._answer(400, "invalid_payload")
                    return
                try:
                    payload = json.loads(body)
                except ValueError:
                    self._answer(400, "invalid_payload")
                    return
                wrong = problems(payload)
                if wrong:
                    fake.refused.append(wrong)
                    self._answer(400, "invalid_blocks")
                    return
                fake.received.append(payload)
                self._answer(200, "ok")

            def _answer(self, code: int, text: str) -> None:
                data = text.encode()
                self.send_response(code)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *_: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/services/T000/B000/XXXX"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> SlackFake:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def texts(self) -> list[str]:
        """Every text in every received message (fallback, headers, sections, fields)."""
        out: list[str] = []
        for payload in self.received:
            out.append(payload["text"])
            for block in payload["blocks"]:
                if "text" in block:
                    out.append(block["text"]["text"])
                out += [f["text"] for f in block.get("fields", [])]
                out += [e.get("text", "") for e in block.get("elements", [])]
        return out
