"""Where a conversation is replayed: in-process (embedded), a running `silvia serve`, or as recorded.

Every target plays one conversation on a fresh thread and returns one `TurnOutput` per turn.
"""

from __future__ import annotations

import base64
import tempfile
import time
from contextlib import AsyncExitStack
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import httpx

from agent.inbound import Inbound
from agent.ports import LeadRecord
from agent.replies.templates import PromptBook
from evals.attachments import render_attachment
from evals.dataset import Conversation, LeadProfile, Turn
from settings import Settings
from wiring import open_silvia

# Tuesday 24 Nov 2026, 14:00 in Recife: business hours, so replays never depend on today.
FIXED_CLOCK = datetime(2026, 11, 24, 17, 0, tzinfo=UTC)
EVAL_MAX_BILL_BYTES = 2 * 1024 * 1024


@dataclass
class TurnOutput:
    replies: list[str]
    stage: str | None = None
    intent: str | None = None
    layer: str | None = None
    prompt_version: str | None = None  # of the first reply's template
    lead_version: str | None = None  # the version the lead is assigned (sticky per lead)
    latency_ms: float = 0.0
    guard_violations: list[str] = field(default_factory=list)
    templates: list[str] = field(default_factory=list)
    kb_topic: str | None = None  # the knowledge-base topic Sílvia's reading named (state["topic"])
    reply_topics: list[str] = field(default_factory=list)  # the topic each reply says it answers
    error: str | None = None
    skipped: bool = False  # a restart marker: no message, nothing to grade


class Target(Protocol):
    name: str

    async def play(self, conv: Conversation, prompt_version: str | None) -> list[TurnOutput]: ...

    def unsupported(self, conv: Conversation) -> str | None:
        """Why this target cannot replay `conv` (None = it can)."""
        ...


class EmbeddedTarget:
    """A real Sílvia built by `wiring.open_silvia` on a temporary data dir, with a fixed clock."""

    name = "embedded"

    def __init__(self, data_dir: Path | None = None, prompts_dir: Path | None = None, **env: str) -> None:
        self._tmp = None if data_dir else tempfile.TemporaryDirectory(prefix="silvia-eval-")
        self.data_dir = data_dir or Path(self._tmp.name)  # type: ignore[union-attr]
        self.prompts_dir = prompts_dir
        self.env = env
        self.clock = [FIXED_CLOCK]
        self._stack: AsyncExitStack | None = None
        self.silvia: Any = None

    async def __aenter__(self) -> EmbeddedTarget:
        await self._open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._close()
        if self._tmp:
            self._tmp.cleanup()

    async def _open(self) -> None:
        # Storage and tools always embedded and fresh (never the developer's Redis or database);
        # the LLM layer follows the environment, so a configured model is graded too.
        env = {
            "SILVIA_DATA_DIR": str(self.data_dir),
            "SILVIA_MAX_BILL_BYTES": str(EVAL_MAX_BILL_BYTES),
            "DATABASE_URL": "",
            "REDIS_URL": "",
            "WHATSAPP_MCP_URL": "",
            "SERENA_MCP_URL": "",
            "WHATSAPP_BACKEND": "sandbox",
        }
        settings = Settings(_env_file=None, **(env | self.env))  # type: ignore[call-arg]
        self._stack = AsyncExitStack()
        self.silvia = await self._stack.enter_async_context(
            open_silvia(settings, clock=lambda: self.clock[0])
        )
        if self.prompts_dir:
            self._set_deps(prompts=PromptBook.load(self.prompts_dir))

    def _set_deps(self, **changes: Any) -> None:
        """Deps are frozen: the eval runs the next turns with a copy carrying `changes`."""
        self.silvia.deps = replace(self.silvia.deps, **changes)

    async def _close(self) -> None:
        if self._stack:
            await self._stack.aclose()
            self._stack = None

    def unsupported(self, conv: Conversation) -> str | None:
        return None

    async def play(self, conv: Conversation, prompt_version: str | None) -> list[TurnOutput]:
        phone = conv.phone()
        default_version = self.silvia.deps.prompt_version
        self._set_deps(prompt_version=conv.prompt_version or prompt_version or default_version)
        try:
            await self._fresh_thread(conv, phone)
            return [await self._turn(conv, turn, phone) for turn in conv.turns]
        finally:
            if self.silvia is not None:
                self._set_deps(prompt_version=default_version)

    async def _fresh_thread(self, conv: Conversation, phone: str) -> None:
        await self.silvia.graph.checkpointer.adelete_thread(f"lead:{phone}")
        await self.silvia.leads.forget(phone)
        if conv.lead.seeded:  # known before the first message, as a CRM import would be
            lead = conv.lead
            await self.silvia.leads.upsert_lead(
                LeadRecord(
                    phone=phone,
                    name=lead.name or "",
                    city=lead.city,
                    state=lead.state,
                    bill_amount=lead.bill_amount,
                    client_type=lead.client_type,
                    source="crm_import",
                )
            )

    async def _turn(self, conv: Conversation, turn: Turn, phone: str) -> TurnOutput:
        if turn.restart:
            version = self.silvia.deps.prompt_version
            await self._close()
            await self._open()
            self._set_deps(prompt_version=version)
            state = await self.silvia.state(phone)
            return TurnOutput(replies=[], stage=state.get("stage"), skipped=True)
        inbound = self.inbound_for(conv, turn, phone)
        started = time.perf_counter()
        try:
            result = await self.silvia.handle(inbound)
        except Exception as exc:  # a crash is a graded failure of this turn, not of the run
            return TurnOutput(replies=[], error=f"{type(exc).__name__}: {exc}"[:500])
        elapsed = (time.perf_counter() - started) * 1000
        first = result.replies[0] if result.replies else {}
        turn_info = result.state.get("turn") or {}
        return TurnOutput(
            replies=result.texts,
            stage=result.stage,
            intent=result.intent or None,
            layer=first.get("layer"),
            prompt_version=first.get("prompt_version"),
            lead_version=result.state.get("prompt_version"),
            latency_ms=round(elapsed, 2),
            guard_violations=list(turn_info.get("guard_violations") or []),
            templates=[r.get("template_id") or "" for r in result.replies],
            kb_topic=result.state.get("topic") or None,
            reply_topics=[r.get("topic") or "" for r in result.replies],
        )

    def inbound_for(self, conv: Conversation, turn: Turn, phone: str) -> Inbound:
        """The inbound event a dataset turn stands for (files land in the sandbox media store)."""
        name = (conv.lead.name or "").split()[0] if conv.lead.name else None
        if turn.lead is not None:
            return Inbound(phone=phone, kind="text", text=turn.lead, name=name)
        if turn.button:
            return Inbound(
                phone=phone, kind="interactive", button_id=turn.button.id, text=turn.button.title, name=name
            )
        if turn.attachment:
            data, mime, filename = render_attachment(turn.attachment, conv.lead.name, EVAL_MAX_BILL_BYTES)
            media_id = self.silvia.receive_media(data, mime, filename)
            kind = "image" if mime.startswith("image/") else "document"
            return Inbound(
                phone=phone, kind=kind, media_id=media_id, mime_type=mime, filename=filename, name=name
            )
        return Inbound(phone=phone, kind=turn.media or "unsupported", name=name)  # type: ignore[arg-type]


# What a non-file media turn carries over /v1/chat (location and unsupported carry no file).
MEDIA_MIME: dict[str, str] = {"audio": "audio/ogg", "sticker": "image/webp"}


def profile_body(lead: LeadProfile) -> dict[str, Any]:
    """The CRM profile a seeded conversation starts from, as /v1/chat's `profile`."""
    fields = {
        "name": lead.name,
        "city": lead.city,
        "state": lead.state,
        "bill_amount": lead.bill_amount,
        "client_type": lead.client_type,
    }
    return {k: v for k, v in fields.items() if v is not None}


def media_body(conv: Conversation, turn: Turn, max_bytes: int = EVAL_MAX_BILL_BYTES) -> dict[str, Any] | None:
    """/v1/chat's `media` for an attachment or non-text turn (files rendered as `EmbeddedTarget` does)."""
    if turn.attachment:
        data, mime, filename = render_attachment(turn.attachment, conv.lead.name, max_bytes)
        return {
            "kind": "image" if mime.startswith("image/") else "document",
            "mime_type": mime,
            "filename": filename,
            "data_base64": base64.b64encode(data).decode("ascii"),
        }
    if turn.media:
        media: dict[str, Any] = {"kind": turn.media}
        if turn.media in MEDIA_MIME:
            media["mime_type"] = MEDIA_MIME[turn.media]
        return media
    return None


def chat_body(conv: Conversation, index: int, phone: str) -> dict[str, Any] | None:
    """The POST /v1/chat body for turn `index` of `conv` (None for a restart: nothing to send).

    The first turn carries the CRM profile of a seeded lead, as `EmbeddedTarget` seeds it.
    """
    turn = conv.turns[index]
    if turn.restart:
        return None
    body: dict[str, Any] = {"phone": phone}
    if conv.lead.name:
        body["name"] = conv.lead.name.split()[0]
    first = next(i for i, t in enumerate(conv.turns) if not t.restart)
    if index == first and conv.lead.seeded:
        body["profile"] = profile_body(conv.lead)
    if turn.lead is not None:
        body["message"] = turn.lead
    elif turn.button:
        body["button_id"], body["message"] = turn.button.id, turn.button.title
    else:
        body["media"] = media_body(conv, turn)
    return body


class HttpTarget:
    """A running `silvia serve`: one POST /v1/chat per lead action (text, button, file, media).

    A seeded CRM profile travels with the first turn; attachments are rendered as the embedded
    target renders them and sent base64 (the server must use the sandbox WhatsApp backend).
    A restart turn is a skipped `TurnOutput`: the server is long-lived and this target cannot
    restart it, so memory across restarts is graded only in-process (`EmbeddedTarget`).
    """

    def __init__(
        self, base_url: str, salt: str | None = None, timeout: float = 60.0, api_key: str | None = None
    ) -> None:
        self.base_url = base_url.rstrip("/")
        # The service asks for X-API-Key when SILVIA_API_KEY is set on its side.
        self.headers = {"X-API-Key": api_key} if api_key else {}
        self.name = self.base_url
        # A new phone per run so each replay starts on a fresh thread of the long-lived server.
        self.salt = salt or datetime.now(UTC).strftime("%Y%m%d%H%M%S%f")
        self.timeout = timeout

    async def check(self) -> None:
        """Fail early and clearly when nothing answers at the URL."""
        try:
            async with httpx.AsyncClient(base_url=self.base_url, timeout=5.0) as client:
                (await client.get("/health")).raise_for_status()
        except httpx.HTTPError as exc:
            raise ConnectionError(f"no Sílvia service at {self.base_url} ({exc})") from exc

    def unsupported(self, conv: Conversation) -> str | None:
        return None  # every turn kind travels over /v1/chat; restarts are skipped turns (see above)

    async def play(self, conv: Conversation, prompt_version: str | None) -> list[TurnOutput]:
        phone = conv.phone(self.salt)
        outputs: list[TurnOutput] = []
        async with httpx.AsyncClient(
            base_url=self.base_url, timeout=self.timeout, headers=self.headers
        ) as client:
            for index in range(len(conv.turns)):
                body = chat_body(conv, index, phone)
                if body is None:
                    outputs.append(TurnOutput(replies=[], skipped=True))
                    continue
                outputs.append(await self._post(client, body))
        return outputs

    @staticmethod
    async def _post(client: httpx.AsyncClient, body: dict[str, Any]) -> TurnOutput:
        started = time.perf_counter()
        try:
            response = await client.post("/v1/chat", json=body)
            if response.is_client_error:  # the API's reason, not just the status line
                detail = (
                    response.json().get("detail")
                    if "json" in response.headers.get("content-type", "")
                    else None
                )
                return TurnOutput(
                    replies=[], error=f"HTTP {response.status_code}: {detail or response.text}"[:500]
                )
            response.raise_for_status()
            data = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            return TurnOutput(replies=[], error=f"{type(exc).__name__}: {exc}"[:500])
        elapsed = (time.perf_counter() - started) * 1000
        replies = data.get("replies") or []
        first = replies[0] if replies else {}
        return TurnOutput(
            replies=[r.get("text", "") if isinstance(r, dict) else str(r) for r in replies],
            stage=data.get("stage"),
            intent=data.get("intent"),
            layer=first.get("layer") if isinstance(first, dict) else None,
            prompt_version=first.get("prompt_version") if isinstance(first, dict) else None,
            lead_version=data.get("prompt_version"),
            latency_ms=round(elapsed, 2),
            guard_violations=list(data.get("guard_violations") or []),
            templates=[(r.get("template_id") or "") if isinstance(r, dict) else "" for r in replies],
            kb_topic=data.get("topic") or None,
            reply_topics=[(r.get("topic") or "") if isinstance(r, dict) else "" for r in replies],
        )


class RecordedTarget:
    """Scores the replies recorded in the dataset as they are (`--recorded`)."""

    name = "recorded"

    def unsupported(self, conv: Conversation) -> str | None:
        return None if conv.has_recorded else "has no recorded replies"

    async def play(self, conv: Conversation, prompt_version: str | None) -> list[TurnOutput]:
        outputs = []
        for turn in conv.turns:
            rec = turn.recorded
            if rec is None:
                outputs.append(TurnOutput(replies=[], skipped=True))
                continue
            outputs.append(
                TurnOutput(
                    replies=list(rec.replies),
                    stage=rec.stage,
                    intent=rec.intent,
                    layer=rec.layer,
                    prompt_version=rec.prompt_version,
                    latency_ms=float(rec.latency_ms or 0.0),
                )
            )
        return outputs
