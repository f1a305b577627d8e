"""Synchronous chat (`POST /v1/chat`) for integrations, demos and the eval suite, and the sandbox log."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, HTTPException, Query

from agent.inbound import Inbound
from api.schemas import ChatRequest, ChatResponse, ErrorBody
from api.services import ServicesDep
from api.signature import same_secret

router = APIRouter(tags=["chat"])


@router.post("/v1/chat", response_model=ChatResponse, responses={401: {"model": ErrorBody}})
async def chat(
    request: ChatRequest,
    services: ServicesDep,
    api_key: Annotated[str | None, Header(alias="X-API-Key")] = None,
) -> ChatResponse:
    """Run one turn now and return Sílvia's replies (the key is required when SILVIA_API_KEY is set)."""
    expected = services.settings.api_key
    if expected and (api_key is None or not same_secret(api_key, expected)):
        raise HTTPException(status_code=401, detail="missing or invalid X-API-Key")
    inbound = Inbound(phone=request.phone, kind="text", text=request.message, name=request.name)
    async with services.locks.hold(request.phone):  # never alongside a webhook turn of the lead
        result = await services.silvia.handle(inbound, durability="sync")
    sent = [s.get("message_id") for s in result.state.get("sent") or [] if s.get("ok")]
    await services.statuses.record_sent(request.phone, sent)
    return ChatResponse.of(result)


@router.get("/sandbox/messages", responses={404: {"model": ErrorBody}})
async def sandbox_messages(
    services: ServicesDep,
    to: Annotated[str | None, Query(description="Only messages to this phone")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[dict[str, Any]]:
    """What the sandbox WhatsApp backend 'sent', newest last."""
    sandbox = services.silvia.sandbox
    if sandbox is None:
        raise HTTPException(status_code=404, detail="the sandbox backend is not in use (WHATSAPP_BACKEND)")
    return sandbox.sent(to)[-limit:]
