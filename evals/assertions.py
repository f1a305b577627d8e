"""promptfoo's deterministic assertion types, evaluated in Python on one turn's reply text.

The same `assert:` lists run unchanged under the promptfoo CLI (evals/promptfooconfig.yaml);
here they grade `silvia eval run`. Supported: equals, contains, icontains, contains-any,
icontains-any, contains-all, icontains-all, starts-with, regex, word-count, and each with a
`not-` prefix. Other types (llm-rubric, javascript, ...) are reported as unsupported, not
silently passed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from evals.dataset import Assertion


@dataclass
class AssertionResult:
    type: str
    value: Any
    passed: bool
    reason: str


def _values(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _word_count(output: str, value: Any) -> bool:
    words = len(output.split())
    if isinstance(value, dict):
        return value.get("min", 0) <= words <= value.get("max", 10**9)
    return words == int(value)


_CHECKS: dict[str, Callable[[str, Any], bool]] = {
    "equals": lambda out, v: out == str(v),
    "contains": lambda out, v: str(v) in out,
    "icontains": lambda out, v: str(v).lower() in out.lower(),
    "contains-any": lambda out, v: any(s in out for s in _values(v)),
    "icontains-any": lambda out, v: any(s.lower() in out.lower() for s in _values(v)),
    "contains-all": lambda out, v: all(s in out for s in _values(v)),
    "icontains-all": lambda out, v: all(s.lower() in out.lower() for s in _values(v)),
    "starts-with": lambda out, v: out.startswith(str(v)),
    # promptfoo compiles the pattern with JavaScript's RegExp (no flags); the syntax we use is
    # the common subset of both engines.
    "regex": lambda out, v: re.search(str(v), out) is not None,
    "word-count": _word_count,
}

SUPPORTED = frozenset(_CHECKS) | frozenset(f"not-{name}" for name in _CHECKS)


def evaluate(assertion: Assertion, output: str) -> AssertionResult:
    kind = assertion.type
    negate = kind.startswith("not-")
    check = _CHECKS.get(kind[4:] if negate else kind)
    if check is None:
        return AssertionResult(kind, assertion.value, False, f"unsupported assertion type {kind!r}")
    try:
        ok = check(output, assertion.value)
    except (re.error, ValueError, TypeError) as exc:
        return AssertionResult(kind, assertion.value, False, f"bad assertion: {exc}")
    passed = ok != negate
    reason = "ok" if passed else f"expected {kind} {assertion.value!r}"
    return AssertionResult(kind, assertion.value, passed, reason)


def evaluate_all(assertions: list[Assertion], output: str) -> list[AssertionResult]:
    return [evaluate(a, output) for a in assertions]
