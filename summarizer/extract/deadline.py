"""One deadline for a whole URL fetch (fetch.py): connect, TLS, headers and body of every hop.

urllib3's timeouts bound each socket operation, so a server that drips a byte a second never trips
a read timeout: with fetch_timeout=3 such a server held a fetch for 40 s. A Deadline shuts down the
fetch's sockets when its time is up, so a blocked read returns at once, whatever phase it is in.
"""

import socket
import threading
import time


class Deadline:
    """The end of one fetch: when it comes, every connection the fetch opened is shut down, so a
    read blocked on a dripping server returns at once, in whichever phase it is (TLS handshake,
    headers, body). A timer thread (a greenlet under gevent) does the shutting."""

    def __init__(self, seconds):
        self.at = time.monotonic() + seconds
        self._connections = []
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self):
        self._timer.start()
        return self

    def __exit__(self, *exc):
        self._timer.cancel()

    def passed(self):
        return time.monotonic() >= self.at

    def watch(self, connection):
        self._connections.append(connection)

    def _expire(self):
        for connection in self._connections:
            sock = getattr(connection, "sock", None)
            if sock is not None:
                try:
                    # socket.socket's shutdown, not SSLSocket's, which would also drop the TLS
                    # object under a reader in another thread; the fd is what must wake up.
                    socket.socket.shutdown(sock, socket.SHUT_RDWR)
                except OSError:
                    pass


def watched(connection_class, deadline):
    """A urllib3 connection class whose connections the deadline can shut down."""

    class Watched(connection_class):
        def connect(self):
            deadline.watch(self)
            super().connect()

    return Watched
