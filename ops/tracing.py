"""OpenTelemetry traces: one trace per lead message, webhook → inbox → turn → MCP → Graph API.

Off unless the standard OTel variables name a collector (`OTEL_EXPORTER_OTLP_ENDPOINT` or
`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`); then `configure_tracing` installs the SDK's tracer
provider with a batching OTLP/HTTP exporter, which reads the other standard variables itself
(`OTEL_SERVICE_NAME`, `OTEL_EXPORTER_OTLP_HEADERS`, `OTEL_RESOURCE_ATTRIBUTES`…). Off, every
span below is the OTel API's no-op span: nothing is recorded or sent.

The webhook request and the worker that runs the turn later are different tasks (often
different processes), so the trace context travels inside the inbox entry: `with_trace_context`
adds a W3C `traceparent` to the stored payload and `trace_context_of` reads it back. The MCP
SDK carries it on to the tool servers in each request's `_meta` by itself.

Privacy: a lead appears only as `silvia.lead` (the hash ops/logs.py writes in the logs, so a
trace and its log lines can be matched); message text is exported only when
`SILVIA_TRACE_MESSAGE_TEXT` is on.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import propagate, trace

from ops.logs import hash_phone

log = logging.getLogger(__name__)

TRACER = trace.get_tracer("silvia")
TRACE_KEY = "_trace"  # where an inbox payload carries its W3C trace context
LEAD_ATTRIBUTE = "silvia.lead"
_ENDPOINT_VARIABLES = ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT")
TEXT_ATTRIBUTE = "silvia.message.text"
_provider: Any = None  # the SDK provider this process installed (the OTel provider is global)
_record_text = False  # SILVIA_TRACE_MESSAGE_TEXT, set with the provider


def tracing_requested() -> bool:
    """True when the standard OTel variables name a collector and do not switch the SDK off."""
    if os.environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return False
    if os.environ.get("OTEL_TRACES_EXPORTER", "otlp").strip().lower() == "none":
        return False
    return any(os.environ.get(name, "").strip() for name in _ENDPOINT_VARIABLES)


def configure_tracing(record_text: bool = False) -> bool:
    """Install the OTLP/HTTP exporter once per process when tracing is requested; True if on.

    `record_text` (SILVIA_TRACE_MESSAGE_TEXT) adds the lead's message to the turn's span.
    """
    global _provider, _record_text
    if _provider is not None:
        return True
    if not tracing_requested():
        return False
    # Imported here: a process without a collector never loads the SDK.
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    # Resource.create reads OTEL_SERVICE_NAME / OTEL_RESOURCE_ATTRIBUTES; "silvia" otherwise.
    resource = Resource.create({} if os.environ.get("OTEL_SERVICE_NAME") else {"service.name": "silvia"})
    provider = TracerProvider(resource=resource)
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)
    _provider, _record_text = provider, record_text
    endpoint = next(os.environ[v] for v in _ENDPOINT_VARIABLES if os.environ.get(v, "").strip())
    log.info("OpenTelemetry traces go to %s", endpoint)
    return True


def flush_traces(timeout_millis: int = 5_000) -> None:
    """Send the spans still batched (at shutdown, so the last turns are not lost)."""
    if _provider is not None:
        _provider.force_flush(timeout_millis)


@contextmanager
def traced(
    name: str,
    *,
    kind: trace.SpanKind = trace.SpanKind.INTERNAL,
    context: otel_context.Context | None = None,
    attributes: Mapping[str, Any] | None = None,
) -> Iterator[trace.Span]:
    """A current span that records a failure by its type only: exception messages can quote a
    lead's phone or words, so they are never exported."""
    with TRACER.start_as_current_span(
        name,
        kind=kind,
        context=context,
        attributes=dict(attributes or {}),
        record_exception=False,
        set_status_on_exception=False,
    ) as span:
        try:
            yield span
        except BaseException as exc:
            span.set_attribute("error.type", type(exc).__qualname__)
            span.set_status(trace.StatusCode.ERROR, type(exc).__qualname__)
            raise


def lead_attributes(phone: str) -> dict[str, str]:
    """The lead as a span attribute: its hash, never the number."""
    if _provider is None or not phone:  # tracing off: no hashing on the hot path
        return {}
    return {LEAD_ATTRIBUTE: hash_phone(phone)}


def text_attributes(text: str | None) -> dict[str, str]:
    """The message text as a span attribute, only when SILVIA_TRACE_MESSAGE_TEXT is on."""
    return {TEXT_ATTRIBUTE: text} if _record_text and text else {}


def with_trace_context(payload: dict[str, Any]) -> dict[str, Any]:
    """`payload` plus the current span's W3C trace context (unchanged when tracing is off)."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return payload | {TRACE_KEY: carrier} if carrier else payload


def trace_context_of(payload: Mapping[str, Any]) -> otel_context.Context | None:
    """The trace context an inbox payload carries, None when it has none (or a malformed one)."""
    carrier = payload.get(TRACE_KEY)
    if not isinstance(carrier, Mapping) or not carrier:
        return None
    try:
        extracted = propagate.extract({str(k): str(v) for k, v in carrier.items()})
    except (ValueError, TypeError):
        return None
    return extracted if trace.get_current_span(extracted).get_span_context().is_valid else None


class RequestSpans:
    """ASGI middleware: one SERVER span per HTTP request (method, route path, status), the
    parent of everything the request does (the inbox enqueue of a webhook). Added only when
    tracing is on; paths carry no phone numbers (leads travel in bodies)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method, path = scope.get("method", "GET"), scope.get("path", "")
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope.get("headers") or []}
        attributes = {
            "http.request.method": method,
            "url.path": path,
            "url.scheme": scope.get("scheme", "http"),
        }
        with traced(
            f"{method} {path}",
            kind=trace.SpanKind.SERVER,
            context=propagate.extract(headers),  # a caller's traceparent, when it sends one
            attributes=attributes,
        ) as span:

            async def send_with_status(message: dict[str, Any]) -> None:
                if message["type"] == "http.response.start":
                    status = int(message["status"])
                    span.set_attribute("http.response.status_code", status)
                    if status >= 500:
                        span.set_status(trace.StatusCode.ERROR)
                await send(message)

            await self.app(scope, receive, send_with_status)
