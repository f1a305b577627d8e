"""The webhooks: Meta's WhatsApp Cloud API (`/webhook/whatsapp`) and the simple gateway JSON.

Both only check, store and acknowledge: the message is in the inbox before the 200 goes out,
and the graph runs later in the worker, so Meta gets its answer in milliseconds and a
crash after the 200 loses nothing. Storage trouble answers 503, and Meta retries.
"""

from __future__ import annotations

import logging
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Header, HTTPException, Query, Request
from fastapi.responses import PlainTextResponse
from opentelemetry.trace import SpanKind
from pydantic import ValidationError

from api import meta
from api.gateway import GatewayMessage
from api.http_body import parse_json, read_limited, require_json
from api.media_url import MediaUrlPolicy, MediaUrlRefused, check_url
from api.schemas import Accepted, json_body
from api.services import Services, ServicesDep, SettingsDep
from api.signature import same_secret, signature_ok
from ops import tracing
from ops.responses import error_responses
from storage.delivery_statuses import StatusUpdate

log = logging.getLogger(__name__)

router = APIRouter(tags=["webhooks"])
VERIFY_ERRORS = error_responses(
    403, e403="hub.verify_token is not WHATSAPP_VERIFY_TOKEN (or hub.mode is not subscribe)"
)
META_ERRORS = error_responses(
    400, 401, 413, 415, 503, e401="X-Hub-Signature-256 missing or not the body's HMAC with the app secret"
)
GATEWAY_ERRORS = error_responses(
    400, 401, 403, 413, 415, 422, 503, e403="The endpoint is disabled: SILVIA_API_KEY is not set"
)


@router.get("/webhook/whatsapp", response_class=PlainTextResponse, responses=VERIFY_ERRORS)
async def verify_whatsapp(
    settings: SettingsDep,
    mode: Annotated[str | None, Query(alias="hub.mode")] = None,
    token: Annotated[str | None, Query(alias="hub.verify_token")] = None,
    challenge: Annotated[str | None, Query(alias="hub.challenge")] = None,
) -> str:
    """Meta's subscription check: echo `hub.challenge` when the verify token matches."""
    expected = settings.whatsapp_verify_token
    if not expected or mode != "subscribe" or token is None or not same_secret(token, expected):
        raise HTTPException(status_code=403, detail="verification failed")
    return challenge or ""


@router.post(
    "/webhook/whatsapp",
    response_model=Accepted,
    responses=META_ERRORS,
    openapi_extra=json_body(meta.MetaWebhook, "Meta's webhook payload, signed in X-Hub-Signature-256"),
)
async def whatsapp_webhook(
    request: Request,
    services: ServicesDep,
    signature: Annotated[str | None, Header(alias="X-Hub-Signature-256")] = None,
) -> Accepted:
    """Store every message of Meta's payload in the inbox, record statuses, answer 200."""
    settings = services.settings
    body = await read_limited(request, settings.max_webhook_bytes)
    secret = settings.whatsapp_app_secret
    if secret and not signature_ok(body, signature, secret):
        raise HTTPException(status_code=401, detail="missing or invalid X-Hub-Signature-256")
    require_json(request)
    try:
        webhook = meta.MetaWebhook.model_validate(parse_json(body))
    except ValidationError as exc:
        problems = [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()[:10]]
        raise HTTPException(
            status_code=400, detail={"reason": "not a WhatsApp webhook", "problems": problems}
        ) from exc
    accepted = Accepted(received=0)
    try:
        await _store_messages(services, webhook, accepted)
        await _store_statuses(services, webhook, accepted)
    except Exception as exc:  # the inbox is unreachable: make Meta retry rather than lose it
        log.exception("webhook could not be stored")
        raise HTTPException(status_code=503, detail="could not store the message; retry") from exc
    return accepted


async def _store_messages(services: Services, webhook: meta.MetaWebhook, accepted: Accepted) -> None:
    for raw in meta.raw_messages(webhook):
        if meta.is_silent(raw):
            accepted.ignored += 1
            continue
        message = raw["message"]
        stored = await _enqueue(services, message["id"], meta.e164(message["from"]), "whatsapp", raw)
        if stored:
            accepted.received += 1
        else:
            accepted.duplicates += 1


async def _enqueue(
    services: Services, message_id: str, phone: str, source: str, payload: dict[str, Any]
) -> bool:
    """Put a message in the inbox with the trace context the worker continues (ops/tracing.py)."""
    with tracing.traced(
        "inbox enqueue",
        kind=SpanKind.PRODUCER,
        attributes={
            "messaging.system": "silvia.inbox",
            "silvia.source": source,
            **tracing.lead_attributes(phone),
        },
    ) as span:
        stored = await services.inbox.put(message_id, phone, source, tracing.with_trace_context(payload))
        span.set_attribute("silvia.inbox.duplicate", not stored)
        return stored


async def _store_statuses(services: Services, webhook: meta.MetaWebhook, accepted: Accepted) -> None:
    """All of the webhook's statuses in one transaction (storage/delivery_statuses.py)."""
    updates = [
        StatusUpdate(
            message_id=status.id,
            status=status.status,
            at=meta.when(status.timestamp),
            phone=meta.e164(status.recipient_id) if status.recipient_id else None,
            errors=status.errors,
        )
        for status in meta.statuses(webhook)
    ]
    if updates:
        await services.statuses.record_statuses(updates)
    accepted.statuses += len(updates)


@router.post(
    "/webhook/silvia",
    response_model=Accepted,
    responses=GATEWAY_ERRORS,
    openapi_extra=json_body(GatewayMessage, "One message of another gateway"),
)
async def gateway_webhook(
    request: Request,
    services: ServicesDep,
    api_key: Annotated[str | None, Header(alias="X-API-Key")] = None,
) -> Accepted:
    """The seed's simple JSON (`phone`, `message`, `type`, `image_url`, `name`) for other gateways."""
    settings = services.settings
    if not settings.api_key:
        raise HTTPException(status_code=403, detail="this endpoint is disabled: set SILVIA_API_KEY")
    if api_key is None or not same_secret(api_key, settings.api_key):
        raise HTTPException(status_code=401, detail="missing or invalid X-API-Key")
    body = await read_limited(request, settings.max_webhook_bytes)
    require_json(request)
    try:
        message = GatewayMessage.model_validate(parse_json(body))
    except ValidationError as exc:
        problems = [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()[:10]]
        raise HTTPException(status_code=422, detail=problems) from exc
    if message.type in ("image", "document") and not message.image_url:
        raise HTTPException(status_code=422, detail=f"a {message.type} message needs image_url")
    if message.image_url:
        try:  # what can be judged without the network; the worker checks every hop again
            check_url(message.image_url, MediaUrlPolicy.of(settings))
        except MediaUrlRefused as exc:
            raise HTTPException(status_code=422, detail=[f"image_url: {exc}"]) from exc
    if message.type == "text" and not message.message.strip():
        raise HTTPException(status_code=422, detail="a text message needs a non-empty message")
    message_id = message.message_id or f"gw.{uuid.uuid4().hex}"
    payload = message.model_dump(mode="json") | {"message_id": message_id}
    try:
        stored = await _enqueue(services, message_id, message.phone, "silvia", payload)
    except Exception as exc:
        log.exception("gateway message could not be stored")
        raise HTTPException(status_code=503, detail="could not store the message; retry") from exc
    return Accepted(received=int(stored), duplicates=int(not stored))
