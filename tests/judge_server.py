"""A local OpenAI-compatible judge for the eval tests: /v1/chat/completions over real HTTP.

It reads which deepeval step is asking (by the JSON keys the prompt requests) and answers in
that step's format, so deepeval's real client, parsing and scoring code all run. A lead
message containing BAD_JUDGE_MARKER makes it answer garbage, to prove a broken judge is
reported and not crashed on.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

BAD_JUDGE_MARKER = "quebre o juiz"


def judge_answer(prompt: str) -> str:
    """The JSON a cooperative judge returns for one deepeval prompt (or garbage on the marker)."""
    if BAD_JUDGE_MARKER in prompt:
        return "I am not JSON at all, sorry"
    p = prompt
    if '"steps"' in p:
        answer: dict[str, Any] = {"steps": ["Check tone", "Check formatting", "Check facts"]}
    elif '"score"' in p:
        answer = {"score": 9, "reason": "Stays in persona."}
    elif '"intentions"' in p:
        answer = {"intentions": ["Saber quanto vai economizar"]}
    elif '"data"' in p:
        answer = {"data": {"cidade": "Recife"}}
    elif '"verdicts"' in p:
        answer = {"verdicts": []}
    elif '"verdict"' in p:
        # KnowledgeRetention asks whether the bot forgot something ("yes" = forgot).
        forgot = "forget" in p.lower() or "attrition" in p.lower()
        answer = {"verdict": "no" if forgot else "yes", "reason": "Fine."}
    else:
        answer = {"reason": "All good."}
    return json.dumps(answer)


class _Handler(BaseHTTPRequestHandler):
    prompts: list[str]

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        prompt = "\n".join(str(m.get("content", "")) for m in body.get("messages", []))
        self.server.prompts.append(prompt)  # type: ignore[attr-defined]
        reply = {
            "id": "chatcmpl-test",
            "object": "chat.completion",
            "created": 0,
            "model": body.get("model", "judge"),
            "choices": [
                {
                    "index": 0,
                    "finish_reason": "stop",
                    "message": {"role": "assistant", "content": judge_answer(prompt)},
                }
            ],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
        }
        data = json.dumps(reply).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass


@contextmanager
def running_judge() -> Iterator[tuple[str, list[str]]]:
    """(base URL ending in /v1, list of prompts received)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.prompts = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1", server.prompts  # type: ignore[attr-defined]
    finally:
        server.shutdown()
        server.server_close()
