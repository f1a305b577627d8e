"""Who may open the dashboard and the admin endpoints: a token, or HTTP basic auth.

Configure `SILVIA_DASHBOARD_TOKEN` (sent as `Authorization: Bearer …`, or once as
`GET /dashboard?token=…`, which sets a Secure, HttpOnly, SameSite=Strict cookie) and/or
`SILVIA_DASHBOARD_PASSWORD` (basic auth with `SILVIA_DASHBOARD_USER`). With neither set the
dashboard is off (503), never open to anyone.

A browser sends cookies and basic-auth credentials by itself, so a state-changing request
(POST…) authenticated that way must also carry `X-Silvia-Dashboard: 1` — a header another
site's page cannot add without a CORS preflight this app never grants — and, when the browser
names an `Origin`, it must be this host. A query-string token is accepted on GETs only.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from urllib.parse import urlsplit

from fastapi import HTTPException, Request

from settings import Settings

COOKIE = "silvia_ops"
CSRF_HEADER = "X-Silvia-Dashboard"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


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
        return "token"  # a header a browser never adds by itself: no cross-site risk
    safe = request.method in SAFE_METHODS
    if token and _same(request.cookies.get(COOKIE, ""), token):
        return _not_cross_site(request, "token")
    if token and safe and _same(request.query_params.get("token", ""), token):
        return "token"
    if settings.dashboard_password and (credentials := _basic(header)):
        user, password = credentials
        if _same(user, settings.dashboard_user) & _same(password, settings.dashboard_password):
            return _not_cross_site(request, user)
    challenge = {"WWW-Authenticate": 'Basic realm="Silvia dashboard"'} if settings.dashboard_password else {}
    raise HTTPException(401, "Dashboard credentials missing or wrong.", headers=challenge)


def _not_cross_site(request: Request, who: str) -> str:
    """`who`, unless this is a state-changing request a page of another site could have made."""
    if request.method in SAFE_METHODS:
        return who
    if request.headers.get(CSRF_HEADER) != "1":
        raise HTTPException(403, f"Cross-site request refused: send the {CSRF_HEADER}: 1 header.")
    origin = request.headers.get("origin")
    if origin and urlsplit(origin).netloc != request.headers.get("host", ""):
        raise HTTPException(403, "Cross-site request refused: Origin is not this host.")
    return who


def metrics_access(request: Request, settings: Settings) -> None:
    """/metrics: the metrics token when set; else open only on the embedded default."""
    token = settings.metrics_token
    if token:
        header = request.headers.get("authorization", "")
        if not (header.lower().startswith("bearer ") and _same(header[7:].strip(), token)):
            raise HTTPException(401, "Metrics token missing or wrong (Authorization: Bearer …).")
        return
    if reasons := settings.deployment_reasons():
        raise HTTPException(403, f"/metrics is off: {reasons[0]}; set SILVIA_METRICS_TOKEN for Prometheus.")
