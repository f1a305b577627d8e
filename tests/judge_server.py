"""A local OpenAI-compatible judge for the eval tests: /v1/chat/completions over real HTTP.

It reads which deepeval step is asking (by the JSON keys the prompt requests) and answers in
that step's format, so deepeval's real client, parsing and scoring code all run. Besides the
cooperative judge (everything is fine), an oracle that knows the calibration labels and a judge
that answers at random grade the judge calibration. A lead
message containing BAD_JUDGE_MARKER makes it answer garbage, to prove a broken judge is
reported and not crashed on.
"""

from __future__ import annotations

import ast
import json
import random
import threading
from collections.abc import Callable, Iterator
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


def _section(prompt: str, start: str, end: str) -> str:
    """The text between the LAST `start` and the next `end` (the task part, after the examples)."""
    tail = prompt[prompt.rfind(start) + len(start) :]
    return tail[: tail.find(end)].strip() if end in tail else tail.strip()


def _messages(prompt: str) -> list[dict[str, str]]:
    """deepeval renders the turns as a Python list of {role, content} dicts after 'Messages:'."""
    return ast.literal_eval(_section(prompt, "Messages:", "\n\nJSON:"))


Answer = Callable[[str], str]


def oracle_judge(bad: dict[str, set[str]]) -> Answer:
    """A judge that knows the calibration labels: `bad` maps relevance/persona/retention to the
    assistant replies labelled bad for it. It answers every deepeval step in its format."""

    def answer(prompt: str) -> str:
        if "LAST `assistant` message is relevant" in prompt:  # TurnRelevancyMetric, one window
            last = [m for m in _messages(prompt) if m["role"] == "assistant"][-1]["content"]
            return json.dumps({"verdict": "no" if last in bad["relevance"] else "yes", "reason": "oracle"})
        if "did not adhere to the specified chatbot role" in prompt:  # RoleAdherenceMetric
            turns = _messages(prompt)
            verdicts = [
                {"index": i, "reason": "oracle"}
                for i, m in enumerate(turns)
                if m["role"] == "assistant" and m["content"] in bad["persona"]
            ]
            return json.dumps({"verdicts": verdicts})
        if "LLM message:" in prompt and "Previous Knowledge" in prompt:  # KnowledgeRetention verdict
            message = _section(prompt, "LLM message:", "\n\nPrevious Knowledge")
            return json.dumps({"verdict": "yes" if message in bad["retention"] else "no", "reason": "oracle"})
        return judge_answer(prompt)  # knowledge extraction, reasons

    return answer


def random_judge(seed: int = 7) -> Answer:
    """A judge that answers every verdict at random (in the right format)."""
    rng = random.Random(seed)

    def answer(prompt: str) -> str:
        if "LAST `assistant` message is relevant" in prompt or (
            "LLM message:" in prompt and "Previous Knowledge" in prompt
        ):
            return json.dumps({"verdict": rng.choice(["yes", "no"]), "reason": "coin"})
        if "did not adhere to the specified chatbot role" in prompt:
            turns = _messages(prompt)
            picked = [i for i, m in enumerate(turns) if m["role"] == "assistant" and rng.random() < 0.5]
            return json.dumps({"verdicts": [{"index": i, "reason": "coin"} for i in picked]})
        return judge_answer(prompt)

    return answer


class _Handler(BaseHTTPRequestHandler):
    prompts: list[str]
    answer: Answer

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
                    "message": {"role": "assistant", "content": self.server.answer(prompt)},  # type: ignore[attr-defined]
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
def running_judge(answer: Answer = judge_answer) -> Iterator[tuple[str, list[str]]]:
    """(base URL ending in /v1, list of prompts received). `answer` maps a prompt to the reply."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.prompts = []  # type: ignore[attr-defined]
    server.answer = answer  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1", server.prompts  # type: ignore[attr-defined]
    finally:
        server.shutdown()
        server.server_close()
