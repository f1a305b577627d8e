"""A local HTTP peer that speaks the WhatsApp Cloud (Graph) API wire format, for tests and benchmarks.

It receives what `tools.whatsapp_cloud.CloudBackend` sends (`POST /v21.0/{phone_id}/messages`),
answers with Meta's JSON shapes, serves media (`GET /v21.0/{media_id}` → URL → bytes, both
behind the bearer token) and can be told to fail (HTTP status + Cloud API error code), be
slow, or hang, so retries, "don't retry" codes and crashes mid-turn can be exercised.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tools.http import free_port

VERSION = "v21.0"
PHONE_NUMBER_ID = "1098765432"
TOKEN = "test-graph-token"


@dataclass
class GraphApiFake:
    token: str = TOKEN
    phone_number_id: str = PHONE_NUMBER_ID
    requests: list[dict[str, Any]] = field(default_factory=list)  # every call, answered or not
    media: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    failures: list[tuple[int, int | None]] = field(default_factory=list)  # next sends fail like this
    delay_for: dict[str, float] = field(default_factory=dict)  # recipient digits -> seconds per send
    hang_media: set[str] = field(default_factory=set)  # media ids whose lookup never answers
    hanging: threading.Event = field(default_factory=threading.Event)  # set when a hang started

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._answered = threading.Condition(self._lock)  # notified on every message answered 200
        self._ids = itertools.count(1)
        self.port = free_port()
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/{VERSION}"

    def env(self) -> dict[str, str]:
        """The settings that point the cloud backend here."""
        return {
            "WHATSAPP_BACKEND": "cloud",
            "WHATSAPP_API_URL": self.base_url,
            "WHATSAPP_API_TOKEN": self.token,
            "WHATSAPP_PHONE_NUMBER_ID": self.phone_number_id,
            "WHATSAPP_RETRY_BASE_DELAY": "0.01",
        }

    @property
    def thread(self) -> threading.Thread:
        """The thread serving it (benchmarks count its CPU as Meta's, not the app's)."""
        assert self._thread is not None, "start() first"
        return self._thread

    def add_media(self, media_id: str, data: bytes, mime_type: str) -> None:
        self.media[media_id] = (data, mime_type)

    # --- what arrived ---------------------------------------------------------------------

    def delivered(self, to: str | None = None) -> list[dict[str, Any]]:
        """Messages we answered 200 to (what the lead really got), oldest first."""
        digits = "".join(ch for ch in to if ch.isdigit()) if to else None
        with self._lock:
            return [
                r["body"]
                for r in self.requests
                if r["kind"] == "message"
                and r.get("status") == 200
                and (digits is None or r["body"]["to"] == digits)
            ]

    def texts(self, to: str | None = None) -> list[str]:
        out = []
        for body in self.delivered(to):
            if body["type"] == "text":
                out.append(body["text"]["body"])
            elif body["type"] == "interactive":
                out.append(body["interactive"]["body"]["text"])
            else:
                out.append(f"[template {body['template']['name']}]")
        return out

    def wait_first_replies(self, phones: Iterable[str], timeout: float) -> dict[str, float]:
        """Block (no polling) until each of `phones` was answered 200 at least once; for each,
        when its first such message arrived here (time.monotonic). Raises TimeoutError."""
        wanted = {"".join(ch for ch in p if ch.isdigit()): p for p in phones}
        deadline = time.monotonic() + timeout
        with self._answered:
            while True:
                first: dict[str, float] = {}
                for r in self.requests:
                    to = r["body"].get("to") if r["kind"] == "message" else None
                    if to in wanted and r.get("status") == 200 and wanted[to] not in first:
                        first[wanted[to]] = r["at"]
                left = deadline - time.monotonic()
                if len(first) == len(wanted) or left <= 0:
                    break
                self._answered.wait(left)
        if len(first) < len(wanted):
            raise TimeoutError(f"{len(wanted) - len(first)} of {len(wanted)} leads got no reply")
        return first

    def calls(self, kind: str) -> list[dict[str, Any]]:
        with self._lock:
            return [r for r in self.requests if r["kind"] == kind]

    # --- HTTP -----------------------------------------------------------------------------

    def _authorised(self, request: Request) -> bool:
        return request.headers.get("authorization") == f"Bearer {self.token}"

    def _log(self, entry: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            self.requests.append(entry)
        return entry

    async def _messages(self, request: Request) -> Response:
        if not self._authorised(request):
            return _error(401, 190, "Invalid OAuth access token.")
        body = await request.json()
        if body.get("status") == "read":
            self._log({"kind": "read", "body": body, "status": 200})
            return JSONResponse({"success": True})
        entry = self._log({"kind": "message", "body": body, "at": time.monotonic()})
        await asyncio.sleep(self.delay_for.get(body.get("to", ""), 0.0))
        with self._lock:
            failure = self.failures.pop(0) if self.failures else None
        if failure is not None:
            entry["status"] = failure[0]
            return _error(failure[0], failure[1], "failure requested by the test")
        message_id = f"wamid.out.{next(self._ids)}"
        with self._answered:
            entry["status"] = 200
            entry["message_id"] = message_id
            self._answered.notify_all()
        return JSONResponse(
            {
                "messaging_product": "whatsapp",
                "contacts": [{"input": body["to"], "wa_id": body["to"]}],
                "messages": [{"id": message_id}],
            }
        )

    async def _media_info(self, request: Request) -> Response:
        media_id = request.path_params["media_id"]
        self._log({"kind": "media_info", "media_id": media_id, "status": 200})
        if not self._authorised(request):
            return _error(401, 190, "Invalid OAuth access token.")
        if media_id in self.hang_media:
            self.hanging.set()
            await asyncio.sleep(3600)
        if media_id not in self.media:
            return _error(404, 100, "Unsupported get request.")
        data, mime = self.media[media_id]
        return JSONResponse(
            {
                "messaging_product": "whatsapp",
                "url": f"http://127.0.0.1:{self.port}/media-bytes/{media_id}",
                "mime_type": mime,
                "sha256": hashlib.sha256(data).hexdigest(),
                "file_size": len(data),
                "id": media_id,
            }
        )

    async def _media_bytes(self, request: Request) -> Response:
        if not self._authorised(request):
            return Response(status_code=401)
        data, mime = self.media[request.path_params["media_id"]]
        return Response(data, media_type=mime)

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route(f"/{VERSION}/{{phone_id}}/messages", self._messages, methods=["POST"]),
                Route(f"/{VERSION}/{{media_id}}", self._media_info, methods=["GET"]),
                Route("/media-bytes/{media_id}", self._media_bytes, methods=["GET"]),
            ]
        )

    # --- lifecycle ------------------------------------------------------------------------

    def start(self) -> GraphApiFake:
        config = uvicorn.Config(
            self.app(), host="127.0.0.1", port=self.port, log_level="warning", timeout_graceful_shutdown=1
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True, name="graph-api-fake")
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the Graph API fake did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)


def _error(status: int, code: int | None, message: str) -> JSONResponse:
    error = {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "Atest"}
    return JSONResponse({"error": error}, status_code=status)
