"""Long documents: one map job per chunk (any worker takes each), then a reduce job that collapses
the notes if they do not fit one context (bounded levels) and streams the final summary."""

import time

from rq import get_current_job
from rq.job import Job, JobStatus
from rq.serializers import JSONSerializer

from summarizer import planning, prompts
from summarizer.errors import JobCanceled, JobFailed, SummarizerError
from summarizer.options import SummaryOptions
from summarizer.document import Document
from summarizer.pipeline import (JobContext, finish_client_job, fit_messages, guarded_summary,
                                 result_dict)

MAX_COLLAPSE_LEVELS = 3
"""Rounds of summarizing notes into fewer notes; past this the reduce prompt is trimmed instead."""

MAPS_DONE_PREFIX = "summarizer:maps-done:"
MAPS_STARTED_PREFIX = "summarizer:maps-started:"


def map_job(payload):
    """RQ job: notes on one chunk, for the reduce job of payload["parent_id"]."""
    parent_id, index, total = payload["parent_id"], payload["index"], payload["total"]
    context = JobContext(parent_id)
    connection, ttl = context.connection, context.settings.result_ttl
    if connection.set(MAPS_STARTED_PREFIX + parent_id, time.time(), nx=True, ex=ttl):
        context.events.append("status", {"job_id": parent_id, "status": "started",
                                         "worker": context.job.worker_name, "chunks": total})
        context.progress("map", 0, total)
    began = time.perf_counter()
    answer_tokens = prompts.map_budget(context.settings.max_tokens)
    usage = {"prompt_tokens": 0, "completion_tokens": 0}
    try:
        context.cancel.check()
        messages = fit_messages(context.model, payload["text"],
                                lambda text: prompts.map_messages(text, index + 1, total), answer_tokens)
        notes = context.notes(messages, payload["text"], usage)
    except JobCanceled:
        return None
    except SummarizerError as error:
        context.no_retry()
        context.job.meta["error"] = error.to_dict()["error"]
        context.job.save_meta()
        raise
    done = connection.incr(MAPS_DONE_PREFIX + parent_id)
    connection.expire(MAPS_DONE_PREFIX + parent_id, ttl)
    elapsed = time.time() - float(connection.get(MAPS_STARTED_PREFIX + parent_id) or time.time())
    context.progress("map", done, total, eta_s=round(elapsed / done * (total - done), 1))
    return {"index": index, "notes": notes, "locators": payload["locators"], **usage,
            "generate_ms": round((time.perf_counter() - began) * 1000)}


def reduce_job(payload):
    """RQ job (the one the client follows): combine the map notes into the summary, streamed."""
    context = JobContext(get_current_job().id)
    return finish_client_job(context, lambda started: _reduce(context, payload))


def _reduce(context, payload):
    options = SummaryOptions(**payload["options"])
    document = Document.from_dict(payload["document"])
    maps = _map_results(context, payload["map_ids"])
    usage = {"prompt_tokens": sum(m["prompt_tokens"] for m in maps),
             "completion_tokens": sum(m["completion_tokens"] for m in maps)}
    first_start = float(context.connection.get(MAPS_STARTED_PREFIX + context.client_job_id) or time.time())
    began = time.perf_counter() - (time.time() - first_start)  # generate_ms counts from the first map
    final_budget = planning.single_call_budget(context.model, options, context.settings, document.title)
    notes = _collapse(context, [m["notes"] for m in maps], usage, final_budget)
    answer_tokens = prompts.token_budget(options, context.settings.max_tokens)
    messages = fit_messages(context.model, prompts.notes_document(notes),
                            lambda text: prompts.messages_for(text, options, document.title), answer_tokens)
    fields = guarded_summary(context, messages, options, document, answer_tokens, "reducing", usage)
    return result_dict(context, options, payload, first_start, began, usage, chunks=len(maps), **fields)


def _map_results(context, map_ids):
    """The map jobs' results in chunk order; a failed or canceled map ends the reduce."""
    results = []
    for job in Job.fetch_many(map_ids, connection=context.connection, serializer=JSONSerializer):
        if job is None or job.get_status() != JobStatus.FINISHED:
            error = (job.meta.get("error") if job else None) or {}
            raise JobFailed(error.get("code", "map_failed"),
                            error.get("message", "A part of the document could not be summarized."))
        if job.return_value() is None:
            raise JobCanceled("canceled", "The job was canceled.")
        results.append(job.return_value())
    return sorted(results, key=lambda r: r["index"])


def _collapse(context, notes, usage, final_budget):
    """Summarize groups of notes into fewer notes until they fit one summary call."""
    model = context.model
    group_budget = planning.map_chunk_budget(model, context.settings)
    for level in range(1, MAX_COLLAPSE_LEVELS + 1):
        if model.count_tokens(prompts.notes_document(notes)) <= final_budget or len(notes) == 1:
            break
        groups = _groups(model, notes, group_budget)
        collapsed = []
        for number, group in enumerate(groups, start=1):
            text = prompts.notes_document(group)
            messages = prompts.map_messages(text, number, len(groups))
            collapsed.append(context.notes(messages, text, usage))
            context.progress("collapse", number, len(groups), level=level)
        notes = collapsed
    return notes


def _groups(model, notes, budget):
    """Consecutive notes packed into groups that each fit `budget` tokens (at least two per group
    when possible, so every level shrinks the list)."""
    groups, current = [], []
    for note in notes:
        if len(current) >= 2 and model.count_tokens(prompts.notes_document(current + [note])) > budget:
            groups.append(current)
            current = []
        current.append(note)
    if current:
        groups.append(current)
    return groups
