"""Fetching a gateway's media URL (`image_url` of `POST /webhook/silvia`) without becoming a proxy.

A URL a caller hands us is fetched by our server, inside our network, so an unchecked one is a
server-side request forgery: `http://169.254.169.254/…` (cloud credentials), `http://10.0.0.5/`
(an internal admin page), or a public URL that redirects there. The rules:

* `https` only, to a host in `SILVIA_MEDIA_URL_HOSTS` (exact names, or `*.example.com` for its
  subdomains); no user:password in the URL. Empty allowlist = gateway media refused.
* Every hop, the first and each redirect (at most `MAX_REDIRECTS`), is checked again and its
  name resolved here: every address must be a public one (no private, loopback, link-local,
  shared, reserved or multicast range, IPv4-mapped IPv6 included). The connection then goes to
  the address that was checked (TLS still verifies the certificate of the name), so a DNS answer
  that changes between check and connect (rebinding) cannot lead inside.
* A body over the size limit (`SILVIA_MAX_BILL_BYTES`), a content type Sílvia cannot read (not an
  image, not a PDF), or a fetch longer than `SILVIA_MEDIA_URL_TIMEOUT` is refused.

`SILVIA_MEDIA_URL_ALLOW_LOOPBACK=1` lets plain `http` reach loopback (a gateway on the same
development machine, the tests); it is honoured on the embedded default only (or under
SILVIA_INSECURE_DEV), never in a deployment.

`check_url` is the part that needs no network (the webhook answers 422 with its reason before
the 200); `fetch_media` does all of it when the worker handles the message.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass

import httpx

from settings import Settings

MAX_REDIRECTS = 3
READABLE_TYPES = ("image/", "application/pdf")  # what the bill reader opens
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class MediaUrlRefused(Exception):
    """The URL, a redirect, or what it answered breaks a rule; `str(exc)` says which."""


@dataclass(frozen=True)
class MediaUrlPolicy:
    hosts: tuple[str, ...] = ()
    max_bytes: int = 10 * 1024 * 1024
    timeout: float = 10.0
    allow_loopback: bool = False
    max_redirects: int = MAX_REDIRECTS

    @classmethod
    def of(cls, settings: Settings) -> MediaUrlPolicy:
        hosts = tuple(h.strip().lower().rstrip(".") for h in settings.media_url_hosts.split(",") if h.strip())
        development = not settings.deployment_reasons() or settings.insecure_dev
        return cls(
            hosts=hosts,
            max_bytes=settings.max_bill_bytes,
            timeout=settings.media_url_timeout,
            allow_loopback=settings.media_url_allow_loopback and development,
        )

    def host_allowed(self, host: str) -> bool:
        host = host.lower().rstrip(".")
        for allowed in self.hosts:
            if allowed.startswith("*.") and host.endswith(allowed[1:]) and host != allowed[2:]:
                return True
            if host == allowed:
                return True
        return False


@dataclass(frozen=True)
class FetchedMedia:
    data: bytes
    mime_type: str
    url: str  # where the bytes came from, after redirects


def _literal_ip(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def address_refusal(ip: IPAddress, policy: MediaUrlPolicy) -> str | None:
    """Why connecting to `ip` is refused (None when it is a public address, or allowed loopback)."""
    mapped = getattr(ip, "ipv4_mapped", None)
    ip = mapped or ip
    if ip.is_loopback:
        return None if policy.allow_loopback else f"{ip} is a loopback address"
    if not ip.is_global or ip.is_multicast:
        return f"{ip} is not a public address (private, link-local, shared or reserved)"
    return None


def check_url(url: str, policy: MediaUrlPolicy) -> httpx.URL:
    """The parsed URL, or MediaUrlRefused: scheme, credentials, allowlist, literal addresses."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, ValueError) as exc:
        raise MediaUrlRefused(f"not a valid URL ({exc})") from exc
    if not policy.hosts:
        raise MediaUrlRefused("media URLs are not accepted here: SILVIA_MEDIA_URL_HOSTS is not set")
    host = parsed.host
    if not host:
        raise MediaUrlRefused("the URL has no host")
    if parsed.userinfo:
        raise MediaUrlRefused("the URL must not carry a user name or password")
    literal = _literal_ip(host)
    loopback = policy.allow_loopback and (host == "localhost" or bool(literal and literal.is_loopback))
    if parsed.scheme != "https" and not (parsed.scheme == "http" and loopback):
        raise MediaUrlRefused(f"only https URLs are fetched, not {parsed.scheme or 'a relative URL'}")
    if not policy.host_allowed(host):
        raise MediaUrlRefused(f"host {host!r} is not in SILVIA_MEDIA_URL_HOSTS")
    if literal is not None and (problem := address_refusal(literal, policy)):
        raise MediaUrlRefused(problem)
    return parsed


async def resolve_checked(host: str, port: int, policy: MediaUrlPolicy) -> str:
    """One address of `host` to connect to, after checking every address it resolves to."""
    literal = _literal_ip(host)
    if literal is not None:
        addresses: list[IPAddress] = [literal]
    else:
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError as exc:
            raise MediaUrlRefused(f"host {host!r} does not resolve ({exc})") from exc
        addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
    if not addresses:
        raise MediaUrlRefused(f"host {host!r} has no address")
    for address in addresses:  # one private answer is enough to refuse: the name is not trusted
        if problem := address_refusal(address, policy):
            raise MediaUrlRefused(f"host {host!r} resolves to {problem}")
    return str(addresses[0])


async def fetch_media(url: str, policy: MediaUrlPolicy) -> FetchedMedia:
    """The bytes behind `url` under every rule above, or MediaUrlRefused saying which rule."""
    try:
        async with (
            asyncio.timeout(policy.timeout),
            httpx.AsyncClient(timeout=policy.timeout, follow_redirects=False, trust_env=False) as client,
        ):
            return await _follow(client, url, policy)
    except TimeoutError as exc:
        raise MediaUrlRefused(f"no complete answer within {policy.timeout:g} s") from exc
    except httpx.HTTPError as exc:
        raise MediaUrlRefused(f"the fetch failed ({type(exc).__name__}: {exc})") from exc


async def _follow(client: httpx.AsyncClient, url: str, policy: MediaUrlPolicy) -> FetchedMedia:
    for _hop in range(policy.max_redirects + 1):
        target = check_url(url, policy)
        address = await resolve_checked(target.host, target.port or _default_port(target), policy)
        async with client.stream("GET", target.copy_with(host=address), **_pinned(target)) as response:
            if response.status_code in _REDIRECTS and "location" in response.headers:
                url = str(target.join(response.headers["location"]))
                continue
            return await _body(response, str(target), policy)
    raise MediaUrlRefused(f"more than {policy.max_redirects} redirects")


def _default_port(url: httpx.URL) -> int:
    return 443 if url.scheme == "https" else 80


def _pinned(target: httpx.URL) -> dict[str, object]:
    """Connect to the checked address but speak to the name: Host header and TLS server name."""
    host_header = target.host if target.port is None else f"{target.host}:{target.port}"
    extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
    return {"headers": {"Host": host_header}, "extensions": extensions}


async def _body(response: httpx.Response, url: str, policy: MediaUrlPolicy) -> FetchedMedia:
    if not response.is_success:
        raise MediaUrlRefused(f"the server answered HTTP {response.status_code}")
    mime = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if not mime.startswith(READABLE_TYPES):
        raise MediaUrlRefused(f"content type {mime or 'none'!r} is not an image or a PDF")
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > policy.max_bytes:
        raise MediaUrlRefused(f"the file has {declared} bytes, over the {policy.max_bytes} byte limit")
    data = bytearray()
    async for chunk in response.aiter_bytes():
        data += chunk
        if len(data) > policy.max_bytes:
            raise MediaUrlRefused(f"the file is over the {policy.max_bytes} byte limit")
    return FetchedMedia(bytes(data), mime, url)
