"""The parse child: wall-clock timeout, crashes and replies, independent of any parser."""

import pytest

from summarizer import errors
from summarizer.config import Settings
from summarizer.extract import sandbox


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
