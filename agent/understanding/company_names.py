"""A business's name is not a first name: "Loja Bela Vista" is never greeted "Oi Loja!".

The vocabulary (`prompts/company_names.yml`) names the words that make a name a business's:
trades ("padaria", "mercadinho"), legal forms ("Ltda", "ME" as the last word).
"""

from __future__ import annotations

import re
from functools import cache

import yaml

from agent.replies.templates import PROMPTS_DIR
from agent.understanding.intent import normalise

COMPANY_NAMES_FILE = PROMPTS_DIR / "company_names.yml"


@cache
def _vocabulary() -> tuple[frozenset[str], tuple[str, ...]]:
    data = yaml.safe_load(COMPANY_NAMES_FILE.read_text(encoding="utf-8"))
    last = tuple(normalise(word) for word in data["last"])
    return frozenset(normalise(word) for word in data["anywhere"]), last


def is_company_name(name: str) -> bool:
    """ "Loja Bela Vista Ltda", "Padaria Pão Quente", "J. Souza Comércio ME": a business's name."""
    norm = normalise(re.sub(r"[/&.]", " ", name))
    words = norm.split()
    anywhere, last = _vocabulary()
    if any(word in anywhere for word in words):
        return True
    return len(words) > 1 and any(norm.endswith(f" {suffix}") for suffix in last)
