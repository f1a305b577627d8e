"""What a lead asks about their data (LGPD): erase it, get a copy, or someone else's data.

Erasure and copies are acted on, never only promised: the request is queued in `data_requests`
(with an `sdr_logs` audit line) and an erasure also opts the lead out at once. The team carries
it out with `silvia lead forget`, which closes the request. Another person's data is refused.
"""

from __future__ import annotations

import re
from typing import Literal

from agent.understanding.intent import normalise

DataRequestKind = Literal["erase", "copy", "other_person", "how_number"]

# "Como vocês conseguiram meu número?", "quem te passou meu contato?", "de onde tiraram meu zap?"
_HOW_NUMBER = re.compile(
    r"\b(como|onde|quem|de onde)\b.{0,30}\b(conseguiu|conseguiram|pegou|pegaram|achou|acharam|tirou|"
    r"tiraram|passou|passaram|deu|deram|arrumou|arrumaram|obteve|obtiveram|veio|tem|tinha|descobriu)\b"
    r".{0,20}\b(meu|o meu|esse|este)? ?(numero|contato|telefone|whatsapp|zap|celular)\b"
)

# A request (pass, send, check, see) for data about someone else: "me passa o número da vizinha".
_THIRD_PARTY = (
    r"(vizinh[oa]s?|mae|pai|marido|esposa|esposo|irma|irmao|filh[oa]|amig[oa]|cunhad[oa]|sogr[oa]|"
    r"colega|primo|prima|tia|tio|patrao|patroa|chefe|moca|moco|rapaz|senhora?|outra pessoa|outro cliente|"
    r"fulan[oa]|ex|dona [a-z]+|aqui do lado|do lado|da frente)"
)
_OTHER_PERSON = re.compile(
    r"\b(passa|passar|manda|mandar|envia|enviar|da|dar|me da|informa|informar|consultar|ver|saber|acessar|"
    r"tem|teria|quero|preciso|fala|falar|diz|dizer|mostra|mostrar)\b.{0,20}"
    r"\b(dados|telefone|numero|cpf|endereco|cadastro|informacoes?|contato|celular|whatsapp|zap|e ?mail)\b"
    r".{0,30}\b(d[oa]s? )?(minha |meu |da |do |de )?" + _THIRD_PARTY + r"\b"
)
# "quanto a minha vizinha paga?", "o cpf dele", "meu vizinho já é cliente?": another person's data
# or whether they are a client, asked of Sílvia.
_OTHER_PERSON_ASKED = re.compile(
    r"\bquanto\b.{0,20}\b(minha |meu |a |o )?" + _THIRD_PARTY + r"\b.{0,25}\b(paga|pagou|gasta|gastou|"
    r"economiza|economizou|recebe|recebeu|tem de desconto)\b"
    r"|\b(dados|telefone|numero|cpf|endereco|cadastro|contato|celular|whatsapp|zap|e ?mail)"
    r"\s+(dele|dela|deles|delas)\b"
)
# "a conta da minha vizinha é quanto?", "qual o desconto do meu cunhado?": another person's figures.
_OTHER_FIGURES = re.compile(
    r"\b(conta|fatura|consumo|desconto|economia)\s+(d[ao]s?\s+)(minha |meu )?"
    r"(vizinh[oa]s?|colega|amig[oa]|moca|moco|senhora?|dona [a-z]+|fulan[oa]|outra pessoa|outro cliente|"
    r"aqui do lado|do lado|da frente)\b.{0,20}\b(quanto|qual|valor)\b"
)  # a relative's bill is often the lead's business ("quanto fica a conta da minha mãe?"): not here
_IS_CLIENT = re.compile(
    r"\b" + _THIRD_PARTY + r"\b.{0,30}\b(e|eh|ja e|ja eh|virou|se tornou|ainda e) (cliente|assinante)\b"
)


# The same request about a named person or another client: "o telefone da Joana Pereira", "o CPF do
# último cliente", "o endereço de outros clientes". A name counts only capitalised in the lead's own
# text, and never a company's ("o contato da Serena" asks for ours).
_DATA_NOUN = r"(dados|telefone|numero|cpf|endereco|cadastro|informac\w*|e ?mail|contato|celular|whatsapp|zap)"
_OTHER_CLIENT = re.compile(
    rf"\b{_DATA_NOUN}\b.{{0,40}}\b(outr[oa]s? clientes?|demais clientes|clientes|(ultimo|primeiro) cliente|"
    r"terceiros|outras pessoas)\b|\bque tambem e cliente\b"
)
_NAMED_PERSON = re.compile(
    r"\b(?i:dados|telefone|n[uú]mero|cpf|endere[cç]o|cadastro|e-?mail|contato|celular|whatsapp|zap)"
    r"\s+(?i:da|do|de)\s+(?!(Serena|Enel|Neoenergia|Celpe|Coelba|Cosern|Equatorial|Cemig|Energisa|Light|"
    r"Copel|Sabesp|Compesa)\b)([A-ZÀ-Ý][a-zà-ÿ]{2,})"
)
_ERASE = re.compile(
    r"\b(apag|exclu|delet|remov|tir|elimin|limp)\w*\b.{0,30}\b(dados|cadastro|numero|telefone|informac|"
    r"tudo|conversa|historico|contato da base|contato do sistema|registro)"
    r"|\b(esquec\w*) (meus dados|de mim|meu numero)\b"
    r"|\b(meus dados|meu cadastro|meu numero|minhas informac\w*|meu contato)\b.{0,15}"
    r"\b(apagad|excluid|deletad|removid|eliminad)\w*"
)
_COPY = re.compile(
    r"\b(copia|relatorio|extrato|lista|quais sao|quais|que|ver|consultar|acessar|receber|mandar|"
    r"enviar|manda|envia)\b.{0,25}\b(meus dados|dados (que|sobre|de mim|meus)|informacoes (que|sobre)|"
    r"dados pessoais)|\bo que (voces|vcs) (sabem|tem|guardam)\b"
    r"|\b(quais|que) (dados|informacoes)\b.{0,30}\b(sobre mim|de mim|guardam|tem|sabem)\b"
)


def data_request_kind(text: str) -> DataRequestKind | None:
    """Which data request the message makes, if a concrete one (else the general answer)."""
    norm = normalise(text)
    if _HOW_NUMBER.search(norm):
        return "how_number"
    if _OTHER_PERSON.search(norm) or _OTHER_CLIENT.search(norm) or _NAMED_PERSON.search(text):
        return "other_person"
    if (
        _OTHER_PERSON_ASKED.search(norm)
        or _OTHER_FIGURES.search(norm)
        or ("?" in text and _IS_CLIENT.search(norm))
    ):
        return "other_person"
    if _ERASE.search(norm):
        return "erase"
    if _COPY.search(norm):
        return "copy"
    return None


# Pressing after a refusal: "mas é minha mãe", "eu autorizo", "ela deixou", "pode me falar",
# "só quero saber", "sou filha dela". Read only right after Sílvia refused someone else's data.
_INSISTS = re.compile(
    r"\b(autoriz\w*|permissao|permit\w*|el[ae] (mesm[oa] )?(deixou|deixa|sabe|pediu|mandou)|"
    r"(e|eh|sou|somos) (a |o )?(minha |meu )?(mae|pai|filh[oa]|irma|irmao|espos[oa]|marido|mulher|vo|avo|"
    r"sogr[oa]|tia|tio|familia|parente)|(filh[oa]|irma|irmao|espos[oa]|marido|mulher|neta|neto) (dela|dele)|"
    r"(pode|podia|poderia|custa|so) (me )?(falar|dizer|passar|mandar|informar|contar)|"
    r"me (fala|diz|passa|conta|informa|manda)|nao custa nada|(so|apenas|eu so) (quero|queria) saber|"
    r"mesmo assim|e da familia|nao tem problema)\b"
)


def insists_on_other_person(text: str) -> bool:
    """ "Mas é minha mãe, pode me falar", "eu autorizo": pressing for the data just refused."""
    return bool(_INSISTS.search(normalise(text)))
