"""Job state kept in Redis beside RQ's own, shared by the API and the workers: progress, cancel
requests, and who is following a job's stream (a job nobody follows any more is canceled)."""

import json
import time

from summarizer.queue import keys


def set_progress(connection, job_id, progress, ttl):
    """Keep the job's latest progress for GET /jobs/<id> (map jobs on other workers write it too)."""
    connection.set(keys.progress(job_id), json.dumps(progress), ex=ttl)


def mark_canceled(job, events):
    """Record a cancel in the job's meta and end its event stream."""
    job.meta["canceled"] = True
    job.save_meta()
    events.append("error", {"code": "canceled", "message": "The job was canceled."})


def cancel_requested(connection, job_id, orphan_grace=None):
    """Whether a client canceled the job, or (with `orphan_grace`) every stream client left it
    more than `orphan_grace` seconds ago."""
    canceled, orphaned_at = connection.mget(keys.cancel(job_id), keys.orphaned(job_id))
    if canceled:
        return True
    return orphan_grace is not None and orphaned_at is not None and \
        time.time() - float(orphaned_at) > orphan_grace


def attach(connection, job_id, ttl):
    """A client follows the job: it is not orphaned."""
    pipe = connection.pipeline(transaction=False)
    pipe.incr(keys.watchers(job_id))
    pipe.expire(keys.watchers(job_id), ttl)
    pipe.delete(keys.orphaned(job_id))
    pipe.execute()


def detach(connection, job_id, ttl):
    """A client stopped following; the last one to leave marks the job orphaned from now."""
    if connection.decr(keys.watchers(job_id)) <= 0:
        connection.set(keys.orphaned(job_id), time.time(), ex=ttl)
