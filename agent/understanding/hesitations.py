"""Cannot, later and no are different: what a lead who is not refusing is telling Sílvia.

"Não sei tirar a foto", "não tenho a conta aqui", "meu marido que decide", "escolho depois" are
not declines: each gets help or a reminder and the lead keeps their stage. Only a clear refusal
("não tenho interesse") makes a lead `lost` (agent/policy/followups.py, `is_decline`).

Read by the sentence's shape, not a list of phrases: a negation before an ability and an action
on the bill ("num tenho como fotografar esse papel"), the bill's absence or whereabouts ("a conta
ficou no escritório"), a third person who decides ("quem bate o martelo é meu sogro"), a future
time beside something the lead will do ("no fim de semana eu procuro ela e te encaminho").
"""

from __future__ import annotations

import re
from typing import Literal

from agent.understanding.intent import normalise

Hesitation = Literal["cannot_photo", "no_bill_at_hand", "someone_decides", "later"]

_NEG = r"(?:nao|n|nem|num|nunca|ainda nao)"
_ABLE = (
    r"(?:sei|consigo|consegui|conseguindo|vou conseguir|da|deu|vai dar|tenho como|tem como|posso|"
    r"sei como|to sabendo|estou sabendo|entendo como)"
)
_ACT = (
    r"(?:tirar|bater|mandar|enviar|fotografar|fazer (a |uma )?foto|escanear|scanear|anexar|baixar|"
    r"digitalizar|printar|tirar print|subir|carregar|encaminhar|mexer)"
)
_BILL = r"(?:conta|fatura|talao|boleto|papel|papelzinho|pdf|segunda via|2a via)"
_PERSON = (
    r"(?:marido|esposo|esposa|mulher|pai|mae|painho|mainha|filho|filha|socio|socia|chefe|dono|dona|"
    r"patrao|patroa|sogro|sogra|irmao|irma|genro|nora|namorado|namorada|companheiro|companheira|"
    r"velho|velha|gerente|sindico|sindica|proprietario|proprietaria|contador|contadora|familia|"
    r"esposo|cunhado|cunhada|tio|tia|avo|vo|responsavel)"
)
_DECIDE = (
    r"(?:decide|decidem|resolve|resolvem|cuida|paga|assina|assinam|manda|escolhe|bate o martelo|"
    r"da a palavra final|tem a palavra final|aprova|autoriza|ve essas coisas|cuida dessas coisas)"
)
_TIME = (
    r"(?:depois|mais tarde|outra hora|outro dia|outro momento|amanha|semana que vem|proxima semana|"
    r"fim de semana|final de semana|fds|mes que vem|proximo mes|segunda|terca|quarta|quinta|sexta|"
    r"sabado|domingo|de noite|a noite|hoje a noite|mais pra frente|daqui a pouco|logo mais|em breve|"
    r"quando (eu )?(chegar|voltar|tiver|puder|der|achar)|assim que (eu )?(chegar|voltar|puder|der|achar)|"
    r"com calma|qualquer hora|no caminho)"
)
_WILL = (
    r"(?:mando|envio|encaminho|passo|procuro|busco|pego|acho|tiro|vejo|resolvo|decido|escolho|penso|"
    r"respondo|falo|te falo|te digo|digo|retorno|volto|faco|chamo|te chamo|analiso|olho|"
    r"vou (mandar|enviar|procurar|ver|olhar|pensar|decidir|escolher|resolver|buscar|pegar|te mandar|"
    r"te responder|retornar|voltar|analisar))"
)

_RULES: tuple[tuple[Hesitation, re.Pattern[str]], ...] = (
    (
        "cannot_photo",
        re.compile(
            "|".join(
                (
                    # negation + ability + action: "não to conseguindo de jeito nenhum tirar a foto"
                    rf"\b{_NEG} (\w+ ){{0,2}}{_ABLE} (\w+ ){{0,3}}{_ACT}\b",
                    r"\bnao sei mexer\b|\bsem camera\b",
                    r"\b(camera|celular|telefone|aparelho|zap|whats)\b.{0,25}\b(quebr\w*|ruim|estrag\w*|pifou|"
                    r"nao (tira|funciona|presta|manda|abre|envia|foca))\b",
                    r"\bfoto\b.{0,15}\bnao (sai|fica|ficou|saiu|pega|carrega|vai)\b",
                    r"\bfoto (fica|sai|ficou|saiu) (toda |tudo )?(borrad|tremid|escur|ruim)",
                )
            )
        ),
    ),
    (
        "no_bill_at_hand",
        re.compile(
            "|".join(
                (
                    # negation + having/finding + the bill: "não tô com a fatura", "num acho o boleto"
                    rf"\b{_NEG} (tenho|to com|estou com|tou com|achei|acho|encontro|encontrei|sei onde "
                    rf"(ta|esta|botei|coloquei|guardei)) (\w+ ){{0,2}}{_BILL}\b",
                    # the bill somewhere else: "a conta ficou no escritório", "a fatura tá lá em casa"
                    # (not in someone's name: "a conta ainda tá no nome do meu pai" is whose bill it is)
                    rf"\b{_BILL} (\w+ ){{0,2}}(nao )?(ta|esta|fica|ficou|tá) (com|na|no|la|em casa|guardad)"
                    r"(?! (o |a )?nome\b)",
                    rf"\b(perdi|joguei fora|rasguei|sumiu|sumiram|extraviei) (\w+ ){{0,2}}{_BILL}\b",
                    rf"\bsem (a |o )?{_BILL}\b",
                    r"\b(to|tou|estou) (na rua|fora de casa|no trabalho|viajando)\b",
                )
            )
        ),
    ),
    (
        "someone_decides",
        re.compile(
            "|".join(
                (
                    rf"\b{_PERSON} (\w+ ){{0,2}}(que |quem |e quem |e que )?{_DECIDE}\b",
                    rf"\bquem {_DECIDE}\b.{{0,40}}\b(e|eh) (o |a )?(meu |minha )?{_PERSON}\b",
                    rf"\b(ele|ela|eles|elas) (que|quem|e que|e quem) {_DECIDE}\b",
                    r"\b(preciso|vou|tenho que|deixa eu|vou ter que|primeiro vou|antes vou|antes preciso) "
                    r"(falar|conversar|ver|consultar|perguntar|combinar|mostrar|passar|decidir) "
                    rf"(isso |esses valores |essa proposta |os planos )?(com|pro|pra|ao|a|para) (o |a )?"
                    rf"(meu |minha )?({_PERSON}|ele|ela|casa|familia|gente)\b",
                    rf"\b(nao|num) (sou eu|e eu) (que|quem) ({_DECIDE}|decido|resolvo|assino|escolho)\b",
                    r"\bnao (decido|resolvo|assino) (nada )?sozinh",
                )
            )
        ),
    ),
    (
        "later",
        re.compile(
            "|".join(
                (
                    rf"\b{_WILL} (\w+ ){{0,4}}{_TIME}\b",
                    rf"\b{_TIME}\b,? (\w+ ){{0,4}}{_WILL}\b",
                    r"\b(vou|deixa eu|preciso|quero) (pensar|analisar|ver com calma|refletir)\b",
                    r"\b(deixa|deixar|deixo|fica|ficar) (isso |pra |para )*(outra hora|outro dia|depois|"
                    r"mais tarde|mais pra frente|semana que vem|outro momento)\b",
                    r"\bagora nao (da|posso|consigo|tenho tempo)\b|\b(to|estou|tou) (sem tempo|ocupad\w*|"
                    r"correndo|no corre)\b",
                )
            )
        ),
    ),
)


def hesitation(text: str) -> Hesitation | None:
    """What kind of "not now" the message is, if it is one."""
    norm = normalise(text)
    for kind, pattern in _RULES:
        if pattern.search(norm):
            return kind
    return None


def cannot_send_bill(text: str) -> bool:
    """ "Não consigo mandar a foto", "não tenho a conta aqui": the bill itself will not come now, so
    a total typed in the same message is what Sílvia goes on with (issue 14 rules 4 and 6)."""
    return hesitation(text) in ("cannot_photo", "no_bill_at_hand")
