"""Deterministic grading of one played conversation: stages, intents, assertions, persona, numbers."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from agent.policy.guard import check_message
from evals.assertions import AssertionResult, evaluate_all
from evals.dataset import Conversation, Turn
from evals.grounding import FactBook
from evals.targets import TurnOutput
from evals.topic_relevance import answered_on_topic, question_topic

GENERIC_FALLBACK_ID = "error.generic_fallback"


@dataclass
class GradedTurn:
    index: int
    kind: str
    input: str
    replies: list[str]
    stage: str | None
    intent: str | None
    layer: str | None
    prompt_version: str | None
    latency_ms: float
    expected_stage: str | None = None
    expected_intent: str | None = None
    stage_ok: bool | None = None
    intent_ok: bool | None = None
    topic: str | None = None  # the FAQ topic of a question turn (evals/topic_relevance.py)
    topic_ok: bool | None = None  # answered on that topic
    kb_topic: str | None = None  # the knowledge-base topic Sílvia read for the message, if any
    assertions: list[AssertionResult] = field(default_factory=list)
    persona_violations: list[str] = field(default_factory=list)  # one entry per failing reply
    ungrounded: list[str] = field(default_factory=list)
    replies_graded: int = 0
    replies_persona_ok: int = 0
    replies_grounded: int = 0
    error: str | None = None
    skipped: bool = False

    @property
    def passed(self) -> bool:
        if self.skipped:
            return True
        return (
            self.error is None
            and self.stage_ok is not False
            and self.intent_ok is not False
            and self.topic_ok is not False
            and all(a.passed for a in self.assertions)
            and not self.persona_violations
            and not self.ungrounded
        )

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["passed"] = self.passed
        return data


@dataclass
class ConversationResult:
    id: str
    title: str
    source: str
    tags: list[str]
    scenario: str
    expected_outcome: str
    prompt_version: str | None
    turns: list[GradedTurn] = field(default_factory=list)
    skipped: str | None = None  # why the target could not replay it
    judged: dict[str, dict[str, Any]] = field(default_factory=dict)  # metric -> {score, reason, error}
    lead: dict[str, Any] = field(default_factory=dict)  # what Sílvia knew before (context for the judge)

    @classmethod
    def of(
        cls, conv: Conversation, prompt_version: str | None, skipped: str | None = None
    ) -> ConversationResult:
        """An empty result that carries the conversation's description."""
        return cls(
            id=conv.id,
            title=conv.title,
            source=conv.source,
            tags=conv.tags,
            scenario=conv.scenario,
            expected_outcome=conv.expected_outcome,
            prompt_version=conv.prompt_version or prompt_version,
            skipped=skipped,
            lead=conv.lead.model_dump(mode="json", exclude_none=True),
        )

    @property
    def passed(self) -> bool:
        return self.skipped is None and all(t.passed for t in self.turns)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "source": self.source,
            "tags": self.tags,
            "scenario": self.scenario,
            "expected_outcome": self.expected_outcome,
            "prompt_version": self.prompt_version,
            "skipped": self.skipped,
            "passed": self.passed,
            "turns": [t.to_dict() for t in self.turns],
            "judged": self.judged,
        }


def _grade_replies(graded: GradedTurn, out: TurnOutput, facts: FactBook) -> None:
    for text in out.replies:
        graded.replies_graded += 1
        persona = [v for v in check_message(text, set()) if not v.startswith("ungrounded_numbers")]
        if persona:
            graded.persona_violations.append(f"reply {graded.replies_graded}: {', '.join(persona)}")
        else:
            graded.replies_persona_ok += 1
        if bad := facts.ungrounded(text):
            graded.ungrounded += bad
        else:
            graded.replies_grounded += 1
    # The guard replaced a message that broke the rules: the lead got the generic fallback
    # instead of an answer, which is a persona failure of the prompt that produced it.
    if out.guard_violations:
        graded.persona_violations.append("guard intercepted: " + ", ".join(out.guard_violations))
        graded.replies_persona_ok = max(0, graded.replies_persona_ok - 1)


def grade_turn(index: int, turn: Turn, out: TurnOutput, facts: FactBook) -> GradedTurn:
    graded = GradedTurn(
        index=index,
        kind=turn.kind,
        input=turn.describe(),
        replies=out.replies,
        stage=out.stage,
        intent=out.intent,
        layer=out.layer,
        prompt_version=out.prompt_version,
        latency_ms=out.latency_ms,
        error=out.error,
        skipped=out.skipped,
    )
    facts.add_turn(turn)
    if out.skipped:
        return graded
    expect = turn.expect
    if expect.stage:
        graded.expected_stage, graded.stage_ok = expect.stage, out.stage == expect.stage
    if expect.intent:
        graded.expected_intent, graded.intent_ok = expect.intent, out.intent == expect.intent
    if topic := question_topic(expect.intent, out.intent, turn.lead):
        graded.kb_topic = out.kb_topic
        graded.topic_ok = answered_on_topic(topic, out.templates, out.replies, out.kb_topic, out.reply_topics)
        graded.topic = topic
    graded.assertions = evaluate_all(expect.assertions, "\n".join(out.replies))
    _grade_replies(graded, out, facts)
    return graded


def grade_conversation(
    conv: Conversation, outputs: list[TurnOutput], prompt_version: str | None
) -> ConversationResult:
    result = ConversationResult.of(conv, prompt_version)
    facts = FactBook(conv)
    for index, (turn, out) in enumerate(zip(conv.turns, outputs, strict=True)):
        result.turns.append(grade_turn(index, turn, out, facts))
    assigned = next((o.lead_version for o in outputs if o.lead_version), None)
    result.prompt_version = assigned or result.prompt_version or "default"
    return result
