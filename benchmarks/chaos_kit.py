"""The pieces `benchmarks/chaos.py` plays with: a private Redis (AOF), a private PostgreSQL
cluster, `silvia serve` / `silvia worker` processes, and Meta (a sender that retries every
webhook until it gets a 200, as Meta does)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg

from tests.webhook_kit import ROOT, SERVICE_ENV, signed, text, webhook

PG_VERSION = "15"


def wait_until(check: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except Exception:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"timed out waiting for {what}")


class PrivateRedis:
    """redis-server with AOF (fsync every second) on our own port and folder."""

    def __init__(self, port: int, folder: Path) -> None:
        self.port, self.folder = port, folder
        self.proc: subprocess.Popen[bytes] | None = None
        self.url = f"redis://127.0.0.1:{port}/0"

    def start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.folder)]
        command += ["--appendonly", "yes", "--appendfsync", "everysec", "--save", ""]
        self.proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until(
            lambda: (
                subprocess.run(
                    ["redis-cli", "-p", str(self.port), "ping"], capture_output=True
                ).stdout.strip()
                == b"PONG"
            ),
            20,
            "redis",
        )

    def kill9(self) -> None:
        if self.proc is not None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)


class PrivateCluster:
    """A second PostgreSQL cluster (pg_createcluster) on our port: stopping it hurts no one else."""

    def __init__(self, port: int, name: str = "silvia-chaos") -> None:
        self.port, self.name = port, name

    def _ctl(self, action: str) -> None:
        subprocess.run(
            ["pg_ctlcluster", PG_VERSION, self.name, action, *(["-m", "fast"] if action == "stop" else [])],
            check=True,
            capture_output=True,
        )

    def create(self) -> None:
        subprocess.run(["pg_dropcluster", "--stop", PG_VERSION, self.name], capture_output=True)
        subprocess.run(
            ["pg_createcluster", PG_VERSION, self.name, "-p", str(self.port)], check=True, capture_output=True
        )
        hba = Path(f"/etc/postgresql/{PG_VERSION}/{self.name}/pg_hba.conf")
        hba.write_text("local all all trust\nhost all all 127.0.0.1/32 trust\nhost all all ::1/128 trust\n")
        self.start()

    def start(self) -> None:
        self._ctl("start")
        wait_until(
            lambda: psycopg.connect(self.dsn("postgres"), connect_timeout=2).close() is None, 60, "postgres"
        )

    def stop(self) -> None:
        self._ctl("stop")

    def drop(self) -> None:
        subprocess.run(["pg_dropcluster", "--stop", PG_VERSION, self.name], capture_output=True)

    def dsn(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"


def fresh_database(server_dsn: str, name: str) -> None:
    with psycopg.connect(server_dsn, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(server_dsn: str, name: str) -> None:
    with psycopg.connect(server_dsn, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class SilviaCommand:
    """`silvia serve` or `silvia worker` as a child process (killable with SIGKILL)."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path) -> None:
        self.args, self.env, self.log = args, env, log
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [sys.executable, "-c", "from cli.main import app; app()", *self.args]
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                command, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT
            )

    def kill9(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(40)
            except subprocess.TimeoutExpired:
                self.kill9()


def service_env(
    database_url: str, redis_url: str, prefix: str, graph_env: dict[str, str], data_dir: Path
) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SILVIA_", "WHATSAPP_", "OPENAI_"))}
    env |= SERVICE_ENV | graph_env
    env |= {
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SILVIA_REDIS_PREFIX": prefix,
        "SILVIA_DATA_DIR": str(data_dir),
        "SILVIA_BURST_SECONDS": "2",
        "SILVIA_INBOX_RECLAIM_SECONDS": "10",
        "SILVIA_FOLLOWUPS": "0",
        "PYTHONPATH": str(ROOT),
    }
    return env


@dataclass
class Sent:
    phone: str
    message_id: str
    body: str
    acked_at: float | None = None
    tries: int = 0


@dataclass
class Meta:
    """Posts each lead's messages in order, retrying every one until it gets a 200."""

    url: str
    leads: int
    per_lead: int
    gap_seconds: float
    tag: str
    sent: list[Sent] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def phone(self, n: int) -> str:
        return f"+55819{7000 + n:04d}{self.tag}"

    def run(self) -> None:
        threads = [threading.Thread(target=self._lead, args=(n,), daemon=True) for n in range(self.leads)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    def _lead(self, n: int) -> None:
        phone = self.phone(n)
        with httpx.Client(base_url=self.url, timeout=10) as client:
            for j in range(self.per_lead):
                item = Sent(
                    phone, f"wamid.chaos.{self.tag}.{n}.{j}", f"pergunta {j} do lead {n}, como funciona?"
                )
                self.sent.append(item)
                body, headers = signed(webhook([text(phone, item.message_id, item.body)], name=f"Lead {n}"))
                delay = 0.5
                while item.acked_at is None and not self.stop.is_set():
                    item.tries += 1
                    try:
                        if client.post("/webhook/whatsapp", content=body, headers=headers).status_code == 200:
                            item.acked_at = time.monotonic()
                            break
                    except httpx.HTTPError:
                        pass
                    time.sleep(delay)
                    delay = min(delay * 2, 5.0)
                time.sleep(self.gap_seconds)


def answered_texts(database_url: str) -> dict[str, list[str]]:
    """Per lead, the messages its turns answered, in the order the turns ran."""
    out: dict[str, list[str]] = {}
    with psycopg.connect(database_url) as conn:
        rows = conn.execute("SELECT lead_id, message_received FROM lead_interactions ORDER BY id").fetchall()
    for lead, received in rows:
        out.setdefault(lead, []).extend(line for line in (received or "").split("\n") if line.strip())
    return out


def cleanup_folder(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
