"""The per-job event log (a Redis Stream) and its Server-Sent Events framing.

Workers append events; any number of HTTP clients read them. A Redis Stream (not pub/sub) keeps
every event with an ID, so a client that reconnects with `Last-Event-ID` gets exactly the events
it missed, and a client that arrives late still sees the whole job.
"""

import json
import re

from summarizer.queue import keys

TERMINAL_EVENTS = frozenset({"done", "error"})
"""Events after which a job's stream has nothing more to say."""

FIRST_ID = "0-0"
"""Stream position before the first event: reading after it returns everything."""


class EventLog:
    """Append to and read from one job's event stream."""

    def __init__(self, connection, job_id, ttl_seconds=86400):
        self.connection = connection
        self.key = keys.events(job_id)
        self.ttl_seconds = ttl_seconds

    def append(self, event, data):
        """Add one event; returns its ID. The stream expires `ttl_seconds` after its last event."""
        pipe = self.connection.pipeline(transaction=False)
        pipe.xadd(self.key, {"event": event, "data": json.dumps(data, ensure_ascii=False)})
        pipe.expire(self.key, self.ttl_seconds)
        event_id, _ = pipe.execute()
        return _text(event_id)

    def read(self, after_id=FIRST_ID, block_ms=None, count=500):
        """Events after `after_id` as (id, event, data) tuples; waits up to `block_ms` for one."""
        reply = self.connection.xread({self.key: after_id}, count=count, block=block_ms)
        events = []
        for _key, entries in reply or []:
            for event_id, fields in entries:
                fields = {_text(k): _text(v) for k, v in fields.items()}
                events.append((_text(event_id), fields["event"], json.loads(fields["data"])))
        return events

    def last(self):
        """The most recent event as (id, event, data), or None when the stream is empty."""
        entries = self.connection.xrevrange(self.key, count=1)
        if not entries:
            return None
        event_id, fields = entries[0]
        fields = {_text(k): _text(v) for k, v in fields.items()}
        return _text(event_id), fields["event"], json.loads(fields["data"])

    def exists(self):
        return bool(self.connection.exists(self.key))


def valid_event_id(value):
    """Whether `value` is a stream ID Redis accepts ("<ms>-<seq>", each an unsigned 64-bit
    number in ASCII digits), as sent back in Last-Event-ID. str.isdigit() alone lets "²-1" and
    numbers past 64 bits through to XREAD, which then breaks the stream it already answered 200."""
    match = _EVENT_ID.fullmatch(value or "")
    return bool(match) and all(int(part) <= MAX_ID_PART for part in match.groups())


_EVENT_ID = re.compile(r"(\d{1,20})-(\d{1,20})", re.ASCII)
MAX_ID_PART = 2**64 - 1
"""The largest millisecond time or sequence number of a Redis stream ID."""


def sse_frame(event, data, event_id=None):
    """One SSE message. Data is JSON on a single line, so no field can break the framing."""
    lines = []
    if event_id:
        lines.append(f"id: {event_id}")
    lines.append(f"event: {event}")
    lines.append("data: " + json.dumps(data, ensure_ascii=False, separators=(",", ":")))
    return "\n".join(lines) + "\n\n"


def sse_comment(text):
    """An SSE comment line; clients ignore it, proxies see traffic and keep the stream open."""
    return "".join(f": {line}\n" for line in text.splitlines() or [""]) + "\n"


def _text(value):
    return value.decode() if isinstance(value, bytes) else value
