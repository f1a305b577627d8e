"""POST /v1/chat over real HTTP: texts, button taps, files, other media and a seeded CRM profile.

The app runs under uvicorn on a free port (sandbox WhatsApp backend, embedded storage). Every
bad request must get its 4xx with a reason and leave nothing behind: no lead row, no stage, no
interaction, no checkpoint, no stored file.
"""

from __future__ import annotations

import asyncio
import base64
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from demo.bill_specs import random_bill_spec
from demo.sample_bills import render_bill_pdf
from evals.attachments import blurry_photo_png
from evals.dataset import load_conversations
from evals.runner import RunOptions, run_eval
from evals.targets import EVAL_MAX_BILL_BYTES, FIXED_CLOCK
from tests.conftest import BUSINESS_HOURS, clear_backend_env, make_settings
from tests.graph_api_fake import GraphApiFake
from tests.webhook_kit import API_KEY, SilviaThread, query

MAX_BILL_BYTES = 256 * 1024
KEY = {"X-API-Key": API_KEY}


def _start(tmp: Path, monkeypatch: pytest.MonkeyPatch, **env: str) -> Iterator[tuple[httpx.Client, Path]]:
    clear_backend_env(monkeypatch)
    settings = make_settings(
        tmp,
        SILVIA_API_KEY=API_KEY,
        SILVIA_BURST_SECONDS="0",
        SILVIA_MAX_BILL_BYTES=str(MAX_BILL_BYTES),
        **env,
    )
    with (
        SilviaThread(settings, clock=lambda: BUSINESS_HOURS) as server,  # specialists on duty
        httpx.Client(base_url=server.url, timeout=60, headers=KEY) as client,
    ):
        yield client, tmp


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[httpx.Client, Path]]:
    with pytest.MonkeyPatch.context() as monkeypatch:
        yield from _start(tmp_path_factory.mktemp("chat"), monkeypatch)


def chat(client: httpx.Client, phone: str, **body: Any) -> dict[str, Any]:
    response = client.post("/v1/chat", json={"phone": phone, **body})
    assert response.status_code == 200, response.text
    return response.json()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def bill_pdf(total: float, seed: int = 7, name: str = "Beatriz Costa") -> bytes:
    import random

    spec = random_bill_spec(random.Random(seed), distributor="Neoenergia Pernambuco", total_amount=total,
                            customer_name=name, city="Recife")  # fmt: skip
    return render_bill_pdf(spec)


def written(data_dir: Path, phone: str) -> dict[str, int]:
    """Everything a turn or a profile writes for a lead, counted."""
    counts = {
        table: query(data_dir, f"SELECT count(*) FROM {table} WHERE {column} = ?", phone)[0][0]
        for table, column in (
            ("leads", "phone_number"),
            ("lead_status", "lead_id"),
            ("lead_interactions", "lead_id"),
        )
    }
    with sqlite3.connect(data_dir / "checkpoints.db") as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        rows = sum(
            conn.execute(f"SELECT count(*) FROM {t} WHERE thread_id = ?", (f"lead:{phone}",)).fetchone()[0]
            for t in tables
            if "thread_id" in {c[1] for c in conn.execute(f"PRAGMA table_info({t})")}
        )
    counts["checkpoints"] = rows
    return counts


def media_files(data_dir: Path) -> int:
    media = data_dir / "media"
    return len(list(media.iterdir())) if media.exists() else 0


# --- each new field, end to end -----------------------------------------------------------------


def test_a_text_only_request_still_works(sandbox: tuple[httpx.Client, Path]) -> None:
    client, _ = sandbox
    data = chat(client, "+5581911110001", message="oi", name="Carla")
    assert (
        data["stage"] == "greeted" and data["intent"] == "greeting" and "Carla" in data["replies"][0]["text"]
    )


def test_profile_seeds_the_greeting_savings_and_never_erases_fields(
    sandbox: tuple[httpx.Client, Path],
) -> None:
    client, data_dir = sandbox
    walk_in = chat(client, "+5581911110002", message="oi", name="Rita")
    seeded = chat(
        client, "+5581911110003", message="oi", name="Rita",
        profile={"name": "Rita Farias", "city": "Recife", "state": "pe", "bill_amount": 1000},
    )  # fmt: skip
    # 18 % of R$ 1.000 in PE (multiplier 1.0) × 12: the CRM's bill is in the greeting.
    greeting = seeded["replies"][0]["text"]
    assert "1.000,00" in greeting and "2.160,00 por ano" in greeting and "Recife" in greeting
    assert "por ano" not in walk_in["replies"][0]["text"]  # a walk-in is asked for city and bill
    row = "SELECT name, city, state, invoice_amount FROM leads WHERE phone_number = ?"
    assert query(data_dir, row, "+5581911110003") == [("Rita Farias", "Recife", "PE", 1000.0)]
    # A later form with only the bill keeps what the row had.
    chat(client, "+5581911110003", message="quanto custa?", profile={"bill_amount": 1200})
    assert query(data_dir, row, "+5581911110003")[0][:3] == ("Rita Farias", "Recife", "PE")


def test_button_picks_the_plan_and_a_pdf_bill_is_read_to_the_handoff(
    sandbox: tuple[httpx.Client, Path],
) -> None:
    client, data_dir = sandbox
    phone = "+5581911110004"
    profile = {"name": "Beatriz Costa", "city": "Recife", "state": "PE", "bill_amount": 430}
    assert chat(client, phone, message="oi", name="Beatriz", profile=profile)["stage"] == "greeted"
    assert chat(client, phone, message="sim", name="Beatriz")["stage"] == "plans_presented"
    picked = chat(client, phone, button_id="plan:premium", message="Plano Premium", name="Beatriz")
    assert picked["stage"] == "document_requested" and picked["intent"] == "choose_plan"
    assert "Premium" in picked["replies"][0]["text"]
    media = {"kind": "document", "mime_type": "application/pdf", "filename": "conta.pdf",
             "data_base64": b64(bill_pdf(431.9))}  # fmt: skip
    read = chat(client, phone, media=media, name="Beatriz")
    text = "\n".join(r["text"] for r in read["replies"])
    assert read["stage"] == "handed_off" and "431,90" in text and "Premium" in text
    stored = query(
        data_dir, "SELECT message_received FROM lead_interactions WHERE lead_id = ? ORDER BY id", phone
    )
    assert stored[-1][0].startswith("[document")


def test_other_media_get_the_polite_answer_and_keep_the_stage(sandbox: tuple[httpx.Client, Path]) -> None:
    client, _ = sandbox
    phone = "+5581911110005"
    chat(
        client,
        phone,
        message="oi",
        name="Davi",
        profile={"city": "Recife", "state": "PE", "bill_amount": 300},
    )
    for media in (
        {"kind": "audio", "mime_type": "audio/ogg"},
        {"kind": "sticker", "mime_type": "image/webp"},
        {"kind": "video", "mime_type": "video/mp4"},
        {"kind": "location"},
        {"kind": "unsupported"},
    ):
        data = chat(client, phone, media=media)
        assert data["stage"] == "greeted" and data["replies"], media
    photo = chat(
        client,
        phone,
        media={"kind": "image", "mime_type": "image/png", "data_base64": b64(blurry_photo_png())},
    )
    assert photo["stage"] == "greeted" and photo["replies"]  # read, not a bill: a tip, no crash


# --- bad input: a 4xx with a reason, and nothing written ------------------------------------------

PDF = {"kind": "document", "mime_type": "application/pdf"}
TINY_PDF = "JVBERg=="  # "%PDF"
BAD_REQUESTS: list[tuple[str, dict[str, Any], int, str]] = [
    ("nothing", {"name": "Ana"}, 422, "nothing to send"),
    ("empty message", {"message": ""}, 422, "nothing to send"),
    ("bad base64", {"media": {**PDF, "data_base64": "not base64 at all!"}}, 422, "base64"),
    ("padding only", {"media": {**PDF, "data_base64": "===="}}, 422, "base64"),
    ("too large", {"media": {**PDF, "data_base64": b64(b"%PDF" + b"0" * MAX_BILL_BYTES)}}, 413, "limit"),
    ("mime vs kind", {"media": {**PDF, "kind": "image", "data_base64": TINY_PDF}}, 422, "does not match"),
    ("not a mime", {"media": {"kind": "document", "mime_type": "pdf", "data_base64": TINY_PDF}}, 422, "MIME"),
    ("image without file", {"media": {"kind": "image", "mime_type": "image/png"}}, 422, "needs data_base64"),
    ("unknown kind", {"media": {"kind": "poll"}}, 422, "media.kind"),
    ("button and media", {"button_id": "plan:plus", "media": {"kind": "location"}}, 422, "not both"),
    ("bad UF", {"message": "oi", "profile": {"state": "XX"}}, 422, "not a Brazilian UF"),
    ("bad bill", {"message": "oi", "profile": {"bill_amount": -5}}, 422, "bill_amount"),
    ("empty profile", {"message": "oi", "profile": {}}, 422, "profile is empty"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "body", "status", "reason"), BAD_REQUESTS, ids=[c[0] for c in BAD_REQUESTS])
def test_bad_input_gets_its_status_and_a_reason_and_writes_nothing(
    sandbox: tuple[httpx.Client, Path], case: str, body: dict[str, Any], status: int, reason: str
) -> None:
    client, data_dir = sandbox
    phone = f"+55819222{abs(hash(case)) % 10**5:05d}"
    files = media_files(data_dir)
    profile = body.pop("profile", {"city": "Recife", "state": "PE", "bill_amount": 400})  # would be written
    response = client.post("/v1/chat", json={"phone": phone, "profile": profile, **body})
    assert response.status_code == status, response.text
    assert reason in str(response.json()["detail"])
    assert written(data_dir, phone) == {
        "leads": 0,
        "lead_status": 0,
        "lead_interactions": 0,
        "checkpoints": 0,
    }
    assert media_files(data_dir) == files


def test_a_body_over_the_limit_is_refused_before_it_is_parsed(sandbox: tuple[httpx.Client, Path]) -> None:
    """Declared or not, a body larger than a bill in base64 never reaches the JSON parser."""
    client, data_dir = sandbox
    huge = b'{"phone": "+5581922200001", "message": "' + b"a" * (MAX_BILL_BYTES * 2) + b'"}'
    declared = client.post("/v1/chat", content=huge, headers={"content-type": "application/json"})
    streamed = client.post(
        "/v1/chat", content=iter([huge[:1000], huge[1000:]]), headers={"content-type": "application/json"}
    )
    for response in (declared, streamed):
        assert response.status_code == 413 and "byte limit" in response.json()["detail"]
    assert written(data_dir, "+5581922200001") == {
        "leads": 0,
        "lead_status": 0,
        "lead_interactions": 0,
        "checkpoints": 0,
    }
    assert chat(client, "+5581922200001", message="oi")["replies"]  # and the route still works


def test_files_need_the_sandbox_backend(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    graph = GraphApiFake().start()
    try:
        for client, data_dir in _start(tmp_path, monkeypatch, **graph.env()):
            phone = "+5581933330001"
            media = {**PDF, "data_base64": b64(bill_pdf(300.0))}
            refused = client.post(
                "/v1/chat", json={"phone": phone, "media": media, "profile": {"state": "PE"}}
            )
            assert refused.status_code == 409 and "sandbox" in refused.json()["detail"]
            assert "webhook" in refused.json()["detail"]
            assert written(data_dir, phone) == {
                "leads": 0,
                "lead_status": 0,
                "lead_interactions": 0,
                "checkpoints": 0,
            }
            # Messages without a file still work on the cloud backend.
            assert chat(client, phone, media={"kind": "audio", "mime_type": "audio/ogg"})["replies"]
    finally:
        graph.stop()


def test_the_api_key_is_checked_before_anything_else(sandbox: tuple[httpx.Client, Path]) -> None:
    client, data_dir = sandbox
    body = {"phone": "+5581944440001", "message": "oi", "profile": {"state": "PE"}}
    assert httpx.post(f"{client.base_url}/v1/chat", json=body).status_code == 401
    assert written(data_dir, "+5581944440001")["leads"] == 0


# --- the eval suite over HTTP: every conversation, the same verdicts as in-process ----------------


def test_http_eval_plays_every_conversation_like_the_embedded_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    conversations = load_conversations()
    clear_backend_env(monkeypatch)
    monkeypatch.delenv("SILVIA_API_KEY", raising=False)
    # The server as EmbeddedTarget builds Sílvia: sandbox, the eval's bill limit, its fixed clock.
    settings = make_settings(
        tmp_path / "serve", SILVIA_BURST_SECONDS="0", SILVIA_MAX_BILL_BYTES=str(EVAL_MAX_BILL_BYTES)
    )
    with SilviaThread(settings, clock=lambda: FIXED_CLOCK) as server:
        http = asyncio.run(run_eval(conversations, RunOptions(target=server.url)))
    embedded = asyncio.run(run_eval(conversations, RunOptions()))
    assert http["summary"]["played"] == len(conversations) and http["summary"]["skipped"] == 0
    restarts = [t for c in http["conversations"] for t in c["turns"] if t["kind"] == "restart"]
    assert restarts and all(t["skipped"] for t in restarts)  # the long-lived server is not restarted
    local = {c["id"]: c["passed"] for c in embedded["conversations"]}
    specs = {c.id: c for c in conversations}
    # The one expected difference: over /v1/chat an oversize file is refused with 413 before the
    # turn, so Sílvia's own "grande demais" answer (graded in-process) is never reached.
    for conv in (c for c in http["conversations"] if c["passed"] != local[c["id"]]):
        failing = [t for t in conv["turns"] if not t["passed"]]
        assert not conv["passed"] and failing, f"{conv['id']} passes over HTTP only"
        for turn in failing:
            attachment = specs[conv["id"]].turns[turn["index"]].attachment
            assert attachment and attachment.kind == "too_large", (conv["id"], turn)
            assert turn["error"].startswith("HTTP 413"), (conv["id"], turn)
    assert any(c["id"] == "bill-too-large" and not c["passed"] for c in http["conversations"])
