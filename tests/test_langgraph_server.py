"""`langgraph dev` (the in-memory LangGraph server, as Studio uses it) runs Sílvia's conversation:
the repository's langgraph.json, a real server process, `langgraph-sdk` over HTTP."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from langgraph_sdk import get_client

from tests.conftest import BACKEND_VARIABLES

ROOT = Path(__file__).resolve().parent.parent
PHONE = "+5581999990001"
STARTUP_S = 120.0  # the server imports langgraph_api, the graph and opens Sílvia: slow on a busy machine


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_env(data_dir: Path) -> dict[str, str]:
    """The embedded default in a temporary folder, whatever the developer's shell points at."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "LANGSMITH_", "LANGCHAIN_"))}
    for name in BACKEND_VARIABLES:
        env.pop(name, None)
    env.update(SILVIA_DATA_DIR=str(data_dir), LANGSMITH_TRACING="false", LANGGRAPH_CLI_NO_ANALYTICS="1")
    return env


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`langgraph dev` on the repository's langgraph.json (minus `.env`, so a developer's own
    settings never leak in), from a scratch folder where it keeps its in-memory state."""
    work = tmp_path_factory.mktemp("langgraph")
    config = json.loads((ROOT / "langgraph.json").read_text(encoding="utf-8"))
    config.pop("env", None)
    config["dependencies"] = [str(ROOT)]
    (work / "langgraph.json").write_text(json.dumps(config), encoding="utf-8")
    port = free_port()
    log = (work / "server.log").open("w")
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "langgraph"), "dev", "--config", "langgraph.json",
         "--host", "127.0.0.1", "--port", str(port), "--no-browser", "--no-reload"],
        cwd=work, env=server_env(work / "data"), stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_S
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"langgraph dev exited:\n{(work / 'server.log').read_text()[-3000:]}")
            try:
                if httpx.get(f"{url}/ok", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        else:
            log_tail = (work / "server.log").read_text()[-3000:]
            pytest.fail(f"langgraph dev not up after {STARTUP_S} s:\n{log_tail}")
        yield url
    finally:
        process.send_signal(signal.SIGINT)  # a clean shutdown runs the lifespan's exit (closes Sílvia)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        assert "BlockingError" not in (work / "server.log").read_text(), "blocking call on the event loop"


def message(text: str, phone: str = PHONE, **extra: Any) -> dict[str, Any]:
    return {"inbound": {"phone": phone, "text": text, **extra}}


def texts(output: dict[str, Any]) -> str:
    return "\n".join(r["text"] for r in output.get("replies") or [])


async def test_a_thread_is_a_lead_conversation_with_history_and_forks(server: str) -> None:
    client = get_client(url=server)
    [assistant] = await client.assistants.search(graph_id="silvia")
    schemas = await client.assistants.get_schemas(assistant["assistant_id"])
    inbound_schema = schemas["input_schema"]["$defs"]["Inbound"]
    assert {"phone", "text", "button_id", "name"} <= set(inbound_schema["properties"])

    thread = await client.threads.create()
    first = await client.runs.wait(thread["thread_id"], "silvia", input=message("oi", name="Maria Oliveira"))
    assert first["stage"] == "greeted"
    assert "Sílvia" in texts(first) and "Maria" in texts(first)

    second = await client.runs.wait(thread["thread_id"], "silvia", input=message("Recife, 380"))
    assert second["stage"] == "greeted" and second["intent"] == "provide_info"
    assert second["profile"]["city"] == "Recife" and second["profile"]["bill_amount"] == 380
    assert "R$" in texts(second)  # the savings estimate for a R$ 380 bill

    history = await client.threads.get_history(thread["thread_id"], limit=200)
    turn_ends = [s for s in history if not s["next"]]
    assert len(turn_ends) == 2  # one finished checkpoint per turn, newest first
    said = [m["text"] for m in turn_ends[0]["values"]["messages"] if m["role"] == "lead"]
    assert said == ["oi", "Recife, 380"]
    assert len(history) > 2 * len({"ingest", "understand", "compose", "guard", "deliver", "record"})

    # Time travel: replay the second turn from the end of the first with another message.
    fork = await client.runs.wait(
        thread["thread_id"], "silvia", input=message("não tenho interesse"),
        checkpoint_id=turn_ends[1]["checkpoint_id"],
    )  # fmt: skip
    assert fork["stage"] == "lost" and "profile" in fork and "city" not in fork["profile"]
    state = await client.threads.get_state(thread["thread_id"])
    assert state["values"]["stage"] == "lost"
    after = await client.threads.get_history(thread["thread_id"], limit=300)
    assert {c["checkpoint_id"] for c in history} <= {c["checkpoint_id"] for c in after}  # old branch kept


async def test_a_thread_refuses_another_phone_and_a_message_without_one(server: str) -> None:
    client = get_client(url=server)
    thread = await client.threads.create()
    await client.runs.wait(thread["thread_id"], "silvia", input=message("oi"))
    before = await client.threads.get_state(thread["thread_id"])

    for bad in (message("oi", phone="+5581988887777"), {"inbound": {"text": "sem telefone"}}):
        run = await client.runs.create(thread["thread_id"], "silvia", input=bad)
        await client.runs.join(thread["thread_id"], run["run_id"])
        finished = await client.runs.get(thread["thread_id"], run["run_id"])
        assert finished["status"] == "error"
    after = await client.threads.get_state(thread["thread_id"])
    assert after["values"]["messages"] == before["values"]["messages"]  # nothing recorded
