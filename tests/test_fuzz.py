"""A small seeded slice of bench/fuzz.py: damaged corpus PDFs and Word files through POST /extract
of the real app. Every answer is 200 or a 4xx JSON error, no request outlives the parse limit, and
neither the API process nor a parse child grows past its bound. `make fuzz` runs thousands."""

import io
import time
import zipfile

import psutil
import pytest

from bench import fuzz
from summarizer import create_app
from tests.conftest import TEST_SETTINGS

# Not the whole module: the regression tests built from their own bytes need no corpus.
needs_corpus = pytest.mark.skipif(
    not (fuzz.CORPUS / "pdf").is_dir(), reason=f"the shared corpus is absent ({fuzz.CORPUS})"
)

SEED = 20261126
CASES = 120
"""Seeded cases per run: every mutation kind over every small corpus file, about a minute here."""

MAX_FILE_BYTES = 64 * 1024
"""Only the corpus files up to this size: the big ones cost time, not different code paths."""

PARSE_TIMEOUT = 5.0
PARSE_MEMORY_MB = 1024

START_SLACK_SECONDS = 10.0
"""What a case may take beyond parse_timeout: starting the parse child and the zip checks, on a
busy 2-core machine. A hang shows up as a case that runs into the test's own timeout instead."""

RSS_GROWTH_CAP = 100 * 1024 * 1024
"""Growth of the API process (this process) over the run after warm-up; a leak of the damaged
files (up to 64 KB each, 120 of them) or of parse replies would show well before this."""

BUDGET_SECONDS = 150
"""Stop early on a very slow machine; the run must still cover a meaningful number of cases."""


@pytest.fixture(scope="module")
def fuzz_client(redis_url):
    app = create_app({"TESTING": True, "REDIS_URL": redis_url, **TEST_SETTINGS,
                      "PARSE_TIMEOUT": PARSE_TIMEOUT, "PARSE_MEMORY_MB": PARSE_MEMORY_MB})
    return app.test_client()


@needs_corpus
def test_cases_are_reproducible():
    files = fuzz.corpus_files(max_bytes=MAX_FILE_BYTES)
    blobs = {path: path.read_bytes() for _, path in files}
    first = [fuzz.make_case(i, SEED, files, blobs) for i in range(20)]
    assert first == [fuzz.make_case(i, SEED, files, blobs) for i in range(20)]
    assert all(data != blobs[next(p for _, p in files if p.name == name)]
               for name, _, data in first)


@needs_corpus
@pytest.mark.timeout(400)
def test_damaged_corpus_files_get_clean_answers(fuzz_client):
    files = fuzz.corpus_files(max_bytes=MAX_FILE_BYTES)
    fuzz.run_cases(fuzz_client, files, SEED + 1, 5)  # warm-up: imports, first Redis calls
    process = psutil.Process()
    rss_before = process.memory_info().rss
    sampler = fuzz.MemorySampler()
    sampler.start()
    try:
        outcomes = fuzz.run_cases(fuzz_client, files, SEED, CASES,
                                  deadline=time.monotonic() + BUDGET_SECONDS)
    finally:
        sampler.stop()
    assert outcomes.cases >= 40, "too few cases ran to mean anything"
    assert outcomes.server_errors == []
    assert outcomes.malformed == []
    assert outcomes.slowest[0] <= PARSE_TIMEOUT + START_SLACK_SECONDS, outcomes.slowest
    assert process.memory_info().rss - rss_before <= RSS_GROWTH_CAP
    assert sampler.children_seen > 0
    assert sampler.max_child_rss <= PARSE_MEMORY_MB * 1024 * 1024
    codes = {code for _, code in outcomes.counts}
    # The damage reached both parsers (not only the sniffer), and some files still read.
    assert "ok" in codes
    assert any(code.startswith("pdf_") for code in codes)
    assert any(code.startswith("docx_") for code in codes)


def test_damaged_deflate_stream_in_content_types_is_a_422(fuzz_client):
    """Regression (found by the fuzzer): zlib.error while sniffing was a 500."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types>" + "<Default/>" * 200 + "</Types>")
        archive.writestr("word/document.xml", "<w:document/>")
    data = bytearray(out.getvalue())
    start = 30 + len("[Content_Types].xml")  # the member's deflate data follows its local header
    data[start:start + 8] = b"\xff" * 8
    response = fuzz_client.post("/extract", data={"file": (io.BytesIO(bytes(data)), "x.docx")},
                                content_type="multipart/form-data")
    assert response.status_code == 422
    assert response.json["error"]["code"] == "docx_damaged"


@needs_corpus
def test_repacked_docx_cases_do_not_depend_on_the_clock(monkeypatch):
    """Regression: re-packed members carried the current time, so a case built two seconds later
    had other bytes (CI saw test_cases_are_reproducible fail across a 2-second boundary)."""
    files = [entry for entry in fuzz.corpus_files(max_bytes=MAX_FILE_BYTES) if entry[0] == "docx"]
    blobs = {path: path.read_bytes() for _, path in files}
    index = next(i for i in range(200) if fuzz.make_case(i, SEED, files, blobs)[1].startswith("member:"))
    first = fuzz.make_case(index, SEED, files, blobs)
    later = time.time() + 3600
    monkeypatch.setattr(time, "time", lambda: later)
    monkeypatch.setattr(time, "localtime", lambda seconds=None: time.gmtime(later))
    assert fuzz.make_case(index, SEED, files, blobs) == first
