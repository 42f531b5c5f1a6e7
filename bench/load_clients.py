"""The load benchmark's clients (bench/load.py): SSE followers, a /healthz prober, a CPU/RSS
sampler of the API processes, and a thread-safe count of open streams."""

import threading
import time

import psutil
import requests


class Sampler(threading.Thread):
    """Every 0.5 s: the API processes' CPU (% of one core, summed) and RSS (summed)."""

    def __init__(self, api_processes):
        super().__init__(daemon=True)
        self.api_processes = api_processes
        self.cpu, self.rss = [], []
        self.done = threading.Event()
        self._known = {}

    def run(self):
        while not self.done.wait(0.5):
            processes = self.api_processes()
            cpu = rss = 0.0
            for process in processes:
                tracked = self._known.setdefault(process.pid, process)
                try:
                    cpu += tracked.cpu_percent(None)
                    rss += tracked.memory_info().rss
                except psutil.Error:
                    pass
            self.cpu.append(cpu)
            self.rss.append(rss)


class Prober(threading.Thread):
    """GET /healthz every 100 ms; latencies tagged with how many streams were open then."""

    def __init__(self, url, open_streams):
        super().__init__(daemon=True)
        self.url, self.open_streams = url, open_streams
        self.samples, self.failures = [], 0
        self.done = threading.Event()

    def run(self):
        session = requests.Session()
        while not self.done.wait(0.1):
            began = time.perf_counter()
            try:
                ok = session.get(self.url + "/healthz", timeout=10).status_code == 200
            except requests.RequestException:
                ok = False
            if ok:
                self.samples.append((time.perf_counter() - began, self.open_streams()))
            else:
                self.failures += 1


class StreamClient(threading.Thread):
    """One SSE client following a job until `done`/`error` or the deadline."""

    def __init__(self, url, job_id, deadline, counter):
        super().__init__(daemon=True)
        self.url, self.job_id, self.deadline, self.counter = url, job_id, deadline, counter
        self.first_event = None
        self.events = 0
        self.final = None
        self.error = None

    def run(self):
        began = time.perf_counter()
        try:
            with requests.get(f"{self.url}/jobs/{self.job_id}/events", stream=True,
                              headers={"Accept": "text/event-stream"}, timeout=30) as response:
                response.raise_for_status()
                self.counter.change(+1)
                try:
                    self._read(response, began)
                finally:
                    self.counter.change(-1)
        except requests.RequestException as exc:
            self.error = repr(exc)

    def _read(self, response, began):
        buffer = ""
        for chunk in response.iter_content(chunk_size=None, decode_unicode=True):
            buffer += chunk
            *lines, buffer = buffer.split("\n")
            for line in lines:
                if line.startswith("event:"):
                    self.events += 1
                    if self.first_event is None:
                        self.first_event = time.perf_counter() - began
                    if line[6:].strip() in ("done", "error"):
                        self.final = line[6:].strip()
                        return
            if time.monotonic() > self.deadline:
                return


class Counter:
    """A thread-safe count of open streams."""

    def __init__(self):
        self.value, self.peak = 0, 0
        self._lock = threading.Lock()

    def change(self, delta):
        with self._lock:
            self.value += delta
            self.peak = max(self.peak, self.value)
