"""Print the held-out figures of one `silvia eval run ... --out run.json` result.

    python -m evals.holdout_score run.json [run2.json ...]

For each run: conversations passed; question turns on point (turns whose expectation names the
reply's topic, i.e. a positive `icontains`/`icontains-any`/`icontains-all`/`contains*`
assertion, that pass every check of the turn: stage, assertions, persona and grounded numbers);
the same turns judged on the stage and the assertions only; and the share of Sílvia's replies
that say "não entendi". Used for the held-out sets in evals/holdout/, scored once.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

TOPIC_TYPES = frozenset(
    {"icontains", "icontains-any", "icontains-all", "contains", "contains-any", "contains-all"}
)
NOT_UNDERSTOOD = re.compile(r"n[aã]o (entendi|compreendi)", re.IGNORECASE)


def _is_question_turn(turn: dict[str, Any]) -> bool:
    return any(a["type"] in TOPIC_TYPES for a in turn.get("assertions", []))


def _expectations_met(turn: dict[str, Any]) -> bool:
    """Stage and assertions only (persona and grounding checks left aside)."""
    return turn.get("stage_ok") is not False and all(a["passed"] for a in turn.get("assertions", []))


def figures(run: dict[str, Any]) -> dict[str, Any]:
    played = [c for c in run["conversations"] if not c.get("skipped")]
    turns = [t for c in played for t in c["turns"] if not t.get("skipped")]
    questions = [t for t in turns if _is_question_turn(t)]
    replies = [r for t in turns for r in t.get("replies", [])]
    return {
        "conversations": len(played),
        "conversations_passed": sum(c["passed"] for c in played),
        "question_turns": len(questions),
        "question_turns_on_point": sum(t["passed"] for t in questions),
        "question_turns_expectations_met": sum(_expectations_met(t) for t in questions),
        "replies": len(replies),
        "replies_not_understood": sum(bool(NOT_UNDERSTOOD.search(r)) for r in replies),
    }


def _share(part: int, whole: int) -> str:
    return f"{part}/{whole} ({100 * part / whole:.1f} %)" if whole else "0/0"


def main(paths: list[str]) -> int:
    if not paths:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    for path in paths:
        f = figures(json.loads(Path(path).read_text(encoding="utf-8")))
        questions = f["question_turns"]
        print(f"{path}")
        print(f"  conversations passed:        {_share(f['conversations_passed'], f['conversations'])}")
        print(f"  question turns on point:     {_share(f['question_turns_on_point'], questions)}")
        print(f"    (stage + assertions only): {_share(f['question_turns_expectations_met'], questions)}")
        print(f"  replies with 'não entendi':  {_share(f['replies_not_understood'], f['replies'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
