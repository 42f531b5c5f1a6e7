"""What every job shares: its context (the worker's model and settings, client-facing events,
cancel watch, metrics) and its ending (done, error, canceled).

A `JobContext` is what the engine calls a run: it streams tokens and progress to the client's
event log, checks for a cancel between tokens, and records stage times. The engine never imports
this module; it is handed a context.
"""

import logging
import time

from rq import get_current_job

from summarizer.errors import JobCanceled, SummarizerError
from summarizer.queue import keys, limits, metrics, state
from summarizer.queue.events import EventLog

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
            if any(state.cancel_requested(self.connection, job_id, self.orphan_grace)
                   for job_id in self.job_ids):
                raise JobCanceled("canceled", "The job was canceled.")


class JobContext:
    """One run of an RQ job for the client job `client_job_id`, on the worker's `runtime`."""

    def __init__(self, runtime, client_job_id):
        self.job = get_current_job()
        self.connection = self.job.connection
        self.settings, self.model, self.label = runtime.settings, runtime.model, runtime.label
        self.client_job_id = client_job_id
        self.events = EventLog(self.connection, client_job_id, self.settings.result_ttl)
        self.cancel = CancelWatch(self.connection, [client_job_id], self.settings.cancel_poll_seconds,
                                  self.settings.orphan_grace_seconds)
        self.began = time.perf_counter()
        self.attempt = self.connection.incr(keys.attempts(self.job.id))
        self.connection.expire(keys.attempts(self.job.id), self.settings.result_ttl)

    # What the engine calls (see engine/pipeline.py, "a run").
    def check_cancel(self):
        self.cancel.check()

    def emit(self, event, data):
        if event == "status":
            data = {"job_id": self.client_job_id, **data}
        self.events.append(event, data)

    def progress(self, stage, done, total, **extra):
        progress = {"stage": stage, "done": done, "total": total, **extra}
        state.set_progress(self.connection, self.client_job_id, progress, self.settings.result_ttl)
        self.events.append("progress", progress)

    def measured(self, stage, seconds, tokens=0):
        metrics.record_stage(self.connection, self.label, stage, seconds, tokens)

    def recovered(self, step):
        metrics.record_recovery(self.connection, step)

    # The job's own bookkeeping.
    def no_retry(self):
        """A failure of the job itself (not of its worker): running it again would fail again."""
        self.job.retries_left = 0

    def record(self, outcome):
        """Metrics for this run (duration by outcome), and one more point of the drain rate."""
        seconds = time.perf_counter() - self.began
        metrics.record_job(self.connection, self.label, outcome, seconds)
        limits.record_completion(self.connection, self.client_job_id)

    def keep_error(self, error):
        """Keep `error` on the RQ job (the reduce job and GET /jobs read it) and run it no more."""
        self.no_retry()
        self.job.meta["error"] = error.to_dict()["error"]
        self.job.save_meta()


def finish_client_job(context, work):
    """Run `work(started)` for the job a client follows; end its stream with done or error."""
    started = time.time()
    # A re-run after a dead worker says so first: clients drop the tokens they had.
    status = "restarted" if context.attempt > 1 else "started"
    context.emit("status", {"status": status, "worker": context.job.worker_name,
                            "attempt": context.attempt})
    try:
        result = work(started)
    except JobCanceled:
        state.mark_canceled(context.job, context.events)
        context.record("canceled")
        return None
    except Exception as exc:
        error = exc if isinstance(exc, SummarizerError) else \
            SummarizerError("internal_error", f"The worker failed: {exc}")
        log.exception("job %s failed", context.job.id)
        context.keep_error(error)
        context.emit("error", error.to_dict()["error"])
        context.record("failed")
        raise
    context.emit("done", result)
    context.record("finished")
    return result
