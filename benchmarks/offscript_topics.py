"""Off-script questions: rules only vs the reading with the embedding matcher, and the time the
reading adds per message; with `--turns`, whole Sílvia turns without and with a real model.

    .venv/bin/python benchmarks/offscript_topics.py [--file tests/data/offscript_topics.tsv] [--misses]
    .venv/bin/python benchmarks/offscript_topics.py --turns --model-url http://127.0.0.1:18580/v1 \
        [--model local] [--llm-timeout 2]

Per message: *on point* (the topic answered is the one asked), *clarify* (Sílvia asks which of two
topics), *not understood* ("não entendi"), *wrong* (another topic answered with confidence).
"Rules only" is what Sílvia answered before the knowledge base: the intent's FAQ entry, whose
text covered the topics listed in LEGACY_ANSWERS.

`--turns` plays each question as the second message of a known lead (after "oi"), on a real
embedded Sílvia (benchmarks/offscript_turns.py), once with no model and once with the model at
`--model-url` under the production time budget; it prints the same shares, the turn latency and
how many answers the model made worse than no model.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from agent.understanding.intent import classify
from agent.understanding.knowledge import default_knowledge
from agent.understanding.matcher import TopicMatcher
from agent.understanding.reading import TOPIC_MIN_CONFIDENCE, read_message
from agent.understanding.semantic import shared_encoder
from benchmarks.offscript_turns import LEGACY_ANSWERS, compare_turns, percentile

DEFAULT_FILE = Path(__file__).resolve().parent.parent / "tests" / "data" / "offscript_topics.tsv"


def rules_outcome(text: str, gold: str) -> str:
    intent = classify(text).intent
    if intent == "other":
        return "not_understood"
    return "on_point" if gold in LEGACY_ANSWERS.get(intent, set()) else "wrong"


def same_answer(matcher: TopicMatcher, topic: str, gold: str) -> bool:
    """The topic read is the one asked, or one answered by the very same text (two phrasings of the
    contract FAQ entry, `loyalty` and `minimum_contract_time`, give the lead one answer)."""
    if topic == gold:
        return True
    key = {t: matcher.knowledge[t].faq or matcher.knowledge[t].special or t for t in (topic, gold)}
    return key[topic] == key[gold]


def reading_outcome(text: str, gold: str, matcher: TopicMatcher) -> tuple[str, str]:
    reading = read_message(text, matcher)
    question = reading.question
    if question is None or not question.topic:
        return ("on_point" if gold in LEGACY_ANSWERS.get(reading.intent, set()) else "not_understood"), ""
    if question.confidence < TOPIC_MIN_CONFIDENCE:
        return "clarify", question.topic
    return ("on_point" if same_answer(matcher, question.topic, gold) else "wrong"), question.topic


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE)
    parser.add_argument("--misses", action="store_true", help="print what was not on point")
    parser.add_argument("--turns", action="store_true", help="also play whole turns")
    parser.add_argument("--model-url", default="", help="OpenAI-compatible base URL for --turns")
    parser.add_argument("--model", default="local", help="model name at --model-url")
    parser.add_argument("--llm-timeout", default="2.0", help="SILVIA_LLM_TIMEOUT for the model turns")
    args = parser.parse_args()
    rows = [
        line.split("\t")[:2]
        for line in args.file.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    t0 = time.perf_counter()
    matcher = TopicMatcher(default_knowledge(), shared_encoder, Path.home() / ".cache" / "silvia")
    matcher.warm()
    print(f"model + index loaded in {time.perf_counter() - t0:.1f} s")
    before, after, added = Counter(), Counter(), []
    for text, gold in rows:
        before[rules_outcome(text, gold)] += 1
        start = time.perf_counter()
        classify(text)
        rules_ms = time.perf_counter() - start
        start = time.perf_counter()
        outcome, topic = reading_outcome(text, gold, matcher)
        added.append((time.perf_counter() - start - rules_ms) * 1000)
        after[outcome] += 1
        if args.misses and outcome != "on_point":
            print(f"  {outcome:14} {gold:20} -> {topic:20} {text}")
    n = len(rows)
    print(f"{n} off-script questions ({args.file.name})")
    print("| reader | on point | clarify | not understood | wrong (confident) |")
    print("| --- | --- | --- | --- | --- |")
    for name, counts in (("rules only", before), ("rules + embeddings", after)):
        cells = [f"{100 * counts[k] / n:.1f} %" for k in ("on_point", "clarify", "not_understood", "wrong")]
        print(f"| {name} | " + " | ".join(cells) + " |")
    print(f"added per message: p50 {percentile(added, 50):.1f} ms, p95 {percentile(added, 95):.1f} ms")
    if args.turns:
        compare_turns(rows, args.model_url, args.model, args.llm_timeout, args.misses)


if __name__ == "__main__":
    main()
