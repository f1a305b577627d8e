"""What Sílvia offered last, so that a short answer follows it at every stage.

A "sim", a "pode mostrar" / "manda aí" or a bare "não" answers the last thing Sílvia offered,
not the stage the lead is in: after an answer that ends "quer que eu mostre as opções?" a yes
shows the plans and a "não" declines them, whether the lead was greeted, saw the plans already
or chose one. Read from Sílvia's own words (templates or a model reply alike), so a new
template needs no code: the vocabulary is `prompts/offers.yml`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from typing import Literal

import yaml

from agent.replies.templates import PROMPTS_DIR
from agent.understanding.intent import normalise

Offer = Literal["person", "plans", "estimate", "bill"]
OFFERS_FILE = PROMPTS_DIR / "offers.yml"

_SENTENCES = re.compile(r"[^.!?\n]+[.!?]*")


@cache
def _patterns() -> tuple[tuple[Offer, re.Pattern[str]], ...]:
    data = yaml.safe_load(OFFERS_FILE.read_text(encoding="utf-8"))
    return tuple(
        (kind, re.compile(pattern)) for kind, patterns in data["offers"].items() for pattern in patterns
    )


def offer_in(text: str) -> Offer | None:
    """The offer Sílvia's message ends on: its sentences from the last one back, the first that
    offers something names it; a question that offers nothing ("ficou alguma dúvida?") ends the
    search (the lead answers that question, not an older offer)."""
    for sentence in reversed(_SENTENCES.findall(text)):
        norm = normalise(sentence)
        for kind, pattern in _patterns():
            if pattern.search(norm):
                return kind
        if "?" in sentence:
            return None
    return None


def last_offer(messages: Iterable[dict[str, object]]) -> Offer | None:
    """What Sílvia offered in her messages since the lead last wrote (`messages` as `record` keeps
    them: role, text), the latest message first."""
    said: list[str] = []
    for message in reversed(list(messages)):
        if message.get("role") == "lead":
            break
        said.insert(0, str(message.get("text") or ""))
    for text in reversed(said):
        if offer := offer_in(text):
            return offer
        if "?" in text:
            return None
    return None
