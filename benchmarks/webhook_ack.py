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

    .venv/bin/python benchmarks/webhook_ack.py [--leads 40] [--text oi] [--burst-seconds 0]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from agent.inbound import Inbound
from settings import Settings
from tests.conftest import make_settings
from tests.graph_api_fake import GraphApiFake
from tests.webhook_kit import SERVICE_ENV, SilviaThread, post, text, wait_for, webhook
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


def _turns(
    client: httpx.Client, graph: GraphApiFake, first: int, count: int, burst: bool, message: str
) -> tuple[list, list, float]:
    """Acks and first-reply latencies (ms), and turns/s from the first POST to the last answer."""
    acks: list[float] = []
    posted: dict[str, float] = {}
    began = time.monotonic()
    for n in range(first, first + count):
        phone = _phone(n)
        started = time.monotonic()
        response = post(client, webhook([text(phone, f"wamid.bench.{n}", message)], name="Lead"))
        acks.append((time.monotonic() - started) * 1000)
        assert response.status_code == 200, response.text
        posted[phone] = started
        if not burst:
            wait_for(lambda phone=phone: graph.delivered(phone), what="an answer")
    wait_for(lambda: all(graph.delivered(p) for p in posted), timeout=300, what="every answer")
    throughput = count / (time.monotonic() - began)
    turns = []
    for request in graph.calls("message"):
        phone = "+" + request["body"]["to"]
        if phone in posted and request.get("status") == 200:
            turns.append((request["at"] - posted.pop(phone)) * 1000)
    return acks, turns, throughput


async def _graph_alone(settings: Settings, leads: int, message: str) -> float:
    """Turns/s of the same first turns run straight through the graph, no HTTP and no inbox."""
    slots = asyncio.Semaphore(settings.inbox_concurrency)

    async def one(n: int) -> None:
        async with slots:
            await silvia.handle(Inbound(phone=_phone(n), kind="text", text=message), durability="sync")

    async with open_silvia(settings) as silvia:
        await one(5000)  # warm up
        began = time.monotonic()
        await asyncio.gather(*(one(n) for n in range(5001, 5001 + leads)))
        return leads / (time.monotonic() - began)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=40, help="leads per phase")
    parser.add_argument("--text", default="Oi! Quanto custa a energia solar?", help="what each lead sends")
    parser.add_argument("--burst-seconds", type=float, default=None, help="SILVIA_BURST_SECONDS (default 2)")
    args = parser.parse_args()
    env = {k: v for k, v in SERVICE_ENV.items() if k != "SILVIA_BURST_SECONDS"}  # the tests' 0
    if args.burst_seconds is not None:
        env["SILVIA_BURST_SECONDS"] = str(args.burst_seconds)
    graph = GraphApiFake().start()
    with tempfile.TemporaryDirectory() as data_dir:
        settings = make_settings(Path(data_dir), **env, **graph.env())
        with SilviaThread(settings) as server, httpx.Client(base_url=server.url, timeout=60) as client:
            _turns(client, graph, 0, 3, False, args.text)  # warm up
            idle_acks, idle_turns, _ = _turns(client, graph, 100, args.leads, False, args.text)
            burst_acks, burst_turns, per_second = _turns(client, graph, 1000, args.leads, True, args.text)
            duplicate = post(client, webhook([text(_phone(100), "wamid.bench.100", args.text)]))
            assert duplicate.json()["duplicates"] == 1
    with tempfile.TemporaryDirectory() as data_dir:
        alone = asyncio.run(
            _graph_alone(make_settings(Path(data_dir), **env, **graph.env()), args.leads, args.text)
        )
    graph.stop()
    print(
        f"webhook service, embedded default (SQLite inbox), {args.leads} leads per phase, "
        f"{args.text!r}, burst window {settings.burst_seconds:g} s"
    )
    print(_line("ack, one message at a time", idle_acks))
    print(_line("first reply, one message at a time", idle_turns))
    print(_line(f"ack, burst of {args.leads} leads", burst_acks))
    print(_line(f"first reply, burst of {args.leads} leads", burst_turns))
    print(f"{'throughput, burst (POST → last answer)':<34} {per_second:.1f} turns/s")
    share = f"webhook path: {per_second / alone:.0%} of it"
    print(f"{'throughput, the graph alone':<34} {alone:.1f} turns/s ({share})")


if __name__ == "__main__":
    main()
