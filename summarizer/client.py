"""A small client of the API: SSE parsing and the `summarizer summarize` command's streaming."""

import dataclasses
import json
import os
import sys

import requests

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
                yield ServerEvent(event, json.loads("\n".join(data)), event_id)
            event, data, event_id = "message", [], None
            continue
        field, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if field == "event":
            event = value
        elif field == "data":
            data.append(value)
        elif field == "id":
            event_id = value


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


def stream_summary(server, token, source, options, out, err):
    """POST and print tokens as they arrive, progress on `err`; returns a process exit code."""
    headers = {"Accept": "text/event-stream"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    with requests.post(f"{server.rstrip('/')}/summarize", headers=headers, stream=True,
                       timeout=(CONNECT_TIMEOUT_SECONDS, READ_TIMEOUT_SECONDS),
                       **_request_body(source, options)) as response:
        if response.status_code >= 400:
            error = _error_of(response)
            err.write(f"error {response.status_code} {error.get('code')}: {error.get('message')}\n")
            return 1
        for event in parse_sse(response.iter_lines(decode_unicode=True)):
            if event.event == "token":
                out.write(event.data["text"])
                out.flush()
            elif event.event == "progress":
                err.write(f"\r{event.data.get('stage')}: {event.data.get('done')}/{event.data.get('total')}")
                err.flush()
            elif event.event == "done":
                out.write("\n")
                _describe_result(event.data, err)
                return 0
            elif event.event == "error":
                err.write(f"\nerror {event.data.get('code')}: {event.data.get('message')}\n")
                return 1
    err.write("\nerror: the stream ended before the summary was done\n")
    return 1


def _describe_result(result, err):
    """What the streamed tokens do not say: an unanswered question, and how to ask again."""
    if result.get("answered") is False:
        err.write(f"{result.get('summary')}\n")
    if result.get("document_id"):
        err.write(f"document_id {result['document_id']} (ask again: summarizer summarize "
                  f"--document-id {result['document_id']} --query '...')\n")


def _error_of(response):
    try:
        return response.json()["error"]
    except (ValueError, KeyError, TypeError):
        return {"code": "http_error", "message": response.text[:200]}
