"""CPU per template turn as a count of instructions: repeatable on a shared machine.

    .venv/bin/python benchmarks/turn_instructions.py \
        --redis-url redis://127.0.0.1:6379/15 \
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test [--leads 4]

CPU seconds grow with the machine's load (other processes evict the caches and share the
cores), so on a busy machine they cannot show a 10 % change. Instructions do not: the same
turns of `benchmarks/throughput.py` (the template script, Redis + PostgreSQL, each turn as the
inbox worker runs it, `durability="sync"`) and of the bare 12-node LangGraph graph (the floor)
run under valgrind's callgrind, which counts only between the measured turns (it is switched
on and off around them with `callgrind_control`; imports, start-up and warm-up are not
counted). Printed: instructions per turn for both and the ratio. Needs valgrind; each run
takes a few minutes (valgrind runs the interpreter ~50x slower). Redis and PostgreSQL servers
are other processes: not counted, as in `throughput.py`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import throughput
from benchmarks.bench_services import bench_schema, drop_prefix
from settings import Settings

TURNS = 8


def _handshake(folder: Path, name: str) -> None:
    """Tell the parent to switch counting on/off, and wait until it has."""
    (folder / name).write_text(str(os.getpid()))
    while not (folder / f"{name}.done").exists():
        time.sleep(0.05)


async def _child(what: str, leads: int, folder: Path, redis_url: str, database_url: str) -> int:
    """Run warm-up turns, then the measured ones between the two handshakes; returns turns."""
    real_drive = throughput.drive

    async def counted(n: int, turns: int, in_flight: int, turn: throughput.Turn) -> throughput.RunFigures:
        if (n, turns) != (leads, TURNS):  # the warm-up (3 turns)
            return await real_drive(n, turns, in_flight, turn)
        _handshake(folder, "on")
        try:
            return await real_drive(n, turns, in_flight, turn)
        finally:
            _handshake(folder, "off")

    throughput.drive = counted  # type: ignore[assignment]
    if what == "floor":
        await throughput.floor_run(2, 3, 2)
        return (await throughput.floor_run(leads, TURNS, leads)).turns
    prefix = f"silvia-instr:{uuid.uuid4().hex[:8]}:"
    with bench_schema(database_url) as url:
        settings = Settings(  # type: ignore[call-arg]
            _env_file=None,
            SILVIA_DATA_DIR=str(folder / "data"),
            DATABASE_URL=url,
            REDIS_URL=redis_url,
            SILVIA_REDIS_PREFIX=prefix,
        )
        try:
            await throughput.silvia_run(settings, 2, 3, 2, first=10_000)
            return (await throughput.silvia_run(settings, leads, TURNS, leads)).turns
        finally:
            drop_prefix(redis_url, prefix)


def _wait_for(path: Path, proc: subprocess.Popen[bytes]) -> None:
    while not path.exists():
        if proc.poll() is not None:
            raise RuntimeError(f"the measured run stopped early (exit {proc.returncode})")
        time.sleep(0.5)


def count(what: str, args: argparse.Namespace) -> tuple[int, int]:
    """(turns, instructions) of one measured run under callgrind."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        out = folder / "callgrind.out"
        child = [sys.executable, __file__, "--child", what, "--folder", tmp, *sys.argv[1:]]
        command = ["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}"]
        with (folder / "log").open("wb") as log:
            proc = subprocess.Popen([*command, *child], stdout=log, stderr=subprocess.STDOUT)
            for switch in ("on", "off"):
                _wait_for(folder / switch, proc)
                pid = (folder / switch).read_text()
                subprocess.run(["callgrind_control", "-i", switch, pid], capture_output=True, check=True)
                (folder / f"{switch}.done").touch()
            proc.wait()
        turns = int((folder / "turns").read_text())
        totals = next(line for line in out.read_text().splitlines() if line.startswith("totals:"))
        return turns, int(totals.split()[1])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--redis-url", required=True)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--leads", type=int, default=4, help="leads talking at once (all turns in flight)")
    parser.add_argument("--child", choices=("silvia", "floor"), help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        folder = Path(args.folder)
        turns = asyncio.run(_child(args.child, args.leads, folder, args.redis_url, args.database_url))
        (folder / "turns").write_text(str(turns))
        return
    figures = {what: count(what, args) for what in ("floor", "silvia")}
    print(f"\n{args.leads} leads x {TURNS} turns, all in flight, durability=sync, template script (no LLM)")
    for what, label in (("silvia", "Sílvia, Redis + PostgreSQL"), ("floor", "bare LangGraph, 12 nodes")):
        turns, instructions = figures[what]
        print(f"{label:<30} {instructions / turns / 1e6:8.1f} M instructions per turn ({turns} turns)")
    ratio = (figures["silvia"][1] / figures["silvia"][0]) / (figures["floor"][1] / figures["floor"][0])
    print(f"ratio: {ratio:.1f}x the floor")


if __name__ == "__main__":
    main()
