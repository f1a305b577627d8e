"""The one MCP client the nodes use, and the port adapters built on it.

`McpConnection` keeps ONE long-lived `mcp.Client` per server: a new client per call costs
~40 ms over HTTP against ~2 ms for a reused one. The client lives in its own task because a
dead HTTP transport cancels the task that entered it; isolated, callers just see
"connection closed", and the connection is rebuilt before the next attempt. Only transient
failures (connection lost, time-outs) are retried; a tool's own error never is.

An in-process server can be called `direct`ly (what `wiring` does for Sílvia's own servers):
the server's own tool call (argument validation, result conversion, a tool's error returned
as an error result) without the JSON-RPC session, which in-process adds only encoding,
decoding and task hops (~7 % of a template turn's instructions). While a trace is being
recorded the call goes through the session, so the server's span stays in the trace. External
clients and `silvia mcp` reach the same servers over MCP as before.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any, Self, TypeVar

import anyio
import mcp
from mcp.server import MCPServer
from mcp.shared.exceptions import MCPError
from mcp_types import CONNECTION_CLOSED, REQUEST_TIMEOUT, CallToolResult, TextContent, Tool
from opentelemetry import trace
from pydantic import BaseModel, ValidationError
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from agent.ports import MediaFile, PlanCatalog, Qualification, SerenaPort, ToolError, WhatsAppPort

log = logging.getLogger(__name__)
_TRACER = trace.get_tracer("silvia.tools")

CallObserver = Callable[[str, float, str], None]
"""Told of every tool call: (tool, seconds, outcome ok | unavailable | tool_error | error)."""

DEFAULT_TIMEOUT = 10.0
DEFAULT_ATTEMPTS = 3
DEFAULT_BACKOFF = 0.2
# Tools with a side effect a repeat would duplicate (a second WhatsApp message, a second
# registration): a time-out may mean "done, but the answer was lost", so they are called once.
NOT_RETRIED_TOOLS = frozenset(
    {
        "sendTextMessage",
        "sendInteractiveButtons",
        "sendInteractiveList",
        "sendTemplateMessage",
        "cadastrar_lead",
    }
)


class ToolCallError(ToolError):
    """A tool call failed: the tool reported an error, or the server could not be reached."""

    def __init__(self, tool: str, message: str) -> None:
        super().__init__(f"{tool}: {message}")
        self.tool = tool
        self.message = message


class McpUnavailableError(ToolCallError):
    """The server could not be reached (after retries)."""


class _Transient(Exception):
    """A failure worth retrying; wraps the original."""


_TRANSIENT_ERRORS = (
    TimeoutError,
    OSError,
    anyio.ClosedResourceError,
    anyio.BrokenResourceError,
    anyio.EndOfStream,
)


def _is_transient(exc: BaseException) -> bool:
    if isinstance(exc, MCPError):
        return exc.error.code in (CONNECTION_CLOSED, REQUEST_TIMEOUT)
    return isinstance(exc, _TRANSIENT_ERRORS)


def _error_text(tool: str, result: CallToolResult) -> str:
    text = " ".join(getattr(block, "text", "") for block in result.content).strip()
    # The SDK prefixes every tool error with this; the rest is the server's own message.
    return text.removeprefix(f"Error executing tool {tool}:").strip() or "tool reported an error"


async def _call_in_process(server: MCPServer, tool: str, args: dict[str, Any]) -> CallToolResult:
    """The server's tool call as its MCP handler makes it, without the session.

    Like the SDK's handler, any failure of the tool but an `MCPError` becomes an error result
    (the same text the session would carry), so both paths raise the same `ToolCallError`.
    """
    try:
        result = await server.call_tool(tool, args)
    except MCPError:
        raise
    except Exception as exc:  # the SDK's handler boundary, mirrored: the tool's error is the answer
        return CallToolResult(content=[TextContent(type="text", text=str(exc))], is_error=True)
    if not isinstance(result, CallToolResult):  # a multi-round input request: not a tool Sílvia has
        return CallToolResult(content=[TextContent(type="text", text="input required")], is_error=True)
    return result


def _structured(result: CallToolResult) -> dict[str, Any]:
    if isinstance(result.structured_content, dict):
        return result.structured_content
    text = " ".join(getattr(block, "text", "") for block in result.content)
    try:
        parsed = json.loads(text)
    except ValueError:
        return {"result": text}
    return parsed if isinstance(parsed, dict) else {"result": parsed}


class McpConnection:
    """One long-lived client to one MCP server, in-process or remote (streamable HTTP)."""

    def __init__(
        self,
        target: MCPServer | str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        attempts: int = DEFAULT_ATTEMPTS,
        backoff: float = DEFAULT_BACKOFF,
        mode: str = "auto",
        on_call: CallObserver | None = None,  # wiring passes ops.metrics.observe_mcp_call
        direct: bool = False,
    ) -> None:
        self.target = target
        # In-process only: the server whose tools are called without the session (see above).
        self._direct = target if direct and isinstance(target, MCPServer) else None
        self.on_call = on_call
        self.timeout = timeout
        self.attempts = attempts
        self.backoff = backoff
        self.mode = mode
        self._client: mcp.Client | None = None
        self._owner: asyncio.Task[None] | None = None
        self._stop: asyncio.Event | None = None
        self._lock: asyncio.Lock | None = None

    @classmethod
    def inprocess(cls, server: MCPServer, **kwargs: Any) -> Self:
        return cls(server, **kwargs)

    @classmethod
    def remote(cls, url: str, **kwargs: Any) -> Self:
        return cls(url, **kwargs)

    @property
    def name(self) -> str:
        return self.target if isinstance(self.target, str) else self.target.name

    @property
    def is_remote(self) -> bool:
        return isinstance(self.target, str)

    # lifecycle ---------------------------------------------------------------------------

    async def __aenter__(self) -> Self:
        await self.open()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def open(self) -> None:
        """Connect now (retrying transient failures) instead of on the first call."""
        await self._retrying(self._ensure_client)

    async def close(self) -> None:
        owner, stop = self._owner, self._stop
        self._client = self._owner = self._stop = None
        if owner is None or stop is None:
            return
        stop.set()
        await asyncio.gather(owner, return_exceptions=True)

    async def _ensure_client(self) -> mcp.Client:
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            if self._client is not None and self._owner is not None and not self._owner.done():
                return self._client
            await self.close()  # a dead owner: the server went away (or restarted)
            return await self._connect()

    async def _connect(self) -> mcp.Client:
        ready: asyncio.Future[mcp.Client] = asyncio.get_running_loop().create_future()
        stop = asyncio.Event()
        owner = asyncio.create_task(self._own(ready, stop), name=f"mcp-client:{self.name}")
        try:
            client = await asyncio.wait_for(asyncio.shield(ready), self.timeout)
        except BaseException:
            stop.set()
            owner.cancel()
            await asyncio.gather(owner, return_exceptions=True)
            raise
        self._client, self._owner, self._stop = client, owner, stop
        return client

    async def _own(self, ready: asyncio.Future[mcp.Client], stop: asyncio.Event) -> None:
        """Enter the client, publish it, and hold it open until asked to stop."""
        try:
            async with mcp.Client(self.target, read_timeout_seconds=self.timeout, mode=self.mode) as client:
                if not ready.done():
                    ready.set_result(client)
                await stop.wait()
        except Exception as exc:
            log.warning("MCP connection to %s ended: %r", self.name, exc)
            if not ready.done():
                ready.set_exception(_Transient(f"could not connect: {exc!r}"))

    # calls ---------------------------------------------------------------------------------

    async def _retrying(self, step: Any, attempts: int | None = None) -> Any:
        retrying = AsyncRetrying(
            stop=stop_after_attempt(attempts or self.attempts),
            wait=wait_exponential(multiplier=self.backoff, min=self.backoff, max=5 * self.backoff),
            retry=retry_if_exception_type(_Transient),
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                try:
                    return await step()
                except _Transient:
                    raise
                except Exception as exc:
                    if not _is_transient(exc):
                        raise
                    raise _Transient(repr(exc)) from exc
        raise AssertionError("unreachable")  # tenacity either returns or re-raises

    async def _call_once(self, tool: str, args: dict[str, Any]) -> CallToolResult:
        if self._direct is not None and not trace.get_current_span().is_recording():
            async with asyncio.timeout(self.timeout):  # a time-out is transient, as over MCP
                return await _call_in_process(self._direct, tool, args)
        client = await self._ensure_client()
        try:
            return await client.call_tool(tool, args, read_timeout_seconds=self.timeout)
        except MCPError as exc:
            if exc.error.code == CONNECTION_CLOSED:
                await self.close()  # rebuild before the next attempt
            raise

    async def call(self, tool: str, args: dict[str, Any] | None = None) -> dict[str, Any]:
        """Call `tool` and return its structured result; ToolCallError on any failure.

        Every call is counted and timed per tool (ops/metrics: calls, errors, latency).
        """
        started, outcome = time.perf_counter(), "ok"
        # A span per call, retries included; the MCP SDK's own client span per attempt nests
        # under it and carries the trace to the server in `_meta` (no-op without a provider).
        span = _TRACER.start_span(
            f"mcp call {tool}", attributes={"gen_ai.tool.name": tool, "mcp.server.name": self.name}
        )
        try:
            with trace.use_span(
                span, end_on_exit=False, record_exception=False, set_status_on_exception=False
            ):
                return await self._call(tool, args)
        except McpUnavailableError:
            outcome = "unavailable"
            raise
        except ToolCallError:
            outcome = "tool_error"
            raise
        except Exception:
            outcome = "error"
            raise
        finally:
            if outcome != "ok":
                span.set_status(trace.StatusCode.ERROR, outcome)
            span.set_attribute("silvia.tool.outcome", outcome)
            span.end()
            if self.on_call is not None:
                self.on_call(tool, time.perf_counter() - started, outcome)

    async def _call(self, tool: str, args: dict[str, Any] | None) -> dict[str, Any]:
        """Connecting is always retried; the call itself only for tools a repeat cannot harm."""
        try:
            if tool in NOT_RETRIED_TOOLS:
                await self._retrying(self._ensure_client)
                result: CallToolResult = await self._retrying(
                    lambda: self._call_once(tool, args or {}), attempts=1
                )
            else:
                result = await self._retrying(lambda: self._call_once(tool, args or {}))
        except _Transient as exc:
            raise McpUnavailableError(tool, f"MCP server {self.name} unavailable: {exc}") from exc
        except MCPError as exc:
            raise ToolCallError(tool, exc.error.message) from exc
        if result.is_error:
            raise ToolCallError(tool, _error_text(tool, result))
        return _structured(result)

    async def list_tools(self) -> list[Tool]:
        client = await self._retrying(self._ensure_client)
        tools: list[Tool] = []
        cursor: str | None = None
        while True:
            page = await client.list_tools(cursor=cursor)
            tools.extend(page.tools)
            cursor = page.next_cursor
            if not cursor:
                return tools


# --- port adapters ----------------------------------------------------------------------------


ModelT = TypeVar("ModelT", bound=BaseModel)


def _field(result: dict[str, Any], tool: str, key: str) -> Any:
    try:
        return result[key]
    except (KeyError, TypeError) as exc:
        raise ToolCallError(tool, f"answer without {key!r}") from exc


def _model(model: type[ModelT], result: Any, tool: str) -> ModelT:
    try:
        return model.model_validate(result)
    except ValidationError as exc:
        raise ToolCallError(tool, f"answer is not a {model.__name__}: {exc.error_count()} error(s)") from exc


class WhatsAppTools(WhatsAppPort):
    """`WhatsAppPort` over the WhatsApp MCP server."""

    def __init__(self, connection: McpConnection) -> None:
        self.connection = connection

    async def send_text(self, to: str, message: str) -> str:
        result = await self.connection.call("sendTextMessage", {"to": to, "message": message})
        return str(_field(result, "sendTextMessage", "message_id"))

    async def send_buttons(self, to: str, body: str, buttons: list[dict[str, str]]) -> str:
        args = {"to": to, "body": body, "buttons": buttons}
        result = await self.connection.call("sendInteractiveButtons", args)
        return str(_field(result, "sendInteractiveButtons", "message_id"))

    async def send_list(self, to: str, body: str, button: str, rows: list[dict[str, str]]) -> str:
        args = {"to": to, "body": body, "button": button, "rows": rows}
        return str((await self.connection.call("sendInteractiveList", args))["message_id"])

    async def send_template(self, to: str, template: str, language: str, parameters: dict[str, str]) -> str:
        args = {"to": to, "template": template, "language": language, "parameters": parameters}
        result = await self.connection.call("sendTemplateMessage", args)
        return str(_field(result, "sendTemplateMessage", "message_id"))

    async def download_media(self, media_id: str) -> MediaFile:
        result = await self.connection.call("downloadMedia", {"media_id": media_id})
        return _model(MediaFile, result, "downloadMedia")

    async def mark_as_read(self, message_id: str) -> bool:
        result = await self.connection.call("markAsRead", {"message_id": message_id})
        return bool(_field(result, "markAsRead", "ok"))


class SerenaTools(SerenaPort):
    """`SerenaPort` over the Serena MCP server."""

    def __init__(self, connection: McpConnection) -> None:
        self.connection = connection

    async def get_plans(self, city: str, state: str) -> PlanCatalog:
        result = await self.connection.call("obter_planos_gd", {"cidade": city, "estado": state})
        return _model(PlanCatalog, result, "obter_planos_gd")

    async def validate_qualification(
        self, city: str, state: str, person_type: str, bill_amount: float
    ) -> Qualification:
        args = {"cidade": city, "estado": state, "tipo_pessoa": person_type, "valor_conta": bill_amount}
        result = await self.connection.call("validar_qualificacao_lead", args)
        return _model(Qualification, result, "validar_qualificacao_lead")

    async def register_lead(self, lead: dict[str, Any]) -> str:
        result = await self.connection.call("cadastrar_lead", {"dados_lead": lead})
        return str(_field(result, "cadastrar_lead", "lead_id"))
