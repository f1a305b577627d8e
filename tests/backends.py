"""Helpers for tests on the production backends: real Redis and PostgreSQL, cleaned up after.

* `redis_prefix()` gives each test its own key prefix on TEST_REDIS_URL; `drop_prefix` deletes
  what it left (SCAN, never FLUSHDB: other test runs may share the database).
* `pg_schema()` gives each test its own PostgreSQL schema on TEST_DATABASE_URL, dropped after.
* `PrivateRedis` starts a throw-away `redis-server` (AOF on) on a free port, to kill, pause and
  restart it without touching the machine's Redis.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
import redis
from sqlalchemy.engine import make_url

from tests.conftest import require_service


def redis_prefix(name: str = "t") -> str:
    return f"silvia-test:{name}:{uuid.uuid4().hex[:10]}:"


def drop_prefix(url: str, prefix: str) -> int:
    client = redis.Redis.from_url(url)
    try:
        keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
        return client.delete(*keys) if keys else 0
    finally:
        client.close()


@contextmanager
def pg_schema(name: str = "t") -> Iterator[str]:
    """A `postgresql+psycopg://` URL whose search_path is a fresh schema (dropped on exit)."""
    base = make_url(require_service("TEST_DATABASE_URL")).set(drivername="postgresql+psycopg")
    admin = base.set(drivername="postgresql").render_as_string(hide_password=False)
    schema = f"test_{name}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        url = base.update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PrivateRedis:
    """A `redis-server --appendonly yes` of our own, in `directory`, on a free port."""

    def __init__(self, directory: Path, *extra: str) -> None:
        binary = shutil.which("redis-server")
        if binary is None and require_service("TEST_REDIS_URL"):  # locally without Redis: skip
            pytest.fail("redis-server is not on PATH")
        self.binary = binary or "redis-server"
        self.directory = directory
        self.port = free_port()
        self.extra = extra
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        args = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.directory)]
        args += ["--appendonly", "yes", "--appendfsync", "always", "--save", "", *self.extra]
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis(port=self.port, socket_connect_timeout=0.2)
        try:
            for _ in range(100):
                try:
                    if client.ping():
                        return
                except redis.ConnectionError:
                    time.sleep(0.05)
            raise RuntimeError("private redis-server did not start")
        finally:
            client.close()

    def kill(self) -> None:
        """SIGKILL: a crash, not a clean shutdown (AOF with fsync always keeps every write)."""
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None

    def client(self) -> redis.Redis:
        return redis.Redis(port=self.port)


@contextmanager
def private_redis(directory: Path, *extra: str) -> Iterator[PrivateRedis]:
    server = PrivateRedis(directory, *extra)
    server.start()
    try:
        yield server
    finally:
        server.kill()


class PrivateCluster:
    """A Redis Cluster of `masters` `redis-server --cluster-enabled yes` nodes (no replicas),
    each on a free port (and a free cluster-bus port), in `directory`."""

    def __init__(self, directory: Path, masters: int = 3) -> None:
        self.directory = directory
        self.nodes = [PrivateRedis(directory / f"node{n}") for n in range(masters)]

    @property
    def url(self) -> str:
        return f"redis+cluster://127.0.0.1:{self.nodes[0].port}"

    def start(self) -> None:
        for node in self.nodes:
            node.extra = ("--cluster-enabled", "yes", "--cluster-port", str(free_port()))
            node.extra += ("--cluster-config-file", "nodes.conf", "--appendfsync", "everysec")
            node.start()
        create = ["redis-cli", "--cluster", "create", *(f"127.0.0.1:{n.port}" for n in self.nodes)]
        create += ["--cluster-replicas", "0", "--cluster-yes"]
        subprocess.run(create, check=True, capture_output=True, timeout=60)
        for _ in range(200):  # every node must agree before the first command
            if all(_cluster_ok(node) for node in self.nodes):
                return
            time.sleep(0.05)
        raise RuntimeError("the private Redis Cluster did not reach cluster_state:ok")

    def stop(self) -> None:
        for node in self.nodes:
            node.kill()


def _cluster_ok(node: PrivateRedis) -> bool:
    client = node.client()
    try:
        return b"cluster_state:ok" in client.execute_command("CLUSTER", "INFO")
    finally:
        client.close()


@contextmanager
def private_cluster(directory: Path, masters: int = 3) -> Iterator[PrivateCluster]:
    cluster = PrivateCluster(directory, masters)
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()
