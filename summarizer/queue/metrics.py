"""The recording side of the service's metrics: counters and histograms kept in Redis.

API processes and workers run on different machines, so no in-process registry can see them all.
Each `record_*` call adds to a few Redis hashes in one pipeline (no transaction, one round trip);
`summarizer.web.ops` reads them back on every scrape of `/metrics`. Recording is best effort: a Redis
error is logged and swallowed, because a lost sample must never fail a job.

Keys (all under ``summarizer:metrics:``):

- ``counters``       field ``<name>|<label>`` -> integer (cache hits, extraction failures, ...)
- ``sums``           field ``<name>|<label>`` -> float (generated tokens, generation seconds)
- ``gauges``         field ``<name>|<label>`` -> float (last tokens/s of each worker)
- ``hist:<name>``    fields ``<label>|<bucket>``, ``<label>|sum``, ``<label>|count``;
  buckets are stored per bucket (not cumulative) so one observation is three increments.
"""

import bisect
import logging

import redis

from summarizer.queue import keys

log = logging.getLogger(__name__)

COUNTERS_KEY = keys.METRICS_PREFIX + "counters"
SUMS_KEY = keys.METRICS_PREFIX + "sums"
GAUGES_KEY = keys.METRICS_PREFIX + "gauges"
HISTOGRAM_PREFIX = keys.METRICS_PREFIX + "hist:"

DURATION_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0)
"""Upper bounds (seconds) of job and stage duration buckets: a cached answer takes well under a
second, a long PDF on a CPU up to the default job timeout (1800 s)."""

SEPARATOR = "|"
"""Between a metric name and its label value in a hash field; stripped from label values."""

HISTOGRAMS = {"job_seconds": "outcome", "stage_seconds": "stage"}
"""Histogram name -> the one label it is split by."""


def _label(value):
    """A label value safe to store in a field name."""
    return str(value).replace(SEPARATOR, "_") or "unknown"


def _field(name, label):
    return f"{name}{SEPARATOR}{_label(label)}"


def _bucket_field(label, seconds):
    """The field of the first bucket that holds `seconds` ("+Inf" past the last bound)."""
    index = bisect.bisect_left(DURATION_BUCKETS, seconds)
    bound = DURATION_BUCKETS[index] if index < len(DURATION_BUCKETS) else "+Inf"
    return f"{_label(label)}{SEPARATOR}{bound}"


def _observe(pipe, name, label, seconds):
    """Queue the three increments of one histogram observation on `pipe`."""
    seconds = max(0.0, float(seconds))
    key = HISTOGRAM_PREFIX + name
    pipe.hincrby(key, _bucket_field(label, seconds), 1)
    pipe.hincrbyfloat(key, f"{_label(label)}{SEPARATOR}sum", seconds)
    pipe.hincrby(key, f"{_label(label)}{SEPARATOR}count", 1)


def _execute(connection, queue_ops):
    """Run `queue_ops(pipe)` in one non-transactional pipeline; log and drop Redis errors."""
    try:
        with connection.pipeline(transaction=False) as pipe:
            queue_ops(pipe)
            pipe.execute()
    except redis.RedisError as exc:
        log.warning("metrics not recorded (Redis error: %s)", exc)


def record_job(connection, worker_name, outcome, seconds):
    """A job ended on `worker_name` after `seconds` (outcome: finished, failed or canceled)."""

    def ops(pipe):
        _observe(pipe, "job_seconds", outcome, seconds)
        # Two labels in one field: jobs|<worker>|<outcome>.
        pipe.hincrby(COUNTERS_KEY, f"{_field('jobs', worker_name)}{SEPARATOR}{_label(outcome)}", 1)

    _execute(connection, ops)


def record_stage(connection, worker_name, stage, seconds, tokens=0):
    """One stage of a job took `seconds`; `tokens` generated in it count toward tokens/s."""

    def ops(pipe):
        _observe(pipe, "stage_seconds", stage, seconds)
        if tokens and seconds > 0:
            pipe.hincrbyfloat(SUMS_KEY, _field("generated_tokens", worker_name), int(tokens))
            pipe.hincrbyfloat(SUMS_KEY, _field("generation_seconds", worker_name), float(seconds))
            pipe.hset(GAUGES_KEY, _field("tokens_per_second", worker_name), tokens / seconds)

    _execute(connection, ops)


def record_cache_hit(connection):
    """A request was answered from the summary cache."""
    _execute(connection, lambda pipe: pipe.hincrby(COUNTERS_KEY, _field("cache", "hit"), 1))


def record_cache_miss(connection):
    """A cacheable request was not in the cache (hits / (hits + misses) is the hit ratio)."""
    _execute(connection, lambda pipe: pipe.hincrby(COUNTERS_KEY, _field("cache", "miss"), 1))


def record_extraction_failure(connection, code):
    """A document could not be read; `code` is the error's code (e.g. pdf_encrypted)."""
    _execute(
        connection, lambda pipe: pipe.hincrby(COUNTERS_KEY, _field("extraction_failures", code), 1)
    )


def record_recovery(connection, step):
    """The guard's recovery policy fired: `step` is a retry (resample, strict) or a fallback."""
    _execute(connection, lambda pipe: pipe.hincrby(COUNTERS_KEY, _field("recoveries", step), 1))


def record_worker_restart(connection, worker_name):
    """A supervisor restarted the worker process `worker_name` after it died."""
    _execute(
        connection, lambda pipe: pipe.hincrby(COUNTERS_KEY, _field("worker_restarts", worker_name), 1)
    )


def _split(field):
    """'name|label' -> ('name', 'label')."""
    name, _, label = field.partition(SEPARATOR)
    return name, label


def read_series(connection, key):
    """{name: {label: value}} from one of the flat hashes (counters, sums, gauges)."""
    series = {}
    for field, value in connection.hgetall(key).items():
        name, label = _split(field.decode() if isinstance(field, bytes) else field)
        series.setdefault(name, {})[label] = float(value)
    return series


def read_histogram(connection, name):
    """{label: (cumulative [(bound, count)...] ending with +Inf, sum)} for histogram `name`."""
    raw = {}
    for field, value in connection.hgetall(HISTOGRAM_PREFIX + name).items():
        label, _, part = (field.decode() if isinstance(field, bytes) else field).rpartition(SEPARATOR)
        raw.setdefault(label, {})[part] = float(value)
    histograms = {}
    for label, parts in raw.items():
        running, buckets = 0.0, []
        for bound in [*map(str, DURATION_BUCKETS), "+Inf"]:
            running += parts.get(bound, 0.0)
            buckets.append((bound, running))
        histograms[label] = (buckets, parts.get("sum", 0.0))
    return histograms
