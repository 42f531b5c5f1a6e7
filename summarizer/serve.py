"""`summarizer serve`: one process that owns the embedded Redis, the API server and the workers.

Workers and the embedded Redis that die are restarted with a back-off (Redis from its AOF); the API
server dying ends the service (a process manager above us, systemd or Kubernetes, restarts the
whole thing). Every child is told to stop when `serve` dies, even by SIGKILL, so none is left
running and bound to the port or the data folder.
"""

import logging
import signal
import subprocess
import sys
import time

from summarizer.processes import die_with_parent

log = logging.getLogger(__name__)

POLL_SECONDS = 0.5
"""How often children are checked."""

RESTART_BACKOFF_SECONDS = (1, 2, 5, 10, 30)
"""Waits before restarting a worker that keeps dying; the last value repeats."""

STABLE_AFTER_SECONDS = 60
"""A worker up this long resets its back-off: its next death is treated as the first."""

STOP_GRACE_SECONDS = 30
"""How long children get to finish (a worker's current job) after SIGTERM before SIGKILL."""


class Child:
    """A supervised child process and its restart history."""

    def __init__(self, name, command, env):
        self.name, self.command, self.env = name, command, env
        self.process = None
        self.started_at = 0.0
        self.failures = 0
        self.restart_at = None
        self.restarts = 0

    def start(self):
        self.process = subprocess.Popen(self.command, env=self.env, preexec_fn=die_with_parent())
        self._started()

    def _started(self):
        self.started_at = time.monotonic()
        self.restart_at = None
        log.info("started %s (pid %d)", self.name, self.process.pid)

    def exited(self):
        return self.process is not None and self.process.poll() is not None


class RedisChild(Child):
    """The embedded redis-server (redis_embed.EmbeddedRedis) as a supervised child: restarted on
    the same socket from its AOF, so clients reconnect to it as if it had never gone."""

    def __init__(self, server):
        super().__init__("redis", None, None)
        self.server = server
        self.process = server.process

    def start(self):
        try:
            self.server.start()
        finally:
            self.process = self.server.process  # a failed start is a death, tended like one
        self._started()

    def exited(self):
        return self.process is None or self.process.poll() is not None


class Supervisor:
    """Runs the API server and the workers (and tends an embedded Redis) until told to stop."""

    def __init__(self, api_command, worker_commands, env, on_restart=None, redis_server=None):
        self.api = Child("api", api_command, env)
        self.workers = [Child(f"worker-{i}", cmd, env) for i, cmd in enumerate(worker_commands)]
        # Started (and finally stopped) by the caller, around the others; restarted here.
        self.redis = RedisChild(redis_server) if redis_server else None
        self.on_restart = on_restart
        self._stopping = False

    def run(self):
        """Start everything and supervise until SIGTERM/SIGINT or the API server exits."""
        signal.signal(signal.SIGTERM, self._request_stop)
        signal.signal(signal.SIGINT, self._request_stop)
        for child in [*self.workers, self.api]:
            child.start()
        try:
            while not self._stopping and not self.api.exited():
                if self.redis:
                    self._tend(self.redis)
                for worker in self.workers:
                    self._tend(worker)
                time.sleep(POLL_SECONDS)
        finally:
            self.stop()
        return 0 if self._stopping else (self.api.process.returncode or 1)

    def _tend(self, worker):
        now = time.monotonic()
        if worker.restart_at is not None:
            if now >= worker.restart_at:
                try:
                    worker.start()
                except Exception:  # noqa: BLE001 - a child that cannot start is retried, later
                    log.exception("%s did not start", worker.name)
                    worker.started_at, worker.restart_at = now, None  # its back-off keeps growing
                    return
                worker.restarts += 1
                if self.on_restart and worker is not self.redis:
                    self.on_restart(worker)
            return
        if not worker.exited():
            return
        if now - worker.started_at >= STABLE_AFTER_SECONDS:
            worker.failures = 0
        delay = RESTART_BACKOFF_SECONDS[min(worker.failures, len(RESTART_BACKOFF_SECONDS) - 1)]
        worker.failures += 1
        worker.restart_at = now + delay
        log.warning("%s exited with %s; restarting in %ss", worker.name,
                    worker.process.returncode if worker.process else "no process", delay)

    def _request_stop(self, signum, frame):
        self._stopping = True

    def stop(self):
        """SIGTERM every child (workers finish their job), then SIGKILL what is left."""
        alive = [c.process for c in [self.api, *self.workers] if c.process and c.process.poll() is None]
        for process in alive:
            process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for process in alive:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def api_command(settings):
    """Gunicorn with gevent workers: each open SSE stream is a greenlet, not a thread, so a few
    hundred idle streams cost memory, not threads, and never starve new requests."""
    command = [
        sys.executable, "-m", "gunicorn", "--worker-class", "gevent",
        "--workers", str(settings.http_workers), "--worker-connections", "2000",
        "--bind", f"{settings.host}:{settings.port}", "--graceful-timeout", "10",
        *(["--bind", f"{settings.host}:{settings.metrics_port}"] if settings.metrics_port else []),
        "--no-control-socket", "--access-logfile", "-",
    ]
    if settings.tls_cert:
        command += ["--certfile", settings.tls_cert, "--keyfile", settings.tls_key]
    return command + ["summarizer.web.app:create_app()"]


def worker_command(index, gpus):
    """A worker process; with a list of GPUs, worker i owns gpus[i % len(gpus)]."""
    command = [sys.executable, "-m", "summarizer.cli", "worker"]
    if gpus:
        command += ["--gpu", gpus[index % len(gpus)]]
    return command
