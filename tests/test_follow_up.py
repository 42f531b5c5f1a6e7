"""A follow-up carries its document by reference: a request that sends a `document_id` queues a job
that names the kept document instead of copying its text into the payload, and the worker loads
it; if it expired while the job was queued, the job ends with `document_expired`."""

import pytest

from summarizer.document import Block, Document
from summarizer.engine import prompts
from summarizer.errors import NotFound
from summarizer.owners import LOCAL_OWNER
from summarizer.options import SummaryOptions, parse_options
from summarizer.queue import documents, jobs, keys, rqaccess, tasks
from summarizer.queue.events import EventLog
from tests.conftest import wait_for
from tests.test_query import read_per_attempt

TEXT = ("The harbour board met on Monday. It agreed to rebuild the northern quay in stone by 2027. "
        "Ships will wait two days less for a berth. Costs rise by a tenth, paid by a fee on cargo.")


def keep_text(client):
    """A document kept by the server for follow-ups; its document_id."""
    response = client.post("/extract", json={"text": TEXT})
    assert response.status_code == 200, response.get_json()
    return response.get_json()["document_id"]


@pytest.mark.model
def test_a_follow_up_job_names_the_document_and_the_worker_loads_it(client, worker, redis_client,
                                                                   monkeypatch):
    document_id = keep_text(client)
    monkeypatch.setattr(documents, "keep", lambda *args: pytest.fail("hashed and kept again"))
    queued = client.post("/summarize", json={"document_id": document_id, "query": "When is the quay done?",
                                             "type": "headline", "cache": False})
    assert queued.status_code == 202, queued.get_json()
    job = rqaccess.fetch(redis_client, queued.get_json()["job_id"])
    payload = job.args[0]
    assert "document" not in payload and payload["document_id"] == document_id
    assert TEXT[:40] not in str(payload), "no copy of the text in the job"
    wait_for(lambda: job.get_status(refresh=True) in ("finished", "failed"), 180, "the follow-up")
    assert job.get_status() == "finished", job.meta
    assert job.return_value()["document_id"] == document_id and job.return_value()["answered"]


@pytest.mark.model
def test_a_document_that_expired_while_queued_ends_the_job_with_document_expired(
        client, worker, redis_client, app):
    document_id = keep_text(client)
    settings = app.config["SETTINGS"]
    owner = LOCAL_OWNER  # the test app has no tokens
    document = documents.load(redis_client, settings, document_id, owner)
    redis_client.delete(keys.document(documents.owner_digest(owner), document_id))  # its TTL ran out after the API read it
    job_id, _ = jobs.submit(redis_client, settings, document, SummaryOptions(query="When?"),
                            lambda: [document], 0, owner=owner, document_id=document_id,
                            by_reference=True)
    job = rqaccess.fetch(redis_client, job_id)
    wait_for(lambda: job.get_status(refresh=True) in ("finished", "failed"), 180, "the job")
    meta = job.get_meta(refresh=True)
    assert meta["error"]["code"] == "document_expired", meta
    last = EventLog(redis_client, job_id).last()
    assert last[1] == "error" and last[2]["code"] == "document_expired", last  # what the client sees
    assert rqaccess.fetch(redis_client, job_id).get_status() == "failed", "not re-run: it would expire again"


def test_the_worker_side_loads_a_kept_document_or_says_it_expired(redis_client, app):
    settings = app.config["SETTINGS"]
    document = Document("Harbour", [Block(TEXT, {"paragraph": 0})])
    kept = documents.keep(redis_client, settings, document, "token:a")
    context = type("Context", (), {"connection": redis_client, "settings": settings})()
    loaded = tasks.job_document(context, {"document_id": kept, "owner": "token:a"})
    assert loaded.text == document.text
    with pytest.raises(NotFound) as expired:
        tasks.job_document(context, {"document_id": kept, "owner": "token:b"})
    assert expired.value.code == "document_expired"
    assert tasks.job_document(context, {"document": document.to_dict()}).text == document.text


PIERS = " ".join(
    f"{crane} crane lifted {count} steel beams onto pier {pier} on {day}, and {crew} signed off the load."
    for crane, count, pier, day, crew in zip(
        ("The red", "The blue", "The harbour's oldest", "A hired", "The floating", "The tower", "The yard's new",
         "The night shift's", "The rail-mounted", "The spare"),
        ("twelve", "nine", "thirty", "four", "eighteen", "six", "twenty", "fifteen", "eleven", "two"),
        ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"),
        ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "the 9th",
         "the 10th", "the 11th"),
        ("Ana", "the foreman", "two inspectors", "Mr Okafor", "the union steward", "Lena", "the port engineer",
         "nobody", "Ms Varga", "the mayor")))


def summarize(client, **fields):
    response = client.post("/summarize?wait=true", json={"cache": False, **fields})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_the_prompt_is_the_same_up_to_its_task_whatever_the_options():
    asked = [parse_options(raw) for raw in (
        {"type": "tldr"}, {"type": "key-points", "length": "long", "format": "plain-text"},
        {"type": "headline", "output_language": "German"}, {"type": "tldr", "query": "When is the quay done?"})]
    kept = prompts.kept_text(TEXT, "Harbour")
    calls = [prompts.messages_for(TEXT, options, "Harbour", question=options.query) for options in asked]
    for options, (system, user) in zip(asked, calls):
        assert system == calls[0][0], "the system turn depends on the options"
        assert user["content"].startswith(kept) and user["content"].endswith(prompts.task_rules(options))
    assert "German" in calls[2][1]["content"] and "plain text" in calls[1][1]["content"]


@pytest.mark.model
def test_a_summary_with_other_options_reads_only_its_task(client, worker):
    """Issue 25.4: the worker keeps what the model read of a summarized document (the system turn
    and the document: the options come after them); a summary of it with another type and length,
    even after another document, reads only its task."""
    first = summarize(client, text=PIERS, type="tldr", length="short")
    summarize(client, text=TEXT, type="headline")
    again = summarize(client, document_id=first["document_id"], type="key-points", length="long")
    assert again["citations"], again["summary"]
    assert again["summary"].lstrip().startswith("-"), "a key-points summary, not the first one's tl;dr"
    assert again["usage"]["cached_tokens"] > 0
    attempts = len(again["guard"]["attempts"])
    assert read_per_attempt(again) < again["usage"]["prompt_tokens"] / attempts / 4, again["usage"]
    assert again["timings"]["reading_ms"] < first["timings"]["reading_ms"]
