"""The job lifecycle as the API sees it: submit to the RQ queue, look up, cancel.

A document that fits one model call is one job. A longer one is one map job per chunk (any worker
may take each, so several GPUs share one document) and a reduce job that depends on them; the
reduce job's ID is the ID the client sees. Jobs are serialized with JSON, never pickle
(queue/rqaccess.py); who may see a job is owners.py's rule.
"""

import functools
import hashlib
import json
import os
import re
import time
import uuid
from pathlib import Path

from rq import Retry
from rq.exceptions import InvalidJobOperation
from rq.job import Dependency, JobStatus

import summarizer
from summarizer.owners import owns
from summarizer.queue import keys, limits, routing, rqaccess
from summarizer.queue.state import mark_canceled
from summarizer.queue.tasks import MAP_JOB, REDUCE_JOB, SINGLE_JOB
from summarizer.errors import NotFound, ServiceUnavailable
from summarizer.queue.events import EventLog


MAX_POSITIONS_ANNOUNCED = 100
"""Queued jobs told their new position when a job starts; a longer queue tells only the first."""

DEAD_STATUSES = (JobStatus.FAILED, JobStatus.CANCELED, JobStatus.STOPPED)

def queue_for(connection, settings):
    """The RQ queue of `settings` on `connection`, with JSON serialization."""
    return rqaccess.queue(connection, settings.queue)


JOB_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
"""What a job ID looks like (uuid4 hex here; RQ's own IDs too); anything else is unknown."""


def fetch_job(connection, job_id, owner=None):
    """The RQ job `job_id`, or NotFound; with `owner`, another owner's job is NotFound too (the
    same answer as an unknown job, so job IDs of other clients cannot be probed)."""
    if not JOB_ID.fullmatch(job_id):
        raise NotFound("unknown_job", "No such job: job IDs are letters, digits, '-' and '_'.")
    job = rqaccess.fetch(connection, job_id)
    if job is None or not owns(owner, job.meta.get("owner")):
        raise NotFound("unknown_job", f"No job {job_id!r} (unknown, or expired).")
    return job


def model_name(settings):
    return os.path.basename(settings.resolved_model_path).removesuffix(".gguf")


@functools.cache
def code_version():
    """The service's version and a digest of its code (weights included): the rules a result was
    made by. The embedded Redis keeps its data on disk, so a restarted, upgraded service found
    the results its old rules made and answered identical requests with them for a day."""
    package = Path(summarizer.__file__).parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return f"{summarizer.__version__}+{digest.hexdigest()[:16]}"


def cache_key(document, options, settings, owner=None):
    """What makes two requests the same: the text the model sees, the options, the model, the
    rules (`code_version`), and who asks (one owner never attaches to, or learns of, another's
    job)."""
    material = [document.title, document.text, {**options.to_dict(), "cache": None},
                model_name(settings), code_version(), owner]
    if options.focus == "changes":  # the same text may carry another review (extract/review.py)
        material.append(document.metadata.get("review"))
    material = json.dumps(material, ensure_ascii=False)
    return keys.cache(hashlib.sha256(material.encode()).hexdigest())


def submit(connection, settings, document, options, plan, extract_ms, preview=None, owner=None,
           document_id=None, by_reference=False):
    """Queue a summary (or attach to an identical one of the same `owner`); returns
    (job_id, "miss"|"hit"|"attached").

    `plan()` gives the document's chunks and `preview()` the data of the stream's first event;
    both are called only when a job is queued (an identical job already has its preview, and
    tokenizing the whole text is most of the time a cache hit would otherwise take).
    `document_id` (queue/documents.py) is carried into the result; with `by_reference` (a
    follow-up that sent only the ID) the job carries the ID instead of the document, and the
    worker loads the kept copy."""
    queue = queue_for(connection, settings)
    if not live_workers(connection, settings.queue):
        raise ServiceUnavailable(
            "no_worker", "No worker is serving the queue: start one with `summarizer worker`."
        )
    job_id = uuid.uuid4().hex
    with limits.queue_place(connection, queue, settings.max_queue, job_id):
        return _submit(connection, settings, queue, job_id, document, options, plan, extract_ms,
                       preview, owner, document_id, by_reference)


def _submit(connection, settings, queue, job_id, document, options, plan, extract_ms, preview, owner,
            document_id=None, by_reference=False):
    """submit(), holding a place in the queue until the job is in it (or was found cached)."""
    if options.cache:
        key = cache_key(document, options, settings, owner)
        existing = _reusable_job(connection, key)
        if existing:
            return existing
        connection.set(key, job_id, ex=settings.result_ttl)
    events = EventLog(connection, job_id, settings.result_ttl)
    # The preview and the queued event go first, before anything a worker appends.
    if preview:
        events.append("preview", {"job_id": job_id, **preview()})
    chunks = plan()
    events.append("status", {"job_id": job_id, "status": "queued", "position": queue.count + 1,
                             "chunks": len(chunks)})
    common = dict(job_timeout=settings.job_timeout, result_ttl=settings.result_ttl,
                  failure_ttl=settings.result_ttl,
                  retry=Retry(max=settings.job_retries) if settings.job_retries else None)
    payload = {"options": options.to_dict(), "extract_ms": extract_ms, "enqueued_at": time.time(),
               "document_id": document_id, "owner": owner}
    if not by_reference:
        payload["document"] = document.to_dict()
    if len(chunks) == 1:
        # A call about a kept document goes where its reading is kept, if that worker is idle.
        target = routing.queue_for(connection, settings, document_id) if routing.reads_document(options) else queue
        target.enqueue(SINGLE_JOB, payload, job_id=job_id, description="summarize",
                       meta={"owner": owner}, **common)
        routing.settle(connection, settings, target, job_id)
    else:
        map_ids = [queue.enqueue(MAP_JOB, {
            "parent_id": job_id, "index": i, "total": len(chunks), "text": chunk.text,
            "locators": chunk.locators, "enqueued_at": payload["enqueued_at"],
        }, description=f"map {i + 1}/{len(chunks)} of {job_id}", **common).id
            for i, chunk in enumerate(chunks)]
        queue.enqueue(REDUCE_JOB, dict(payload, map_ids=map_ids), job_id=job_id,
                      depends_on=Dependency(jobs=map_ids, allow_failure=True),
                      meta={"map_jobs": map_ids, "owner": owner}, description="reduce", **common)
    return job_id, "miss"


def live_workers(connection, queue_name):
    """Workers on `queue_name` whose heartbeat has not expired."""
    return rqaccess.workers(connection, queue_name)


def _reusable_job(connection, key):
    """(job_id, "hit"|"attached") of a cached or running identical job, unless it failed."""
    cached = connection.get(key)
    if not cached:
        return None
    job = rqaccess.fetch(connection, cached.decode())
    if job is None:
        return None
    if job.get_status() in DEAD_STATUSES or job.meta.get("canceled"):
        return None
    # Answers come from the event log: once it ends with `done` the job is answered, though RQ may
    # not have marked it finished yet (seen under load: a request right after a ?wait=true answer).
    answered = job.get_status() == JobStatus.FINISHED or \
        (last := EventLog(connection, job.id).last()) is not None and last[1] == "done"
    return job.id, "hit" if answered else "attached"


def describe(connection, job_id, owner=None):
    """The public view of a job: {"job_id", "status", "progress", "result", "error"}."""
    job = fetch_job(connection, job_id, owner)
    status = job.get_status(refresh=False)
    status = status.value if hasattr(status, "value") else str(status)
    progress = connection.get(keys.progress(job_id))
    result = job.return_value() if status == "finished" else None
    if job.meta.get("canceled"):
        status = "canceled"
    elif status in ("started", "deferred", "scheduled", "queued"):
        # The worker writes the final event just before RQ records the outcome: trust the event.
        last = EventLog(connection, job_id).last()
        if last and last[1] == "done":
            status, result = "finished", last[2]
        elif status != "started":
            status = "started" if progress else "queued"  # maps running for a waiting reduce
    elif status == "stopped":
        status = "failed"
    return {
        "job_id": job.id, "status": status,
        "progress": json.loads(progress) if progress else None,
        "result": result, "error": job.meta.get("error"),
    }


def cancel(connection, settings, job_id, owner=None):
    """Cancel a queued or running job (with its map jobs); a finished one is left as is."""
    job = fetch_job(connection, job_id, owner)
    status = job.get_status()
    if status in (JobStatus.FINISHED, *DEAD_STATUSES) or job.meta.get("canceled"):
        return describe(connection, job_id)
    connection.set(keys.cancel(job_id), 1, ex=settings.result_ttl)
    for map_id in job.meta.get("map_jobs", []):
        _cancel_if_waiting(connection, map_id)
    if status != JobStatus.STARTED and _cancel_if_waiting(connection, job_id):
        mark_canceled(job, EventLog(connection, job_id, settings.result_ttl))
    return describe(connection, job_id)


def _cancel_if_waiting(connection, job_id):
    """Cancel a job that no worker has taken yet; True if it was."""
    job = rqaccess.fetch(connection, job_id)
    try:
        if job is not None and job.get_status() in (JobStatus.QUEUED, JobStatus.DEFERRED,
                                                    JobStatus.SCHEDULED):
            job.cancel()
            return True
    except InvalidJobOperation:
        pass  # gone, or taken in between: the worker sees the cancel key
    return False


def announce_positions(queue, settings):
    """Tell each waiting request (its event stream) its place in the queue; map jobs speak for
    their parent, at the position of its first waiting chunk."""
    job_ids = queue.get_job_ids(0, MAX_POSITIONS_ANNOUNCED - 1)
    announced = set()
    for position, job in enumerate(rqaccess.fetch_many(queue.connection, job_ids), start=1):
        if job is None:
            continue
        target = (job.args[0] if job.args else {}).get("parent_id") or job.id
        if target not in announced:
            announced.add(target)
            EventLog(queue.connection, target, settings.result_ttl).append(
                "status", {"job_id": target, "status": "queued", "position": position})
