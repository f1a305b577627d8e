"""Structured JSON logs with a trace id per turn; phone numbers hashed, CPF and secrets never.

Every log record becomes one JSON line — uvicorn's access and error logs too (`uvicorn_log_config`,
what `silvia serve` passes to uvicorn). Inside a turn (`turn_trace`) the record carries the
turn's trace id and the hashed phone, so one lead's turn can be followed across modules
without the logs ever holding a phone number (of any country), a CPF, a token or a query
string in clear: access-log paths lose their query string, `token=`-like parameters and
bearer credentials anywhere in a message are redacted.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from ops import metrics

TRACE_ID: ContextVar[str | None] = ContextVar("silvia_trace_id", default=None)
LEAD_HASH: ContextVar[str | None] = ContextVar("silvia_lead_hash", default=None)

# CPF with or without punctuation (11 digits) and Brazilian phones (+55 DDD number).
_CPF = re.compile(r"(?<!\d)\d{3}\.?\d{3}\.?\d{3}-?\d{2}(?!\d)")
_PHONE = re.compile(r"(?<![\w])\+?55\s?\(?\d{2}\)?\s?9?\d{4}[-\s]?\d{4}(?!\d)")
# Any country: E.164 with its plus (also URL-encoded, %2B, as in a path), or a WhatsApp id (the
# bare 11-15 digits Meta sends). A Redis stream id (`1733480000000-0`) is not one.
_ANY_PHONE = re.compile(
    r"(?<![\w%])(?:\+|%2[Bb])\d(?:[\s().-]{0,2}\d){7,14}(?!\d)|(?<![\w.+-])\d{11,15}(?![\w-])"
)
_SECRET_PARAM = re.compile(
    r"(?i)\b((?:hub\.)?(?:verify_)?token|access_token|api_?key|key|secret|password|signature|hub\.challenge)"
    r"=[^&\s\"']+"
)
_BEARER = re.compile(r"(?i)\b(bearer|basic)\s+[\w.~+/=-]+")
# LogRecord attributes that are not "extra" fields.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}
# Fields we stamp ourselves: never scrubbed (a random hex trace id can look like a CPF).
_OWN_FIELDS = ("trace_id", "lead")


def hash_phone(phone: str) -> str:
    """A stable, non-reversible tag for a phone: the same lead gets the same tag in every log."""
    digits = re.sub(r"\D", "", phone)
    return "lead_" + hashlib.sha256(f"silvia:{digits}".encode()).hexdigest()[:12]


def scrub(text: str) -> str:
    """Secrets are redacted, phones become their hash, CPFs are removed (phones first: a phone
    is also 11+ digits)."""
    text = _SECRET_PARAM.sub(lambda m: f"{m.group(1)}=[redacted]", text)
    text = _BEARER.sub(lambda m: f"{m.group(1)} [redacted]", text)
    text = _PHONE.sub(lambda m: hash_phone(m.group(0)), text)
    text = _ANY_PHONE.sub(lambda m: hash_phone(m.group(0).replace("%2B", "+").replace("%2b", "+")), text)
    return _CPF.sub("[cpf]", text)


def _without_query(record: logging.LogRecord) -> None:
    """uvicorn's access record: (client, method, path?query, http version, status)."""
    args = record.args
    if record.name == "uvicorn.access" and isinstance(args, tuple) and len(args) >= 3:
        record.args = (args[0], args[1], str(args[2]).split("?", 1)[0], *args[3:])


def _scrub_value(value: Any) -> Any:
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, dict):
        return {k: _scrub_value(v) for k, v in value.items() if k.lower() not in ("cpf", "document")}
    if isinstance(value, list | tuple):
        return [_scrub_value(v) for v in value]
    return value


_base_factory = logging.getLogRecordFactory()


def _stamped_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
    """Every record made inside a turn carries its trace id and lead hash (read when it is
    created, so a handler that formats later, in another context, still sees them)."""
    record = _base_factory(*args, **kwargs)
    if trace := TRACE_ID.get():
        record.trace_id = trace
    if lead := LEAD_HASH.get():
        record.lead = lead
    return record


if not getattr(_base_factory, "silvia_stamped", False):
    _stamped_record.silvia_stamped = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(_stamped_record)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, msg, trace_id, lead, and any extras."""

    def format(self, record: logging.LogRecord) -> str:
        _without_query(record)
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": scrub(record.getMessage()),
        }
        for key, value in vars(record).items():
            if key in _OWN_FIELDS:
                entry[key] = value
            elif key not in _STANDARD and not key.startswith("_"):
                entry[key] = _scrub_value(value)
        if record.exc_info:
            entry["exc"] = scrub(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(level: int | str = logging.INFO) -> None:
    """Send every log record to stderr as JSON (idempotent: one handler, however often called)."""
    root = logging.getLogger()
    if any(isinstance(h.formatter, JsonFormatter) for h in root.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root.handlers = [h for h in root.handlers if not isinstance(h, logging.StreamHandler)]
    root.addHandler(handler)
    root.setLevel(level)


def uvicorn_log_config(level: str = "INFO") -> dict[str, Any]:
    """uvicorn's loggers (access, error) through the same JSON formatter and scrubbing."""
    handler = {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "ops.logs.JsonFormatter"}},
        "handlers": {"json": handler},
        "loggers": {
            name: {"handlers": ["json"], "level": level.upper(), "propagate": False}
            for name in ("uvicorn", "uvicorn.error", "uvicorn.access")
        },
    }


turn_log = logging.getLogger("silvia.turn")


@contextmanager
def turn_trace(phone: str, received_at: datetime | None = None) -> Iterator[str]:
    """Give the turn a trace id (and the lead's hash) for every log line it writes.

    On exit it observes the end-to-end latency: from the webhook's receipt when known,
    otherwise from the start of the turn.
    """
    trace_id = uuid.uuid4().hex[:16]
    trace_token, lead_token = TRACE_ID.set(trace_id), LEAD_HASH.set(hash_phone(phone))
    started = time.perf_counter()
    try:
        yield trace_id
    finally:
        elapsed = time.perf_counter() - started
        if received_at is not None:
            waited = (datetime.now(UTC) - received_at.astimezone(UTC)).total_seconds()
            elapsed = max(elapsed, waited)
        metrics.END_TO_END.observe(elapsed)
        turn_log.info("turn done", extra={"elapsed_ms": round(elapsed * 1000)})
        TRACE_ID.reset(trace_token)
        LEAD_HASH.reset(lead_token)
