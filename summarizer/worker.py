"""A worker: one process, one GPU, one model loaded once, jobs run one at a time.

It runs jobs in its own process (RQ's SimpleWorker: no fork per job), because a CUDA context does
not survive a fork and the model must not be loaded per job. A SimpleWorker sends no heartbeats
while a job runs, so a killed worker would hold its job for the whole job timeout; this one beats
from a thread every `worker_heartbeat` seconds, which lets any other worker's maintenance sweep
find an abandoned job within seconds and queue it again (RQ retry).
"""

import logging
import os
import socket
import threading

from rq import SimpleWorker
from rq.serializers import JSONSerializer

from summarizer import jobs
from summarizer.connection import connect
from summarizer.llm import load_model

log = logging.getLogger(__name__)

MISSED_HEARTBEATS = 3
"""Heartbeats a busy worker may miss before its job counts as abandoned."""


class SummarizerWorker(SimpleWorker):
    """SimpleWorker that beats while busy and tells waiting jobs their queue position."""

    def __init__(self, *args, settings, **kwargs):
        super().__init__(*args, job_monitoring_interval=settings.worker_heartbeat,
                         worker_ttl=settings.worker_ttl,
                         maintenance_interval=settings.maintenance_interval, **kwargs)
        self.settings = settings

    def get_heartbeat_ttl(self, job):
        return self.job_monitoring_interval * MISSED_HEARTBEATS

    def execute_job(self, job, queue):
        jobs.announce_positions(queue, self.settings)
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
    # Jobs read their settings from the environment; this is how they learn the label.
    os.environ.setdefault("SUMMARIZER_METRICS_LABEL", metrics_label(settings, gpu))
    model = load_model(settings)
    connection = connect(settings)
    queue = jobs.queue_for(connection, settings)
    worker = SummarizerWorker(
        [queue], connection=connection, serializer=JSONSerializer, settings=settings,
        name=name or f"{socket.gethostname()}.{os.getpid()}",
    )
    log.info("worker %s serving queue %r with %s", worker.name, settings.queue, model.name)
    return worker.work(burst=burst, with_scheduler=False, logging_level="WARNING")
