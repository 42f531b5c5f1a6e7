"""Peak resident memory of groups of processes while something runs, sampled from a thread.

RSS is what the kernel holds in RAM for a process (the model's mapped weights included once they are
touched). Sampling misses spikes shorter than the interval; at 50 ms, a model call that allocates
its buffers for seconds is seen.
"""

import contextlib
import threading

import psutil

SAMPLE_SECONDS = 0.05
"""Sampling interval: short against a model call (seconds), cheap against 2 cores (~1% of one)."""


class PeakRSS:
    """Context manager: the peak RSS in MiB per role while the block runs.

    `roles()` returns {role: [psutil.Process]}; it is called once at the start (processes do not
    change during a benchmark request). A role's value is the largest single process of that role,
    and `<role>_total` the peak of their sum (several workers, gunicorn's master and worker).
    """

    def __init__(self, roles):
        self.roles = roles()
        self.peaks = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="rss-sampler")

    def __enter__(self):
        self._sample()
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self._sample()

    def _run(self):
        while not self._stop.wait(SAMPLE_SECONDS):
            self._sample()

    def _sample(self):
        for role, processes in self.roles.items():
            sizes = []
            for process in processes:
                with contextlib.suppress(psutil.Error):
                    sizes.append(process.memory_info().rss / 2**20)
            if sizes:
                self._raise(role, max(sizes))
                self._raise(f"{role}_total", sum(sizes))

    def _raise(self, key, value):
        self.peaks[key] = round(max(self.peaks.get(key, 0.0), value), 1)


def this_process():
    """Roles for measuring the current process (the in-process baselines)."""
    return lambda: {"process": [psutil.Process()]}
