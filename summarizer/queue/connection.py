"""Which Redis a process talks to: REDIS_URL when set, else the embedded server in the data dir."""

import atexit
import os

import redis

from summarizer.errors import ServiceUnavailable
from summarizer.queue.redis_embed import EmbeddedRedis, make_private

HEALTH_CHECK_SECONDS = 10
"""Idle seconds after which redis-py pings a pooled connection before reusing it (Redis restarts)."""

SOCKET_TIMEOUT_SECONDS = 60
"""Longest wait for a Redis reply. Above every blocking read here (SSE heartbeats are at most 30 s);
redis-py's own default (5 s) would cut a blocking XREAD short."""

CONNECT_TIMEOUT_SECONDS = 5
"""How long to wait for a connection to Redis before answering 503."""

MAX_CONNECTIONS = 4096
"""Redis connections one process may open. Every open event stream holds one for its blocking
read, so this must exceed gunicorn's --worker-connections (2000); redis-py 8 defaults to 100,
which made the 101st stream and every other request fail under load."""

CLIENT_OPTIONS = dict(health_check_interval=HEALTH_CHECK_SECONDS, socket_timeout=SOCKET_TIMEOUT_SECONDS,
                      socket_connect_timeout=CONNECT_TIMEOUT_SECONDS, max_connections=MAX_CONNECTIONS)


def embedded_socket(settings):
    return os.path.join(settings.resolved_data_dir, "redis", "redis.sock")


def connect(settings, start_embedded=False):
    """A Redis client for `settings`. With no REDIS_URL, use (or, if asked, start) the embedded one."""
    if settings.redis_url:
        password = {"password": settings.redis_password} if settings.redis_password else {}
        return redis.Redis.from_url(settings.redis_url, **CLIENT_OPTIONS, **password)
    client = redis.Redis(unix_socket_path=embedded_socket(settings), **CLIENT_OPTIONS)
    try:
        client.ping()
        return client
    except (redis.ConnectionError, FileNotFoundError):
        if not start_embedded:
            raise ServiceUnavailable(
                "no_redis",
                "No Redis: set REDIS_URL, or start the service with `summarizer serve`, which "
                "runs an embedded one.",
            ) from None
    make_private(settings.resolved_data_dir)
    server = EmbeddedRedis(os.path.dirname(embedded_socket(settings)),
                           maxmemory_mb=settings.redis_maxmemory_mb).start()
    atexit.register(server.stop)
    return redis.Redis(unix_socket_path=server.socket_path, **CLIENT_OPTIONS)
