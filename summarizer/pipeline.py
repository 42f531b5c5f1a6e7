"""What a worker runs for a summary request that fits one model call, and the pieces every job
shares: its context (model, events, cancel), streaming generation, and the ending (done, error,
canceled). Runs inside an RQ worker that loaded the model once (llm.load_model)."""

import logging
import time

from rq import get_current_job

from summarizer import extractive, grounding, guard, jobs, limits, metrics, prompts, recovery
from summarizer.config import Settings
from summarizer.document import Document
from summarizer.errors import JobCanceled, SummarizerError
from summarizer.events import EventLog
from summarizer.llm import load_model
from summarizer.options import SummaryOptions

log = logging.getLogger(__name__)


class CancelWatch:
    """Checks at most every `interval` seconds whether the job (or its parent) was canceled, or
    left by all its stream clients for longer than `orphan_grace` seconds."""

    def __init__(self, connection, job_ids, interval, orphan_grace):
        self.connection, self.job_ids, self.interval = connection, job_ids, interval
        self.orphan_grace = orphan_grace
        self._next_check = 0.0

    def check(self):
        now = time.monotonic()
        if now >= self._next_check:
            self._next_check = now + self.interval
            if any(jobs.cancel_requested(self.connection, job_id, self.orphan_grace)
                   for job_id in self.job_ids):
                raise JobCanceled("canceled", "The job was canceled.")


NOTES_OPTIONS = SummaryOptions(type="key-points", length="medium", cache=False)
"""The shape of the notes a map step writes on its part: up to five bullets."""

ATTEMPTS_PREFIX = "summarizer:attempts:"
"""Runs of a job so far: above one, a dead worker abandoned it and RQ queued it again."""


class JobContext:
    """Everything a running job needs: its settings, model, client-facing events and cancel watch."""

    def __init__(self, client_job_id, cancel_ids=()):
        self.job = get_current_job()
        self.connection = self.job.connection
        self.settings = Settings.from_env()
        self.client_job_id = client_job_id
        self.events = EventLog(self.connection, client_job_id, self.settings.result_ttl)
        self.cancel = CancelWatch(self.connection, [client_job_id, *cancel_ids],
                                  self.settings.cancel_poll_seconds,
                                  self.settings.orphan_grace_seconds)
        self.model = load_model(self.settings)
        self.began = time.perf_counter()
        self.attempt = self.connection.incr(ATTEMPTS_PREFIX + self.job.id)
        self.connection.expire(ATTEMPTS_PREFIX + self.job.id, self.settings.result_ttl)

    def no_retry(self):
        """A failure of the job itself (not of its worker): running it again would fail again."""
        self.job.retries_left = 0

    def record(self, outcome):
        """Metrics for this run (duration by outcome), and one more point of the drain rate."""
        seconds = time.perf_counter() - self.began
        metrics.record_job(self.connection, self.settings.metrics_label, outcome, seconds)
        limits.record_completion(self.connection, self.client_job_id)

    def progress(self, stage, done, total, **extra):
        progress = {"stage": stage, "done": done, "total": total, **extra}
        jobs.set_progress(self.connection, self.client_job_id, progress, self.settings.result_ttl)
        self.events.append("progress", progress)

    def notes(self, messages, source_text, usage):
        """Notes on one part (map or collapse step): bullets under a grammar, loops cut, held to
        the rules; an extractive digest of the part when the model's notes are unusable."""
        answer_tokens = prompts.map_budget(self.settings.max_tokens)
        began, before = time.perf_counter(), usage["completion_tokens"]
        raw, finished, _ = recovery.run_model(
            self.model, messages, NOTES_OPTIONS, recovery.ATTEMPTS[0], max_tokens=answer_tokens,
            temperature=self.settings.temperature, seed=self.settings.seed,
            on_piece=lambda piece: self.cancel.check(), on_prefill=lambda *_: self.cancel.check(),
            usage=usage)
        metrics.record_stage(self.connection, self.settings.metrics_label, "map",
                             time.perf_counter() - began, usage["completion_tokens"] - before)
        checked = guard.enforce(raw, NOTES_OPTIONS, source=source_text, finished=finished)
        if checked.degenerate:
            return extractive.summarize(source_text, NOTES_OPTIONS).text
        return checked.text


def finish_client_job(context, work):
    """Run `work()` for the job a client follows; end its stream with done or error."""
    started = time.time()
    # A re-run after a dead worker says so first: clients drop the tokens they had.
    status = "restarted" if context.attempt > 1 else "started"
    context.events.append("status", {"job_id": context.client_job_id, "status": status,
                                     "worker": context.job.worker_name, "attempt": context.attempt})
    try:
        result = work(started)
    except JobCanceled:
        jobs.mark_canceled(context.job, context.events)
        context.record("canceled")
        return None
    except Exception as exc:
        error = exc if isinstance(exc, SummarizerError) else \
            SummarizerError("internal_error", f"The worker failed: {exc}")
        log.exception("job %s failed", context.job.id)
        record_failure(context, error)
        raise
    context.events.append("done", result)
    context.record("finished")
    return result


def record_failure(context, error):
    """Keep the error on the job, end the client's stream with it, and do not run it again."""
    context.no_retry()
    context.job.meta["error"] = error.to_dict()["error"]
    context.job.save_meta()
    context.events.append("error", error.to_dict()["error"])
    context.record("failed")


def summarize_job(payload):
    """RQ job: summarize a document that fits one call; returns the result dict."""
    context = JobContext(get_current_job().id)
    return finish_client_job(context, lambda started: summarize_single(context, payload, started))


def summarize_single(context, payload, started):
    options = SummaryOptions(**payload["options"])
    document = Document.from_dict(payload["document"])
    context.cancel.check()
    answer_tokens = prompts.token_budget(options, context.settings.max_tokens)
    messages = fit_messages(
        context.model, document.text, lambda text: prompts.messages_for(text, options, document.title),
        answer_tokens)
    began = time.perf_counter()
    usage = {"prompt_tokens": 0, "completion_tokens": 0}
    fields = guarded_summary(context, messages, options, document, answer_tokens, "reading", usage)
    return result_dict(context, options, payload, started, began, usage, **fields)


def guarded_summary(context, messages, options, document, answer_tokens, reading_stage, usage):
    """Stream the model's answer, hold it to the rules (retry, or fall back to an extractive
    summary), and cite the source for every item. Returns the result's summary fields."""
    def reading(done, total):
        context.cancel.check()
        context.progress(reading_stage, done, total)

    def stream(piece):
        context.cancel.check()
        context.events.append("token", {"text": piece})

    def attempt(asked, how):
        if how is not recovery.ATTEMPTS[0]:  # clients drop what they streamed so far
            context.events.append("status", {"job_id": context.client_job_id, "status": "retrying",
                                             "attempt": how.name})
        began = time.perf_counter()
        before = usage["completion_tokens"]
        answer = recovery.run_model(
            context.model, asked, options, how, max_tokens=answer_tokens,
            temperature=context.settings.temperature, seed=context.settings.seed,
            on_piece=stream, on_prefill=reading, usage=usage)
        metrics.record_stage(context.connection, context.settings.metrics_label, "generate",
                             time.perf_counter() - began, usage["completion_tokens"] - before)
        return answer

    index = grounding.SourceIndex(document.blocks)
    outcome = recovery.summarize(attempt, messages, options, document.text, index=index)
    for step in [a["attempt"] for a in outcome.attempts[1:]] + [outcome.fallback] * bool(outcome.fallback):
        metrics.record_recovery(context.connection, step)
    fields = outcome.result_fields()
    citations = grounding.cite(outcome.checked.items, document.blocks, index=index)
    summary = outcome.checked.text
    if options.strict:
        citations = grounding.strict(citations)
        summary = guard.render([c["text"] for c in citations], options)
        if not citations:  # nothing the source supports: its own most central sentences instead
            fallback = extractive.summarize(document.text, options)
            citations = grounding.cite(fallback.items, document.blocks, index=index)
            summary, fields["fallback"] = fallback.text, "extractive"
    return {"summary": summary, "citations": citations,
            "supported_share": round(grounding.supported_share(citations), 3), **fields}


def result_dict(context, options, payload, started, began, usage, **fields):
    return {
        **fields, "type": options.type, "length": options.length,
        "format": options.format, "model": context.model.name, "usage": usage,
        "timings": {"queued_ms": round((started - payload["enqueued_at"]) * 1000),
                    "extract_ms": payload.get("extract_ms", 0),
                    "generate_ms": round((time.perf_counter() - began) * 1000)},
    }


def fit_messages(model, text, build, answer_tokens):
    """`build(text)` messages whose prompt leaves `answer_tokens` free in the context. The API
    sized the text to fit; trimming here only guards against an estimate that ran short."""
    budget = model.n_ctx - answer_tokens - 8
    messages = build(text)
    overflow = len(model.prompt_tokens(model.chat_prompt(messages)[0])) - budget
    if overflow > 0:
        tokens = model.llama.tokenize(text.encode("utf-8"), add_bos=False)
        keep = max(0, len(tokens) - overflow - 16)
        log.warning("trimming %d tokens that do not fit the context", len(tokens) - keep)
        messages = build(model.llama.detokenize(tokens[:keep]).decode("utf-8", errors="ignore"))
    return messages
