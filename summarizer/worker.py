"""A worker: one process, one GPU, one model loaded once, jobs run one at a time.

It runs jobs in its own process (RQ's SimpleWorker: no fork per job), because a CUDA context does
not survive a fork and the model must not be loaded per job. RQ's heartbeats, job timeouts and
stop commands keep working.
"""

import logging
import os

from rq import SimpleWorker
from rq.serializers import JSONSerializer

from summarizer import jobs
from summarizer.connection import connect
from summarizer.llm import load_model

log = logging.getLogger(__name__)


class SummarizerWorker(SimpleWorker):
    """SimpleWorker that tells waiting jobs their queue position whenever it takes one."""

    def __init__(self, *args, settings, **kwargs):
        super().__init__(*args, **kwargs)
        self.settings = settings

    def execute_job(self, job, queue):
        jobs.announce_positions(queue, self.settings)
        return super().execute_job(job, queue)


def run_worker(settings, gpu=None, burst=False, name=None):
    """Load the model, then serve `settings.queue` until stopped (or, with burst, until empty)."""
    if gpu is not None:
        # Must be set before llama.cpp initialises CUDA, i.e. before the model loads.
        os.environ["CUDA_VISIBLE_DEVICES"] = str(gpu)
    model = load_model(settings)
    connection = connect(settings)
    queue = jobs.queue_for(connection, settings)
    worker = SummarizerWorker(
        [queue], connection=connection, serializer=JSONSerializer, settings=settings, name=name,
    )
    log.info("worker %s serving queue %r with %s", worker.name, settings.queue, model.name)
    return worker.work(burst=burst, with_scheduler=False, logging_level="WARNING")
