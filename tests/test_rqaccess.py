"""Jobs are JSON, never pickle, said once (queue/rqaccess.py); who owns a job is said once
(owners.py) and both the API and the queue take it from there."""

import ast
import zlib

from summarizer import owners
from summarizer.queue import rqaccess
from tests.conftest import REPO

RQ_ENTRY_POINTS = {"Queue", "Job.fetch", "Job.fetch_many", "Worker.all", "JSONSerializer"}


def _uses(path):
    """RQ entry points `path` calls or names."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Queue":
            found.add("Queue")
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            name = f"{node.value.id}.{node.attr}"
            found |= {name} & RQ_ENTRY_POINTS
        elif isinstance(node, ast.Name) and node.id == "JSONSerializer":
            found.add("JSONSerializer")
    return found


def test_only_rqaccess_opens_queues_and_fetches_jobs():
    sites = {path.relative_to(REPO).as_posix(): _uses(path)
             for folder in ("summarizer", "bench") for path in (REPO / folder).rglob("*.py")}
    others = {path: used for path, used in sites.items()
              if used and path != "summarizer/queue/rqaccess.py"}
    assert not others, others


def test_jobs_are_written_and_read_as_json(redis_client):
    queue = rqaccess.queue(redis_client, "rqaccess-test")
    job = queue.enqueue("summarizer.queue.tasks.summarize_job", {"text": "x"}, job_id="rqaccess-1")
    try:
        raw = zlib.decompress(redis_client.hget(job.key, "data"))  # RQ compresses what it writes
        assert raw.startswith(b'["summarizer.'), raw[:40]  # JSON, where pickle starts with 0x80
        assert list(rqaccess.fetch(redis_client, "rqaccess-1").args) == [{"text": "x"}]
        assert rqaccess.fetch(redis_client, "no-such-job") is None
        assert rqaccess.fetch_many(redis_client, ["rqaccess-1", "no-such-job"])[1] is None
    finally:
        job.delete()


def test_the_owner_rule_has_one_home():
    for path in ("summarizer/web/auth.py", "summarizer/queue/jobs.py"):
        source = (REPO / path).read_text()
        assert "from summarizer.owners import" in source, path
        assert '"local"' not in source and "hashlib.sha256(presented" not in source, path
    assert owners.owns("token:a", None) is False and owners.owns(owners.LOCAL_OWNER, None)
    assert owners.owns(None, "token:b") and not owners.owns("token:a", "token:b")
    assert owners.of_token("t") == owners.of_token("t") != owners.of_token("u")
