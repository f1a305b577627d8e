import pytest

from agent.routing import route_turn
from agent.state import Intent, Stage

ALL_KINDS = ("text", "interactive", "image", "document", "audio", "sticker", "location", "unsupported")


@pytest.mark.parametrize("stage", list(Stage))
@pytest.mark.parametrize("intent", list(Intent))
def test_every_stage_accepts_every_intent(stage: Stage, intent: Intent) -> None:
    node = route_turn(stage, intent, "text", True)
    assert node in {"reception", "plans", "documents", "qualification", "answer", "opt_out", "handoff",
                    "fallback"}  # fmt: skip


@pytest.mark.parametrize("stage", [s for s in Stage])
@pytest.mark.parametrize("kind", ALL_KINDS)
def test_opt_out_wins_everywhere(stage: Stage, kind: str) -> None:
    assert route_turn(stage, Intent.OPT_OUT, kind, True) == "opt_out"


@pytest.mark.parametrize(
    ("stage", "intent", "expected"),
    [
        (Stage.NEW, Intent.GREETING, "reception"),
        (Stage.GREETED, Intent.AFFIRM, "plans"),
        (Stage.GREETED, Intent.ASK_TRUST, "answer"),
        (Stage.GREETED, Intent.PROVIDE_INFO, "reception"),
        (Stage.PLANS_PRESENTED, Intent.CHOOSE_PLAN, "documents"),
        (Stage.PLANS_PRESENTED, Intent.AFFIRM, "plans"),
        (Stage.PLANS_PRESENTED, Intent.ASK_PRICE, "answer"),
        (Stage.DOCUMENT_REQUESTED, Intent.DOCUMENT_PROMISE, "answer"),
        (Stage.DOCUMENT_REQUESTED, Intent.CHOOSE_PLAN, "documents"),
        (Stage.HANDED_OFF, Intent.ASK_HUMAN, "handoff"),
        (Stage.DOCUMENT_REQUESTED, Intent.OTHER, "fallback"),
    ],
)
def test_funnel_routes(stage: Stage, intent: Intent, expected: str) -> None:
    assert route_turn(stage, intent, "text", True) == expected


def test_incomplete_profile_keeps_collecting() -> None:
    assert route_turn(Stage.GREETED, Intent.AFFIRM, "text", False) == "reception"


@pytest.mark.parametrize("kind", ["image", "document"])
def test_bills_go_to_documents_until_done(kind: str) -> None:
    assert route_turn(Stage.DOCUMENT_REQUESTED, Intent.OTHER, kind, True) == "documents"
    assert route_turn(Stage.GREETED, Intent.OTHER, kind, True) == "documents"
    assert route_turn(Stage.HANDED_OFF, Intent.OTHER, kind, True) == "answer"


@pytest.mark.parametrize("kind", ["audio", "sticker", "location", "unsupported"])
def test_unusable_media_gets_fallback(kind: str) -> None:
    assert route_turn(Stage.PLANS_PRESENTED, Intent.OTHER, kind, True) == "fallback"
