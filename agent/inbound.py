"""One inbound event for a lead: a WhatsApp message of any kind, or a follow-up tick."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, field_validator

InboundKind = Literal[
    "text",
    "interactive",  # button or list reply: `button_id` holds the id, `text` the title
    "image",
    "document",
    "audio",
    "sticker",
    "location",
    "unsupported",
    "followup_tick",  # not from the lead: the scheduler asks for a follow-up
]

MEDIA_KINDS: frozenset[str] = frozenset({"image", "document"})
UNUSABLE_KINDS: frozenset[str] = frozenset({"audio", "sticker", "location", "unsupported"})


class Inbound(BaseModel):
    """What arrived. Only `phone` and `kind` are always present."""

    phone: str = Field(description="E.164 phone of the lead, e.g. +5581999990001")
    kind: InboundKind = "text"
    text: str = Field(default="", description="The message text (for a button press, its title)")
    button_id: str | None = Field(default=None, description="interactive only: id of the button pressed")
    media_id: str | None = None
    mime_type: str | None = None
    filename: str | None = None
    message_id: str | None = None
    name: str | None = Field(default=None, description="Profile name WhatsApp gave us, if any")
    received_at: datetime | None = None  # followup_tick: the pass instant it belongs to
    followup_kind: str | None = Field(
        default=None, description="followup_tick only: what the scheduler planned (a kind, or 'lost')"
    )

    @field_validator("text", "name", "filename", "button_id", mode="before")
    @classmethod
    def _drop_nul(cls, value: object) -> object:
        # U+0000 cannot be stored in PostgreSQL text columns and never carries meaning.
        return value.replace("\x00", "") if isinstance(value, str) else value

    @property
    def thread_id(self) -> str:
        return f"lead:{self.phone}"
