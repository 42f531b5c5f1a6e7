"""Routes of the summarization API. Validation, extraction and queueing live in their modules."""

import contextlib
import time

from flask import Blueprint, current_app, jsonify, request, url_for

from summarizer import __version__, shapes
from summarizer.queue import documents, jobs, limits, metrics, state
from summarizer.errors import BadRequest, SummarizerError, UnprocessableDocument
from summarizer.queue.events import FIRST_ID, EventLog, valid_event_id
from summarizer.extract import extract
from summarizer.extract.offload import off_loop
from summarizer.web import auth
from summarizer.web.intake import parse_slots, source_from_request
from summarizer.options import parse_options
from summarizer.engine.answer import preview_event as query_preview
from summarizer.changes import summary as changes_summary, versions
from summarizer.engine.preview import preview
from summarizer.engine import verify
from summarizer.longdocs.planning import plan_chunks
from summarizer.web.streaming import own_connection, sse_response, wait_for_result

bp = Blueprint("api", __name__)


def _settings():
    return current_app.config["SETTINGS"]


def _redis():
    return current_app.extensions["redis"]


def _events(job_id, connection=None):
    return EventLog(connection or _redis(), job_id, _settings().result_ttl)


def _job_status(job_id, connection=None):
    """A callable that looks the job's status up when a stream has been idle."""
    return lambda: jobs.describe(connection or _redis(), job_id)["status"]


@contextlib.contextmanager
def _following(job_id, connection=None):
    """Mark the job as followed while a stream (or a waiting request) is connected."""
    ttl, connection = _settings().result_ttl, connection or _redis()
    state.attach(connection, job_id, ttl)
    try:
        yield
    finally:
        state.detach(connection, job_id, ttl)


def _check_rate():
    """Per-client request rate: the API token identifies the client, else its address."""
    limits.check_rate(_redis(), auth.client_key(), _settings().rate_limit)


def _extracted(source):
    """The document and the milliseconds extraction took; a kept document (named by its
    document_id) is not extracted again."""
    if source.kind == "document":
        return documents.load(_redis(), _settings(), source.document_id, auth.owner()), 0
    began = time.perf_counter()
    try:
        document = extract(source, _settings(), parse_slots(current_app))
    except SummarizerError as error:
        metrics.record_extraction_failure(_redis(), error.code)
        raise
    return document, round((time.perf_counter() - began) * 1000)


def _review(document, options):
    """What changed: since the kept version `options.since` (404 now when it has expired, not
    once the job runs), or the document's own tracked changes and comments."""
    if options.since:
        earlier = documents.load(_redis(), _settings(), options.since, auth.owner())
        return off_loop(versions.compare, earlier, document)
    return document.metadata.get("review")


def _shown(document, options):
    """The preview of `document`, or 422 `nothing_to_summarize` where it is empty: a document with
    no sentence to show in this shape ("My Bar Chart", a deck's title alone; page numbers) gets no
    summary from the model either, whose items must be backed by its sentences, and an empty 200
    would break the shape it asked for."""
    shown = off_loop(preview, document, options)
    if not shown["summary"].strip():
        words = document.text.split()
        quoted = " ".join(words[:12]) + (" ..." if len(words) > 12 else "")
        raise UnprocessableDocument(
            "nothing_to_summarize",
            f"This document has no sentence to make a {options.type} of: its text is {len(words)} "
            f"word(s) of labels or numbers (\"{quoted}\"). Send a document written in sentences"
            + ("." if options.type == "headline" else ", or ask for a headline."))
    return shown


def _wants_event_stream():
    # JSON first: a client sending */* (curl's default) gets JSON, not a stream.
    best = request.accept_mimetypes.best_match(["application/json", "text/event-stream"])
    return best == "text/event-stream"


@bp.post("/summarize")
def summarize():
    """Extract, queue, then stream (Accept: text/event-stream), wait (?wait=true) or answer 202."""
    _check_rate()
    source, raw_options = source_from_request(request)
    options = parse_options(raw_options, _settings().depth)
    if _wants_event_stream():  # a stream refused after queueing would leave its job behind
        limits.check_streams(_redis(), auth.client_key(), _settings().max_streams_per_client)
    document, extract_ms = _extracted(source)
    by_reference = source.kind == "document"  # loaded (and kept longer) by its ID: not hashed again
    document_id = source.document_id if by_reference else \
        documents.keep(_redis(), _settings(), document, auth.owner())
    # both proportional to the document: on a thread, off the event loop (extract/offload.py)
    if options.focus == "changes":  # one call over the changes, whatever the depth
        review = _review(document, options)
        plan = lambda: [document]  # noqa: E731
        first = lambda: off_loop(changes_summary.preview_event, review, options,  # noqa: E731
                                 document.title, options.since)
    elif options.query:  # one call over the sentences that answer it, whatever the depth
        plan, first = (lambda: [document]), (lambda: off_loop(query_preview, document, options))
    else:
        plan = lambda: off_loop(plan_chunks, document, options, _settings())  # noqa: E731
        shown = _shown(document, options)
        first = lambda: shown  # noqa: E731
    job_id, cache_state = jobs.submit(_redis(), _settings(), document, options, plan, extract_ms,
                                      preview=lambda: {**first(), "document_id": document_id},
                                      owner=auth.owner(), document_id=document_id,
                                      by_reference=by_reference)
    headers = {"X-Summarizer-Cache": cache_state, "X-Document-Id": document_id}
    if options.cache:
        (metrics.record_cache_miss if cache_state == "miss" else metrics.record_cache_hit)(_redis())
    if _wants_event_stream():
        response = _stream(job_id, FIRST_ID)
        response.headers.update(headers)
        return response
    if request.args.get("wait", "").lower() in ("1", "true", "yes"):
        result = wait_for_result(_events(job_id), _settings().wait_timeout, _job_status(job_id),
                                 _following(job_id))
        return jsonify(result), 200, headers
    body = {
        "job_id": job_id, "document_id": document_id,
        "status_url": url_for("api.job_status", job_id=job_id),
        "events_url": url_for("api.job_events", job_id=job_id),
    }
    return jsonify(body), 202, dict(headers, Location=body["status_url"])


@bp.post("/extract")
def extract_document():
    """What the model would see: the extracted Document as JSON."""
    _check_rate()
    source, raw_options = source_from_request(request)
    parse_options(raw_options)  # the same inputs as /summarize are accepted, and checked
    document, extract_ms = _extracted(source)
    document_id = documents.keep(_redis(), _settings(), document, auth.owner())
    dumps = current_app.json.dumps  # jsonify's own encoder, taken here: threads have no app context
    body = off_loop(lambda: dumps(dict(document.to_dict(), extract_ms=extract_ms, document_id=document_id)))
    return current_app.response_class(body + "\n", mimetype="application/json")


@bp.post("/verify")
def verify_claims():
    """Each claim checked against the document as a summary's items are (engine/verify.py): no
    model, no queue. The document comes as to /extract; `claims` is a string or a list."""
    _check_rate()
    source, fields = source_from_request(request)
    raw_claims = fields.pop("claims", None)
    if request.mimetype == "multipart/form-data" and len(request.form.getlist("claims")) > 1:
        raw_claims = request.form.getlist("claims")  # one form field per claim
    if fields:
        raise BadRequest("unknown_field", f"/verify reads a document and `claims`; unknown field(s): "
                                          f"{', '.join(sorted(map(str, fields)))}.")
    settings = _settings()
    claims = verify.claims_of(raw_claims, settings.verify_max_claims, settings.verify_max_claim_chars)
    document, extract_ms = _extracted(source)
    document_id = documents.keep(_redis(), settings, document, auth.owner())
    checked = off_loop(verify.verify, document, claims)  # proportional to the document (extract/offload.py)
    return jsonify(dict(checked, document_id=document_id, extract_ms=extract_ms))


@bp.get("/options")
def summary_options():
    """The option values the front-ends offer, with labels and defaults: one list for all of them.
    Needs the token like the rest of the API, so a client can also check its token with it."""
    return jsonify({"service": "summarizer", "version": __version__,
                    "options": shapes.catalogue(_settings().depth)})


@bp.get("/jobs/<job_id>")
def job_status(job_id):
    return jsonify(jobs.describe(_redis(), job_id, auth.owner()))


@bp.delete("/jobs/<job_id>")
def job_cancel(job_id):
    return jsonify(jobs.cancel(_redis(), _settings(), job_id, auth.owner()))


@bp.get("/jobs/<job_id>/events")
def job_events(job_id):
    """The job's events as SSE; `Last-Event-ID` resumes after the last event a client saw."""
    jobs.fetch_job(_redis(), job_id, auth.owner())  # 404: unknown, malformed, or another's
    after = request.headers.get("Last-Event-ID") or request.args.get("last_event_id") or FIRST_ID
    if not valid_event_id(after):
        raise BadRequest("bad_event_id", f"Last-Event-ID {after!r} is not an event ID of this API.")
    return _stream(job_id, after)


def _stream(job_id, after):
    """The job's events after `after` as SSE, counted against max_streams_per_client/_job."""
    settings = _settings()
    release = limits.open_stream(_redis(), auth.client_key(), job_id,
                                 settings.max_streams_per_client, settings.max_streams_per_job)
    own = own_connection(_redis())  # the stream's own, closed with it

    def closed():
        try:
            release(own)
        finally:
            own.close()

    return sse_response(_events(job_id, own), job_id, after, settings.heartbeat_seconds,
                        _job_status(job_id, own), _following(job_id, own), (closed,))
