"""Scale-out: `silvia serve --workers 2` plus 1, 2, 4… `silvia worker` processes on one Redis
and one PostgreSQL, fed signed Meta webhooks; turns/s for each, answers checked.

Run from `benchmarks/throughput.py --scale-out 1,2,4`. For each worker count: a fresh
PostgreSQL schema and Redis prefix; `silvia serve` takes the webhooks only
(`--no-inbox-worker`), the workers answer; replies go through the real Cloud API backend to a
local Graph API peer (`tests/graph_api_fake.py`). Every lead's whole script is posted at once
(a backlog, turn-major so leads interleave). Turns/s is measured over the workers' own window
(first turn recorded to last), and CPU over the worker processes only, so `silvia serve`
taking the webhooks is not counted as the workers' work; "cores used" (worker CPU seconds per
second of that window) says whether more workers got more CPU. On this 2-core machine, shared
with Redis, PostgreSQL, `silvia serve` and other people's work, two workers can at best use
two cores; the printed load average says how much of them the machine had to give.
Then, per lead: the `lead_interactions` rows must be the script's messages, each once and
in order, and what the Graph API peer received must be exactly the replies those rows
recorded (nothing sent twice, nothing missing).
"""

from __future__ import annotations

import os
import subprocess
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx

from benchmarks.bench_services import (
    bench_schema,
    cpu_seconds,
    drop_prefix,
    interaction_rows,
    silvia_command,
    stop_processes,
    turn_window_seconds,
    wait_ready,
)
from benchmarks.load_script import LEAD_SCRIPT
from tests.graph_api_fake import GraphApiFake
from tests.webhook_kit import SERVICE_ENV, post, text, webhook


@dataclass
class ScaleFigures:
    workers: int
    turns: int
    seconds: float  # from the first turn recorded to the last: the workers' own window
    cpu_seconds: float  # the worker processes' CPU (serve, Redis, PostgreSQL not included)
    problems: list[str]
    load: tuple[float, float]  # the machine's 1-minute load average before and after

    @property
    def cores_used(self) -> float:
        """How many cores the workers kept busy: more workers add turns/s while this grows."""
        return self.cpu_seconds / self.seconds if self.seconds else 0.0


def _check(
    rows: list[tuple[str, str | None, str | None]], graph: GraphApiFake, phones: list[str]
) -> list[str]:
    problems = []
    for phone in phones:
        mine = [r for r in rows if r[0] == phone]
        if [r[1] for r in mine] != LEAD_SCRIPT:
            problems.append(
                f"{phone}: messages answered {[r[1] for r in mine]}, expected the script once in order"
            )
        recorded = "\n\n".join(r[2] for r in mine if r[2])
        if "\n\n".join(graph.texts(phone)) != recorded:
            problems.append(f"{phone}: what Meta received differs from the recorded replies")
    return problems


def run_one(
    redis_url: str, database_url: str, workers: int, leads: int, port: int, graph: GraphApiFake, log: Path
) -> ScaleFigures:
    prefix = f"silvia-scale:{uuid.uuid4().hex[:8]}:"
    run = uuid.uuid4().hex[:6]
    phones = [f"+55829{n:03d}{int(run, 16) % 100_000:05d}" for n in range(leads)]
    with bench_schema(database_url) as url:
        env = {**os.environ, **SERVICE_ENV, **graph.env(), "REDIS_URL": redis_url, "DATABASE_URL": url}
        env |= {"SILVIA_REDIS_PREFIX": prefix, "SILVIA_DATA_DIR": str(log.parent / f"data-{run}")}
        output = log.open("ab")
        serve_cmd = [silvia_command(), "serve", "--workers", "2", "--no-inbox-worker", "--port", str(port)]
        procs = [
            subprocess.Popen([*serve_cmd, "--log-level", "warning"], env=env, stdout=output, stderr=output)
        ]
        try:
            procs += [
                subprocess.Popen(
                    [silvia_command(), "worker", "--log-level", "warning"],
                    env=env,
                    stdout=output,
                    stderr=output,
                )
                for _ in range(workers)
            ]
            wait_ready(f"http://127.0.0.1:{port}", procs)
            time.sleep(2)  # the workers open their Sílvia (MCP servers, pools) meanwhile
            # The workers' CPU only: serve (taking the webhooks) is another process's work.
            load_before, cpu_before = os.getloadavg()[0], cpu_seconds(procs[1:])
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
                for turn, message in enumerate(LEAD_SCRIPT):
                    for n, phone in enumerate(phones):
                        payload = webhook([text(phone, f"wamid.{run}.{n}.{turn}", message)], name=f"Lead {n}")
                        if post(client, payload).status_code != 200:
                            raise RuntimeError("a webhook was refused")
            expected = leads * len(LEAD_SCRIPT)
            deadline = time.monotonic() + 30 + expected
            while len(rows := interaction_rows(url)) < expected and time.monotonic() < deadline:
                time.sleep(0.2)
            cpu = cpu_seconds(procs[1:]) - cpu_before
            seconds = turn_window_seconds(url)
            time.sleep(1)  # a duplicate answer would show up now
            problems = _check(interaction_rows(url), graph, phones)
            if len(rows) < expected:
                problems.insert(0, f"only {len(rows)} of {expected} turns were recorded in time")
        finally:
            stop_processes(procs)
            output.close()
            drop_prefix(redis_url, prefix)
    return ScaleFigures(workers, len(rows), seconds, cpu, problems, (load_before, os.getloadavg()[0]))


def scale_out(
    redis_url: str, database_url: str, counts: list[int], leads: int, _turns: int, port: int, tmp: Path
) -> None:
    graph = GraphApiFake().start()
    log = tmp / "scale-out.log"
    print(
        f"\nScale-out: silvia serve --workers 2 (webhooks only) + N silvia worker, one Redis, one PostgreSQL;"
        f" {leads} leads x {len(LEAD_SCRIPT)} messages posted at once as signed webhooks"
    )
    print(
        f"  {'workers':>7} {'turns':>6} {'seconds':>8} {'turns/s':>8} {'CPU ms/turn':>12}"
        f" {'cores used':>10} {'load avg':>12}  answered once, in order"
    )
    try:
        for workers in counts:
            figures = run_one(redis_url, database_url, workers, leads, port, graph, log)
            verdict = "yes" if not figures.problems else f"NO: {figures.problems[:3]}"
            cpu_ms = figures.cpu_seconds * 1000 / max(1, figures.turns)
            load = f"{figures.load[0]:.1f}->{figures.load[1]:.1f}"
            print(
                f"  {figures.workers:>7} {figures.turns:>6} {figures.seconds:>8.1f}"
                f" {figures.turns / figures.seconds:>8.1f} {cpu_ms:>12.1f}"
                f" {figures.cores_used:>10.2f} {load:>12}  {verdict}"
            )
    finally:
        graph.stop()
    print(f"  (process logs: {log}, removed with the temporary directory)")
