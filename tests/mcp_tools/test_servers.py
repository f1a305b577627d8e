"""The WhatsApp and Serena MCP servers through a real MCP client, in-process and over HTTP."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

from agent.ports import MediaFile, PlanCatalog, Qualification
from tests.mcp_tools.support import PDF, PHONE, TEMPLATE_ARGS, WHATSAPP_TOOLS
from tools.client import McpConnection, McpUnavailableError, SerenaTools, ToolCallError, WhatsAppTools
from tools.serena_server import InMemoryRegistrations
from tools.whatsapp_server import SandboxBackend

# --- WhatsApp -------------------------------------------------------------------------------


async def test_whatsapp_lists_tools_with_schemas(wa: McpConnection) -> None:
    tools = {t.name: t for t in await wa.list_tools()}
    assert set(tools) == WHATSAPP_TOOLS
    text = tools["sendTextMessage"].input_schema
    assert text["required"] == ["to", "message"]
    assert text["properties"]["message"]["maxLength"] == 4096
    assert "pattern" in text["properties"]["to"]
    buttons = tools["sendInteractiveButtons"].input_schema
    assert buttons["properties"]["buttons"]["maxItems"] == 3
    assert buttons["$defs"]["Button"]["properties"]["title"]["maxLength"] == 20
    assert list(tools["sendTemplateMessage"].input_schema["properties"]) == TEMPLATE_ARGS
    media_out = tools["downloadMedia"].output_schema or {}
    assert {"media_id", "mime_type", "size", "sha256", "path"} <= set(media_out["properties"])


async def test_whatsapp_sends_and_records(wa: McpConnection, backend: SandboxBackend) -> None:
    text = await wa.call("sendTextMessage", {"to": PHONE, "message": "Oi, Maria! ☀️"})
    buttons = [{"id": "plan_plus", "title": "Plano Plus"}, {"id": "later", "title": "Depois"}]
    btn = await wa.call("sendInteractiveButtons", {"to": PHONE, "body": "Qual plano?", "buttons": buttons})
    tpl_args = {
        "to": "5581988887777",
        "template": "followup_24h",
        "language": "pt_BR",
        "parameters": {"1": "Ana"},
    }
    tpl = await wa.call("sendTemplateMessage", tpl_args)
    assert [text, btn, tpl] == [{"message_id": f"wamid.sandbox.{n}"} for n in (1, 2, 3)]

    mine = backend.sent("5581999990000")  # digits match +55...
    assert [m["kind"] for m in mine] == ["text", "buttons"]
    assert mine[0]["body"] == "Oi, Maria! ☀️" and mine[0]["timestamp"]
    assert mine[1]["buttons"] == buttons
    other = backend.sent("+5581988887777")[0]
    assert (other["template"], other["language"], other["parameters"]) == (
        "followup_24h",
        "pt_BR",
        {"1": "Ana"},
    )
    assert await wa.call("markAsRead", {"message_id": "wamid.inbound.1"}) == {"ok": True}
    assert backend.read_receipts() == ["wamid.inbound.1"]
    backend.clear()
    assert backend.sent() == [] and backend.read_receipts() == []


def _buttons(n: int, title: str = "Ok") -> list[dict[str, str]]:
    return [{"id": f"b{i}", "title": title} for i in range(n)]


@pytest.mark.parametrize(
    ("tool", "args", "expected"),
    [
        ("sendTextMessage", {"to": "abc", "message": "oi"}, "E.164"),
        ("sendTextMessage", {"to": "+0123", "message": "oi"}, "E.164"),
        ("sendTextMessage", {"to": PHONE, "message": ""}, "at least 1 character"),
        ("sendTextMessage", {"to": PHONE, "message": "   "}, "must not be blank"),
        ("sendTextMessage", {"to": PHONE, "message": "x" * 4097}, "at most 4096 characters"),
        ("sendTextMessage", {"to": PHONE}, "message"),
        (
            "sendInteractiveButtons",
            {"to": PHONE, "body": "b", "buttons": _buttons(1, "x" * 21)},
            "at most 20",
        ),
        ("sendInteractiveButtons", {"to": PHONE, "body": "b", "buttons": _buttons(4)}, "at most 3 items"),
        ("sendInteractiveButtons", {"to": PHONE, "body": "b", "buttons": []}, "at least 1 item"),
        (
            "sendInteractiveButtons",
            {"to": PHONE, "body": "b", "buttons": [{"id": "a", "title": "A"}, {"id": "a", "title": "B"}]},
            "button ids must be unique",
        ),
        ("sendTemplateMessage", {"to": PHONE, "template": "Bad Name!", "language": "pt_BR"}, "template"),
        ("sendTemplateMessage", {"to": PHONE, "template": "ok", "language": "portuguese"}, "language"),
        ("downloadMedia", {"media_id": "../../etc/passwd"}, "media_id"),
        ("markAsRead", {"message_id": ""}, "message_id"),
    ],
)
async def test_whatsapp_rejects_bad_input_with_clear_message(
    wa: McpConnection, backend: SandboxBackend, tool: str, args: dict[str, Any], expected: str
) -> None:
    with pytest.raises(ToolCallError) as info:
        await wa.call(tool, args)
    assert info.value.tool == tool
    assert expected in info.value.message
    assert not isinstance(info.value, McpUnavailableError)
    assert backend.sent() == []


async def test_download_media_returns_a_reference_to_the_bytes(
    wa: McpConnection, backend: SandboxBackend, tmp_path: Path
) -> None:
    media_id = backend.register_media(PDF, "application/pdf", "conta.pdf")
    media = MediaFile.model_validate(await wa.call("downloadMedia", {"media_id": media_id}))
    expected = (media_id, "application/pdf", "conta.pdf", len(PDF))
    assert (media.media_id, media.mime_type, media.filename, media.size) == expected
    stored = Path(media.path).read_bytes()
    assert hashlib.sha256(stored).hexdigest() == media.sha256 == hashlib.sha256(PDF).hexdigest()
    assert Path(media.path).is_relative_to(tmp_path / "media")


async def test_download_unknown_media_is_a_tool_error(wa: McpConnection) -> None:
    with pytest.raises(ToolCallError, match=r"unknown media id .media\.sandbox\.nope."):
        await wa.call("downloadMedia", {"media_id": "media.sandbox.nope"})


# --- Serena ---------------------------------------------------------------------------------


async def test_serena_lists_tools_with_schemas(serena: McpConnection) -> None:
    tools = {t.name: t for t in await serena.list_tools()}
    assert set(tools) == {"obter_planos_gd", "validar_qualificacao_lead", "cadastrar_lead"}
    assert tools["obter_planos_gd"].input_schema["required"] == ["cidade", "estado"]
    qualify = tools["validar_qualificacao_lead"].input_schema
    assert qualify["properties"]["valor_conta"]["type"] == "number"
    lead = tools["cadastrar_lead"].input_schema["properties"]["dados_lead"]
    assert {"fullName", "phone", "state", "monthlyBill"} <= set(lead["required"])
    assert {"personType", "city", "consumption", "plan"} <= set(lead["properties"])


@pytest.mark.parametrize(
    ("city", "state", "uf", "distributor", "discounts"),
    [
        ("Recife", "PE", "PE", "Neoenergia Pernambuco", [10, 15, 20]),
        ("salvador", "ba", "BA", "Neoenergia Coelba", [11, 16, 21]),
        ("Fortaleza", "Ceará", "CE", "Enel CE", [9, 14, 18]),
        ("Natal", "rio grande do norte", "RN", "Neoenergia Cosern", [10, 14, 19]),
    ],
)
async def test_plans_for_served_states(
    serena: McpConnection, city: str, state: str, uf: str, distributor: str, discounts: list[float]
) -> None:
    catalog = PlanCatalog.model_validate(
        await serena.call("obter_planos_gd", {"cidade": city, "estado": state})
    )
    assert (catalog.served, catalog.state, catalog.distributor) == (True, uf, distributor)
    assert [p.id for p in catalog.plans] == ["essencial", "plus", "premium"]
    assert [p.name for p in catalog.plans] == ["Plano Essencial", "Plano Plus", "Plano Premium"]
    assert [p.discount_pct for p in catalog.plans] == discounts
    assert [p.loyalty_months for p in catalog.plans] == [0, 12, 24]
    assert [p.highlight for p in catalog.plans] == [False, True, False]
    assert all(p.adhesion_fee == 0 and p.description for p in catalog.plans)


@pytest.mark.parametrize(
    ("city", "state", "canonical", "uf"),
    [
        ("JABOATAO DOS GUARARAPES", "pe", "Jaboatão dos Guararapes", "PE"),
        ("  vitória   da conquista ", "BA", "Vitória da Conquista", "BA"),
        ("sao goncalo do amarante", "", "São Gonçalo do Amarante", "RN"),  # state from a known city
        ("Tamandaré", "PE", "Tamandaré", "PE"),  # not listed, still served in the state
    ],
)
async def test_city_matching_ignores_accents_and_case(
    serena: McpConnection, city: str, state: str, canonical: str, uf: str
) -> None:
    result = await serena.call("obter_planos_gd", {"cidade": city, "estado": state})
    assert (result["served"], result["city"], result["state"]) == (True, canonical, uf)


@pytest.mark.parametrize(("city", "state", "uf"), [("São Paulo", "SP", "SP"), ("Manaus", "amazonas", "AM")])
async def test_unserved_state_is_an_answer_not_an_error(
    serena: McpConnection, city: str, state: str, uf: str
) -> None:
    result = await serena.call("obter_planos_gd", {"cidade": city, "estado": state})
    assert result == {"served": False, "distributor": None, "state": uf, "city": city, "plans": []}


@pytest.mark.parametrize(
    ("state", "person", "bill", "qualified", "code"),
    [
        ("PE", "natural", 150.0, True, "qualified"),
        ("PE", "natural", 149.99, False, "bill_below_minimum"),
        ("BA", "PF", 300.0, True, "qualified"),
        ("CE", "juridical", 500.0, True, "qualified"),
        ("CE", "juridical", 499.99, False, "bill_below_minimum"),
        ("RN", "pessoa jurídica", 800.0, True, "qualified"),
        ("PE", "natural", 20000.0, True, "qualified"),
        ("PE", "natural", 20000.01, False, "bill_implausible"),
        ("SP", "natural", 900.0, False, "state_not_served"),
        ("ZZ", "natural", 900.0, False, "unknown_state"),
        ("PE", "alien", 900.0, False, "invalid_person_type"),
        ("PE", "natural", 0.0, False, "invalid_bill_amount"),
        ("PE", "natural", -10.0, False, "invalid_bill_amount"),
    ],
)
async def test_qualification_rules_at_boundaries(
    serena: McpConnection, state: str, person: str, bill: float, qualified: bool, code: str
) -> None:
    args = {"cidade": "Recife", "estado": state, "tipo_pessoa": person, "valor_conta": bill}
    result = Qualification.model_validate(await serena.call("validar_qualificacao_lead", args))
    assert (result.qualified, result.reason_code) == (qualified, code)
    assert result.reason and "_" not in result.reason  # a sentence for the lead, not a code


async def test_qualification_reasons_are_portuguese(serena: McpConnection) -> None:
    args = {"cidade": "Recife", "estado": "PE", "tipo_pessoa": "natural", "valor_conta": 90}
    below = await serena.call("validar_qualificacao_lead", args)
    assert "R$ 150,00" in below["reason"]
    args |= {"estado": "SP", "valor_conta": 300}
    assert "São Paulo" in (await serena.call("validar_qualificacao_lead", args))["reason"]


async def test_qualification_rejects_brazilian_number_strings(serena: McpConnection) -> None:
    args = {"cidade": "Recife", "estado": "PE", "tipo_pessoa": "natural", "valor_conta": "350,00"}
    with pytest.raises(ToolCallError, match="valor_conta"):
        await serena.call("validar_qualificacao_lead", args)


LEAD = {
    "fullName": "Maria da Silva",
    "personType": "PF",
    "phone": PHONE,
    "city": "olinda",
    "state": "pe",
    "monthlyBill": 320.5,
    "consumption": 410,
    "plan": "plus",
    "installationNumber": "123456",
}


async def test_register_lead_assigns_sequential_ids(
    serena: McpConnection, registrations: InMemoryRegistrations
) -> None:
    first = await serena.call("cadastrar_lead", {"dados_lead": LEAD})
    second = await serena.call("cadastrar_lead", {"dados_lead": LEAD | {"fullName": "João"}})
    assert [first, second] == [{"lead_id": "SRN-000001"}, {"lead_id": "SRN-000002"}]
    stored = registrations.records["SRN-000001"]
    assert (stored["state"], stored["city"], stored["personType"]) == ("PE", "Olinda", "natural")
    assert stored["distributor"] == "Neoenergia Pernambuco"
    assert stored["leadSource"] == "whatsapp_silvia"
    assert stored["installationNumber"] == "123456"  # extra keys pass through


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"fullName": None}, "fullName is required"),
        ({"phone": None}, "phone is required"),
        ({"state": None}, "state is required"),
        ({"monthlyBill": 0}, "monthlyBill: Input should be greater than 0"),
        ({"monthlyBill": -1}, "monthlyBill"),
        ({"phone": "81 9999"}, "phone: '81 9999' is not a phone number in E.164 format"),
        ({"personType": "alien"}, "personType: must be 'natural' or 'juridical'"),
        ({"state": "XX"}, "'XX' is not a Brazilian state"),
    ],
)
async def test_register_lead_rejects_bad_input(
    serena: McpConnection, registrations: InMemoryRegistrations, change: dict[str, Any], expected: str
) -> None:
    lead = {k: v for k, v in (LEAD | change).items() if v is not None}
    with pytest.raises(ToolCallError) as info:
        await serena.call("cadastrar_lead", {"dados_lead": lead})
    assert expected in info.value.message
    assert registrations.records == {}


# --- port adapters --------------------------------------------------------------------------


async def test_whatsapp_port_adapter(wa: McpConnection, backend: SandboxBackend) -> None:
    port = WhatsAppTools(wa)
    assert await port.send_text(PHONE, "Olá!") == "wamid.sandbox.1"
    assert await port.send_buttons(PHONE, "Escolha", [{"id": "a", "title": "A"}]) == "wamid.sandbox.2"
    assert await port.send_template(PHONE, "reengage", "pt_BR", {"1": "Maria"}) == "wamid.sandbox.3"
    assert await port.mark_as_read("wamid.in.9") is True
    media = await port.download_media(backend.register_media(PDF, "application/pdf"))
    assert isinstance(media, MediaFile) and Path(media.path).read_bytes() == PDF
    assert [m["kind"] for m in backend.sent(PHONE)] == ["text", "buttons", "template"]
    with pytest.raises(ToolCallError, match=r"E\.164"):
        await port.send_text("not-a-phone", "Olá!")


async def test_serena_port_adapter(serena: McpConnection, registrations: InMemoryRegistrations) -> None:
    port = SerenaTools(serena)
    catalog = await port.get_plans("recife", "pe")
    assert isinstance(catalog, PlanCatalog) and catalog.served and len(catalog.plans) == 3
    assert not (await port.get_plans("Curitiba", "PR")).served
    verdict = await port.validate_qualification("Recife", "PE", "natural", 350.0)
    assert isinstance(verdict, Qualification) and verdict.qualified
    assert await port.register_lead(LEAD) == "SRN-000001"
    assert list(registrations.records) == ["SRN-000001"]
