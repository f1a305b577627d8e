"""The short faults of the fault suite as a CI test, on the test Redis and PostgreSQL.

The real `silvia serve --no-inbox-worker` and `silvia worker` run as child processes on
TEST_REDIS_URL (a key prefix of their own) and TEST_DATABASE_URL (a schema of their own), both
removed afterwards; Meta is played by senders that retry every webhook until it gets a 200, and
the Graph API by a local peer. While leads write, one stack takes, in turn:

* `kill -9` of the worker in the middle of two turns (their replies are being sent), then a new
  worker;
* `kill -9` of `silvia serve` while webhooks arrive, then a new one (Meta's posts fail meanwhile);
* a lead lock left by a process that died holding it, with a lease far longer than the test;
* a Redis blip: every connection of both processes killed (CLIENT KILL) several times.

Each fault has leads of its own. Once the inbox is empty (nothing left that could still run a
turn), every acknowledged message must have been read by exactly one turn, and each lead's
messages in the order sent. PostgreSQL outages (20 s, 150 s) and a Redis restart from its AOF
stay in `benchmarks/chaos.py`: too long for every run, or a server of our own to restart.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
import redis
from sqlalchemy.engine import make_url

from benchmarks.chaos_kit import Meta, SilviaCommand, answered_texts, service_env
from storage.migrate import upgrade
from tests.backends import drop_prefix, pg_schema, redis_prefix
from tests.conftest import require_service
from tests.graph_api_fake import GraphApiFake
from tools.http import free_port

pytestmark = pytest.mark.integration

# Generous deadlines (a loaded 2-core machine); every wait returns as soon as its condition holds.
START_SECONDS = 120.0
SETTLE_SECONDS = 180.0
STALE_OWNER = "dead-host-4242-abcdef"  # a worker consumer name no live worker has


def wait_until(check: Callable[[], Any], timeout: float, what: str, logs: Path | None = None) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = check()
        except (httpx.HTTPError, redis.RedisError, psycopg.Error):
            value = None
        if value:
            return value
        time.sleep(0.05)
    tail = f"\n--- service log ---\n{logs.read_text(errors='replace')[-4000:]}" if logs else ""
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}{tail}")


@dataclass
class Stack:
    """`silvia serve` + `silvia worker` on the test services, Meta's senders and the Graph peer."""

    url: str
    redis_url: str  # the processes' URL: their connections carry `client_name`, so a blip finds them
    database_url: str
    prefix: str
    client_name: str
    graph: GraphApiFake
    serve: SilviaCommand
    worker: SilviaCommand
    log: Path
    redis: redis.Redis
    senders: dict[str, tuple[Meta, threading.Thread]] = field(default_factory=dict)
    dead_workers: set[str] = field(default_factory=set)  # consumers killed with -9

    def wait(self, check: Callable[[], Any], what: str, timeout: float = START_SECONDS) -> Any:
        return wait_until(check, timeout, what, self.log)

    def ready(self) -> dict[str, Any]:
        response = httpx.get(f"{self.url}/ready", timeout=5)
        return response.json() if response.status_code == 200 else {}

    def workers(self) -> set[str]:
        return {w["consumer"] for w in self.ready().get("workers", [])}

    def send(self, fault: str, tag: str, leads: int, per_lead: int, gap: float) -> Meta:
        """Meta writing `per_lead` messages for each of `leads` leads of this fault, retrying each."""
        meta = Meta(self.url, leads, per_lead, gap, tag=tag)
        thread = threading.Thread(target=meta.run, daemon=True, name=f"meta-{fault}")
        self.senders[fault] = (meta, thread)
        thread.start()
        return meta

    def kill_redis_clients(self) -> int:
        """Close every connection of the service processes (not this test's own)."""
        ours = [c for c in self.redis.client_list() if c.get("name") == self.client_name]
        for client in ours:
            self.redis.client_kill_filter(_id=client["id"])
        return len(ours)

    def inbox_settled(self) -> bool:
        """No entry left in the stream (each is deleted when its turn is recorded) and none
        parked: no turn can run any more, so a late second answer cannot appear after we look."""
        stream = f"{self.prefix}{{inbox}}"
        return self.redis.xlen(stream) == 0 and self.redis.hlen(f"{stream}:failed") == 0


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    base_redis = require_service("TEST_REDIS_URL")
    with pg_schema("chaos") as database_url:
        upgrade(database_url)
        prefix = redis_prefix("chaos")
        client_name = f"silvia-chaos-{uuid.uuid4().hex[:8]}"
        processes_redis = make_url(base_redis).update_query_dict({"client_name": client_name})
        redis_url = processes_redis.render_as_string(hide_password=False)
        graph = GraphApiFake().start()
        env = service_env(database_url, redis_url, prefix, graph.env(), tmp_path / "data")
        port, log = free_port(), tmp_path / "services.log"
        stack = Stack(
            url=f"http://127.0.0.1:{port}",
            redis_url=redis_url,
            database_url=database_url,
            prefix=prefix,
            client_name=client_name,
            graph=graph,
            serve=SilviaCommand(["serve", "--port", str(port), "--no-inbox-worker"], env, log),
            worker=SilviaCommand(["worker"], env, log),
            log=log,
            redis=redis.Redis.from_url(base_redis),
        )
        try:
            yield stack
        finally:
            for meta, _thread in stack.senders.values():
                meta.stop.set()
            stack.serve.stop()
            stack.worker.stop()
            graph.stop()
            stack.redis.close()
            drop_prefix(base_redis, prefix)


# --- the faults -----------------------------------------------------------------------------


def kill_worker_mid_turn(stack: Stack) -> None:
    """The worker is killed while it sends both leads' replies (the Graph peer holds them open).

    Both turns are inside the same step then, so where the kill lands is known: a turn killed
    between two steps' side effects and their checkpoint (the record step's row, milliseconds)
    would be a coin toss, and a test must not be one."""
    leads = [Meta(stack.url, 2, 1, 0, tag="901").phone(n).lstrip("+") for n in range(2)]
    for lead in leads:
        stack.graph.delay_for[lead] = 5.0
    stack.send("kill-worker", "901", 2, 2, 1.0)
    stack.wait(
        lambda: {c["body"]["to"] for c in stack.graph.calls("message")} >= set(leads),
        "the worker to be sending both leads' replies",
    )
    stack.dead_workers = stack.workers()
    stack.worker.kill9()
    for lead in leads:
        stack.graph.delay_for.pop(lead)
    stack.worker.start()


def kill_serve(stack: Stack) -> None:
    """`silvia serve` is killed between two webhooks of a lead; Meta retries until a new one
    answers. (Not waited for here: it starts while the new worker does, and the next faults'
    senders retry meanwhile as Meta would.)"""
    meta = stack.send("kill-serve", "902", 2, 3, 0.5)
    stack.wait(lambda: any(s.acked_at for s in meta.sent), "a first webhook acknowledged")
    stack.serve.kill9()
    stack.serve.start()


def stale_lock(stack: Stack) -> None:
    """A lead's lock held by a worker that died: a 10-minute lease nobody renews or releases."""
    lead = Meta(stack.url, 1, 2, 0.5, tag="903").phone(0)
    stack.redis.set(f"{stack.prefix}lock:{lead}", f"{STALE_OWNER}|{uuid.uuid4().hex}", px=600_000)
    stack.send("stale-lock", "903", 1, 2, 0.5)


def redis_blip(stack: Stack) -> None:
    """Every Redis connection of both processes dropped, four times over two seconds."""
    meta = stack.send("redis-blip", "904", 2, 3, 0.5)
    stack.wait(lambda: any(s.acked_at for s in meta.sent), "a first webhook acknowledged")
    killed = 0
    for _ in range(4):
        killed += stack.kill_redis_clients()
        time.sleep(0.5)
    assert killed, "no connection of the service processes was found to kill"


# --- scoring --------------------------------------------------------------------------------


def score(meta: Meta, answered: dict[str, list[str]]) -> dict[str, int]:
    """Acked, answered, lost, twice and out of order for one fault's leads."""
    acked = [s for s in meta.sent if s.acked_at is not None]
    row = dict.fromkeys(("acked", "answered", "lost", "twice", "out_of_order"), 0)
    row["acked"] = len(acked)
    for phone in {s.phone for s in acked}:
        expected = [s.body for s in acked if s.phone == phone]
        seen = answered.get(phone, [])
        row["answered"] += sum(1 for body in expected if body in seen)
        row["lost"] += sum(1 for body in expected if body not in seen)
        row["twice"] += sum(1 for body in set(seen) if seen.count(body) > 1)
        first_reads = list(dict.fromkeys(b for b in seen if b in expected))  # a second read is "twice"
        row["out_of_order"] += int(first_reads != [b for b in expected if b in first_reads])
    return row


def all_answered(stack: Stack) -> bool:
    answered = answered_texts(stack.database_url.replace("+psycopg", ""))
    return all(
        s.body in answered.get(s.phone, [])
        for meta, _ in stack.senders.values()
        for s in meta.sent
        if s.acked_at is not None
    )


def test_short_faults_lose_nothing_and_answer_once_in_order(stack: Stack) -> None:
    stack.serve.start()
    stack.worker.start()
    stack.wait(lambda: stack.ready().get("ready") and stack.workers(), "serve and a worker ready")
    kill_worker_mid_turn(stack)
    kill_serve(stack)
    stale_lock(stack)
    stack.wait(lambda: stack.workers() - stack.dead_workers, "serve back and the new worker beating")
    redis_blip(stack)
    for fault, (meta, thread) in stack.senders.items():
        thread.join(timeout=START_SECONDS)
        assert not thread.is_alive(), f"{fault}: Meta could not deliver every webhook"
        assert all(s.acked_at for s in meta.sent), f"{fault}: a webhook never got its 200"
    stack.wait(lambda: all_answered(stack), "every acknowledged message answered", SETTLE_SECONDS)
    stack.wait(stack.inbox_settled, "the inbox to be empty", SETTLE_SECONDS)
    answered = answered_texts(stack.database_url.replace("+psycopg", ""))
    rows = {fault: score(meta, answered) for fault, (meta, _) in stack.senders.items()}
    for fault, row in rows.items():
        meta = stack.senders[fault][0]
        leads = {s.phone: answered.get(s.phone, []) for s in meta.sent}
        assert row["acked"] == len(meta.sent), (fault, row)
        assert (row["lost"], row["twice"], row["out_of_order"]) == (0, 0, 0), (fault, row, leads)
