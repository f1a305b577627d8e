"""The knowledge base (`prompts/knowledge.yml`): the topics leads ask about beyond the funnel.

A topic is answered from its own text (`answers`), from an existing FAQ entry (`faq`), or by the
node that owns it (`special`: a place question, a request for a person). Answers only state
numbers through placeholders, filled from the lead's data, the plans Serena returned and the
catalog facts `wiring.py` reads once (`Deps.knowledge_facts`).
"""

from __future__ import annotations

import hashlib
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from agent.replies.templates import PROMPTS_DIR
from agent.understanding.intent import normalise

KNOWLEDGE_FILE = PROMPTS_DIR / "knowledge.yml"
VARIANTS = ("with_plan", "with_estimate", "generic")
MAX_TITLE = 20  # WhatsApp reply-button titles

# Placeholders every answer may use: the lead's own data (agent/replies/drafts.py::context_variables).
LEAD_VARIABLES = frozenset(
    {"first_name", "city", "state", "bill_amount", "monthly_savings", "yearly_savings",
     "investment_amount", "average_saving_pct", "distributor", "selected_plan"}
)  # fmt: skip
# What each declared fact lets an answer say (placeholders filled in agent/understanding/answers.py).
FACT_VARIABLES: dict[str, frozenset[str]] = {
    "distributor": frozenset({"distributor"}),
    "plan_loyalty": frozenset({"plan_lines", "plan_loyalty_text"}),
    "plan_discounts": frozenset({"plan_compare_lines", "plan_recommendation", "plan_discount_pct"}),
    "adhesion_fee": frozenset({"adhesion_text"}),
    "min_bill_natural": frozenset({"min_bill_natural"}),
    "min_bill_company": frozenset({"min_bill_company"}),
    "served_states": frozenset({"served_states"}),
    "average_saving": frozenset({"average_saving_pct", "plan_discount_pct"}),
    "investment": frozenset({"investment_amount"}),
    "source": frozenset({"source_text"}),
}


class KnowledgeError(ValueError):
    """The knowledge base file breaks one of its rules (checked at load)."""


@dataclass(frozen=True)
class Topic:
    id: str
    title: str
    intent: str
    paraphrases: tuple[str, ...]
    answers: Mapping[str, str]
    facts: tuple[str, ...] = ()
    faq: str = ""
    special: str = ""
    # Topic words, two kinds that do different jobs (docs/knowledge.md, "Topic words"):
    # * `anchors` are REQUIRED: word starts the lead must write for the topic to be taken at all
    #   ("dados", "lgpd"), for topics whose answer would embarrass if given to a message only near
    #   in meaning. They filter; they never raise a topic's score.
    # * `keywords` DECIDE: words that name the topic outright ("chuva", "serasa"); written
    #   anywhere in a message they lift the topic over the meaning of the words around them.
    #   They never exclude a topic that lacks them.
    anchors: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()

    def named_in(self, normalised_text: str) -> bool:
        """No required words (anchors), or the text holds one of them at a word start."""
        padded = f" {normalised_text}"
        return not self.anchors or any(f" {a}" in padded for a in self.anchors)

    def variant_for(self, *, has_plan: bool, has_estimate: bool) -> str:
        """The most specific answer the lead's data allows."""
        if has_plan and "with_plan" in self.answers:
            return "with_plan"
        if (has_estimate or has_plan) and "with_estimate" in self.answers:
            return "with_estimate"
        return "generic"

    @property
    def answered_here(self) -> bool:
        """Answered from its own text (not by the FAQ or another node)."""
        return bool(self.answers) and not self.faq and not self.special


@dataclass(frozen=True)
class KnowledgeBase:
    version: str
    topics: Mapping[str, Topic]
    digest: str  # of the file's text: the embedding cache is rebuilt when it changes
    # Names matched as the one word the paraphrases use ("Cemig", "Energisa" -> "distribuidora").
    aliases: Mapping[str, str] = field(default_factory=dict)

    def __contains__(self, topic_id: object) -> bool:
        return topic_id in self.topics

    def __getitem__(self, topic_id: str) -> Topic:
        return self.topics[topic_id]

    def examples(self) -> list[tuple[str, str]]:
        """(paraphrase, topic id) for every paraphrase, in file order, as matched (`for_matching`)."""
        return [(self.for_matching(p), t.id) for t in self.topics.values() for p in t.paraphrases]

    def for_matching(self, text: str) -> str:
        """`text` with each alias written as the word it stands for: the paraphrases cannot name
        every distributor, and "a cemig continua mandando a conta?" is asked like "a distribuidora
        continua mandando a conta?"."""
        if not self.aliases:
            return text
        return _alias_pattern(tuple(self.aliases)).sub(lambda m: self.aliases[m.group(0).lower()], text)

    def template_ids(self) -> list[str]:
        return [f"kb.{t.id}.{v}" for t in self.topics.values() for v in t.answers]

    def raw(self, template_id: str) -> str:
        """The unrendered text of `kb.<topic>.<variant>`; KeyError when unknown."""
        _, topic_id, variant = template_id.split(".", 2)
        return self.topics[topic_id].answers[variant]


def _topic(topic_id: str, spec: Mapping[str, Any]) -> Topic:
    answers = {k: str(v).strip() for k, v in (spec.get("answers") or {}).items()}
    topic = Topic(
        id=topic_id,
        title=str(spec["title"]),
        intent=str(spec["intent"]),
        paraphrases=tuple(str(p) for p in spec.get("paraphrases") or ()),
        answers=answers,
        facts=tuple(spec.get("facts") or ()),
        faq=str(spec.get("faq") or ""),
        special=str(spec.get("special") or ""),
        anchors=tuple(normalise(str(a)) for a in spec.get("anchors") or ()),
        keywords=tuple(str(k) for k in spec.get("keywords") or ()),
    )
    _validate(topic)
    return topic


def _validate(topic: Topic) -> None:
    problems: list[str] = []
    if len(topic.title) > MAX_TITLE:
        problems.append(f"title longer than {MAX_TITLE}")
    if len(topic.paraphrases) < 6:
        problems.append("fewer than 6 paraphrases")
    if not (topic.answers or topic.faq or topic.special):
        problems.append("no answer, faq or special")
    if topic.answers and "generic" not in topic.answers:
        problems.append("no generic answer")
    unknown_facts = set(topic.facts) - set(FACT_VARIABLES)
    if unknown_facts:
        problems.append(f"unknown facts {sorted(unknown_facts)}")
    allowed = LEAD_VARIABLES.union(*(FACT_VARIABLES[f] for f in topic.facts if f in FACT_VARIABLES))
    for variant, text in topic.answers.items():
        if variant not in VARIANTS:
            problems.append(f"unknown variant {variant}")
        fields = {f for _, f, _, _ in string.Formatter().parse(text) if f}
        if extra := fields - allowed:
            problems.append(f"{variant} uses {sorted(extra)} without declaring the fact")
        if any(ch.isdigit() for ch in text):
            problems.append(f"{variant} states a number outside a placeholder")
    problems += _topic_word_problems(topic)
    if problems:
        raise KnowledgeError(f"topic {topic.id!r}: " + "; ".join(problems))


def _topic_word_problems(topic: Topic) -> list[str]:
    """Topic words: a paraphrase missing every required word (anchor) could never be matched; a
    blank word would require or name nothing."""
    problems: list[str] = []
    unanchored = [p for p in topic.paraphrases if not topic.named_in(normalise(p))]
    problems += [f"paraphrase {p!r} holds none of the required topic words (anchors)" for p in unanchored]
    if any(not a.strip() for a in topic.anchors):
        problems.append("a blank required topic word (anchors)")
    if any(not normalise(k).strip() for k in topic.keywords):
        problems.append("a blank deciding topic word (keywords)")
    return problems


def _shared_keywords(topics: Mapping[str, Topic]) -> None:
    """A deciding topic word (keyword) names ONE topic: shared by two, it would name neither."""
    owners: dict[str, list[str]] = {}
    for topic in topics.values():
        for keyword in {normalise(k) for k in topic.keywords}:
            owners.setdefault(keyword, []).append(topic.id)
    shared = {k: ids for k, ids in owners.items() if len(ids) > 1}
    if shared:
        raise KnowledgeError(f"deciding topic words (keywords) on more than one topic: {shared}")


@cache
def _alias_pattern(names: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(r"\b(" + "|".join(map(re.escape, names)) + r")\b", re.IGNORECASE)


def _aliases(spec: Mapping[str, Any]) -> dict[str, str]:
    """alias (lowercase) -> the word it is matched as, from `aliases: {word: [alias, ...]}`."""
    return {str(a).lower(): str(word) for word, names in spec.items() for a in names or ()}


def load_knowledge(path: Path = KNOWLEDGE_FILE) -> KnowledgeBase:
    text = path.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    topics = {tid: _topic(tid, spec) for tid, spec in (data.get("topics") or {}).items()}
    _shared_keywords(topics)
    return KnowledgeBase(
        version=str(data.get("version", "kb")),
        topics=topics,
        digest=hashlib.sha256(text.encode()).hexdigest()[:16],
        aliases=_aliases(data.get("aliases") or {}),
    )


@cache
def default_knowledge() -> KnowledgeBase:
    """The bundled knowledge base, parsed once per process (it is read-only)."""
    return load_knowledge()


def knowledge_path() -> Path:
    return Path(KNOWLEDGE_FILE)
