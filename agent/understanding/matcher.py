"""The topic matcher: the knowledge base's paraphrases embedded once, topics ranked for a message
by meaning, nudged by the topic words the lead wrote (agent/understanding/lexical.py), with
words spelt by ear repaired first (agent/understanding/spelling.py).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np

from agent.understanding import spelling
from agent.understanding.intent import normalise
from agent.understanding.knowledge import KnowledgeBase
from agent.understanding.language import (
    FOREIGN_TOPICS,
    asks_about_language,
    portuguese_hints,
    with_accents,
    written_in,
)
from agent.understanding.lexical import KEYWORD_BONUS, TopicWords
from agent.understanding.semantic import Encoder, ExampleIndex, Match, build_index

# A topic a keyword names leads by this much (a clear margin) when its meaning alone scores at
# least the floor (a keyword in an unrelated sentence decides nothing).
NAMED_TOPIC_LEAD = 0.12
NAMED_TOPIC_FLOOR = 0.3
RANK_DEPTH = 12  # topics ranked by meaning before the distinctive words re-order them
FOREIGN_MAX_BONUS = 0.2
_WORDS = re.compile(r"[^\W\d_]+")


class TopicMatcher:
    """The knowledge base's paraphrases embedded once; ranks topics for a message by meaning.

    The model and the index load on the first message (seconds), so commands that never read a
    message never pay for them; one matcher is shared by every conversation of the process.
    """

    def __init__(
        self,
        knowledge: KnowledgeBase,
        encoder: Encoder | Callable[[], Encoder],
        cache_dir: Path | None = None,
    ) -> None:
        self.knowledge = knowledge
        self._encoder = encoder
        self._cache_dir = cache_dir
        self._index: ExampleIndex | None = None
        self._words: TopicWords | None = None
        self._sounds: tuple[frozenset[str], dict[str, str]] | None = None
        self._lock = threading.Lock()

    @property
    def encoder(self) -> Encoder:
        if callable(self._encoder) and not hasattr(self._encoder, "encode"):
            self._encoder = self._encoder()
        return self._encoder  # type: ignore[return-value]

    @property
    def index(self) -> ExampleIndex:
        with self._lock:
            if self._index is None:
                self._index = build_index(self.knowledge.examples(), self.encoder, self._cache_dir, "kb")
            return self._index

    @property
    def words(self) -> TopicWords:
        if self._words is None:
            self._words = TopicWords(self.knowledge)
        return self._words

    @property
    def sounds(self) -> tuple[frozenset[str], dict[str, str]]:
        """The knowledge base's words by how they sound, to repair words spelt by ear."""
        if self._sounds is None:
            # Keywords too: "chuve" is "chove" only if the vocabulary has the word the lead meant.
            topics = self.knowledge.topics.values()
            texts = [p for t in topics for p in (*t.paraphrases, t.title, *t.keywords)]
            words = [w.lower() for text in texts for w in _WORDS.findall(text)]
            words += [*spelling.FUZZY_TARGETS, *spelling.COMMON_WORDS]
            known, by_key = spelling.sound_table(words)
            self._sounds = (known | {normalise(w) for w in known}, by_key)
        return self._sounds

    def repair(self, text: str) -> str:
        """`text` with words spelt by ear ("comesa o disconto") written as the knowledge base does."""
        known, by_key = self.sounds
        return spelling.repair_by_sound(text, known, by_key, normalise)

    def warm(self) -> None:
        """Load the model and the index now (a service does it at start, not on a lead's turn)."""
        _ = self.index
        self.encoder.encode(["oi"])

    def match(self, texts: list[str], *, words: bool = True) -> tuple[list[Match], str]:
        """The ranked topics of the best-matching text among `texts` (whole message and clauses).
        `words=False`: by meaning alone (a statement must be a paraphrase, not share a word)."""
        best: tuple[list[Match], str] = ([], "")
        # A keyword anywhere in the message names its topic for each of its clauses too ("e em
        # época de chuva, como fica o valor da conta?" asks about rain, not about the bill).
        named = set().union(*(self.words.keyword_topics(t) for t in texts)) if words else set()
        rankings = list(zip(self._rank_all(texts, words=words, named=named), texts, strict=True))
        # A clause whose best topic the message names beats a clause that only reads closer.
        on_named = [(r, t) for r, t in rankings if r and r[0].label in named]
        for ranked, text in on_named or rankings:
            if ranked and (not best[0] or ranked[0].score > best[0][0].score):
                best = (ranked, text)
        return best

    def rank_each(self, texts: list[str]) -> list[list[Match]]:
        """The ranked topics of each text (a message's question clauses, one by one)."""
        return self._rank_all(texts)

    def _rank_all(
        self, texts: list[str], *, words: bool = True, named: set[str] | None = None
    ) -> list[list[Match]]:
        """Each text ranked as written and, when a word lost its accents ("comeca", "cartao"), also
        with them back; the closer reading wins (the paraphrases are written both ways)."""
        accented = {t: a for t in texts if (a := with_accents(t)) != t}
        forms = [*texts, *accented.values()]
        matched_as = [self.knowledge.for_matching(f) for f in forms]
        by_form = dict(zip(forms, self.encoder.encode(matched_as), strict=True))
        out: list[list[Match]] = []
        for text in texts:
            ranked = self._ranked(by_form[text], text, words=words, named=named)
            if text in accented:
                other = self._ranked(by_form[accented[text]], text, words=words, named=named)
                ranked = other if other and (not ranked or other[0].score > ranked[0].score) else ranked
            out.append(ranked)
        return out

    def bonus(self, text: str) -> dict[str, float]:
        """The distinctive-word bonus per topic. An English or Spanish message's topic words count
        double through their Portuguese hints: the encoder aligns languages only loosely."""
        own = self.words.bonus(text)
        hints = portuguese_hints(text)
        if not hints:
            return own
        extra = self.words.bonus(hints)
        topics = own.keys() | extra.keys()
        return {t: min(FOREIGN_MAX_BONUS, own.get(t, 0.0) + 2 * extra.get(t, 0.0)) for t in topics}

    def _ranked(
        self, vector: np.ndarray, text: str, *, words: bool = True, named: set[str] | None = None
    ) -> list[Match]:
        """Topics by meaning, nudged by the words only a topic or two use ("adesão", "medidor"):
        two close meanings are told apart by the word the lead actually wrote. A topic a keyword
        names is ranked even when its meaning alone fell past the cut (a question among data)."""
        bonus = self.bonus(text) if words else {}
        norm = normalise(text)
        own = self.words.keyword_topics(text) if words else set()
        for topic in (named or set()) - own:
            bonus[topic] = bonus.get(topic, 0.0) + KEYWORD_BONUS
        matches = self.index.rank(vector, top=RANK_DEPTH)
        ranked_labels = {m.label for m in matches}
        for topic in (own | (named or set())) - ranked_labels:
            if (extra := self.index.best_of(vector, topic)) is not None:
                matches.append(extra)
        ranked = [
            replace(m, score=min(1.0, m.score + bonus.get(m.label, 0.0)))
            for m in matches
            if self.knowledge[m.label].named_in(norm)  # an anchored topic needs one of its words
        ]
        ranked.sort(key=lambda m: -m.score)
        return self._distinct(_named_first(ranked, own | (named or set())), text)[:6]

    def _distinct(self, ranked: list[Match], text: str = "") -> list[Match]:
        """Topics answered the same way (two phrasings of the price FAQ) are not rivals, and a
        topic about writing in another language needs a message written in it."""
        seen: set[str] = set()
        out: list[Match] = []
        language = written_in(text)
        # An English or Spanish question is about its topic; "do you speak English?" only when it
        # talks about the language (else the language topic is the last resort).
        about_language = asks_about_language(text)
        last: list[Match] = []
        for m in ranked:
            if m.label in FOREIGN_TOPICS and FOREIGN_TOPICS[m.label] != language:
                continue
            if m.label in FOREIGN_TOPICS and not about_language:
                last.append(m)
                continue
            topic = self.knowledge[m.label]
            key = topic.faq or topic.special or topic.id
            if key not in seen:
                seen.add(key)
                out.append(m)
        return out + last


def _named_first(ranked: list[Match], named: set[str]) -> list[Match]:
    """The one topic a keyword of the message names goes first, a clear margin ahead, when its
    meaning is within reach: "pessoa jurídica passa no serasa?" is a credit check ("pessoa
    jurídica" is context). Two named topics, or none, leave the order to the meaning."""
    if len(named) != 1:
        return ranked
    (topic,) = named
    found = next((m for m in ranked if m.label == topic), None)
    if found is None or found is ranked[0] or found.score - KEYWORD_BONUS < NAMED_TOPIC_FLOOR:
        return ranked
    lead = replace(found, score=min(1.0, max(found.score, ranked[0].score + NAMED_TOPIC_LEAD)))
    return [lead, *(m for m in ranked if m is not found)]
