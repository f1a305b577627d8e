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
