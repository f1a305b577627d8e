"""The Serena MCP server: plan catalog, lead qualification and lead registration.

Plans and qualification rules come from `tools/data/serena_catalog.yml`; registrations go to
a `RegistrationSink` (the database in production, memory in tests). A lead outside the
served region is an answer (`served=false`, `qualified=false` with a pt-BR reason), not an
error; malformed input is a `ToolError` naming the bad field.
"""

from __future__ import annotations

import math
import re
import threading
import unicodedata
from pathlib import Path
from typing import Annotated, Any, Literal, Protocol

import yaml
from mcp.server import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import BaseModel, ConfigDict, Field, ValidationError, WithJsonSchema, field_validator

from agent.policy.economics import format_brl
from agent.ports import Plan, PlanCatalog, Qualification

DEFAULT_CATALOG_PATH = Path(__file__).parent / "data" / "serena_catalog.yml"
PLAN_ORDER = ("essencial", "plus", "premium")
PHONE_PATTERN = r"^\+?[1-9]\d{7,14}$"

PersonType = Literal["natural", "juridical"]
# Module level: tool signatures are evaluated as strings (postponed annotations).
CityArg = Annotated[str, Field(max_length=120, description="City name; accents and case do not matter")]
StateArg = Annotated[str, Field(max_length=40, description="UF (e.g. PE) or state name")]

# How leads and other systems name a person type -> the tool's value.
_PERSON_TYPE_ALIASES: dict[str, PersonType] = {
    "natural": "natural",
    "pf": "natural",
    "fisica": "natural",
    "pessoa fisica": "natural",
    "cpf": "natural",
    "residential": "natural",
    "residencial": "natural",
    "juridical": "juridical",
    "pj": "juridical",
    "juridica": "juridical",
    "pessoa juridica": "juridical",
    "cnpj": "juridical",
    "empresa": "juridical",
    "business": "juridical",
    "commercial": "juridical",
    "comercial": "juridical",
}


def fold(text: str) -> str:
    """Case-, accent-, punctuation- and spacing-insensitive key ("São  José-" == "sao jose")."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", plain).split())


def normalize_person_type(value: str | None) -> PersonType | None:
    return _PERSON_TYPE_ALIASES.get(fold(value or "").replace("_", " "))


# --- catalog ----------------------------------------------------------------------------------


class SerenaCatalog:
    """Served states, their distributors and plans, and the qualification rules."""

    def __init__(self, path: str | Path | None = None, *, data: dict[str, Any] | None = None) -> None:
        self.path = Path(path) if path is not None else DEFAULT_CATALOG_PATH
        if data is None:
            data = yaml.safe_load(self.path.read_text(encoding="utf-8"))
        self._data = data
        self.states: dict[str, dict[str, Any]] = {uf.upper(): s for uf, s in data["states"].items()}
        names: dict[str, str] = data.get("state_names", {})
        self._state_keys = {fold(uf): uf.upper() for uf in names} | {
            fold(n): uf.upper() for uf, n in names.items()
        }
        self._state_keys |= {fold(uf): uf for uf in self.states}
        self._state_names = {uf.upper(): n for uf, n in names.items()}
        self._rules: dict[str, dict[str, float]] = data["qualification"]
        self._reasons: dict[str, str] = data["reasons"]

    def state_code(self, state: str) -> str | None:
        """ "pe", "Pernambuco", "PERNAMBUCO" -> "PE"; None when not a Brazilian state."""
        return self._state_keys.get(fold(state))

    def state_of_city(self, city: str) -> str | None:
        """The served state a well-known city belongs to (lets a lead omit the state)."""
        key = fold(city)
        matches = [uf for uf, s in self.states.items() if any(fold(c) == key for c in s.get("cities", []))]
        return matches[0] if len(matches) == 1 else None

    def canonical_city(self, city: str, uf: str | None) -> str:
        key = fold(city)
        for known in self.states.get(uf or "", {}).get("cities", []):
            if fold(known) == key:
                return str(known)
        return " ".join(city.split())

    def plans(self, uf: str) -> list[Plan]:
        templates: dict[str, dict[str, Any]] = self._data["plan_templates"]
        discounts: dict[str, float] = self.states[uf]["discounts"]
        ordered = [p for p in PLAN_ORDER if p in discounts] + [p for p in discounts if p not in PLAN_ORDER]
        return [Plan(id=pid, discount_pct=float(discounts[pid]), **templates[pid]) for pid in ordered]

    def plan_catalog(self, city: str, state: str) -> PlanCatalog:
        uf = self.state_code(state) if state.strip() else self.state_of_city(city)
        shown_state = uf or state.strip().upper()
        canonical = self.canonical_city(city, uf)
        if uf not in self.states:
            return PlanCatalog(served=False, distributor=None, state=shown_state, city=canonical, plans=[])
        served = self.states[uf]
        return PlanCatalog(
            served=True, distributor=served["distributor"], state=uf, city=canonical, plans=self.plans(uf)
        )

    def _reason(self, code: str, **values: str) -> Qualification:
        return Qualification(
            qualified=code == "qualified", reason=self._reasons[code].format(**values), reason_code=code
        )

    def qualify(self, city: str, state: str, person_type: str, bill: float) -> Qualification:
        """Rules in order: person type, bill is a number, state served, plausible, minimum."""
        kind = normalize_person_type(person_type)
        if kind is None:
            return self._reason("invalid_person_type")
        if not math.isfinite(bill) or bill <= 0:
            return self._reason("invalid_bill_amount")
        uf = self.state_code(state) if state.strip() else self.state_of_city(city)
        if uf is None:
            return self._reason("unknown_state")
        if uf not in self.states:
            return self._reason("state_not_served", state=self._state_names.get(uf, uf))
        if bill > self._rules["max_monthly_bill"][kind]:
            return self._reason("bill_implausible")
        minimum = self._rules["min_monthly_bill"][kind]
        if bill < minimum:
            return self._reason("bill_below_minimum", minimum=format_brl(minimum))
        return self._reason("qualified")

    def public_facts(self) -> dict[str, str]:
        """What the knowledge base's answers may state about Serena's offer, worded for a lead."""
        rules = self._rules["min_monthly_bill"]
        names = [self._state_names.get(uf, uf) for uf in self.states]
        served = ", ".join(names[:-1]) + f" e {names[-1]}" if len(names) > 1 else "".join(names)
        fees = {float(t.get("adhesion_fee") or 0) for t in self._data.get("plan_templates", {}).values()}
        facts = {
            "min_bill_natural": format_brl(rules["natural"]),
            "min_bill_company": format_brl(rules["juridical"]),
            "served_states": served,
        }
        if fees == {0.0}:
            facts["adhesion_text"] = "Não há taxa de adesão em nenhum plano"
        return facts

    def distributor(self, uf: str | None) -> str | None:
        return self.states.get(uf or "", {}).get("distributor")


# --- registrations ----------------------------------------------------------------------------


class RegistrationSink(Protocol):
    async def register(self, payload: dict[str, Any]) -> str: ...


class InMemoryRegistrations:
    """Registrations kept in memory, ids SRN-000001, SRN-000002, ... (tests, demos)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()  # the HTTP transport may call from another thread
        self.records: dict[str, dict[str, Any]] = {}

    async def register(self, payload: dict[str, Any]) -> str:
        with self._lock:
            lead_id = f"SRN-{len(self.records) + 1:06d}"
            self.records[lead_id] = dict(payload)
        return lead_id


# --- tool argument / result types -------------------------------------------------------------


class LeadData(BaseModel):
    """`dados_lead` as the seed names it (camelCase); extra keys are kept and passed on."""

    model_config = ConfigDict(extra="allow", str_strip_whitespace=True)

    fullName: str = Field(min_length=2, max_length=200)
    personType: str = Field("natural", description="natural (CPF) or juridical (CNPJ)")
    phone: str = Field(json_schema_extra={"pattern": PHONE_PATTERN}, description="E.164, e.g. +5581999990000")
    city: str | None = Field(None, max_length=120)
    state: str = Field(min_length=2, max_length=40, description="UF, e.g. PE")
    monthlyBill: float = Field(gt=0, allow_inf_nan=False, description="Average monthly bill, R$")
    consumption: float | None = Field(None, ge=0, allow_inf_nan=False, description="Monthly kWh")
    plan: str | None = Field(None, description="essencial | plus | premium")
    distributor: str | None = None
    leadSource: str = "whatsapp_silvia"

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str) -> str:
        if not re.fullmatch(PHONE_PATTERN, value):
            raise ValueError(f"{value!r} is not a phone number in E.164 format (e.g. +5581999990000)")
        return value

    @field_validator("personType")
    @classmethod
    def _person_type(cls, value: str) -> str:
        kind = normalize_person_type(value)
        if kind is None:
            raise ValueError("must be 'natural' or 'juridical'")
        return kind


class LeadRegistered(BaseModel):
    lead_id: str


def describe_validation_error(exc: ValidationError) -> str:
    """One line per problem, "field: message" (pydantic's default text is verbose)."""
    parts = []
    for err in exc.errors():
        field = ".".join(str(p) for p in err["loc"]) or "dados_lead"
        if err["type"] == "missing":
            parts.append(f"{field} is required")
        else:
            parts.append(f"{field}: {err['msg'].removeprefix('Value error, ')}")
    return "; ".join(parts)


def _lead_payload(catalog: SerenaCatalog, dados_lead: dict[str, Any]) -> dict[str, Any]:
    try:
        lead = LeadData.model_validate(dados_lead)
    except ValidationError as exc:
        raise ToolError(f"invalid dados_lead: {describe_validation_error(exc)}") from exc
    uf = catalog.state_code(lead.state)
    if uf is None:
        raise ToolError(
            f"invalid dados_lead: state: {lead.state!r} is not a Brazilian state (use the UF, e.g. PE)"
        )
    payload = lead.model_dump()
    payload["state"] = uf
    payload["distributor"] = lead.distributor or catalog.distributor(uf)
    if lead.city:
        payload["city"] = catalog.canonical_city(lead.city, uf)
    return payload


# --- server -----------------------------------------------------------------------------------


def build_serena_server(
    catalog: SerenaCatalog | None = None, registrations: RegistrationSink | None = None
) -> MCPServer:
    """The Serena MCP server (defaults: the bundled catalog, in-memory registrations)."""
    catalog = catalog if catalog is not None else SerenaCatalog()
    sink: RegistrationSink = registrations if registrations is not None else InMemoryRegistrations()
    server = MCPServer(
        "silvia-serena",
        instructions="Serena Energia GD plans, lead qualification and lead registration.",
        log_level="WARNING",
    )

    @server.tool(
        name="obter_planos_gd", description="Plans and distributor for a city/state (served=false outside)."
    )
    async def obter_planos_gd(cidade: CityArg, estado: StateArg) -> PlanCatalog:
        if not cidade.strip() and not estado.strip():
            raise ToolError("give at least cidade or estado")
        return catalog.plan_catalog(cidade, estado)

    @server.tool(
        name="validar_qualificacao_lead",
        description="Whether a lead qualifies, with a pt-BR reason and a stable reason_code.",
    )
    async def validar_qualificacao_lead(
        cidade: CityArg,
        estado: StateArg,
        tipo_pessoa: Annotated[str, Field(max_length=40, description="natural (CPF) or juridical (CNPJ)")],
        valor_conta: Annotated[float, Field(description="Average monthly electricity bill, R$ (a number)")],
    ) -> Qualification:
        return catalog.qualify(cidade, estado, tipo_pessoa, valor_conta)

    @server.tool(name="cadastrar_lead", description="Register a lead with Serena; returns the lead id.")
    async def cadastrar_lead(
        dados_lead: Annotated[dict[str, Any], WithJsonSchema(LeadData.model_json_schema())],
    ) -> LeadRegistered:
        return LeadRegistered(lead_id=await sink.register(_lead_payload(catalog, dados_lead)))

    return server
