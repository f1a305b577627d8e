"""`LanguageModelPort` on any OpenAI-compatible Chat Completions server, through langchain-openai.

What this adapter adds around `ChatOpenAI`:
* one time budget per call (seed: L4 < 2 s), retries of 429/5xx/connection errors inside it;
* structured output that works on servers without `json_schema` response formats (llama.cpp's
  server answers 500): json_schema → function_calling → json_mode, remembering what worked;
* refusals, empty and malformed answers become `LanguageModelError`, never text for a lead;
* a circuit breaker: after repeated failures, no calls for a cool-down, with an alert event.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from time import monotonic, perf_counter
from typing import Any

import httpx
import openai
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, HumanMessage, SystemMessage
from langchain_openai import ChatOpenAI
from pydantic import BaseModel
from tenacity import (
    AsyncRetrying,
    retry_if_exception,
    stop_after_attempt,
    stop_before_delay,
    wait_exponential,
)

from agent.llm.breaker import CircuitBreaker
from agent.ports import LanguageModelError, LLMData, LLMFailure, LLMText, LLMUsage

log = logging.getLogger(__name__)

AlertSink = Callable[[str, str, dict[str, Any]], Awaitable[None]]  # (level, message, details)
STRUCTURED_METHODS = ("json_schema", "function_calling", "json_mode")
# Words in a server's error that mean "I do not support this way of asking for structure".
_UNSUPPORTED_HINTS = {
    "json_schema": ("response_format", "json_schema"),
    "function_calling": ("tool",),
    "json_mode": ("response_format", "json_object"),
}
_MIN_ATTEMPT_SECONDS = 0.05


class _Unsupported(Exception):
    """The server rejected this structured-output method; try the next one."""


def _is_transient(exc: BaseException) -> bool:
    if isinstance(exc, openai.APIConnectionError | openai.RateLimitError | openai.InternalServerError):
        return True
    return isinstance(exc, openai.APIStatusError) and exc.status_code >= 500


def _failure_kind(exc: BaseException) -> LLMFailure:
    if isinstance(exc, TimeoutError | openai.APITimeoutError):
        return "timeout"
    if isinstance(exc, openai.RateLimitError):
        return "rate_limited"
    return "server_error"


def _to_messages(system: str, messages: list[tuple[str, str]]) -> list[BaseMessage]:
    built: list[BaseMessage] = [SystemMessage(system)]
    for role, text in messages:
        built.append(AIMessage(text) if role == "assistant" else HumanMessage(text))
    return built


class OpenAIChatModel:
    """Implements `agent.ports.LanguageModelPort`."""

    def __init__(
        self,
        *,
        api_key: str,
        model: str = "gpt-4o-mini",
        base_url: str | None = None,
        budget_seconds: float = 2.0,
        breaker: CircuitBreaker | None = None,
        alert: AlertSink | None = None,
        max_tokens: int = 400,
        temperature: float = 0.3,
    ) -> None:
        self.model = model
        self.base_url = base_url or "https://api.openai.com/v1"
        self.budget = budget_seconds
        self.breaker = breaker or CircuitBreaker()
        self._alert = alert
        self._methods = list(STRUCTURED_METHODS)
        # Retries are ours (inside the budget), so the SDK's own are off. The HTTP client is this
        # adapter's own: langchain-openai otherwise shares one per (URL, timeout) process-wide,
        # bound to the first event loop that used it, and a second `asyncio.run` in the same
        # process (a CLI command after `silvia doctor`, a benchmark) then fails every call with
        # "Event loop is closed".
        self._chat = ChatOpenAI(
            http_async_client=httpx.AsyncClient(timeout=budget_seconds),
            model=model,
            api_key=api_key,  # type: ignore[arg-type]
            base_url=base_url or None,
            timeout=budget_seconds,
            max_retries=0,
            max_tokens=max_tokens,
            temperature=temperature,
            use_responses_api=False,
        )

    @property
    def structured_methods(self) -> list[str]:
        """The structured-output methods still believed to work on this server, best first."""
        return list(self._methods)

    # --- the port ------------------------------------------------------------------------

    async def complete(self, system: str, messages: list[tuple[str, str]]) -> LLMText:
        started, deadline = perf_counter(), monotonic() + self.budget
        message = await self._guarded(lambda: self._chat.ainvoke(_to_messages(system, messages)), deadline)
        usage = self._usage(message, started)
        if message.additional_kwargs.get("refusal"):
            raise await self._failed("refusal", str(message.additional_kwargs["refusal"])[:200], usage)
        text = message.content if isinstance(message.content, str) else message.text
        if not text.strip():
            raise await self._failed("empty", "", usage)
        await self._succeeded()
        return LLMText(text=text.strip(), usage=usage)

    async def structured(
        self, system: str, messages: list[tuple[str, str]], schema: type[BaseModel]
    ) -> LLMData:
        started, deadline = perf_counter(), monotonic() + self.budget
        for method in list(self._methods):
            runnable = self._chat.with_structured_output(schema, method=method, include_raw=True)  # type: ignore[arg-type]
            try:
                out = await self._guarded(
                    lambda r=runnable: r.ainvoke(_to_messages(system, messages)), deadline, method
                )
            except _Unsupported:
                log.info("model server does not support %s structured output; falling back", method)
                if len(self._methods) > 1:
                    self._methods.remove(method)
                continue
            raw, parsed = out.get("raw"), out.get("parsed")
            usage = self._usage(raw, started, method)
            if parsed is None:
                refusal = isinstance(raw, AIMessage) and raw.additional_kwargs.get("refusal")
                kind: LLMFailure = "refusal" if refusal else "malformed"
                raise await self._failed(kind, str(out.get("parsing_error") or refusal)[:200], usage)
            await self._succeeded()
            data = parsed.model_dump() if isinstance(parsed, BaseModel) else dict(parsed)
            return LLMData(data=data, usage=usage)
        raise await self._failed("server_error", "no structured-output method works on this server")

    # --- budget, retries, breaker --------------------------------------------------------

    async def _guarded(
        self, call: Callable[[], Awaitable[Any]], deadline: float, method: str | None = None
    ) -> Any:
        if not self.breaker.allow():
            raise LanguageModelError("circuit_open", f"cool-down of {self.breaker.cooldown:.0f}s")
        budget_left = deadline - monotonic()
        try:
            async for attempt in AsyncRetrying(
                retry=retry_if_exception(_is_transient),
                # No attempt starts without time to finish: the last real error is what we report.
                stop=stop_before_delay(max(budget_left - 0.15, 0)) | stop_after_attempt(4),
                wait=wait_exponential(multiplier=0.05, max=0.4),
                reraise=True,
            ):
                with attempt:
                    remaining = deadline - monotonic()
                    if remaining < _MIN_ATTEMPT_SECONDS:
                        raise TimeoutError("model time budget spent")
                    try:
                        return await asyncio.wait_for(call(), remaining)
                    except openai.APIStatusError as exc:
                        if method and self._unsupported(exc, method):
                            raise _Unsupported(method) from exc
                        raise
        except (_Unsupported, LanguageModelError):
            raise
        except openai.APIStatusError as exc:
            raise await self._failed(_failure_kind(exc), f"HTTP {exc.status_code}") from exc
        except (TimeoutError, openai.APIError) as exc:
            raise await self._failed(_failure_kind(exc), type(exc).__name__) from exc
        except ValueError as exc:  # a body that is not JSON, or not a chat completion
            raise await self._failed("malformed", type(exc).__name__) from exc
        except Exception as exc:  # whatever else breaks in the client: the lead still gets an answer
            log.exception("unexpected model client failure")
            raise await self._failed("server_error", type(exc).__name__) from exc
        raise AssertionError("unreachable")  # pragma: no cover - AsyncRetrying returns or raises

    @staticmethod
    def _unsupported(exc: openai.APIStatusError, method: str) -> bool:
        if exc.status_code not in (400, 404, 415, 422, 500, 501):
            return False
        text = f"{exc.message} {exc.body}".lower()
        return any(hint in text for hint in _UNSUPPORTED_HINTS[method])

    async def _failed(
        self, kind: LLMFailure, detail: str, usage: LLMUsage | None = None
    ) -> LanguageModelError:
        if self.breaker.record_failure() and self._alert is not None:
            await self._alert(
                "ERROR",
                "llm_circuit_open",
                {
                    "model": self.model,
                    "base_url": self.base_url,
                    "failures": self.breaker.consecutive_failures,
                    "cooldown_seconds": self.breaker.cooldown,
                    "last_failure": kind,
                },
            )
        return LanguageModelError(kind, detail, usage)

    async def _succeeded(self) -> None:
        if self.breaker.record_success() and self._alert is not None:
            await self._alert("INFO", "llm_circuit_closed", {"model": self.model})

    def _usage(self, message: Any, started: float, method: str = "") -> LLMUsage:
        meta = getattr(message, "usage_metadata", None) or {}
        name = ""
        if isinstance(message, AIMessage | AIMessageChunk):
            name = str(message.response_metadata.get("model_name") or "")
        return LLMUsage(
            model=(name or self.model)[:50],
            tokens_in=int(meta.get("input_tokens") or 0),
            tokens_out=int(meta.get("output_tokens") or 0),
            latency_ms=int((perf_counter() - started) * 1000),
            method=method,
        )


def language_model_from_settings(settings: Any, alert: AlertSink | None = None) -> OpenAIChatModel | None:
    """The L4 model when OPENAI_API_KEY is set; None keeps Sílvia in template-only mode."""
    if not settings.openai_api_key:
        return None
    return OpenAIChatModel(
        api_key=settings.openai_api_key,
        model=settings.openai_model,
        base_url=settings.openai_base_url or None,
        budget_seconds=settings.llm_timeout_seconds,
        breaker=CircuitBreaker(settings.llm_breaker_failures, settings.llm_breaker_cooldown_seconds),
        alert=alert,
    )
