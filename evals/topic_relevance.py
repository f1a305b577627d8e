"""topic_relevance: every question a lead asked got an answer on its topic, decided without a judge.

A turn is a question when the message reads as one (a "?", a question word: "olá, quero
economizar" or "deixa eu pensar" owe no answer) and the dataset expects, or Sílvia read, one of
the FAQ intents (price, how it works, installation, trust, contract); its topic is the expected
intent when the dataset gives one (so a misread question that gets the wrong answer fails), else
what Sílvia read. The answer is on topic when one of the replies is that topic's FAQ template
(`faq.<intent>.*`), the answer of the knowledge-base topic Sílvia read for the message when that
topic belongs to the same intent (`kb.<topic>.*`: "vc é um robô?" is an ask_trust question the
`is_bot` topic answers), the "as I explained just above" reply Sílvia sends only right after
answering the same question, or uses the topic's words (the plans list answers "quanto custa?"
with discounts and savings; a model's or a recorded reply has no template id).

A lead Serena does not serve is owed the answer too: "ainda não atendemos sua região" alone is
not an answer to "como funciona?" and fails.
"""

from __future__ import annotations

import re

from agent.routing import FAQ_INTENTS
from agent.understanding.clauses import looks_like_question
from agent.understanding.intent import normalise
from agent.understanding.knowledge import default_knowledge

REPEAT_TEMPLATE = "faq_repeat"
# Words an on-topic answer uses (accent-free, lower case: matched on normalised text).
TOPIC_WORDS: dict[str, re.Pattern[str]] = {
    "ask_price": re.compile(r"\b(r\$|desconto|economi\w*|custa\w*|paga\w*|preco|valor)"),
    "ask_how_it_works": re.compile(r"\b(credito\w*|usina\w*|distribuidora|energia solar|assinatura)"),
    "ask_installation": re.compile(r"\b(instala\w*|placa\w*|obra|telhado|medidor)"),
    "ask_trust": re.compile(r"\b(aneel|empresa|segur\w*|regulad\w*|bolsa|confian\w*)"),
    "ask_contract": re.compile(r"\b(contrato|fidelidade|cancel\w*|multa|assina\w*)"),
}


def question_topic(expected_intent: str | None, intent: str | None, text: str | None = None) -> str | None:
    """The FAQ intent a question turn asks about (None: not a question; `text` None: not checked)."""
    if text is not None and not looks_like_question(text):
        return None
    if expected_intent:
        return expected_intent if expected_intent in FAQ_INTENTS else None
    return intent if intent in FAQ_INTENTS else None


def _kb_answer(topic: str, kb_topic: str | None, templates: list[str], reply_topics: list[str]) -> bool:
    """One reply is the answer of the knowledge-base topic Sílvia read (its `kb.<topic>.*`
    template, or a node's reply tagged with the topic), and that topic is one of `topic`."""
    kb = default_knowledge()
    if not kb_topic or kb_topic not in kb or kb[kb_topic].intent != topic:
        return False
    return any(t.startswith(f"kb.{kb_topic}.") for t in templates) or kb_topic in reply_topics


def answered_on_topic(
    topic: str,
    templates: list[str],
    replies: list[str],
    kb_topic: str | None = None,
    reply_topics: list[str] | None = None,
) -> bool:
    if any(t.startswith(f"faq.{topic}.") or t == REPEAT_TEMPLATE for t in templates):
        return True
    if _kb_answer(topic, kb_topic, templates, reply_topics or []):
        return True
    return any(TOPIC_WORDS[topic].search(normalise(text)) for text in replies)
