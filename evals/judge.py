"""Judged metrics through deepeval's conversational metrics, with the judge on any
OpenAI-compatible URL (a local server, vLLM, Ollama, OpenAI itself).

persona      RoleAdherenceMetric (chatbot_role = Sílvia's persona from prompts/)
relevance    TurnRelevancyMetric
retention    KnowledgeRetentionMetric
completeness ConversationCompletenessMetric
persona_geval ConversationalGEval with the persona in `criteria` (deepeval 4.3.1 raises KeyError
             on MultiTurnParams.CHATBOT_ROLE, see docs/architecture.md)

A judge that answers nonsense makes that metric's score None with the error recorded; the run
goes on.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass
from typing import Any

from agent.replies.templates import PromptBook
from evals.grading import ConversationResult
from evals.judge_prompts import silvia_templates

DEFAULT_METRICS = ("persona", "relevance", "retention", "completeness", "persona_geval")

PERSONA_CRITERIA = (
    "Avalie se o assistente (Sílvia, consultora de energia solar da Serena) mantém a persona em "
    "todas as respostas: português brasileiro caloroso e profissional, chama o lead pelo primeiro "
    "nome quando o conhece, usa formatação do WhatsApp (*negrito*, nunca **), 1 a 2 emojis por "
    "mensagem, nunca diz ser uma IA, nunca inventa preços ou números e sempre traz a conversa de "
    "volta ao próximo passo do funil. Persona:\n{persona}"
)


@dataclass
class JudgeConfig:
    base_url: str
    model: str
    api_key: str = "not-needed"
    metrics: tuple[str, ...] = DEFAULT_METRICS
    threshold: float = 0.5
    concurrency: int = 4
    timeout_s: float = 120.0
    include_reason: bool = True  # the judge explains each score (one more call per metric)


def _quiet_deepeval(timeout_s: float | None = None) -> None:
    # Telemetry off before deepeval is imported: zero outside connections.
    os.environ.setdefault("DEEPEVAL_TELEMETRY_OPT_OUT", "1")
    os.environ.setdefault("DEEPEVAL_DISABLE_PROGRESS_BAR", "1")
    os.environ.setdefault("ERROR_REPORTING", "0")
    if timeout_s:
        # deepeval has its own budget per metric (180 s, ~88 s a call): without this a slow local
        # judge times out inside deepeval whatever --timeout says (deepeval re-reads its settings
        # when the environment changes).
        os.environ.setdefault("DEEPEVAL_PER_TASK_TIMEOUT_SECONDS_OVERRIDE", f"{timeout_s:g}")


def build_test_case(result: ConversationResult, persona: str) -> Any:
    """One deepeval ConversationalTestCase: lead turns as `user`, Sílvia's replies as `assistant`."""
    from deepeval.test_case import ConversationalTestCase, Turn

    turns: list[Turn] = []
    for t in result.turns:
        if t.skipped or not t.replies:
            continue  # a restart, or a message after opt-out that is rightly left unanswered
        turns.append(Turn(role="user", content=t.input or "(mensagem vazia)"))
        turns.append(Turn(role="assistant", content="\n\n".join(t.replies)))
    return ConversationalTestCase(
        name=result.id,
        turns=turns,
        chatbot_role=persona,
        scenario=result.scenario,
        expected_outcome=result.expected_outcome,
        metadata={"prompt_version": result.prompt_version, "source": result.source},
    )


def build_metrics(config: JudgeConfig, persona: str, lead: dict[str, Any] | None = None) -> dict[str, Any]:
    """Fresh metric objects for one conversation; the gated ones get Sílvia's context (the lead's
    data, the catalog, Portuguese-aware criteria) through extended deepeval templates."""
    from deepeval.metrics import (
        ConversationalGEval,
        ConversationCompletenessMetric,
        KnowledgeRetentionMetric,
        RoleAdherenceMetric,
        TurnRelevancyMetric,
    )
    from deepeval.models import LocalModel
    from deepeval.test_case import MultiTurnParams

    judge = LocalModel(model=config.model, base_url=config.base_url, api_key=config.api_key)
    common: dict[str, Any] = {"model": judge, "threshold": config.threshold, "async_mode": True}
    reasons = {"include_reason": config.include_reason}  # ConversationalGEval always explains
    templates = silvia_templates(lead or {}, persona)
    factories = {
        "persona": lambda: RoleAdherenceMetric(**common, **reasons, evaluation_template=templates["persona"]),
        "relevance": lambda: TurnRelevancyMetric(
            **common, **reasons, evaluation_template=templates["relevance"]
        ),
        "retention": lambda: KnowledgeRetentionMetric(
            **common, **reasons, evaluation_template=templates["retention"]
        ),
        "completeness": lambda: ConversationCompletenessMetric(**common, **reasons),
        "persona_geval": lambda: ConversationalGEval(
            name="Persona",
            criteria=PERSONA_CRITERIA.format(persona=persona),
            evaluation_params=[MultiTurnParams.ROLE, MultiTurnParams.CONTENT, MultiTurnParams.SCENARIO],
            **common,
        ),
    }
    unknown = set(config.metrics) - set(factories)
    if unknown:
        raise ValueError(f"unknown judged metrics: {sorted(unknown)}; known: {sorted(factories)}")
    return {name: factories[name]() for name in config.metrics}


async def _measure(metric: Any, test_case: Any, timeout_s: float) -> dict[str, Any]:
    try:
        await asyncio.wait_for(metric.a_measure(test_case, _show_indicator=False), timeout_s)
    except Exception as exc:  # a bad judge answer is a reported error, never a crashed run
        return {"score": None, "reason": None, "error": f"{type(exc).__name__}: {exc}"[:400]}
    score = metric.score
    return {
        "score": None if score is None else round(float(score), 4),
        "reason": (metric.reason or "")[:600] if getattr(metric, "reason", None) else None,
        "error": getattr(metric, "error", None),
    }


class JudgeUnavailableError(RuntimeError):
    """deepeval is an evaluation-only dependency (the `evals` extra), absent from production."""


def _require_deepeval() -> None:
    try:
        import deepeval  # noqa: F401
    except ImportError as exc:
        raise JudgeUnavailableError(
            'Judged metrics need deepeval: pip install -e ".[evals]" (".[dev]" includes it).'
        ) from exc


async def judge_conversations(results: list[ConversationResult], config: JudgeConfig) -> None:
    """Fill `result.judged` for every played conversation (in place)."""
    _quiet_deepeval(config.timeout_s)
    _require_deepeval()
    persona = PromptBook.load().persona
    gate = asyncio.Semaphore(config.concurrency)

    async def judge_one(result: ConversationResult) -> None:
        test_case = build_test_case(result, persona)
        if len(test_case.turns) < 2:
            return  # nothing was said to judge
        async with gate:
            # Metrics keep per-measure state: one fresh set per conversation.
            metrics = build_metrics(config, persona, result.lead)
            for name, metric in metrics.items():
                result.judged[name] = await _measure(metric, test_case, config.timeout_s)

    await asyncio.gather(*(judge_one(r) for r in results if r.skipped is None))
