"""One function per graph node. Each reads `runtime.context` (Deps) and returns a state update."""

from agent.nodes.conversation import answer, fallback, opt_out
from agent.nodes.followup import followup
from agent.nodes.funnel import documents, plans, qualification, reception
from agent.nodes.handoff import handoff
from agent.nodes.intake import cache_lookup, ingest, understand
from agent.nodes.output import compose, deliver, guard, record
from agent.nodes.questions import answer_questions as questions
from agent.nodes.survey import rate, survey

__all__ = [
    "answer",
    "cache_lookup",
    "compose",
    "deliver",
    "documents",
    "fallback",
    "followup",
    "guard",
    "handoff",
    "ingest",
    "opt_out",
    "plans",
    "qualification",
    "questions",
    "rate",
    "reception",
    "record",
    "survey",
    "understand",
]
