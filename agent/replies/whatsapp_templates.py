"""The catalog of approved WhatsApp templates (`prompts/whatsapp_templates.yml`).

Outside WhatsApp's 24-hour customer-service window only an approved template may be sent.
Each catalog entry says which Sílvia templates it replaces, so the outbound side picks the
right one automatically and fills its named parameters from the same variables the
free-form text would have used.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from agent.replies.templates import PROMPTS_DIR

CATALOG_FILE = "whatsapp_templates.yml"
_PLACEHOLDER = re.compile(r"\{\{\s*([a-z_][a-z0-9_]*)\s*\}\}")
_NAME = re.compile(r"^[a-z0-9_]+$")  # Meta's rule for template and parameter names


class TemplateCatalogError(Exception):
    """The catalog file is malformed, or a template cannot be filled."""


@dataclass(frozen=True)
class WhatsAppTemplate:
    name: str
    language: str
    text: str
    parameters: dict[str, str | None]  # name → default (None: must be provided)
    replaces: tuple[str, ...] = ()
    category: str = ""

    def fill(self, variables: Mapping[str, Any]) -> FilledTemplate:
        """Named parameters from `variables` (or defaults) and the text the lead will see."""
        values: dict[str, str] = {}
        for name, default in self.parameters.items():
            value = str(variables.get(name) or "").strip() or default
            if not value:
                raise TemplateCatalogError(f"template {self.name}: no value for parameter {name!r}")
            values[name] = value
        text = _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), self.text).strip()
        return FilledTemplate(self.name, self.language, values, text)


@dataclass(frozen=True)
class FilledTemplate:
    """What `sendTemplateMessage` gets, plus the rendered text for records and logs."""

    name: str
    language: str
    parameters: dict[str, str]
    text: str


def _parameters(raw: Any, name: str) -> dict[str, str | None]:
    if raw is None:
        return {}
    if isinstance(raw, list):  # a bare list of names: all required
        raw = {str(p): {} for p in raw}
    if not isinstance(raw, Mapping):
        raise TemplateCatalogError(f"template {name}: parameters must be a list or a mapping")
    parsed: dict[str, str | None] = {}
    for param, spec in raw.items():
        if not _NAME.match(str(param)):
            raise TemplateCatalogError(f"template {name}: bad parameter name {param!r}")
        default = spec.get("default") if isinstance(spec, Mapping) else None
        parsed[str(param)] = None if default is None else str(default)
    return parsed


@dataclass
class TemplateCatalog:
    templates: dict[str, WhatsAppTemplate] = field(default_factory=dict)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> TemplateCatalog:
        entries = data.get("templates") or {}
        templates: dict[str, WhatsAppTemplate] = {}
        for name, spec in entries.items():
            if not _NAME.match(str(name)) or not isinstance(spec, Mapping):
                raise TemplateCatalogError(f"bad template entry {name!r}")
            parameters = _parameters(spec.get("parameters"), name)
            text = str(spec.get("text") or "")
            unknown = set(_PLACEHOLDER.findall(text)) - set(parameters)
            if unknown:
                raise TemplateCatalogError(f"template {name}: text uses undeclared {sorted(unknown)}")
            templates[str(name)] = WhatsAppTemplate(
                name=str(name),
                language=str(spec.get("language") or "pt_BR"),
                text=text,
                parameters=parameters,
                replaces=tuple(spec.get("replaces") or ()),
                category=str(spec.get("category") or ""),
            )
        return cls(templates)

    @classmethod
    def load(cls, directory: Path = PROMPTS_DIR) -> TemplateCatalog:
        path = directory / CATALOG_FILE
        if not path.exists():
            return cls()
        return cls.from_mapping(yaml.safe_load(path.read_text(encoding="utf-8")) or {})

    def get(self, name: str) -> WhatsAppTemplate | None:
        return self.templates.get(name)

    def replacing(self, template_id: str) -> WhatsAppTemplate | None:
        """The approved template that stands in for Sílvia's `template_id` outside the window."""
        for template in self.templates.values():
            if template_id in template.replaces:
                return template
        return None
