"""The parse child: wall-clock timeout, crashes and replies, independent of any parser; and how
many children run at once."""

import concurrent.futures
import io
import threading

import pytest

from summarizer import create_app, errors
from summarizer.config import Settings
from summarizer.extract import sandbox
from test_extract_pdf import make_pdf
from tests.conftest import TEST_SETTINGS
from tests.hostile_files import parse_children


def _child_running(monkeypatch, code):
    """Make the child run `code` instead of the parser."""
    monkeypatch.setattr(sandbox, "_BOOTSTRAP", code)


def test_wall_clock_timeout_names_the_setting(monkeypatch):
    _child_running(monkeypatch, "import time\ntime.sleep(60)\n")
    settings = Settings.from_mapping({"parse_timeout": 1})
    with pytest.raises(errors.UnprocessableDocument) as caught:
        sandbox.parse_in_child("pdf", b"%PDF-1.4", settings)
    assert caught.value.code == "parse_timeout"
    assert "parse_timeout" in caught.value.message


@pytest.mark.parametrize("code, status", [
    ("import os, signal\nos.kill(os.getpid(), signal.SIGSEGV)\n", 413),
    ("import sys\nsys.exit(3)\n", 422),
    ("print('not json')\n", 422),
])
def test_a_child_that_dies_is_a_clean_4xx(monkeypatch, code, status):
    _child_running(monkeypatch, code)
    with pytest.raises(errors.SummarizerError) as caught:
        sandbox.parse_in_child("docx", b"PK", Settings.from_mapping({}))
    assert caught.value.status == status


def test_child_errors_keep_their_class_and_code(monkeypatch):
    reply = '{"error": {"type": "PayloadTooLarge", "code": "too_many_pages", "message": "m"}}'
    _child_running(monkeypatch, f"import sys\nsys.stdout.write({reply!r})\n")
    with pytest.raises(errors.PayloadTooLarge) as caught:
        sandbox.parse_in_child("pdf", b"%PDF", Settings.from_mapping({}))
    assert caught.value.code == "too_many_pages"


def test_child_cannot_name_an_arbitrary_error_class(monkeypatch):
    reply = '{"error": {"type": "ModelError", "code": "x", "message": "m"}}'
    _child_running(monkeypatch, f"import sys\nsys.stdout.write({reply!r})\n")
    with pytest.raises(errors.UnprocessableDocument):
        sandbox.parse_in_child("pdf", b"%PDF", Settings.from_mapping({}))


def test_parse_children_at_once_are_bounded_and_the_rest_get_503(monkeypatch, redis_url):
    _child_running(monkeypatch, "import time\ntime.sleep(5)\n")  # holds its slot for 5 s
    app = create_app({"TESTING": True, "REDIS_URL": redis_url, **TEST_SETTINGS,
                      "MAX_PARSE_CHILDREN": 2, "PARSE_WAIT_SECONDS": 0.5})
    client = app.test_client()
    pdf = make_pdf([["A page."]])
    most, stop = [0], threading.Event()

    def count_children():
        while not stop.is_set():
            most[0] = max(most[0], len(parse_children()))
            stop.wait(0.01)

    def upload(_):
        return client.post("/extract", data={"file": (io.BytesIO(pdf), "a.pdf")},
                           content_type="multipart/form-data")

    counter = threading.Thread(target=count_children, daemon=True)
    counter.start()
    with concurrent.futures.ThreadPoolExecutor(5) as pool:
        answers = list(pool.map(upload, range(5)))
    stop.set()
    counter.join()
    assert most[0] == 2, most[0]
    busy = [r for r in answers if r.status_code == 503]
    assert len(busy) >= 1
    assert all(r.get_json()["error"]["code"] == "parse_busy" for r in busy)
    assert all(int(r.headers["Retry-After"]) >= 1 for r in busy)
    # the others ran (this child exits without a reply: the parser "could not read" the file)
    assert {r.status_code for r in answers} <= {422, 503}
    assert sum(r.status_code == 422 for r in answers) >= 2
