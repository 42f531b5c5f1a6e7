"""Hostile HTTP input: each request is refused with a 4xx and the JSON error body
{"error": {"code", "message"}}, never a 5xx, never an HTML error page.

The app is the real one on real Redis but with no worker: nothing here may get as far as the
queue, and a request that did would answer 503 and fail the test.
"""

import io
import json
import pytest
from rq import Queue
from rq.serializers import JSONSerializer

from summarizer import create_app
from summarizer.queue import tasks
from tests.conftest import TEST_SETTINGS
from tests.hostile_files import ChildMemory, lying_docx
from tests.sse import events_of

MAX_BODY = 64 * 1024
"""A small max_content_length, so "oversized" costs the test little."""

BOUNDARY = "----hostile"


@pytest.fixture(scope="module")
def hostile_client(redis_url):
    app = create_app({"TESTING": True, "REDIS_URL": redis_url, **TEST_SETTINGS,
                      "MAX_CONTENT_LENGTH": MAX_BODY, "QUEUE": "hostile-no-worker",
                      "FETCH_TIMEOUT": 1})
    return app.test_client()


def assert_json_error(response, status=None):
    """A 4xx (exactly `status` when given) with the API's JSON error body."""
    assert 400 <= response.status_code < 500, (response.status_code, response.data[:300])
    if status is not None:
        assert response.status_code == status, response.data[:300]
    assert response.mimetype == "application/json"
    error = response.get_json()["error"]
    assert isinstance(error["code"], str) and error["code"]
    assert isinstance(error["message"], str) and error["message"]
    return error["code"]


def multipart(*parts, boundary=BOUNDARY):
    """A multipart body from (name, filename or None, bytes) parts."""
    chunks = []
    for name, filename, data in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        chunks.append(f"--{boundary}\r\nContent-Disposition: {disposition}\r\n\r\n".encode()
                      + data + b"\r\n")
    return b"".join(chunks) + f"--{boundary}--\r\n".encode()


def post(client, body, content_type, path="/summarize"):
    return client.post(path, data=body, headers={"Content-Type": content_type})


@pytest.mark.parametrize("path", ["/summarize", "/extract"])
def test_oversized_bodies_are_413(hostile_client, path):
    big_json = json.dumps({"text": "word " * MAX_BODY}).encode()
    assert assert_json_error(post(hostile_client, big_json, "application/json", path), 413)
    big_file = multipart(("file", "big.txt", b"x" * (MAX_BODY + 1)))
    assert_json_error(post(hostile_client, big_file, f"multipart/form-data; boundary={BOUNDARY}",
                           path), 413)
    assert_json_error(post(hostile_client, b"y" * (MAX_BODY + 1), "text/plain", path), 413)


BAD_MULTIPART = {
    "no boundary": (multipart(("text", None, b"hello")), "multipart/form-data"),
    "wrong boundary": (multipart(("text", None, b"hello")), "multipart/form-data; boundary=other"),
    "truncated": (multipart(("file", "a.pdf", b"%PDF-1.7\n" + b"1 0 obj" * 50))[:120],
                  f"multipart/form-data; boundary={BOUNDARY}"),
    "no final boundary": (multipart(("text", None, b"hello"))[:-len(BOUNDARY) - 6],
                          f"multipart/form-data; boundary={BOUNDARY}"),
    "empty body": (b"", f"multipart/form-data; boundary={BOUNDARY}"),
    "garbage": (b"\x00\xff" * 500, f"multipart/form-data; boundary={BOUNDARY}"),
    "two files": (multipart(("file", "a.txt", b"one"), ("file2", "b.txt", b"two")),
                  f"multipart/form-data; boundary={BOUNDARY}"),
    "file and text": (multipart(("file", "a.txt", b"one"), ("text", None, b"two")),
                      f"multipart/form-data; boundary={BOUNDARY}"),
    "empty file": (multipart(("file", "a.txt", b"")), f"multipart/form-data; boundary={BOUNDARY}"),
    "huge header line": (f"--{BOUNDARY}\r\nX: {'h' * 40000}\r\n\r\nx\r\n--{BOUNDARY}--\r\n".encode(),
                         f"multipart/form-data; boundary={BOUNDARY}"),
}


@pytest.mark.parametrize("case", sorted(BAD_MULTIPART))
@pytest.mark.parametrize("path", ["/summarize", "/extract"])
def test_bad_multipart_is_a_4xx(hostile_client, case, path):
    body, content_type = BAD_MULTIPART[case]
    assert_json_error(post(hostile_client, body, content_type, path))


@pytest.mark.parametrize("content_type", [
    None, "application/xml", "image/png", "application/x-www-form-urlencoded",
    "application/octet-stream", "text/html", "application/jsonx", "*/*", "multipart/mixed",
    "\x00\x01",
])
def test_wrong_content_types_are_415_or_400(hostile_client, content_type):
    headers = {"Content-Type": content_type} if content_type is not None else {}
    response = hostile_client.post("/summarize", data=b'{"text": "hello"}', headers=headers)
    assert assert_json_error(response) in ("unsupported_content_type", "bad_json", "bad_request")


INVALID_JSON = {
    "truncated": b'{"text": "hello',
    "not an object": b'["text", "hello"]',
    "a string": b'"hello"',
    "null": b"null",
    "trailing garbage": b'{"text": "hello"} {}',
    "invalid utf-8": b'{"text": "\xff\xfe\xfd"}',
    "nan": b'{"text": NaN}',
    "deeply nested": b'{"text": ' + b"[" * 20_000 + b"]" * 20_000 + b"}",
    "deeply nested objects": b'{"a":' * 8_000 + b"1" + b"}" * 8_000,
    "huge integer": b'{"text": "hello", "cache": ' + b"9" * 5000 + b"}",
    "empty": b"",
    "bom only": b"\xef\xbb\xbf",
}


@pytest.mark.parametrize("case", sorted(INVALID_JSON))
@pytest.mark.parametrize("path", ["/summarize", "/extract"])
def test_invalid_json_is_400(hostile_client, case, path):
    assert_json_error(post(hostile_client, INVALID_JSON[case], "application/json", path), 400)


BAD_FIELDS = {
    "unknown option": {"text": "hello", "temperature": 2},
    "many unknown options": {"text": "hello", **{f"o{i}": i for i in range(2000)}},
    "option name with markup": {"text": "hello", "<script>": 1},
    "huge context": {"text": "hello", "context": "c" * 20_000},
    "huge type": {"text": "hello", "type": "t" * 40_000},
    "huge language": {"text": "hello", "output_language": "l" * 10_000},
    "type not in list": {"text": "hello", "type": "essay"},
    "length not in list": {"text": "hello", "length": "epic"},
    "cache not boolean": {"text": "hello", "cache": "maybe"},
    "cache huge number": {"text": "hello", "cache": 1e308},
    "text is a number": {"text": 123},
    "text is an object": {"text": {"nested": "hello"}},
    "text is a list": {"text": ["hello"]},
    "text is true": {"text": True},
    "url is a list": {"url": ["http://example.org"]},
    "html is a number": {"html": 5},
    "password is a number": {"text": "hello", "password": 1234},
    "type is a list": {"text": "hello", "type": ["tldr"]},
    "context is an object": {"text": "hello", "context": {"a": 1}},
    "blank text": {"text": " \n\t " * 100},
    "no input": {"type": "tldr"},
    "two inputs": {"text": "hello", "url": "http://example.org"},
    "not a url": {"url": "not a url at all"},
    "url with a huge host": {"url": "http://" + "a" * 60_000 + ".example/"},
    "url to loopback": {"url": "http://127.0.0.1:1/"},
    "url of another scheme": {"url": "file:///etc/passwd"},
}


@pytest.mark.parametrize("case", sorted(BAD_FIELDS))
@pytest.mark.parametrize("path", ["/summarize", "/extract"])
def test_bad_fields_are_4xx(hostile_client, case, path):
    body = json.dumps(BAD_FIELDS[case]).encode()
    assert_json_error(post(hostile_client, body, "application/json", path))


def test_bad_fields_in_a_form_are_4xx(hostile_client):
    body = multipart(("text", None, b"hello"), ("type", None, b"x" * 30_000),
                     ("unknown", None, b"1"))
    assert_json_error(post(hostile_client, body, f"multipart/form-data; boundary={BOUNDARY}"), 400)


@pytest.mark.parametrize("path", [
    "/jobs/" + "a" * 50_000,
    "/jobs/" + "a" * 50_000 + "/events",
    "/jobs/%00%ff%fe",
    "/jobs/..%2f..%2fetc%2fpasswd",
    "/jobs/" + "%F0%9F%98%80" * 2000,
    "/" + "x" * 100_000,
    "/summarize/" + "y" * 10_000,
])
def test_very_long_or_strange_urls_are_4xx(hostile_client, path):
    assert_json_error(hostile_client.get(path))
    assert_json_error(hostile_client.delete(path))


def test_a_long_query_string_does_not_matter(hostile_client):
    query = "&".join(f"k{i}={'v' * 50}" for i in range(2000))
    response = hostile_client.post(f"/extract?{query}", data=b"Some plain text.",
                                   headers={"Content-Type": "text/plain"})
    assert response.status_code == 200  # unknown query parameters are ignored, as elsewhere
    assert "plain text" in response.get_json()["text"]


@pytest.fixture(scope="module")
def queued_job(redis_client):
    """A real job, queued where no worker takes it: the events route gets past its 404 to the ID."""
    queue = Queue("hostile-no-worker", connection=redis_client, serializer=JSONSerializer)
    job = queue.enqueue(tasks.SINGLE_JOB, {"never": "run"})
    yield job.id
    job.delete()


# An ID the check lets through reaches XREAD after the 200 is sent: the stream then breaks on
# Redis's "Invalid stream ID" instead of answering 400 ("²" is a digit to str.isdigit()).
@pytest.mark.parametrize("event_id", [
    "x" * 100_000, "1-", "-1", "1-2-3", "\u00e9-1".encode().decode("latin-1"), " 1-1", "1-1 ",
    "\u00b2-1", "99999999999999999999999-0", "18446744073709551616-0",
])
def test_bad_last_event_ids_are_400(hostile_client, queued_job, event_id):
    assert hostile_client.get(f"/jobs/{queued_job}").get_json()["status"] == "queued"
    response = hostile_client.get(f"/jobs/{queued_job}/events", headers={"Last-Event-ID": event_id})
    try:
        # the status first: a 200 here is an endless event stream, which reading would wait on
        assert response.status_code == 400, response.status_code
        assert assert_json_error(response, 400) == "bad_event_id"
    finally:
        response.close()


def test_wrong_methods_are_405(hostile_client):
    for method, path in [("put", "/summarize"), ("get", "/summarize"), ("patch", "/jobs/x"),
                         ("post", "/healthz"), ("delete", "/extract")]:
        assert_json_error(getattr(hostile_client, method)(path), 405)


@pytest.fixture(scope="module")
def upload_client(redis_url):
    """Uploads of any size, parse children capped at 256 MiB: what a crafted file may cost."""
    app = create_app({"TESTING": True, "REDIS_URL": redis_url, **TEST_SETTINGS,
                      "QUEUE": "hostile-no-worker", "PARSE_MEMORY_MB": 256})
    return app.test_client()


def test_zip_bomb_that_lies_about_its_sizes_is_refused_before_it_inflates(upload_client):
    bomb = lying_docx(400 * 2**20)  # a ~400 kB file whose 10 kB document.xml inflates to 400 MiB
    assert len(bomb) < MAX_BODY * 8
    with ChildMemory() as memory:
        response = upload_client.post("/extract", data={"file": (io.BytesIO(bomb), "bomb.docx")},
                                      content_type="multipart/form-data")
    assert assert_json_error(response, 422) == "zip_size_mismatch"
    assert "declares" in response.get_json()["error"]["message"]
    # Refused after inflating a few steps of 64 kB, not at the child's memory cap.
    assert memory.peak < 128 * 2**20, memory.peak


LONE_SURROGATES = {  # JSON text: the escapes reach the parser as written
    "text": '{"text": "Bad \\ud800 surrogate in a sentence.", "cache": false}',
    "option": '{"text": "Plain sentence.", "context": "x\\udfff", "cache": false}',
    "option name": '{"text": "Plain.", "\\udfffy": 1}',
}


@pytest.mark.parametrize("path", ["/summarize", "/extract"])
@pytest.mark.parametrize("where", sorted(LONE_SURROGATES))
def test_lone_surrogates_are_replaced_not_a_500(client, worker, path, where):
    """JSON may carry half a UTF-16 pair: no encoder accepts it (hashing the text for the cache,
    storing it, answering with it), so it becomes U+FFFD on the way in. Needs a worker: the 500
    came from queueing."""
    response = client.post(path, data=LONE_SURROGATES[where].encode(), content_type="application/json")
    assert response.status_code < 500, response.get_data(as_text=True)
    if where == "text" and path == "/extract":
        assert response.get_json()["text"] == "Bad \ufffd surrogate in a sentence."
    if where == "option name":
        assert "\ufffdy" in response.get_json()["error"]["message"]
    if response.status_code == 202:
        client.delete(f"/jobs/{response.get_json()['job_id']}")


@pytest.mark.parametrize("resume_at", ["done", "largest"])
def test_a_stream_resumed_after_its_end_ends_at_once(hostile_client, redis_client, resume_at):
    """Last-Event-ID at the final event (a client that saw `done` reconnects) or past every ID:
    the final event again and the end, not heartbeats for ever."""
    from summarizer.queue.events import EventLog

    queue = Queue("hostile-no-worker", connection=redis_client, serializer=JSONSerializer)
    job = queue.enqueue(tasks.SINGLE_JOB, {"never": "run"})
    try:
        log = EventLog(redis_client, job.id, 600)
        log.append("status", {"status": "queued"})
        done_id = log.append("done", {"summary": "Ended."})
        after = done_id if resume_at == "done" else f"{2**64 - 1}-{2**64 - 1}"
        response = hostile_client.get(f"/jobs/{job.id}/events", headers={"Last-Event-ID": after},
                                      buffered=False)
        assert response.status_code == 200
        events = events_of(response, timeout=5)  # TimeoutError while it only sends heartbeats
        assert [(e.id, e.event) for e in events] == [(done_id, "done")]
    finally:
        job.delete()
