"""Every text a request may carry fits where it is stored: request schemas' max lengths equal the
database columns' (`api.schemas.stored_in`), so too long is a 422 naming the field, never a
database error (a 500, or a message acknowledged and then parked) later.

The walk is general: every string field of every request model (the JSON bodies in the OpenAPI
schema, and the webhook payloads read from the raw body) must be bounded, and one whose name is
also the name of a length-limited column must say where it is stored or why it needs not.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import annotated_types
import httpx
import psycopg
import pytest
import sqlalchemy as sa
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from sqlalchemy.engine import make_url

from api.app import create_app
from api.gateway import GatewayMessage
from api.meta import MetaWebhook
from api.schemas import ChatRequest
from ops.outcomes import OutcomeReport
from ops.routes import TakeoverRequest
from storage import migrate
from storage.delivery_statuses import RANK
from storage.models import PHONE_LEN, Base
from tests.backends import pg_schema
from tests.conftest import clear_backend_env, make_settings
from tests.webhook_kit import API_KEY, SERVICE_ENV, SilviaThread

# The request bodies: JSON bodies FastAPI parses, and the webhook payloads read by hand.
REQUEST_MODELS: list[type[BaseModel]] = [
    ChatRequest,
    OutcomeReport,
    TakeoverRequest,
    GatewayMessage,
    MetaWebhook,
]

# Fields (by name, or Model.field) named like a length-limited column that need no `stored_in`, and why.
NOT_STORED_AS_IS = {
    "phone": "normalised to '+' and 8-15 digits before it is stored (PHONE_LEN holds 16)",
    "state": "one of the 27 UFs, two letters (bills.patterns.UFS)",
    "status": "only the statuses in storage.delivery_statuses.RANK are stored; others are ignored",
    "outcome": "one of ops.outcomes' five outcome ids (the longest is 15 characters)",
    "kind": "a message kind, never stored (data_requests.kind is an LGPD request's kind)",
    "TakeoverRequest.reason": "kept in the takeover entry (JSON), cut to 500 there",
}
# Text fields with no max_length of their own, and what bounds them instead.
BOUNDED_ELSEWHERE = {
    "ChatMedia.data_base64": "the /v1/chat body limit (SILVIA_MAX_BILL_BYTES in base64): 413 over it",
    "ChatProfile.state": "one of the 27 UFs",
    **{
        f"{model}.{field}": "Meta's payload, at most SILVIA_MAX_WEBHOOK_BYTES, kept as JSON in the inbox"
        for model, field in [
            ("MetaWebhook", "object"),
            ("MetaEntry", "id"),
            ("MetaChange", "field"),
            ("MetaValue", "messaging_product"),
            ("MetaContact", "wa_id"),
        ]
    },
}
assert PHONE_LEN >= 16 and max(map(len, RANK)) <= 12  # the reasons above hold


def _string_columns() -> dict[str, list[sa.Column[Any]]]:
    by_name: dict[str, list[sa.Column[Any]]] = {}
    for table in Base.metadata.tables.values():
        for column in table.columns:
            if isinstance(column.type, sa.String) and column.type.length:
                by_name.setdefault(column.name, []).append(column)
    return by_name


def _types_in(annotation: Any) -> Iterator[Any]:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType, list, typing.Annotated):  # a dict is free-form JSON
        for arg in typing.get_args(annotation):
            yield from _types_in(arg)
    else:
        yield annotation


def _fields(model: type[BaseModel], seen: set[type] | None = None) -> Iterator[tuple[str, str, FieldInfo]]:
    """(model.field, field name, info) for every field, nested models included."""
    seen = seen if seen is not None else set()
    if model in seen:
        return
    seen.add(model)
    for name, info in model.model_fields.items():
        yield f"{model.__name__}.{name}", info.alias or name, info
        for kind in _types_in(info.annotation):
            if isinstance(kind, type) and issubclass(kind, BaseModel):
                yield from _fields(kind, seen)


def _max_length(info: FieldInfo) -> int | None:
    return next((m.max_length for m in info.metadata if isinstance(m, annotated_types.MaxLen)), None)


def _pattern(info: FieldInfo) -> str | None:
    return next((getattr(m, "pattern", None) for m in info.metadata if getattr(m, "pattern", None)), None)


def _literal_values(info: FieldInfo) -> list[str]:
    return [
        v for t in _types_in(info.annotation) if typing.get_origin(t) is Literal for v in typing.get_args(t)
    ]


def _is_text(info: FieldInfo) -> bool:
    return any(t is str for t in _types_in(info.annotation))


def _stored_in(info: FieldInfo) -> list[str]:
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    return list(extra.get("x-stored-in") or [])  # type: ignore[arg-type]


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"].rsplit("/", 1)[-1]
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def test_every_request_body_of_the_api_is_walked_here(tmp_path: Path) -> None:
    spec = create_app(make_settings(tmp_path)).openapi()
    bodies = {
        ref
        for path in spec["paths"].values()
        for operation in path.values()
        for ref in _refs(operation.get("requestBody") or {})
    }
    assert "ChatRequest" in bodies, bodies
    walked = {m.__name__ for m in REQUEST_MODELS}
    assert bodies <= walked, f"request bodies not checked here: {bodies - walked}"


def test_every_text_field_is_bounded_and_fits_its_columns() -> None:
    columns = _string_columns()
    problems: list[str] = []
    for model in REQUEST_MODELS:
        for where, name, info in _fields(model):
            if not _is_text(info) and not _literal_values(info):
                continue
            limit, literals = _max_length(info), _literal_values(info)
            if _is_text(info) and limit is None and _pattern(info) is None and where not in BOUNDED_ELSEWHERE:
                problems.append(f"{where}: no max_length")
            if stored := _stored_in(info):
                lengths = [
                    Base.metadata.tables[t].c[c].type.length for t, c in (s.split(".") for s in stored)
                ]
                if limit != min(lengths):
                    problems.append(f"{where}: max_length {limit} but {stored} hold {min(lengths)}")
            elif name in columns and not {name, where} & NOT_STORED_AS_IS.keys():
                shortest = min(c.type.length for c in columns[name])
                if literals and max(map(len, literals)) <= shortest:
                    continue  # a fixed vocabulary that fits
                problems.append(
                    f"{where}: named like {[str(c) for c in columns[name]]} (length {shortest}) "
                    "but says neither stored_in(...) nor why not (NOT_STORED_AS_IS)"
                )
    assert not problems, "\n".join(problems)


@pytest.fixture
def pg_service(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[httpx.Client, str]]:
    clear_backend_env(monkeypatch)
    with pg_schema("lengths") as database_url:
        migrate.upgrade(database_url)
        settings = make_settings(tmp_path, **SERVICE_ENV, DATABASE_URL=database_url)
        with (
            SilviaThread(settings) as server,
            httpx.Client(base_url=server.url, headers={"X-API-Key": API_KEY}, timeout=60) as client,
        ):
            yield client, database_url


def test_the_migrated_postgres_columns_are_the_lengths_the_schemas_use(
    pg_service: tuple[httpx.Client, str],
) -> None:
    _, database_url = pg_service
    url = make_url(database_url)
    schema = dict(url.query)["options"].split("=", 1)[1]
    admin = url.set(drivername="postgresql", query={}).render_as_string(hide_password=False)
    with psycopg.connect(admin) as conn:
        rows = conn.execute(
            "SELECT table_name, column_name, character_maximum_length FROM information_schema.columns "
            "WHERE table_schema = %s AND character_maximum_length IS NOT NULL",
            (schema,),
        ).fetchall()
    migrated = {f"{t}.{c}": n for t, c, n in rows}
    for model in REQUEST_MODELS:
        for where, _name, info in _fields(model):
            for column in _stored_in(info):
                table, name = column.split(".")
                assert migrated[column] == Base.metadata.tables[table].c[name].type.length, (where, column)


def test_too_long_is_a_422_naming_the_field_and_the_longest_allowed_is_stored(
    pg_service: tuple[httpx.Client, str],
) -> None:
    client, _ = pg_service
    city_limit = ChatRequest.model_fields["profile"].annotation.__args__[0].model_fields["city"]  # type: ignore[union-attr]
    city_max = _max_length(city_limit)
    assert city_max == 50
    phone = "+5581955554444"
    too_long = {"phone": phone, "message": "oi", "profile": {"city": "C" * (city_max + 1)}}
    refused = client.post("/v1/chat", json=too_long)
    assert refused.status_code == 422 and "profile.city" in refused.text, refused.text
    longest = {
        "phone": phone,
        "message": "oi",
        "name": "N" * 100,
        "profile": {"city": "C" * city_max, "name": "M" * 100},
    }
    answered = client.post("/v1/chat", json=longest)
    assert answered.status_code == 200, answered.text
    gateway = {"phone": phone, "message": "oi", "name": "G" * 101}
    refused_gateway = client.post("/webhook/silvia", json=gateway)
    assert refused_gateway.status_code == 422 and "name" in refused_gateway.text, refused_gateway.text
