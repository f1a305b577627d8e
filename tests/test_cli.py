"""The `silvia` command as a user runs it: real processes, real output."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from mcp import Client

SILVIA = [sys.executable, "-m", "cli"]
ROOT = Path(__file__).resolve().parent.parent


def run(
    args: list[str], data_dir: Path, stdin: str | None = None, **env: str
) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.endswith("_MCP_URL")}
    environ |= {"SILVIA_DATA_DIR": str(data_dir), "PYTHONPATH": str(ROOT), **env}
    return subprocess.run(
        SILVIA + args,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=data_dir,
        env=environ,
        check=False,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_demo_runs_the_whole_funnel(tmp_path: Path) -> None:
    result = run(["demo"], tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Oi, Maria!" in out and "[Plano Essencial]  [Plano Plus]  [Plano Premium]" in out
    assert "[taps button: Plano Plus]" in out and "[sends conta-de-luz.pdf]" in out
    assert "Maria Oliveira: stage handed_off · Serena lead SRN-" in out
    assert "Ricardo Souza: stage not_qualified" in out
    assert "interactions recorded" in out
    again = run(["demo"], tmp_path)  # a second run starts from scratch, not from handed_off
    assert again.returncode == 0 and "Maria Oliveira: stage handed_off" in again.stdout


def test_piped_chat_continues_after_a_restart(tmp_path: Path) -> None:
    lead = [
        "chat",
        "--phone",
        "+5581999990001",
        "--name",
        "Maria",
        "--city",
        "Recife",
        "--state",
        "PE",
        "--bill",
        "380",
    ]
    first = run(lead, tmp_path, stdin="oi\n")
    assert first.returncode == 0, first.stderr
    assert "👤 Maria: oi" in first.stdout and "820,80" in first.stdout
    second = run(["chat", "--phone", "+5581999990001"], tmp_path, stdin="sim\n/state\n")
    assert "plans_presented" in second.stdout and "Plano Plus" in second.stdout
    assert "messages remembered: 4" in second.stdout


def test_chat_sends_a_bill_file(tmp_path: Path) -> None:
    from tests.test_conversations import bill_pdf

    bill = tmp_path / "conta.pdf"
    bill.write_bytes(bill_pdf())
    script = f"oi\nsim\nplus\n/bill {bill}\n/bill {tmp_path / 'missing.pdf'}\n"
    result = run(
        [
            "chat",
            "--phone",
            "+5581999990009",
            "--name",
            "Maria",
            "--city",
            "Recife",
            "--state",
            "PE",
            "--bill",
            "380",
        ],
        tmp_path,
        stdin=script,
    )
    assert "handed_off" in result.stdout and "412,37" in result.stdout
    assert "no such file" in result.stdout


def test_chat_bare_bill_command_sends_a_sample_bill_for_the_leads_city_and_amount(tmp_path: Path) -> None:
    script = "oi\nmoro em salvador, minha conta é 420 reais\nsim\nplus\n/bill\n/state\n"
    result = run(["chat", "--phone", "+5571999990010", "--name", "Carla Dias"], tmp_path, stdin=script)
    assert result.returncode == 0, result.stderr
    assert "[sends conta-de-luz.pdf]" in result.stdout
    assert "Valor atual: R$ 420,00" in result.stdout  # read from the generated bill
    assert "stage: handed_off" in result.stdout and "Coelba" in result.stdout  # Bahia's distributor


def test_intent_prints_json(tmp_path: Path) -> None:
    result = run(["intent", "qro saber quanto custa"], tmp_path)
    parsed = json.loads(result.stdout)
    assert parsed["intent"] == "ask_price" and {"intent", "confidence", "entities", "acts"} <= set(parsed)
    assert parsed["acts"][0]["kind"] == "question" and parsed["acts"][0]["layer"] in ("rules", "embeddings")
    lines = tmp_path / "msgs.txt"
    lines.write_text("PARAR\nmoro em natal e pago 300 reais\n", encoding="utf-8")
    rows = [json.loads(line) for line in run(["intent", "--file", str(lines)], tmp_path).stdout.splitlines()]
    assert [r["intent"] for r in rows] == ["opt_out", "provide_info"]
    assert rows[1]["entities"] == {"city": "Natal", "state": "RN", "bill_amount": 300.0}


def test_intent_without_text_is_a_clear_error(tmp_path: Path) -> None:
    result = run(["intent"], tmp_path)
    assert result.returncode != 0 and "TEXT" in result.stderr


@pytest.fixture
def mcp_servers(tmp_path: Path) -> Iterator[dict[str, str]]:
    urls, procs = {}, []
    environ = {**os.environ, "SILVIA_DATA_DIR": str(tmp_path), "PYTHONPATH": str(ROOT)}
    for name in ("whatsapp", "serena"):
        port = free_port()
        procs.append(
            subprocess.Popen(
                [*SILVIA, "mcp", name, "--port", str(port)],
                cwd=tmp_path,
                env=environ,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
        )
        urls[name] = f"http://127.0.0.1:{port}/mcp"
        _wait_for_port(port)
    try:
        yield urls
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=10)


def _wait_for_port(port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listening on {port}")


async def test_mcp_commands_serve_streamable_http(mcp_servers: dict[str, str]) -> None:
    async with Client(mcp_servers["serena"]) as client:
        names = {tool.name for tool in (await client.list_tools()).tools}
        assert names == {"obter_planos_gd", "validar_qualificacao_lead", "cadastrar_lead"}
        result = await client.call_tool("obter_planos_gd", {"cidade": "Recife", "estado": "PE"})
        assert result.structured_content["distributor"] == "Neoenergia Pernambuco"
    async with Client(mcp_servers["whatsapp"]) as client:
        result = await client.call_tool("sendTextMessage", {"to": "+5581999990001", "message": "Oi! 😊"})
        assert result.structured_content["message_id"].startswith("wamid.")


def test_bot_uses_remote_mcp_servers_when_urls_are_set(tmp_path: Path, mcp_servers: dict[str, str]) -> None:
    data = tmp_path / "bot"
    data.mkdir()
    result = run(
        [
            "chat",
            "--phone",
            "+5585911110000",
            "--name",
            "Pedro",
            "--city",
            "Fortaleza",
            "--state",
            "CE",
            "--bill",
            "600",
        ],
        data,
        stdin="oi\nsim\n",
        WHATSAPP_MCP_URL=mcp_servers["whatsapp"],
        SERENA_MCP_URL=mcp_servers["serena"],
    )
    assert result.returncode == 0, result.stderr
    assert "Enel CE" in result.stdout and "plans_presented" in result.stdout
