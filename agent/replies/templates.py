"""Versioned message templates from `prompts/` and how to render them (layer L3)."""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

PROMPTS_DIR = Path(__file__).resolve().parents[2] / "prompts"


class TemplateError(Exception):
    """A template is missing or a variable it needs was not provided."""


@dataclass(frozen=True)
class Rendered:
    template_id: str
    version: str
    text: str


class _StrictVars(dict[str, Any]):
    def __missing__(self, key: str) -> Any:
        raise TemplateError(f"missing template variable {{{key}}}")


def _tidy(text: str) -> str:
    """Strip trailing spaces and collapse runs of blank lines left by empty variables."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines))


class PromptBook:
    """All templates, the persona and the FAQ, loaded once from YAML.

    A template id is `family` (the text is chosen by prompt version) or `family.variant`
    (a fixed variant of that family). `error.<name>` and `faq.<intent>.<variant>` address the
    seed's error messages and the FAQ.
    """

    def __init__(
        self, prompts: Mapping[str, Any], faq: Mapping[str, Any], knowledge: Mapping[str, Any] | None = None
    ) -> None:
        self.persona: str = prompts["persona"]["base_personality"]
        # `kb.<topic>.<variant>`: the knowledge base's answers (prompts/knowledge.yml)
        knowledge = knowledge or {}
        self._kb: Mapping[str, Mapping[str, str]] = {
            tid: spec.get("answers") or {} for tid, spec in (knowledge.get("topics") or {}).items()
        }
        self._kb_version: str = str(knowledge.get("version", "kb"))
        self._families: Mapping[str, Mapping[str, str]] = prompts["templates"]
        self._errors: Mapping[str, str] = prompts["error_handling"]
        self._faq: Mapping[str, Mapping[str, str]] = faq["answers"]
        self._faq_version: str = faq.get("default", "faq")

    @classmethod
    def load(cls, directory: Path = PROMPTS_DIR) -> PromptBook:
        prompts = yaml.safe_load((directory / "serena_prompts.yml").read_text(encoding="utf-8"))
        faq = yaml.safe_load((directory / "faq.yml").read_text(encoding="utf-8"))
        kb_file = directory / "knowledge.yml"
        knowledge = yaml.safe_load(kb_file.read_text(encoding="utf-8")) if kb_file.exists() else {}
        return cls(prompts, faq, knowledge)

    # --- lookup -------------------------------------------------------------------------

    def raw(self, template_id: str, version: str | None = None) -> tuple[str, str]:
        """The unrendered text and the version that will be recorded for it."""
        family, _, variant = template_id.partition(".")
        if family == "error":
            return self._lookup(self._errors, variant, template_id), "error"
        if family == "kb":
            topic, _, kind = variant.partition(".")
            answers = self._lookup(self._kb, topic, template_id)
            return self._lookup(answers, kind or "generic", template_id).strip(), self._kb_version
        if family == "faq":
            intent, _, kind = variant.partition(".")
            answers = self._lookup(self._faq, intent, template_id)
            return self._lookup(answers, kind or "generic", template_id), self._faq_version
        entries = self._lookup(self._families, family, template_id)
        default = entries.get("default", "")
        if variant:
            return self._lookup(entries, variant, template_id), variant if variant[:1] == "v" else default
        chosen = version if version and version in entries else default
        return self._lookup(entries, chosen, template_id), chosen

    @staticmethod
    def _lookup(entries: Mapping[str, Any], key: str, template_id: str) -> Any:
        if key not in entries or key == "default":
            raise TemplateError(f"unknown template {template_id!r}")
        return entries[key]

    def has(self, template_id: str) -> bool:
        try:
            self.raw(template_id)
        except TemplateError:
            return False
        return True

    def versions(self) -> list[str]:
        """Every prompt version named anywhere in the templates."""
        found = {key for entries in self._families.values() for key in entries if key.startswith("v")}
        return sorted(found)

    def faq_intents(self) -> list[str]:
        return list(self._faq)

    def template_ids(self) -> list[str]:
        """All addressable ids (for tests and `silvia prompts list`)."""
        ids = [f"error.{name}" for name in self._errors]
        for intent, answers in self._faq.items():
            ids += [f"faq.{intent}.{kind}" for kind in answers]
        for topic, answers in self._kb.items():
            ids += [f"kb.{topic}.{kind}" for kind in answers]
        for family, entries in self._families.items():
            ids += [f"{family}.{key}" for key in entries if key != "default"]
        return ids

    # --- rendering ----------------------------------------------------------------------

    def render(self, template_id: str, variables: Mapping[str, Any], version: str | None = None) -> Rendered:
        text, used = self.raw(template_id, version)
        try:
            rendered = text.format_map(_StrictVars(variables))
        except (ValueError, IndexError) as exc:  # a stray brace in a template
            raise TemplateError(f"template {template_id!r} is malformed: {exc}") from exc
        return Rendered(template_id=template_id, version=used, text=_tidy(rendered))

    @staticmethod
    def placeholders(text: str) -> set[str]:
        return {field for _, field, _, _ in string.Formatter().parse(text) if field}
