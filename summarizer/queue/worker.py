"""A worker: one process, one GPU, one model loaded once, jobs run one at a time.

It runs jobs in its own process (RQ's SimpleWorker: no fork per job), because a CUDA context does
not survive a fork and the model must not be loaded per job. The worker builds its settings and
loads its model once, then hands both to every job as a `Runtime` (RQ's documented `job_class`
extension point): jobs never read the environment, so nothing a job does can load a second model.

A SimpleWorker sends no heartbeats while a job runs, so a killed worker would hold its job for the
whole job timeout; this one beats from a thread every `worker_heartbeat` seconds, which lets any
other worker's maintenance sweep find an abandoned job within seconds and queue it again.
"""

import dataclasses
import functools
import logging
import os
import socket
import threading

import redis
from rq import SimpleWorker
from rq.job import Job
from rq.serializers import JSONSerializer

from summarizer.engine.llm import load_model
from summarizer.queue import jobs
from summarizer.queue.connection import connect

log = logging.getLogger(__name__)

MISSED_HEARTBEATS = 3
"""Heartbeats a busy worker may miss before its job counts as abandoned."""


@dataclasses.dataclass(frozen=True)
class Runtime:
    """What a worker hands each job: its settings, its one model, and its name in metrics."""

    settings: object
    model: object
    label: str


class RuntimeJob(Job):
    """An RQ job whose function is called with the worker's Runtime before its payload."""

    runtime = None

    @property
    def func(self):
        function = Job.func.fget(self)
        return functools.partial(function, self.runtime) if self.runtime is not None else function


class SummarizerWorker(SimpleWorker):
    """SimpleWorker that beats while busy, tells waiting jobs their queue position, and hands
    every job its runtime."""

    job_class = RuntimeJob

    def __init__(self, *args, runtime, **kwargs):
        settings = runtime.settings
        super().__init__(*args, job_monitoring_interval=settings.worker_heartbeat,
                         worker_ttl=settings.worker_ttl,
                         maintenance_interval=settings.maintenance_interval, **kwargs)
        self.runtime = runtime

    def get_heartbeat_ttl(self, job):
        return self.job_monitoring_interval * MISSED_HEARTBEATS

    def execute_job(self, job, queue):
        job.runtime = self.runtime
        jobs.announce_positions(queue, self.runtime.settings)
        stop = threading.Event()
        beater = threading.Thread(target=self._beat, args=(job, stop), daemon=True,
                                  name="heartbeat")
        beater.start()
        try:
            return super().execute_job(job, queue)
        finally:
            stop.set()
            beater.join()

    def _beat(self, job, stop):
        while not stop.wait(self.job_monitoring_interval):
            try:
                self.maintain_heartbeats(job)
            except Exception as exc:  # Redis down: the job's own calls will fail and say so
                log.warning("heartbeat failed: %s", exc)


def metrics_label(settings, gpu):
    """A name for this worker that survives restarts (RQ's own name is unique per process)."""
    return settings.metrics_label or f"{socket.gethostname()}-gpu{gpu if gpu is not None else 'cpu'}"


def run_worker(settings, gpu=None, burst=False, name=None):
    """Load the model, then serve `settings.queue` until stopped (or, with burst, until empty)."""
    if gpu is not None:
        # Must be set before llama.cpp initialises CUDA, i.e. before the model loads.
        os.environ["CUDA_VISIBLE_DEVICES"] = str(gpu)
    runtime = Runtime(settings, load_model(settings.model), metrics_label(settings, gpu))
    connection = connect(settings)
    queue = jobs.queue_for(connection, settings)
    worker = SummarizerWorker(
        [queue], connection=connection, serializer=JSONSerializer, runtime=runtime,
        name=name or f"{socket.gethostname()}.{os.getpid()}",
    )
    log.info("worker %s serving queue %r with %s", worker.name, settings.queue, runtime.model.name)
    return worker.work(burst=burst, with_scheduler=False, logging_level="WARNING")


def worker_alive(connection, queue_name, hostname):
    """True when a worker on `hostname` has a live heartbeat, or Redis is down (not its fault)."""
    try:
        return any(w.hostname == hostname for w in jobs.live_workers(connection, queue_name))
    except redis.RedisError as exc:
        log.warning("cannot check the worker, Redis is unreachable: %s", exc)
        return True
