"""Meta's message types → `Inbound` (every type the Cloud API documents, plus unknown ones)."""

from __future__ import annotations

import pytest

from api import meta

FROM = "5581977776666"


def _raw(kind: str, body: dict, name: str | None = "Carla") -> dict:
    return {
        "message": {"from": FROM, "id": "wamid.m", "timestamp": "1764000000", "type": kind, kind: body},
        "name": name,
    }


@pytest.mark.parametrize(
    ("kind", "body", "expected"),
    [
        ("text", {"body": "oi"}, {"kind": "text", "text": "oi"}),
        ("interactive", {"type": "button_reply", "button_reply": {"id": "plan:plus", "title": "Plano Plus"}},
         {"kind": "interactive", "button_id": "plan:plus", "text": "Plano Plus"}),
        ("interactive", {"type": "list_reply", "list_reply": {"id": "row1", "title": "Opção"}},
         {"kind": "interactive", "button_id": "row1"}),
        ("interactive", {"type": "nfm_reply"}, {"kind": "unsupported"}),
        ("button", {"payload": "SIM_QUERO", "text": "Sim, quero"},
         {"kind": "interactive", "button_id": "SIM_QUERO"}),
        ("image", {"id": "111", "mime_type": "image/jpeg", "caption": "minha conta"},
         {"kind": "image", "media_id": "111", "mime_type": "image/jpeg", "text": "minha conta"}),
        ("document", {"id": "222", "mime_type": "application/pdf", "filename": "conta.pdf"},
         {"kind": "document", "media_id": "222", "filename": "conta.pdf"}),
        ("document", {"mime_type": "application/pdf"}, {"kind": "unsupported"}),
        ("audio", {"id": "333", "mime_type": "audio/ogg", "voice": True}, {"kind": "audio"}),
        ("sticker", {"id": "444", "mime_type": "image/webp"}, {"kind": "sticker"}),
        ("location", {"latitude": -8.05, "longitude": -34.9, "name": "Casa", "address": "Recife"},
         {"kind": "location", "text": "Casa — Recife"}),
        ("unsupported", {}, {"kind": "unsupported"}),
        ("video", {"id": "555"}, {"kind": "unsupported"}),
        ("contacts", {}, {"kind": "unsupported"}),
    ],
)  # fmt: skip
def test_every_message_type_maps(kind: str, body: dict, expected: dict) -> None:
    inbound = meta.to_inbound(_raw(kind, body))
    assert inbound.phone == "+5581977776666" and inbound.message_id == "wamid.m" and inbound.name == "Carla"
    assert inbound.received_at is not None
    for key, value in expected.items():
        assert getattr(inbound, key) == value


def test_contacts_names_and_silent_types() -> None:
    payload = {
        "entry": [{"changes": [{"value": {
            "contacts": [{"wa_id": FROM, "profile": {"name": "Carla Souza"}}],
            "messages": [
                {"from": FROM, "id": "a", "type": "text", "text": {"body": "oi"}},
                {"from": FROM, "id": "b", "type": "reaction", "reaction": {"emoji": "👍"}},
            ],
            "statuses": [{"id": "wamid.out", "status": "read", "recipient_id": FROM}],
        }}]}]
    }  # fmt: skip
    webhook = meta.MetaWebhook.model_validate(payload)
    raws = meta.raw_messages(webhook)
    assert [r["name"] for r in raws] == ["Carla Souza", "Carla Souza"]
    assert [meta.is_silent(r) for r in raws] == [False, True]
    assert [(s.id, s.status) for s in meta.statuses(webhook)] == [("wamid.out", "read")]
