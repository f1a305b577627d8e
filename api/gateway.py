"""The seed's simple JSON for other gateways (`POST /webhook/silvia`) and how it becomes an `Inbound`.

`{"phone", "message", "type", "image_url", "name"}`: the media of such gateways arrives as a URL,
so the worker fetches it under the rules of `api/media_url.py` (https, allowed hosts, public
addresses only, size, type and time limits) and puts it in the media store the WhatsApp tools
read. That store is the sandbox backend's; with the Cloud backend a URL-only file cannot be
handed to the graph, so it is not fetched at all and the lead gets the polite "could not open
this file" answer.
"""

from __future__ import annotations

import logging
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

from agent.inbound import Inbound
from api.media_url import MediaUrlPolicy, MediaUrlRefused, fetch_media
from api.schemas import lead_phone
from storage.columns import stored_in

log = logging.getLogger(__name__)

GatewayType = Literal["text", "image", "document", "audio", "sticker", "location", "button"]


class GatewayMessage(BaseModel):
    phone: str = Field(min_length=8, max_length=20, description="The lead's phone (digits, + optional)")
    message: str = Field(default="", max_length=4096)
    type: GatewayType = "text"
    image_url: str | None = Field(default=None, max_length=2048, description="Media URL (image/document)")
    name: str | None = Field(default=None, **stored_in("leads.name", "handoffs.lead_name"))
    message_id: str | None = Field(
        default=None, description="Gateway's id, for de-duplication", **stored_in("inbox_messages.message_id")
    )
    mime_type: str | None = Field(default=None, max_length=100)
    filename: str | None = Field(default=None, max_length=200)

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str) -> str:
        return lead_phone(value)


async def to_inbound(payload: dict[str, Any], silvia: Any, policy: MediaUrlPolicy) -> Inbound:
    """A stored gateway message → `Inbound`; media URLs become media ids in the sandbox store.

    A URL that cannot be fetched under the rules (api/media_url.py) is not an error of the turn:
    the lead gets the polite "could not open this file" answer, and the log says why."""
    msg = GatewayMessage.model_validate(payload)
    base: dict[str, Any] = {"phone": msg.phone, "name": msg.name, "message_id": msg.message_id}
    if msg.type == "button":
        return Inbound(**base, kind="interactive", button_id=msg.message, text=msg.message)
    if msg.type in ("image", "document"):
        if not msg.image_url or getattr(silvia, "sandbox", None) is None:
            return Inbound(**base, kind="unsupported", text=msg.message)  # nowhere to keep the file
        try:
            fetched = await fetch_media(msg.image_url, policy)
        except MediaUrlRefused as exc:
            log.warning("gateway media not fetched: %s", exc)
            return Inbound(**base, kind="unsupported", text=msg.message)
        media_id = silvia.receive_media(fetched.data, fetched.mime_type, msg.filename)
        return Inbound(
            **base, kind=msg.type, media_id=media_id, mime_type=fetched.mime_type, filename=msg.filename
        )
    if msg.type == "text":
        return Inbound(**base, kind="text", text=msg.message)
    return Inbound(**base, kind=msg.type, text=msg.message)
