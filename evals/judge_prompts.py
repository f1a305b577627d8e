"""deepeval's judge prompts, extended with what a judge needs to grade Sílvia fairly.

deepeval's templates judge an English chatbot in the abstract. Sílvia talks Brazilian Portuguese
on WhatsApp, leads write in slang ("qro", "blz", "vlw"), and her replies rely on facts the lead
gave before the conversation (name, city, bill) and on Serena's catalog. Without that context a
judge calls "Com uma conta de R$ 380,00 em Recife…" a hallucination and a funnel step an
irrelevance. Each metric gets a subclass of deepeval's own template class whose prompt is the
original one preceded by Sílvia's context and task-specific criteria (the original text is never
copied, so deepeval's upgrades still apply).
"""

from __future__ import annotations

from typing import Any

from tools.serena_server import SerenaCatalog

PORTUGUESE_CRITERIA = """\
Contexto da avaliação (leia antes de julgar):
- A conversa é no WhatsApp, em português do Brasil. O `user` é um lead; o `assistant` é a Sílvia,
  consultora de vendas da Serena Energia (assinatura de energia solar, sem instalação).
- Leads escrevem com gírias, abreviações e erros ("qro", "blz", "vlw", "dps", "manda ai"): isso é
  normal e não torna a mensagem vaga.
- A Sílvia conduz um funil: pede cidade e valor da conta, estima a economia, mostra os planos,
  pede a fatura e passa para um especialista. Responder e levar ao próximo passo do funil é
  relevante; confirmar um "sim", "ok" ou "blz" com o próximo passo também é.
- Fatos dos dados do lead e do catálogo abaixo são conhecidos pela Sílvia desde o início: usá-los
  não é inventar nem esquecer.
- *texto* é negrito no WhatsApp (correto); **texto** é Markdown (errado neste canal).
"""


def catalog_facts(lead: dict[str, Any], catalog: SerenaCatalog | None = None) -> str:
    """The catalog lines a judge needs for this lead (their state's plans, or where Serena serves)."""
    catalog = catalog or SerenaCatalog()
    state = (lead.get("state") or "").upper() or catalog.state_of_city(lead.get("city") or "") or ""
    served = ", ".join(sorted(catalog.states))
    if state in catalog.states:
        info = catalog.states[state]
        plans = ", ".join(f"{name.title()} {pct}% de desconto" for name, pct in info["discounts"].items())
        return f"Estados atendidos: {served}. Em {state} (distribuidora {info['distributor']}): {plans}."
    return f"Estados atendidos: {served}."


def lead_facts(lead: dict[str, Any]) -> str:
    known = {
        "nome": lead.get("name"),
        "cidade": lead.get("city"),
        "estado": lead.get("state"),
        "conta de luz (R$/mês)": lead.get("bill_amount"),
    }
    facts = [f"{k}: {v}" for k, v in known.items() if v not in (None, "")]
    return "; ".join(facts) or "nenhum (o lead ainda não disse nada sobre si)"


def silvia_context(lead: dict[str, Any], persona: str) -> str:
    return (
        f"{PORTUGUESE_CRITERIA}\nDados do lead conhecidos antes da conversa: {lead_facts(lead)}\n"
        f"Catálogo: {catalog_facts(lead)}\nPersona da Sílvia (resumo): {persona[:1200]}\n\n"
    )


def _prefixed(base: type, method: str, context: str) -> type:
    """A subclass of deepeval's template `base` whose `method` prompt starts with `context`."""
    original = getattr(base, method)

    def render(**kwargs: Any) -> str:
        return context + original(**kwargs)

    return type(f"Silvia{base.__name__}", (base,), {method: staticmethod(render)})


def silvia_templates(lead: dict[str, Any], persona: str) -> dict[str, type]:
    """evaluation_template per judged metric, for one conversation."""
    from deepeval.metrics.knowledge_retention.knowledge_retention import KnowledgeRetentionTemplate
    from deepeval.metrics.role_adherence.role_adherence import RoleAdherenceTemplate
    from deepeval.metrics.turn_relevancy import TurnRelevancyTemplate

    context = silvia_context(lead, persona)
    return {
        "relevance": _prefixed(TurnRelevancyTemplate, "generate_verdicts", context),
        "persona": _prefixed(RoleAdherenceTemplate, "extract_out_of_character_response_verdicts", context),
        "retention": _prefixed(KnowledgeRetentionTemplate, "generate_verdict", context),
    }
