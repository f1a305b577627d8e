"""What the language model is told (`prompts/llm.yml`), and how the messages are laid out.

The system prompt holds only Sílvia's text: instructions, persona, facts, the next step. The
lead's words (current message and history) always travel as user messages, so nothing a lead
writes can become an instruction.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from agent.replies.templates import PROMPTS_DIR
from agent.understanding.intent import normalise

MAX_LEAD_CHARS = 1500  # longer messages are cut before they reach the model (cost, abuse)
_SAFE_NAME = re.compile(r"[^A-Za-zÀ-ÿ' -]")


def safe_label(value: str, limit: int = 40) -> str:
    """Letters only: lead-supplied names and cities may sit in a system prompt only like this."""
    return _SAFE_NAME.sub("", value or "").strip()[:limit]


def clip(text: str) -> str:
    return text if len(text) <= MAX_LEAD_CHARS else text[:MAX_LEAD_CHARS] + " […]"


@dataclass
class ComposeContext:
    """Everything the model may know when writing one reply."""

    persona: str
    task: str  # "answer" or "humanise"
    tone: str
    first_name: str
    stage: str
    next_step: str
    profile: dict[str, str] = field(default_factory=dict)
    facts: list[str] = field(default_factory=list)
    faq: list[str] = field(default_factory=list)
    base_text: str = ""
    correction: str = ""


class LLMBook:
    """`prompts/llm.yml`, loaded once."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self._versions: Mapping[str, Mapping[str, Any]] = data["versions"]
        self._families: frozenset[str] = frozenset(data.get("humanise_families") or [])
        self._topics = {
            intent: re.compile(r"\b(" + "|".join(words) + r")")
            for intent, words in (data.get("faq_topics") or {}).items()
        }
        self._understand: Mapping[str, Any] = data["understand"]
        self._compose: Mapping[str, str] = data["compose"]

    @classmethod
    def load(cls, directory: Path = PROMPTS_DIR) -> LLMBook:
        return cls(yaml.safe_load((directory / "llm.yml").read_text(encoding="utf-8")))

    def raw(self) -> dict[str, Any]:
        """For `silvia prompts show`."""
        return {"versions": dict(self._versions), "compose": dict(self._compose)}

    def options(self, version: str) -> Mapping[str, Any]:
        return self._versions.get(version) or self._versions["default"]

    def humanises(self, version: str, template_id: str) -> bool:
        return bool(self.options(version).get("humanise")) and template_id.split(".")[0] in self._families

    def faq_fits(self, intent: str, text: str) -> bool:
        """Does the FAQ answer for `intent` cover what this message asks about?"""
        topics = self._topics.get(intent)
        return topics is None or bool(topics.search(normalise(text)))

    # --- understand ---------------------------------------------------------------------

    def understand_messages(self, text: str) -> tuple[str, list[tuple[str, str]]]:
        """System prompt, few-shot examples as earlier turns, then the lead's message."""
        messages: list[tuple[str, str]] = []
        for example in self._understand.get("examples") or []:
            messages.append(("user", example["text"]))
            messages.append(("assistant", json.dumps(example["answer"], ensure_ascii=False)))
        messages.append(("user", clip(text)))
        return self._understand["system"], messages

    # --- compose ------------------------------------------------------------------------

    def instructions(self, ctx: ComposeContext) -> str:
        """The secret part of the system prompt (a reply repeating it is a leak)."""
        parts = [ctx.persona.strip(), self._compose["rules"].strip(), f"Tom desta conversa: {ctx.tone}."]
        return "\n\n".join([*parts, self._compose[ctx.task].strip()])

    def compose_system(self, ctx: ComposeContext) -> str:
        parts = [self.instructions(ctx)]
        facts = "\n".join(f"- {fact}" for fact in ctx.facts) or "- (nenhum número disponível)"
        parts.append(
            "\n".join(
                [
                    f"PRIMEIRO NOME: {safe_label(ctx.first_name, 20)}",
                    f"ETAPA ATUAL: {ctx.stage}",
                    f"PRÓXIMO PASSO: {ctx.next_step}",
                    "PERFIL: " + (", ".join(f"{k}: {v}" for k, v in ctx.profile.items()) or "(vazio)"),
                ]
            )
        )
        parts.append(f"FATOS (os únicos números que você pode usar):\n{facts}")
        if ctx.faq:
            parts.append("FAQ RELEVANTE:\n" + "\n".join(ctx.faq))
        if ctx.base_text:
            parts.append(f"TEXTO BASE:\n{ctx.base_text}\nFIM DO TEXTO BASE")
        if ctx.correction:
            parts.append(f"CORREÇÃO: {ctx.correction}")
        return "\n\n".join(parts)


@lru_cache(maxsize=1)
def default_llm_book() -> LLMBook:
    return LLMBook.load()
