"""Decisions a lead states inside a longer message: a clear refusal, or a plan chosen with a reason.

"Desisti, não quero mais não" and "achamos melhor ir no plus pq 24 meses é muito tempo" carry
words the topic reader links to loyalty ("desistir", "meses"), but they are no question: the act
of deciding outranks a topic matched from a keyword. A real question ("se eu desistir, pago
multa?", "o plus tem fidelidade?") is left to the reader.
"""

from __future__ import annotations

import re
from typing import Literal

from agent.understanding.entities import PLAN_NAMES
from agent.understanding.hesitations import hesitation
from agent.understanding.intent import normalise

# A clear "no" to the whole offer (a bare "não" is only an answer to Sílvia's last question).
_REFUSAL = re.compile(
    "|".join(
        (
            r"\bdesist\w*\b",
            r"\b(nao|sem) (tenho|temos|tem)? ?(mais )?(nenhum )?interesse\b|\bperdi o interesse\b",
            r"\bnao (me )?interess(a|ou)\b",
            # "a gente não quer não, obrigada": the household's answer too.
            r"\bnao (quero|queremos|quer|querem|vou querer)"
            r"( mais| nao| nada| nenhum| isso| obrigad\w*| agora nao)*$",
            r"\bnao (quero|queremos|quer|querem|vou querer)( mais| nao| nada| nenhum| isso)*"
            r" (obrigad\w*|valeu|obg)\b",
            r"\bnao (quero|queremos) mais\b(?! (receber|mensag))",
            r"\bnao vou (contratar|assinar|fechar|seguir|continuar|aderir)\b",
            r"\bdeixa (pra|para) la\b|\besquece (isso|tudo|essa historia)\b",
            r"\bnao rola\b|\bvou passar( dessa vez| essa| desta vez)?\b|\bpasso (dessa|desta) vez\b",
            r"\bobrigad\w* mas nao\b",
            r"\b(to|tou|estou|tamo|estamos) fora\b|\bnao e (pra|para) mim\b|\bnao compensa (pra|para) mim\b",
            r"\bja (tenho|temos|instalei|instalamos|coloquei|botei) "
            r"(placa|placas|painel|paineis|energia solar)\b",
            # By shape: negation + intending/wanting + taking the offer ("não pretendo contratar"),
            # the offer not fitting ("isso não me serve"), closing the talk ("pode encerrar").
            r"\b(nao|nem) (pretendo|penso em|tenho (vontade|intencao|planos?) de|vou|vai|quero|queremos|"
            r"vamos|vou mais) (contratar|assinar|aderir|fechar|fazer isso|fazer nada|trocar|mudar|entrar)\b",
            r"\bnao (me serve|serve (pra|para) (mim|nos|gente|a gente)|me atende|faz sentido (pra|para) "
            r"(mim|nos|gente|a gente)|me convenceu|e (o )?que eu (quero|procuro))\b",
            r"\bpode (encerrar|finalizar|arquivar)\b|\bpode (cancelar|fechar) (o|meu|esse) "
            r"(atendimento|cadastro|contato|protocolo)\b|\b(encerra|finaliza) (ai|isso|o atendimento)\b",
            r"\bdispens(o|amos)\b|\b(prefiro|vou|vamos) ficar (assim|do jeito que (esta|estou|ta)|"
            r"(so )?com a (minha )?distribuidora)\b",
        )
    )
)
# A question about leaving ("e se eu desistir?", "posso desistir depois?") is no refusal.
# "pode encerrar" is an imperative, not a question about leaving.
_ASKS = re.compile(
    r"^(e )?se\b|\b(posso|pode(?! (encerrar|finalizar|arquivar|cancelar|fechar))|da pra|consigo|como|quanto|"
    r"tem multa)\b"
)

# Around a plan's name: words that pick it, and words that set it aside.
_PICK_BEFORE = re.compile(
    r"\b(quero|queria|queremos|vou de|vou no|vou com|vou querer|vai de|vai no|fico com|ficar com|ficamos com|"
    r"fico c|vou c|fecho c|ficar c|"
    r"escolho|escolhi|escolhemos|prefiro|prefere|preferimos|acho melhor|achamos melhor|"
    r"ir no|ir de|ir com|ir pelo|vamos de|vamos no|vamos com|vamos pelo|bora de|bora no|pegar o|pego o|"
    r"pegar|fechar com|fecho com|fechado|melhor o|melhor e o|gostei do|gostei mais do|me interessei pelo|"
    r"vai ser o|sera o|fica o|fica com o)[\s,]*(entao|ai|mesmo|la)?[\s,]*( o| a| esse| este| pelo| no)?"
    r"( plano)?\s*$"
)
_PICK_AFTER = re.compile(
    r"^\s*(mesmo|e (o )?melhor|eh (o )?melhor|e mais (vantajoso|em conta)|compensa mais|"
    r"me atende|ta otimo|ta bom|serve)\b"
)
# "o premium dá mais desconto, então vou nele mesmo": the choice refers back to the plan named.
_PICK_LATER = re.compile(
    r"\b(vou nele|vou nesse|vou com ele|fico com ele|fico nele|quero ele|quero esse|vai ser ele|"
    r"esse mesmo|ele mesmo|pode ser ele|pode ser esse)\b"
)
_SET_ASIDE_BEFORE = re.compile(r"\b(nao|nem|menos|sem|tirando|fora|do que)( quero)?( o| a)?( plano)?\s*$")
_SET_ASIDE_AFTER = re.compile(
    r"^\s*(prende|e muito|eh muito|e caro|e longo|tem fidelidade (muito )?longa|demora|fica caro|pesa|"
    r"e demais|nao$|nao (quero|compensa|vale|da|serve|me interessa|rola|e pra mim))\b"
)
_PLAN_WORD = re.compile(r"\b(" + "|".join(PLAN_NAMES) + r")\b")


def refuses(text: str) -> bool:
    """A clear refusal of the offer said as a statement ("desisti, não quero mais não")."""
    norm = normalise(text)
    if "?" in text or _ASKS.search(norm) or not _REFUSAL.search(norm):
        return False
    return hesitation(text) is None or bool(re.search(r"\bdesist|\binteress|\bdeixa (pra|para) la", norm))


def only_sets_aside(text: str) -> bool:
    """Every plan the message names is set aside ("não quero o premium, 24 meses é demais"): no choice."""
    norm = normalise(text)
    found = list(_PLAN_WORD.finditer(norm))
    return bool(found) and all(_weight(norm, f.start(), f.end()) < 0 for f in found)


def _weight(norm: str, start: int, end: int) -> int:
    before, after = norm[max(0, start - 40) : start], norm[end : end + 50]
    picked_after = _PICK_AFTER.search(after) or _PICK_LATER.search(after)
    score = bool(_PICK_BEFORE.search(before)) + bool(picked_after)
    return score - 2 * (bool(_SET_ASIDE_BEFORE.search(before)) + bool(_SET_ASIDE_AFTER.search(after)))


def decided_plan(text: str) -> str | None:
    """The plan a statement settles on ("o plus é melhor pq o premium prende muito"), else None.

    Each plan named is weighed by the words around it; a plan only set aside is never chosen.
    """
    if "?" in text:
        return None
    norm = normalise(text)
    best: tuple[int, int, str] | None = None
    scores: dict[str, int] = {}
    for found in _PLAN_WORD.finditer(norm):
        score = _weight(norm, found.start(), found.end())
        plan = PLAN_NAMES[found.group(1)]
        scores[plan] = min(scores.get(plan, score), score)
        if score > 0 and (best is None or (score, found.start()) >= best[:2]):
            best = (score, found.start(), plan)
    if best:
        return best[2]
    # "o essencial, o premium prende muito": the one plan left when the others are set aside.
    kept = [plan for plan, score in scores.items() if score >= 0]
    return kept[0] if len(kept) == 1 and len(scores) > 1 else None


# "mostra os planos", "quero ver as opções", "quiero ver los planes": the offer asked for by name.
_WANTS_PLANS = re.compile(
    r"(?<!nao )\b(mostra|mostre|mostrar|manda|mande|mandar|envia|envie|enviar|passa|passe|apresenta|"
    r"apresente|apresentar|ver|veja|conhecer|quais sao|quais|me fala|me diz|"
    r"quiero ver|muestrame|show me|see)\b"
    r"( \w+){0,3} (os |as |uns |umas |los |las |the |your )?"
    r"(planos?|opcoes|pacotes|ofertas|propostas|planes|opciones|plans|options)\b"
)


# "sim, pode mostrar", "manda aí então": the showing verb alone, the whole message, answers Sílvia's
# "posso apresentar os planos?" (even after the honest bot answer offered a person: the lead asked
# to see something, which a person is not).
_SHOW_IT = re.compile(
    r"^((sim|s|ss|claro|ok|okay|pode ser|beleza|blz|isso|quero|com certeza|por favor|bora|opa|uhum|aham|"
    r"entendi|entendo|ah|ahh|ta|ta bom|ta certo|certo|show|massa|legal|otimo|perfeito|entao|hum|hm|oxe|"
    r"eita|ok entao|tudo bem|top|beleza entao)\W*){0,3}"
    r"(entao |pode |podes |quero |vai |bora )?(me )?(mostra|mostre|mostrar|manda|mande|mandar|"
    r"envia|envie|enviar|apresenta|apresente|apresentar|ver|veja)"
    r"( (entao|ai|ae|aew|la|aqui|pra mim|para mim|pra gente|sim|por favor|pf|pfv|ja|logo|agora|os|as|eles|"
    r"elas|de novo|novamente|outra vez|mais uma vez|de volta|ae entao))*\W*$"
)


_NOT_NOW = re.compile(r"\b(nao|nem|depois|antes|mais tarde|outra hora|amanha)\b")


def says_show_it(text: str) -> bool:
    """ "pode mostrar", "manda aí", "sim, pode mandar": the showing or sending verb alone, which
    answers whatever Sílvia offered last (agent/understanding/offers.py)."""
    norm = normalise(text)
    return bool(_SHOW_IT.search(norm)) and not _NOT_NOW.search(norm) and hesitation(text) is None


def asks_for_plans(text: str) -> bool:
    """The lead asks to see the plans now (not later, not refusing them)."""
    norm = normalise(text)
    wants = _WANTS_PLANS.search(norm) or _SHOW_IT.search(norm)
    return bool(wants) and not _NOT_NOW.search(norm) and hesitation(text) is None


# --- what the lead's reasons say about which plan fits (the "which plan?" recommendation) -------
PlanReason = Literal["freedom", "stay", "most"]

_NEGATION = r"\b(nao|nem|nunca|jamais|sem)\b( \w+){0,4} "
# Leaving the home: freedom; negated ("não penso em me mudar") it is staying.
_LEAVE = re.compile(
    r"\b(mud(ar|o|e|ei|arei|aria|amos|anca|ando)|me mudo|sair daqui|sair dessa casa|sair da casa|"
    r"sair do imovel|"
    r"ir embora|vou embora|vender (a|minha) casa|vendendo a casa|de aluguel|aluguel|alugad[oa]|alugo|"
    r"inquilin[oa])\b"
)
# Being tied to a contract: a concern the lead has (freedom), unless they say they do not mind.
_TIE = re.compile(
    r"\b(pres[oa]|prender|prende|amarrad[oa]|amarrar|compromisso|contrato (longo|comprido|grande)|"
    r"(contrato|fidelidade|prazo) (muito )?(longo|longa|comprido|comprida|grande)|fidelidade|"
    r"cancelar quando quiser|liberdade|sair quando quiser)\b"
)
_TIE_TOLERATED = re.compile(
    r"\b(nao me importo|nao ligo|nao tenho problema|sem problema|tanto faz|nao me incomoda|"
    r"nao vejo problema|aceito|topo)\b"
)
# Staying for years, owning the home: staying; negated ("não sei se vou ficar") it is freedom.
_STAY = re.compile(
    r"\b(vou ficar|pretendo ficar|vamos ficar|"
    r"(ficar|fico|ficamos|morar|moro|continuar|continuo)( morando)? "
    r"(aqui |nessa casa |nesta casa |no imovel )?"
    r"((por )?(muito tempo|muitos anos|anos|um bom tempo|bastante tempo)|pra sempre)|ficar aqui|fico aqui|"
    r"casa (propria|e minha|eh minha)|imovel (proprio|e meu)|a casa e nossa|sou (o |a )?don[oa]|somos donos|"
    r"moro (aqui )?(ha|faz) \w+ anos|longo prazo|pra sempre)\b"
)
# The most saving, whatever the commitment.
_MOST = re.compile(
    r"\b(maior desconto|mais desconto|maior economia|mais economia|economizar (o )?maximo|mais barato|"
    r"compensa mais|vale mais|rende mais|mais vantajoso|melhor desconto|economiza mais|"
    r"economizar mais|paga menos|pagar menos)\b"
)


def _negated(norm: str, start: int) -> bool:
    return bool(re.search(_NEGATION + "$", norm[:start]))


def plan_reason(text: str) -> PlanReason | None:
    """What a lead's message says about commitment: 'freedom' (may leave, rents, dislikes long
    contracts), 'stay' (owns, will not move) or 'most' (wants the biggest saving); None when it
    says nothing. A negation flips leaving and staying ("não penso em sair" stays); a tie to a
    contract is a concern whether or not it is negated ("não quero ficar preso"). Freedom outranks
    the rest: a lead who may leave pays a penalty for the bigger discount."""
    found: set[PlanReason] = set()
    for clause in re.split(r"[,.;!?\n]+|\b(?:mas|porem|so que)\b", normalise(text)):
        clause = f" {clause.strip()} "
        for m in _LEAVE.finditer(clause):
            found.add("stay" if _negated(clause, m.start()) else "freedom")
        for m in _STAY.finditer(clause):
            found.add("freedom" if _negated(clause, m.start()) else "stay")
        for m in _TIE.finditer(clause):
            tolerated = _TIE_TOLERATED.search(clause[: m.start()])
            found.add("most" if tolerated else "freedom")
        if _MOST.search(clause):
            found.add("most")
    for reason in ("freedom", "stay", "most"):
        if reason in found:
            return reason  # type: ignore[return-value]
    return None
