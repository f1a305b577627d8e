"""The seed's simple JSON for other gateways (`POST /webhook/silvia`) and how it becomes an `Inbound`.

`{"phone", "message", "type", "image_url", "name"}`: the media of such gateways arrives as a URL,
so the worker fetches it (size-limited) and puts it in the media store the WhatsApp tools
read. That store is the sandbox backend's; with the Cloud backend a URL-only file cannot be
handed to the graph, and the lead gets the polite "could not open this file" answer.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Literal

import httpx
from pydantic import BaseModel, Field, field_validator

from agent.inbound import Inbound

log = logging.getLogger(__name__)

GatewayType = Literal["text", "image", "document", "audio", "sticker", "location", "button"]


class GatewayMessage(BaseModel):
    phone: str = Field(min_length=8, max_length=20, description="The lead's phone (digits, + optional)")
    message: str = Field(default="", max_length=4096)
    type: GatewayType = "text"
    image_url: str | None = Field(default=None, max_length=2048, description="Media URL (image/document)")
    name: str | None = Field(default=None, max_length=100)
    message_id: str | None = Field(
        default=None, max_length=128, description="Gateway's id, for de-duplication"
    )
    mime_type: str | None = Field(default=None, max_length=100)
    filename: str | None = Field(default=None, max_length=200)

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str) -> str:
        digits = re.sub(r"\D", "", value)
        if not 8 <= len(digits) <= 15:
            raise ValueError("phone must have 8 to 15 digits (E.164)")
        return f"+{digits}"

    @field_validator("image_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("image_url must be an http(s) URL")
        return value


async def fetch_media(url: str, max_bytes: int) -> tuple[bytes, str] | None:
    """The bytes behind a gateway's media URL, or None when they cannot be fetched."""
    try:
        async with (
            httpx.AsyncClient(timeout=15.0, follow_redirects=True) as client,
            client.stream("GET", url) as response,
        ):
            if not response.is_success:
                return None
            chunks: list[bytes] = []
            size = 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    return None
                chunks.append(chunk)
            mime = response.headers.get("content-type", "application/octet-stream").split(";")[0]
            return b"".join(chunks), mime
    except httpx.HTTPError as exc:
        log.warning("could not fetch gateway media: %r", exc)
        return None


async def to_inbound(payload: dict[str, Any], silvia: Any, max_bytes: int) -> Inbound:
    """A stored gateway message → `Inbound`; media URLs become media ids in the sandbox store."""
    msg = GatewayMessage.model_validate(payload)
    base: dict[str, Any] = {"phone": msg.phone, "name": msg.name, "message_id": msg.message_id}
    if msg.type == "button":
        return Inbound(**base, kind="interactive", button_id=msg.message, text=msg.message)
    if msg.type in ("image", "document"):
        fetched = await fetch_media(msg.image_url, max_bytes) if msg.image_url else None
        if fetched is None or getattr(silvia, "sandbox", None) is None:
            return Inbound(**base, kind="unsupported", text=msg.message)
        data, mime = fetched
        mime = msg.mime_type or mime
        media_id = silvia.receive_media(data, mime, msg.filename)
        return Inbound(**base, kind=msg.type, media_id=media_id, mime_type=mime, filename=msg.filename)
    if msg.type == "text":
        return Inbound(**base, kind="text", text=msg.message)
    return Inbound(**base, kind=msg.type, text=msg.message)
