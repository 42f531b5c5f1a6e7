"""Backpressure and rate limits: refuse early with 429 and a useful Retry-After, rather than
queue work nobody will wait for."""

import contextlib
import hashlib
import math
import statistics
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
    """Requests finished per second, from the median gap between recent completions, or None
    without enough data. The median, not the span: an idle hour inside the sample made the span
    say one request a minute, and a queue that drained in 13 s was given Retry-After: 167."""
    times = [score for _, score in connection.zrange(keys.FINISHED, 0, -1, withscores=True)]
    if len(times) < 2:
        return None
    gap = statistics.median(later - earlier for earlier, later in zip(times, times[1:]))
    return 1 / gap if gap > 0 else None


PLACE_SECONDS = 120
"""A place in the queue held longer than this was left by an API process that died while queueing
(planning chunks and the preview take seconds); it no longer counts."""

_TAKE_PLACE = """
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', tonumber(ARGV[2]) - tonumber(ARGV[3]))
local waiting = redis.call('LLEN', KEYS[1]) + redis.call('ZCARD', KEYS[2])
if waiting >= tonumber(ARGV[1]) then
    return {0, waiting}
end
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[4])
redis.call('EXPIRE', KEYS[2], ARGV[3])
return {1, waiting}
"""
"""Count the queue and the requests being queued, and take a place if one is left: one step in
Redis, so thirty requests at once cannot all see the same last free place."""


@contextlib.contextmanager
def queue_place(connection, queue, max_queue, ticket):
    """Hold a place in `queue` (an RQ Queue) while the request `ticket` is being queued; 429 with
    Retry-After when max_queue requests already wait or are being queued."""
    admitting = keys.admitting(queue.name)
    taken, waiting = connection.register_script(_TAKE_PLACE)(
        keys=[queue.key, admitting], args=[max_queue, time.time(), PLACE_SECONDS, ticket])
    if not taken:
        check_queue(connection, waiting, max_queue)
    try:
        yield
    finally:
        connection.zrem(admitting, ticket)


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
    key = keys.rate(_digest(client_key), window)
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


STREAM_COUNT_TTL = 3600
"""Lifetime of a client's count of open event streams after its last change: an API process that
dies with streams open leaves its count behind, and this is how long it may stand."""

_OPEN_STREAM = """
local client = redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[3])
local job = redis.call('INCR', KEYS[2])
redis.call('EXPIRE', KEYS[2], ARGV[3])
if client > tonumber(ARGV[1]) or job > tonumber(ARGV[2]) then
    redis.call('DECR', KEYS[1])
    redis.call('DECR', KEYS[2])
    return {0, client, job}
end
return {1, client, job}
"""
"""Count one more open stream of a client and of a job, or none when either is at its limit."""


def open_stream(connection, client_key, job_id, per_client, per_job):
    """Count an event stream opened by `client_key` on `job_id`; a function that uncounts it on a
    connection it is given (call it once, when the stream closes). 429 `too_many_streams` past
    either limit: 800 streams of one client held 805 Redis connections and 1,609 descriptors, and
    /healthz took 1.9 s (issue 23)."""
    names = [keys.streams(_digest(client_key)), keys.job_streams(job_id)]
    opened, client, job = connection.register_script(_OPEN_STREAM)(
        keys=names, args=[per_client, per_job, STREAM_COUNT_TTL])
    if not opened:
        which = (f"{per_client} event streams open already (max_streams_per_client)"
                 if client > per_client else f"{per_job} event streams follow this job already "
                 "(max_streams_per_job)")
        raise TooManyRequests("too_many_streams", f"{which}; close one first.",
                              headers={"Retry-After": "5"})

    def release(on):
        """Uncount the stream, on `on` (the stream's own connection, not `connection`: many streams
        closing at once would each take one of its pool, which keeps them)."""
        pipe = on.pipeline(transaction=False)
        for name in names:
            pipe.decr(name)
        pipe.execute()

    return release


def check_streams(connection, client_key, per_client):
    """429 `too_many_streams` when `client_key` has `per_client` streams open already: asked
    before a job is queued for a stream, so a refused stream leaves no job behind."""
    if int(connection.get(keys.streams(_digest(client_key))) or 0) >= per_client:
        raise TooManyRequests("too_many_streams", f"{per_client} event streams open already "
                              "(max_streams_per_client); close one first.", headers={"Retry-After": "5"})


def _digest(client_key):
    """A client (token or address) as it appears in key names: never the token itself."""
    return hashlib.sha256(client_key.encode()).hexdigest()[:24]
