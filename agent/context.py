"""The runtime context every node receives (`runtime.context`): ports and per-run knobs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from agent.ports import (
    BillReaderPort,
    LanguageModelPort,
    LeadStorePort,
    ReplyCachePort,
    SatisfactionPort,
    SerenaPort,
    SpecialistDirectoryPort,
    TakeoverPort,
    WhatsAppPort,
)
from agent.replies.templates import PromptBook
from agent.replies.whatsapp_templates import TemplateCatalog
from agent.understanding.matcher import TopicMatcher
from settings import DEFAULT_TIMEZONE


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Deps:
    """What the graph needs from the world. Built once by `wiring.py` from settings (or by tests)
    and never changed afterwards: a different configuration is a new `Deps` (`dataclasses.replace`)."""

    whatsapp: WhatsAppPort
    serena: SerenaPort
    leads: LeadStorePort
    cache: ReplyCachePort
    bills: BillReaderPort
    specialists: SpecialistDirectoryPort
    prompts: PromptBook
    prompt_version: str = "v2.0_casual"
    history_turns: int = 10
    cache_ttl_seconds: int = 86_400
    timezone: str = DEFAULT_TIMEZONE
    clock: Callable[[], datetime] = field(default=utc_now)
    # Bills: a second page within this many seconds is merged with the first; files are kept
    # this many seconds after extraction (0 = deleted at once; LGPD: only as long as needed).
    bill_merge_window_s: float = 120.0
    bill_retention_s: float = 0.0
    # Approved WhatsApp templates: what goes out instead of free-form text after 24 h.
    whatsapp_templates: TemplateCatalog = field(default_factory=TemplateCatalog.load)
    # Layer L4 (None = no model: templates and local rules carry the whole funnel).
    llm: LanguageModelPort | None = None
    llm_min_confidence: float = 0.7  # below this, understand asks the model
    prompt_weights: dict[str, float] = field(default_factory=dict)  # A/B split for new leads
    # Reading questions by meaning against the knowledge base (None = the rules alone), and the
    # catalog facts its answers may state (minimum bills, served states...: wiring.py).
    topics: TopicMatcher | None = None
    knowledge_facts: dict[str, str] = field(default_factory=dict)
    # Human takeover (None = never paused): a paused lead's messages are recorded, not answered.
    takeover: TakeoverPort | None = None
    # The 1–5 satisfaction survey when Sílvia's part ends (None = not asked).
    satisfaction: SatisfactionPort | None = None
