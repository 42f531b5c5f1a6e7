"""Backend `openai` end to end: real workers that load no model and call a real OpenAI-compatible
server (llama-cpp-python's own, with the bundled model) through the whole service: stream, wait,
202 + poll, map-reduce over several jobs in flight in one worker, cancel."""

import time

import pytest

from summarizer import create_app
from summarizer.config import Settings, default_model_path
from summarizer.engine import grammars, prompts
from summarizer.engine.llm import load_tokenizer
from summarizer.engine.remote import UpstreamModel
from summarizer.options import SummaryOptions
from summarizer.queue import rqaccess
from tests.conftest import TEST_SETTINGS, start_worker, wait_for, worker_registered
from tests.sse import events_of
from tests.test_api import TEXT
from tests.test_faults import SLOW_TEXT
from tests.test_mapreduce import long_text
from tests.upstream_server import LlamaCppServer, LlamaServer

SSE = {"Accept": "text/event-stream"}


def upstream_env(url, queue, **extra):
    """A worker's environment for backend openai against `url`, serving `queue`."""
    env = {"SUMMARIZER_BACKEND": "openai", "SUMMARIZER_UPSTREAM_URL": url,
           "SUMMARIZER_QUEUE": queue,
           # a model path that does not exist: a worker that tried to load a GGUF would fail
           "SUMMARIZER_MODEL_PATH": "/nonexistent/model.gguf"}
    return {**env, **{f"SUMMARIZER_{k.upper()}": str(v) for k, v in extra.items()}}


def upstream_app(redis_url, url, queue, **extra):
    return create_app({"TESTING": True, "REDIS_URL": redis_url, **TEST_SETTINGS, "QUEUE": queue,
                       "HEARTBEAT_SECONDS": 0.5, "BACKEND": "openai", "UPSTREAM_URL": url, **extra})


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory):
    server = LlamaServer(tmp_path_factory.mktemp("upstream") / "server.log").start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def upstream_service(redis_url, redis_client, llama_server):
    """One worker with two job slots against the module's server, and an app on its queue."""
    queue = f"upstream-{time.monotonic_ns()}"
    process = start_worker(redis_url, upstream_env(llama_server.url, queue, upstream_concurrency=2),
                           tag=queue)
    wait_for(lambda: worker_registered(redis_client, queue) or process.poll() is not None, 60,
             "the upstream worker")
    assert process.poll() is None, "the upstream worker exited at start-up"
    yield upstream_app(redis_url, llama_server.url, queue), queue
    process.terminate()
    process.wait(timeout=60)


def test_stream_through_the_upstream(upstream_service):
    app, _ = upstream_service
    response = app.test_client().post("/summarize", json={"text": TEXT, "cache": False},
                                      headers=SSE, buffered=False)
    events = events_of(response)
    kinds = [e.event for e in events]
    assert kinds[0] == "preview" and kinds[-1] == "done", events[-1].data
    result = events[-1].data
    assert result["model"].startswith("SmolLM2"), "named by the upstream's model"
    assert result["guard"]["grammar"] == "upstream", "the key-points grammar went to the server"
    assert result["usage"]["completion_tokens"] == kinds.count("token") > 0
    assert result["usage"]["prompt_tokens"] > 50
    streamed = "".join(e.data["text"] for e in events if e.event == "token")
    for citation in result["citations"]:
        assert citation["text"] in (streamed if citation["status"] == "supported" else TEXT)
    assert [e.data["stage"] for e in events if e.event == "progress"][:1] == ["reading"]


def test_wait_and_poll_through_the_upstream(upstream_service):
    client = upstream_service[0].test_client()
    waited = client.post("/summarize?wait=true", json={"text": TEXT, "type": "tl;dr", "cache": False})
    assert waited.status_code == 200, waited.get_json()
    assert waited.get_json()["type"] == "tldr" and waited.get_json()["summary"]
    accepted = client.post("/summarize", json={"text": TEXT, "type": "headline", "cache": False})
    assert accepted.status_code == 202
    status_url = accepted.get_json()["status_url"]
    wait_for(lambda: client.get(status_url).get_json()["status"] in ("finished", "failed"), 120,
             "the job")
    status = client.get(status_url).get_json()
    assert status["status"] == "finished", status["error"]
    assert status["result"]["type"] == "headline" and status["result"]["guard"]["grammar"] == "upstream"


def test_long_document_map_reduce_with_two_chunks_in_flight(upstream_service, redis_client):
    """depth=thorough: the chunks are map jobs, and the one worker runs two of them at once."""
    app, queue = upstream_service
    response = app.test_client().post(
        "/summarize", json={"text": long_text(), "cache": False, "depth": "thorough"},
        headers=SSE, buffered=False)
    events = events_of(response)
    assert events[-1].event == "done", events[-1].data
    queued = events[1].data
    assert queued["chunks"] >= 2 and events[-1].data["chunks"] == queued["chunks"]
    reduce_job = rqaccess.fetch(redis_client, queued["job_id"])
    map_jobs = rqaccess.fetch_many(redis_client, reduce_job.meta["map_jobs"])
    assert all(job.get_status() == "finished" for job in map_jobs)
    slots = {job.worker_name for job in map_jobs}
    print(f"{len(map_jobs)} chunks over {sorted(slots)}")
    assert slots == {queue, f"{queue}.2"}, "both job slots of the one worker process took chunks"
    started = sorted((job.started_at, job.ended_at) for job in map_jobs)
    assert any(later[0] < earlier[1] for earlier, later in zip(started, started[1:])), \
        "two chunks were in flight at the same time"


@pytest.fixture
def long_answers(redis_url, redis_client, llama_server):
    """A worker on its own queue that lets answers run to 400 tokens: time to cancel one."""
    queue = f"upstream-long-{time.monotonic_ns()}"
    process = start_worker(redis_url, upstream_env(llama_server.url, queue, max_tokens=400),
                           tag=queue)
    wait_for(lambda: worker_registered(redis_client, queue), 60, "the worker")
    yield upstream_app(redis_url, llama_server.url, queue, MAX_TOKENS=400)
    process.terminate()
    process.wait(timeout=60)


def test_a_server_busy_generating_is_ready(long_answers):
    """Busy is not down: llama-cpp-python's server answers nothing else while it generates, so
    /readyz's look times out reading; it was 503 during every job (k8s would have taken the API
    out of service whenever it worked)."""
    client = long_answers.test_client()
    job_id = client.post("/summarize", json={"text": TEXT + " Ready?", "type": "tldr", "length": "long",
                                             "cache": False}).get_json()["job_id"]
    events_of(client.get(f"/jobs/{job_id}/events", buffered=False), until=("token",))
    assert client.get("/readyz").status_code == 200
    events = events_of(client.get(f"/jobs/{job_id}/events", buffered=False))
    assert events[-1].event == "done", events[-1].data


def test_cancel_closes_the_upstream_stream(long_answers, llama_server):
    client = long_answers.test_client()
    before = llama_server.log().count("Disconnected from client")
    job_id = client.post("/summarize", json={"text": TEXT, "type": "tldr", "length": "long",
                                             "cache": False}).get_json()["job_id"]
    events_of(client.get(f"/jobs/{job_id}/events", buffered=False), until=("token",))
    canceled_at = time.monotonic()
    assert client.delete(f"/jobs/{job_id}").status_code == 200
    # the server sees the stream closed, mid-answer, and stops generating; a stream read to its
    # end (or left open) never makes it say this
    wait_for(lambda: llama_server.log().count("Disconnected from client") > before, 60,
             "the upstream to see the disconnect")
    print(f"the upstream saw the disconnect {time.monotonic() - canceled_at:.2f}s after DELETE")
    events = events_of(client.get(f"/jobs/{job_id}/events", buffered=False))
    assert events[-1].event == "error" and events[-1].data["code"] == "canceled"
    assert len([e for e in events if e.event == "token"]) < 400
    assert client.post("/summarize?wait=true", json={"text": TEXT, "cache": False}).status_code == 200


def test_counts_are_the_servers_and_prompts_never_exceed_the_template(llama_server):
    """The tokens the upstream model counts are the model's own; a chat prompt's length, whose
    template this side cannot see, is never under what the template makes of it."""
    settings = Settings.from_mapping({"backend": "openai", "upstream_url": llama_server.url,
                                      "n_ctx": 1024})
    remote = UpstreamModel(settings.upstream)
    local = load_tokenizer(Settings.from_mapping({"n_ctx": 1024}).model)
    for text in (TEXT, SLOW_TEXT, "Grüße aus Köln — 42?", "市议会周二投票"):
        # llama-cpp-python's /extras/tokenize counts a BOS where the model adds one
        assert local.count_tokens(text) <= remote.count_tokens(text) <= local.count_tokens(text) + 1
        for options in (SummaryOptions(), SummaryOptions(type="headline", length="long")):
            messages = prompts.messages_for(text, options, "A title")
            assert remote.prompt_length(messages) >= local.prompt_length(messages)
    assert remote.n_ctx == 1024 and remote.name == "SmolLM2-135M-Instruct.Q4_1"
    assert remote.server().kind == "llama-cpp-python" and default_model_path()
    cut = remote.truncate(SLOW_TEXT, 40)
    assert SLOW_TEXT.startswith(cut) and 30 <= remote.count_tokens(cut) <= 40
    # the grammar is sent and the server samples under it: two words, where free text runs on
    messages = prompts.messages_for(SLOW_TEXT, SummaryOptions(type="headline"), "A title")
    answer = "".join(remote.generate(messages, max_tokens=30, temperature=0.2, seed=1,
                                     grammar=grammars.headline(2)))
    assert 1 <= len(answer.split()) <= 2 and remote.grammar_support == "upstream", answer


def test_llama_server_tells_its_slots_context_and_counts(tmp_path):
    """llama.cpp's llama-server, where one is installed: the probe reads its slots and per-slot
    context from /props, counts are the model's own, a chat prompt's length is exact (its
    /v1/chat/completions/input_tokens), and it samples under the grammar sent."""
    server = LlamaCppServer(tmp_path / "llama-server.log", n_ctx=4096, slots=4).start()
    try:
        settings = Settings.from_mapping({"backend": "openai", "upstream_url": server.url,
                                          "n_ctx": 4096})
        remote = UpstreamModel(settings.upstream)
        local = load_tokenizer(Settings.from_mapping({"n_ctx": 1024}).model)
        assert (remote.server().kind, remote.concurrency, remote.n_ctx) == ("llama-server", 4, 1024)
        messages = prompts.messages_for(TEXT, SummaryOptions(), "A title")
        assert remote.count_tokens(TEXT) == local.count_tokens(TEXT)
        assert remote.prompt_length(messages) == local.prompt_length(messages)
        generation = remote.generate(messages, max_tokens=60, temperature=0.2, seed=1,
                                     grammar=grammars.headline(5))
        answer = "".join(generation)
        assert len(answer.split()) <= 5 and "\n" not in answer, answer
        assert generation.prompt_tokens == local.prompt_length(messages), "the server's usage"
        assert remote.grammar_support == "upstream"
        # issue 25: the same document part again is found in its prompt cache (cache_prompt)
        again = remote.generate(messages[:1] + [{"role": "user", "content": messages[1]["content"] + " Briefly."}],
                                max_tokens=5, temperature=0.2, seed=1)
        "".join(again)
        assert again.cached_tokens > generation.prompt_tokens // 2, again.cached_tokens
        # An answer stopped after its first words (as the guard stops a loop) still says both.
        cut = remote.generate(messages[:1] + [{"role": "user", "content": messages[1]["content"] + " Now."}],
                              max_tokens=60, temperature=0.2, seed=1)
        pieces = iter(cut)
        next(pieces)
        pieces.close()
        assert cut.cached_tokens > generation.prompt_tokens // 2 and cut.reading_seconds > 0, cut.cached_tokens
    finally:
        server.stop()
