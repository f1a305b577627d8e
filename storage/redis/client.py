"""One way to open Redis from `REDIS_URL`: a single server, or a Redis Cluster.

`redis://host:port/db` (or `rediss://`) is one server. `redis+cluster://host:port` (or
`rediss+cluster://`) is a Redis Cluster reached through any of its nodes: the client learns
the others and sends each command to the node that owns its key. Every multi-key command
and script Sílvia runs touches keys of one hash tag (one lead's checkpoint thread, the inbox),
so each lands on one slot; docs/memory.md says how to point Sílvia at a cluster.
"""

from __future__ import annotations

from typing import Any

from redis.asyncio import Redis, RedisCluster

CLUSTER_SCHEMES = {"redis+cluster": "redis", "rediss+cluster": "rediss"}

AnyRedis = Redis | RedisCluster


def is_cluster_url(url: str) -> bool:
    return url.split("://", 1)[0] in CLUSTER_SCHEMES


def redis_from_url(url: str, **options: Any) -> AnyRedis:
    """An asyncio client for `url`; `options` are redis-py's (timeouts, decode_responses…)."""
    scheme, _, rest = url.partition("://")
    if scheme not in CLUSTER_SCHEMES:
        return Redis.from_url(url, **options)
    node, _, database = rest.partition("/")
    if "," in node or database.strip("0"):
        raise ValueError(f"a cluster URL names one node and no database other than 0, got {url!r}")
    return RedisCluster.from_url(f"{CLUSTER_SCHEMES[scheme]}://{node}", **options)
