"""Who may open the dashboard and the admin endpoints: a token, or HTTP basic auth.

Configure `SILVIA_DASHBOARD_TOKEN` (sent as `Authorization: Bearer …`, or once as
`/dashboard?token=…`, which sets an HttpOnly, SameSite=Strict cookie) and/or
`SILVIA_DASHBOARD_PASSWORD` (basic auth with `SILVIA_DASHBOARD_USER`). With neither set the
dashboard is off (503), never open to anyone.
"""

from __future__ import annotations

import base64
import binascii
import secrets

from fastapi import HTTPException, Request

from settings import Settings

COOKIE = "silvia_ops"


def _same(a: str, b: str) -> bool:
    return bool(a) and bool(b) and secrets.compare_digest(a.encode(), b.encode())


def _basic(header: str) -> tuple[str, str] | None:
    if not header.lower().startswith("basic "):
        return None
    try:
        user, _, password = base64.b64decode(header[6:].strip()).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return user, password


def operator(request: Request, settings: Settings) -> str:
    """The operator's name (basic-auth user or "token"); 401/503 with a reason otherwise."""
    if not settings.dashboard_token and not settings.dashboard_password:
        raise HTTPException(
            503, "The dashboard is off: set SILVIA_DASHBOARD_TOKEN or SILVIA_DASHBOARD_PASSWORD."
        )
    header = request.headers.get("authorization", "")
    token = settings.dashboard_token
    if token and header.lower().startswith("bearer ") and _same(header[7:].strip(), token):
        return "token"
    if token and (
        _same(request.cookies.get(COOKIE, ""), token) or _same(request.query_params.get("token", ""), token)
    ):
        return "token"
    if settings.dashboard_password and (credentials := _basic(header)):
        user, password = credentials
        if _same(user, settings.dashboard_user) & _same(password, settings.dashboard_password):
            return user
    challenge = {"WWW-Authenticate": 'Basic realm="Silvia dashboard"'} if settings.dashboard_password else {}
    raise HTTPException(401, "Dashboard credentials missing or wrong.", headers=challenge)
