"""An angry or complaining lead gets an apology and a person on offer, never a sales pitch."""

from __future__ import annotations

import re

from agent.understanding.intent import normalise

_ANGRY = re.compile(
    r"\b(absurdo|palhacada|ridiculo|vergonha|desrespeito|procon|"
    r"reclamacao|reclamar|reclamo|pessimo|pessima|horrivel|lixo|incompetente|idiota|burra|burro|inutil|"
    r"que saco|saco cheio|encher o saco|enchendo o saco|me irrita|irritad[oa]|raiva|porra|merda|caralho|"
    r"droga de|para de me (mandar|encher|perturbar)|chega de mensagem|ja (falei|disse) que|"
    r"chatice|que coisa chata|chat[oa]s? demais|muito chat[oa]s?|(me|nos) (perturb|incomod)\w*|perturbando|"
    r"incomodando|spam|insuportave\w*|"
    r"falta de respeito|desrespeit\w*|nao aguento mais|to de saco cheio|estou de saco cheio|enchendo|"
    r"porcaria|ninguem resolve|nao resolve\w* nada|descaso|decepcionad[oa]|decepcao|"
    r"pior (atendimento|empresa))\b"
)


def is_angry(text: str) -> bool:
    return bool(_ANGRY.search(normalise(text)))
