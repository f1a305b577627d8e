"""The funnel's stage nodes: reception → plans → documents → qualification → handoff."""

from __future__ import annotations

import logging
from typing import Any

from langgraph.runtime import Runtime

from agent.context import Deps
from agent.nodes.acks import coverage_reply, noted_reply, resting_ack, unanswered_question
from agent.nodes.amounts import amount_midway, amount_noted, answer_to_check, check_amount, corrected_amount
from agent.nodes.bills import accept_typed_amount, read_bill
from agent.nodes.faq import embedded_question, faq_reply
from agent.nodes.knowledge import asked_topic, knowledge_reply
from agent.nodes.naming import name_step
from agent.nodes.privacy import privacy_answer
from agent.nodes.returning import says_back, welcome_back
from agent.policy.economics import estimate, format_brl, format_number, plan_monthly_savings
from agent.ports import PlanCatalog, PortError
from agent.replies.drafts import place_name, profile_complete, reply
from agent.routing import FAQ_INTENTS
from agent.state import Intent, Profile, Reply, SilviaState, Stage
from agent.understanding.coverage import mentions_other_place
from agent.understanding.decisions import asks_for_plans
from agent.understanding.hesitations import cannot_send_bill
from agent.understanding.privacy_requests import data_request_kind

log = logging.getLogger(__name__)


def _missing_profile_text(profile: Profile) -> str:
    missing = []
    if not profile.get("city"):
        missing.append("*sua cidade*")
    elif not profile.get("state"):
        missing.append("*o seu estado*")
    if not profile.get("bill_amount"):
        missing.append("*o valor médio da sua conta de luz*")
    return " e ".join(missing)


async def reception(state: SilviaState, runtime: Runtime[Deps]) -> dict[str, Any]:
    """Greet with a personalised savings estimate, or ask for what the estimate needs; a first
    message asking about a place ("vocês atendem em Petrolina?") gets its answer after the greeting."""
    deps = runtime.context
    update = await _receive(state, deps)
    first = state.get("stage") in (Stage.NEW, None)
    if first and state.get("place_question") and (coverage := await coverage_reply(state, deps)):
        update["replies"] = [*update.get("replies", []), {**coverage, "append_nudge": False}]
    return update


async def _receive(state: SilviaState, deps: Deps) -> dict[str, Any]:
    profile: Profile = state.get("profile") or {}
    first_contact = state.get("stage") in (Stage.NEW, None)  # the first greeting is sent once
    if state.get("stage") == Stage.LOST:
        if (ack := resting_ack(state)) and not says_back(_text(state)):
            return {"replies": [ack]}  # "ok"/"obrigado" after declining: no new pitch, still lost
        if not any((state.get("entities") or {}).get(k) for k in ("city", "state", "bill_amount")):
            return _welcome_back(state, deps)
    replies: list[Reply] = []
    update: dict[str, Any] = {"stage": Stage.GREETED.value}
    if state.get("stage") == Stage.NOT_QUALIFIED:
        # Re-opened with a new place, amount or person type: the old verdict and bill no longer hold.
        update |= {"qualification": {}, "bill": None, "bill_check": None}
    if profile.get("state") and not await _state_served(deps, profile):
        # Never promise savings (nor ask for the bill) where Serena does not operate: say so at once.
        template = "not_served_greeting" if first_contact else "plans_unavailable"
        return _not_served(reply(template, city=place_name(profile)))
    said_amount = bool((state.get("entities") or {}).get("bill_amount"))
    if state.get("amount_check") and not said_amount and (corrected := corrected_amount(_text(state))):
        profile = {**profile, "bill_amount": corrected}  # "opa, errei: é 350"
        update["profile"], said_amount = profile, True
    elif state.get("amount_check") and not said_amount and (answered := answer_to_check(state)):
        return update | answered  # "sim, é isso mesmo" / "não" to the amount Sílvia repeated
    update["amount_check"] = None
    if not profile_complete(profile):
        replies.append(_ask_profile(state, profile, first_contact))
    elif said_amount and (check := await check_amount(deps, profile)):
        return update | check  # below Serena's minimum or very high for a home: confirm first
    elif first_contact and (check := await check_amount(deps, profile, below_only=True)):
        # A CRM amount below the minimum: never promise savings it cannot get; greet, say the
        # minimum kindly and confirm the amount ("sim" closes, a new amount is estimated).
        greeting = reply("amount_check.greeting_below_minimum", **check["replies"][0]["variables"])
        return update | check | {"replies": [greeting]}
    elif below := await _company_below_minimum(deps, profile):
        # Never promise a company savings its bill cannot get: say the minimum at once, keep
        # the lead (a corrected amount is re-checked here; "sim" hands over to a specialist).
        template = "company_below_minimum.greeting" if first_contact else "company_below_minimum.again"
        return update | {"replies": [reply(template, reason=below)], "human_offered": True}
    else:
        econ = estimate(profile["bill_amount"], profile.get("state"))
        update["economics"] = econ.to_dict()
        version = "v2.0_premium" if econ.premium else None
        update["human_offered"] = False  # a corrected company amount: "sim" now means the plans
        replies.append(reply("greeting" if first_contact else "estimate", version=version))
    if (
        first_contact
        and (state.get("intent") == Intent.DATA_REQUEST or data_request_kind(_text(state)) == "how_number")
        and (cared := await privacy_answer(state, deps))
    ):
        replies += cared["replies"]  # "oi! que dados vocês têm de mim?": greeted, then answered
    elif topic := asked_topic(state):
        # "moro em Recife, pago 500 e queria saber se aceita pix": the data first, then the answer;
        # but a plain ask for what is missing ("só falta o valor da conta") comes after the answer.
        answer = knowledge_reply(topic, state, deps, plans=list(state.get("plans") or []), nudge=False)
        asks_missing = bool(replies) and str(replies[-1].get("template_id", "")).startswith(_ASKS_MISSING)
        replies.insert(len(replies) - 1 if asks_missing else len(replies), answer)
    elif first_contact and (opening := opening_answer(state.get("intent") or "", profile, deps)):
        # Greet first, then answer what the lead opened with (the greeting already asks the
        # next step, so no nudge).
        replies.append(opening)
    elif state.get("intent") not in FAQ_INTENTS and (asked := embedded_question(_text(state))):
        replies.append(faq_reply(asked, profile, deps.prompts, nudge=False))  # "…e como funciona?"
    if not first_contact and mentions_other_place(_text(state)) and state.get("entities", {}).get("city"):
        replies.append(reply("reopen.whose_bill"))  # a relative's home, another property, a move
    update["replies"] = replies
    return update


def _welcome_back(state: SilviaState, deps: Deps) -> dict[str, Any]:
    """A lead back after `lost`: resume what was pending, then answer what they asked."""
    update = welcome_back(state, plan_buttons(state.get("plans") or []))
    if opening := opening_answer(state.get("intent") or "", state.get("profile") or {}, deps):
        update["replies"].append(opening)
    return update


def _text(state: SilviaState) -> str:
    inbound = state.get("inbound") or {}
    return str(inbound.get("text") or "") if inbound.get("kind") == "text" else ""


def _not_served(message: Reply) -> dict[str, Any]:
    return {
        "stage": Stage.NOT_QUALIFIED.value,
        "qualification": {
            "qualified": False,
            "reason_code": "state_not_served",
            "reason": "Serena does not serve this state yet",
        },
        "replies": [message],
    }


_ASKS_MISSING = ("ask_profile_missing", "ask_profile_again")


def _ask_profile(state: SilviaState, profile: Profile, first_contact: bool) -> Reply:
    """Ask for what the estimate still needs; thank the lead only for data they just gave."""
    missing = _missing_profile_text(profile)
    if first_contact:
        # The same short ask for everyone (tidied without a name); what the first message already
        # said ("to aqui em Juazeiro do Norte") is never asked again.
        known = profile.get("city") or profile.get("bill_amount")
        return reply("ask_profile.partial", missing=missing) if known else reply("ask_profile")
    gave_data = any((state.get("entities") or {}).get(k) for k in ("city", "state", "bill_amount"))
    if gave_data and (profile.get("city") or profile.get("bill_amount")):
        return reply("ask_profile_missing", missing=missing)
    return reply("ask_profile_again", missing=missing)


async def _company_below_minimum(deps: Deps, profile: Profile) -> str | None:
    """Serena's reason when a company's (CNPJ) bill is below the company minimum, else None."""
    if profile.get("person_type") != "juridical":
        return None
    result = await deps.serena.validate_qualification(
        profile.get("city", ""), profile.get("state", ""), "juridical", float(profile["bill_amount"])
    )
    return result.reason if result.reason_code == "bill_below_minimum" else None


async def _state_served(deps: Deps, profile: Profile) -> bool:
    catalog = await deps.serena.get_plans(profile.get("city", ""), profile.get("state", ""))
    return catalog.served and bool(catalog.plans)


def opening_answer(intent: str, profile: Profile, deps: Deps) -> Reply | None:
    """The answer to a question a lead opens (or re-opens) the conversation with."""
    if intent in FAQ_INTENTS:
        return faq_reply(intent, profile, deps.prompts, nudge=False)
    if intent == Intent.DATA_REQUEST:
        return reply("small_talk.data_request")
    return None


def _plan_lines(catalog: PlanCatalog, bill: float, deps: Deps) -> str:
    lines = []
    for plan in catalog.plans:
        loyalty = f"fidelidade de {plan.loyalty_months} meses" if plan.loyalty_months else "sem fidelidade"
        line = deps.prompts.render(
            "plan_line",
            {
                "plan_name": plan.name,
                "plan_badge": " _(mais popular!)_" if plan.highlight else "",
                "discount_pct": format_number(plan.discount_pct),
                "plan_monthly_savings": format_brl(plan_monthly_savings(bill, plan.discount_pct)),
                "loyalty_text": loyalty,
            },
        )
        lines.append(line.text)
    return "\n\n".join(lines)


def plan_buttons(catalog_plans: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [{"id": f"plan:{p['id']}", "title": p["name"][:20]} for p in catalog_plans[:3]]


async def plans(state: SilviaState, runtime: Runtime[Deps]) -> dict[str, Any]:
    """Present the Serena plans for the lead's city, with reply buttons to choose one."""
    deps = runtime.context
    profile: Profile = state.get("profile") or {}
    if ack := resting_ack(state):
        return {"replies": [ack]}  # "ok" to "sem problemas, me chame depois" is not a yes
    midway, new_amount = None, False
    if state.get("stage") == Stage.PLANS_PRESENTED:
        # "errei, é 1.200" with the plans on screen: checked, then new figures; the stage is kept.
        midway, new_amount = await amount_midway(state, deps)
        if midway is not None and not new_amount:
            return midway
    elif state.get("entities", {}).get("bill_amount") and (check := await check_amount(deps, profile)):
        return check  # a new amount below the minimum or very high: confirmed before new figures
    if state.get("stage") == Stage.PLANS_PRESENTED and not new_amount and not asks_for_plans(_text(state)):
        buttons = plan_buttons(state.get("plans") or [])
        first = (
            noted_reply(state)
            or await coverage_reply(state, deps)
            or unanswered_question(state, deps)
            or reply("plan_choice_prompt")
        )
        return {"replies": [{**first, "buttons": buttons}]}
    catalog = await deps.serena.get_plans(profile.get("city", ""), profile.get("state", ""))
    if not catalog.served or not catalog.plans:
        return _not_served(reply("plans_unavailable", city=place_name(profile)))
    catalog_plans = [p.model_dump() for p in catalog.plans]
    lines = _plan_lines(catalog, profile["bill_amount"], deps)
    template = "plan_presentation.new_amount" if new_amount else "plan_presentation"
    if state.get("stage") == Stage.LOST:
        template = "plan_presentation.welcome_back"  # back and asking for the plans (issue 14 rule 5)
    update: dict[str, Any] = (midway or {}) | {
        "stage": Stage.PLANS_PRESENTED.value,
        "distributor": catalog.distributor or "",
        "plans": catalog_plans,
        "replies": [reply(template, plan_lines=lines, buttons=plan_buttons(catalog_plans))],
    }
    if wanted := named_plan(state, catalog_plans):
        # A plan named before the plans were shown is the lead's choice: the bill comes next.
        update |= {"stage": Stage.DOCUMENT_REQUESTED.value, "selected_plan": wanted}
        update["replies"] = [reply("plan_presentation.chosen", plan_lines=lines)]
    return update


def named_plan(state: SilviaState, catalog_plans: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The chosen plan, else the one the lead named before choosing, from the catalog."""
    if state.get("selected_plan"):
        return state["selected_plan"]
    wanted = state.get("wanted_plan") or (state.get("entities") or {}).get("plan")
    return next((p for p in catalog_plans if p["id"] == wanted), None)


async def _catalog_plans(state: SilviaState, deps: Deps) -> tuple[list[dict[str, Any]], str]:
    if state.get("plans"):
        return list(state["plans"]), state.get("distributor", "")
    profile = state.get("profile") or {}
    catalog = await deps.serena.get_plans(profile.get("city", ""), profile.get("state", ""))
    return [p.model_dump() for p in catalog.plans], catalog.distributor or ""


async def documents(state: SilviaState, runtime: Runtime[Deps]) -> dict[str, Any]:
    """Take the plan choice and ask for the bill; or read the bill the lead sent."""
    if state["inbound"].get("kind") in ("image", "document"):
        return await read_bill(state, runtime.context)
    deps = runtime.context
    typed = (state.get("entities") or {}).get("bill_amount")
    if typed and cannot_send_bill(_text(state)):
        # "Não consigo mandar a foto, mas a conta é 470": checked as said (rule 6), then taken.
        profile = {**(state.get("profile") or {}), "bill_amount": float(typed)}
        if check := await check_amount(deps, profile):
            return check
        return accept_typed_amount(state, deps, float(typed))
    if typed and (state.get("bill_attempts") or state.get("human_offered")):
        return accept_typed_amount(state, deps, float(typed))  # the fallback after a weak read
    catalog_plans, distributor = await _catalog_plans(state, deps)
    wanted = (state.get("entities") or {}).get("plan")
    chosen = next((p for p in catalog_plans if p["id"] == wanted), None)
    if typed or state.get("amount_check"):
        # "na verdade é 380" with the bill awaited: checked, then the chosen plan's new figure.
        midway, new_amount = await amount_midway(state, deps)
        if not new_amount:
            return midway or {"replies": [reply("document_amount_noted", append_nudge=True)]}
        kept = chosen or state.get("selected_plan")
        return (midway or {}) | {
            "selected_plan": kept,
            "replies": [amount_noted({**state, "selected_plan": kept})],
        }
    if chosen is None:
        return {
            "plans": catalog_plans,
            "replies": [reply("plan_choice_prompt", buttons=plan_buttons(catalog_plans))],
        }
    return {
        "stage": Stage.DOCUMENT_REQUESTED.value,  # passing through plan_selected within this node
        "selected_plan": chosen,
        "plans": catalog_plans,
        "distributor": distributor,
        "replies": [_plan_taken(state.get("selected_plan"), chosen)],
    }


def _plan_taken(before: dict[str, Any] | None, chosen: dict[str, Any]) -> Reply:
    """First choice: ask for the bill; a change of mind: confirm the new plan, no second fanfare."""
    if not before:
        return reply("document_request")
    if before.get("id") == chosen["id"]:
        return reply("plan_kept", append_nudge=True)
    return reply("plan_changed", append_nudge=True)


async def qualification(state: SilviaState, runtime: Runtime[Deps]) -> dict[str, Any]:
    """Ask Serena whether the lead qualifies; register the qualified ones."""
    deps = runtime.context
    if state.get("bill_check") and state.get("intent") == Intent.DENY:
        # "Not my latest bill": ask for the right one; until it comes, what the lead said stands.
        profile = {**(state.get("profile") or {}), "bill_amount": state["bill_check"]["said"]}
        return {
            "stage": Stage.DOCUMENT_REQUESTED.value,
            "bill_check": None,
            "bill": None,
            "profile": profile,
            "replies": [reply("bill.send_latest")],
        }
    profile: Profile = state.get("profile") or {}
    bill = state.get("bill") or {}
    named: dict[str, Any] = {}
    if state.get("awaiting_name") or not (profile.get("name") or bill.get("customer_name")):
        asked, profile = name_step(state, profile)
        if asked:
            return asked  # Serena registers a person: the name is asked before, never invented
        named = {"profile": profile, "awaiting_name": False}
    city, uf = bill.get("city") or profile.get("city", ""), bill.get("state") or profile.get("state", "")
    amount = float(bill.get("total_amount") or profile.get("bill_amount") or 0)
    result = await deps.serena.validate_qualification(city, uf, profile.get("person_type", "natural"), amount)
    if not result.qualified:
        return named | {
            "stage": Stage.NOT_QUALIFIED.value,
            "qualification": result.model_dump(),
            "bill_check": None,
            "replies": [reply("qualification_result.not_qualified", reason=result.reason)],
        }
    catalog_plans, distributor = await _catalog_plans(state, deps)
    plan = named_plan(state, catalog_plans) or next((p for p in catalog_plans if p.get("highlight")), None)
    plan = plan or (catalog_plans[0] if catalog_plans else None)
    update: dict[str, Any] = named | {
        "stage": Stage.QUALIFIED.value,
        "qualification": result.model_dump(),
        "bill_check": None,
        "selected_plan": plan,
        "plans": catalog_plans,
        "distributor": distributor,
    }
    try:
        update["serena_lead_id"] = await deps.serena.register_lead(_registration(state, profile, bill, plan))
        update["stage"] = Stage.REGISTERED.value
    except PortError as exc:  # the specialist can still register by hand; never lose the lead
        await deps.leads.log(
            "ERROR", "cadastrar_lead failed", phone=state["phone"], details={"error": str(exc)[:300]}
        )
    return update


def _registration(
    state: SilviaState, profile: Profile, bill: dict[str, Any], plan: dict[str, Any] | None
) -> dict[str, Any]:
    return {
        "fullName": bill.get("customer_name") or profile.get("name") or "Cliente WhatsApp",
        "personType": profile.get("person_type", "natural"),
        "phone": state["phone"],
        "city": bill.get("city") or profile.get("city"),
        "state": bill.get("state") or profile.get("state"),
        "monthlyBill": float(bill.get("total_amount") or profile.get("bill_amount") or 0),
        "consumption": float(bill.get("consumption_kwh") or 0),
        "distributor": bill.get("distributor") or state.get("distributor"),
        "plan": (plan or {}).get("id"),
        "leadSource": "WhatsApp_Silvia_AI",
        "billSource": bill.get("source") or "profile",  # "typed": the bill could not be read
    }
