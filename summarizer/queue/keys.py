"""Every Redis key the service writes besides RQ's own (``rq:*``), in one place.

Each entry says what the key holds, who writes it, and how long it lives. Job-scoped keys take the
client-facing job ID as suffix and expire with the job's results (`Settings.result_ttl`), so a
finished job leaves nothing behind for longer than its result.
"""

PREFIX = "summarizer:"


def events(job_id):
    """Stream: the job's events (status, preview, progress, token, done, error). Written by the API
    (preview, queued) and the workers; read by every SSE client. TTL: result_ttl after the last event."""
    return f"{PREFIX}events:{job_id}"


def progress(job_id):
    """String (JSON): the job's latest progress, for GET /jobs/<id>. Written by the workers running
    its parts (map jobs on any worker, then the reduce). TTL: result_ttl."""
    return f"{PREFIX}progress:{job_id}"


def cancel(job_id):
    """String: set by DELETE /jobs/<id>; workers check it between tokens and stop. TTL: result_ttl."""
    return f"{PREFIX}cancel:{job_id}"


def watchers(job_id):
    """Integer: stream clients following the job now. Incremented and decremented by the API.
    TTL: result_ttl."""
    return f"{PREFIX}watchers:{job_id}"


def orphaned(job_id):
    """String (epoch seconds): when the job's last stream client left; workers cancel a job
    orphaned longer than orphan_grace_seconds. Written by the API. TTL: result_ttl."""
    return f"{PREFIX}orphaned:{job_id}"


def attempts(rq_job_id):
    """Integer: runs of an RQ job so far; above one, a dead worker abandoned it and RQ queued it
    again (the client is told `restarted`). Written by the worker. TTL: result_ttl."""
    return f"{PREFIX}attempts:{rq_job_id}"


def maps_started(job_id):
    """String (epoch seconds): when the first map job of a long document started (set once, NX),
    for its ETA. Written by the map jobs. TTL: result_ttl."""
    return f"{PREFIX}maps-started:{job_id}"


def maps_done(job_id):
    """Integer: map jobs of a long document finished so far. Written by the map jobs. TTL: result_ttl."""
    return f"{PREFIX}maps-done:{job_id}"


def cache(digest):
    """String: the job that answers a request with this digest of (text, options, model, owner),
    finished or still running. Written by the API. TTL: result_ttl."""
    return f"{PREFIX}cache:{digest}"


def document(owner_digest, document_id):
    """String (zlib-compressed JSON {"owner", "document"}): an extracted document kept so that a
    follow-up request can name it by `document_id` instead of sending it again
    (queue/documents.py); named by its owner too, so another token's ID reads nothing. Written by
    the API on every request that sends a document; each use renews it. TTL: document_ttl (1 hour
    by default) after its last use."""
    return f"{PREFIX}document:{owner_digest}:{document_id}"


def reading(queue, document_id):
    """String: the own queue of the worker of `queue` that keeps the model's reading of a kept
    document (queue/routing.py), where a follow-up (a question, or a summary with other options)
    is answered fastest. Written by that worker after each call about the document; read by the
    API. Per queue: workers of another queue on the same Redis (another deployment) serve none of
    this one's jobs. TTL: document_ttl. (A document_id is already specific to its owner:
    queue/documents.py.)"""
    return f"{PREFIX}reading:{queue}:{document_id}"


def kept(owner_digest):
    """Sorted set: the IDs of one owner's kept documents, scored by their last use, for the
    per-token quota (kept_documents, kept_mb). Written by the API. TTL: document_ttl."""
    return f"{PREFIX}kept:{owner_digest}"


def kept_sizes(owner_digest):
    """Hash: stored bytes of each of one owner's kept documents (member of `kept`). Written by the
    API. TTL: document_ttl."""
    return f"{PREFIX}kept-sizes:{owner_digest}"


KEPT_ALL = PREFIX + "kept-all"
"""Sorted set: the keys of every owner's kept documents, scored by their last use: what goes first
when Redis nears its maxmemory. Written by the API; entries older than document_ttl are dropped on
each write. No TTL."""


FINISHED = PREFIX + "finished"
"""Sorted set: recent request completions (member job ID, score time), for the queue's drain rate
and Retry-After. Written by the workers; trimmed to the newest limits.DRAIN_SAMPLE. No TTL."""


def admitting(queue_name):
    """Sorted set: requests that passed the queue-depth check and are being queued now (member a
    job ID, score when admitted), counted with the queue so concurrent requests cannot all take
    the last place. Written by the API (limits.queue_place). TTL: limits.PLACE_SECONDS."""
    return f"{PREFIX}admitting:{queue_name}"


def rate(client_digest, window):
    """Integer: requests of one client (hashed token or address) in one rate-limit window. Written
    by the API. TTL: two windows."""
    return f"{PREFIX}rate:{client_digest}:{window}"


def streams(client_digest):
    """Integer: event streams one client (hashed token or address) has open now, for
    max_streams_per_client. Written by the API (limits.open_stream). TTL: limits.STREAM_COUNT_TTL."""
    return f"{PREFIX}streams:{client_digest}"


def job_streams(job_id):
    """Integer: event streams open on one job now, for max_streams_per_job. Written by the API
    (limits.open_stream). TTL: limits.STREAM_COUNT_TTL."""
    return f"{PREFIX}job-streams:{job_id}"


METRICS_PREFIX = PREFIX + "metrics:"
"""Hashes of the shared metrics (counters, sums, gauges, hist:<name>); see queue/metrics.py.
Written by the API and the workers, read on every /metrics scrape. No TTL."""
