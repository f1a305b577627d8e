"""How each outgoing message may go out: free-form, an approved template, or not at all.

Rules that hold for every outbound path (docs/architecture.md, "Rules that hold everywhere"):
* a reply to a lead who just wrote goes out at once, at any hour, as free-form text;
* anything proactive (not answering a message) never reaches a lead who opted out;
* a proactive message outside WhatsApp's 24-hour window is sent as the approved template
  that replaces it (`prompts/whatsapp_templates.yml`), or not sent when none does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from agent.context import Deps
from agent.policy.followups import window_open
from agent.ports import WhatsAppPort
from agent.replies.drafts import context_variables
from agent.replies.whatsapp_templates import FilledTemplate, TemplateCatalogError
from agent.state import Reply, SilviaState, Stage

# Inbound kinds that are not a lead's message: what they make Sílvia send is proactive.
PROACTIVE_KINDS: frozenset[str] = frozenset({"followup_tick"})

Mode = Literal["text", "buttons", "list", "template", "blocked"]


@dataclass(frozen=True)
class Outbound:
    mode: Mode
    reason: str = ""
    template: FilledTemplate | None = None

    @property
    def blocked(self) -> bool:
        return self.mode == "blocked"

    def apply(self, message: Reply) -> Reply:
        """The message as the lead will see it (a template's own approved text)."""
        if self.template is None:
            return message
        return {**message, "text": self.template.text, "whatsapp_template": self.template.name}

    async def send(self, whatsapp: WhatsAppPort, phone: str, message: Reply) -> str:
        if self.template is not None:
            t = self.template
            return await whatsapp.send_template(phone, t.name, t.language, t.parameters)
        if self.mode == "buttons":
            return await whatsapp.send_buttons(phone, message["text"], message["buttons"])
        if self.mode == "list":
            options = message["list"]
            return await whatsapp.send_list(phone, message["text"], options["button"], options["rows"])
        return await whatsapp.send_text(phone, message["text"])


def is_proactive(state: SilviaState) -> bool:
    return (state.get("inbound") or {}).get("kind") in PROACTIVE_KINDS


def last_inbound_at(state: SilviaState) -> datetime | None:
    raw = state.get("last_inbound_at")
    return datetime.fromisoformat(raw) if raw else None


def plan_outbound(message: Reply, state: SilviaState, deps: Deps) -> Outbound:
    free_form = Outbound("list" if message.get("list") else "buttons" if message.get("buttons") else "text")
    if not is_proactive(state):
        return free_form
    if state.get("stage") == Stage.OPTED_OUT:
        return Outbound("blocked", "the lead opted out")
    if window_open(last_inbound_at(state), deps.clock()):
        return free_form
    template_id = message.get("template_id", "")
    approved = deps.whatsapp_templates.replacing(template_id)
    if approved is None:
        reason = f"outside the 24-hour window and no approved template replaces {template_id}"
        return Outbound("blocked", reason)
    variables: dict[str, Any] = context_variables(state, deps.prompts) | dict(message.get("variables") or {})
    try:
        return Outbound("template", template=approved.fill(variables))
    except TemplateCatalogError as exc:
        return Outbound("blocked", str(exc))
