"""Building reply drafts in nodes and turning them into text in compose (layer L3)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from agent.policy.economics import estimate, format_brl
from agent.policy.guard import collect_facts
from agent.replies.templates import PromptBook
from agent.state import Layer, Profile, Reply, SilviaState, Stage
from agent.understanding.company_names import is_company_name

_NUDGE_BY_STAGE: dict[Stage, str] = {
    Stage.NEW: "nudge.new",
    Stage.GREETED: "nudge.greeted",
    Stage.LOST: "nudge.greeted",
    Stage.PLANS_PRESENTED: "nudge.plans_presented",
    Stage.PLAN_SELECTED: "nudge.document_requested",
    Stage.DOCUMENT_REQUESTED: "nudge.document_requested",
}


def reply(
    template_id: str,
    *,
    cacheable: bool = False,
    buttons: list[dict[str, str]] | None = None,
    version: str | None = None,
    append_nudge: bool = False,
    **variables: Any,
) -> Reply:
    """A draft for compose: which template, with which node-specific variables."""
    draft: Reply = {"template_id": template_id, "variables": variables, "cacheable": cacheable}
    if buttons:
        draft["buttons"] = buttons
    if version:
        draft["version"] = version
    if append_nudge:
        draft["append_nudge"] = True
    return draft


def previous_turn(state: SilviaState) -> tuple[str, list[str]]:
    """The lead's previous message's intent and the templates Sílvia answered it with."""
    intent, templates = "", []
    for message in reversed(state.get("messages") or []):
        if message.get("role") == "lead":
            intent = message.get("intent") or ""
            break
        templates.insert(0, message.get("template") or "")
    return intent, templates


def place_name(profile: Profile) -> str:
    """Where the lead is, as a reply names it: "Curitiba/PR", or "PR" when only the state is known."""
    city, uf = profile.get("city"), profile.get("state") or ""
    return f"{city}/{uf}" if city and uf else city or uf


# Kept with the name they precede: "Oi, Dona Severina", never "Oi Dona".
_HONORIFIC_WORDS = "dona seu sr sr. sra sra. srta srta. senhor senhora dr dr. dra dra. doutor doutora"
HONORIFICS = frozenset((_HONORIFIC_WORDS + " prof prof. professor professora").split())


# How each is written before the name: "sr paulo" -> "Sr. Paulo", "dona severina" -> "Dona Severina".
_HONORIFIC_FORMS = {"sr": "Sr.", "sra": "Sra.", "srta": "Srta.", "dr": "Dr.", "dra": "Dra.", "prof": "Prof.",
                    "senhor": "Sr.", "senhora": "Sra.", "doutor": "Dr.", "doutora": "Dra."}  # fmt: skip


def addressed_name(profile: Profile) -> str:
    """The person Sílvia talks to: the contact's name for a business, else the lead's name; empty
    when the only name known is a business's ("Loja Bela Vista Ltda" is nobody's first name)."""
    if contact := profile.get("contact_name"):
        return contact
    name = profile.get("name") or ""
    if (profile.get("company") and name == profile.get("company")) or is_company_name(name):
        return ""
    return name


def first_name(profile: Profile) -> str:
    """How Sílvia addresses the lead: the first name, with an honorific the lead gave; nothing
    (a neutral greeting) when only a business's name is known."""
    words = addressed_name(profile).split()
    if not words:
        return ""
    if words[0].lower() in HONORIFICS and len(words) > 1:
        honorific = _HONORIFIC_FORMS.get(words[0].lower().rstrip("."), words[0].capitalize())
        return f"{honorific} {_capitalised(words[1])}"
    return "" if words[0].lower() in HONORIFICS else _capitalised(words[0])


def _is_business(profile: Profile) -> bool:
    return profile.get("person_type") == "juridical" or bool(profile.get("company"))


def _capitalised(word: str) -> str:
    """ "ana" -> "Ana", "JOSÉ" (a CRM in capitals) -> "José"; "McCartney" stays as written."""
    mixed = any(c.isupper() for c in word) and not word.isupper()
    return word if mixed else word.capitalize()


def profile_complete(profile: Profile) -> bool:
    return bool(profile.get("city") and profile.get("state") and profile.get("bill_amount"))


def profile_shape(profile: Profile) -> str:
    """What kind of profile a cached answer was rendered for (cache key part)."""
    return "".join(
        (
            "n" if profile.get("name") else "-",
            "c" if profile.get("city") else "-",
            "b" if profile.get("bill_amount") else "-",
        )
    )


def nudge_id(stage: Stage, profile: Profile, amount_check: dict[str, Any] | None = None) -> str:
    """The line that brings the lead back to what Sílvia waits for. An amount still to confirm
    comes first: a question asked instead is answered, then the check asked again in one line."""
    if amount_check:
        return "nudge.ask_bill" if amount_check.get("kind") == "asked" else "nudge.confirm_amount"
    if stage in (Stage.NEW, Stage.GREETED) and not profile_complete(profile):
        if profile.get("city") and not profile.get("state"):  # a town no table knows: its state
            return "nudge.ask_state" if profile.get("bill_amount") else "nudge.ask_state_bill"
        if profile.get("city") and not profile.get("bill_amount"):
            return "nudge.ask_bill"
        if profile.get("bill_amount") and not profile.get("city"):
            return "nudge.ask_city"
        return "nudge.ask_profile"
    return _NUDGE_BY_STAGE.get(stage, "nudge.done")


def nudge_values(state: SilviaState, name: str) -> dict[str, Any]:
    """What a nudge line may say: the name, the city, and the amount waiting to be confirmed."""
    profile: Profile = state.get("profile") or {}
    values: dict[str, Any] = {"first_name": name, "city": profile.get("city", "")}
    if amount := (state.get("amount_check") or {}).get("amount"):
        values["said_amount"] = format_brl(float(amount))
    return values


def context_variables(state: SilviaState, book: PromptBook) -> dict[str, Any]:
    """Variables every template may use, derived from the state at render time."""
    profile: Profile = state.get("profile") or {}
    stage = Stage(state.get("stage") or Stage.NEW)
    name = first_name(profile)
    variables: dict[str, Any] = {
        "first_name": name,
        "name": profile.get("name", ""),
        "name_greeting": f", {name}" if name else "",
        # A business is not greeted as if someone lived there.
        "lives_in": "a sua empresa fica em" if _is_business(profile) else "você mora em",
        "nudge": book.render(
            nudge_id(stage, profile, state.get("amount_check")), nudge_values(state, name)
        ).text,
    }
    for key in ("city", "state", "company"):
        if profile.get(key):
            variables[key] = profile[key]
    if bill := profile.get("bill_amount"):
        econ = estimate(bill, profile.get("state"))
        variables |= {
            "bill_amount": format_brl(econ.bill_amount),
            "monthly_savings": format_brl(econ.monthly_savings),
            "yearly_savings": format_brl(econ.yearly_savings),
            "investment_amount": format_brl(econ.investment_estimate),
            "average_saving_pct": econ.average_saving_pct,
        }
    if state.get("distributor"):
        variables["distributor"] = state["distributor"]
    if plan := state.get("selected_plan"):
        variables["selected_plan"] = plan["name"]
    if specialist := state.get("specialist"):
        variables["specialist_name"] = specialist.get("display_name") or specialist["name"].split()[0]
        variables["contact_when"] = specialist.get("contact_when", "em breve")
    return variables


_SPACE_BEFORE_PUNCT = re.compile(r"[ \t]+([!?.,])")
_DOUBLE_COMMA = re.compile(r",(\s*,)+")
_EMPTY_VOCATIVE = re.compile(r",\s*([!?.:])")  # "Boa pergunta, : foi" -> "Boa pergunta: foi"
_LEADING_COMMA = re.compile(r"^,\s*", re.MULTILINE)
_COMMA_AFTER_EMOJI = re.compile(r"([\u2600-\u27bf\U0001f000-\U0001faff]\ufe0f?),\s*(\w)")
_COMMA_BEFORE_EMOJI = re.compile(r",\s+(?=[\u2600-\u27bf\U0001f000-\U0001faff])")


def tidy_missing_name(text: str) -> str:
    """Clean the punctuation a missing first name leaves ("Oi !" -> "Oi!")."""
    text = _SPACE_BEFORE_PUNCT.sub(r"\1", text)
    text = _DOUBLE_COMMA.sub(",", text)  # "E aí, , qual…" -> "E aí, qual…"
    text = _EMPTY_VOCATIVE.sub(r"\1", text)
    text = _COMMA_BEFORE_EMOJI.sub(" ", text)  # "Poxa,  😕" -> "Poxa 😕"
    text = _COMMA_AFTER_EMOJI.sub(lambda m: f"{m.group(1)} {m.group(2).upper()}", text)  # "😊, me" -> "😊 Me"
    return _LEADING_COMMA.sub(lambda _: "", text)


def render_reply(draft: Reply, state: SilviaState, book: PromptBook, version: str, layer: Layer) -> Reply:
    """Render one draft; raises TemplateError when a variable is missing."""
    variables = context_variables(state, book) | dict(draft.get("variables") or {})
    version = draft.get("version") or version
    rendered = book.render(draft["template_id"], variables, version)
    text = rendered.text
    if draft.get("append_nudge"):
        text = f"{text}\n\n{variables['nudge']}"
    text = _name_once(text, variables, state, book)
    if not variables.get("first_name"):
        text = _capitalise_lines(tidy_missing_name(text))
    raw, _ = book.raw(draft["template_id"], version)
    facts = collect_facts([variables, raw])
    return {
        **draft,
        "text": text,
        "layer": layer,
        "prompt_version": rendered.version,
        "facts": sorted(str(f) for f in facts),
    }


def _name_once(text: str, variables: dict[str, Any], state: SilviaState, book: PromptBook) -> str:
    """ "Imagina, Ana! 😊 Ana, me conta…": a nudge repeats no name the message already said."""
    name, nudge = variables.get("first_name"), variables.get("nudge") or ""
    if not name or name not in nudge or text.count(name) < 2 or nudge not in text:
        return text
    stage = Stage(state.get("stage") or Stage.NEW)
    profile = state.get("profile") or {}
    plain = book.render(nudge_id(stage, profile, state.get("amount_check")), nudge_values(state, "")).text
    plain = tidy_missing_name(plain).strip()
    return text.replace(nudge, plain[:1].upper() + plain[1:], 1)


def _capitalise_lines(text: str) -> str:
    return "\n".join(line[:1].upper() + line[1:] for line in text.splitlines())


def facts_of(draft: Reply) -> set[Decimal]:
    return {Decimal(f) for f in draft.get("facts", [])}
