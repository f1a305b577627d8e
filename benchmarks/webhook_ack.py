"""Webhook acknowledgement latency and turn latency of `silvia serve`'s app, on this machine.

The app runs under uvicorn on a free port (embedded default: SQLite inbox and checkpoints,
in-process MCP), outbound goes through the real Cloud API backend to a local Graph API
peer. Prints, for signed Meta webhooks:
* ack: POST → 200 (the message is in the inbox), idle and under a burst;
* first reply: POST → the answer arriving at the Graph API peer (inbox, worker, graph, send),
  one lead at a time and with every lead writing at once;
* throughput: the burst's leads / (first POST → last answer), turns per second end to end,
  next to the graph alone: the same number of first turns run in-process (`Silvia.handle`,
  durability="sync", as many at once as the inbox worker's slots) on the same settings.

The burst window is the production default (`SILVIA_BURST_SECONDS` 2 s) unless --burst-seconds
says otherwise; the message is --text ("Oi! Quanto custa a energia solar?" reads as complete, so it
is answered without the window; a fragment such as "oi" waits for it).

Each of --rounds rounds runs the burst through the webhook and then the graph alone, back to
back, and prints their ratio; the spread between rounds is how much the shared machine moved.
Each also prints the app's CPU per turn on both paths (this process's CPU less the threads that
play Meta: the sender and the Graph peer), which a shared machine moves far less than wall time.

    .venv/bin/python benchmarks/webhook_ack.py [--leads 40] [--rounds 3] [--text oi] [--burst-seconds 0]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

try:
    import uvloop
except ImportError:  # uvicorn then runs the app on asyncio's own loop as well
    uvloop = None

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from agent.inbound import Inbound
from settings import Settings
from tests.conftest import make_settings
from tests.graph_api_fake import GraphApiFake
from tests.webhook_kit import SERVICE_ENV, SilviaThread, post, query, signed, text, wait_for, webhook
from wiring import open_silvia


def _line(name: str, samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return (
        f"{name:<34} n={len(samples):<4} p50={statistics.median(samples):7.1f} ms  "
        f"p95={p95:7.1f} ms  max={max(samples):7.1f} ms"
    )


def _phone(n: int) -> str:
    return f"+55819{n:08d}"


@dataclass
class Round:
    """One burst through the webhook and the same turns through the graph alone, back to back."""

    acks_ms: list[float]
    first_replies_ms: list[float]
    webhook_per_s: float
    alone_per_s: float
    webhook_cpu_ms: float  # the app's CPU per turn: HTTP, inbox, worker and graph
    alone_cpu_ms: float  # the graph's CPU per turn


def _cpu_except(*threads: threading.Thread) -> float:
    """CPU seconds this process has used, less what the given live threads used: the app's share
    (the Graph peer and the sender are Meta's work, done here only for want of a second machine)."""
    total = time.process_time()
    for thread in threads:
        assert thread.ident is not None
        total -= time.clock_gettime(time.pthread_getcpuclockid(thread.ident))
    return total


def _turns(
    client: httpx.Client, graph: GraphApiFake, first: int, count: int, burst: bool, message: str
) -> tuple[list, list, float]:
    """Acks and first-reply latencies (ms), and turns/s from the first POST to the last first reply.

    The webhooks are signed before the clock starts and the answers are waited for on the Graph
    peer's condition, not polled: Meta's side of the work must not take the GIL from the app
    this process also runs (it did: polling every lead every 50 ms cost ~11 % of the CPU)."""
    requests = [
        (_phone(n), *signed(webhook([text(_phone(n), f"wamid.bench.{n}", message)], name="Lead")))
        for n in range(first, first + count)
    ]
    acks: list[float] = []
    posted: dict[str, float] = {}
    for phone, body, headers in requests:
        started = time.monotonic()
        response = client.post("/webhook/whatsapp", content=body, headers=headers)
        acks.append((time.monotonic() - started) * 1000)
        assert response.status_code == 200, response.text
        posted[phone] = started
        if not burst:
            graph.wait_first_replies([phone], timeout=120)
    replied = graph.wait_first_replies(posted, timeout=300)
    turns = [(replied[phone] - started) * 1000 for phone, started in posted.items()]
    throughput = count / (max(replied.values()) - min(posted.values()))
    return acks, turns, throughput


async def _graph_alone(
    settings: Settings, graph: GraphApiFake, first: int, leads: int, message: str, server: threading.Thread
) -> tuple[float, float]:
    """Turns/s of the same first turns run straight through the graph, no HTTP and no inbox
    (from the first turn's start to the last lead's first reply at the Graph peer, as above),
    and the CPU per turn (ms)."""
    slots = asyncio.Semaphore(settings.inbox_concurrency)

    async def one(n: int) -> None:
        async with slots:
            await silvia.handle(Inbound(phone=_phone(n), kind="text", text=message), durability="sync")

    async with open_silvia(settings) as silvia:
        await one(first - 1)  # warm up
        cpu, began = _cpu_except(server, graph.thread), time.monotonic()
        await asyncio.gather(*(one(n) for n in range(first, first + leads)))
        cpu = _cpu_except(server, graph.thread) - cpu
    replied = graph.wait_first_replies([_phone(n) for n in range(first, first + leads)], timeout=60)
    return leads / (max(replied.values()) - began), cpu * 1000 / leads


def _loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """The event loop uvicorn runs the app on (uvloop when installed), so the graph alone is
    not measured on a slower loop than the webhook path."""
    return uvloop.new_event_loop if uvloop is not None else None


def _round(
    client: httpx.Client,
    graph: GraphApiFake,
    server: SilviaThread,
    data_dir: Path,
    n: int,
    args: argparse.Namespace,
    env: dict[str, str],
) -> Round:
    """One burst through the webhook (its CPU counted until the inbox is empty), then the graph
    alone on as many new leads."""
    cpu = _cpu_except(threading.main_thread(), graph.thread)
    acks, turns, per_second = _turns(client, graph, 1000 + n * 10_000, args.leads, True, args.text)
    wait_for(lambda: _inbox_empty(data_dir), timeout=120, what="every turn recorded")
    cpu = _cpu_except(threading.main_thread(), graph.thread) - cpu
    with tempfile.TemporaryDirectory() as alone_dir, asyncio.Runner(loop_factory=_loop_factory()) as runner:
        settings = make_settings(Path(alone_dir), **env, **graph.env())
        alone, alone_cpu = runner.run(
            _graph_alone(settings, graph, 6001 + n * 10_000, args.leads, args.text, server.thread)
        )
    return Round(acks, turns, per_second, alone, cpu * 1000 / args.leads, alone_cpu)


def _inbox_empty(data_dir: Path) -> bool:
    """No message waits or runs: every turn of the burst is recorded (the app's SQLite inbox)."""
    unfinished = "SELECT count(*) FROM inbox_messages WHERE status IN ('pending', 'processing')"
    return query(data_dir, unfinished)[0][0] == 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=40, help="leads per phase")
    parser.add_argument("--text", default="Oi! Quanto custa a energia solar?", help="what each lead sends")
    parser.add_argument("--burst-seconds", type=float, default=None, help="SILVIA_BURST_SECONDS (default 2)")
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="burst + graph-alone pairs, back to back (the machine is shared)",
    )
    args = parser.parse_args()
    env = {k: v for k, v in SERVICE_ENV.items() if k != "SILVIA_BURST_SECONDS"}  # the tests' 0
    if args.burst_seconds is not None:
        env["SILVIA_BURST_SECONDS"] = str(args.burst_seconds)
    graph = GraphApiFake().start()
    rounds = []
    with tempfile.TemporaryDirectory() as data_dir:
        settings = make_settings(Path(data_dir), **env, **graph.env())
        with SilviaThread(settings) as server, httpx.Client(base_url=server.url, timeout=60) as client:
            _turns(client, graph, 0, 3, False, args.text)  # warm up
            idle_acks, idle_turns, _ = _turns(client, graph, 100, args.leads, False, args.text)
            for n in range(args.rounds):
                rounds.append(_round(client, graph, server, Path(data_dir), n, args, env))
            duplicate = post(client, webhook([text(_phone(100), "wamid.bench.100", args.text)]))
            assert duplicate.json()["duplicates"] == 1
    graph.stop()
    _report(args, settings, idle_acks, idle_turns, rounds)


def _report(
    args: argparse.Namespace, settings: Settings, idle_acks: list, idle_turns: list, rounds: list
) -> None:
    print(
        f"webhook service, embedded default (SQLite inbox), {args.leads} leads per phase, "
        f"{args.text!r}, burst window {settings.burst_seconds:g} s, {args.rounds} round(s)"
    )
    print(_line("ack, one message at a time", idle_acks))
    print(_line("first reply, one message at a time", idle_turns))
    print(_line(f"ack, burst of {args.leads} leads", [a for r in rounds for a in r.acks_ms]))
    print(_line(f"first reply, burst of {args.leads} leads", [t for r in rounds for t in r.first_replies_ms]))
    for n, r in enumerate(rounds, 1):
        print(
            f"round {n}: webhook {r.webhook_per_s:5.1f} turns/s ({r.webhook_cpu_ms:5.1f} ms CPU/turn), "
            f"graph alone {r.alone_per_s:5.1f} turns/s ({r.alone_cpu_ms:5.1f} ms CPU/turn)"
        )
    print(_spread("throughput, webhook / graph alone", [r.webhook_per_s / r.alone_per_s for r in rounds]))
    print(_spread("CPU per turn, graph alone / webhook", [r.alone_cpu_ms / r.webhook_cpu_ms for r in rounds]))


def _spread(name: str, shares: list[float]) -> str:
    shares = sorted(shares)
    return f"{name:<36} median {statistics.median(shares):4.0%}, range {shares[0]:.0%}-{shares[-1]:.0%}"


if __name__ == "__main__":
    main()
