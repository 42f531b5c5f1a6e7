"""The OpenAPI 3 description of the HTTP API, served at GET /openapi.json.

Built in code rather than kept as a static file so that the option values and limits come from
options.py, the one place that validates them: the description cannot drift from what the server
accepts. tests/test_openapi.py runs schemathesis against the real app with this document.
"""

from flask import Blueprint, current_app, jsonify

from summarizer import __version__
from summarizer.config import Settings
from summarizer.web.auth import public
from summarizer import shapes
from summarizer.options import MAX_CONTEXT_CHARS, MAX_LANGUAGE_CHARS, MAX_QUERY_CHARS
from summarizer.shapes import DEPTHS, FOCUSES, FORMATS, LENGTHS, TYPE_ALIASES

bp = Blueprint("openapi", __name__)

JSON = "application/json"
BOOLEAN_STRINGS = ("1", "true", "yes", "on", "0", "false", "no", "off")
"""How a form field (or a JSON string) spells `cache`; options.py accepts them in any case."""

ERROR_STATUSES = {
    "400": "Bad request: malformed JSON or multipart, unknown or invalid option, empty input; "
           "/verify: claims missing, blank, too many or too long.",
    "401": "No valid API token (`Authorization: Bearer <token>`) while tokens are configured.",
    "404": "Unknown job (or expired); `document_expired`: the `document_id` is no longer kept "
           "(SUMMARIZER_DOCUMENT_TTL after its last use), or was sent with another token.",
    "409": "The job was canceled while this request waited for it.",
    "413": "Too large: the request body (max_content_length), the extracted text (max_chars), "
           "its blocks (max_blocks, `too_many_blocks`), what it takes to keep "
           "(`document_too_large`) or the memory a document needs to parse (parse_memory_mb).",
    "415": "Unsupported request content type or document type (legacy .doc, images...).",
    "422": "Unreadable document (encrypted, scanned without text, damaged, parse_timeout), URL "
           "that cannot be fetched, or a document with no sentence to summarize in the shape asked "
           "(`nothing_to_summarize`: labels or page numbers alone).",
    "429": "Backpressure: the queue is full, the client is over its rate, or has too many event "
           "streams open (`too_many_streams`; see Retry-After).",
    "500": "The job failed in the worker (only with ?wait=true, which reports the job's error).",
    "503": "Redis is unreachable or no worker serves the queue (see Retry-After).",
    "504": "?wait=true gave up before the job finished; the job goes on (follow its events).",
}


def _nullable(schema):
    """`schema`, or null: the server treats a null field as absent. (OpenAPI 3.0's `nullable`
    does not extend an `enum`, so null is listed there too.)"""
    if "enum" in schema:
        return dict(schema, nullable=True, enum=[*schema["enum"], None])
    if "anyOf" in schema:
        return dict(schema, anyOf=[*schema["anyOf"], {"type": "string", "nullable": True,
                                                       "enum": [None]}])
    return dict(schema, nullable=True)


def option_properties(form=False):
    """The summary options; `form` describes them as multipart fields (all strings)."""
    cache = ({"type": "string", "enum": list(BOOLEAN_STRINGS)} if form else
             {"anyOf": [{"type": "boolean"}, {"type": "integer", "enum": [0, 1]},
                        {"type": "string", "enum": list(BOOLEAN_STRINGS)}]})
    properties = {
        "type": {"type": "string", "enum": [*shapes.TYPES, *TYPE_ALIASES],
                 "description": "Kind of summary (case-insensitive); `tl;dr` is `tldr`."},
        "length": {"type": "string", "enum": list(LENGTHS)},
        "format": {"type": "string", "enum": list(FORMATS)},
        "output_language": {"type": "string", "maxLength": MAX_LANGUAGE_CHARS,
                            "description": "BCP 47 tag or language name of the summary."},
        "context": {"type": "string", "maxLength": MAX_CONTEXT_CHARS,
                    "description": "Background from the reader, added to the prompt."},
        "cache": dict(cache, description="Reuse an identical earlier or running job (default true)."),
        "strict": dict(cache, description="Drop summary items the source does not support instead "
                                          "of replacing them with the source's own sentence (default false)."),
        "query": {"type": "string", "maxLength": MAX_QUERY_CHARS,
                  "description": "A question: the summary of the requested type answers it from "
                                 "the document, cited like any summary; the result says "
                                 "`answered: false` (and why, in `summary`) when the document "
                                 "does not answer it."},
        "depth": {"type": "string", "enum": list(DEPTHS),
                  "description": "fast (default): one model call over the most salient sentences; "
                                 "thorough: a long document is summarized part by part, then combined."},
        "focus": {"type": "string", "enum": list(FOCUSES),
                  "description": "document (default): the document as it reads, tracked changes "
                                 "accepted; changes: what changed and what reviewers asked (a Word "
                                 "file's tracked changes and comments), grouped by author, each "
                                 "citation naming its `change` (kind, author, date, locator). "
                                 "Nothing to tell: a plain sentence, no model call."},
        "since": {"type": "string", "pattern": "^([0-9a-fA-F]{32})?$",
                  "description": "The document_id of an earlier version of the same page or file: "
                                 "the summary says what changed since (added, removed, edited, "
                                 "moved blocks), or that nothing did. Implies focus changes."},
    }
    return properties if form else {name: _nullable(s) for name, s in properties.items()}


def _input_properties(form=False):
    """The document fields: exactly one of text, html (with its url), url, or a file."""
    text = {"type": "string", "pattern": r"\S", "description": "Plain text or Markdown."}
    fields = {
        "text": text,
        "html": {"type": "string", "description": "A page's HTML, e.g. from the browser extension."},
        "url": {"type": "string", "description": "http(s) URL the server fetches (public addresses "
                                                 "only), or the address of `html`."},
        "password": {"type": "string", "description": "Password of an encrypted PDF."},
        "document_id": {"type": "string", "description": "Instead of the document: the "
                        "`document_id` of a result, while the server keeps that document "
                        "(SUMMARIZER_DOCUMENT_TTL after its last use); it is not extracted again."},
    }
    if form:
        return dict(fields, file={"type": "string", "format": "binary",
                                  "description": "PDF, Word (.docx/.docm/.dotx), PowerPoint (.pptx), "
                                                 "WebVTT/SubRip/SubViewer transcripts, HTML, Markdown or text."})
    return {name: _nullable(schema) for name, schema in fields.items()}


def request_body():
    """JSON, multipart or plain-text input, shared by /summarize and /extract."""
    exactly_one = ("Send exactly one of `text`, `html` (optionally with its `url`), `url`, `file` "
                   "or `document_id`.")
    json_body = {
        "type": "object", "additionalProperties": False, "description": exactly_one,
        "properties": {**_input_properties(), **option_properties()},
        "anyOf": [{"required": [name]} for name in ("text", "html", "url", "document_id")],
    }
    form_body = {
        "type": "object", "additionalProperties": False, "description": exactly_one,
        "properties": {**_input_properties(form=True), **option_properties(form=True)},
    }
    plain = {"schema": {"type": "string", "pattern": r"\S"}}
    return {"required": True, "content": {
        JSON: {"schema": json_body},
        "multipart/form-data": {"schema": form_body, "encoding": {"file": {
            "contentType": "application/octet-stream"}}},
        "text/plain": plain,
        "text/markdown": plain,
    }}


def verify_body(max_claims, max_chars):
    """JSON or multipart: a document as for /extract, and the `claims` to check against it."""
    claim = {"type": "string", "pattern": r"\S", "maxLength": max_chars}
    claims = {"description": "A string (split into sentences, each a claim) or a list of strings "
                             f"(each a claim): at most {max_claims} claims of at most {max_chars} "
                             "characters (SUMMARIZER_VERIFY_MAX_CLAIMS, _MAX_CLAIM_CHARS).",
              "anyOf": [{"type": "string", "pattern": r"\S"},
                        {"type": "array", "items": claim, "minItems": 1, "maxItems": max_claims}]}
    exactly_one = ("`claims`, and exactly one of `text`, `html` (optionally with its `url`), `url`, "
                   "`file` or `document_id`.")
    json_body = {
        "type": "object", "additionalProperties": False, "description": exactly_one,
        "properties": {**_input_properties(), "claims": claims}, "required": ["claims"],
        "anyOf": [{"required": [name]} for name in ("text", "html", "url", "document_id")],
    }
    form_claims = {"type": "string", "pattern": r"\S",
                   "description": "The claims as one string (split into sentences); repeat the "
                                  "field to send one claim per field."}
    form_body = {"type": "object", "additionalProperties": False, "description": exactly_one,
                 "properties": {**_input_properties(form=True), "claims": form_claims},
                 "required": ["claims"]}
    return {"required": True, "content": {
        JSON: {"schema": json_body},
        "multipart/form-data": {"schema": form_body, "encoding": {"file": {
            "contentType": "application/octet-stream"}}},
    }}


def _object(properties, required=None, extra=False):
    return {"type": "object", "properties": properties, "required": required or list(properties),
            "additionalProperties": extra}


def schemas():
    """Reusable component schemas."""
    error_body = _object({"code": {"type": "string"}, "message": {"type": "string"}})
    error_body["additionalProperties"] = True  # e.g. "details"
    integer, string = {"type": "integer"}, {"type": "string"}
    result = _object({
        "summary": string, "type": string, "length": string, "format": string, "model": string,
        "usage": _object({"prompt_tokens": integer, "completion_tokens": integer,
                          "cached_tokens": dict(integer, description="Prompt tokens the model did "
                                                "not read again: its kept reading of the document "
                                                "(a follow-up question, or a summary with other "
                                                "options), or its server's prompt cache.")},
                         extra=True),
        "timings": _object({"queued_ms": integer, "extract_ms": integer, "generate_ms": integer,
                            "reading_ms": dict(integer, description="Of generate_ms, the time the "
                                               "model took to read its prompts (the part not cached).")},
                           extra=True),
    }, extra=True)  # other features add fields (citations, recovery...)
    result["properties"].update({
        "document_id": dict(string, description="Send it instead of the document to ask again."),
        "query": dict(string, description="The question asked (with `query`)."),
        "answered": {"type": "boolean", "description": "With `query`: false when the document "
                                                       "does not answer it (`summary` says so)."},
        "focus": dict(string, description="\"changes\" for a summary of changes."),
        "since": dict(string, description="With `since`: the earlier version's document_id."),
        "changes": {"type": "object", "description": "With focus changes: `count` (changes read), "
                    "`total` (in the file), `formatting_changes` (counted, not told), `authors`."},
    })
    return {
        "Error": _object({"error": error_body}),
        "Result": result,
        "Accepted": _object({"job_id": string, "document_id": string, "status_url": string,
                             "events_url": string}),
        "Document": _object({
            "title": string, "text": string,
            "blocks": {"type": "array", "items": _object(
                {"text": string, "locator": {"type": "object"}})},
            "metadata": {"type": "object", "description": "title, author, date, format...; a Word "
                         "file under review has `review`: `changes` (change: inserted, deleted, "
                         "replaced or moved; author, date, text, locator), `comments` (author, "
                         "date, text, anchor, locator, reply_to), `formatting_changes`, "
                         "`changes_total`."},
            "extract_ms": integer, "document_id": string,
        }),
        "Verdicts": _object({
            "claims": {"type": "array", "items": _object({
                "item": integer, "text": string,
                "score": {"type": "number", "description": "The support score of the check, as in "
                                                           "a summary's citations."},
                "supported": {"type": "boolean"},
                "status": {"type": "string", "enum": ["supported", "unverified"]},
                "missing": {"type": "array", "items": string, "description": "Why the claim falls "
                            "short: facts it states (numbers, names, negation...) that its sources "
                            "do not carry; empty when it is supported."},
                "sources": {"type": "array", "items": _object({
                    "locator": {"type": "object"}, "score": {"type": "number"}, "quote": string})},
            }, extra=True)},
            "supported_share": {"type": "number"}, "document_id": string, "extract_ms": integer,
        }),
        "Job": _object({
            "job_id": string,
            "status": {"type": "string",
                       "enum": ["queued", "started", "finished", "failed", "canceled"]},
            "progress": {"type": "object", "nullable": True,
                         "description": "{stage, done, total} of the running job"},
            "result": {"allOf": [{"$ref": "#/components/schemas/Result"}], "nullable": True},
            "error": dict(error_body, nullable=True),
        }),
    }


def _json(description, schema_name, headers=None):
    response = {"description": description,
                "content": {JSON: {"schema": {"$ref": f"#/components/schemas/{schema_name}"}}}}
    if headers:
        response["headers"] = {name: {"schema": {"type": "string"}} for name in headers}
    return response


def _errors(*statuses):
    """Error responses by status, each the common JSON error body."""
    retry = {"Retry-After"}
    return {status: _json(ERROR_STATUSES[status], "Error",
                          retry if status in ("429", "503") else None) for status in statuses}


def _job_parameter():
    return {"name": "job_id", "in": "path", "required": True,
            "schema": {"type": "string", "pattern": r"^[A-Za-z0-9_-]+$"},
            "description": "As returned by POST /summarize (hex); anything else is an unknown job."}


SSE_EVENT = {
    "type": "object", "required": ["event", "data"],
    "description": "One Server-Sent Event; `data` is one line of JSON. Comment lines are heartbeats.",
    "properties": {
        "event": {"type": "string", "enum": ["preview", "status", "progress", "token", "done", "error"]},
        "data": {"type": "string"},
        "id": {"type": "string", "pattern": r"^\d+-\d+$", "description": "For Last-Event-ID."},
        "retry": {"type": "integer"},
    },
}
"""Each event of a stream, as an SSE parser (EventSource, schemathesis) sees it."""


def _event_stream(description):
    return {"description": description, "headers": {"X-Job-Id": {"schema": {"type": "string"}}},
            "content": {"text/event-stream": {"schema": SSE_EVENT}}}


def paths(settings=None):
    """Every public route (the Word add-in's static files under /addin/ are left out); the limits
    of /verify are those of `settings` (default: the defaults)."""
    body = request_body()
    verify_limits = _verify_limits(settings)
    input_errors = ("400", "401", "404", "413", "415", "422", "429", "503")
    summarize_ok = _event_stream(
        "`Accept: text/event-stream`: the job's events (status, progress, token, done, error). "
        "`?wait=true`: the finished result as JSON.")
    summarize_ok["content"][JSON] = {"schema": {"$ref": "#/components/schemas/Result"}}
    wait = {"name": "wait", "in": "query", "required": False, "schema": {"type": "string"},
            "description": "`true`, `1` or `yes`: answer 200 with the result when the job ends."}
    last_id = {"name": "Last-Event-ID", "in": "header", "required": False,
               "schema": {"type": "string", "pattern": r"^\d+-\d+$"},
               "description": "Resume after this event (also `?last_event_id=`)."}
    return {
        "/summarize": {"post": {
            "summary": "Summarize a document: stream, wait, or queue (202).",
            "parameters": [wait], "requestBody": body,
            "responses": {"200": summarize_ok,
                          "202": _json("Queued; follow events_url or poll status_url.", "Accepted",
                                       ["Location", "X-Summarizer-Cache"]),
                          **_errors(*input_errors, "409", "500", "504")},
        }},
        "/extract": {"post": {
            "summary": "The extracted document: what the model would see.",
            "requestBody": body,
            "responses": {"200": _json("The document.", "Document"), **_errors(*input_errors)},
        }},
        "/verify": {"post": {
            "summary": "Check claims against the document: per claim the verdict, score, missing "
                       "facts and source sentences a summary's citations carry (no model call).",
            "requestBody": verify_body(*verify_limits),
            "responses": {"200": _json("The verdict on each claim.", "Verdicts"),
                          **_errors(*input_errors)},
        }},
        "/options": {"get": {
            "summary": "The option values to offer (type, length, format...), with labels and defaults.",
            "responses": {"200": _json("The options.", "Options"), **_errors("401")},
        }},
        "/jobs/{job_id}": {
            "parameters": [_job_parameter()],
            "get": {"summary": "A job's status, progress and result.",
                    "responses": {"200": _json("The job.", "Job"), **_errors("401", "404", "503")}},
            "delete": {"summary": "Cancel a job (a finished one is left as is).",
                       "responses": {"200": _json("The job after the cancel.", "Job"),
                                     **_errors("401", "404", "503")}},
        },
        "/jobs/{job_id}/events": {"get": {
            "summary": "The job's events as Server-Sent Events, from the start or Last-Event-ID.",
            "parameters": [_job_parameter(), last_id],
            "responses": {"200": _event_stream("Events until `done` or `error`."),
                          **_errors("400", "401", "404", "503")},
        }},
        "/healthz": {"get": {
            "summary": "The API process is up (no Redis call).", "security": [],
            "responses": {"200": _json("Up.", "Health")},
        }},
        "/readyz": {"get": {
            "summary": "Redis answers and a live worker serves the queue.",
            "responses": {"200": _json("Ready.", "Ready"), **_errors("401", "503")},
        }},
        "/metrics": {"get": {
            "summary": "Prometheus metrics of the whole service.",
            "responses": {"200": {"description": "Prometheus text format.",
                                  "content": {"text/plain": {"schema": {"type": "string"}}}},
                          **_errors("401")},
        }},
        "/openapi.json": {"get": {
            "summary": "This description.", "security": [],
            "responses": {"200": {"description": "OpenAPI 3.0 document.",
                                  "content": {JSON: {"schema": {"type": "object"}}}}},
        }},
    }


def _verify_limits(settings):
    """(most claims, longest claim) of `settings`, or the defaults of config.Settings."""
    if settings is not None:
        return settings.verify_max_claims, settings.verify_max_claim_chars
    fields = Settings.__dataclass_fields__
    return fields["verify_max_claims"].default, fields["verify_max_claim_chars"].default


def document(settings=None):
    """The whole OpenAPI document (the limits it states are those of `settings`)."""
    components = {
        "schemas": {**schemas(),
                    "Health": _object({"status": {"type": "string", "enum": ["ok"]}}),
                    "Options": _object({
                        "service": {"type": "string", "enum": ["summarizer"]},
                        "version": {"type": "string"},
                        "options": {"type": "object", "additionalProperties": _object({
                            "default": {"type": "string"},
                            "values": {"type": "array", "items": _object(
                                {"value": {"type": "string"}, "label": {"type": "string"},
                                 "description": {"type": "string"}}, required=["value", "label"])},
                        })},
                    }),
                    "Ready": _object({"status": {"type": "string", "enum": ["ready"]},
                                      "queue": {"type": "string"}, "workers": {"type": "integer"}})},
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                       "description": "One of SUMMARIZER_API_TOKENS, when set."}},
    }
    return {
        "openapi": "3.0.3",
        "info": {"title": "summarizer", "version": __version__,
                 "description": "Self-hosted summarization: documents in, summaries streamed back. "
                                "Errors are always {\"error\": {\"code\", \"message\"}}."},
        "security": [{"bearer": []}],
        "paths": paths(settings),
        "components": components,
    }


@bp.get("/openapi.json")
@public
def openapi_json():
    """The description of this API."""
    return jsonify(document(current_app.config["SETTINGS"]))
