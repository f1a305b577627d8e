"""The words that tell close topics apart: a word the lead wrote that only one or two topics'
paraphrases use ("adesão", "medidor", "golpe", "Cosern") nudges those topics up.

Sentence embeddings put "tem taxa de adesão?" near the price questions and "vcs são da Cosern?"
near the trust ones: close in meaning, but the lead named the thing. A small bonus per
distinctive word (by a 5-letter stem, so "cobram"/"cobrança" and typos' endings meet) re-orders
topics whose meanings are close, and never lifts an unrelated topic past a clear match.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

from agent.understanding.intent import canonical, normalise
from agent.understanding.knowledge import KnowledgeBase

WORD_BONUS = 0.06  # per distinctive word, divided by how many topics share it
MAX_BONUS = 0.12
# A keyword names its topic outright ("chuva", "serasa", "taxa de adesão"): it outweighs the
# meaning of the words around it ("pessoa jurídica passa no serasa?" is a credit check, not a
# company question), yet two keywords of different topics still leave the meaning to decide.
KEYWORD_BONUS = 0.16
MAX_TOPICS_PER_WORD = 2  # a stem more topics use says nothing about which one
STEM = 5
# Words every topic is made of: questions, pronouns, the product itself.
_COMMON_WORDS = """
    quanto quantos quantas qual quais quando onde como porque sera quem voce voces para pela pelo
    isso essa esse esta este aqui tenho temos minha meu minhas meus nossa nosso sobre entao
    queria quero gostaria saber preciso precisa posso pode consigo fazer fica ficar vai vou
    serena energia solar conta contas luz desconto plano planos assinatura mesmo tambem ainda
    depois antes agora tudo nada coisa gente moca amiga senhor senhora obrigado obrigada
"""
_COMMON = frozenset(_COMMON_WORDS.split())
_WORD = re.compile(r"[a-z]{4,}")
# A keyword the lead denies of themselves names nothing: "não penso em me mudar" is a reason to
# stay, "não tenho placa solar" is no panel owner. A negated question stays a question about the
# topic ("não é golpe?", "não tem multa?"), so only the lead's own verbs count.
_DENIED = re.compile(
    r"\b(nao|nem|nunca|jamais) (tenho|temos|tinha|penso|pensamos|pretendo|pretendemos|vou|vamos|"
    r"gero|geramos|moro|moramos|estou|to|quero mais|planejo|devo)\b( \w+){0,2} $"
)


def stems(text: str) -> set[str]:
    """The distinct 5-letter stems of a text's content words (normalised and canonical forms)."""
    norm = normalise(text)
    words = set(_WORD.findall(norm)) | set(_WORD.findall(canonical(norm)))
    return {w[:STEM] for w in words if w not in _COMMON}


class TopicWords:
    """Which topics' paraphrases use each stem, for the distinctive ones only."""

    def __init__(self, knowledge: KnowledgeBase) -> None:
        users: dict[str, set[str]] = defaultdict(set)
        for topic in knowledge.topics.values():
            for text in (*topic.paraphrases, topic.title):
                for stem in stems(text):
                    users[stem].add(topic.id)
        self._topics = {s: frozenset(t) for s, t in users.items() if len(t) <= MAX_TOPICS_PER_WORD}
        # One pattern per topic (its keywords as alternatives, longest first): a message is
        # searched once per topic, not once per keyword (210 keywords took 1.4 ms a message).
        self._keywords: list[tuple[re.Pattern[str], str]] = [
            (_alternatives(canonical(normalise(k)) for k in topic.keywords), topic.id)
            for topic in knowledge.topics.values()
            if topic.keywords
        ]

    def keyword_topics(self, text: str) -> set[str]:
        """The topics a keyword of the text names outright (not one the lead denies of themselves)."""
        norm = normalise(text)
        forms = (norm, canonical(norm))
        return {topic for pattern, topic in self._keywords if any(_named(pattern, f) for f in forms)}

    def bonus(self, text: str) -> dict[str, float]:
        """Topic id → score bonus for the distinctive words of `text`."""
        out: dict[str, float] = defaultdict(float)
        for stem in stems(text):
            topics = self._topics.get(stem, frozenset())
            for topic in topics:
                out[topic] = min(MAX_BONUS, out[topic] + WORD_BONUS / len(topics))
        for topic in self.keyword_topics(text):
            out[topic] += KEYWORD_BONUS
        return dict(out)


def _named(pattern: re.Pattern[str], text: str) -> bool:
    """The keyword occurs in the text at least once where the lead does not deny it."""
    # The keyword's first word is read with the words before it: "não tenho placa solar".
    return any(
        not _DENIED.search(f"{text[: m.start()]}{m.group(0).split()[0]} ") for m in pattern.finditer(text)
    )


def _alternatives(phrases: Iterable[str]) -> re.Pattern[str]:
    ordered = sorted(set(phrases), key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(map(re.escape, ordered)) + r")\b")
