"""Work proportional to a document, run off the API's event loop.

The API is one gunicorn gevent process: a greenlet that computes for seconds (reading a 10 MB
text, hashing and serialising its blocks, the preview) holds every other request, /healthz and
every open event stream with it, and gunicorn then kills the process for a missed heartbeat
(issue 23: 8-30 s stalls). `off_loop` runs such a step on gevent's pool of native threads: the
interpreter hands the lock back to the loop every switch interval (5 ms), so the loop keeps
answering while the step runs. Outside gevent (the CLI, the workers, tests on Flask's client) it
is a plain call.

Only pure computation goes there: a step that does I/O through gevent (Redis, a parse child,
a URL fetch) stays on the loop, which is where gevent's sockets and child watchers live.
"""

import sys

SWITCH_SECONDS = 0.001
"""How long a thread may hold the interpreter while the event loop waits for it (Python's default
is 5 ms). A request on the loop takes the interpreter back a few times (each socket call gives it
up), and on a loaded machine each wait also waits for the scheduler; a shorter interval keeps the
loop's answers short while a document is read on a thread, for a few more switches of that
thread. (The threads keep the process's priority: a lower one made it worse, the loop then waits
for a thread that holds the interpreter and is not scheduled.)"""


def off_loop(function, *args, **kwargs):
    """`function(*args, **kwargs)`, on a native thread when the process runs under gevent."""
    if not _under_gevent():
        return function(*args, **kwargs)
    import gevent

    sys.setswitchinterval(SWITCH_SECONDS)
    return gevent.get_hub().threadpool.apply(function, args, kwargs)


def _under_gevent():
    """Whether gunicorn's gevent worker has patched this process (threads are greenlets then)."""
    try:
        from gevent import monkey
    except ImportError:
        return False
    return monkey.is_module_patched("threading")


def give_way():
    """Let the event loop serve others before going on (under gevent; nothing elsewhere)."""
    if _under_gevent():
        import gevent

        gevent.sleep(0)


WARM_THREADS = 2
"""Pool threads started with the process; more start on demand, up to gevent's pool size."""


def warm():
    """Under gevent, start WARM_THREADS pool threads and import the readers on them now, at the
    process's start: on the first hostile request they held the loop 0.3-1 s (thread start and
    imports, reported by gevent's monitor thread on a loaded machine)."""
    if not _under_gevent():
        return
    import gevent

    pool = gevent.get_hub().threadpool
    gevent.spawn(lambda: [pool.spawn(_import_readers) for _ in range(WARM_THREADS)])


def _import_readers():
    import summarizer.extract.dispatch  # noqa: F401 - the readers and their libraries
