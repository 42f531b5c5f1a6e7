"""Kept documents in a Redis near its maxmemory (issue 23): they go, least recently used first,
before Redis would refuse a write; what the queue keeps (no TTL) never goes. A real redis-server
(the embedded one, with the maxmemory `serve` gives it)."""

import random

import redis

from summarizer.config import Settings
from summarizer.document import Block, Document
from summarizer.queue import documents, keys
from summarizer.queue.redis_embed import EmbeddedRedis

MAXMEMORY_MB = 16


def noise(chars=1_000_000):
    """Text that does not compress much: a stored document of about its own size."""
    rng = random.Random(23)
    return "".join(rng.choices("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ", k=chars))


def test_documents_go_first_when_redis_nears_its_maxmemory(tmp_path):
    settings = Settings.from_mapping({"document_ttl": 3600})
    with EmbeddedRedis(tmp_path, appendonly=False, maxmemory_mb=MAXMEMORY_MB) as server:
        client = redis.Redis(unix_socket_path=server.socket_path)
        assert client.config_get("maxmemory-policy")["maxmemory-policy"] == "noeviction"
        client.rpush("rq:queue:test", *[f"job-{n}" for n in range(1000)])  # queue state, no TTL
        text = noise()
        kept = [documents.keep(client, settings, Document("", [Block(f"{n} {text}", {"page": 1})]),
                               f"token:{n}") for n in range(30)]
        alive = [n for n, found in enumerate(kept)
                 if client.exists(keys.document(documents.owner_digest(f"token:{n}"), found))]
        used = client.info("memory")["used_memory"]
        queued = client.llen("rq:queue:test")
    # 30 documents of ~0.8 MB stored each do not fit in 16 MiB: the oldest went, no write failed
    assert alive and alive == list(range(alive[0], 30)) and alive[0] > 0, alive
    assert used <= MAXMEMORY_MB * 2**20
    assert queued == 1000
