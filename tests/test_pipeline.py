"""The rules around the model, end to end: when every attempt breaks them, the recovery policy
retries with other sampling and a stricter prompt, then falls back to an extractive summary."""

import time

import pytest

from summarizer import create_app
from tests.conftest import TEST_SETTINGS, start_worker, wait_for, worker_registered
from tests.sse import events_of

TEXT = (
    "The river authority opened a new flood barrier in the old harbour on Monday. The barrier "
    "cost 40 million euros and protects 3,000 homes. Engineers tested it during the spring tides. "
    "The mayor said the city will add two more barriers by 2030."
)


@pytest.fixture(scope="module")
def starved(redis_url):
    """An app and a worker that may generate one token: no model answer can pass the guard."""
    queue = f"starved-{time.monotonic_ns()}"
    app = create_app({"TESTING": True, "REDIS_URL": redis_url, **TEST_SETTINGS, "QUEUE": queue})
    process = start_worker(redis_url, {"SUMMARIZER_QUEUE": queue, "SUMMARIZER_MAX_TOKENS": "1"},
                           tag=queue)
    wait_for(lambda: worker_registered(app.extensions["redis"], queue), 120, "the worker")
    yield app
    process.terminate()
    process.wait(timeout=60)


def test_unusable_output_is_retried_then_replaced_by_an_extractive_summary(starved):
    client = starved.test_client()
    response = client.post("/summarize", json={"text": TEXT, "cache": False},
                           headers={"Accept": "text/event-stream"}, buffered=False)
    events = events_of(response)
    retries = [e.data["attempt"] for e in events if e.event == "status" and e.data["status"] == "retrying"]
    assert retries == ["resample", "strict"]
    result = events[-1].data
    assert events[-1].event == "done"
    assert result["fallback"] == "extractive"
    assert [a["attempt"] for a in result["guard"]["attempts"]] == ["first", "resample", "strict"]
    assert all(a["problems"] for a in result["guard"]["attempts"])
    bullets = result["summary"].splitlines()
    assert 1 <= len(bullets) <= 3 and all(b.startswith("- ") for b in bullets)
    assert all(b[2:] in TEXT for b in bullets), "extractive: sentences of the document itself"
    assert all(c["supported"] for c in result["citations"])


def test_recoveries_are_counted_in_the_metrics(starved):
    client = starved.test_client()
    before = client.get("/metrics").get_data(as_text=True)
    client.post("/summarize?wait=true", json={"text": TEXT + " Again.", "cache": False})
    after = client.get("/metrics").get_data(as_text=True)

    def count(text, step):
        line = next((l for l in text.splitlines()
                     if l.startswith(f'summarizer_recoveries_total{{step="{step}"}}')), None)
        return float(line.split()[-1]) if line else 0.0

    for step in ("resample", "strict", "extractive"):
        assert count(after, step) == count(before, step) + 1
