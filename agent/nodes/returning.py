"""A returning lead continues where they stopped, never greeted as a stranger a second time.

After declining (`lost`), after follow-ups or days of silence, what was pending is picked up:
the plan they chose and the bill still missing, the plans already shown, or the estimate.
"""

from __future__ import annotations

import re
from typing import Any

from agent.replies.drafts import profile_complete, reply
from agent.state import Profile, SilviaState, Stage
from agent.understanding.intent import normalise


def welcome_back(state: SilviaState, buttons: list[dict[str, str]]) -> dict[str, Any]:
    """The stage to resume and the welcome that names what is still to do."""
    profile: Profile = state.get("profile") or {}
    if state.get("selected_plan") and not state.get("bill") and profile_complete(profile):
        return {"stage": Stage.DOCUMENT_REQUESTED.value, "replies": [reply("welcome_back.document")]}
    if state.get("plans") and profile_complete(profile):
        return {
            "stage": Stage.PLANS_PRESENTED.value,
            "replies": [reply("welcome_back.plans", buttons=buttons)],
        }
    if profile_complete(profile):
        return {"stage": Stage.GREETED.value, "replies": [reply("welcome_back.estimate")]}
    return {"stage": Stage.GREETED.value, "replies": [reply("small_talk.welcome_back")]}


_BACK_WORDS = re.compile(
    r"\b(voltei|to de volta|estou de volta|tou de volta|de volta|retomar|continuar|continua|seguir|"
    r"mudei de ideia|pensei melhor|quero sim|agora (sim|quero|posso))\b"
)


def says_back(text: str) -> bool:
    """ "Voltei!", "mudei de ideia", "quero continuar": a lead saying they are back."""
    return bool(_BACK_WORDS.search(normalise(text)))
