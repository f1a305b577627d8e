"""topic_relevance: every question a lead asked got an answer on its topic, decided without a judge.

A turn is a question when the dataset expects, or Sílvia read, one of the FAQ intents (price, how
it works, installation, trust, contract); its topic is the expected intent when the dataset
gives one (so a misread question that gets the wrong answer fails), else what Sílvia read. The
answer is on topic when one of the replies is that topic's FAQ template (`faq.<intent>.*`), the
"as I explained just above" reply Sílvia sends only right after answering the same question, or
uses the topic's words (the plans list answers "quanto custa?" with discounts and savings; a
model's or a recorded reply has no template id).

This reads Sílvia's single intent per message; a message with two questions counts as one.
"""

from __future__ import annotations

import re

from agent.routing import FAQ_INTENTS
from agent.understanding.intent import normalise

REPEAT_TEMPLATE = "faq_repeat"
# Words an on-topic answer uses (accent-free, lower case: matched on normalised text).
TOPIC_WORDS: dict[str, re.Pattern[str]] = {
    "ask_price": re.compile(r"\b(r\$|desconto|economi\w*|custa\w*|paga\w*|preco|valor)"),
    "ask_how_it_works": re.compile(r"\b(credito\w*|usina\w*|distribuidora|energia solar|assinatura)"),
    "ask_installation": re.compile(r"\b(instala\w*|placa\w*|obra|telhado|medidor)"),
    "ask_trust": re.compile(r"\b(aneel|empresa|segur\w*|regulad\w*|bolsa|confian\w*)"),
    "ask_contract": re.compile(r"\b(contrato|fidelidade|cancel\w*|multa|assina\w*)"),
}


def question_topic(expected_intent: str | None, intent: str | None) -> str | None:
    if expected_intent:
        return expected_intent if expected_intent in FAQ_INTENTS else None
    return intent if intent in FAQ_INTENTS else None


def answered_on_topic(topic: str, templates: list[str], replies: list[str]) -> bool:
    if any(t.startswith(f"faq.{topic}.") or t == REPEAT_TEMPLATE for t in templates):
        return True
    return any(TOPIC_WORDS[topic].search(normalise(text)) for text in replies)
