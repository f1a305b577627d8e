"""A lead who asks to be reminded: "me lembra amanhã?", "me chama semana que vem".

Not a refusal and not a "not now" to reassure: a request with a day. Sílvia confirms it in words
with the day, keeps the stage, and the follow-up planner sends the reminder on that day
(agent/policy/reminders.py). Read by shape: a request addressed to the lead (me lembra, me
chama, me procura, fala comigo, me manda mensagem…) beside a time ("amanhã", "na sexta", "daqui a
uns dias"), or "depois" / "mais tarde" alone.
"""

from __future__ import annotations

import re

from agent.understanding.intent import normalise

# Sílvia (or "vocês") getting back to the lead: the lead asks for it, imperative or "pode …".
_ASK = (
    r"(?:(?:pode|podia|poderia|consegue|da pra|dá pra)\s+)?"
    r"(?:me|nos|a gente)\s+(?:lembra|lembre|lembrar|relembra|relembre|chama|chame|chamar|procura|procure|"
    r"procurar|cobra|cobre|cobrar|avisa|avise|avisar|escreve|escreva|escrever|aciona|acione|"
    r"manda (?:uma |um )?(?:mensagem|msg|mensage|zap|whats|oi)|mande (?:uma |um )?(?:mensagem|msg|zap|oi)|"
    r"da (?:um|uma) (?:toque|alo|oi|cutucada|chamada)|de (?:um|uma) (?:toque|alo|oi)|"
    r"chama (?:de novo|novamente|aqui)|retorna|retorne)"
    r"|\b(?:lembra|lembre|lembrar) (?:de mim|disso|dessa conversa)"
    r"|\b(?:fala|fale|falar|volta a falar|volte a falar|retoma|retome|conversa|converse) "
    r"(?:comigo|cmg|cmigo|com a gente)"
    r"|\b(?:entra|entre|entrar|entrem) em contato(?: comigo| cmg)?"
    r"|\b(?:volta|volte|voltar|retorna|retorne) (?:a )?(?:me )?(?:chamar|procurar|falar|escrever)"
    r"|\b(?:volta|volte) a me (?:chamar|procurar)"
)
_WEEKDAYS = r"(?:segunda|terca|quarta|quinta|sexta)(?: ?feira)?|sabado|domingo"
# The time the lead names, longest first (what `agent.policy.reminders.reminder_day` resolves).
WHEN = re.compile(
    r"\b(depois do dia \d{1,2}|depois de amanha|amanha|"
    r"hoje(?: mais tarde| a noite| a tarde| de noite| de tarde)?|mais tarde|"
    r"de noite|a noite|a tarde|de tarde|daqui a pouco|logo mais|"
    r"(?:na |no |nessa |nesta |essa |esta |proxima |semana que vem na |semana que vem no )?(?:"
    + _WEEKDAYS
    + r")|"
    r"(?:no |nesse |neste )?(?:fim|final) de semana|fds|"
    r"semana (?:que|q) vem|proxima semana|semana seguinte|outra semana|"
    r"mes (?:que|q) vem|proximo mes|mais (?:pra|para|pro) frente|outro dia|outra hora|"
    r"daqui a? ?(?:uns|alguns|umas|\d{1,2}|dois|duas|tres|quatro|cinco|sete|dez|quinze) dias|"
    r"em (?:\d{1,2}|dois|duas|tres|quatro|cinco) dias|"
    r"dia \d{1,2}|depois)\b"
)
_ASKS = re.compile(r"\b(?:" + _ASK + r")\b")


def reminder_asked(text: str) -> str | None:
    """The time a reminder is asked for ("amanha", "sexta", "semana que vem"; "depois" when none
    is said), or None when the message asks for no reminder."""
    norm = normalise(text)
    found = _ASKS.search(norm)
    if not found:
        return None
    when = WHEN.search(norm, found.end()) or WHEN.search(norm[: found.start()])
    return when.group(1) if when else None
