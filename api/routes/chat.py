"""Synchronous chat (`POST /v1/chat`) for integrations, demos and the eval suite, and the sandbox log.

A request is one thing the lead does — a text, a reply-button tap, or a media message — and may
carry the CRM profile to seed first. Everything is validated before anything is written: a bad
request gets its 4xx with a reason and leaves no lead row, file or conversation state behind.
"""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Any

from fastapi import APIRouter, Header, HTTPException, Query

from agent.inbound import Inbound
from agent.ports import LeadRecord
from api.schemas import READABLE_KINDS, ChatMedia, ChatProfile, ChatRequest, ChatResponse
from api.services import Services, ServicesDep
from api.signature import same_secret
from ops.responses import error_responses
from wiring import Silvia

router = APIRouter(tags=["chat"])

_ERRORS = error_responses(
    401,
    409,
    413,
    422,
    503,
    e401="Missing or wrong X-API-Key",
    e409="A file was sent but the sandbox WhatsApp backend is not in use",
    e413="The file is larger than SILVIA_MAX_BILL_BYTES",
)


@router.post("/v1/chat", response_model=ChatResponse, responses=_ERRORS)
async def chat(
    request: ChatRequest,
    services: ServicesDep,
    api_key: Annotated[str | None, Header(alias="X-API-Key")] = None,
) -> ChatResponse:
    """Run one turn now and return Sílvia's replies (the key is required when SILVIA_API_KEY is set).

    Send `message` (text), `button_id` (a reply-button tap; `message` is its title) or `media`
    (`data_base64` with image/document is stored in the sandbox media store and read as a bill;
    production media comes from Meta's webhook). `profile` fills the lead's CRM row before the turn.
    """
    check_api_key(services, api_key)
    data = _media_bytes(request.media, services) if request.media else None
    silvia = services.silvia
    async with services.locks.hold(request.phone):  # never alongside a webhook turn of the lead
        if request.profile is not None:
            await seed_profile(silvia, request.phone, request.profile, request.name)
        inbound = _inbound(request, silvia, data)
        result = await silvia.handle(inbound, durability="sync")
    sent = [s.get("message_id") for s in result.state.get("sent") or [] if s.get("ok")]
    await services.statuses.record_sent(request.phone, sent)
    return ChatResponse.of(result)


def _media_bytes(media: ChatMedia, services: Services) -> bytes | None:
    """The decoded file of a media message, or the 4xx that says why it cannot be taken."""
    if media.data_base64 is None:
        return None
    if services.silvia.sandbox is None:
        raise HTTPException(
            status_code=409,
            detail="files over /v1/chat need the sandbox WhatsApp backend (WHATSAPP_BACKEND=sandbox); "
            "in production, media arrives through Meta's webhook",
        )
    try:
        data = base64.b64decode("".join(media.data_base64.split()), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise HTTPException(status_code=422, detail=f"media.data_base64 is not valid base64 ({exc})") from exc
    if not data:
        raise HTTPException(status_code=422, detail="media.data_base64 is empty")
    limit = services.settings.max_bill_bytes
    if len(data) > limit:
        raise HTTPException(
            status_code=413,
            detail=f"the file has {len(data)} bytes; the limit is {limit} (SILVIA_MAX_BILL_BYTES)",
        )
    return data


def _inbound(request: ChatRequest, silvia: Silvia, data: bytes | None) -> Inbound:
    """The inbound event the request stands for (a file lands in the sandbox media store)."""
    phone, name, text = request.phone, request.name, request.message or ""
    if request.button_id is not None:
        return Inbound(
            phone=phone,
            kind="interactive",
            button_id=request.button_id,
            text=text or request.button_id,
            name=name,
        )
    media = request.media
    if media is None:
        return Inbound(phone=phone, kind="text", text=text, name=name)
    media_id = silvia.receive_media(data, media.mime_type or "", media.filename) if data else None
    if media.kind in READABLE_KINDS:
        return Inbound(
            phone=phone,
            kind=media.kind,  # type: ignore[arg-type]
            media_id=media_id,
            mime_type=media.mime_type,
            filename=media.filename,
            text=text,  # the caption
            name=name,
        )
    if media.kind == "location":
        return Inbound(phone=phone, kind="location", text=text, name=name)
    kind = media.kind if media.kind in ("audio", "sticker") else "unsupported"  # video, as from Meta
    return Inbound(phone=phone, kind=kind, media_id=media_id, mime_type=media.mime_type, name=name)  # type: ignore[arg-type]


async def seed_profile(silvia: Silvia, phone: str, profile: ChatProfile, name: str | None) -> None:
    """Fill the lead's `leads` row as a CRM import would: given fields win, the rest is kept."""
    old = await silvia.leads.get_lead(phone)
    await silvia.leads.upsert_lead(
        LeadRecord(
            phone=phone,
            name=profile.name or (old.name if old else "") or name or "",
            city=profile.city or (old.city if old else None),
            state=profile.state or (old.state if old else None),
            bill_amount=profile.bill_amount or (old.bill_amount if old else None),
            client_type=profile.client_type or (old.client_type if old else "residential"),
            source="crm_import",  # kept only when the lead has no source yet
        )
    )


def check_api_key(services: Services, api_key: str | None) -> None:
    """X-API-Key must match SILVIA_API_KEY. Unset, the key is not checked: only possible on the
    embedded default or under SILVIA_INSECURE_DEV (api/startup_checks.py)."""
    expected = services.settings.api_key
    if expected and (api_key is None or not same_secret(api_key, expected)):
        raise HTTPException(status_code=401, detail="missing or invalid X-API-Key")


@router.get(
    "/sandbox/messages",
    responses=error_responses(
        401, 404, 422, 503, e404="The sandbox backend is not in use (WHATSAPP_BACKEND)"
    ),
)
async def sandbox_messages(
    services: ServicesDep,
    api_key: Annotated[str | None, Header(alias="X-API-Key")] = None,
    to: Annotated[str | None, Query(description="Only messages to this phone")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[dict[str, Any]]:
    """What the sandbox WhatsApp backend 'sent', newest last (every lead's messages: the API key)."""
    check_api_key(services, api_key)
    sandbox = services.silvia.sandbox
    if sandbox is None:
        raise HTTPException(status_code=404, detail="the sandbox backend is not in use (WHATSAPP_BACKEND)")
    return sandbox.sent(to)[-limit:]
