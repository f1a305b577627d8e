"""The 4xx/5xx answers of the HTTP routes, as their OpenAPI `responses=` say them.

Every route documents the error codes it can answer, each with the JSON body FastAPI sends
(`{"detail": …}`) and what it means, so a client (and the generated-request run in
tests/test_openapi_fuzz.py) knows each one. api/ and ops/ routes both use it (ops imports nothing
from api, so it lives here).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

MEANING = {
    400: "Malformed JSON, or not the payload this route takes (the detail says what)",
    401: "Credentials missing or wrong",
    403: "Refused: this route is disabled or the request is not allowed (the detail says why)",
    404: "Not found",
    409: "Conflicts with the current state (the detail says which)",
    413: "Body over the size limit",
    415: "Content-Type must be application/json",
    422: "Invalid request: each problem names its field",
    503: "Starting up, or storage unavailable: retry later",
}


class ErrorBody(BaseModel):
    detail: Any


def error_responses(*codes: int, **meanings: str) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route: each code with the JSON error body and its meaning
    (`error_responses(401, 422, e409="A file was sent but…")` overrides one meaning)."""
    return {
        code: {
            "model": ErrorBody,
            "description": meanings.get(f"e{code}", MEANING.get(code, "Error")),
            "content": {"application/json": {}},
        }
        for code in codes
    }
