"""Follow-ups to the worker that keeps their document's reading (issue 25).

A worker with the model in process keeps llama.cpp's state after it read a document
(engine/readings.py), so a follow-up question costs only itself, but only on that worker. Each
such worker serves two queues: its own first (`own_queue`), then the shared one. After a summary
or a question about a kept document (`document_id`) it writes which own queue holds the reading
(keys.reading). The API sends a one-call job about that document to that queue when its worker
is alive and idle, and to the shared queue otherwise: any worker can answer (it reads the
document again; correct, only slower).

Nothing here makes a job wait for a busy worker. The API's look and the worker taking another job
can cross, so both sides check: the API looks at the worker again once the job is in its queue,
and a worker that takes a job from the shared queue first hands back what waits in its own; a job
is moved only when it is still waiting (LREM removes it once), so it can never run twice. A
worker that stops hands its queue back; one that was killed has it handed back by any other
worker's maintenance (`rescue`).
"""

import logging

from rq import Worker

from summarizer.queue import keys, rqaccess

log = logging.getLogger(__name__)

SEPARATOR = "@"
"""Between the shared queue's name and a worker's name in that worker's own queue
("summarize@host.1234"); RQ's worker names have none."""


def keeps_readings(model):
    """Whether `model` keeps readings (a GGUF in this process with a reading cache): only a worker
    with such a model serves an own queue and is worth routing to."""
    readings = getattr(model, "readings", None)
    return readings is not None and readings.max_bytes > 0


def reads_document(options):
    """Whether a one-call job with `options` reads its document (a summary of any type or length,
    or a question), so that a kept reading of it helps: a summary of changes reads the changes."""
    return options.focus != "changes"


def own_queue(settings, worker_name):
    """The name of the queue only `worker_name` serves."""
    return f"{settings.queue}{SEPARATOR}{worker_name}"


def remember(connection, settings, document_id, worker_name):
    """Note that `worker_name` now keeps a reading of `document_id`, for as long as the document
    itself is kept. One worker per document: the last one to read it."""
    connection.set(keys.reading(settings.queue, document_id), own_queue(settings, worker_name),
                   ex=settings.document_ttl)


def queue_for(connection, settings, document_id):
    """The queue a one-call job about `document_id` goes to: the own queue of the worker keeping
    its reading when that worker is alive and idle, else the shared queue."""
    holder = connection.get(keys.reading(settings.queue, document_id)) if document_id else None
    if holder is None or not _idle(connection, settings, holder.decode()):
        return rqaccess.queue(connection, settings.queue)
    return rqaccess.queue(connection, holder.decode())


def settle(connection, settings, queue, job_id):
    """After `job_id` was put in `queue`: when that is a worker's own queue and the worker is no
    longer idle (it took another job in between), move the job to the shared queue."""
    if SEPARATOR in queue.name and not _idle(connection, settings, queue.name, job_id):
        hand_back(connection, settings, queue.name)


def hand_back(connection, settings, name):
    """Move every job still waiting in the own queue `name` to the shared queue, in order."""
    shared = rqaccess.queue(connection, settings.queue)
    own = rqaccess.queue(connection, name)
    for job_id in own.get_job_ids():
        if not connection.lrem(own.key, 1, job_id):
            continue  # taken by its worker meanwhile
        job = rqaccess.fetch(connection, job_id)
        if job is not None:
            shared.enqueue_job(job)
            log.info("job %s moved from %s to the shared queue", job_id, name)


def rescue(connection, settings):
    """Hand back the own queues of workers that are gone (killed: they could not hand them back)."""
    alive = {own_queue(settings, w.name) for w in rqaccess.workers(connection, settings.queue)}
    prefix = settings.queue + SEPARATOR
    for queue in rqaccess.all_queues(connection):
        if queue.name.startswith(prefix) and queue.name not in alive and queue.count:
            hand_back(connection, settings, queue.name)


def _idle(connection, settings, name, job_id=None):
    """Whether the worker whose own queue is `name` is alive and running no job (but `job_id`)."""
    worker_name = name[len(settings.queue) + len(SEPARATOR):]
    worker = Worker.find_by_key(Worker.redis_worker_namespace_prefix + worker_name,
                                connection=connection, serializer=rqaccess.SERIALIZER)
    return worker is not None and worker.get_state() == "idle" and \
        worker.get_current_job_id() in (None, job_id)
