"""Following a job's event stream over HTTP: as SSE, or by waiting for its final event."""

import time

from flask import Response, stream_with_context

from summarizer.errors import JobCanceled, JobFailed, WaitTimeout
from summarizer.events import FIRST_ID, TERMINAL_EVENTS, sse_comment, sse_frame

RETRY_MILLISECONDS = 2000
"""Reconnect delay suggested to EventSource clients."""


def follow(events, after_id, heartbeat_seconds):
    """Yield SSE text for every event after `after_id` until the job's final event."""
    yield f"retry: {RETRY_MILLISECONDS}\n\n"
    last_id = after_id
    while True:
        batch = events.read(last_id, block_ms=max(1, int(heartbeat_seconds * 1000)))
        if not batch:
            if not events.exists():
                yield sse_frame("error", {"code": "job_expired", "message": "The job's events expired."})
                return
            yield sse_comment("keep-alive")
            continue
        for event_id, event, data in batch:
            yield sse_frame(event, data, event_id)
            last_id = event_id
            if event in TERMINAL_EVENTS:
                return


def sse_response(events, job_id, after_id=FIRST_ID, heartbeat_seconds=15.0):
    """A streaming text/event-stream response that proxies must not buffer."""
    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no", "X-Job-Id": job_id}
    return Response(stream_with_context(follow(events, after_id, heartbeat_seconds)),
                    mimetype="text/event-stream", headers=headers)


def wait_for_result(events, timeout_seconds):
    """Block until the job's final event: its result, or raise its error."""
    deadline = time.monotonic() + timeout_seconds
    last_id = FIRST_ID
    while (remaining := deadline - time.monotonic()) > 0:
        for event_id, event, data in events.read(last_id, block_ms=max(1, int(min(remaining, 5) * 1000))):
            last_id = event_id
            if event == "done":
                return data
            if event == "error":
                raise _error_from_event(data)
    raise WaitTimeout("wait_timeout", "The job is still running: follow its events_url instead.")


def _error_from_event(data):
    kind = JobCanceled if data.get("code") == "canceled" else JobFailed
    return kind(data.get("code"), data.get("message", ""))
