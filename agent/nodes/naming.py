"""A lead whose name was never given is asked for it before Serena registers them.

The bill usually carries the holder's name; a typed amount or a walk-in lead may not. The
question waits in `awaiting_name` (stage `document_received`); the answer becomes the profile's
name and qualification goes on in the same turn.
"""

from __future__ import annotations

import re
from typing import Any

from agent.replies.drafts import reply
from agent.state import Profile, SilviaState
from agent.understanding.intent import normalise
from agent.understanding.places import CITY_NICKNAMES, CITY_TABLE, STATE_NAMES

_NAME_LEAD_IN = re.compile(
    r"^\s*(meu nome (e|é)|me chamo|eu me chamo|pode me chamar de|sou (o|a)|aqui (e|é) (o|a)|(e|é))\s+",
    re.IGNORECASE,
)
_NAME = re.compile(r"^[^\W\d_]+(?:[ '’-][^\W\d_]+){0,4}$")


def name_from(text: str) -> str | None:
    """ "meu nome é Ana Paula" -> "Ana Paula"; None when the reply does not read as a name."""
    candidate = _NAME_LEAD_IN.sub("", text.strip()).strip(" .!,")
    if not candidate or not _NAME.match(candidate):
        return None
    return " ".join(w if any(c.isupper() for c in w) else w.capitalize() for w in candidate.split())


def name_step(state: SilviaState, profile: Profile) -> tuple[dict[str, Any] | None, Profile]:
    """(the question to send, or None; the profile with the name the lead just gave)."""
    inbound = state.get("inbound") or {}
    if state.get("awaiting_name") and inbound.get("kind") == "text":
        if name := name_from(str(inbound.get("text") or "")):
            return None, {**profile, "name": name}
        return {"replies": [reply("ask_name.again")]}, profile
    return {"awaiting_name": True, "replies": [reply("ask_name.first")]}, profile


# How an honorific is written before a name ("sr paulo" -> "Sr. Paulo").
_HONORIFIC_FORMS = {
    "sr": "Sr.", "sr.": "Sr.", "senhor": "Sr.", "sra": "Sra.", "sra.": "Sra.", "senhora": "Sra.",
    "srta": "Srta.", "srta.": "Srta.", "dr": "Dr.", "dr.": "Dr.", "doutor": "Dr.", "dra": "Dra.",
    "dra.": "Dra.", "doutora": "Dra.", "seu": "Seu", "dona": "Dona", "d.": "Dona",
}  # fmt: skip
_HONORIFIC_RE = r"(?:sr\.?|sra\.?|srta\.?|senhora?|dr\.?|dra\.?|doutora?|seu|dona|d\.)"
_NAME_WORD = r"[^\W\d_]{2,}"
# "aqui é a dona Severina", "sou o sr paulo", "meu nome é Ana Paula", "quem fala é o seu Raimundo".
_INTRODUCTION = re.compile(
    rf"(?:^|[\s,.!])(?:aqui (?:e|é|eh)|sou|quem fala(?: aqui)? (?:e|é)|fala(?:ndo)?|me chamo|"
    rf"meu nome (?:e|é)|pode me chamar de)\s+(?:(?:o|a)\s+)?(?P<hon>{_HONORIFIC_RE}\s+)?"
    rf"(?P<name>{_NAME_WORD}(?:\s+{_NAME_WORD})?)",
    re.IGNORECASE,
)
# Words after a first name that are not part of it ("sou o sr paulo de caruaru", "aqui é a Ana e…").
_NOT_NAME = frozenset(
    {"de", "da", "do", "das", "dos", "e", "em", "moro", "pago", "tenho", "queria", "quero", "to", "tô",
     "aqui", "la", "lá", "que", "meu", "minha", "sou", "vi", "ja", "já", "so", "só", "mesmo", "responsavel",
     "responsável", "dono", "dona", "cliente", "interessado", "interessada"}
)  # fmt: skip
# Lead-ins that name only with an honorific or a capital: "sou a Maria", never "sou o dono" or
# "aqui é a conta".
_NEEDS_HONORIFIC = ("sou", "fala", "falando", "aqui", "quem")


def _place_names() -> frozenset[str]:
    names = [n.strip() for line in CITY_TABLE.strip().splitlines() for n in line.split(":", 1)[1].split(",")]
    return frozenset({*(normalise(n) for n in names), *STATE_NAMES, *CITY_NICKNAMES})


_PLACES = _place_names()  # "aqui é Natal", "sou Recife": a place, not a name


def introduced_name(text: str) -> str | None:
    """The name a lead gives themselves in a message, honorific kept: "Dona Severina", "Sr. Paulo"."""
    for match in _INTRODUCTION.finditer(text):
        words = [w for w in match.group("name").split()]
        while words and words[-1].lower() in _NOT_NAME:
            words.pop()
        if not words or words[0].lower() in _NOT_NAME or words[0].lower() in _HONORIFIC_FORMS:
            continue
        if normalise(" ".join(words)) in _PLACES or normalise(words[0]) in _PLACES:
            continue
        lead_in = match.group(0).strip(" ,.!").split()[0].lower()
        honorific = (match.group("hon") or "").strip().lower()
        if lead_in in _NEEDS_HONORIFIC and not honorific and not words[0][0].isupper():
            continue  # "sou o responsável", "sou a interessada": no name said
        name = " ".join(_cased(w) for w in words)
        return f"{_HONORIFIC_FORMS[honorific]} {name}" if honorific else name
    return None


def _cased(word: str) -> str:
    """ "severina" / "SEVERINA" -> "Severina"; "McCartney" stays as written."""
    return word if any(c.isupper() for c in word) and not word.isupper() else word.capitalize()


def merged_name(known: str, introduced: str) -> str:
    """The profile's name after the lead introduced themselves: the honorific joins a known full
    name with the same first name ("Raimundo Nonato" + "Seu Raimundo" -> "Seu Raimundo Nonato")."""
    said = introduced.split()
    has_honorific = said[0].lower() in _HONORIFIC_FORMS
    first_said = said[1] if has_honorific and len(said) > 1 else said[0]
    words = [w for w in known.split() if w.lower() not in _HONORIFIC_FORMS]
    if words and words[0].lower() == first_said.lower():
        return " ".join([said[0], *words]) if has_honorific else " ".join(words)
    return introduced


def honorific_form(word: str) -> str | None:
    """ "sr" -> "Sr.", "dona" -> "Dona"; None for a word that is no honorific."""
    return _HONORIFIC_FORMS.get(word.lower())
