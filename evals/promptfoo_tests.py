"""promptfoo test generator: our conversation datasets as promptfoo tests.

evals/promptfooconfig.yaml points at `file://promptfoo_tests.py:generate_tests`. Each lead turn
becomes one test; every turn of a conversation shares the conversation's phone (so
`silvia serve` keeps one thread per conversation) and the config runs tests one at a time,
in order. Live tests send what `HttpTarget` sends (evals/targets.py `chat_body`): texts,
button taps, files (base64), other media and, on the first turn, a seeded lead's CRM profile;
restart turns are left out (a long-lived server cannot be restarted mid-run; memory across
restarts is graded in-process). Our assertions are promptfoo's syntax already; the expected
stage and intent become small javascript assertions on the /v1/chat response.

Settings (generator `config:` or environment):
  mode      live (default): call the HTTP provider; recorded: score `recorded.replies`
            through `providerOutput`, with no provider call.
  datasets  comma-separated files/folders (default evals/datasets); env SILVIA_EVAL_DATASETS
  salt      phone salt so each run starts fresh threads; env SILVIA_EVAL_SALT (default: now)
"""

from __future__ import annotations

import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # promptfoo runs this file through its own wrapper script
    sys.path.insert(0, str(ROOT))

from evals.dataset import Conversation, Turn, load_conversations  # noqa: E402
from evals.targets import chat_body  # noqa: E402

# promptfoo 0.121 keeps the whole transformResponse object as the output when its `output` is
# empty (a message rightly left unanswered after an opt-out), so silence and metadata are read
# from either place.
_TEXT = "(typeof output === 'string' ? output : (output?.output ?? ''))"
_META = "(context.providerResponse?.metadata?.{key} ?? output?.metadata?.{key} ?? '')"


def _assertion(raw: dict[str, Any], live: bool) -> dict[str, Any]:
    if live and raw["type"] == "equals" and raw.get("value") in ("", None):
        return {"type": "javascript", "value": f"{_TEXT} === ''", "metric": "silence"}
    return raw


def _checks(turn: Turn, live: bool) -> list[dict[str, Any]]:
    checks = [_assertion(a.model_dump(exclude_none=True), live) for a in turn.expect.assertions]
    if live:  # stage and intent come back in the response metadata (see transformResponse)
        for key in ("stage", "intent"):
            value = getattr(turn.expect, key)
            if value:
                checks.append(
                    {"type": "javascript", "value": f"{_META.format(key=key)} === {value!r}", "metric": key}
                )
    return checks


def _live_vars(conv: Conversation, index: int, phone: str) -> dict[str, Any] | None:
    """The /v1/chat body of a turn as test vars (None for a restart: the server cannot restart).

    promptfoo renders every body field as text and parses text that is a JSON object back into
    one, so `media` and `profile` travel as JSON strings; "" means absent (the API agrees).
    """
    body = chat_body(conv, index, phone)
    if body is None:
        return None
    return {
        "phone": phone,
        "message": body.get("message", ""),
        "name": body.get("name", ""),
        "button_id": body.get("button_id", ""),
        "media": json.dumps(body["media"]) if body.get("media") else "",
        "profile": json.dumps(body["profile"], ensure_ascii=False) if body.get("profile") else "",
    }


def _recorded_vars(conv: Conversation, turn: Turn, phone: str) -> dict[str, Any] | None:
    if turn.recorded is None:
        return None
    name = (conv.lead.name or "").split()[0] if conv.lead.name else ""
    message = turn.lead if turn.lead is not None else (turn.button.title if turn.button else turn.describe())
    return {"phone": phone, "message": message, "name": name}


def conversation_tests(conv: Conversation, mode: str, salt: str) -> list[dict[str, Any]]:
    phone = conv.phone(salt)
    tests = []
    for index, turn in enumerate(conv.turns):
        if mode == "recorded":
            variables = _recorded_vars(conv, turn, phone)
        else:
            variables = _live_vars(conv, index, phone)
        if variables is None:
            continue
        test: dict[str, Any] = {
            "description": f"{conv.id} #{index}: {turn.describe()[:50]}",
            "vars": variables | {"conversation": conv.id, "turn": index},
            "metadata": {"conversationId": conv.id},
            "assert": _checks(turn, live=mode == "live"),
        }
        if mode == "recorded":
            test["providerOutput"] = "\n".join(turn.recorded.replies)  # type: ignore[union-attr]
        tests.append(test)
    return tests


def generate_tests(config: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    config = config or {}
    mode = str(config.get("mode") or os.environ.get("SILVIA_PROMPTFOO_MODE") or "live")
    if mode not in ("live", "recorded"):
        raise ValueError(f"mode must be live or recorded, not {mode!r}")
    raw = config.get("datasets") or os.environ.get("SILVIA_EVAL_DATASETS") or ""
    names = raw if isinstance(raw, list) else [p for p in str(raw).split(",") if p.strip()]
    paths = [p if Path(p).is_absolute() else ROOT / p for p in map(Path, names)] or None
    salt = str(config.get("salt") or os.environ.get("SILVIA_EVAL_SALT") or datetime.now(UTC).isoformat())
    tests: list[dict[str, Any]] = []
    for conv in load_conversations(paths):
        if mode == "live" or conv.has_recorded:
            tests += conversation_tests(conv, mode, salt)
    return tests
