"""Typed request and response bodies of the HTTP API (they become the OpenAPI schema at /docs)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, field_validator

from wiring import TurnResult


class ChatRequest(BaseModel):
    phone: str = Field(min_length=8, max_length=20, examples=["+5581999990001"])
    message: str = Field(min_length=1, max_length=4096, examples=["oi, quero saber da energia solar"])
    name: str | None = Field(default=None, max_length=100, examples=["Maria"])

    @field_validator("phone")
    @classmethod
    def _e164(cls, value: str) -> str:
        digits = "".join(ch for ch in value if ch.isdigit())
        if not 8 <= len(digits) <= 15:
            raise ValueError("phone must have 8 to 15 digits (E.164, e.g. +5581999990001)")
        return f"+{digits}"


class ReplyOut(BaseModel):
    text: str
    buttons: list[dict[str, str]] | None = None
    layer: str | None = None
    prompt_version: str | None = None


class ChatResponse(BaseModel):
    phone: str
    stage: str
    intent: str
    replies: list[ReplyOut]
    response_time_ms: int
    prompt_version: str | None = Field(default=None, description="The lead's (sticky) prompt version")
    guard_violations: list[str] = Field(default_factory=list)

    @classmethod
    def of(cls, result: TurnResult) -> ChatResponse:
        turn: dict[str, Any] = result.state.get("turn") or {}
        return cls(
            phone=result.phone,
            stage=result.stage,
            intent=result.intent,
            replies=[ReplyOut.model_validate(r) for r in result.replies],
            response_time_ms=result.response_time_ms,
            prompt_version=result.state.get("prompt_version"),
            guard_violations=list(turn.get("guard_violations") or []),
        )


class Accepted(BaseModel):
    """What a webhook answers once the messages are safely in the inbox."""

    received: int = Field(description="Messages stored for processing")
    duplicates: int = Field(default=0, description="Messages seen before (acknowledged, ignored)")
    ignored: int = Field(default=0, description="Reactions and system notices (nothing to answer)")
    statuses: int = Field(default=0, description="Delivery statuses recorded")


class DependencyStatus(BaseModel):
    ok: bool
    detail: str = ""
    latency_ms: float | None = None


class Readiness(BaseModel):
    ready: bool
    dependencies: dict[str, DependencyStatus]
    inbox: dict[str, int] = Field(default_factory=dict)


class Health(BaseModel):
    status: str = "ok"


class ErrorBody(BaseModel):
    detail: Any
