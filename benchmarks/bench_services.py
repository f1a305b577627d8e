"""A benchmark's own corner of the shared Redis and PostgreSQL (removed afterwards), and the
`silvia` processes it starts."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import psutil
import psycopg
import redis
from sqlalchemy.engine import make_url

from settings import Settings
from storage import migrate


@contextmanager
def bench_schema(database_url: str) -> Iterator[str]:
    """A fresh, migrated PostgreSQL schema; yields the SQLAlchemy URL that uses it."""
    base = make_url(database_url).set(drivername="postgresql+psycopg")
    admin = base.set(drivername="postgresql").render_as_string(hide_password=False)
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        url = base.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
            hide_password=False
        )
        migrate.upgrade(url)
        yield url
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def production_settings(data_dir: Path, database_url: str, redis_url: str, prefix: str) -> Settings:
    """Settings of a production-shaped Sílvia (Redis + PostgreSQL) that reads no `.env`."""
    return Settings(  # type: ignore[call-arg]
        _env_file=None,
        SILVIA_DATA_DIR=str(data_dir),
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        SILVIA_REDIS_PREFIX=prefix,
    )


def drop_prefix(redis_url: str, prefix: str) -> None:
    client = redis.Redis.from_url(redis_url)
    try:
        keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
        for start in range(0, len(keys), 500):
            client.delete(*keys[start : start + 500])
    finally:
        client.close()


def silvia_command() -> str:
    return str(Path(sys.executable).with_name("silvia"))


def interaction_rows(database_url: str) -> list[tuple[str, str | None, str | None]]:
    url = make_url(database_url).set(drivername="postgresql")
    options = url.query.get("options")
    plain = url.set(query={}).render_as_string(hide_password=False)
    with psycopg.connect(plain, options=options) as conn:
        query = "SELECT lead_id, message_received, message_sent FROM lead_interactions ORDER BY id"
        return [tuple(row) for row in conn.execute(query).fetchall()]  # type: ignore[misc]


def turn_window_seconds(database_url: str) -> float:
    """Seconds from the first turn recorded to the last: the time the workers took for the
    backlog, without the time to post it or to start them."""
    url = make_url(database_url).set(drivername="postgresql")
    plain = url.set(query={}).render_as_string(hide_password=False)
    with psycopg.connect(plain, options=url.query.get("options")) as conn:
        query = "SELECT EXTRACT(EPOCH FROM max(created_at) - min(created_at)) FROM lead_interactions"
        row = conn.execute(query).fetchone()
    return float(row[0] or 0.0) if row else 0.0


def wait_ready(url: str, procs: list[subprocess.Popen[bytes]], timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(p.poll() is not None for p in procs):
            raise RuntimeError("a Sílvia process exited while starting (see its log)")
        try:
            if httpx.get(f"{url}/ready", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError("silvia serve did not become ready")


def cpu_seconds(procs: list[subprocess.Popen[bytes]]) -> float:
    """User + system CPU seconds of the processes and their children (uvicorn's workers)."""
    total = 0.0
    for proc in procs:
        try:
            parent = psutil.Process(proc.pid)
            for p in [parent, *parent.children(recursive=True)]:
                times = p.cpu_times()
                total += times.user + times.system
        except psutil.NoSuchProcess:
            continue
    return total


def stop_processes(procs: list[subprocess.Popen[bytes]]) -> None:
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(timeout=40)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
