"""Long documents through map-reduce on real workers: chunks spread over every worker."""

import time

import pytest

from summarizer.queue import rqaccess
from tests.conftest import start_worker, wait_for, worker_registered
from tests.sse import events_of

PARAGRAPH = (
    "Section {n}. The survey team measured river levels at station {n} every morning for six "
    "weeks. Levels rose by {n} centimetres after the spring rains, and the team recorded two "
    "floods that closed the northern road. Farmers near the station reported damage to fields "
    "of wheat and barley, and the regional office promised repairs before the summer."
)


def long_text(paragraphs=30):
    return "\n\n".join(PARAGRAPH.format(n=n) for n in range(1, paragraphs + 1))


@pytest.fixture
def second_worker(redis_url, redis_client, worker):
    name = f"second-worker-{time.monotonic_ns()}"
    process = start_worker(redis_url, tag=name)
    wait_for(lambda: worker_registered(redis_client, name), 120, "a second worker")
    yield name
    process.terminate()
    process.wait(timeout=60)


def test_long_document_is_mapped_in_chunks_then_reduced(client, worker, second_worker, redis_client):
    response = client.post("/summarize", json={"text": long_text(), "cache": False, "depth": "thorough"},
                           headers={"Accept": "text/event-stream"}, buffered=False)
    events = events_of(response)
    assert events[-1].event == "done", events[-1].data
    assert events[0].event == "preview"
    queued = events[1].data
    assert queued["status"] == "queued" and queued["chunks"] >= 2
    maps = [e.data for e in events if e.event == "progress" and e.data["stage"] == "map"]
    assert [m["done"] for m in maps if m["done"]] == list(range(1, queued["chunks"] + 1))
    assert all(m["total"] == queued["chunks"] for m in maps)
    result = events[-1].data
    assert result["chunks"] == queued["chunks"]
    assert "token" in [e.event for e in events]
    # every map job ran, and the work was shared by both workers
    reduce_job = rqaccess.fetch(redis_client, queued["job_id"])
    map_jobs = rqaccess.fetch_many(redis_client, reduce_job.meta["map_jobs"])
    assert all(job.get_status() == "finished" for job in map_jobs)
    workers = {job.worker_name for job in map_jobs}
    print(f"{len(map_jobs)} chunks over workers {sorted(workers)}")
    assert len(workers) == 2


def test_cancel_stops_every_chunk(client, worker):
    job_id = client.post("/summarize", json={"text": long_text(40), "cache": False,
                                              "depth": "thorough"}).get_json()["job_id"]
    wait_for(lambda: client.get(f"/jobs/{job_id}").get_json()["status"] == "started", 60, "a chunk")
    client.delete(f"/jobs/{job_id}")
    events = events_of(client.get(f"/jobs/{job_id}/events", buffered=False))
    assert events[-1].event == "error" and events[-1].data["code"] == "canceled"
    assert client.get(f"/jobs/{job_id}").get_json()["status"] == "canceled"


def test_fast_depth_reads_a_selection_in_one_call(client, worker):
    """The default depth: one job whatever the length, the model reading the most salient
    sentences that fit its selection budget, not the whole text."""
    text = long_text(40)
    response = client.post("/summarize", json={"text": text, "cache": False},
                           headers={"Accept": "text/event-stream"}, buffered=False)
    events = events_of(response)
    assert events[-1].event == "done", events[-1].data
    assert events[1].data["status"] == "queued" and events[1].data["chunks"] == 1
    result = events[-1].data
    assert "chunks" not in result and result["method"] in ("model", "extractive")
    assert result["usage"]["prompt_tokens"] < len(text.split()), "the model read a selection"
    assert not [e for e in events if e.event == "progress" and e.data["stage"] == "map"]
