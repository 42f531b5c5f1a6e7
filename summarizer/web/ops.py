"""Operational endpoints: /healthz (process up, and Redis not gone for long), /readyz (Redis, a
live worker and, with backend openai, the inference server answering), /metrics.

/metrics reads live state on every scrape (queue depth, jobs by RQ registry, workers alive) and the
counters and histograms that API and worker processes record into Redis (summarizer.queue.metrics), so
one scrape of any API replica sees the whole service, whichever machine a worker runs on.

The liveness check of a worker container, which has no HTTP port, is `summarizer worker-alive`
(queue/worker.py, worker_alive).
"""

import logging
import time

import redis
from flask import Blueprint, Response, current_app, jsonify
from redis.backoff import NoBackoff
from redis.retry import Retry
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
)

from summarizer.engine.backend import uses_upstream
from summarizer.engine.upstream import Upstream
from summarizer.queue import metrics, rqaccess
from summarizer.queue.jobs import live_workers
from summarizer.web.auth import public
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


class RedisWatch:
    """How long Redis has failed this process's health checks (0 while it answers). Its own
    client, with short timeouts and no retries, so a probe neither waits out the pool's 5 s on a
    hung Redis nor redis-py's back-off on a dead one (4 s per ping of a missing socket)."""

    PING_TIMEOUT_SECONDS = 1.0

    def __init__(self, connection):
        pool = connection.connection_pool
        options = dict(pool.connection_kwargs, socket_timeout=self.PING_TIMEOUT_SECONDS,
                       socket_connect_timeout=self.PING_TIMEOUT_SECONDS,
                       retry=Retry(NoBackoff(), 0))
        self.client = redis.Redis(connection_pool=redis.ConnectionPool(
            connection_class=pool.connection_class, **options))
        self.down_since = None

    def gone_for(self):
        try:
            self.client.ping()
        except (redis.RedisError, OSError):
            now = time.monotonic()
            self.down_since = self.down_since or now
            return now - self.down_since
        self.down_since = None
        return 0.0


def redis_watch(app):
    """The app's RedisWatch, made on first use (one per process)."""
    if "redis_watch" not in app.extensions:
        app.extensions["redis_watch"] = RedisWatch(app.extensions["redis"])
    return app.extensions["redis_watch"]


@bp.get("/healthz")
@public
def healthz():
    """The process is up; 503 once Redis has been unreachable for redis_grace_seconds (a Redis
    that restarts, or a blip, does not get the API restarted)."""
    grace = current_app.config["SETTINGS"].redis_grace_seconds
    watch = redis_watch(current_app)
    gone = watch.gone_for()
    if gone >= grace:
        raise ServiceUnavailable(
            "redis_unavailable",
            f"Redis has been unreachable for {gone:.0f} s (redis_grace_seconds={grace:g}).",
            headers={"Retry-After": "5"},
        )
    body = {"status": "ok"}
    if watch.down_since is not None:
        body["redis"] = f"unreachable for {gone:.0f} s"
    return jsonify(body)


@bp.get("/readyz")
def readyz():
    """Ready when Redis answers, at least one live worker serves the queue and the upstream (backend
    openai) answers with the key; 503 with the reason otherwise."""
    connection = current_app.extensions["redis"]
    settings = current_app.config["SETTINGS"]
    queue_name = settings.queue
    try:
        connection.ping()
        workers = live_workers(connection, queue_name)
    except redis.RedisError as exc:
        log.warning("readyz: Redis is unreachable: %s", exc)  # its address: for the log only
        raise ServiceUnavailable(
            "redis_unavailable", "Redis is unreachable; check REDIS_URL and the Redis server."
        ) from None
    if not workers:
        raise ServiceUnavailable(
            "no_worker",
            f"No live worker serves queue {queue_name!r}: start one with `summarizer worker`.",
        )
    body = {"status": "ready", "queue": queue_name, "workers": len(workers)}
    if uses_upstream(settings):
        upstream = upstream_of(current_app, settings)
        error = upstream.health()
        if error is not None:  # 503 whatever the upstream's own status: we are not ready
            raise ServiceUnavailable(error.code, error.message, details=error.details,
                                     headers={"Retry-After": "5"})
        body["upstream"] = upstream.where
    return jsonify(body)


def upstream_of(app, settings):
    """The app's Upstream client for /readyz, made on first use (one per process)."""
    if "upstream" not in app.extensions:
        app.extensions["upstream"] = Upstream(settings.upstream)
    return app.extensions["upstream"]


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
        queue = rqaccess.queue(self.connection, self.queue_name)
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
