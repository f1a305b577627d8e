"""Typed request and response bodies of the HTTP API (they become the OpenAPI schema at /docs)."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from agent.state import TurnResult
from bills.patterns import UFS
from storage.columns import stored_in
from tools.whatsapp_server import PHONE_PATTERN

ChatMediaKind = Literal["image", "document", "audio", "video", "sticker", "location", "unsupported"]
FILE_KINDS: frozenset[str] = frozenset({"image", "document", "audio", "video", "sticker"})
READABLE_KINDS: frozenset[str] = frozenset({"image", "document"})  # files Sílvia reads (bills)
# The MIME types each kind may carry (a document may be a PDF, an office file, text or a photo).
KIND_MIME_PREFIXES: dict[str, tuple[str, ...]] = {
    "image": ("image/",),
    "document": ("application/", "text/", "image/"),
    "audio": ("audio/",),
    "video": ("video/",),
    "sticker": ("image/webp",),
}
_MIME_RE = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*$")


def lead_phone(value: str) -> str:
    """'+55 (81) 99999-0001' → '+5581999990001', or ValueError: the digits must be a number the
    WhatsApp tools will send to (8-15 digits, starting with a country code, so never 0), or the
    request would be accepted and its answer could never be delivered."""
    digits = "".join(ch for ch in value if ch.isdigit())
    if not re.fullmatch(PHONE_PATTERN, digits):
        raise ValueError(
            "phone must be 8 to 15 digits starting with the country code (E.164, e.g. +5581999990001)"
        )
    return f"+{digits}"


def json_body(model: type[BaseModel], description: str) -> dict[str, Any]:
    """`openapi_extra` documenting the JSON body of a route that reads its raw bytes itself (the
    webhooks: the signature needs them as sent): the model's schema, its `$defs` inlined."""
    schema = model.model_json_schema()
    defs = schema.pop("$defs", {})

    def inline(node: Any) -> Any:
        if isinstance(node, list):
            return [inline(item) for item in node]
        if not isinstance(node, dict):
            return node
        if "$ref" in node:
            rest = {k: v for k, v in node.items() if k != "$ref"}
            return inline(defs[node["$ref"].rsplit("/", 1)[-1]]) | inline(rest)
        return {key: inline(value) for key, value in node.items()}

    content = {"application/json": {"schema": inline(schema)}}
    return {"requestBody": {"required": True, "description": description, "content": content}}


def _blank_is_none(value: object) -> object:
    # Template-driven clients (promptfoo's HTTP provider) send "" for a field they have no value for.
    return None if isinstance(value, str) and not value.strip() else value


class ChatMedia(BaseModel):
    """A non-text message. Files (`data_base64`) need the sandbox WhatsApp backend."""

    kind: ChatMediaKind = Field(
        description="image and document are read as bills; the others get a polite reply"
    )
    mime_type: str | None = Field(
        default=None, max_length=100, examples=["application/pdf"], description="Required for files"
    )
    filename: str | None = Field(default=None, max_length=255, examples=["conta-de-luz.pdf"])
    data_base64: str | None = Field(
        default=None, description="The file, base64 (required for image and document)"
    )

    @field_validator("mime_type")
    @classmethod
    def _mime(cls, value: str | None) -> str | None:
        if value is None:
            return None
        mime = value.split(";")[0].strip().lower()
        if not _MIME_RE.match(mime):
            raise ValueError(f"mime_type {value!r} is not a MIME type (e.g. application/pdf)")
        return mime

    @model_validator(mode="after")
    def _consistent(self) -> ChatMedia:
        if self.kind in READABLE_KINDS and not self.data_base64:
            raise ValueError(f"a {self.kind} needs data_base64 (the file Sílvia should read)")
        if self.kind not in FILE_KINDS:
            if self.data_base64 or self.mime_type:
                raise ValueError(f"a {self.kind} message carries no file (no mime_type, no data_base64)")
            return self
        if not self.mime_type:
            raise ValueError(f"a {self.kind} needs its mime_type")
        if not self.mime_type.startswith(KIND_MIME_PREFIXES[self.kind]):
            allowed = ", ".join(p + ("*" if p.endswith("/") else "") for p in KIND_MIME_PREFIXES[self.kind])
            raise ValueError(
                f"mime_type {self.mime_type} does not match kind {self.kind} (expected {allowed})"
            )
        return self


class ChatProfile(BaseModel):
    """What a CRM import or a website form knows about the lead before it writes.

    Given fields are written to the lead's `leads` row before the turn; fields left out keep
    what the row already has. Sílvia reads the row on the lead's first turn.
    """

    name: str | None = Field(
        default=None, examples=["Maria Almeida"], **stored_in("leads.name", "handoffs.lead_name")
    )
    city: str | None = Field(
        default=None, min_length=2, examples=["Recife"], **stored_in("leads.city", "handoffs.city")
    )
    state: str | None = Field(default=None, examples=["PE"], description="UF, two letters")
    bill_amount: float | None = Field(default=None, gt=0, le=1_000_000, examples=[380.0])
    client_type: Literal["residential", "business"] | None = None

    @field_validator("name", "city", "state", "client_type", mode="before")
    @classmethod
    def _blank(cls, value: object) -> object:
        return _blank_is_none(value)

    @field_validator("state")
    @classmethod
    def _uf(cls, value: str | None) -> str | None:
        if value is None:
            return None
        uf = value.strip().upper()
        if uf not in UFS:
            raise ValueError(f"state {value!r} is not a Brazilian UF (e.g. PE, BA, SP)")
        return uf

    @model_validator(mode="after")
    def _something(self) -> ChatProfile:
        if all(getattr(self, f) is None for f in type(self).model_fields):
            raise ValueError(
                "profile is empty: give at least one of name, city, state, bill_amount, client_type"
            )
        return self


class ChatRequest(BaseModel):
    """One thing the lead does: a text, a reply-button tap, or a media message (plus, optionally,
    the CRM profile to seed first). `message` is the text, a button's title or a file's caption."""

    phone: str = Field(min_length=8, max_length=20, examples=["+5581999990001"])
    message: str | None = Field(default=None, max_length=4096, examples=["oi, quero saber da energia solar"])
    name: str | None = Field(
        default=None, examples=["Maria"], **stored_in("leads.name", "handoffs.lead_name")
    )
    button_id: str | None = Field(
        default=None, max_length=256, examples=["plan:plus"], description="A reply-button tap"
    )
    media: ChatMedia | None = None
    profile: ChatProfile | None = None

    @field_validator("phone")
    @classmethod
    def _e164(cls, value: str) -> str:
        return lead_phone(value)

    @field_validator("message", "button_id", mode="before")
    @classmethod
    def _empty(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("button_id", "media", "profile", mode="before")
    @classmethod
    def _blank(cls, value: object) -> object:
        return _blank_is_none(value)

    @model_validator(mode="after")
    def _one_action(self) -> ChatRequest:
        if self.button_id is not None and self.media is not None:
            raise ValueError("send either button_id or media, not both")
        if self.message is None and self.button_id is None and self.media is None:
            raise ValueError("nothing to send: give message, button_id or media")
        return self


class ReplyOut(BaseModel):
    text: str
    buttons: list[dict[str, str]] | None = None
    layer: str | None = None
    prompt_version: str | None = None
    template_id: str | None = Field(default=None, description="The template or knowledge-base answer used")
    topic: str | None = Field(default=None, description="The knowledge-base topic this reply answers")


class ChatResponse(BaseModel):
    phone: str
    stage: str
    intent: str
    replies: list[ReplyOut]
    response_time_ms: int
    prompt_version: str | None = Field(default=None, description="The lead's (sticky) prompt version")
    guard_violations: list[str] = Field(default_factory=list)
    topic: str | None = Field(default=None, description="The knowledge-base topic Sílvia read, if any")

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
            topic=result.state.get("topic") or None,
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


class WorkerBeat(BaseModel):
    consumer: str
    in_flight: int
    age_seconds: float = Field(description="Seconds since its last heartbeat")


class Readiness(BaseModel):
    ready: bool
    dependencies: dict[str, DependencyStatus]
    inbox: dict[str, int] = Field(default_factory=dict)
    workers: list[WorkerBeat] = Field(default_factory=list, description="Inbox workers alive")
    attention: list[str] = Field(
        default_factory=list, description="What needs a person (parked messages, long retries)"
    )


class Health(BaseModel):
    status: str = "ok"
