"""Child processes that die with their parent: `summarizer serve`'s API server and workers
(serve.py) and the embedded redis-server (queue/redis_embed.py) are all started with it, so none
is left running, bound to the port or the data folder, when `serve` dies, even by SIGKILL."""

import ctypes
import os
import signal


PR_SET_PDEATHSIG = 1
"""prctl(2) option: the signal a process gets when the thread that started it exits."""


def die_with_parent(umask=None):
    """A Popen preexec_fn (Linux): the child gets SIGTERM when this process dies, however it dies,
    and starts with `umask` when given. The signal comes when the *thread* that started the child
    ends, so start children from one that lives as long as they should (here: the main thread).
    Without prctl (not Linux) a child outlives a killed parent; the data folder's lock still keeps
    a second Redis off its folder."""
    parent = os.getpid()
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl  # looked up here: after fork, only call
    except (OSError, AttributeError):
        prctl = None
    if prctl is None and umask is None:
        return None

    def preexec():
        if umask is not None:
            os.umask(umask)
        if prctl is not None:
            prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
            if os.getppid() != parent:  # the parent died before prctl took effect
                os._exit(1)

    return preexec
