"""Cannot, later and no are different: what a lead who is not refusing is telling Sílvia.

"Não sei tirar a foto", "não tenho a conta aqui", "meu marido que decide", "escolho depois" are
not declines: each gets help or a reminder and the lead keeps their stage. Only a clear refusal
("não tenho interesse") makes a lead `lost` (agent/policy/followups.py, `is_decline`).
"""

from __future__ import annotations

import re
from typing import Literal

from agent.understanding.intent import normalise

Hesitation = Literal["cannot_photo", "no_bill_at_hand", "someone_decides", "later"]

_RULES: tuple[tuple[Hesitation, re.Pattern[str]], ...] = (
    (
        "cannot_photo",
        re.compile(
            r"\b(nao|n|nem) (sei|consigo|da|to conseguindo|estou conseguindo) (como )?(tirar|bater|mandar|"
            r"enviar|fotografar|fazer|escanear|anexar|baixar)\b|\bnao sei mexer\b|\b(camera|celular|"
            r"telefone) (ta |esta )?(quebrad|ruim|nao (tira|funciona|presta))|\bsem camera\b"
            r"|\b(camera|celular|telefone|aparelho)\b.{0,25}\bnao (tira|funciona|presta|manda|abre|envia)\b"
            r"|\bfoto\b.{0,15}\bnao (sai|fica|ficou|saiu|pega|carrega)\b|\bfoto (fica|sai|ficou|saiu) "
            r"(toda |tudo )?(borrad|tremid|escur|ruim)"
        ),
    ),
    (
        "no_bill_at_hand",
        re.compile(
            "|".join(
                (
                    r"\b(nao|n) (tenho|to com|estou com|tou com|achei|acho|encontro|encontrei) "
                    r"(a |essa |minha )?(conta|fatura|talao)\b",
                    r"\b(conta|fatura|talao) (nao )?(ta|esta|fica|ficou) (com|na casa|no trabalho|em casa)",
                    r"\b(perdi|joguei fora|rasguei) (a )?(conta|fatura)\b|\bsem a (conta|fatura)\b",
                )
            )
        ),
    ),
    (
        "someone_decides",
        re.compile(
            r"\b(marido|esposo|esposa|mulher|pai|mae|filho|filha|socio|socia|chefe|dono|dona|patrao) "
            r"(que |quem )?(decide|resolve|cuida|paga|ve|assina|manda)\b|\b(preciso|vou|tenho que|deixa eu|"
            r"vou ter que) (falar|conversar|ver|consultar|perguntar|combinar) (isso )?(com|pro|pra|ao|a)\b"
            r"|\bquem (decide|resolve|cuida|paga|assina|manda)\b.{0,30}\b(e|eh) (o |a )?(meu|minha|marido|"
            r"esposa|esposo|mulher|pai|mae|socio|socia|chefe|dono|dona)\b"
        ),
    ),
    (
        "later",
        re.compile(
            r"\b(escolho|decido|vejo|resolvo|penso|mando|envio|respondo|falo|te falo|te digo|digo) "
            r"(isso |o plano |a conta )?(depois|mais tarde|outra hora|amanha|semana que vem|com calma)\b|"
            r"\b(vou|deixa eu|preciso|quero) (pensar|analisar|ver com calma)\b|\bmais tarde eu\b|"
            r"\b(deixa|deixar|deixo|fica|ficar) (isso |pra |para )*(outra hora|outro dia|depois|mais tarde|"
            r"mais pra frente|semana que vem|outro momento)\b|\bagora nao (da|posso|consigo)\b"
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
