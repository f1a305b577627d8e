"""A returning lead continues where they stopped, never greeted as a stranger a second time.

After declining (`lost`), after follow-ups or days of silence, what was pending is picked up:
the plan they chose and the bill still missing, the plans already shown, or the estimate.
"""

from __future__ import annotations

import re
from typing import Any

from agent.policy.economics import format_brl, format_number, plan_monthly_savings
from agent.replies.drafts import profile_complete, reply
from agent.state import Profile, SilviaState, Stage
from agent.understanding.intent import normalise


def welcome_back(state: SilviaState, buttons: list[dict[str, str]]) -> dict[str, Any]:
    """The stage to resume and the welcome that names what is still to do."""
    profile: Profile = state.get("profile") or {}
    plan = state.get("selected_plan")
    if plan and not state.get("bill") and profile_complete(profile):
        # One figure, the chosen plan's (never the average beside it: issue 14 rule 8).
        saving = plan_monthly_savings(float(profile["bill_amount"]), plan["discount_pct"])
        figures = {
            "discount_pct": format_number(plan["discount_pct"]),
            "plan_monthly_savings": format_brl(saving),
        }
        return {
            "stage": Stage.DOCUMENT_REQUESTED.value,
            "replies": [reply("welcome_back.document", **figures)],
        }
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


# "ainda tá valendo?", "ainda dá pra fazer?", "aquilo continua de pé?": the offer asked about, by
# a lead coming back after declining. The welcome back answers it; it is no question for the
# knowledge base. (Mid-conversation, "o desconto continua valendo se a conta sobe?" is one.)
_STILL_ON = re.compile(
    r"\b(ainda|continua|segue)\b.{0,20}\b(valendo|de pe|em pe|rolando|disponivel|"
    r"(da|dar|tem como|posso|consigo) (pra |para )?(fazer|contratar|seguir|continuar|assinar|entrar))\b"
)


def asks_still_on(text: str) -> bool:
    return bool(_STILL_ON.search(normalise(text)))
