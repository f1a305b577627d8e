"""Fail closed: outside the embedded default the service does not start without its secrets.

The embedded default (SQLite, in-process MCP, the sandbox WhatsApp backend, bound to loopback)
is a developer's machine, and there an unset secret only means "no check". Anything else —
a PostgreSQL or Redis URL, the Cloud backend, a non-loopback bind — is a deployment, where an
unset `WHATSAPP_APP_SECRET` means forged webhooks are answered, an unset `SILVIA_API_KEY`
leaves `/v1/chat` open, and so on. There `silvia serve` refuses to start and names what is
missing. `SILVIA_INSECURE_DEV=1` is the one way round it, and it says so loudly at every start.
"""

from __future__ import annotations

import logging

from settings import Settings

log = logging.getLogger(__name__)

REQUIRED_SECRETS = {
    "WHATSAPP_APP_SECRET": "whatsapp_app_secret",  # signs Meta's webhooks
    "WHATSAPP_VERIFY_TOKEN": "whatsapp_verify_token",  # Meta's subscription check
    "SILVIA_API_KEY": "api_key",  # /v1/chat, /webhook/silvia, /sandbox/messages
}
BIND_HOST_ENV = (
    "SILVIA_BIND_HOST"  # `silvia serve` tells the uvicorn factory where it binds (Settings.bind_host)
)


class InsecureStartError(RuntimeError):
    """The configuration is a deployment but a secret it needs is unset."""


def missing_secrets(settings: Settings) -> list[str]:
    return [name for name, field in REQUIRED_SECRETS.items() if not getattr(settings, field)]


def check_secure_start(settings: Settings, host: str | None) -> None:
    """Raise `InsecureStartError` naming what is missing; warn loudly under SILVIA_INSECURE_DEV."""
    reasons, missing = settings.deployment_reasons(host), missing_secrets(settings)
    if not reasons or not missing:
        return
    problem = (
        f"{' and '.join(reasons)}, but {', '.join(missing)} {'is' if len(missing) == 1 else 'are'} not set"
    )
    if settings.insecure_dev:
        log.warning(
            "!!! SILVIA_INSECURE_DEV=1: starting INSECURELY (%s). Never do this in production. !!!", problem
        )
        return
    raise InsecureStartError(
        f"Refusing to start: {problem}. Set them (see docs/configuration.md), or, on a development "
        "machine only, SILVIA_INSECURE_DEV=1."
    )
