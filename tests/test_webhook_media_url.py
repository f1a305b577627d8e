"""`image_url` of the gateway webhook is no open proxy (api/media_url.py).

Over HTTP: the app on a real port, a local media server on loopback (allowed by
SILVIA_MEDIA_URL_ALLOW_LOOPBACK on this embedded default). A URL that breaks a rule the webhook
can judge is a 422 naming the rule; one that breaks a rule only the fetch can see (a redirect
into a private network, a content type, a size, a time-out) is answered to the lead politely
and logged with the reason; an allowed one is read as a bill.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

from api.media_url import MediaUrlPolicy, MediaUrlRefused, address_refusal, check_url, resolve_checked
from demo.bill_specs import random_bill_spec
from demo.sample_bills import render_bill_pdf
from tests.conftest import clear_backend_env, make_settings
from tests.webhook_kit import API_KEY, SERVICE_ENV, SilviaThread, query, wait_for
from tools.http import free_port

LIMIT = 400_000  # SILVIA_MAX_BILL_BYTES in these tests
BILL = render_bill_pdf(random_bill_spec(__import__("random").Random(17)))


def _media_app() -> Starlette:
    async def bill(_: Request) -> Response:
        return Response(BILL, media_type="application/pdf")

    async def html(_: Request) -> Response:
        return Response("<html>not a bill</html>", media_type="text/html")

    async def huge(_: Request) -> Response:
        return Response(b"\xff" * (LIMIT + 1), media_type="image/jpeg")

    async def huge_unannounced(_: Request) -> Response:  # chunked: no Content-Length to trust
        async def chunks() -> AsyncIterator[bytes]:
            for _ in range(LIMIT // 10_000 + 2):
                yield b"\xff" * 10_000

        return StreamingResponse(chunks(), media_type="image/jpeg")

    async def slow(_: Request) -> Response:
        await asyncio.sleep(5)
        return Response(b"late", media_type="image/jpeg")

    def redirect(target: str) -> object:
        async def go(_: Request) -> Response:
            return RedirectResponse(target, status_code=302)

        return go

    return Starlette(
        routes=[
            Route("/bill.pdf", bill),
            Route("/page.html", html),
            Route("/huge.jpg", huge),
            Route("/huge-chunked.jpg", huge_unannounced),
            Route("/slow.jpg", slow),
            Route("/to-metadata", redirect("https://169.254.169.254/latest/meta-data/")),
            Route("/to-plain-http", redirect("http://169.254.169.254/latest/meta-data/")),
            Route("/to-private", redirect("https://10.1.2.3/bill.pdf")),
            Route("/to-elsewhere", redirect("https://media.example.net/bill.pdf")),
            Route("/to-bill", redirect("/bill.pdf")),
            Route("/loop", redirect("/loop")),
        ]
    )


@pytest.fixture
def media_server() -> Iterator[str]:
    port = free_port()
    config = uvicorn.Config(_media_app(), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True, name="media-server")
    thread.start()
    wait_for(lambda: server.started, 20, "the media server")
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def service(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[httpx.Client]:
    clear_backend_env(monkeypatch)
    settings = make_settings(
        tmp_path,
        **SERVICE_ENV,
        # The two private addresses are allowed by name, as a careless operator might: the
        # address check must still refuse them.
        SILVIA_MEDIA_URL_HOSTS="127.0.0.1,*.example.com,169.254.169.254,10.1.2.3",
        SILVIA_MEDIA_URL_ALLOW_LOOPBACK="1",
        SILVIA_MEDIA_URL_TIMEOUT="1.5",
        SILVIA_MAX_BILL_BYTES=str(LIMIT),
    )
    with (
        SilviaThread(settings) as server,
        httpx.Client(base_url=server.url, headers={"X-API-Key": API_KEY}, timeout=30) as client,
    ):
        yield client


def _send(client: httpx.Client, phone: str, url: str) -> httpx.Response:
    body = {"phone": phone, "type": "document", "image_url": url, "filename": "conta.pdf"}
    return client.post("/webhook/silvia", json=body)


def _replies(client: httpx.Client, phone: str) -> list[str]:
    return [
        m.get("text") or m.get("body") or ""
        for m in client.get("/sandbox/messages", params={"to": phone}).json()
    ]


def test_urls_the_webhook_can_judge_are_a_422_naming_the_rule(service: httpx.Client, tmp_path: Path) -> None:
    cases = {
        "ftp://127.0.0.1/conta.pdf": "only https",
        "http://media.example.com/conta.pdf": "only https",
        "https://evil.example.org/conta.pdf": "not in SILVIA_MEDIA_URL_HOSTS",
        "https://example.com/conta.pdf": "not in SILVIA_MEDIA_URL_HOSTS",  # *.example.com: subdomains
        "https://user:secret@media.example.com/conta.pdf": "user name or password",
        "https:///conta.pdf": "",
    }
    for url, reason in cases.items():
        refused = _send(service, "+5581911112222", url)
        assert refused.status_code == 422, (url, refused.text)
        assert "image_url" in refused.text and reason in refused.text, (url, refused.text)
    assert query(tmp_path, "SELECT count(*) FROM inbox_messages") == [(0,)]


def test_an_allowed_url_is_fetched_and_read_as_the_bill(
    service: httpx.Client, media_server: str, tmp_path: Path
) -> None:
    phone = "+5581922223333"
    for path in ("/bill.pdf", "/to-bill"):  # directly, and through a redirect on the allowed host
        assert _send(service, phone, media_server + path).status_code == 200
    wait_for(
        lambda: (
            len(query(tmp_path, "SELECT 1 FROM sdr_logs WHERE message LIKE 'bill_%' AND lead_id = ?", phone))
            >= 2
        ),
        what="both bills read",
    )
    events = [r[0] for r in query(tmp_path, "SELECT message FROM sdr_logs WHERE lead_id = ?", phone)]
    assert "bill_read" in events, events


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/to-metadata", "169.254.169.254 is not a public address"),
        ("/to-plain-http", "only https URLs are fetched, not http"),
        ("/to-private", "10.1.2.3 is not a public address"),
        ("/to-elsewhere", "not in SILVIA_MEDIA_URL_HOSTS"),
        ("/loop", "more than 3 redirects"),
        ("/page.html", "content type 'text/html'"),
        ("/huge.jpg", f"{LIMIT + 1} bytes, over the {LIMIT} byte limit"),
        ("/huge-chunked.jpg", f"the file is over the {LIMIT} byte limit"),
        ("/slow.jpg", "within 1.5 s"),
        ("/missing.pdf", "HTTP 404"),
    ],
)
def test_a_url_refused_while_fetching_gets_the_lead_a_polite_answer_and_logs_why(
    service: httpx.Client,
    media_server: str,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    path: str,
    reason: str,
) -> None:
    phone = "+5581933334444"
    caplog.set_level(logging.WARNING, logger="api.gateway")
    started = time.monotonic()
    assert _send(service, phone, media_server + path).status_code == 200
    replies = wait_for(lambda: _replies(service, phone), what="the polite answer")
    assert time.monotonic() - started < 20
    assert any("não consegui abrir" in r.lower() for r in replies), replies
    assert any(reason in r.getMessage() for r in caplog.records), [r.getMessage() for r in caplog.records]
    done = "SELECT status FROM inbox_messages WHERE status = 'done'"  # settled, not parked or retried
    wait_for(lambda: query(tmp_path, done), what="the entry settled")


@pytest.mark.parametrize(
    ("address", "refused"),
    [
        ("8.8.8.8", False),
        ("2606:4700:4700::1111", False),
        ("10.0.0.1", True),
        ("172.16.5.4", True),
        ("192.168.1.1", True),
        ("169.254.169.254", True),
        ("100.64.0.1", True),  # carrier-grade NAT
        ("127.0.0.1", True),
        ("0.0.0.0", True),
        ("224.0.0.1", True),
        ("::1", True),
        ("fe80::1", True),
        ("fc00::1", True),
        ("::ffff:10.0.0.1", True),  # IPv4-mapped
        ("::ffff:127.0.0.1", True),
    ],
)
def test_only_public_addresses_are_reachable(address: str, refused: bool) -> None:
    import ipaddress

    assert (
        address_refusal(ipaddress.ip_address(address), MediaUrlPolicy(hosts=("x",))) is not None
    ) is refused


def test_a_name_that_resolves_to_loopback_is_refused_without_the_dev_switch() -> None:
    policy = MediaUrlPolicy(hosts=("localhost",))
    check_url("https://localhost/conta.pdf", policy)  # the name alone passes...
    with pytest.raises(MediaUrlRefused, match="resolves to"):  # ...its addresses do not
        asyncio.run(resolve_checked("localhost", 443, policy))


def test_the_loopback_switch_is_ignored_in_a_deployment(tmp_path: Path) -> None:
    dev = make_settings(tmp_path, SILVIA_MEDIA_URL_HOSTS="a.example", SILVIA_MEDIA_URL_ALLOW_LOOPBACK="1")
    deployed = make_settings(
        tmp_path,
        SILVIA_MEDIA_URL_HOSTS="a.example",
        SILVIA_MEDIA_URL_ALLOW_LOOPBACK="1",
        DATABASE_URL="postgresql://db/silvia",
    )
    assert MediaUrlPolicy.of(dev).allow_loopback is True
    assert MediaUrlPolicy.of(deployed).allow_loopback is False
    with pytest.raises(MediaUrlRefused, match="only https"):
        check_url("http://127.0.0.1:8000/conta.pdf", MediaUrlPolicy.of(deployed))
    with pytest.raises(MediaUrlRefused, match="SILVIA_MEDIA_URL_HOSTS is not set"):
        check_url("https://a.example/conta.pdf", MediaUrlPolicy.of(make_settings(tmp_path)))
