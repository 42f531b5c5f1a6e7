"""A small client of the API: SSE parsing and what `summarizer summarize` shows of a job."""

import dataclasses
import json
import os
import sys

import requests

from summarizer.follow import Follower
from summarizer.terminal import LiveLines, clean, final_text

CONNECT_TIMEOUT_SECONDS = 10
READ_TIMEOUT_SECONDS = 120
"""Longest silence tolerated on a stream; the server sends a heartbeat well within it."""


@dataclasses.dataclass
class ServerEvent:
    event: str
    data: object
    id: str | None = None


def parse_sse(lines):
    """ServerEvents from an iterable of decoded SSE lines (comments and retry hints skipped)."""
    event, data, event_id = "message", [], None
    for line in lines:
        if line == "":
            if data:
                yield ServerEvent(event, _parsed("\n".join(data)), event_id)
            event, data, event_id = "message", [], None
            continue
        field, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if field == "event":
            event = value
        elif field == "data":
            data.append(value)
        elif field == "id" and "\0" not in value:
            event_id = value


def _parsed(data):
    """Event data is JSON; a line that is not (a proxy's note) is kept as {"text"}, as stream.js does."""
    try:
        return json.loads(data)
    except ValueError:
        return {"text": data}


def _request_body(source, options):
    """(kwargs for requests.post) for a file path, a URL, '-' for stdin, or a kept document
    (options["document_id"])."""
    if options.get("document_id"):
        return {"json": options}
    if source == "-":
        return {"json": dict(options, text=sys.stdin.read())}
    if source.startswith(("http://", "https://")):
        return {"json": dict(options, url=source)}
    with open(source, "rb") as handle:
        data = handle.read()
    return {"files": {"file": (os.path.basename(source), data)}, "data": options}


def stream_summary(server, token, source, options, out, err, *, as_json=False, with_sources=False):
    """POST and follow the job's stream (README, "Reading the stream"): the preview, progress and the
    model's draft live on `err`, then the final result on `out` (the summary with each item's
    status, or with `as_json` the whole result). Returns a process exit code."""
    headers = {"Accept": "text/event-stream"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    live = LiveLines(err)
    with requests.post(f"{server.rstrip('/')}/summarize", headers=headers, stream=True,
                       timeout=(CONNECT_TIMEOUT_SECONDS, READ_TIMEOUT_SECONDS),
                       **_request_body(source, options)) as response:
        if response.status_code >= 400:
            error = _error_of(response)
            live.line(f"error {response.status_code} {clean(error.get('code'))}: {clean(error.get('message'))}")
            return 1
        follower = Follower()
        for event in parse_sse(response.iter_lines(decode_unicode=True)):
            change = follower.apply(event.event, event.data)
            _show(live, change, event, follower)
            if follower.ended:
                break
    live.finish()
    if follower.result is not None:
        out.write(json.dumps(follower.result, indent=1) + "\n" if as_json
                  else final_text(follower.result, with_sources=with_sources))
        out.flush()
        _describe_result(follower.result, live)
        return 0
    if follower.error is None:
        live.line("error: the stream ended before the summary was done")
    return 1


def _show(live, change, event, follower):
    """The live view of one event on stderr."""
    data = event.data if isinstance(event.data, dict) else {}
    if change == "preview":
        live.block("Preview (the document's own sentences, while the model writes):", data.get("summary"))
    elif change == "token":
        live.draft(data.get("text"))
    elif change == "void":
        why = ("the answer broke a rule" if data.get("status") == "retrying"
               else "its worker stopped and another took over")
        live.line(f"[{why}: the draft above is void and is written again]")
    elif change == "error":
        live.line(f"error {clean(data.get('code'))}: {clean(data.get('message'))}")
    elif event.event == "progress":
        live.progress(data.get("stage"), data.get("done"), data.get("total"))
    elif event.event == "status" and data.get("status") == "queued" and (data.get("position") or 0) > 1:
        live.line(f"queued at position {clean(data['position'])}")


def _describe_result(result, live):
    """What the summary does not say: that it is the document's own sentences, and how to ask again."""
    if result.get("fallback") == "extractive":
        live.line("The model's answers broke the rules: these are the document's own sentences.")
    if result.get("document_id"):
        document_id = clean(result["document_id"])
        live.line(f"document_id {document_id} (ask again: summarizer summarize --document-id "
                  f"{document_id} --query '...')")


def _error_of(response):
    try:
        return response.json()["error"]
    except (ValueError, KeyError, TypeError):
        return {"code": "http_error", "message": response.text[:200]}
