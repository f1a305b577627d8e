"""Fault suite: Meta (with its retries) against `silvia serve` + `silvia worker` on a private
Redis (AOF) and a private PostgreSQL cluster, with faults injected mid-traffic.

    .venv/bin/python benchmarks/chaos.py                         # every fault
    .venv/bin/python benchmarks/chaos.py --faults kill-worker,redis-restart --leads 3

Ports: Redis on --port-base+1, PostgreSQL (pg_createcluster, dropped at the end) on
--port-base+2, the webhook on --port-base+3. Each fault gets a fresh database and Redis prefix.
Per fault it prints: messages acked (200 to Meta), answered (a turn read them), lost (acked,
never answered), twice (answered by two turns), out of order (a lead's messages answered in
another order than sent), and the time from recovery to the first reply after it.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
from redis import Redis

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.chaos_kit import (
    Meta,
    PrivateCluster,
    PrivateRedis,
    SilviaCommand,
    answered_texts,
    drop_database,
    fresh_database,
    service_env,
    wait_until,
)
from tests.graph_api_fake import GraphApiFake


@dataclass
class Row:
    fault: str
    acked: int
    answered: int
    lost: int
    twice: int
    out_of_order: int
    first_reply_s: float | None

    def line(self) -> str:
        first = f"{self.first_reply_s:.1f} s" if self.first_reply_s is not None else "-"
        return (
            f"| {self.fault:<22} | {self.acked:>5} | {self.answered:>8} | {self.lost:>4} | "
            f"{self.twice:>5} | {self.out_of_order:>12} | {first:>26} |"
        )


HEADER = (
    "| fault                  | acked | answered | lost | twice | out of order | first reply after recovery |"
    "\n| ---------------------- | ----- | -------- | ---- | ----- | ------------ | ----------------"
    "---------- |"
)


class Stack:
    """One fault's world: database, Redis prefix, serve + worker, Meta's peer."""

    def __init__(
        self, args: argparse.Namespace, name: str, redis: PrivateRedis, cluster: PrivateCluster, work: Path
    ) -> None:
        self.name, self.redis, self.cluster = name, redis, cluster
        self.database = f"chaos_{name.replace('-', '_')}"
        self.db_url = cluster.dsn(self.database).replace("postgresql://", "postgresql+psycopg://")
        self.graph = GraphApiFake().start()
        self.port = args.port_base + 3
        env = service_env(self.db_url, redis.url, f"chaos-{name}:", self.graph.env(), work / name)
        fresh_database(cluster.dsn("postgres"), self.database)
        subprocess.run(
            [sys.executable, "-c", "from cli.main import app; app()", "db", "upgrade"],
            env=env,
            check=True,
            capture_output=True,
            cwd=Path(__file__).resolve().parent.parent,
        )
        log = work / f"{name}.log"
        self.serve = SilviaCommand(["serve", "--port", str(self.port), "--no-inbox-worker"], env, log)
        self.worker = SilviaCommand(["worker"], env, log)
        self.meta = Meta(
            f"http://127.0.0.1:{self.port}",
            args.leads,
            args.messages,
            args.gap,
            tag=f"{abs(hash(name)) % 1000:03d}",
        )

    def start(self) -> None:
        self.serve.start()
        self.worker.start()
        wait_until(
            lambda: httpx.get(f"http://127.0.0.1:{self.port}/ready", timeout=3).status_code == 200,
            120,
            f"{self.name}: ready",
        )

    def close(self) -> None:
        self.meta.stop.set()
        self.serve.stop()
        self.worker.stop()
        self.graph.stop()
        try:
            drop_database(self.cluster.dsn("postgres"), self.database)
        except Exception as exc:
            print(f"  (could not drop {self.database}: {exc!r})")


def first_reply_after(
    graph: GraphApiFake, since_count: int, recovered: float, timeout: float
) -> float | None:
    deadline = recovered + timeout
    while time.monotonic() < deadline:
        if len(graph.delivered()) > since_count:
            return time.monotonic() - recovered
        time.sleep(0.05)
    return None


def score(stack: Stack, fault: str, first_reply: float | None, settle: float) -> Row:
    acked = [s for s in stack.meta.sent if s.acked_at is not None]
    expected = {
        s.phone: [m.body for m in stack.meta.sent if m.phone == s.phone and m.acked_at is not None]
        for s in acked
    }
    deadline = time.monotonic() + settle
    answered: dict[str, list[str]] = {}
    while time.monotonic() < deadline:
        try:
            answered = answered_texts(stack.db_url.replace("+psycopg", ""))
        except Exception:
            time.sleep(1)
            continue
        if all(set(bodies) <= set(answered.get(phone, [])) for phone, bodies in expected.items()):
            break
        time.sleep(1)
    lost = twice = disorder = got = 0
    for phone, bodies in expected.items():
        seen = answered.get(phone, [])
        got += sum(1 for b in bodies if b in seen)
        lost += sum(1 for b in bodies if b not in seen)
        twice += sum(1 for b in set(seen) if seen.count(b) > 1)
        order = [b for b in seen if b in bodies]
        disorder += int(list(dict.fromkeys(order)) != [b for b in bodies if b in order])
    return Row(fault, len(acked), got, lost, twice, disorder, first_reply)


def run_fault(
    args: argparse.Namespace,
    name: str,
    inject: Callable[[Stack], float],
    redis: PrivateRedis,
    cluster: PrivateCluster,
    work: Path,
) -> Row:
    stack = Stack(args, name, redis, cluster, work)
    try:
        stack.start()
        sender = threading.Thread(target=stack.meta.run, daemon=True)
        sender.start()
        time.sleep(args.gap * 1.5)  # some messages answered, some in flight
        before = len(stack.graph.delivered())
        recovered = inject(stack)
        first = first_reply_after(
            stack.graph,
            before if name != "pg-down-150s" else len(stack.graph.delivered()),
            recovered,
            args.settle,
        )
        sender.join(timeout=args.settle + 300)
        return score(stack, name, first, args.settle)
    finally:
        stack.close()


# --- the faults -----------------------------------------------------------------------------


def _consumers(stack: Stack) -> set[str]:
    ready = httpx.get(f"http://127.0.0.1:{stack.port}/ready", timeout=5).json()
    return {w["consumer"] for w in ready.get("workers", [])}


def kill_worker(stack: Stack) -> float:
    before = _consumers(stack)
    stack.worker.kill9()
    time.sleep(1)
    stack.worker.start()  # recovered = the new worker's first heartbeat
    wait_until(lambda: _consumers(stack) - before, 120, "the new worker")
    return time.monotonic()


def kill_serve(stack: Stack) -> float:
    stack.serve.kill9()  # Meta's posts fail meanwhile and are retried
    time.sleep(1)
    stack.serve.start()
    wait_until(
        lambda: httpx.get(f"http://127.0.0.1:{stack.port}/health", timeout=3).status_code == 200,
        120,
        "serve back",
    )
    return time.monotonic()


def redis_restart(stack: Stack) -> float:
    stack.redis.kill9()
    time.sleep(2)
    stack.redis.start()  # the AOF brings the inbox, checkpoints and locks back
    return time.monotonic()


def pg_down(seconds: float) -> Callable[[Stack], float]:
    def inject(stack: Stack) -> float:
        stack.cluster.stop()
        time.sleep(seconds)
        stack.cluster.start()
        return time.monotonic()

    return inject


def stale_locks(stack: Stack) -> float:
    """Every lead's lock taken by a process that died holding it (a long lease, never renewed)."""
    client = Redis.from_url(stack.redis.url)
    for n in range(stack.meta.leads):
        client.set(f"chaos-{stack.name}:lock:{stack.meta.phone(n)}", "dead-process-token", px=20_000)
    client.close()
    return time.monotonic()


FAULTS: dict[str, Callable[[Stack], float]] = {
    "kill-worker": kill_worker,
    "kill-serve": kill_serve,
    "redis-restart": redis_restart,
    "stale-locks": stale_locks,
    "pg-down-20s": pg_down(20),
    "pg-down-150s": pg_down(150),
}


def main(argv: list[str] | None = None) -> list[Row]:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--faults", default=",".join(FAULTS), help="comma-separated: " + ", ".join(FAULTS))
    parser.add_argument("--leads", type=int, default=4)
    parser.add_argument("--messages", type=int, default=5, help="messages per lead")
    parser.add_argument("--gap", type=float, default=3.0, help="seconds between a lead's messages")
    parser.add_argument(
        "--settle", type=float, default=240.0, help="seconds to wait for answers after the fault"
    )
    parser.add_argument("--port-base", type=int, default=18200)
    args = parser.parse_args(argv)
    names = [f.strip() for f in args.faults.split(",") if f.strip()]
    unknown = set(names) - set(FAULTS)
    if unknown:
        parser.error(f"unknown fault(s): {', '.join(sorted(unknown))}")
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="silvia-chaos-") as tmp:
        work = Path(tmp)
        redis = PrivateRedis(args.port_base + 1, work / "redis")
        cluster = PrivateCluster(args.port_base + 2)
        redis.start()
        cluster.create()
        try:
            for name in names:
                print(f"fault {name}…", flush=True)
                rows.append(run_fault(args, name, FAULTS[name], redis, cluster, work))
                print(rows[-1].line(), flush=True)
        finally:
            redis.stop()
            cluster.drop()
    print(HEADER)
    for row in rows:
        print(row.line())
    return rows


if __name__ == "__main__":
    main()
