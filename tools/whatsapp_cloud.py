"""The Meta WhatsApp Cloud API backend of the WhatsApp MCP server (`WHATSAPP_BACKEND=cloud`).

Speaks the Graph API wire format with httpx: `POST {base}/{phone_number_id}/messages` for
text, reply buttons, templates and read receipts; `GET {base}/{media_id}` then the returned
URL (both with the bearer token) for media. Transient failures (5xx, 429, time-outs,
connection errors, Meta's "try again" codes) are retried with exponential backoff (tenacity);
a refusal that will not change on retry (outside the 24 h window, invalid recipient, bad
template...) is recorded through `on_error` (sdr_logs in the app) and raised at once.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
from opentelemetry import trace
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from agent.ports import MediaFile
from settings import DEFAULT_MAX_BILL_BYTES
from tools.whatsapp_server import (
    META_MEDIA_ID_PATTERN,
    MediaNotFoundError,
    SandboxBackend,
    WhatsAppBackendError,
    write_media,
)

log = logging.getLogger(__name__)
_TRACER = trace.get_tracer("silvia.tools")

DEFAULT_API_URL = "https://graph.facebook.com/v21.0"

# Cloud API error codes that are worth another try (throttling, temporary outages).
TRANSIENT_CODES = frozenset({1, 2, 4, 80007, 130429, 131000, 131016, 131056})
# Well-known refusals, named for the log; any other 4xx is also final.
FINAL_CODES = {
    131047: "re-engagement: more than 24 h since the lead's last message, use a template",
    470: "re-engagement: more than 24 h since the lead's last message, use a template",
    131026: "message undeliverable: invalid or non-WhatsApp recipient",
    131030: "recipient not in the allowed list",
    131051: "unsupported message type",
    131008: "required parameter missing",
    131009: "parameter value invalid",
    132000: "template parameter count mismatch",
    132001: "template does not exist",
    190: "access token expired or invalid",
    100: "invalid parameter",
}

ErrorRecorder = Callable[[str, dict[str, Any]], Awaitable[None]]


class CloudApiError(WhatsAppBackendError):
    """The Cloud API refused a request for good: not retried."""

    def __init__(self, status: int, code: int | None, message: str) -> None:
        reason = FINAL_CODES.get(code or -1, "")
        super().__init__(
            f"WhatsApp Cloud API refused the request (HTTP {status}, code {code}"
            f"{': ' + reason if reason else ''}): {message}"
        )
        self.status = status
        self.code = code


class _Retryable(Exception):
    """A transient failure; retried, then raised as a WhatsAppBackendError."""


def _digits(phone: str) -> str:
    return re.sub(r"\D", "", phone)


def _error_of(response: httpx.Response) -> tuple[int | None, str]:
    try:
        error = response.json().get("error") or {}
    except (ValueError, AttributeError):
        return None, response.text[:300]
    details = (error.get("error_data") or {}).get("details") or ""
    message = " — ".join(p for p in (error.get("message") or "", details) if p)
    code = error.get("code")
    return (int(code) if isinstance(code, int | str) and str(code).isdigit() else None), message


def _template_parameters(parameters: dict[str, str]) -> list[dict[str, Any]]:
    """Positional ("1", "2", …) or named parameters, as the Cloud API expects each."""
    if all(key.isdigit() for key in parameters):
        return [{"type": "text", "text": parameters[k]} for k in sorted(parameters, key=int)]
    return [{"type": "text", "parameter_name": k, "text": v} for k, v in parameters.items()]


class CloudBackend:
    """`WhatsAppBackend` over the Meta WhatsApp Cloud API."""

    def __init__(
        self,
        *,
        token: str,
        phone_number_id: str,
        api_url: str = DEFAULT_API_URL,
        media_dir: str | Path,
        attempts: int = 3,
        base_delay: float = 1.0,
        timeout: float = 10.0,
        max_media_bytes: int = DEFAULT_MAX_BILL_BYTES,
        on_error: ErrorRecorder | None = None,
    ) -> None:
        if not token or not phone_number_id:
            raise ValueError("the cloud backend needs WHATSAPP_API_TOKEN and WHATSAPP_PHONE_NUMBER_ID")
        self.api_url = api_url.rstrip("/")
        self.phone_number_id = phone_number_id
        self.media_dir = Path(media_dir)
        self.attempts = max(1, attempts)
        self.base_delay = base_delay
        self.max_media_bytes = max_media_bytes
        self.on_error = on_error
        self._http = httpx.AsyncClient(
            headers={"Authorization": f"Bearer {token}"}, timeout=timeout, follow_redirects=True
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    # --- HTTP with retries ----------------------------------------------------------------

    async def _request(self, method: str, url: str, what: str, **kwargs: Any) -> httpx.Response:
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.attempts),
            wait=wait_exponential(multiplier=self.base_delay, min=self.base_delay, max=30 * self.base_delay),
            retry=retry_if_exception_type(_Retryable),
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    return await self._once(method, url, what, **kwargs)
        except _Retryable as exc:
            await self._record(what, {"error": str(exc), "attempts": self.attempts, "retried": True})
            raise WhatsAppBackendError(f"WhatsApp Cloud API unavailable for {what}: {exc}") from exc
        raise AssertionError("unreachable")  # tenacity returns or re-raises

    async def _once(self, method: str, url: str, what: str, **kwargs: Any) -> httpx.Response:
        # One CLIENT span per HTTP attempt; no recipient or text in it (no-op without a provider).
        with _TRACER.start_as_current_span(
            f"graph_api {what}",
            kind=trace.SpanKind.CLIENT,
            record_exception=False,
            attributes={
                "http.request.method": method,
                "server.address": httpx.URL(url).host,
                "silvia.graph_api.operation": what,
            },
        ) as span:
            try:
                response = await self._http.request(method, url, **kwargs)
            except (httpx.TimeoutException, httpx.TransportError) as exc:
                raise _Retryable(f"{type(exc).__name__}: {exc}") from exc
            span.set_attribute("http.response.status_code", response.status_code)
            if not response.is_success:
                span.set_status(trace.StatusCode.ERROR)
        if response.is_success:
            return response
        code, message = _error_of(response)
        if response.status_code >= 500 or response.status_code == 429 or code in TRANSIENT_CODES:
            raise _Retryable(f"HTTP {response.status_code} code {code}: {message}")
        error = CloudApiError(response.status_code, code, message)
        await self._record(what, {"status": response.status_code, "code": code, "error": message})
        raise error

    async def _record(self, what: str, details: dict[str, Any]) -> None:
        log.error("WhatsApp Cloud API %s failed: %s", what, details)
        if self.on_error is None:
            return
        try:
            await self.on_error(f"whatsapp_cloud_{what}_failed", details)
        except Exception:  # recording must never hide the original failure
            log.exception("could not record a Cloud API failure")

    async def _send(self, to: str, what: str, content: dict[str, Any]) -> str:
        body = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": _digits(to), **content}
        response = await self._request(
            "POST", f"{self.api_url}/{self.phone_number_id}/messages", what, json=body
        )
        try:
            return str(response.json()["messages"][0]["id"])
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise WhatsAppBackendError(
                f"unexpected Cloud API answer to {what}: {response.text[:200]}"
            ) from exc

    # --- WhatsAppBackend ------------------------------------------------------------------

    async def send_text(self, to: str, message: str) -> str:
        return await self._send(
            to, "send_text", {"type": "text", "text": {"preview_url": False, "body": message}}
        )

    async def send_buttons(self, to: str, body: str, buttons: list[dict[str, str]]) -> str:
        action = {
            "buttons": [{"type": "reply", "reply": {"id": b["id"], "title": b["title"]}} for b in buttons]
        }
        interactive = {"type": "button", "body": {"text": body}, "action": action}
        return await self._send(to, "send_buttons", {"type": "interactive", "interactive": interactive})

    async def send_list(self, to: str, body: str, button: str, rows: list[dict[str, str]]) -> str:
        items = [
            {
                "id": r["id"],
                "title": r["title"],
                **({"description": r["description"]} if r.get("description") else {}),
            }
            for r in rows
        ]
        action = {"button": button, "sections": [{"title": button, "rows": items}]}
        interactive = {"type": "list", "body": {"text": body}, "action": action}
        return await self._send(to, "send_list", {"type": "interactive", "interactive": interactive})

    async def send_template(self, to: str, template: str, language: str, parameters: dict[str, str]) -> str:
        content: dict[str, Any] = {"name": template, "language": {"code": language}}
        if parameters:
            content["components"] = [{"type": "body", "parameters": _template_parameters(parameters)}]
        return await self._send(to, "send_template", {"type": "template", "template": content})

    async def mark_as_read(self, message_id: str) -> bool:
        body = {"messaging_product": "whatsapp", "status": "read", "message_id": message_id}
        url = f"{self.api_url}/{self.phone_number_id}/messages"
        response = await self._request("POST", url, "mark_as_read", json=body)
        return bool(response.json().get("success", True))

    async def download_media(self, media_id: str) -> MediaFile:
        """Media id → URL (Graph API) → bytes (same bearer token) → a file in the media dir."""
        if not re.fullmatch(META_MEDIA_ID_PATTERN, media_id):  # checked before it becomes a URL path
            raise MediaNotFoundError(f"{media_id[:40]!r} is not a WhatsApp media id (Meta's are 1-32 digits)")
        try:
            info = (await self._request("GET", f"{self.api_url}/{media_id}", "media_lookup")).json()
        except CloudApiError as exc:
            raise MediaNotFoundError(f"media {media_id!r} not available: {exc}") from exc
        url, mime_type = info.get("url"), str(info.get("mime_type") or "application/octet-stream")
        if not url:
            raise MediaNotFoundError(f"the Cloud API gave no URL for media {media_id!r}")
        size = int(info.get("file_size") or 0)
        if size > self.max_media_bytes:
            raise WhatsAppBackendError(
                f"media {media_id!r} is {size} bytes, over the {self.max_media_bytes} limit"
            )
        data = (await self._request("GET", url, "media_download")).content
        if len(data) > self.max_media_bytes:
            raise WhatsAppBackendError(f"media {media_id!r} is over the {self.max_media_bytes} byte limit")
        return write_media(
            self.media_dir, media_id, data, mime_type.split(";")[0].strip(), info.get("filename")
        )


def whatsapp_backend(settings: Any, on_error: ErrorRecorder | None = None) -> Any:
    """The backend `WHATSAPP_BACKEND` names: `sandbox` (default) or `cloud`."""
    choice = (settings.whatsapp_backend or "sandbox").strip().lower()
    if choice == "sandbox":
        return SandboxBackend(settings.media_dir)
    if choice == "cloud":
        return CloudBackend(
            token=settings.whatsapp_api_token,
            phone_number_id=settings.whatsapp_phone_number_id,
            api_url=settings.whatsapp_api_url,
            media_dir=settings.media_dir,
            attempts=settings.whatsapp_attempts,
            base_delay=settings.whatsapp_retry_base_delay,
            timeout=settings.whatsapp_timeout,
            max_media_bytes=settings.max_bill_bytes,
            on_error=on_error,
        )
    raise ValueError(f"WHATSAPP_BACKEND must be 'sandbox' or 'cloud', not {settings.whatsapp_backend!r}")
