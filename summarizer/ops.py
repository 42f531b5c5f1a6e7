"""Operational endpoints: /healthz (process up), /readyz (Redis + a live worker), /metrics.

/metrics reads live state on every scrape (queue depth, jobs by RQ registry, workers alive) and the
counters and histograms that API and worker processes record into Redis (summarizer.metrics), so
one scrape of any API replica sees the whole service, whichever machine a worker runs on.

`python -m summarizer.ops worker-alive` is the liveness check of a worker container: it exits 0
while a worker on this host has a live RQ heartbeat (or Redis itself is down, which a restart of
the worker would not fix), 1 otherwise.
"""

import logging
import socket
import sys

import redis
from flask import Blueprint, Response, current_app, jsonify
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
)
from rq import Queue, Worker
from rq.serializers import JSONSerializer

from summarizer import metrics
from summarizer.auth import public
from summarizer.errors import ServiceUnavailable

log = logging.getLogger(__name__)

bp = Blueprint("ops", __name__)

REGISTRIES = ("started", "finished", "failed", "deferred", "scheduled", "canceled")
"""RQ job registries reported as `summarizer_jobs{state=...}` besides the queue itself."""

COUNTERS = {
    # hash name -> (metric name, help, label names)
    "cache": ("summarizer_cache_requests", "Summary cache lookups by result.", ["result"]),
    "extraction_failures": (
        "summarizer_extraction_failures", "Documents that could not be read, by error code.", ["code"],
    ),
    "recoveries": (
        "summarizer_recoveries", "Summaries redone because the model broke a rule, by step "
        "(resample, strict) or replaced (extractive).", ["step"],
    ),
    "worker_restarts": (
        "summarizer_worker_restarts", "Worker processes restarted after dying.", ["worker"],
    ),
}


def live_workers(connection, queue_name):
    """RQ workers on `queue_name` whose heartbeat key has not expired."""
    queue = Queue(queue_name, connection=connection, serializer=JSONSerializer)
    # Worker.count() also counts killed workers until their set entry is cleaned; all() checks keys.
    return Worker.all(queue=queue, serializer=JSONSerializer)


@bp.get("/healthz")
@public
def healthz():
    """The process is up and serving requests; deliberately no Redis call."""
    return jsonify({"status": "ok"})


@bp.get("/readyz")
def readyz():
    """Ready when Redis answers and at least one live worker serves the queue; 503 otherwise."""
    connection = current_app.extensions["redis"]
    queue_name = current_app.config["SETTINGS"].queue
    try:
        connection.ping()
        workers = live_workers(connection, queue_name)
    except redis.RedisError as exc:
        raise ServiceUnavailable(
            "redis_unavailable", f"Redis is unreachable ({exc}); check REDIS_URL and the Redis server."
        ) from None
    if not workers:
        raise ServiceUnavailable(
            "no_worker",
            f"No live worker serves queue {queue_name!r}: start one with `summarizer worker`.",
        )
    return jsonify({"status": "ready", "queue": queue_name, "workers": len(workers)})


@bp.get("/metrics")
def prometheus_metrics():
    """Prometheus text exposition of the whole service's state, read from Redis now."""
    settings = current_app.config["SETTINGS"]
    registry = CollectorRegistry(auto_describe=False)
    registry.register(RedisCollector(current_app.extensions["redis"], settings.queue))
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)


class RedisCollector:
    """A prometheus-client collector that reads the service's state from Redis on each scrape."""

    def __init__(self, connection, queue_name):
        self.connection = connection
        self.queue_name = queue_name

    def collect(self):
        """Yield every metric family; only `summarizer_redis_up 0` when Redis is unreachable."""
        up = GaugeMetricFamily("summarizer_redis_up", "Whether Redis answered this scrape.")
        try:
            # Built fully before yielding, so a Redis error mid-way never leaves half a scrape.
            families = [*self._queue_state(), *self._workers(), *self._recorded()]
        except redis.RedisError as exc:
            log.warning("metrics scrape without Redis: %s", exc)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from families

    def _queue_state(self):
        queue = Queue(self.queue_name, connection=self.connection, serializer=JSONSerializer)
        depth = GaugeMetricFamily(
            "summarizer_queue_depth", "Jobs waiting in the queue.", labels=["queue"]
        )
        depth.add_metric([self.queue_name], queue.count)
        by_state = GaugeMetricFamily(
            "summarizer_jobs", "Jobs by state (RQ registries).", labels=["queue", "state"]
        )
        by_state.add_metric([self.queue_name, "queued"], queue.count)
        for state in REGISTRIES:
            registry = getattr(queue, f"{state}_job_registry")
            # No cleanup: a scrape must not move jobs between registries.
            by_state.add_metric([self.queue_name, state], registry.get_job_count(cleanup=False))
        return [depth, by_state]

    def _workers(self):
        workers = live_workers(self.connection, self.queue_name)
        alive = GaugeMetricFamily(
            "summarizer_workers_alive", "Workers with a live heartbeat on the queue.", labels=["queue"]
        )
        alive.add_metric([self.queue_name], len(workers))
        by_state = GaugeMetricFamily(
            "summarizer_workers", "Live workers by state (busy, idle, ...).", labels=["queue", "state"]
        )
        states = {"busy": 0, "idle": 0}
        for worker in workers:
            state = worker.get_state()
            states[state] = states.get(state, 0) + 1
        for state, count in sorted(states.items()):
            by_state.add_metric([self.queue_name, state], count)
        return [alive, by_state]

    def _recorded(self):
        counters = metrics.read_series(self.connection, metrics.COUNTERS_KEY)
        sums = metrics.read_series(self.connection, metrics.SUMS_KEY)
        gauges = metrics.read_series(self.connection, metrics.GAUGES_KEY)
        families = [_counter(*COUNTERS[name], counters.get(name, {})) for name in COUNTERS]
        families.append(_jobs_counter(counters.get("jobs", {})))
        families.append(_counter(
            "summarizer_generated_tokens", "Tokens generated, by worker.", ["worker"],
            sums.get("generated_tokens", {}),
        ))
        families.append(_counter(
            "summarizer_generation_seconds", "Seconds spent generating, by worker "
            "(rate(tokens)/rate(seconds) is tokens/s).", ["worker"], sums.get("generation_seconds", {}),
        ))
        last_rate = GaugeMetricFamily(
            "summarizer_worker_tokens_per_second", "Tokens/s of each worker's last generation.",
            labels=["worker"],
        )
        for worker, value in sorted(gauges.get("tokens_per_second", {}).items()):
            last_rate.add_metric([worker], value)
        families.append(last_rate)
        families.append(self._histogram(
            "job_seconds", "summarizer_job_duration_seconds", "Job wall time by outcome.", "outcome"
        ))
        families.append(self._histogram(
            "stage_seconds", "summarizer_stage_duration_seconds", "Time per job stage.", "stage"
        ))
        return families

    def _histogram(self, name, metric, documentation, label):
        family = HistogramMetricFamily(metric, documentation, labels=[label])
        for value, (buckets, total) in sorted(metrics.read_histogram(self.connection, name).items()):
            family.add_metric([value], buckets, total)
        return family


def _counter(name, documentation, labels, values):
    """A counter family from {label value: count}."""
    family = CounterMetricFamily(name, documentation, labels=labels)
    for label, value in sorted(values.items()):
        family.add_metric([label], value)
    return family


def _jobs_counter(values):
    """summarizer_jobs_processed_total{worker, outcome} from fields stored as '<worker>|<outcome>'."""
    family = CounterMetricFamily(
        "summarizer_jobs_processed", "Jobs ended, by worker and outcome.", labels=["worker", "outcome"]
    )
    for label, value in sorted(values.items()):
        worker, _, outcome = label.rpartition(metrics.SEPARATOR)
        family.add_metric([worker, outcome], value)
    return family


def worker_alive(connection, queue_name, hostname):
    """True when a worker on `hostname` has a live heartbeat, or Redis is down (not its fault)."""
    try:
        return any(w.hostname == hostname for w in live_workers(connection, queue_name))
    except redis.RedisError as exc:
        log.warning("cannot check the worker, Redis is unreachable: %s", exc)
        return True


def main(argv=None):
    """`python -m summarizer.ops worker-alive`: exit status for a container liveness probe."""
    from summarizer.config import Settings
    from summarizer.connection import connect

    argv = sys.argv[1:] if argv is None else argv
    if argv != ["worker-alive"]:
        sys.stderr.write("usage: python -m summarizer.ops worker-alive\n")
        return 2
    settings = Settings.from_env()
    try:
        connection = connect(settings)
    except ServiceUnavailable as exc:
        sys.stderr.write(f"{exc.message}\n")
        return 0  # no Redis to check against; restarting the worker would not bring it back
    hostname = socket.gethostname()
    if worker_alive(connection, settings.queue, hostname):
        return 0
    sys.stderr.write(f"no live worker on {hostname} serves queue {settings.queue!r}\n")
    return 1


if __name__ == "__main__":
    sys.exit(main())
