"""Reading SSE from the Flask test client and from a live server, for the tests."""

from summarizer.client import parse_sse


def lines_of(chunks):
    """Decoded lines from an iterable of byte chunks, split across chunk boundaries correctly."""
    buffer = ""
    for chunk in chunks:
        buffer += chunk.decode("utf-8") if isinstance(chunk, bytes) else chunk
        *complete, buffer = buffer.split("\n")
        yield from complete
    if buffer:
        yield buffer


def events_of(response, until=("done", "error")):
    """Events of a streaming test-client response, up to and including the first `until` event."""
    collected = []
    for event in parse_sse(lines_of(response.response)):
        collected.append(event)
        if event.event in until:
            break
    response.close()
    return collected
