"""The lead satisfaction survey: when Sílvia asks for a 1–5 rating and how an answer is read.

Asked once per lead, and only after a completed conversation: the lead qualified, got the
proposal and was handed to a specialist. Never after a not-served or not-qualified close (the
lead may come back with another place or amount: "not qualified" is no dead end) nor after a
handoff the lead asked for (the conversation goes on with the specialist, nothing is completed).
Never to a lead who ever opted out; never outside WhatsApp's 24-hour window except through the
approved template that replaces `satisfaction.ask`; never blocking — an answer is recognised
only when the message IS a rating ("5", "nota 4", "⭐⭐⭐", "😍"); anything else is answered as usual.
Pure functions: the `survey` and `rate` nodes (agent/nodes/survey.py) do the I/O.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from typing import Any, Literal

from agent.state import SilviaState, Stage

RATING_PREFIX = "rating:"  # list row ids: rating:1 … rating:5
LOW_SCORE = 3  # at or below: Sílvia invites an optional comment
ASK_TEMPLATE = "satisfaction.ask"

Channel = Literal["list", "typed", "emoji"]

# The list the lead opens (row titles ≤ 24 characters), best first.
RATING_ROWS: list[dict[str, str]] = [
    {"id": f"{RATING_PREFIX}5", "title": "5 - Excelente"},
    {"id": f"{RATING_PREFIX}4", "title": "4 - Bom"},
    {"id": f"{RATING_PREFIX}3", "title": "3 - Regular"},
    {"id": f"{RATING_PREFIX}2", "title": "2 - Ruim"},
    {"id": f"{RATING_PREFIX}1", "title": "1 - Muito ruim"},
]
LIST_BUTTON = "Dar nota"

_WORDS = {"um": 1, "uma": 1, "dois": 2, "duas": 2, "tres": 3, "quatro": 4, "cinco": 5}
_TYPED = re.compile(
    r"^(?:(?:minha\s+)?nota\s*(?:e\s*)?|dou\s+(?:um\s+|uma\s+|nota\s+)?|daria\s+(?:um\s+|nota\s+)?)?"
    r"([1-5]|um|uma|dois|duas|tres|quatro|cinco)"
    r"(?:\s*(?:/\s*5|de\s+5|estrelas?|pontos?))?$"
)
_STARS = ("⭐", "🌟")
_FACES: dict[str, int] = {
    "😡": 1, "🤬": 1, "😠": 1, "👎": 1,
    "😞": 2, "🙁": 2, "☹": 2, "😕": 2,
    "😐": 3, "😶": 3,
    "🙂": 4, "👍": 4, "😊": 4,
    "😍": 5, "🤩": 5, "🥰": 5, "😁": 5, "😄": 5, "💯": 5, "❤": 5, "👏": 5,
}  # fmt: skip
_SKIN_AND_JOINERS = re.compile("[\ufe0f\u200d\U0001f3fb-\U0001f3ff]")


def _plain(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", re.sub(r"[!.,;]+", " ", text)).strip()


def _emoji_score(text: str) -> int | None:
    symbols = _SKIN_AND_JOINERS.sub("", text).replace(" ", "")
    if not symbols:
        return None
    if all(c in _STARS for c in symbols):
        return len(symbols) if len(symbols) <= 5 else None
    faces = {_FACES.get(c) for c in symbols}
    return faces.pop() if len(faces) == 1 and None not in faces else None


def parse_rating(inbound: dict[str, Any]) -> tuple[int, Channel] | None:
    """The score and how it came, when this message is an answer to the survey; else None."""
    button = str(inbound.get("button_id") or "")
    if button.startswith(RATING_PREFIX):
        value = button[len(RATING_PREFIX) :]
        return (int(value), "list") if value in {"1", "2", "3", "4", "5"} else None
    if inbound.get("kind") not in ("text", "interactive"):
        return None
    text = str(inbound.get("text") or "").strip()
    if not text or len(text) > 40:
        return None
    if match := _TYPED.match(_plain(text)):
        word = match.group(1)
        return (int(word) if word.isdigit() else _WORDS[word]), "typed"
    if (score := _emoji_score(text)) is not None:
        return score, "emoji"
    return None


_COMPLETED_STAGES = frozenset({Stage.QUALIFIED, Stage.REGISTERED, Stage.HANDED_OFF})


def end_reason(state: SilviaState) -> str | None:
    """ "handed_off" once the conversation is completed (qualified, proposal made, handed to a
    specialist); None while it is not, or when it ended another way (not served, not qualified,
    a person asked for)."""
    qualified = bool((state.get("qualification") or {}).get("qualified"))
    if state.get("stage") in _COMPLETED_STAGES and qualified:
        return "handed_off"
    return None


def survey_state(state: SilviaState) -> dict[str, Any]:
    return dict(state.get("satisfaction") or {})


def may_ask(state: SilviaState) -> str | None:
    """The end reason when the survey may be asked now (the caller still checks the store)."""
    if survey_state(state).get("asked_at") or state.get("opted_out_at"):
        return None  # asked already (never twice); opted out once (never bothered again)
    if state.get("stage") in (Stage.OPTED_OUT, Stage.LOST):
        return None
    return end_reason(state)


def awaiting(state: SilviaState) -> str | None:
    """ "score" while the survey waits for a rating, "comment" after a low one, else None."""
    return survey_state(state).get("awaiting")


def asked_record(reason: str, via: str, at: datetime) -> dict[str, Any]:
    """What the state keeps once the question went out."""
    return {"asked_at": at.isoformat(), "reason": reason, "via": via, "awaiting": "score"}


# Intents that are a lead moving on (a question, a request), not a comment on their rating.
_NOT_A_COMMENT = frozenset(
    {
        "opt_out", "ask_human", "greeting", "thanks", "choose_plan", "data_request",
        "ask_price", "ask_how_it_works", "ask_installation", "ask_trust", "ask_contract",
    }
)  # fmt: skip
IGNORED_LIMIT = 3  # other messages after the question: the lead has moved on, stop waiting


def is_comment(state: SilviaState) -> bool:
    """After a low score, a plain remark ("demorou pra responder") is the optional comment."""
    inbound = state.get("inbound") or {}
    text = str(inbound.get("text") or "").strip()
    return (
        awaiting(state) == "comment"
        and inbound.get("kind") == "text"
        and bool(text)
        and "?" not in text
        and (state.get("intent") or "other") not in _NOT_A_COMMENT
    )


def after_other_message(survey: dict[str, Any]) -> dict[str, Any]:
    """The lead wrote something that was not an answer: the survey never blocks, and stops
    waiting for a comment at once and for a score after IGNORED_LIMIT such messages."""
    ignored = int(survey.get("ignored") or 0) + 1
    waiting = survey.get("awaiting")
    if waiting == "comment" or ignored >= IGNORED_LIMIT:
        waiting = None
    return {**survey, "ignored": ignored, "awaiting": waiting}
