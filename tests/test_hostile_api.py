"""Hostile inputs against the API as users run it (`summarizer serve`: gunicorn's one gevent
process, the embedded redis-server, a real worker), while /healthz is asked every 20 ms: no
input may hold the event loop, and none may be kept at a cost out of proportion (issue 23).

The bound on /healthz is HEALTHZ_BOUND_SECONDS: on the shared test machine (load 9-15) an idle
`serve` already stalls up to 0.44 s now and then, and these cases stalled up to 1.2-1.8 s in some
runs; before the fixes they held it 20-31 s (bench/README.md, "Hostile inputs and failures").
"""

import hashlib
import io
import random
import re
import subprocess
import sys
import time
import zipfile
import zlib

import pytest
import requests

from summarizer.queue import documents, keys
from tests.conftest import start_serve, stop_serve

STREAMS = 30
"""max_streams_per_client of the module's service."""

HEALTHZ_BOUND_SECONDS = 2.0
"""Slowest /healthz answer allowed while a hostile request runs."""


@pytest.fixture(scope="module")
def serve(tmp_path_factory):
    server = start_serve(tmp_path_factory.mktemp("hostile-serve"), {
        "SUMMARIZER_KEPT_DOCUMENTS": "3", "SUMMARIZER_REDIS_MAXMEMORY_MB": "512",
        "SUMMARIZER_MAX_STREAMS_PER_CLIENT": str(STREAMS), "SUMMARIZER_MAX_STREAMS_PER_JOB": "1000"})
    yield server
    stop_serve(server)


POLLER = """
import sys, time, requests
url, stop = sys.argv[1], sys.stdin
slowest, asked = 0.0, 0
import select
with requests.Session() as session:
    session.get(url, timeout=60).raise_for_status()
    print("ready", flush=True)
    while not select.select([stop], [], [], 0.02)[0]:
        began = time.monotonic()
        try:
            session.get(url, timeout=60).raise_for_status()
        finally:
            slowest, asked = max(slowest, time.monotonic() - began), asked + 1
print(slowest, asked)
"""
"""Asks /healthz every 20 ms until its stdin closes, then prints its slowest answer and count:
a process of its own, so that the test's own work (building an 11 MB upload) cannot delay it."""


class Healthz:
    """Asks /healthz every 20 ms from another process while the block runs; `slowest` is its worst
    answer (a request that never answered counts as the time it waited)."""

    def __init__(self, url):
        self.url, self.slowest, self.asked = url + "/healthz", 0.0, 0

    def __enter__(self):
        requests.get(self.url, timeout=60).raise_for_status()  # a process's first answer is slower
        self._poller = subprocess.Popen([sys.executable, "-c", POLLER, self.url], text=True,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        assert self._poller.stdout.readline().strip() == "ready"
        return self

    def __exit__(self, *exc):
        out, _ = self._poller.communicate("stop\n", timeout=120)
        slowest, asked = out.split()
        self.slowest, self.asked = float(slowest), int(asked)
        print(f"slowest /healthz {self.slowest:.3f} s of {self.asked}")  # the figure, with -s


def upload(serve, name, data, path="/extract"):
    return requests.post(serve.url + path, headers=serve.auth, files={"file": (name, data)},
                         data={"cache": "false"} if path == "/summarize" else {}, timeout=300)


def pptx_with_title(chars):
    """A one-slide deck whose core properties carry a `dc:title` of `chars` random letters
    (random, so the zip holds it at a ratio zipguard lets through)."""
    from pptx import Presentation

    deck = Presentation()
    slide = deck.slides.add_slide(deck.slide_layouts[1])
    slide.shapes.title.text = "Harbour plan"
    slide.placeholders[1].text = "The northern quay is rebuilt in stone by 2027."
    plain = io.BytesIO()
    deck.save(plain)
    title = "".join(random.Random(7).choices("abcdefghijklmnop ", k=chars)).encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(plain.getvalue())) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info)
            if info.filename == "docProps/core.xml":
                body = re.sub(rb"<dc:title>.*?</dc:title>|<dc:title/>", b"", body)
                body = body.replace(b"</cp:coreProperties>",
                                    b"<dc:title>" + title + b"</dc:title></cp:coreProperties>")
            target.writestr(info.filename, body)
    return out.getvalue()


def vtt_of(cues):
    """A WebVTT file of `cues` one-second cues, two speakers taking turns (one block each)."""
    lines = ["WEBVTT", ""]
    for number in range(cues):
        at = f"{number // 3600:02d}:{number // 60 % 60:02d}:{number % 60:02d}"
        lines += [f"{at}.000 --> {at}.500", f"<v S{number % 2}>w{number}", ""]
    return "\n".join(lines).encode()


HEADING_TEXT = ("# " + "H" * 10_000 + "\n\n" + "\n\n".join(f"Point {i}." for i in range(10_000))).encode()
"""79 KB: a 10,000-character heading over 10,000 short paragraphs; every block's locator names
the heading it falls under."""


@pytest.mark.parametrize("name, data", [
    ("brackets.txt", b"[" * 65536),  # the Markdown sniff's link pattern: 30 s, quadratic
    ("blank.txt", b" \n" * 32768),  # its bullet pattern's \s* across lines: 23 s
    ("comments.html", b"<!---->" * 600),  # the HTML sniff's comments: exponential
])
def test_a_scan_of_client_bytes_does_not_hold_the_api(serve, name, data):
    with Healthz(serve.url) as health:
        response = upload(serve, name, data)
    assert response.status_code < 500, response.text[:300]
    assert health.slowest < HEALTHZ_BOUND_SECONDS, (health.slowest, health.asked)


def test_a_huge_title_is_cut_in_the_parse_child(serve):
    deck = pptx_with_title(3_600_000)
    with Healthz(serve.url) as health:
        response = upload(serve, "title.pptx", deck)
    assert response.status_code == 200, response.text[:300]
    assert 0 < len(response.json()["title"]) <= 300
    assert health.slowest < HEALTHZ_BOUND_SECONDS, (health.slowest, health.asked)


@pytest.mark.parametrize("path", ["/extract", "/summarize"])
def test_a_transcript_of_300000_cues_is_refused_without_holding_the_api(serve, path):
    with Healthz(serve.url) as health:
        response = upload(serve, "cues.vtt", vtt_of(300_000), path)
    assert response.status_code == 413, response.text[:300]
    assert response.json()["error"]["code"] == "too_many_blocks"
    assert health.slowest < HEALTHZ_BOUND_SECONDS, (health.slowest, health.asked)


def test_a_long_heading_is_not_copied_into_megabytes(serve):
    with Healthz(serve.url) as health:
        response = upload(serve, "heading.md", HEADING_TEXT)
    assert response.status_code == 200, response.text[:300]
    assert len(response.content) < 20 * len(HEADING_TEXT), len(response.content)  # was 100 MB
    stored = serve.redis.strlen(keys.document(documents.owner_digest(_owner(serve)),
                                              response.json()["document_id"]))
    assert 0 < stored < 4 * len(HEADING_TEXT), stored
    assert health.slowest < HEALTHZ_BOUND_SECONDS, (health.slowest, health.asked)


def _owner(serve):
    """The owner name of the test token, as web/auth.py's owner() makes it."""
    return "token:" + hashlib.sha256(serve.token.encode()).hexdigest()[:24]


def test_a_token_keeps_at_most_its_quota_of_documents(serve):
    ids = [requests.post(serve.url + "/extract", headers=serve.auth, timeout=60,
                         json={"text": f"Document number {n} says the quay opens in {2030 + n}."}
                         ).json()["document_id"] for n in range(5)]
    digest = documents.owner_digest(_owner(serve))
    kept = [found for found in ids if serve.redis.exists(keys.document(digest, found))]
    assert kept == ids[-3:]  # SUMMARIZER_KEPT_DOCUMENTS=3: the two least recently used went
    gone = requests.post(serve.url + "/extract", headers=serve.auth, json={"document_id": ids[0]},
                         timeout=60)
    assert gone.status_code == 404 and gone.json()["error"]["code"] == "document_expired"


def test_the_embedded_redis_has_a_maxmemory_that_never_evicts_queue_state(serve):
    config = {_text(k): _text(v) for k, v in serve.redis.config_get("maxmemory*").items()}
    assert int(config["maxmemory"]) == 512 * 2**20
    assert config["maxmemory-policy"] == "noeviction"


def _text(value):
    return value.decode() if isinstance(value, bytes) else value


def test_a_document_id_of_megabytes_is_not_echoed(serve):
    response = requests.post(serve.url + "/extract", headers=serve.auth, timeout=60,
                             json={"document_id": "a" * 5_000_000})
    assert response.status_code == 404
    assert len(response.content) < 2000, len(response.content)


def test_stored_documents_are_compressed_json():
    """What keep() writes is what load() reads back (the format of the Redis key)."""
    from summarizer.document import Block, Document

    document = Document("T", [Block("x" * 100, {"paragraph": i, "heading": "h" * 200})
                              for i in range(50)])
    _id, stored, text_bytes = documents._packed(document, "o")
    assert len(stored) < text_bytes and documents._unpacked(stored)["owner"] == "o"
    assert zlib.decompress(stored).startswith(b"{")


def test_a_cue_of_45_mb_on_one_line_is_too_large_at_once(serve):
    data = b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n" + b"word " * 9_000_000
    began = time.monotonic()
    with Healthz(serve.url) as health:
        response = upload(serve, "one-line.vtt", data)
    took = time.monotonic() - began
    print(f"45 MB one-line cue: {response.status_code} in {took:.1f} s")
    assert response.status_code == 413, response.text[:300]
    assert response.json()["error"]["code"] == "too_large"
    assert health.slowest < HEALTHZ_BOUND_SECONDS, (health.slowest, health.asked)


def api_descriptors(serve):
    """Open descriptors of the gunicorn processes under `serve`."""
    import psutil

    processes = psutil.Process(serve.process.pid).children(recursive=True)
    return sum(p.num_fds() for p in processes if "gunicorn" in " ".join(p.cmdline()))


def quiet_job(serve):
    """A job of the test token, queued where no worker takes it, with one event: its stream stays
    open (heartbeats) until the client leaves."""
    from rq import Queue
    from rq.serializers import JSONSerializer

    from summarizer.queue import tasks
    from summarizer.queue.events import EventLog

    job = Queue("hostile-no-worker", connection=serve.redis, serializer=JSONSerializer).enqueue(
        tasks.SINGLE_JOB, {"never": "run"}, meta={"owner": _owner(serve)})
    EventLog(serve.redis, job.id, 600).append("status", {"status": "queued"})
    return job


def test_streams_per_client_are_capped_and_closed_ones_let_go(serve):
    job = quiet_job(serve)
    requests.get(serve.url + "/healthz", timeout=30)
    before = (api_descriptors(serve), serve.redis.info("clients")["connected_clients"])
    opened = []
    try:
        for _ in range(3 * STREAMS):
            response = requests.get(f"{serve.url}/jobs/{job.id}/events", headers=serve.auth,
                                    stream=True, timeout=30)
            opened.append(response)
        statuses = [r.status_code for r in opened]
        refused = opened[-1].json()["error"]["code"] if statuses[-1] == 429 else None
        during = (api_descriptors(serve), serve.redis.info("clients")["connected_clients"])
    finally:
        for response in opened:
            response.close()
    assert statuses.count(200) == STREAMS and statuses.count(429) == 2 * STREAMS, statuses
    assert refused == "too_many_streams"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # a closed stream is noticed at its next heartbeat (1 s)
        after = (api_descriptors(serve), serve.redis.info("clients")["connected_clients"])
        if after[0] - before[0] < STREAMS / 4 and after[1] - before[1] < STREAMS / 4:
            break
        time.sleep(0.5)
    job.delete()
    print(f"{3 * STREAMS} streams asked: descriptors, Redis clients {before} -> {during} -> {after}")
    # What stays is the process's pool grown by the burst of requests (up to 2 here), not one
    # connection per stream that was open (before: every one of them stayed), nor one per stream
    # that closed at the same moment as others (uncounted on the process's pool, 5 of 12 runs
    # kept 13 to 16 there).
    assert after[0] - before[0] < STREAMS / 4 and after[1] - before[1] < STREAMS / 4, (before, during, after)
