"""Backpressure (queue depth) and per-client rate limits answer 429 with a useful Retry-After."""

import concurrent.futures
import time

import pytest

from summarizer import create_app
from summarizer.errors import TooManyRequests
from summarizer.queue import keys, limits
from tests.conftest import TEST_SETTINGS


def test_full_queue_is_429_with_retry_after_from_the_drain_rate(redis_url, redis_client, worker):
    queue = f"backpressure-{time.monotonic_ns()}"
    app = create_app({"TESTING": True, "REDIS_URL": redis_url, **TEST_SETTINGS, "QUEUE": queue,
                      "MAX_QUEUE": 2})
    client = app.test_client()
    # a worker must serve the queue for submissions to be accepted; the session worker serves
    # another queue, so jobs here stay queued: register it for this queue by name only
    from rq import Worker
    from rq.serializers import JSONSerializer
    from summarizer.queue.jobs import queue_for
    ghost = Worker([queue_for(redis_client, app.config["SETTINGS"])], connection=redis_client,
                   serializer=JSONSerializer, name=f"ghost-{queue}")
    ghost.register_birth()
    try:
        redis_client.delete(keys.FINISHED)
        for n in range(2):
            text = f"The bridge over the river reopens on day {n} of the works."
            assert client.post("/summarize", json={"text": text, "cache": False}).status_code == 202
        refused = client.post("/summarize", json={"text": "One more.", "cache": False})
        assert refused.status_code == 429
        assert refused.get_json()["error"]["code"] == "queue_full"
        assert refused.headers["Retry-After"] == str(limits.DEFAULT_RETRY_SECONDS)
        now = time.time()
        redis_client.zadd(keys.FINISHED, {f"j{i}": now - 10 + i for i in range(11)})  # 1/s
        refused = client.post("/summarize", json={"text": "And the ferry runs again on Sunday.", "cache": False})
        assert 1 <= int(refused.headers["Retry-After"]) <= 3
    finally:
        ghost.register_death()
        redis_client.delete(keys.FINISHED)


def test_rate_limit_per_token(redis_url):
    app = create_app({"TESTING": True, "REDIS_URL": redis_url, **TEST_SETTINGS, "RATE_LIMIT": 3,
                      "API_TOKENS": "alpha,beta"})
    client = app.test_client()

    def extract(token):
        return client.post("/extract", json={"text": "Some text."},
                           headers={"Authorization": f"Bearer {token}"})

    assert [extract("alpha").status_code for _ in range(3)] == [200, 200, 200]
    limited = extract("alpha")
    assert limited.status_code == 429 and limited.get_json()["error"]["code"] == "rate_limited"
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    assert extract("beta").status_code == 200, "another token has its own budget"


def test_drain_rate_needs_two_points(redis_client):
    redis_client.delete(keys.FINISHED)
    assert limits.drain_rate(redis_client) is None
    limits.record_completion(redis_client, "a")
    assert limits.drain_rate(redis_client) is None
    time.sleep(0.05)
    limits.record_completion(redis_client, "b")
    assert limits.drain_rate(redis_client) > 0
    for n in range(limits.DRAIN_SAMPLE + 10):
        limits.record_completion(redis_client, f"x{n}")
    assert redis_client.zcard(keys.FINISHED) == limits.DRAIN_SAMPLE
    redis_client.delete(keys.FINISHED)


@pytest.fixture
def parked_queue(redis_url, redis_client):
    """An app on a queue of its own whose only worker is registered but never takes a job, so
    what is accepted stays queued."""
    from rq import Worker
    from rq.serializers import JSONSerializer
    from summarizer.queue.jobs import queue_for

    def make(**settings):
        queue = f"parked-{time.monotonic_ns()}"
        app = create_app({"TESTING": True, "REDIS_URL": redis_url, **TEST_SETTINGS, "QUEUE": queue,
                          **settings})
        ghost = Worker([queue_for(redis_client, app.config["SETTINGS"])], connection=redis_client,
                       serializer=JSONSerializer, name=f"ghost-{queue}")
        ghost.register_birth()
        ghosts.append(ghost)
        return app

    ghosts = []
    yield make
    for ghost in ghosts:
        ghost.register_death()


def test_max_queue_holds_against_concurrent_submissions(parked_queue):
    app = parked_queue(MAX_QUEUE=10)
    client = app.test_client()

    def submit(n):
        return client.post("/summarize", json={"text": f"Request {n}: the bridge reopens on Monday "
                                                        "after repairs to its deck.", "cache": False})

    with concurrent.futures.ThreadPoolExecutor(30) as pool:
        answers = list(pool.map(submit, range(30)))
    codes = [response.status_code for response in answers]
    assert codes.count(202) == 10, codes
    assert codes.count(429) == 20
    assert len(app.extensions["redis"].lrange(f"rq:queue:{app.config['SETTINGS'].queue}", 0, -1)) == 10


def test_retry_after_follows_the_recent_pace_not_an_idle_hour(redis_client):
    redis_client.delete(keys.FINISHED)
    now = time.time()
    # a busy spell an hour ago, an idle hour, and a busy spell now: one request a second each
    redis_client.zadd(keys.FINISHED, {f"old{i}": now - 3600 - 40 + i for i in range(40)})
    redis_client.zadd(keys.FINISHED, {f"new{i}": now - 9 + i for i in range(10)})
    try:
        with pytest.raises(TooManyRequests) as caught:
            limits.check_queue(redis_client, queued=12, max_queue=10)
        assert int(caught.value.headers["Retry-After"]) == 3  # three places to free at 1/s
    finally:
        redis_client.delete(keys.FINISHED)


def test_without_tokens_the_rate_limit_counts_addresses_whatever_the_header(redis_url, redis_client):
    app = create_app({"TESTING": True, "REDIS_URL": redis_url, **TEST_SETTINGS, "RATE_LIMIT": 3,
                      "API_TOKENS": ""})
    client = app.test_client()
    address = f"127.0.0.{time.monotonic_ns() % 200 + 20}"  # a fresh budget for this test

    def extract(n):
        return client.post("/extract", json={"text": "Some text."},
                           headers={"Authorization": f"Bearer invented-{n}"},
                           environ_base={"REMOTE_ADDR": address}).status_code

    assert [extract(n) for n in range(5)] == [200, 200, 200, 429, 429]
