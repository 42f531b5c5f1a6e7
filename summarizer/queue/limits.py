"""Backpressure and rate limits: refuse early with 429 and a useful Retry-After, rather than
queue work nobody will wait for."""

import hashlib
import math
import time

from summarizer.errors import TooManyRequests
from summarizer.queue import keys

DRAIN_SAMPLE = 50
"""Completions kept to measure the drain rate: recent enough to follow load, enough to be stable."""

DEFAULT_RETRY_SECONDS = 30
"""Retry-After when no drain rate has been measured yet (the service just started)."""

MAX_RETRY_SECONDS = 600
RATE_WINDOW_SECONDS = 60


def record_completion(connection, job_id):
    """A client request finished (any outcome): one more point for the drain rate."""
    now = time.time()
    pipe = connection.pipeline(transaction=False)
    pipe.zadd(keys.FINISHED, {job_id: now})
    pipe.zremrangebyrank(keys.FINISHED, 0, -DRAIN_SAMPLE - 1)
    pipe.execute()


def drain_rate(connection):
    """Requests finished per second over the recent sample, or None without enough data."""
    entries = connection.zrange(keys.FINISHED, 0, -1, withscores=True)
    if len(entries) < 2:
        return None
    span = time.time() - entries[0][1]
    return (len(entries) - 1) / span if span > 0 else None


def check_queue(connection, queued, max_queue):
    """429 when `queued` requests already wait; Retry-After from how fast the queue drains."""
    if queued < max_queue:
        return
    rate = drain_rate(connection)
    wait = (queued - max_queue + 1) / rate if rate else DEFAULT_RETRY_SECONDS
    seconds = max(1, min(MAX_RETRY_SECONDS, math.ceil(wait)))
    raise TooManyRequests(
        "queue_full", f"{queued} requests are waiting; retry in about {seconds} s.",
        headers={"Retry-After": str(seconds)},
    )


def check_rate(connection, client_key, per_minute):
    """429 when `client_key` (a token or an address) made `per_minute` requests this minute."""
    if not per_minute:
        return
    window = int(time.time() // RATE_WINDOW_SECONDS)
    digest = hashlib.sha256(client_key.encode()).hexdigest()[:24]  # never store the token itself
    key = keys.rate(digest, window)
    pipe = connection.pipeline(transaction=False)
    pipe.incr(key)
    pipe.expire(key, RATE_WINDOW_SECONDS * 2)
    count, _ = pipe.execute()
    if count > per_minute:
        seconds = max(1, math.ceil((window + 1) * RATE_WINDOW_SECONDS - time.time()))
        raise TooManyRequests(
            "rate_limited", f"More than {per_minute} requests this minute; retry in {seconds} s.",
            headers={"Retry-After": str(seconds)},
        )
