"""Meta's WhatsApp webhook payload: its shape, and how one message becomes an `Inbound`.

Payload: `{"object": "whatsapp_business_account", "entry": [{"changes": [{"value": {...}}]}]}`
where each `value` may carry `contacts` (profile names), `messages` (what leads sent) and
`statuses` (what happened to what we sent). Unknown fields are kept (Meta adds them often);
missing required ones are a 400 with the path of the problem.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from agent.inbound import Inbound
from storage.columns import column_length, stored_in
from tools.whatsapp_server import META_MEDIA_ID_PATTERN

# Message types that are not a lead talking to us: acknowledged, stored, never answered.
SILENT_TYPES = frozenset({"reaction", "system", "ephemeral", "request_welcome"})


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class MetaContact(_Open):
    wa_id: str
    profile: dict[str, Any] = Field(default_factory=dict)


# A WhatsApp id is the number's digits (E.164 allows at most 15); Unix seconds up to 2100.
WA_ID = r"^\d{6,15}$"
UNIX_SECONDS = r"^\d{1,10}$"
MEDIA_TYPES = frozenset({"image", "document", "audio", "sticker", "video"})
MAX_UNIX_SECONDS = 4_102_444_800


def _plausible_time(value: str | None) -> str | None:
    if value is not None and int(value) > MAX_UNIX_SECONDS:
        raise ValueError("timestamp after the year 2100")
    return value


Timestamp = Annotated[str | None, Field(pattern=UNIX_SECONDS), AfterValidator(_plausible_time)]


class MetaMessage(_Open):
    id: str = Field(min_length=1, **stored_in("inbox_messages.message_id"))
    from_: str = Field(alias="from", pattern=WA_ID)
    type: str = Field(max_length=32)
    timestamp: Timestamp = None

    @model_validator(mode="after")
    def _media_id(self) -> MetaMessage:
        """A media message's id becomes a Graph API path later: Meta's ids are digits, so anything
        else ("..", "../../me") is a forged payload, refused before the 200."""
        body = getattr(self, self.type, None) if self.type in MEDIA_TYPES else None
        media_id = body.get("id") if isinstance(body, dict) else None
        shaped = isinstance(media_id, str) and re.fullmatch(META_MEDIA_ID_PATTERN, media_id)
        if media_id is not None and not shaped:
            raise ValueError(f"{self.type}.id {str(media_id)[:40]!r} is not a WhatsApp media id (digits)")
        return self


class MetaStatus(_Open):
    id: str = Field(min_length=1, **stored_in("outbound_messages.message_id"))
    status: str = Field(max_length=32)
    recipient_id: str | None = Field(default=None, pattern=WA_ID)
    timestamp: Timestamp = None
    errors: list[dict[str, Any]] = Field(default_factory=list)


class MetaValue(_Open):
    messaging_product: str | None = None
    contacts: list[MetaContact] = Field(default_factory=list)
    messages: list[MetaMessage] = Field(default_factory=list)
    statuses: list[MetaStatus] = Field(default_factory=list)


class MetaChange(_Open):
    field: str | None = None
    value: MetaValue


class MetaEntry(_Open):
    id: str | None = None
    changes: list[MetaChange] = Field(default_factory=list)


class MetaWebhook(_Open):
    object: str | None = None
    entry: list[MetaEntry] = Field(min_length=1)


def e164(wa_id: str) -> str:
    """WhatsApp ids are the digits of the number; our leads are keyed by E.164 (`+55…`)."""
    digits = "".join(ch for ch in wa_id if ch.isdigit())
    return f"+{digits}"


def when(timestamp: str | None) -> datetime | None:
    if not timestamp or not timestamp.isdigit():
        return None
    return datetime.fromtimestamp(int(timestamp), tz=UTC)


def raw_messages(webhook: MetaWebhook) -> list[dict[str, Any]]:
    """Each message as the raw JSON Meta sent, with its sender's contact card beside it."""
    found: list[dict[str, Any]] = []
    for entry in webhook.entry:
        for change in entry.changes:
            names = {c.wa_id: profile_name(c) for c in change.value.contacts}
            for message in change.value.messages:
                raw = message.model_dump(mode="json", by_alias=True)
                found.append({"message": raw, "name": names.get(message.from_)})
    return found


NAME_LENGTH = column_length("leads.name")


def profile_name(contact: MetaContact) -> str | None:
    """The lead's WhatsApp profile name, cut to what `leads.name` holds: a display name is not
    worth refusing the webhook (and losing the message) over."""
    name = (contact.profile or {}).get("name")
    return str(name)[:NAME_LENGTH] if name else None


def statuses(webhook: MetaWebhook) -> list[MetaStatus]:
    return [s for entry in webhook.entry for change in entry.changes for s in change.value.statuses]


def is_silent(raw: dict[str, Any]) -> bool:
    return raw["message"].get("type") in SILENT_TYPES


def to_inbound(raw: dict[str, Any]) -> Inbound:
    """One stored raw message (see `raw_messages`) → the `Inbound` the graph understands."""
    message: dict[str, Any] = raw["message"]
    kind = message.get("type", "unsupported")
    base: dict[str, Any] = {
        "phone": e164(message["from"]),
        "message_id": message["id"],
        "name": raw.get("name") or None,
        "received_at": when(message.get("timestamp")),
    }
    body = message.get(kind) if isinstance(message.get(kind), dict) else {}
    if kind == "text":
        return Inbound(**base, kind="text", text=str(body.get("body") or ""))
    if kind == "interactive":
        reply = body.get("button_reply") or body.get("list_reply") or {}
        if reply.get("id"):
            return Inbound(**base, kind="interactive", button_id=reply["id"], text=reply.get("title") or "")
        return Inbound(**base, kind="unsupported")
    if kind == "button":  # a quick-reply button of a template message
        payload = body.get("payload") or body.get("text") or ""
        return Inbound(**base, kind="interactive", button_id=payload, text=body.get("text") or payload)
    if kind in ("image", "document"):
        if not body.get("id"):
            return Inbound(**base, kind="unsupported")
        return Inbound(
            **base,
            kind=kind,
            media_id=body["id"],
            mime_type=body.get("mime_type"),
            filename=body.get("filename"),
            text=body.get("caption") or "",
        )
    if kind == "location":
        where = " — ".join(str(body[k]) for k in ("name", "address") if body.get(k))
        return Inbound(**base, kind="location", text=where)
    if kind in ("audio", "sticker"):
        return Inbound(**base, kind=kind, media_id=body.get("id"), mime_type=body.get("mime_type"))
    return Inbound(**base, kind="unsupported")  # video, contacts, order, anything new
