"""Backend `openai` against a server that does not play fair (issue 23): every read from it is
capped in bytes, pieces and time. Real workers (`summarizer worker`) and the Flask app on real
Redis, against tests/hostile_upstream.py on loopback."""

import os
import subprocess
import sys
import time

import pytest

from summarizer.config import Settings
from summarizer.engine.upstream import Upstream
from tests.conftest import REPO, WORKER_ENV, wait_for, worker_registered
from tests.hostile_upstream import HostileUpstream, watch_rss
from tests.sse import events_of
from tests.test_upstream import upstream_app, upstream_env

RSS_CEILING = 1024 * 2**20
"""Worker memory past which a test stops at once: before the caps an endless answer took the
worker from 0.67 to 8.7 GB."""

RSS_GROWTH = 200 * 2**20
"""What a capped read may add to a worker (16 MiB of answer, decoded, and the job's own work)."""


@pytest.fixture
def hostile():
    started = []

    def start(mode, **options):
        server = HostileUpstream(mode, **options)
        started.append(server)
        return server

    yield start
    for server in started:
        server.close()


@pytest.fixture
def worker_on(redis_url, redis_client, tmp_path):
    """`worker_on(url, **settings)`: (app, worker process) of a backend openai worker."""
    started = []

    def start(url, **settings):
        queue = f"uphostile-{time.monotonic_ns()}"
        env = {**os.environ, "REDIS_URL": redis_url, **WORKER_ENV, **upstream_env(url, queue, **settings)}
        with open(tmp_path / f"{queue}.log", "w") as log:
            process = subprocess.Popen([sys.executable, "-m", "summarizer.cli", "worker", "--name", queue],
                                       env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
        started.append(process)
        wait_for(lambda: worker_registered(redis_client, queue) or process.poll() is not None, 60,
                 "the worker")
        assert process.poll() is None
        return upstream_app(redis_url, url, queue, **{k.upper(): v for k, v in settings.items()}), process

    yield start
    for process in started:
        process.kill()
        process.wait(timeout=60)


TEXT = ("The harbour board met on Tuesday. It approved a new quay in stone, to open in 2027, "
        "and a fee on cargo landed at night to pay for it. Ships will wait two days less.")


def run_job(app, process):
    """Submit one summary and follow it to its end; (final event, peak worker RSS, start RSS)."""
    client = app.test_client()
    before = watch_rss(process.pid, lambda: True, RSS_CEILING, 0)
    job_id = client.post("/summarize", json={"text": TEXT, "type": "tldr", "cache": False}).get_json()["job_id"]
    ended = []
    peak = watch_rss(process.pid, lambda: client.get(f"/jobs/{job_id}").get_json()["status"]
                     in ("finished", "failed", "canceled"), RSS_CEILING, 120)
    if peak <= RSS_CEILING:
        ended = events_of(client.get(f"/jobs/{job_id}/events", buffered=False))
    client.delete(f"/jobs/{job_id}")
    return (ended[-1] if ended else None), peak, before


@pytest.mark.parametrize("mode", ["endless-json", "endless-sse"])
def test_an_answer_that_never_ends_is_cut_and_the_worker_stays_small(hostile, worker_on, mode):
    server = hostile(mode)
    app, process = worker_on(server.url, upstream_retries=0, upstream_timeout=10)
    final, peak, before = run_job(app, process)
    print(f"{mode}: worker RSS {before / 2**20:.0f} -> peak {peak / 2**20:.0f} MiB, "
          f"{server.sent / 2**20:.0f} MiB sent")
    assert peak - before < RSS_GROWTH, (before, peak)
    assert final is not None, "the job did not end"
    if mode == "endless-sse":  # 24 pieces asked (MAX_TOKENS): 24 read, then the stream is shut
        assert final.event == "done", final.data
    else:
        assert final.event == "error" and final.data["code"] == "upstream_error", final.data


def test_a_model_list_trickled_a_byte_a_second_is_down_within_the_health_timeout(hostile):
    server = hostile("trickle-models")
    upstream = Upstream(Settings.from_mapping({"backend": "openai", "upstream_url": server.url}).upstream)
    began = time.monotonic()
    error = upstream.health()
    took = time.monotonic() - began
    print(f"trickled /v1/models: health answered in {took:.1f} s")
    assert error is not None and error.code == "upstream_unavailable", error
    assert took < 5, took  # HEALTH_TIMEOUT_SECONDS (2 s) in all, not per byte (was 90 s here)


def test_the_api_key_is_never_echoed_from_an_error(hostile, worker_on, caplog):
    key = "sk-hostile-0123456789abcdef0123456789abcdef"
    server = hostile("key-error", key=key)
    upstream = Upstream(Settings.from_mapping({"backend": "openai", "upstream_url": server.url,
                                               "upstream_api_key": key}).upstream)
    error = upstream.health()
    assert error is not None
    shown = repr((error.message, error.details))
    assert key not in shown and key[:8] not in shown, shown  # whole, or its start before a cut


def test_a_redirect_is_not_followed_with_the_prompt(hostile):
    elsewhere = hostile("plain")
    server = hostile("redirect", target=elsewhere.url)
    upstream = Upstream(Settings.from_mapping({"backend": "openai", "upstream_url": server.url}).upstream)
    with pytest.raises(Exception) as refused:
        upstream.call("POST", "/v1/chat/completions", {"messages": [{"role": "user",
                                                                     "content": "secret prompt"}]},
                      retries=0)
    assert "/v1/chat/completions" not in elsewhere.seen, elsewhere.seen
    assert "redirect" in str(refused.value.message)


def test_a_stream_that_ignores_max_tokens_stops_after_them(hostile):
    """Read to its end by a caller that does not stop on its own (the pipeline's loop guard did,
    on this stream of one repeated word; a varied one grew the worker 10 MB/s)."""
    import threading

    from summarizer.engine.remote import UpstreamModel

    server = hostile("endless-sse")
    model = UpstreamModel(Settings.from_mapping({"backend": "openai", "upstream_url": server.url,
                                                 "upstream_retries": 0}).upstream)
    generation = model.generate([{"role": "user", "content": "Say something."}], max_tokens=24,
                                temperature=0.2, seed=1)
    pieces = []
    reader = threading.Thread(target=lambda: pieces.extend(generation), daemon=True)
    reader.start()
    reader.join(30)
    print(f"endless stream, max_tokens 24: {len(pieces)} pieces, still reading: {reader.is_alive()}")
    assert not reader.is_alive(), len(pieces)
    assert len(pieces) == 24 and generation.finish_reason == "length"
