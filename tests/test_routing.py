"""Follow-up questions go to the worker that keeps their document's reading, when it is idle, and
to any worker when it is not (queue/routing.py).

Two real `summarizer worker` processes serve one queue, as two GPUs of a home lab do. Without
routing, Redis hands each job to the worker that has waited longest: a follow-up lands on the
other worker, which reads the document again (`usage.cached_tokens` 0). The queue mechanics
(hand back, rescue) are checked on the real Redis with jobs no worker takes.
"""

import os
import subprocess
import sys
import time

import pytest
from rq import Worker

from summarizer import create_app
from summarizer.config import Settings
from summarizer.queue import jobs, keys, routing, rqaccess, tasks
from summarizer.queue.events import EventLog
from tests.conftest import REPO, WORKER_ENV, wait_for, worker_registered

TEXT = ("The harbour board met on Monday to plan the northern quay. It agreed to rebuild the quay in "
        "stone by 2027, at a cost of four million euros. Ships will wait two days less for a berth "
        "once it is done. The cost is paid by a fee on cargo of one euro a tonne. The fishermen's "
        "union asked for a separate landing for small boats, and the board promised a study of it "
        "by June. The mayor said the town had waited thirty years for this decision.")
QUESTIONS = ["When will the quay be rebuilt?", "How is the cost of the quay paid?",
             "What did the fishermen's union ask for?", "How long will ships wait for a berth?"]


@pytest.fixture(scope="module")
def two_workers(redis_url, redis_client):
    """Two real workers on a queue of their own; yields (app, names)."""
    queue = f"route-{time.monotonic_ns()}"
    names = [f"{queue}-a", f"{queue}-b"]
    env = {**os.environ, "REDIS_URL": redis_url, **WORKER_ENV, "SUMMARIZER_QUEUE": queue}
    processes = [subprocess.Popen([sys.executable, "-m", "summarizer.cli", "worker", "--name", name],
                                  env=env, cwd=REPO) for name in names]
    for name, process in zip(names, processes):
        wait_for(lambda: worker_registered(redis_client, name) or process.poll() is not None, 180,
                 "the workers to load the model")
        assert process.poll() is None, f"{name} exited at start-up"
    app = create_app({"TESTING": True, "REDIS_URL": redis_url,
                      **{k.removeprefix("SUMMARIZER_"): v for k, v in WORKER_ENV.items()}, "QUEUE": queue})
    yield app, names
    for process in processes:
        process.terminate()
    for process in processes:
        process.wait(timeout=60)


def ask(client, redis_client, document_id, question, **fields):
    """Ask `question` of the kept document (no question: summarize it with `fields`); (the worker
    that ran it, RQ job, result) once it finished."""
    queued = client.post("/summarize", json={"document_id": document_id, "type": "headline", "cache": False,
                                             **({"query": question} if question else {}), **fields})
    assert queued.status_code == 202, queued.get_json()
    job = rqaccess.fetch(redis_client, queued.get_json()["job_id"])
    wait_for(lambda: job.get_status(refresh=True) in ("finished", "failed"), 180, "the answer")
    assert job.get_status() == "finished", job.meta
    started = [data for _, event, data in EventLog(redis_client, job.id).read()
               if event == "status" and data.get("status") == "started"]
    return started[-1]["worker"], job, job.return_value()


@pytest.mark.model
def test_follow_ups_go_to_the_worker_that_keeps_the_reading(two_workers, redis_client):
    app, names = two_workers
    client = app.test_client()
    document_id = client.post("/extract", json={"text": TEXT}).get_json()["document_id"]
    holder, _, _ = ask(client, redis_client, document_id, QUESTIONS[0])
    settings = Settings.from_mapping({"queue": app.config["SETTINGS"].queue})
    assert redis_client.get(keys.reading(settings.queue, document_id)).decode() == \
        routing.own_queue(settings, holder)
    for question in QUESTIONS[1:]:
        worker, _, result = ask(client, redis_client, document_id, question)
        assert worker == holder, f"{question!r} went to the other worker"
        assert result["usage"]["cached_tokens"] > 0, "the follow-up read the document again"
    worker, _, result = ask(client, redis_client, document_id, None, type="tldr")
    assert worker == holder and result["summary"], "a summary is a call about the document too"


@pytest.mark.model
def test_a_summary_with_other_options_goes_to_the_worker_that_summarized(two_workers, redis_client):
    app, names = two_workers
    client = app.test_client()
    document_id = client.post("/extract", json={"text": TEXT + " Work starts in May."}).get_json()["document_id"]
    holder, _, _ = ask(client, redis_client, document_id, None, type="tldr")
    for options in ({"type": "key-points"}, {"type": "tldr", "length": "long"}):
        worker, _, result = ask(client, redis_client, document_id, None, **options)
        assert worker == holder, f"the summary with {options} went to the other worker"
        assert result["usage"]["cached_tokens"] > 100, "it read the document again"


@pytest.mark.model
def test_a_follow_up_does_not_wait_for_a_busy_holder(two_workers, redis_client):
    app, names = two_workers
    client = app.test_client()
    settings = app.config["SETTINGS"]
    document_id = client.post("/extract", json={"text": TEXT + " The vote was unanimous."}).get_json()["document_id"]
    holder, _, _ = ask(client, redis_client, document_id, QUESTIONS[0])
    # The holder takes a long summary from its own queue: busy for a while.
    own = rqaccess.queue(redis_client, routing.own_queue(settings, holder))
    busy = own.enqueue(tasks.SINGLE_JOB, {"options": {"type": "tldr", "length": "long"},
                                          "document": {"title": "", "blocks": [{"text": TEXT * 3}]},
                                          "enqueued_at": time.time(), "owner": None},
                       job_timeout=300, result_ttl=600)
    wait_for(lambda: busy.get_status(refresh=True) == "started", 60, "the holder to be busy")
    worker, job, _ = ask(client, redis_client, document_id, QUESTIONS[1])
    # Put in the holder's queue, it would have waited for the summary and then been run there.
    assert job.origin == settings.queue and worker != holder
    wait_for(lambda: busy.get_status(refresh=True) in ("finished", "failed"), 300, "the long summary")


def test_jobs_waiting_for_a_gone_worker_are_handed_back_in_order(redis_client):
    settings = Settings.from_mapping({"queue": f"gone-{time.monotonic_ns()}"})
    own = rqaccess.queue(redis_client, routing.own_queue(settings, "nobody"))
    waiting = [own.enqueue(tasks.SINGLE_JOB, {"n": n}).id for n in range(3)]
    taken = own.get_job_ids()[0]
    redis_client.lrem(own.key, 1, taken)  # as a worker's BLPOP would, just before the hand-back
    routing.rescue(redis_client, settings)
    shared = rqaccess.queue(redis_client, settings.queue)
    assert shared.get_job_ids() == waiting[1:] and own.count == 0
    assert all(rqaccess.fetch(redis_client, j).origin == settings.queue for j in waiting[1:])


def test_a_question_for_a_worker_that_is_gone_goes_to_the_shared_queue(redis_client):
    settings = Settings.from_mapping({"queue": f"gone-{time.monotonic_ns()}"})
    routing.remember(redis_client, settings, "doc1", "nobody")
    assert routing.queue_for(redis_client, settings, "doc1").name == settings.queue
    own = rqaccess.queue(redis_client, routing.own_queue(settings, "nobody"))
    job = own.enqueue(tasks.SINGLE_JOB, {})
    routing.settle(redis_client, settings, own, job.id)
    assert rqaccess.queue(redis_client, settings.queue).get_job_ids() == [job.id]
    assert jobs.queue_for(redis_client, settings).name == settings.queue


def test_a_reading_kept_by_a_worker_of_another_queue_is_not_followed(redis_client):
    """The same document read by a worker of another queue on the same Redis (another
    deployment): that worker serves none of this queue's jobs, however idle it is."""
    ours, theirs = (Settings.from_mapping({"queue": f"{name}-{time.monotonic_ns()}"}) for name in ("ours", "them"))
    worker = Worker([rqaccess.queue(redis_client, theirs.queue)], name=f"w{time.monotonic_ns()}",
                    connection=redis_client)
    worker.register_birth()
    worker.set_state("idle")
    try:
        routing.remember(redis_client, theirs, "doc2", worker.name)
        assert routing.queue_for(redis_client, theirs, "doc2").name == routing.own_queue(theirs, worker.name)
        assert routing.queue_for(redis_client, ours, "doc2").name == ours.queue
    finally:
        worker.register_death()
