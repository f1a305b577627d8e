"""Data requests and complaints, answered before anything else in the `answer` node.

An erasure request is confirmed, opts the lead out and is queued for the team (`data_requests`);
a copy request says what is kept and how it is sent, and is queued too; another person's data is
refused plainly. An angry lead gets an apology and a person on offer, no pitch.
"""

from __future__ import annotations

from typing import Any

from agent.context import Deps
from agent.replies.drafts import previous_turn, reply
from agent.state import Intent, SilviaState, Stage
from agent.understanding.privacy_requests import DataRequestKind, data_request_kind, insists_on_other_person
from agent.understanding.tone import is_angry

# Where the contact came from (`leads.source`), as the lead is told.
_ORIGINS = {
    "ad": "você chegou até a gente por um anúncio da Serena (Instagram ou Facebook)",
    "website_form": "você deixou o seu contato num formulário do site da Serena",
    "crm_import": "o seu contato está no cadastro de interessados da Serena (formulário, evento, indicação)",
    "inbound": "foi você quem mandou a primeira mensagem para este número da Serena",
}


def _text(state: SilviaState) -> str:
    inbound = state.get("inbound") or {}
    return str(inbound.get("text") or "") if inbound.get("kind") == "text" else ""


REFUSED_OTHER_PERSON = ("privacy.other_person", "privacy.other_person_again")


def request_kind(state: SilviaState) -> DataRequestKind | None:
    """The data request the message makes; pressing for someone else's data right after Sílvia
    refused it ("mas é minha mãe, pode me falar", "eu autorizo") is that request again."""
    text = _text(state)
    if kind := data_request_kind(text):
        return kind
    _, said = previous_turn(state)
    refused = any(t in REFUSED_OTHER_PERSON for t in said)
    return "other_person" if refused and insists_on_other_person(text) else None


async def privacy_answer(state: SilviaState, deps: Deps) -> dict[str, Any] | None:
    """The answer to a data request (and what it sets in motion), or None if there is none."""
    text = _text(state)
    kind = request_kind(state)
    if kind is None:
        return (
            {"replies": [reply("small_talk.data_request")]}
            if state.get("intent") == Intent.DATA_REQUEST
            else None
        )
    if kind == "other_person":
        # Refused plainly each time; pressing again gets the same no, said as "even family".
        again = data_request_kind(text) is None  # pressing, no new request: "mesmo assim, não"
        return {"replies": [reply("privacy.other_person_again" if again else "privacy.other_person")]}
    if kind == "how_number":
        lead = await deps.leads.get_lead(state["phone"])
        origin = _ORIGINS.get((lead.source if lead else None) or "inbound", _ORIGINS["inbound"])
        answer = reply("privacy.how_we_got_your_number", origin=origin)
        answer["topic"] = "how_got_number"  # the knowledge-base topic this answers (evals read it)
        return {"replies": [answer]}
    await deps.leads.request_data(state["phone"], kind, text)
    if kind == "copy":
        return {"replies": [reply("privacy.copy_queued")]}
    return erasure_opt_out(state, deps, text)


def erasure_opt_out(state: SilviaState, deps: Deps, words: str) -> dict[str, Any]:
    """An erasure request also stops every message at once (the erasure itself is queued)."""
    return {
        "stage": Stage.OPTED_OUT.value,
        "opted_out_at": deps.clock().isoformat(),
        "opt_out_words": words[:500],
        "replies": [reply("privacy.erase_queued")],
    }


def complaint_answer(state: SilviaState) -> dict[str, Any] | None:
    """An angry or complaining message: apologise, offer a person, and no nudge back to the sale."""
    if not is_angry(_text(state)):
        return None
    return {"replies": [reply("apology.angry")]}
