"""evals/holdout_score.py counts the held-out figures from a run JSON."""

from evals.holdout_score import figures


def _turn(passed: bool, replies: list[str], topic: bool, stage_ok: bool | None = True) -> dict:
    assertions = [{"type": "icontains-any" if topic else "not-icontains", "value": ["x"], "passed": passed}]
    return {"passed": passed, "replies": replies, "assertions": assertions, "stage_ok": stage_ok}


def test_figures_count_conversations_question_turns_and_not_understood() -> None:
    run = {
        "conversations": [
            {
                "passed": True,
                "skipped": None,
                "turns": [_turn(True, ["Oi!"], False), _turn(True, ["A taxa é zero"], True)],
            },
            {
                "passed": False,
                "skipped": None,
                "turns": [_turn(False, ["Desculpe, não entendi muito bem"], True), _turn(True, ["ok"], True)],
            },
            {"passed": False, "skipped": "no media", "turns": []},
        ]
    }
    f = figures(run)
    assert (f["conversations"], f["conversations_passed"]) == (2, 1)
    assert (f["question_turns"], f["question_turns_on_point"]) == (3, 2)
    assert (f["replies"], f["replies_not_understood"]) == (4, 1)


def test_a_turn_failed_only_by_the_runner_counts_as_expectations_met() -> None:
    turn = _turn(True, ["certo"], True)
    turn["passed"] = False  # e.g. the runner's topic_relevance check
    f = figures({"conversations": [{"passed": False, "skipped": None, "turns": [turn]}]})
    assert (f["question_turns_on_point"], f["question_turns_expectations_met"]) == (0, 1)
