"""A goodbye ("tchau", "até mais", "falou", "flw, bom dia pra vc"): the lead closes the
conversation. It is never a return (no "que bom ter você de volta") and never a cue to pitch;
at any stage it gets a short, kind goodbye.

Only a message made of goodbye words and courtesies is one: "tchau, mas antes me diz o preço"
carries a question and is read as such.
"""

from __future__ import annotations

import re

from agent.understanding.intent import normalise

_GOODBYE = re.compile(
    r"\b(tchau|tchauzinho|xau|chau|bye|adeus|falou|falo|flw|fui|inte|ate (mais|logo|breve|depois|a proxima|"
    r"amanha|mais ver)|a gente se (fala|ve)|nos (falamos|vemos)|se cuida|fica com deus|fique com deus)\b"
)
# What may stand beside a goodbye without making it something else.
_COURTESY = re.compile(
    r"\b(valeu|vlw|obrigad[oa]|obg|brigad[oa]|ok|okay|blz|beleza|entao|entao ta|ta|ta bom|bom|boa|"
    r"dia|tarde|noite|fim de semana|semana|pra|para|voce|vc|vcs|voces|ti|tu|te|a|o|e|tudo de bom|"
    r"abraco|abracos|abs|bjs|beijo|beijos|deus|abencoe|oi|ola|moca|moco|querida|querido|senhora|"
    r"silvia|viu|visse|uai|oxe|ne|mais|sim|por|hoje|isso|tudo|enquanto)\b"
)


def says_goodbye(text: str) -> bool:
    """The message only says goodbye (with courtesies around it)."""
    norm = normalise(text)
    if "?" in text or not _GOODBYE.search(norm):
        return False
    rest = _COURTESY.sub(" ", _GOODBYE.sub(" ", norm))
    return not rest.split()
