"""A bounded load test: Locust playing Meta against `silvia serve` on Redis + PostgreSQL.

    .venv/bin/pip install -e ".[dev,load]"
    .venv/bin/python benchmarks/load_test.py \
        --redis-url redis://127.0.0.1:6379/15 \
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test \
        [--users 20 --spawn-rate 10 --seconds 30 --leads 500 --workers 1 --port 18320]

Starts a local Graph API peer (`tests/graph_api_fake.py`: Sílvia's replies really go out
through the Cloud API backend), `silvia serve --workers 2` (webhooks, and the inbox worker in
each process) plus `--workers` extra `silvia worker` processes, under a fresh PostgreSQL
schema and Redis prefix. Then runs `benchmarks/locustfile.py` headless for `--seconds` and
prints requests/s, acknowledgement p50/p95/p99, failures, and the turns Sílvia completed per
second (rows in `lead_interactions`) during the load and while the backlog drained after it.
Everything it started is stopped and removed at the end.
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.bench_services import (
    bench_schema,
    drop_prefix,
    interaction_rows,
    silvia_command,
    stop_processes,
    wait_ready,
)
from tests.graph_api_fake import GraphApiFake
from tests.webhook_kit import SERVICE_ENV

HERE = Path(__file__).resolve().parent


def locust_summary(csv_prefix: Path) -> dict[str, str]:
    with (csv_prefix.parent / f"{csv_prefix.name}_stats.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    return next(row for row in rows if row["Name"] == "Aggregated")


def run_locust(args: argparse.Namespace, url: str, csv_prefix: Path, log: Path) -> None:
    locust = Path(sys.executable).with_name("locust")
    if not locust.exists():
        raise SystemExit('locust is not installed: .venv/bin/pip install -e ".[dev,load]"')
    command = [str(locust), "-f", str(HERE / "locustfile.py"), "--headless", "--only-summary"]
    command += ["-u", str(args.users), "-r", str(args.spawn_rate), "-t", f"{args.seconds}s"]
    command += ["--host", url, "--csv", str(csv_prefix), "--stop-timeout", "5"]
    env = {
        **os.environ,
        "WHATSAPP_APP_SECRET": SERVICE_ENV["WHATSAPP_APP_SECRET"],
        "LOAD_LEADS": str(args.leads),
    }
    with log.open("ab") as output:
        subprocess.run(
            command, env=env, stdout=output, stderr=output, timeout=args.seconds + 120, check=False
        )


def load_test(args: argparse.Namespace, tmp: Path) -> None:
    graph = GraphApiFake().start()
    prefix = f"silvia-load:{uuid.uuid4().hex[:8]}:"
    log = tmp / "load-test.log"
    try:
        with bench_schema(args.database_url) as database_url:
            env = {**os.environ, **SERVICE_ENV, **graph.env(), "REDIS_URL": args.redis_url}
            env |= {"DATABASE_URL": database_url, "SILVIA_REDIS_PREFIX": prefix, "SILVIA_DATA_DIR": str(tmp)}
            env.pop("SILVIA_BURST_SECONDS")  # bursts merged as in production
            url = f"http://127.0.0.1:{args.port}"
            with log.open("ab") as output:
                serve = [silvia_command(), "serve", "--workers", "2", "--port", str(args.port)]
                procs = [
                    subprocess.Popen(
                        [*serve, "--log-level", "warning"], env=env, stdout=output, stderr=output
                    )
                ]
                worker = [silvia_command(), "worker", "--log-level", "warning"]
                procs += [
                    subprocess.Popen(worker, env=env, stdout=output, stderr=output)
                    for _ in range(args.workers)
                ]
                try:
                    try:
                        wait_ready(url, procs)
                    except RuntimeError:
                        print(log.read_text()[-3000:], file=sys.stderr)
                        raise
                    started = time.monotonic()
                    run_locust(args, url, tmp / "locust", log)
                    load_seconds, during = time.monotonic() - started, len(interaction_rows(database_url))
                    drained = during
                    deadline = time.monotonic() + args.drain_seconds
                    while time.monotonic() < deadline:
                        time.sleep(2)
                        if (now := len(interaction_rows(database_url))) == drained:
                            break  # nothing more came in two seconds: the backlog is done
                        drained = now
                    drain_seconds = time.monotonic() - started - load_seconds
                finally:
                    stop_processes(procs)
        report(
            args,
            locust_summary(tmp / "locust"),
            load_seconds,
            during,
            drained,
            drain_seconds,
            len(graph.delivered()),
        )
    finally:
        graph.stop()
        drop_prefix(args.redis_url, prefix)


def report(
    args: argparse.Namespace,
    stats: dict[str, str],
    load_seconds: float,
    during: int,
    drained: int,
    drain_seconds: float,
    sent: int,
) -> None:
    requests, failures = int(stats["Request Count"]), int(stats["Failure Count"])
    print(
        f"\nLoad test: {args.users} Meta senders for {args.seconds} s over {args.leads} leads;"
        f" silvia serve --workers 2 + {args.workers} silvia worker, one Redis, one PostgreSQL"
    )
    print(f"  requests        {requests} ({float(stats['Requests/s']):.1f}/s), failures {failures}")
    print(f"  ack latency     p50 {stats['50%']} ms, p95 {stats['95%']} ms, p99 {stats['99%']} ms")
    print(f"  turns completed {during} during the load ({during / load_seconds:.1f}/s),")
    total_seconds = load_seconds + drain_seconds
    print(f"                  {drained} once the backlog drained ({drained / total_seconds:.1f}/s)")
    print(f"  messages Sílvia sent to the Graph API peer: {sent}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--redis-url", required=True)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--users", type=int, default=20, help="concurrent Meta senders")
    parser.add_argument("--spawn-rate", type=float, default=10)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--leads", type=int, default=500)
    parser.add_argument("--workers", type=int, default=1, help="extra `silvia worker` processes")
    parser.add_argument("--drain-seconds", type=int, default=120, help="at most this long for the backlog")
    parser.add_argument("--port", type=int, default=18320)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        load_test(args, Path(tmp))


if __name__ == "__main__":
    main()
