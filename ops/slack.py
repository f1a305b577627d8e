"""Posting to Slack through an incoming webhook (`SLACK_WEBHOOK_URL`), as Block Kit messages.

An incoming webhook takes `{"text": ..., "blocks": [...]}` and answers 200 `ok`; 429 and 5xx
are worth a retry (tenacity, honouring nothing fancier than a short backoff), any other
answer is a configuration problem and is logged, never raised into the caller's work.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from ops.alerts import Notification
from settings import DEFAULT_TIMEZONE

log = logging.getLogger(__name__)

SERVICE = "Sílvia SDR"
_HEADERS = {
    "opened": {"degraded": "⚠️ Sílvia degradada", "critical": "🚨 ALERTA CRÍTICO - Sílvia SDR"},
    "escalated": {"critical": "🚨 Incidente agravado: Sílvia crítica"},
    "recovered": {"healthy": "✅ Sílvia recuperada"},
}


class _Retry(Exception):
    pass


class SlackNotifier:
    """Sends payloads to one incoming-webhook URL; `enabled` is False without a URL."""

    def __init__(self, webhook_url: str, *, timeout: float = 5.0, attempts: int = 3, backoff: float = 0.5):
        self.webhook_url = webhook_url
        self.timeout = timeout
        self.attempts = attempts
        self.backoff = backoff

    @property
    def enabled(self) -> bool:
        return bool(self.webhook_url)

    async def post(self, payload: dict[str, Any]) -> bool:
        """True when Slack accepted the message; False (logged) otherwise."""
        if not self.enabled:
            log.info(
                "SLACK_WEBHOOK_URL not set: Slack message not sent", extra={"slack_text": payload.get("text")}
            )
            return False
        try:
            async with httpx.AsyncClient(timeout=self.timeout) as client:
                async for attempt in AsyncRetrying(
                    stop=stop_after_attempt(self.attempts),
                    wait=wait_exponential(multiplier=self.backoff, max=4 * self.backoff),
                    retry=retry_if_exception_type((_Retry, httpx.TransportError)),
                    reraise=True,
                ):
                    with attempt:
                        response = await client.post(self.webhook_url, json=payload)
                        if response.status_code == 429 or response.status_code >= 500:
                            raise _Retry(f"{response.status_code} {response.text[:200]}")
        except (_Retry, httpx.HTTPError) as exc:
            log.error("Slack webhook failed: %s", exc)
            return False
        if response.status_code != 200:
            log.error("Slack webhook refused the message: %s %s", response.status_code, response.text[:200])
            return False
        return True


def _local(iso: str, timezone: str) -> str:
    return datetime.fromisoformat(iso).astimezone(ZoneInfo(timezone)).strftime("%d/%m %H:%M")


def alert_payload(note: Notification, timezone: str = DEFAULT_TIMEZONE) -> dict[str, Any]:
    """Block Kit for an incident change: what failed and since when."""
    title = _HEADERS[note.kind].get(note.status) or f"Sílvia: {note.status}"
    if note.failing:
        lines = "\n".join(f"• {f['detail']} _(desde {_local(f['since'], timezone)})_" for f in note.failing)
    else:
        opened = _local(note.opened_at, timezone)
        lines = f"Todas as verificações voltaram ao normal. Incidente aberto em {opened}."
    text = f"{title} — status {note.status}"
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": title, "emoji": True}},
        {
            "type": "section",
            "fields": [
                {"type": "mrkdwn", "text": f"*Status:*\n{note.status}"},
                {"type": "mrkdwn", "text": f"*Desde:*\n{_local(note.opened_at, timezone)}"},
            ],
        },
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": ("*Problemas:*\n" if note.failing else "") + lines},
        },
        {
            "type": "context",
            "elements": [
                {"type": "mrkdwn", "text": f"{SERVICE} · incidente {note.incident_id} · {note.kind}"}
            ],
        },
    ]
    return {"text": text, "blocks": blocks}


def alert_test_payload(now: datetime, timezone: str = DEFAULT_TIMEZONE) -> dict[str, Any]:
    when = now.astimezone(ZoneInfo(timezone)).strftime("%d/%m/%Y %H:%M")
    text = f"🔔 Teste de alerta - {SERVICE}"
    return {
        "text": text,
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": text, "emoji": True}},
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": f"Se você está lendo isto, os alertas chegam aqui. Enviado em {when}.",
                },
            },
        ],
    }
