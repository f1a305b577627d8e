"""Reading a request body safely: a size limit (413) and the content type (415)."""

from __future__ import annotations

import json
from typing import Any

from fastapi import HTTPException, Request


async def read_limited(request: Request, limit: int) -> bytes:
    """The raw body (needed as-is for the signature), refusing anything over `limit` bytes."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise HTTPException(status_code=413, detail=f"body over the {limit} byte limit")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:  # a lying or missing Content-Length
            raise HTTPException(status_code=413, detail=f"body over the {limit} byte limit")
    return bytes(body)


def require_json(request: Request) -> None:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/json":
        raise HTTPException(status_code=415, detail="Content-Type must be application/json")


MAX_DEPTH = 32  # Meta's payloads nest 8 deep; deeper is an attack on the parser or the database


def parse_json(body: bytes) -> Any:
    """The JSON value, or 400: malformed, nested deeper than MAX_DEPTH, or holding a lone UTF-16
    surrogate ("\\ud800", valid JSON that no database or UTF-8 encoder can store)."""
    try:
        value = json.loads(body)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise HTTPException(status_code=400, detail=f"malformed JSON: {str(exc)[:200]}") from exc
    problem = _unstorable(value, 0)
    if problem:
        raise HTTPException(status_code=400, detail=problem)
    return without_nul(value)


def _unstorable(value: Any, depth: int) -> str | None:
    if depth > MAX_DEPTH:
        return f"JSON nested deeper than {MAX_DEPTH} levels"
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return "a string holds a lone UTF-16 surrogate (not valid Unicode text)"
        return None
    items = list(value.items()) if isinstance(value, dict) else value if isinstance(value, list) else []
    for item in items:
        for part in item if isinstance(value, dict) else (item,):
            if problem := _unstorable(part, depth + 1):
                return problem
    return None


def without_nul(value: Any) -> Any:
    """Drop U+0000 from every string: PostgreSQL text/jsonb cannot store it, and it means nothing
    in a chat message, so keeping it would make a valid webhook unstorable (and retried forever)."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {without_nul(k): without_nul(v) for k, v in value.items()}
    if isinstance(value, list):
        return [without_nul(v) for v in value]
    return value
