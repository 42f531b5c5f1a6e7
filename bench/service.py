"""The service as a user runs it: a `summarizer serve` subprocess, driven over HTTP, timed from outside.

`Service` starts `python -m summarizer.cli serve` (embedded Redis, N workers, gunicorn/gevent API) on a
free port with its own data directory, waits until /readyz reports every worker, and stops it again.
`summarize` uploads a document as a multipart file and follows the SSE stream to `done`, stamping
each event's arrival; `map_workers` reads which worker ran each map job straight from the embedded
Redis (RQ's own records).
"""

import contextlib
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import timezone

import requests

from summarizer.client import parse_sse

log = logging.getLogger(__name__)

START_TIMEOUT_SECONDS = 120
"""Model load + gunicorn start; generous because the machine is shared and may be busy."""

STREAM_TIMEOUT_SECONDS = 1800
"""Longest a benchmark request may take end to end (a 100k-token document on 2 cores)."""


def free_port():
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Service:
    """`summarizer serve` in a subprocess with its own port and data directory."""

    def __init__(self, workers=1, n_threads=2, extra_env=None):
        self.workers, self.n_threads = workers, n_threads
        self.port = free_port()
        self.data_dir = tempfile.mkdtemp(prefix="summarizer-bench-")
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith("SUMMARIZER_") and k != "REDIS_URL"}
        self.env.update(SUMMARIZER_PORT=str(self.port), SUMMARIZER_DATA_DIR=self.data_dir,
                        SUMMARIZER_WORKERS=str(workers), SUMMARIZER_N_THREADS=str(n_threads),
                        SUMMARIZER_LOG_LEVEL="WARNING", **(extra_env or {}))
        self.process = None
        self.session = requests.Session()

    def __enter__(self):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "summarizer.cli", "serve"], env=self.env,
            stdout=subprocess.DEVNULL, stderr=open(os.path.join(self.data_dir, "serve.log"), "wb"))
        self._wait_ready()
        return self

    def __exit__(self, kind, error, trace):
        self.session.close()
        if kind is not None:
            code = self.process.poll() if self.process else None
            log.error("summarizer serve (exit %s) log tail:\n%s", code, self._log_tail())
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.data_dir, ignore_errors=True)

    def _wait_ready(self):
        """Block until /readyz counts every worker (each has loaded the model)."""
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"summarizer serve exited with {self.process.returncode}: "
                                   f"{self._log_tail()}")
            with contextlib.suppress(requests.RequestException):
                response = self.session.get(f"{self.base}/readyz", timeout=5)
                if response.ok and response.json().get("workers") == self.workers:
                    return
            time.sleep(0.25)
        raise RuntimeError(f"summarizer serve not ready after {START_TIMEOUT_SECONDS}s: {self._log_tail()}")

    def _log_tail(self):
        with contextlib.suppress(OSError):
            with open(os.path.join(self.data_dir, "serve.log"), "rb") as handle:
                return handle.read()[-2000:].decode("utf-8", "replace")
        return ""

    def summarize(self, data, options, filename="document.txt"):
        """Upload `data` and follow its SSE stream to the end: (result, stamps, events).

        `stamps` are seconds since just before the request: first event, first token, done.
        """
        fields = {k: (str(v).lower() if isinstance(v, bool) else v) for k, v in options.items()}
        began = time.perf_counter()
        stamps, events = {}, []
        with self.session.post(f"{self.base}/summarize", files={"file": (filename, data)},
                               data=fields, headers={"Accept": "text/event-stream"}, stream=True,
                               timeout=(10, STREAM_TIMEOUT_SECONDS)) as response:
            response.raise_for_status()
            for event in parse_sse(response.iter_lines(decode_unicode=True)):
                now = time.perf_counter() - began
                stamps.setdefault("first_event", now)
                if event.event == "token":
                    stamps.setdefault("first_token", now)
                events.append((now, event.event, event.data))
                if event.event in ("done", "error"):
                    stamps["end"] = now
                    break
        if events[-1][1] != "done":
            raise RuntimeError(f"the service answered {events[-1][1]}: {events[-1][2]}")
        return events[-1][2], stamps, events

    def first_token(self, data, options, filename="document.txt"):
        """Seconds to the first SSE event and to the first token; then cancel the job and wait
        until the worker has let go of it (its stream ends), so the next request finds it free."""
        fields = {k: (str(v).lower() if isinstance(v, bool) else v) for k, v in options.items()}
        began = time.perf_counter()
        stamps = {}
        with self.session.post(f"{self.base}/summarize", files={"file": (filename, data)},
                               data=fields, headers={"Accept": "text/event-stream"}, stream=True,
                               timeout=(10, STREAM_TIMEOUT_SECONDS)) as response:
            response.raise_for_status()
            job_id = response.headers["X-Job-Id"]
            for event in parse_sse(response.iter_lines(decode_unicode=True)):
                now = time.perf_counter() - began
                stamps.setdefault("first_event", now)
                if event.event == "token" and "first_token" not in stamps:
                    stamps["first_token"] = now
                    self.session.delete(f"{self.base}/jobs/{job_id}", timeout=10)
                if event.event in ("done", "error"):
                    break
        return stamps

    def wait_json(self, text, options):
        """POST JSON and wait for the result (?wait=true): (seconds, cache header, result)."""
        began = time.perf_counter()
        response = self.session.post(f"{self.base}/summarize?wait=true", json=dict(options, text=text),
                                     timeout=STREAM_TIMEOUT_SECONDS)
        elapsed = time.perf_counter() - began
        response.raise_for_status()
        return elapsed, response.headers.get("X-Summarizer-Cache"), response.json()

    def processes(self):
        """{"api": [psutil.Process], "worker": [...], "redis": [...]} of this service's children."""
        import psutil

        roles = {"api": [], "worker": [], "redis": []}
        for child in psutil.Process(self.process.pid).children(recursive=True):
            with contextlib.suppress(psutil.Error):
                command = " ".join(child.cmdline())
                if "summarizer.cli worker" in command:
                    roles["worker"].append(child)
                elif "gunicorn" in command:
                    roles["api"].append(child)
                elif "redis-server" in command:
                    roles["redis"].append(child)
        return roles

    def map_jobs(self, job_id):
        """[(worker name, started, ended)] of the map jobs behind reduce job `job_id`, from RQ."""
        import redis
        from summarizer.queue import rqaccess

        connection = redis.Redis(unix_socket_path=os.path.join(self.data_dir, "redis", "redis.sock"))
        try:
            parent = rqaccess.fetch(connection, job_id)
            maps = rqaccess.fetch_many(connection, parent.meta.get("map_jobs", []) if parent else [])
            return [(job.worker_name, _epoch(job.started_at), _epoch(job.ended_at)) for job in maps if job]
        finally:
            connection.close()


def _epoch(moment):
    """RQ's naive-UTC datetimes as epoch seconds."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp()
