"""The WhatsApp MCP server: send messages, download media, mark as read.

Tool names and arguments follow the seed (camelCase). The server validates input and maps
backend failures to `ToolError`, so the message reaches the client; the backend does the
work. `SandboxBackend` (the default) records what would have been sent and keeps "received"
media in a local directory; the Cloud API backend implements the same `WhatsAppBackend`.
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
import re
import tempfile
import threading
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

from mcp.server import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import AfterValidator, BaseModel, Field, WithJsonSchema

from agent.ports import MediaFile, WhatsAppPort

PHONE_PATTERN = r"^\+?[1-9]\d{7,14}$"
# A media id is a file name in the sandbox store and a path segment at the Graph API: it starts
# with a letter or digit, so "." and ".." (a directory, a step up) are never one.
MEDIA_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$"
# Meta's media ids are Graph API object ids: digits only.
META_MEDIA_ID_PATTERN = r"^\d{1,32}$"
LANGUAGE_PATTERN = r"^[a-z]{2}(_[A-Z]{2})?$"
MAX_TEXT = 4096  # WhatsApp's limit for a text message body
MAX_BUTTONS = 3
MAX_BUTTON_TITLE = 20
MAX_LIST_ROWS = 10  # Meta's limits for an interactive list message
MAX_ROW_TITLE = 24
MAX_ROW_DESCRIPTION = 72

# --- backend contract -------------------------------------------------------------------------


class WhatsAppBackendError(Exception):
    """A failure the caller should see verbatim (e.g. the Cloud API rejected the message)."""


class MediaNotFoundError(WhatsAppBackendError, LookupError):
    """No media with that id."""


# A backend does what the nodes' WhatsApp port does (sandbox or Meta's Cloud API); the MCP
# server sits between the two, so they share one contract.
WhatsAppBackend = WhatsAppPort


# --- sandbox backend --------------------------------------------------------------------------


def _digits(phone: str) -> str:
    return re.sub(r"\D", "", phone)


def default_media_dir() -> Path:
    return Path(tempfile.gettempdir()) / "silvia-media"


def write_media(
    media_dir: Path, media_id: str, data: bytes, mime_type: str, filename: str | None
) -> MediaFile:
    """Keep a lead's file in the media directory (both backends) and describe it."""
    ext = mimetypes.guess_extension(mime_type.split(";")[0].strip()) or ".bin"
    media_dir.mkdir(parents=True, exist_ok=True)
    path = media_dir / f"{media_id}{ext}"
    path.write_bytes(data)
    return MediaFile(
        media_id=media_id,
        mime_type=mime_type,
        filename=filename,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        path=str(path.resolve()),
    )


class SandboxBackend:
    """Records outbound messages in memory; serves media registered in a local directory.

    Thread-safe, because the HTTP transport may run the server on another thread than the
    code that reads `sent()` or registers media.
    """

    def __init__(self, media_dir: str | Path | None = None) -> None:
        self.media_dir = Path(media_dir) if media_dir is not None else default_media_dir()
        self._lock = threading.Lock()
        self._messages: list[dict[str, Any]] = []
        self._read: list[str] = []
        self._counter = 0

    # outbound ------------------------------------------------------------------------------

    def _record(self, to: str, kind: str, **content: Any) -> str:
        with self._lock:
            self._counter += 1
            message_id = f"wamid.sandbox.{self._counter}"
            self._messages.append(
                {
                    "to": to,
                    "kind": kind,
                    **content,
                    "message_id": message_id,
                    "timestamp": datetime.now(UTC).isoformat(),
                }
            )
        return message_id

    async def send_text(self, to: str, message: str) -> str:
        return self._record(to, "text", body=message)

    async def send_buttons(self, to: str, body: str, buttons: list[dict[str, str]]) -> str:
        return self._record(to, "buttons", body=body, buttons=[dict(b) for b in buttons])

    async def send_list(self, to: str, body: str, button: str, rows: list[dict[str, str]]) -> str:
        return self._record(to, "list", body=body, button=button, rows=[dict(r) for r in rows])

    async def send_template(self, to: str, template: str, language: str, parameters: dict[str, str]) -> str:
        return self._record(to, "template", template=template, language=language, parameters=dict(parameters))

    async def mark_as_read(self, message_id: str) -> bool:
        with self._lock:
            self._read.append(message_id)
        return True

    def sent(self, to: str | None = None) -> list[dict[str, Any]]:
        """Messages sent so far, oldest first; `to` matches on digits (+55... == 55...)."""
        with self._lock:
            messages = [dict(m) for m in self._messages]
        if to is None:
            return messages
        return [m for m in messages if _digits(m["to"]) == _digits(to)]

    def read_receipts(self) -> list[str]:
        with self._lock:
            return list(self._read)

    def clear(self) -> None:
        with self._lock:
            self._messages.clear()
            self._read.clear()

    # media ---------------------------------------------------------------------------------

    def register_media(self, data: bytes, mime_type: str, filename: str | None = None) -> str:
        """Store bytes as if a lead had sent them; returns the media id to put in the event."""
        media_id = f"media.sandbox.{uuid.uuid4().hex}"
        meta = write_media(self.media_dir, media_id, data, mime_type, filename)
        # A sidecar (not only memory) so another process sharing the directory can serve it.
        self._meta_path(media_id).write_text(meta.model_dump_json(), encoding="utf-8")
        return media_id

    def _meta_path(self, media_id: str) -> Path:
        return self.media_dir / f"{media_id}.json"

    async def download_media(self, media_id: str) -> MediaFile:
        if not re.fullmatch(MEDIA_ID_PATTERN, media_id):
            raise MediaNotFoundError(f"unknown media id {media_id!r}")
        meta_path = self._meta_path(media_id)
        try:
            meta = MediaFile.model_validate(json.loads(meta_path.read_text(encoding="utf-8")))
        except (OSError, ValueError) as exc:
            raise MediaNotFoundError(f"unknown media id {media_id!r}") from exc
        if not Path(meta.path).is_file():
            raise MediaNotFoundError(f"media {media_id!r} is registered but its file is gone")
        return meta


# --- tool argument types ----------------------------------------------------------------------


def _check_phone(value: str) -> str:
    if not re.fullmatch(PHONE_PATTERN, value):
        raise ValueError(f"{value!r} is not a phone number in E.164 format (e.g. +5581999990000)")
    return value


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


Phone = Annotated[
    str,
    AfterValidator(_check_phone),
    WithJsonSchema(
        {"type": "string", "pattern": PHONE_PATTERN, "description": "Recipient, E.164 (e.g. +5581999990000)"}
    ),
]
Text = Annotated[str, Field(min_length=1, max_length=MAX_TEXT), AfterValidator(_not_blank)]


class Button(BaseModel):
    id: Annotated[str, Field(min_length=1, max_length=256, description="Reply id returned when tapped")]
    title: Annotated[
        str, Field(min_length=1, max_length=MAX_BUTTON_TITLE, description="Label, at most 20 characters")
    ]


class ListRow(BaseModel):
    id: Annotated[str, Field(min_length=1, max_length=200, description="Reply id returned when chosen")]
    title: Annotated[str, Field(min_length=1, max_length=MAX_ROW_TITLE)]
    description: Annotated[str, Field(max_length=MAX_ROW_DESCRIPTION)] = ""


class MessageSent(BaseModel):
    message_id: str


class ReadResult(BaseModel):
    ok: bool


# --- server -----------------------------------------------------------------------------------


async def _backend_call(coro: Any) -> Any:
    """Await a backend call, turning anticipated backend failures into ToolErrors."""
    try:
        return await coro
    except WhatsAppBackendError as exc:
        raise ToolError(str(exc)) from exc


def build_whatsapp_server(backend: WhatsAppBackend | None = None) -> MCPServer:
    """The WhatsApp MCP server over `backend` (a fresh `SandboxBackend` when omitted)."""
    backend = backend if backend is not None else SandboxBackend()
    server = MCPServer(
        "silvia-whatsapp",
        instructions="Send WhatsApp messages to leads and fetch media they sent.",
        log_level="WARNING",
    )

    @server.tool(name="sendTextMessage", description="Send a text message (max 4096 characters).")
    async def send_text_message(to: Phone, message: Text) -> MessageSent:
        return MessageSent(message_id=await _backend_call(backend.send_text(to, message)))

    @server.tool(
        name="sendInteractiveButtons",
        description="Send a message with up to 3 reply buttons (titles up to 20 characters, unique ids).",
    )
    async def send_interactive_buttons(
        to: Phone,
        body: Text,
        buttons: Annotated[list[Button], Field(min_length=1, max_length=MAX_BUTTONS)],
    ) -> MessageSent:
        ids = [b.id for b in buttons]
        if len(set(ids)) != len(ids):
            raise ToolError(f"button ids must be unique, got {ids}")
        payload = [b.model_dump() for b in buttons]
        return MessageSent(message_id=await _backend_call(backend.send_buttons(to, body, payload)))

    @server.tool(
        name="sendInteractiveList",
        description="Send a list message: a button (up to 20 characters) that opens up to 10 rows.",
    )
    async def send_interactive_list(
        to: Phone,
        body: Text,
        button: Annotated[str, Field(min_length=1, max_length=MAX_BUTTON_TITLE)],
        rows: Annotated[list[ListRow], Field(min_length=1, max_length=MAX_LIST_ROWS)],
    ) -> MessageSent:
        ids = [r.id for r in rows]
        if len(set(ids)) != len(ids):
            raise ToolError(f"row ids must be unique, got {ids}")
        payload = [r.model_dump() for r in rows]
        return MessageSent(message_id=await _backend_call(backend.send_list(to, body, button, payload)))

    @server.tool(
        name="sendTemplateMessage",
        description="Send an approved template (needed 24 h after the lead's last message).",
    )
    async def send_template_message(
        to: Phone,
        template: Annotated[str, Field(min_length=1, max_length=512, pattern=r"^[a-z0-9_]+$")],
        language: Annotated[str, Field(pattern=LANGUAGE_PATTERN, description="e.g. pt_BR")] = "pt_BR",
        parameters: dict[str, str] | None = None,
    ) -> MessageSent:
        sent = backend.send_template(to, template, language, parameters or {})
        return MessageSent(message_id=await _backend_call(sent))

    @server.tool(
        name="downloadMedia",
        description="Fetch media a lead sent: where the bytes are (path) and their sha256, not the bytes.",
    )
    async def download_media(
        media_id: Annotated[str, Field(min_length=1, max_length=128, pattern=MEDIA_ID_PATTERN)],
    ) -> MediaFile:
        return await _backend_call(backend.download_media(media_id))

    @server.tool(name="markAsRead", description="Mark an inbound message as read (blue ticks).")
    async def mark_as_read(message_id: Annotated[str, Field(min_length=1, max_length=256)]) -> ReadResult:
        return ReadResult(ok=bool(await _backend_call(backend.mark_as_read(message_id))))

    return server
