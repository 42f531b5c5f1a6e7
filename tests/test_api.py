"""The HTTP contract, end to end through real Redis, a real worker and the real model."""

import io
import re
import threading
import time

import pytest

from summarizer.web import api
from summarizer.queue import jobs, keys, tasks
from summarizer.queue.events import EventLog
from summarizer.client import parse_sse
from tests.conftest import wait_for
from tests.sse import events_of, lines_of

TEXT = (
    "The city council of Rivertown voted on Tuesday to build a new public library near the old "
    "railway station. The library will cost 12 million dollars and open in 2027. Council members "
    "said the building will have a children's wing, a makerspace and study rooms. Local residents "
    "had asked for a larger library for ten years, because the current one is too small and has "
    "no space for events. Construction starts next spring."
)
SSE = {"Accept": "text/event-stream"}


def post_stream(client, **body):
    body.setdefault("cache", False)
    return client.post("/summarize", json=body, headers=SSE, buffered=False)


def test_stream_to_done_with_tokens_and_result(client, worker):
    response = post_stream(client, text=TEXT)
    assert response.status_code == 200
    assert response.mimetype == "text/event-stream"
    assert response.headers["X-Accel-Buffering"] == "no"
    events = events_of(response)
    kinds = [e.event for e in events]
    assert kinds[:2] == ["preview", "status"] and events[1].data["status"] == "queued"
    preview = events[0].data
    assert preview["method"] == "extractive" and preview["type"] == "key-points"
    assert preview["summary"].startswith("- ") and len(preview["summary"].splitlines()) <= 3
    assert all(c["sources"] and c["supported"] for c in preview["citations"])
    assert "started" in [e.data.get("status") for e in events if e.event == "status"]
    assert kinds.count("token") >= 1 and kinds[-1] == "done"
    assert all(e.id for e in events), "every event carries an id"
    result = events[-1].data
    streamed = "".join(e.data["text"] for e in events if e.event == "token")
    # an item is the model's (streamed) or, where the model's was not backed by the text or
    # missing, a sentence of the text itself; the summary is exactly those items
    assert result["summary"] == "\n".join(f"- {c['text']}" for c in result["citations"])
    for citation in result["citations"]:
        source = streamed if citation["status"] == "supported" else TEXT
        assert citation["text"] in source, citation
    assert result["method"] in ("model", "extractive")
    assert {"summary", "type", "length", "format", "model", "usage", "timings"} <= set(result)
    assert result["type"] == "key-points" and result["model"].startswith("SmolLM2")
    assert result["usage"]["completion_tokens"] == kinds.count("token")
    assert result["usage"]["prompt_tokens"] > 50
    assert set(result["timings"]) == {"queued_ms", "extract_ms", "generate_ms", "reading_ms"}
    assert set(result["usage"]) == {"prompt_tokens", "completion_tokens", "cached_tokens"}


def test_wait_mode_returns_the_result(client, worker):
    response = client.post("/summarize?wait=true", json={"text": TEXT, "type": "tl;dr"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["type"] == "tldr" and body["summary"]


def test_accepted_then_polled_to_finished(client, worker):
    response = client.post("/summarize", json={"text": TEXT, "type": "headline"})
    assert response.status_code == 202
    body = response.get_json()
    assert set(body) == {"job_id", "document_id", "status_url", "events_url"}
    assert response.headers["Location"] == body["status_url"]
    deadline = time.monotonic() + 60
    while (status := client.get(body["status_url"]).get_json())["status"] not in ("finished", "failed"):
        assert time.monotonic() < deadline
        time.sleep(0.2)
    assert status["status"] == "finished" and status["error"] is None
    assert status["result"]["type"] == "headline"
    replay = events_of(client.get(body["events_url"], buffered=False))
    assert replay[-1].event == "done" and replay[-1].data == status["result"]


def test_resume_with_last_event_id_gets_exactly_the_missed_events(client, worker):
    response = client.post("/summarize", json={"text": TEXT, "length": "medium", "cache": False})
    job_id = response.get_json()["job_id"]
    full = events_of(client.get(f"/jobs/{job_id}/events", buffered=False))
    cut = len(full) // 2
    resumed = events_of(client.get(f"/jobs/{job_id}/events", buffered=False,
                                   headers={"Last-Event-ID": full[cut - 1].id}))
    assert [(e.id, e.event, e.data) for e in resumed] == [(e.id, e.event, e.data) for e in full[cut:]]


def test_multipart_upload_of_a_text_file(client, worker):
    data = {"file": (io.BytesIO(TEXT.encode()), "notes.txt"), "type": "teaser", "length": "short"}
    response = client.post("/summarize?wait=1", data=data, content_type="multipart/form-data")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["type"] == "teaser"


def test_two_jobs_behind_one_worker_finish_in_order(client, worker):
    first = client.post("/summarize", json={"text": TEXT, "cache": False}).get_json()["job_id"]
    second = client.post("/summarize", json={"text": TEXT, "cache": False}).get_json()["job_id"]
    assert first != second
    second_events = events_of(client.get(f"/jobs/{second}/events", buffered=False))
    first_events = events_of(client.get(f"/jobs/{first}/events", buffered=False))
    assert first_events[-1].event == second_events[-1].event == "done"
    first_done = int(first_events[-1].id.split("-")[0])
    second_started = next(int(e.id.split("-")[0]) for e in second_events
                          if e.event == "status" and e.data["status"] == "started")
    assert first_done <= second_started


def test_preview_comes_first_without_waiting_for_a_busy_worker(client, worker):
    """The preview is made in the API: it is on the stream while the only worker is still busy
    with another job, before the queued job has even started."""
    busy = client.post("/summarize", json={"text": " ".join([TEXT] * 6), "cache": False}).get_json()["job_id"]
    wait_for(lambda: client.get(f"/jobs/{busy}").get_json()["status"] == "started", 60, "the busy job")
    response = post_stream(client, text=TEXT, type="tldr")
    first = next(parse_sse(lines_of(response.response)))
    assert client.get(f"/jobs/{busy}").get_json()["status"] == "started", "the worker is still busy"
    assert first.event == "preview"
    assert first.data["method"] == "extractive" and first.data["type"] == "tldr"
    assert first.data["summary"] in TEXT, "one sentence of the text, as the tl;dr/short shape asks"
    assert first.data["citations"][0]["sources"][0]["quote"] == first.data["summary"]
    response.close()
    client.delete(f"/jobs/{busy}")


def test_cancel_a_running_job_stops_it(client, worker, redis_client):
    long_text = " ".join([TEXT] * 6)  # one call, seconds of prompt evaluation on one CPU thread
    job_id = client.post("/summarize", json={"text": long_text, "cache": False}).get_json()["job_id"]
    deadline = time.monotonic() + 60
    while client.get(f"/jobs/{job_id}").get_json()["status"] != "started":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    canceled_at = time.monotonic()
    assert client.delete(f"/jobs/{job_id}").status_code == 200
    events = events_of(client.get(f"/jobs/{job_id}/events", buffered=False))
    stopped_after = time.monotonic() - canceled_at
    assert events[-1].event == "error" and events[-1].data["code"] == "canceled"
    assert "done" not in [e.event for e in events]
    assert client.get(f"/jobs/{job_id}").get_json()["status"] == "canceled"
    print(f"cancel took effect after {stopped_after:.2f}s")
    # the worker is free again: the next job completes
    assert client.post("/summarize?wait=true", json={"text": TEXT}).status_code == 200


def test_cancel_a_queued_job(client, redis_client):
    from rq import Queue
    from rq.serializers import JSONSerializer
    parked = Queue("parked-no-worker", connection=redis_client, serializer=JSONSerializer)
    job = parked.enqueue(tasks.SINGLE_JOB, {"never": "run"})
    response = client.delete(f"/jobs/{job.id}")
    assert response.status_code == 200
    assert response.get_json()["status"] == "canceled"
    assert job.id not in parked.get_job_ids()
    assert redis_client.exists(keys.cancel(job.id))
    # canceling again is harmless
    assert client.delete(f"/jobs/{job.id}").get_json()["status"] == "canceled"


# --- errors: always JSON {"error": {"code", "message"}} with the right status -------------------

def assert_error(response, status, code=None):
    assert response.status_code == status, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert set(error) >= {"code", "message"} and error["message"]
    if code:
        assert error["code"] == code
    return error


@pytest.mark.parametrize("kwargs, code", [
    ({"json": {"text": "   "}}, "empty_input"),
    ({"json": {}}, "bad_input"),
    ({"json": {"text": "a", "html": "<p>b</p>"}}, "bad_input"),
    ({"json": {"text": "a", "type": "poem"}}, "bad_option"),
    ({"json": {"text": "a", "colour": "red"}}, "unknown_option"),
    ({"json": ["text"]}, "bad_json"),
    ({"data": "{not json", "content_type": "application/json"}, "bad_json"),
    ({"data": {"type": "tldr"}, "content_type": "multipart/form-data"}, "bad_input"),
])
def test_bad_requests(client, kwargs, code):
    assert_error(client.post("/summarize", **kwargs), 400, code)


@pytest.mark.parametrize("text", ["1\n\n2\n\n3\n\n- 4 -", "My Bar Chart"])
def test_a_document_with_no_sentence_to_show_is_422_not_an_empty_summary(client, worker, text):
    """A PDF of page numbers, a deck of a title alone: neither the preview nor the model (whose
    items must be backed by the document's sentences) has anything to show, and the 200 with an
    empty list of key points broke the shape it asked for. A headline can still be cut from it."""
    error = assert_error(client.post("/summarize", json={"text": text}), 422, "nothing_to_summarize")
    assert "ask for a headline" in error["message"]
    assert client.post("/summarize", json={"text": text, "type": "headline"}).status_code == 202


def test_unknown_job_is_404(client):
    assert_error(client.get("/jobs/nope"), 404, "unknown_job")
    assert_error(client.get("/jobs/nope/events"), 404, "unknown_job")
    assert_error(client.delete("/jobs/nope"), 404, "unknown_job")


def test_unknown_route_is_json_404(client):
    assert_error(client.get("/no/such/route"), 404)


def test_bad_last_event_id_is_400(client, worker):
    job_id = client.post("/summarize", json={"text": TEXT}).get_json()["job_id"]
    assert_error(client.get(f"/jobs/{job_id}/events", headers={"Last-Event-ID": "x"}), 400)


def test_too_large_is_413(redis_url):
    from summarizer import create_app
    app = create_app({"TESTING": True, "REDIS_URL": redis_url, "MAX_CONTENT_LENGTH": 2048})
    response = app.test_client().post("/summarize", json={"text": "x" * 5000})
    assert_error(response, 413, "too_large")


def test_unsupported_content_type_is_415(client):
    assert_error(client.post("/summarize", data=b"\x00\x01", content_type="application/octet-stream"),
                 415, "unsupported_content_type")


def test_no_worker_is_503(redis_url):
    from summarizer import create_app
    app = create_app({"TESTING": True, "REDIS_URL": redis_url, "QUEUE": "nobody-listens"})
    assert_error(app.test_client().post("/summarize", json={"text": TEXT}), 503, "no_worker")


def test_redis_down_is_503(tmp_path):
    from summarizer import create_app
    app = create_app({"TESTING": True, "REDIS_URL": f"unix://{tmp_path}/missing.sock"})
    response = app.test_client().post("/summarize", json={"text": TEXT})
    assert_error(response, 503, "redis_unavailable")
    assert response.headers["Retry-After"]


def test_text_plain_body_is_accepted(client, worker):
    response = client.post("/summarize?wait=true", data=TEXT, content_type="text/plain")
    assert response.status_code == 200


def test_extract_returns_the_document(client):
    response = client.post("/extract", json={"text": "First para.\n\nSecond   para."})
    body = response.get_json()
    assert response.status_code == 200
    assert [b["text"] for b in body["blocks"]] == ["First para.", "Second para."]
    assert body["blocks"][1]["locator"] == {"paragraph": 1}


def test_concurrent_streams_all_finish(app, worker):
    results = []

    def one():
        response = app.test_client().post("/summarize", json={"text": TEXT, "cache": False},
                                          headers=SSE, buffered=False)
        results.append(events_of(response)[-1].event)

    threads = [threading.Thread(target=one) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert results == ["done"] * 3


def _must_not_run(what):
    def fail(*args, **kwargs):
        raise AssertionError(f"a cache hit should not need {what}")
    return fail


def test_identical_request_is_answered_from_the_cache(client, worker, monkeypatch):
    body = {"text": TEXT, "type": "tldr", "length": "medium"}
    first = client.post("/summarize?wait=true", json=body)
    assert first.status_code == 200
    began = time.perf_counter()
    second = client.post("/summarize?wait=true", json=body)
    print(f"cache hit answered in {(time.perf_counter() - began) * 1000:.1f} ms")
    assert second.headers["X-Summarizer-Cache"] == "hit"
    assert second.get_json() == first.get_json()
    with monkeypatch.context() as patched:  # a hit neither tokenizes the text nor reads every token
        patched.setattr(api, "plan_chunks", _must_not_run("planning chunks"))
        patched.setattr(EventLog, "read", _must_not_run("reading the whole event stream"))
        third = client.post("/summarize?wait=true", json=body)
    assert third.headers["X-Summarizer-Cache"] == "hit"
    assert third.get_json() == first.get_json()
    fresh = client.post("/summarize?wait=true", json=dict(body, cache=False))
    assert fresh.headers["X-Summarizer-Cache"] == "miss"
    with monkeypatch.context() as patched:  # an upgraded service does not answer with old rules' results
        patched.setattr(jobs, "code_version", lambda: "0.0.0+other-rules")
        upgraded = client.post("/summarize?wait=true", json=body)
    assert upgraded.headers["X-Summarizer-Cache"] == "miss"


def test_identical_request_while_running_attaches_to_the_same_job(client, worker):
    body = {"text": TEXT + " Attach test.", "type": "headline"}
    first = client.post("/summarize", json=body)
    second = client.post("/summarize", json=body)
    assert first.headers["X-Summarizer-Cache"] == "miss"
    assert second.headers["X-Summarizer-Cache"] in ("attached", "hit")
    assert first.get_json()["job_id"] == second.get_json()["job_id"]


def test_canceled_job_is_not_reused_by_the_cache(client, worker):
    body = {"text": TEXT + " Cancel then retry."}
    job_id = client.post("/summarize", json=body).get_json()["job_id"]
    client.delete(f"/jobs/{job_id}")
    again = client.post("/summarize", json=body)
    assert again.get_json()["job_id"] != job_id or \
        client.get(f"/jobs/{job_id}").get_json()["status"] == "finished"


def content_words(text):
    """Lower-cased words of four letters or more: what an item has to share with its sources."""
    return set(re.findall(r"[a-z0-9]{4,}", text.lower()))


def test_result_cites_the_source_for_every_item(client, worker):
    paragraphs = ["First paragraph about the library budget of 12 million dollars.", TEXT]
    text = "\n\n".join(paragraphs)
    result = client.post("/summarize?wait=true", json={"text": text, "cache": False}).get_json()
    citations = result["citations"]
    assert citations and len(citations) == len(result["summary"].splitlines())
    for number, citation in enumerate(citations):
        assert citation["item"] == number and citation["supported"] is True
        assert citation["status"] in ("supported", "replaced", "extracted"), citation
        assert citation["sources"], f"item {number} cites nothing: {citation}"
        for source in citation["sources"]:
            assert source["quote"] in paragraphs[source["locator"]["paragraph"]], source
        # backed: most of the item's words are in what it cites (not the guard's own measure)
        words = content_words(citation["text"])
        cited = set().union(*(content_words(s["quote"]) for s in citation["sources"]))
        assert len(words & cited) >= 0.6 * len(words), citation
    assert result["supported_share"] == 1


def test_strict_mode_keeps_only_the_supported_items_of_the_same_answer(client, worker):
    """The same text, seed and prompt with and without strict: the model answers the same, and
    strict keeps exactly the items backed as they stand, where the other run also replaces
    unbacked items and fills free places with the document's sentences. An empty strict result
    (the extractive fallback) fails: the model's first item is a sentence of the text."""
    runs = {}
    for strict in (False, True):
        events = events_of(post_stream(client, text=TEXT, strict=strict))
        assert events[-1].event == "done", events[-1]
        runs[strict] = ("".join(e.data["text"] for e in events if e.event == "token"), events[-1].data)
    (answer, lax), (strict_answer, strict) = runs[False], runs[True]
    assert strict_answer == answer, "strict must not change what the model is asked"
    assert strict["method"] == "model" and strict["citations"], strict
    assert all(c["status"] == "supported" and c["sources"] for c in strict["citations"])
    assert strict["supported_share"] == 1 and strict["replaced_share"] == 0
    assert [c["text"] for c in strict["citations"]] == \
        [c["text"] for c in lax["citations"] if c["status"] == "supported"]
    assert strict["summary"] == "\n".join(f"- {c['text']}" for c in strict["citations"])
    assert all(c["text"] in answer for c in strict["citations"]), "strict items are the model's"


def test_connection_pool_holds_more_streams_than_gunicorn_serves(app):
    from summarizer.serve import api_command
    from summarizer.config import Settings
    command = api_command(Settings.from_mapping({}))
    streams = int(command[command.index("--worker-connections") + 1])
    pool = app.extensions["redis"].connection_pool
    assert pool.max_connections > streams, "each open stream holds a Redis connection"
