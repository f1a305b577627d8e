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


def parse_json(body: bytes) -> Any:
    try:
        return without_nul(json.loads(body))
    except (UnicodeDecodeError, ValueError) as exc:
        raise HTTPException(status_code=400, detail=f"malformed JSON: {exc}") from exc


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
