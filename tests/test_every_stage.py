"""Every intent at every stage, through the real graph: a polite, rule-abiding reply, never a crash."""

from __future__ import annotations

import pytest

from agent.inbound import Inbound
from agent.state import Intent, Stage
from tests.conftest import MARIA
from wiring import Silvia

SAMPLES: dict[Intent, str] = {
    Intent.GREETING: "boa tarde",
    Intent.AFFIRM: "sim",
    Intent.DENY: "não",
    Intent.ASK_PRICE: "quanto custa?",
    Intent.ASK_HOW_IT_WORKS: "como funciona isso?",
    Intent.ASK_INSTALLATION: "precisa instalar placa?",
    Intent.ASK_TRUST: "isso é golpe?",
    Intent.ASK_CONTRACT: "tem fidelidade? e se eu cancelar?",
    Intent.CHOOSE_PLAN: "quero o premium",
    Intent.DOCUMENT_PROMISE: "mando a conta mais tarde",
    Intent.LATER: "agora não posso, falo depois",
    Intent.OPT_OUT: "PARAR",
    Intent.ASK_HUMAN: "quero falar com um atendente",
    Intent.THANKS: "obrigada",
    Intent.PROVIDE_INFO: "moro em Olinda e minha conta vem uns 450",
    Intent.DATA_REQUEST: "quais dados vocês têm sobre mim?",
    Intent.OTHER: "qual o resultado do jogo ontem?",
}
PLANS = [
    {"id": "essencial", "name": "Plano Essencial", "discount_pct": 10.0, "loyalty_months": 0},
    {"id": "plus", "name": "Plano Plus", "discount_pct": 15.0, "loyalty_months": 12, "highlight": True},
    {"id": "premium", "name": "Plano Premium", "discount_pct": 20.0, "loyalty_months": 24},
]
BILL = {
    "distributor": "Neoenergia Pernambuco",
    "total_amount": 412.37,
    "consumption_kwh": 441.0,
    "city": "Recife",
    "state": "PE",
}
SPECIALIST = {"name": "Ana Ribeiro", "phone": "+5581988880001", "display_name": "Ana", "contact_when": "hoje"}


def state_at(stage: Stage) -> dict:
    values: dict = {"stage": stage.value, "plans": PLANS, "distributor": "Neoenergia Pernambuco"}
    if stage not in (Stage.NEW, Stage.GREETED, Stage.PLANS_PRESENTED, Stage.LOST):
        values["selected_plan"] = PLANS[1]
    if stage in (
        Stage.DOCUMENT_RECEIVED,
        Stage.QUALIFIED,
        Stage.REGISTERED,
        Stage.HANDED_OFF,
        Stage.NOT_QUALIFIED,
    ):
        values["bill"] = BILL
    if stage == Stage.HANDED_OFF:
        values["specialist"] = SPECIALIST
    if stage == Stage.OPTED_OUT:
        values |= {"opted_out_at": "2026-11-24T12:00:00+00:00", "opt_out_words": "sair"}
    return values


def expects_silence(stage: Stage, intent: Intent) -> bool:
    return stage == Stage.OPTED_OUT and intent in (
        Intent.AFFIRM,
        Intent.DENY,
        Intent.OPT_OUT,
        Intent.THANKS,
        Intent.LATER,
        Intent.OTHER,
        Intent.DOCUMENT_PROMISE,
    )


@pytest.mark.parametrize("stage", list(Stage), ids=str)
async def test_every_intent_at_stage(silvia: Silvia, stage: Stage) -> None:
    for index, (intent, text) in enumerate(SAMPLES.items()):
        phone = f"+55819{list(Stage).index(stage):02d}{index:06d}"
        await silvia.leads.upsert_lead(MARIA.model_copy(update={"phone": phone}))
        await silvia.say(phone, "oi")
        await silvia.graph.aupdate_state(silvia.config(phone), state_at(stage), as_node="record")
        result = await silvia.handle(Inbound(phone=phone, kind="text", text=text))
        assert result.intent == intent, f"{text!r} understood as {result.intent}"
        turn = result.state["turn"]
        assert turn.get("guard_violations") == [], (stage, intent, result.texts)
        templates = [r["template_id"] for r in result.replies]
        assert "error.generic_fallback" not in templates, (stage, intent)
        if expects_silence(stage, intent):
            assert result.replies == [], (stage, intent, result.texts)
        else:
            assert result.replies, (stage, intent)
            assert "Maria" in "\n".join(result.texts), (stage, intent, result.texts)  # the lead's first name
