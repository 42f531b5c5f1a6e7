"""Backend `openai` when the inference server fails: killed mid-answer (and back, or gone),
answering 500s (for a while, or always), refusing the API key, or with a context smaller than
ours. Real workers, a real llama-cpp-python server, and a small real HTTP front that fails."""

import json
import os
import subprocess
import sys
import time

import pytest

from tests.conftest import REPO, WORKER_ENV, wait_for, worker_registered
from tests.sse import events_of
from tests.test_api import TEXT
from tests.test_upstream import upstream_app, upstream_env
from tests.upstream_server import FailingFront, LlamaServer

SSE = {"Accept": "text/event-stream"}

LONG_ANSWER = {"text": TEXT, "type": "tldr", "length": "long", "cache": False}
"""A request whose answer runs long (max_tokens 400 below): time to act while it streams."""


@pytest.fixture
def service(redis_url, redis_client, tmp_path):
    """Start a worker (and an app) against any upstream URL: `service(url, **settings)`."""
    started = []

    def start(url, log_name="worker.log", **settings):
        queue = f"upfault-{time.monotonic_ns()}"
        env = {**os.environ, "REDIS_URL": redis_url, **WORKER_ENV, **upstream_env(url, queue, **settings)}
        with open(tmp_path / log_name, "w") as log:  # its whole log, searched for keys below
            process = subprocess.Popen([sys.executable, "-m", "summarizer.cli", "worker", "--name", queue],
                                       env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
        started.append(process)
        wait_for(lambda: worker_registered(redis_client, queue) or process.poll() is not None, 60,
                 "the worker")
        assert process.poll() is None
        app_settings = {k.upper(): v for k, v in settings.items()}
        return upstream_app(redis_url, url, queue, **app_settings)

    yield start
    for process in started:
        process.terminate()
        process.wait(timeout=60)


@pytest.fixture
def servers(tmp_path):
    """Start llama_cpp.server instances: `servers(**options)`; all stopped at the end."""
    started = []

    def start(**options):
        server = LlamaServer(tmp_path / f"server{len(started)}.log", **options).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


def final_events(client, job_id):
    return events_of(client.get(f"/jobs/{job_id}/events", buffered=False))


def test_upstream_killed_mid_answer_and_back_finishes_the_job(servers, service):
    server = servers()
    client = service(server.url, max_tokens=400).test_client()
    job_id = client.post("/summarize", json=LONG_ANSWER).get_json()["job_id"]
    events_of(client.get(f"/jobs/{job_id}/events", buffered=False), until=("token",))
    server.kill()
    servers(port=server.port)  # back on the same address within the retries' ~15 s
    events = final_events(client, job_id)
    assert events[-1].event == "done", events[-1].data
    streamed = "".join(e.data["text"] for e in events if e.event == "token")
    result = events[-1].data
    # one answer, not two stitched together: the pieces streamed before the kill are the start of
    # the answer the restarted server gave again with the same seed
    assert result["usage"]["completion_tokens"] == len([e for e in events if e.event == "token"])
    assert all(c["text"] in streamed or c["status"] != "supported" for c in result["citations"])
    assert "restarted" not in [e.data.get("status") for e in events if e.event == "status"]


def test_upstream_gone_fails_the_running_job_clearly_and_holds_the_queued_ones(servers, service):
    """The job streaming when the server dies ends with upstream_unavailable after its retries; a
    job accepted while it is down waits in the queue (its worker takes none) and is summarized
    once the server is back. /readyz says why meanwhile."""
    server = servers()
    app = service(server.url, max_tokens=400, upstream_retries=2)
    client = app.test_client()
    job_id = client.post("/summarize", json=LONG_ANSWER).get_json()["job_id"]
    events_of(client.get(f"/jobs/{job_id}/events", buffered=False), until=("token",))
    server.kill()
    events = final_events(client, job_id)
    error = events[-1].data
    assert events[-1].event == "error" and error["code"] == "upstream_unavailable", error
    assert f"127.0.0.1:{server.port}" in error["message"] and "3 times" in error["message"]
    wait_for(lambda: client.get(f"/jobs/{job_id}").get_json()["status"] == "failed", 30, "failed")
    ready = client.get("/readyz")
    assert ready.status_code == 503 and ready.get_json()["error"]["code"] == "upstream_unavailable"
    waiting = client.post("/summarize", json={"text": TEXT, "cache": False}).get_json()["job_id"]
    # longer than the job's own retries (1.5 s): a job that had been taken would have failed
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        assert client.get(f"/jobs/{waiting}").get_json()["status"] == "queued"
        time.sleep(0.5)
    servers(port=server.port)
    assert final_events(client, waiting)[-1].event == "done"
    assert client.get("/readyz").status_code == 200


def test_passing_500s_are_retried_with_back_off(servers, service):
    server = servers()
    front = FailingFront(server.url, status=500, failures=2)
    try:
        client = service(front.url).test_client()
        response = client.post("/summarize?wait=true", json={"text": TEXT, "cache": False})
        assert response.status_code == 200, response.get_json()
        assert front.seen["/v1/chat/completions"] == 3, "two 500s, then the answer"
    finally:
        front.close()


def test_an_upstream_whose_answers_are_all_500_fails_the_job_with_the_status(servers, service):
    server = servers()
    front = FailingFront(server.url, status=500)  # lists its model, then fails every completion
    try:
        client = service(front.url, upstream_retries=2).test_client()
        response = client.post("/summarize", json={"text": TEXT, "cache": False}, headers=SSE,
                               buffered=False)
        events = events_of(response)
        error = events[-1].data
        assert events[-1].event == "error" and error["code"] == "upstream_unavailable", error
        assert error["details"]["status"] == 500 and "out of memory (on purpose)" in error["message"]
        assert front.seen["/v1/chat/completions"] == 3, "asked once and retried twice"
    finally:
        front.close()


def test_readyz_reports_an_upstream_answering_500(service):
    front = FailingFront(None, status=500)
    try:
        ready = service(front.url).test_client().get("/readyz")
        assert ready.status_code == 503
        body = ready.get_json()["error"]
        assert body["code"] == "upstream_unavailable" and body["details"]["status"] == 500
    finally:
        front.close()


def test_a_wrong_api_key_is_a_clear_error_and_no_key_is_ever_shown(servers, service, tmp_path):
    right, wrong = "right-key-5f0c9a", "wrong-key-77d1e2"
    server = servers(api_key=right)
    app = service(server.url, log_name="wrong.log", upstream_api_key=wrong)
    client = app.test_client()
    events = events_of(client.post("/summarize", json={"text": TEXT, "cache": False}, headers=SSE,
                                   buffered=False))
    error = events[-1].data
    assert events[-1].event == "error" and error["code"] == "upstream_error", error
    assert error["details"]["status"] == 401 and "SUMMARIZER_UPSTREAM_API_KEY" in error["message"]
    ready = client.get("/readyz")
    assert ready.status_code == 503 and ready.get_json()["error"]["details"]["status"] == 401
    shown = [json.dumps([e.data for e in events]), ready.get_data(as_text=True),
             client.get("/metrics").get_data(as_text=True), (tmp_path / "wrong.log").read_text(),
             repr(app.config["SETTINGS"])]
    assert not [text for text in shown if right in text or wrong in text]

    key_file = tmp_path / "upstream.key"
    key_file.write_text(f"# mounted from a Secret\n{right}\n")
    good = service(server.url, upstream_api_key_file=str(key_file)).test_client()
    response = good.post("/summarize?wait=true", json={"text": TEXT, "cache": False})
    assert response.status_code == 200, response.get_json()


def test_an_upstream_context_smaller_than_ours(servers, service):
    """llama-cpp-python's server does not say its context: with n_ctx above it the job fails and
    says which setting to lower; set to the server's size, the same document is summarized."""
    server = servers(n_ctx=512)
    text = " ".join([TEXT] * 8)  # about 700 tokens: more than 512, less than our 1024
    events = events_of(service(server.url).test_client().post(
        "/summarize", json={"text": text, "cache": False}, headers=SSE, buffered=False))
    error = events[-1].data
    assert events[-1].event == "error" and error["code"] == "upstream_error", error
    assert error["details"]["status"] == 400 and "SUMMARIZER_N_CTX" in error["message"]
    fitted = service(server.url, n_ctx=512).test_client()
    response = fitted.post("/summarize?wait=true", json={"text": text, "cache": False})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["usage"]["prompt_tokens"] + 24 <= 512
