"""Faults against real Redis and real worker processes: nothing acknowledged is lost."""

import os
import signal
import subprocess
import sys
import time

import psutil
import pytest
import redis
import requests
from rq import Worker

from summarizer import create_app
from summarizer.client import parse_sse
from summarizer.queue.redis_embed import EmbeddedRedis
from tests.conftest import (REPO, TEST_SETTINGS, WORKER_ENV, start_serve, start_worker, stop_serve,
                            wait_for, worker_registered)
from tests.sse import events_of, lines_of


def worker_idle(redis_client, name):
    """Whether worker `name` is through its start-up and waiting for jobs."""
    return any(w.name == name and w.get_state() == "idle" for w in Worker.all(connection=redis_client))

# Long enough that prompt evaluation takes seconds on one CPU thread: time to act mid-job.
SLOW_TEXT = " ".join(
    f"Report {n}: the harbour authority counted {n * 7} ships, repaired pier {n} and hired "
    f"{n + 3} pilots, while fuel prices rose by {n} percent." for n in range(1, 22))

FAST_RECOVERY = {"SUMMARIZER_WORKER_HEARTBEAT": "1", "SUMMARIZER_MAINTENANCE_INTERVAL": "1",
                 "SUMMARIZER_WORKER_TTL": "20"}


def status_of(client, job_id):
    return client.get(f"/jobs/{job_id}").get_json()["status"]


def wait_until_reading(client, job_id):
    """Block until the worker is evaluating the prompt (a progress event), i.e. mid-job."""
    events_of(client.get(f"/jobs/{job_id}/events", buffered=False), until=("progress",))


@pytest.fixture
def fault_queue(redis_url):
    """An app and its own queue, so killing workers here never touches the session worker."""
    queue = f"faults-{time.monotonic_ns()}"
    app = create_app({"TESTING": True, "REDIS_URL": redis_url, **TEST_SETTINGS, "QUEUE": queue,
                      "HEARTBEAT_SECONDS": 0.5})
    started = []

    def worker(tag):
        process = start_worker(redis_url, {**FAST_RECOVERY, "SUMMARIZER_QUEUE": queue}, tag=tag)
        started.append(process)
        wait_for(lambda: worker_registered(app.extensions["redis"], tag), 120, tag)
        return process

    yield app, worker
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_killed_worker_mid_job_is_detected_and_the_job_rerun(fault_queue):
    app, worker = fault_queue
    client = app.test_client()
    doomed = worker("doomed")
    job_id = client.post("/summarize", json={"text": SLOW_TEXT, "cache": False}).get_json()["job_id"]
    wait_until_reading(client, job_id)
    doomed.send_signal(signal.SIGKILL)
    doomed.wait()
    killed_at = time.monotonic()
    worker("rescuer")
    events = events_of(client.get(f"/jobs/{job_id}/events", buffered=False))
    statuses = [e.data for e in events if e.event == "status"]
    restarted = [s for s in statuses if s["status"] == "restarted"]
    assert restarted and restarted[0]["attempt"] == 2
    assert events[-1].event == "done"
    assert status_of(client, job_id) == "finished"
    print(f"recovered {time.monotonic() - killed_at:.1f}s after SIGKILL (done)")


def test_sigterm_lets_the_current_job_finish(fault_queue):
    app, worker = fault_queue
    client = app.test_client()
    process = worker("graceful")
    job_id = client.post("/summarize", json={"text": SLOW_TEXT, "cache": False}).get_json()["job_id"]
    wait_until_reading(client, job_id)
    process.send_signal(signal.SIGTERM)
    events = events_of(client.get(f"/jobs/{job_id}/events", buffered=False))
    assert events[-1].event == "done"
    assert process.wait(timeout=60) == 0
    assert "restarted" not in [e.data.get("status") for e in events if e.event == "status"]


@pytest.mark.parametrize("model_file", ["missing", "corrupt"])
def test_worker_with_a_bad_model_exits_with_a_clear_message(tmp_path, redis_url, model_file):
    path = tmp_path / "model.gguf"
    if model_file == "corrupt":
        path.write_bytes(b"GGUF" + os.urandom(4096))
    env = {**os.environ, "REDIS_URL": redis_url, **WORKER_ENV, "SUMMARIZER_MODEL_PATH": str(path),
           "SUMMARIZER_QUEUE": "bad-model"}
    done = subprocess.run([sys.executable, "-m", "summarizer.cli", "worker"], env=env, cwd=REPO,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert str(path) in done.stderr and ("not found" in done.stderr or "Cannot load" in done.stderr)
    app = create_app({"TESTING": True, "REDIS_URL": redis_url, "QUEUE": "bad-model"})
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == "no_worker"


def test_redis_restart_loses_no_acknowledged_job(tmp_path):
    server = EmbeddedRedis(tmp_path / "redis", appendonly=True).start()
    app = create_app({"TESTING": True, "REDIS_URL": server.url, **TEST_SETTINGS, "QUEUE": "restart"})
    client = app.test_client()
    worker = start_worker(server.url, {**FAST_RECOVERY, "SUMMARIZER_QUEUE": "restart"}, tag="w1")
    try:
        # Idle, not only registered: held between the two, its start-up's next write met the
        # restarted Redis's closed socket and the worker exited (a clean clone's CI under load 4).
        wait_for(lambda: worker_idle(app.extensions["redis"], "w1"), 120, "worker")
        os.kill(worker.pid, signal.SIGSTOP)  # hold the worker: the jobs stay queued
        accepted = [client.post("/summarize", json={"text": f"Item {i}. " + SLOW_TEXT[:400],
                                                   "cache": False}).get_json()["job_id"]
                    for i in range(3)]
        server.stop()
        down = client.post("/summarize", json={"text": "while down"})
        assert down.status_code == 503 and down.get_json()["error"]["code"] == "redis_unavailable"
        assert client.get(f"/jobs/{accepted[0]}").status_code == 503
        server.start()
        os.kill(worker.pid, signal.SIGCONT)
        for job_id in accepted:
            events = events_of(client.get(f"/jobs/{job_id}/events", buffered=False))
            assert events[-1].event == "done", events[-1].data
    finally:
        worker.kill()
        worker.wait()
        server.stop()


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """`summarizer serve` with short grace and fast recovery, for process-level faults."""
    server = start_serve(tmp_path_factory.mktemp("faults-serve"), {
        **FAST_RECOVERY, "SUMMARIZER_ORPHAN_GRACE_SECONDS": "1"})
    yield server
    stop_serve(server)


def open_stream(server, body):
    response = requests.post(f"{server.url}/summarize", json=body, stream=True, timeout=60,
                             headers={**server.auth, "Accept": "text/event-stream"})
    assert response.status_code == 200
    return response, parse_sse(lines_of(response.iter_content(chunk_size=None)))


def test_client_that_disconnects_cancels_its_job(served):
    response, events = open_stream(served, {"text": SLOW_TEXT + " Disconnect.", "cache": False})
    job_id = next(events).data["job_id"]
    response.close()
    job = lambda: requests.get(f"{served.url}/jobs/{job_id}", headers=served.auth).json()
    wait_for(lambda: job()["status"] in ("canceled", "finished"), 60, "the orphaned job to end")
    assert job()["status"] == "canceled"


def test_reconnecting_client_gets_every_token_exactly_once(served):
    response, events = open_stream(served, {"text": SLOW_TEXT + " Reconnect.", "cache": False})
    seen = []
    for event in events:
        seen.append(event)
        if event.event == "token":
            break
    response.close()
    resumed = requests.get(f"{served.url}/jobs/{seen[0].data['job_id']}/events", stream=True,
                           headers={**served.auth, "Last-Event-ID": seen[-1].id}, timeout=120)
    for event in parse_sse(lines_of(resumed.iter_content(chunk_size=None))):
        seen.append(event)
        if event.event in ("done", "error"):
            break
    assert seen[-1].event == "done", seen[-1].data
    full = requests.get(f"{served.url}/jobs/{seen[0].data['job_id']}/events", stream=True,
                        headers=served.auth, timeout=120)
    replay = list(parse_sse(lines_of(full.iter_content(chunk_size=None))))
    assert [e.id for e in seen] == [e.id for e in replay]  # nothing missed, nothing twice


def test_serve_restarts_a_worker_that_dies(served):
    serve = psutil.Process(served.process.pid)
    workers = [p for p in serve.children() if "summarizer.cli worker" in " ".join(p.cmdline())]
    assert len(workers) == 1
    workers[0].kill()
    killed_at = time.monotonic()
    wait_for(lambda: any(p.pid != workers[0].pid and "summarizer.cli worker" in " ".join(p.cmdline())
                         for p in serve.children()), 30, "a new worker process")
    wait_for(lambda: len(Worker.all(connection=served.redis)) >= 1 and any(
        w.pid != workers[0].pid for w in Worker.all(connection=served.redis)), 60, "it to register")
    print(f"worker back {time.monotonic() - killed_at:.1f}s after it was killed")
    metrics = requests.get(f"{served.url}/metrics", headers=served.auth).text
    assert 'summarizer_worker_restarts_total{worker="worker-0"} 1.0' in metrics


def running(process):
    try:
        return process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def answers(client):
    try:
        return client.ping()
    except (redis.ConnectionError, FileNotFoundError):
        return False


@pytest.fixture
def lone_serve(tmp_path):
    """`summarizer serve` of its own (data folder included), killed whatever the test did."""
    server = start_serve(tmp_path / "state", FAST_RECOVERY)
    yield server
    if server.process.poll() is None:
        stop_serve(server)


def test_serve_restarts_its_redis_when_it_dies(lone_serve):
    serve = psutil.Process(lone_serve.process.pid)
    (redis_server,) = [p for p in serve.children() if "redis-server" in " ".join(p.cmdline())]
    redis_server.kill()
    killed_at = time.monotonic()
    wait_for(lambda: answers(lone_serve.redis), 60, "serve to restart its Redis")
    print(f"embedded Redis back {time.monotonic() - killed_at:.1f}s after SIGKILL")
    done = requests.post(f"{lone_serve.url}/summarize?wait=true", headers=lone_serve.auth,
                         json={"text": "The museum reopens its east wing on Friday.", "cache": False},
                         timeout=300)
    assert done.status_code == 200, done.text
    assert requests.get(f"{lone_serve.url}/healthz", timeout=10).status_code == 200


def test_children_die_with_serve_and_free_the_port_and_folder(lone_serve, tmp_path):
    serve = psutil.Process(lone_serve.process.pid)
    children = serve.children(recursive=True)
    assert len(children) >= 4  # redis-server, gunicorn and its worker, our worker
    serve.kill()  # SIGKILL: serve itself cannot stop anything
    lone_serve.process.wait()
    try:
        wait_for(lambda: not any(running(child) for child in children), 60,
                 "serve's children to exit after it was killed")
    finally:
        for child in children:
            if running(child):
                child.kill()
    again = start_serve(tmp_path / "state")  # the data folder (and its lock) was let go
    stop_serve(again)
