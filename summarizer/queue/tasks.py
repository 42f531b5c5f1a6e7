"""The functions RQ runs, all in one place. The API enqueues them by the names in `ENTRY_POINTS`.

Each takes the worker's runtime first (its settings and its one model; queue/worker.py hands it
in) and the job's JSON payload second. A document that fits one call is one `summarize_job`; a
longer one is one `map_job` per chunk, any worker taking each, and a `reduce_job` that depends on
them and is the job the client follows.
"""

import time

from rq import get_current_job
from rq.job import JobStatus

from summarizer.changes import summary as changes_summary, versions
from summarizer.document import Document
from summarizer.engine import answer, pipeline
from summarizer.errors import JobCanceled, JobFailed, SummarizerError
from summarizer.longdocs import mapreduce
from summarizer.options import SummaryOptions
from summarizer.queue import documents, keys, routing, rqaccess
from summarizer.queue.context import JobContext, finish_client_job

SINGLE_JOB = "summarizer.queue.tasks.summarize_job"
MAP_JOB = "summarizer.queue.tasks.map_job"
REDUCE_JOB = "summarizer.queue.tasks.reduce_job"
ENTRY_POINTS = (SINGLE_JOB, MAP_JOB, REDUCE_JOB)
"""What the API enqueues; a test checks every name resolves to a function here."""


def summarize_job(runtime, payload):
    """A document that fits one model call: its summary, streamed; returns the result."""
    context = JobContext(runtime, get_current_job().id)

    def work(started):
        options = SummaryOptions(**payload["options"])
        usage = {"prompt_tokens": 0, "completion_tokens": 0, "cached_tokens": 0}
        began = time.perf_counter()
        fields = _fields(context, payload, options, usage)
        if routing.reads_document(options) and payload.get("document_id") and routing.keeps_readings(context.model):
            routing.remember(context.connection, context.settings, payload["document_id"],
                             context.job.worker_name)
        return result(context, options, payload, started, began, usage, fields)

    return finish_client_job(context, work)


def _fields(context, payload, options, usage):
    """The summary fields of a one-call job: the document's summary, the answer to a question, or
    the summary of its changes (its Word review, or the changes since an earlier version)."""
    document = job_document(context, payload)
    if options.focus != "changes":
        summarize = answer.answer if options.query else pipeline.summarize
        return summarize(context, document, options, usage)
    return changes_summary.summarize(context, review_of(context, payload, document, options),
                                     options, usage, title=document.title, since=options.since)


def review_of(context, payload, document, options):
    """What changed in `document`: since the kept version `options.since` (404 when it is no
    longer kept), or its own tracked changes and comments."""
    if options.since:
        earlier = documents.load(context.connection, context.settings, options.since, payload["owner"])
        return versions.compare(earlier, document)
    return document.metadata.get("review")


def job_document(context, payload):
    """The job's document: in the payload, or for a follow-up that sent only its document_id, the
    kept copy (queue/documents.py), which may have expired while the job was queued: then the
    job ends with 404 `document_expired`, as the request would have."""
    if "document" in payload:
        return Document.from_dict(payload["document"])
    return documents.load(context.connection, context.settings, payload["document_id"], payload["owner"])


def map_job(runtime, payload):
    """Notes on one chunk, for the reduce job of payload["parent_id"]."""
    parent_id, index, total = payload["parent_id"], payload["index"], payload["total"]
    context = JobContext(runtime, parent_id)
    connection, ttl = context.connection, context.settings.result_ttl
    if connection.set(keys.maps_started(parent_id), time.time(), nx=True, ex=ttl):
        context.emit("status", {"status": "started", "worker": context.job.worker_name, "chunks": total})
        context.progress("map", 0, total)
    began = time.perf_counter()
    usage = {"prompt_tokens": 0, "completion_tokens": 0}
    try:
        notes = mapreduce.map_notes(context, payload["text"], index, total, usage)
    except JobCanceled:
        return None
    except SummarizerError as error:
        context.keep_error(error)
        raise
    done = connection.incr(keys.maps_done(parent_id))
    connection.expire(keys.maps_done(parent_id), ttl)
    elapsed = time.time() - float(connection.get(keys.maps_started(parent_id)) or time.time())
    context.progress("map", done, total, eta_s=round(elapsed / done * (total - done), 1))
    return {"index": index, "notes": notes, "locators": payload["locators"], **usage,
            "generate_ms": round((time.perf_counter() - began) * 1000)}


def reduce_job(runtime, payload):
    """Combine the map notes into the summary, streamed (the job the client follows)."""
    context = JobContext(runtime, get_current_job().id)

    def work(_started):
        options = SummaryOptions(**payload["options"])
        maps = _map_results(context, payload["map_ids"])
        usage = {name: sum(m.get(name, 0) for m in maps)
                 for name in ("prompt_tokens", "completion_tokens", "cached_tokens", "reading_ms")}
        first_start = float(context.connection.get(keys.maps_started(context.client_job_id))
                            or time.time())
        began = time.perf_counter() - (time.time() - first_start)  # generate_ms counts from the first map
        fields = mapreduce.reduce_notes(context, job_document(context, payload), options,
                                        [m["notes"] for m in maps], usage)
        return result(context, options, payload, first_start, began, usage, fields, chunks=len(maps))

    return finish_client_job(context, work)


def _map_results(context, map_ids):
    """The map jobs' results in chunk order; a failed or canceled map ends the reduce."""
    results = []
    for job in rqaccess.fetch_many(context.connection, map_ids):
        if job is None or job.get_status() != JobStatus.FINISHED:
            error = (job.meta.get("error") if job else None) or {}
            raise JobFailed(error.get("code", "map_failed"),
                            error.get("message", "A part of the document could not be summarized."))
        if job.return_value() is None:
            raise JobCanceled("canceled", "The job was canceled.")
        results.append(job.return_value())
    return sorted(results, key=lambda r: r["index"])


def result(context, options, payload, started, began, usage, fields, **extra):
    """The client's result: the summary fields, what was asked, the model, usage and timings.
    `guard.grammar` says where the output's grammar was enforced: "local" (llama.cpp in the
    worker), "upstream" (the inference server took it) or "none" (the guard's checks alone)."""
    guard = {**fields.get("guard", {}), "grammar": context.model.grammar_support}
    reading_ms = usage.pop("reading_ms", 0)
    return {
        **fields, **extra, "guard": guard, "type": options.type, "length": options.length,
        "format": options.format, "model": context.model.name, "usage": usage,
        **({"document_id": payload["document_id"]} if payload.get("document_id") else {}),
        "timings": {"queued_ms": round((started - payload["enqueued_at"]) * 1000),
                    "extract_ms": payload.get("extract_ms", 0),
                    "generate_ms": round((time.perf_counter() - began) * 1000),
                    "reading_ms": reading_ms},
    }
