"""A local stand-in for an OpenTelemetry collector's OTLP/HTTP traces endpoint, for tests.

It accepts what the SDK's OTLP/HTTP exporter POSTs to `/v1/traces` (a protobuf
`ExportTraceServiceRequest`, optionally gzipped), decodes it with the official OTLP protobuf
classes and keeps every span with its resource, ids and attributes.
"""

from __future__ import annotations

import gzip
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from google.protobuf.json_format import MessageToDict
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)


@dataclass
class ExportedSpan:
    name: str
    trace_id: str
    span_id: str
    parent_span_id: str
    kind: int  # opentelemetry.proto SpanKind: 2 server, 3 client, 4 producer, 5 consumer
    attributes: dict[str, Any]
    resource: dict[str, Any]


def _attributes(pairs: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for kv in pairs:
        value = MessageToDict(kv.value)  # {"stringValue": …} | {"intValue": "3"} (int64 as text) | …
        kind, raw = next(iter(value.items())) if value else ("", None)
        out[kv.key] = int(raw) if kind == "intValue" else raw
    return out


@dataclass
class OtlpCollectorFake:
    spans: list[ExportedSpan] = field(default_factory=list)
    raw_bodies: list[bytes] = field(default_factory=list)  # decoded protobuf bytes, for text searches
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> OtlpCollectorFake:
        collector = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.headers.get("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                if self.path != "/v1/traces":
                    self.send_response(404)
                    self.end_headers()
                    return
                collector._receive(body)
                answer = ExportTraceServiceResponse().SerializeToString()
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    @property
    def endpoint(self) -> str:
        """What OTEL_EXPORTER_OTLP_ENDPOINT should be (the exporter appends /v1/traces)."""
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _receive(self, body: bytes) -> None:
        request = ExportTraceServiceRequest.FromString(body)
        received = []
        for resource_spans in request.resource_spans:
            resource = _attributes(resource_spans.resource.attributes)
            for scope_spans in resource_spans.scope_spans:
                for span in scope_spans.spans:
                    received.append(
                        ExportedSpan(
                            name=span.name,
                            trace_id=span.trace_id.hex(),
                            span_id=span.span_id.hex(),
                            parent_span_id=span.parent_span_id.hex(),
                            kind=span.kind,
                            attributes=_attributes(span.attributes),
                            resource=resource,
                        )
                    )
        with self._lock:
            self.raw_bodies.append(body)
            self.spans.extend(received)

    def all(self) -> list[ExportedSpan]:
        with self._lock:
            return list(self.spans)
