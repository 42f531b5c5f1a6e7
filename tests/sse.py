"""Reading SSE from the Flask test client and from a live server, for the tests."""

import time

from summarizer.client import parse_sse

STREAM_TIMEOUT_SECONDS = 180
"""A test stream that has not ended by then fails instead of hanging the suite."""


def lines_of(chunks, timeout=STREAM_TIMEOUT_SECONDS):
    """Decoded lines from byte chunks, split across chunk boundaries; TimeoutError past `timeout`
    (checked on every chunk, heartbeats included)."""
    deadline = time.monotonic() + timeout
    buffer = ""
    for chunk in chunks:
        if time.monotonic() > deadline:
            raise TimeoutError(f"stream still open after {timeout}s")
        buffer += chunk.decode("utf-8") if isinstance(chunk, bytes) else chunk
        *complete, buffer = buffer.split("\n")
        yield from complete
    if buffer:
        yield buffer


def events_of(response, until=("done", "error"), timeout=STREAM_TIMEOUT_SECONDS):
    """Events of a streaming test-client response, up to and including the first `until` event."""
    collected = []
    try:
        for event in parse_sse(lines_of(response.response, timeout)):
            collected.append(event)
            if event.event in until:
                break
    finally:
        response.close()
    return collected
