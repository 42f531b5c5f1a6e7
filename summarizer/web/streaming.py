"""Following a job's event stream over HTTP: as SSE, or by waiting for its final event."""

import contextlib
import time

import redis
from flask import Response, stream_with_context

from summarizer.errors import JobCanceled, JobFailed, WaitTimeout
from summarizer.queue.events import FIRST_ID, TERMINAL_EVENTS, sse_comment, sse_frame

RETRY_MILLISECONDS = 2000
"""Reconnect delay suggested to EventSource clients."""


LOST_STATUSES = ("failed", "canceled")
"""Job states that end a stream even when no final event was written (a worker died for good)."""


def silent_end(events, job_status):
    """The error to report when a job ended without a final event, or None while it is alive."""
    if not events.exists():
        return {"code": "job_expired", "message": "The job's events expired."}
    if job_status() in LOST_STATUSES:
        return {"code": "worker_lost",
                "message": "The worker running this job died and the retries ran out; submit it again."}
    return None


def follow(events, after_id, heartbeat_seconds, job_status, watch=None):
    """Yield SSE text for every event after `after_id` until the job's final event. `watch` is
    a context manager held while the client is connected (it marks the job as followed)."""
    with watch or contextlib.nullcontext():
        yield f"retry: {RETRY_MILLISECONDS}\n\n"
        yield from _follow(events, after_id, heartbeat_seconds, job_status)


def _follow(events, after_id, heartbeat_seconds, job_status):
    last = events.last()
    if last and event_order(after_id) >= event_order(last[0]):
        # Resumed at or past the last event (a client that saw `done` reconnects, or sends the
        # largest ID there is): after the end, the final event again, and the stream ends;
        # before it, from the last event, so what comes next is not skipped.
        if last[1] in TERMINAL_EVENTS:
            yield sse_frame(last[1], last[2], last[0])
            return
        after_id = last[0]
    last_id = after_id
    while True:
        batch = events.read(last_id, block_ms=max(1, int(heartbeat_seconds * 1000)))
        if not batch:
            ended = silent_end(events, job_status)
            if ended:
                yield sse_frame("error", ended)
                return
            yield sse_comment("keep-alive")
            continue
        for event_id, event, data in batch:
            yield sse_frame(event, data, event_id)
            last_id = event_id
            if event in TERMINAL_EVENTS:
                return


def event_order(event_id):
    """A stream ID ("<ms>-<seq>", checked by events.valid_event_id) as a comparable pair."""
    milliseconds, _, sequence = event_id.partition("-")
    return int(milliseconds), int(sequence or 0)


def sse_response(events, job_id, after_id, heartbeat_seconds, job_status, watch=None, on_close=()):
    """A streaming text/event-stream response that proxies must not buffer; each of `on_close`
    is called when it closes, however it ends (even when it never started)."""
    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no", "X-Job-Id": job_id,
               "X-Heartbeat-Seconds": f"{heartbeat_seconds:g}"}
    stream = follow(events, after_id, heartbeat_seconds, job_status, watch)
    response = Response(stream_with_context(stream), mimetype="text/event-stream", headers=headers)
    for callback in on_close:
        response.call_on_close(callback)
    return response


def own_connection(connection):
    """A client like `connection` on a pool of one connection, which close() lets go: a stream
    reads (and blocks) on one of its own, closed with it. On the process's pool, the streams of a
    burst left their connections open there after they closed (800 streams: 810 descriptors and
    Redis connections held, issue 23)."""
    pool = connection.connection_pool
    return redis.Redis(connection_pool=redis.ConnectionPool(
        connection_class=pool.connection_class, max_connections=1, **pool.connection_kwargs))


def wait_for_result(events, timeout_seconds, job_status, watch=None):
    """Block until the job's final event: its result, or raise its error."""
    with watch or contextlib.nullcontext():
        return _wait(events, timeout_seconds, job_status)


def _wait(events, timeout_seconds, job_status):
    deadline = time.monotonic() + timeout_seconds
    # A finished job (a cache hit) ends with its result: read that one event, not every token.
    last = events.last()
    if last and last[1] in TERMINAL_EVENTS:
        return _outcome(last[1], last[2])
    last_id = last[0] if last else FIRST_ID
    while (remaining := deadline - time.monotonic()) > 0:
        batch = events.read(last_id, block_ms=max(1, int(min(remaining, 5) * 1000)))
        for event_id, event, data in batch:
            last_id = event_id
            if event in TERMINAL_EVENTS:
                return _outcome(event, data)
        if not batch and (ended := silent_end(events, job_status)):
            raise _error_from_event(ended)
    raise WaitTimeout("wait_timeout", "The job is still running: follow its events_url instead.")


def _outcome(event, data):
    """The result of a `done` event; the error of an `error` event, raised."""
    if event == "error":
        raise _error_from_event(data)
    return data


def _error_from_event(data):
    kind = JobCanceled if data.get("code") == "canceled" else JobFailed
    return kind(data.get("code"), data.get("message", ""))
