"""Every way into RQ's records, in one place: jobs are JSON, never pickle.

RQ unpickles a job's arguments and results by default, so whoever can write to Redis could run
code in every worker. Each queue, job fetch and worker list here carries the JSON serializer;
nothing else in the package builds a `Queue` or calls `Job.fetch` itself.
"""

from rq import Queue, Worker
from rq.exceptions import NoSuchJobError
from rq.job import Job
from rq.serializers import JSONSerializer

SERIALIZER = JSONSerializer
"""How jobs are written and read (a worker is given it too: queue/worker.py)."""


def queue(connection, name):
    """The RQ queue `name` on `connection`."""
    return Queue(name, connection=connection, serializer=SERIALIZER)


def fetch(connection, job_id):
    """The RQ job `job_id`, or None when Redis does not have it (never ran, or expired)."""
    try:
        return Job.fetch(job_id, connection=connection, serializer=SERIALIZER)
    except NoSuchJobError:
        return None


def fetch_many(connection, job_ids):
    """The RQ jobs `job_ids`, in order, None for each one Redis does not have."""
    return Job.fetch_many(job_ids, connection=connection, serializer=SERIALIZER)


def all_queues(connection):
    """Every queue RQ knows on `connection`."""
    return Queue.all(connection=connection, serializer=SERIALIZER)


def workers(connection, queue_name):
    """Workers on `queue_name` whose heartbeat has not expired (Worker.count also counts dead ones
    until their registration is swept)."""
    return Worker.all(queue=queue(connection, queue_name), serializer=SERIALIZER)
