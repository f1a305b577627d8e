"""Meta's webhook signature: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>`."""

from __future__ import annotations

import hashlib
import hmac

PREFIX = "sha256="


def sign(body: bytes, secret: str) -> str:
    """The header value Meta would send for `body` (tests and the benchmark use it too)."""
    return PREFIX + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_ok(body: bytes, header: str | None, secret: str) -> bool:
    """Constant-time comparison, so a forger learns nothing from response times."""
    if not header or not header.startswith(PREFIX):
        return False
    return hmac.compare_digest(sign(body, secret), header.strip())


def same_secret(given: str, expected: str) -> bool:
    """Compare a token or API key in constant time."""
    return hmac.compare_digest(given.encode(), expected.encode())
