"""The Word add-in's task pane in real headless Chromium against the real server.

Word itself cannot run here (it needs Windows, a Mac, or Microsoft 365 on the web with an account).
The pane talks to the real server (`live_server`: gunicorn, Redis, one worker with the real
model), but Office.js is replaced by tests/office_double.js, a test double that stands in for
Word: it hands the pane a real .docx from ../shared/corpus/docx in slices, a selection and
settings, and records what the pane inserted. Nothing here proves the pane works in real Word; it
proves the pane does the right things with the documented Office.js API.
"""

import hashlib
import json
import random
import re
import socket
import struct
import time
import zlib
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
import requests

import browser
from summarizer.config import Settings
from test_extension import FED_EVENTS, FEED, SCREENSHOTS, assert_statuses_shown, long_page

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
MAX_SLICE = 4 * 1024 * 1024  # Office's documented slice limit, which the double enforces

# Every test drives Chromium against `live_server`, which runs a worker with the real model.
pytestmark = [pytest.mark.browser, pytest.mark.model]

DOC_URL = "https://office-double.invalid/document.docx"
OFFICE_JS = "https://appsforoffice.microsoft.com/**"
DONE_OR_ERROR = "body[data-state=done], body[data-state=error], body[data-state=idle]"


def corpus_docx(predicate):
    """(name, bytes) of the corpus .docx files the manifest describes, filtered; or skip."""
    manifest = CORPUS / "docx" / "manifest.jsonl"
    if not manifest.is_file():
        pytest.skip(f"{manifest} is absent: the .docx corpus lives in ../shared")
    entries = [json.loads(line) for line in manifest.read_text().splitlines() if line.strip()]
    chosen = [e for e in entries if e["file"].endswith(".docx") and predicate(e)]
    if not chosen:
        pytest.skip("no corpus .docx fits this test")
    return chosen


def readable_docx():
    """A real, readable document with a page or so of text and many KB (so: many slices)."""
    fits = corpus_docx(lambda e: e["status"] == "ok" and 1000 <= e.get("approx_text_chars_main_part", 0) <= 4000)
    best = max(fits, key=lambda e: e["bytes"])
    return (CORPUS / "docx" / best["file"]).read_bytes()


def noise_png(side):
    """An incompressible RGB PNG (stored zlib), to push a real .docx over Office's slice limit."""
    rng = random.Random(side)
    raw = b"".join(b"\0" + rng.randbytes(side * 3) for _ in range(side))
    chunk = lambda kind, data: struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 0)) + chunk(b"IEND", b"")


def docx_with(tmp_path, base, *, picture=None, paragraphs=()):
    """The base .docx re-saved by python-docx with an added picture and/or paragraphs."""
    import docx

    source = tmp_path / "base.docx"
    source.write_bytes(base)
    document = docx.Document(str(source))
    if picture:
        (tmp_path / "noise.png").write_bytes(picture)
        document.add_picture(str(tmp_path / "noise.png"))
    for text in paragraphs:
        document.add_paragraph(text)
    document.save(str(tmp_path / "out.docx"))
    return (tmp_path / "out.docx").read_bytes()


@pytest.fixture(scope="module")
def chromium():
    """A fresh headless Chromium context from tests/browser.py (the shared launcher), or skip."""
    import browser

    reason = browser.skip_reason()
    if reason:
        pytest.skip(reason)
    with browser.launch() as context:
        yield context


class Pane:
    """The task pane in a Chromium page, Office.js replaced by the double."""

    def __init__(self, page, server):
        self.page, self.server = page, server
        self.requests, self.responses = [], []
        page.on("request", lambda request: self.requests.append(request))
        page.on("response", lambda response: self.responses.append(response))

    def open(self, *, document=None, token=None, server_url=None, base=None, **double):
        double_js = (REPO / "tests" / "office_double.js").read_text()
        self.page.route(OFFICE_JS, lambda route: route.fulfill(body=double_js, content_type="text/javascript"))
        if document is not None:
            cors = {"Access-Control-Allow-Origin": "*"}
            self.page.route(DOC_URL, lambda route: route.fulfill(body=document, headers=cors))
            double["documentUrl"] = DOC_URL
        self.page.add_init_script(f"window.__officeDoubleConfig = {json.dumps(double)};")
        self.page.goto(f"{base or self.server.url}/addin/taskpane.html")
        self.page.wait_for_selector("body[data-state=idle]")
        self.page.click("#settings summary")  # as a user does: open Settings, fill, save
        self.page.fill("#token", self.server.token if token is None else token)
        # Always set: the browser profile (localStorage) outlives one test's page.
        self.page.fill("#server-url", server_url or self.server.url)
        self.page.click("#save-settings")
        self.page.wait_for_selector("#settings-status:has-text('Saved')")
        return self

    def run(self, button, timeout=240_000):
        self.page.click(button)
        self.page.wait_for_selector(DONE_OR_ERROR, timeout=timeout)
        return self.page.get_attribute("body", "data-state")

    def double(self, expression="record"):
        return self.page.evaluate(f"JSON.parse(JSON.stringify(window.__officeDouble.{expression}))")

    def summary_items(self):
        # The items themselves; a "Where this comes from" list of sources is not part of the summary.
        return self.page.eval_on_selector_all("#summary > ul > li, #summary > ol:not(.sources) > li, #summary > p",
                                              "els => els.map(e => e.textContent)")

    def uploaded_file(self):
        """The bytes of the `file` part the pane POSTed to /summarize."""
        post = next(r for r in self.requests if r.method == "POST" and r.url.endswith("/summarize"))
        head = f"Content-Type: {post.headers['content-type']}\r\n\r\n".encode()
        message = BytesParser(policy=policy.default).parsebytes(head + post.post_data_buffer)
        return next(p.get_payload(decode=True) for p in message.iter_parts() if p.get_filename())

    def status_of(self, path_end):
        return [r.status for r in self.responses if r.url.endswith(path_end)]


@pytest.fixture
def pane(chromium, live_server):
    page = chromium.new_page()
    yield Pane(page, live_server)
    page.close()


def assert_file_read_and_closed(record, expected_slices):
    assert record["slicesRead"] == list(range(expected_slices))
    assert record["maxOpenFiles"] == 1 and record["openFiles"] == 0 and record["closeCalls"] == 1


def test_document_read_in_many_slices_is_summarized_and_inserted_at_the_top(pane):
    document = readable_docx()
    pane.open(document=document, sliceBytes=4096)
    assert pane.run("#summarize-document") == "done", pane.page.inner_text("#error")
    assert_file_read_and_closed(pane.double(), -(-len(document) // 4096))
    assert pane.uploaded_file() == document  # reassembled byte for byte from many slices
    items = pane.summary_items()
    assert items and all(items)
    pane.page.select_option("#insert-where", "top")
    pane.page.click("#insert")
    pane.page.wait_for_selector("#status:has-text('Inserted')")
    paragraphs = pane.double("paragraphs()")
    assert [p["text"] for p in paragraphs[: len(items)]] == items
    assert {p["list"] for p in paragraphs[: len(items)]} != {None}  # key points became a list
    assert paragraphs[len(items)]["text"] == "Title"


def test_document_over_the_slice_limit_is_read_in_4mb_slices(pane, tmp_path):
    document = docx_with(tmp_path, readable_docx(), picture=noise_png(1300))
    assert len(document) > MAX_SLICE
    pane.open(document=document)
    assert pane.run("#summarize-document") == "done", pane.page.inner_text("#error")
    record = pane.double()
    assert record["getFileCalls"] == [{"fileType": "compressed", "sliceSize": MAX_SLICE}]
    assert_file_read_and_closed(record, -(-len(document) // MAX_SLICE))
    assert hashlib.sha256(pane.uploaded_file()).digest() == hashlib.sha256(document).digest()


def selection_text():
    path = CORPUS / "summarization" / "frank_cnndm_test.jsonl"
    if not path.is_file():
        pytest.skip(f"{path} is absent: the summarization corpus lives in ../shared")
    return json.loads(path.open().readline())["text"][:3000]


def test_selection_only_is_sent_as_text_and_inserted_at_the_cursor(pane):
    text = selection_text()
    pane.open(selection=text)
    pane.page.select_option("#option-type", "tldr")
    pane.page.select_option("#language", "en")
    assert pane.run("#summarize-selection") == "done", pane.page.inner_text("#error")
    post = next(r for r in pane.requests if r.method == "POST")
    body = dict(post.post_data_json)
    # depth: the server's default as GET /options offered it (the test server's: thorough), or
    # none when the pane was faster than /options (the server applies its default then)
    assert body.pop("depth", "thorough") == "thorough"
    assert body == {"text": text, "type": "tldr", "length": "short", "format": "markdown",
                    "output_language": "en"}
    assert pane.double()["getFileCalls"] == []  # the document itself was not read
    items = pane.summary_items()
    pane.page.click("#insert")  # at the cursor by default
    pane.page.wait_for_selector("#status:has-text('Inserted')")
    texts = [p["text"] for p in pane.double("paragraphs()")]
    cursor = texts.index("The cursor is in this paragraph.")
    assert texts[cursor + 1 : cursor + 1 + len(items)] == items
    saved = pane.double()["savedSettings"]
    assert saved["summaryOptions"]["type"] == "tldr" and pane.server.token not in json.dumps(saved)


@pytest.fixture
def busy_worker(live_server):
    """Keep the one worker busy with a long transcript, so the next job waits in the queue."""
    path = CORPUS / "summarization" / "qmsum_val.jsonl"
    if not path.is_file():
        pytest.skip(f"{path} is absent: the summarization corpus lives in ../shared")
    text = json.loads(path.open().readline())["text"][:30000]
    response = requests.post(f"{live_server.url}/summarize", json={"text": text, "length": "long", "cache": False},
                             headers=live_server.auth, timeout=60)
    assert response.status_code == 202, response.text
    job_id = response.json()["job_id"]
    yield job_id
    requests.delete(f"{live_server.url}/jobs/{job_id}", headers=live_server.auth, timeout=10)


def job_status(server, job_id, settle=("canceled", "finished", "failed"), timeout=30):
    """The job's status once it is one of `settle` (or whatever it is after `timeout`)."""
    deadline, status = time.monotonic() + timeout, None
    while time.monotonic() < deadline and status not in settle:
        status = requests.get(f"{server.url}/jobs/{job_id}", headers=server.auth, timeout=10).json()["status"]
        time.sleep(0.2)
    return status


def test_stop_cancels_the_job_on_the_server(pane, busy_worker):
    pane.open(document=readable_docx())
    # Options no other test uses: a cached result would come back at once, with nothing to stop.
    pane.page.select_option("#option-type", "headline")
    pane.page.select_option("#option-length", "long")
    pane.page.click("#summarize-document")
    pane.page.wait_for_selector("body[data-job-id]")  # the server has the job: Stop can reach it
    job_id = pane.page.get_attribute("body", "data-job-id")
    # Behind the busy worker's job; the pane says so once the stream's first event is in.
    pane.page.wait_for_function("document.getElementById('status').innerText.toLowerCase().includes('queue')",
                                timeout=10000)
    pane.page.click("#stop")
    pane.page.wait_for_selector("body[data-state=stopped]")
    assert job_status(pane.server, job_id) == "canceled"
    assert [r.url for r in pane.requests if r.method == "DELETE"] == [f"{pane.server.url}/jobs/{job_id}"]
    assert pane.page.is_hidden("#error") and pane.page.inner_text("#status") == "Stopped."


def test_empty_selection_is_an_error_and_sends_nothing(pane):
    pane.open(selection="  ")
    assert pane.run("#summarize-selection") == "error"
    assert "Select some text" in pane.page.inner_text("#error")
    assert not [r for r in pane.requests if r.method == "POST"]


def test_server_down_shows_an_error_not_a_summary(pane):
    with socket.socket() as sock:  # a port that was just free: nothing listens there
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    pane.open(selection="Some text to summarize.", server_url=f"http://127.0.0.1:{port}")
    assert pane.run("#summarize-selection") == "error"
    assert "Server not reachable" in pane.page.inner_text("#error-message")
    assert "Settings" in pane.page.inner_text("#error-hint")
    assert pane.page.inner_text("#summary") == ""


def test_unreadable_document_shows_the_servers_422(pane):
    broken = corpus_docx(lambda e: e["status"].startswith("malformed: not a valid zip"))[0]
    pane.open(document=(CORPUS / "docx" / broken["file"]).read_bytes())
    assert pane.run("#summarize-document") == "error"
    assert pane.status_of("/summarize") == [422]
    assert pane.page.is_visible("#error") and pane.page.inner_text("#summary") == ""
    assert pane.double()["openFiles"] == 0


def test_too_much_text_shows_the_servers_413(pane, tmp_path):
    limit = Settings.from_env().max_chars
    rng = random.Random(413)
    words = ["alpha", "budget", "council", "delta", "energy", "forest", "growth", "harbour", "island"]
    paragraph = lambda: " ".join(rng.choice(words) for _ in range(1500))
    count = limit // len(paragraph()) + 20
    document = docx_with(tmp_path, readable_docx(), paragraphs=[paragraph() for _ in range(count)])
    pane.open(document=document)
    assert pane.run("#summarize-document") == "error"
    assert pane.status_of("/summarize") == [413]
    assert pane.page.is_visible("#error") and pane.page.inner_text("#summary") == ""


def test_wrong_token_shows_the_servers_401(pane):
    pane.open(selection="Some text to summarize.", token="not-the-token")
    assert pane.run("#summarize-selection") == "error"
    assert pane.status_of("/summarize") == [401]
    assert "token" in pane.page.inner_text("#error").lower()


SUMMARIES = [  # (model output, type) -> what the pane shows and Word receives
    ("- **One** point\n- Two `code`\n\n", "key-points", {"kind": "list", "items": ["One point", "Two code"]}),
    ("1. First\n2) Second", "tldr", {"kind": "list", "items": ["First", "Second"]}),
    ("## Heading\nKey text", "key-points", {"kind": "list", "items": ["Heading", "Key text"]}),
    ("A paragraph\nwrapped.\n\nSecond one.", "tldr",
     {"kind": "paragraphs", "items": ["A paragraph wrapped.", "Second one."]}),
    ("snake_case_name and *emph*", "teaser", {"kind": "paragraphs", "items": ["snake_case_name and emph"]}),
]


def test_markdown_summary_becomes_a_list_or_paragraphs(pane):
    pane.open()
    got = pane.page.evaluate(
        "async (cases) => { const { parseSummary } = await import('./lib/markdown.js');"
        " return cases.map(([text, type]) => parseSummary(text, type)); }",
        [[text, kind] for text, kind, _ in SUMMARIES],
    )
    assert got == [expected for _, _, expected in SUMMARIES]


def test_event_parser_skips_heartbeats_and_waits_for_whole_events(pane):
    """The pane parses events with the extension's own parser (lib/sse.js, served at /addin/lib/)."""
    pane.open()
    chunks = [': heartbeat\r\n\r\nid: 1-0\r\nevent: token\r\ndata: {"text":"a\\nb"}\r\n\r\nid: 2-0\nevent: do',
              'ne\ndata: {"summary":"x"}\n\n']
    events, comments = pane.page.evaluate(
        "async (chunks) => { const { SseParser } = await import('./lib/sse.js');"
        " const comments = []; const parser = new SseParser({ onComment: (c) => comments.push(c) });"
        " return [chunks.map((chunk) => parser.push(chunk)), comments]; }",
        chunks,
    )
    assert events == [[{"id": "1-0", "event": "token", "data": '{"text":"a\\nb"}'}],
                      [{"id": "2-0", "event": "done", "data": '{"summary":"x"}'}]]
    assert comments == ["heartbeat"]


def test_insert_is_hidden_until_there_is_a_summary(pane):
    """Issue 17.2: `.actions {display: flex}` beat `hidden`, so Insert showed before any summary
    and clicking it failed with a raw TypeError."""
    pane.open(selection=selection_text())
    assert pane.page.is_hidden("#insert")
    assert pane.run("#summarize-selection") == "done", pane.page.inner_text("#error")
    assert pane.page.is_visible("#insert")


def test_no_raw_javascript_error_reaches_the_user(pane):
    """Issue 17.2: the pane showed "Cannot read properties of null (reading 'items')". Whatever
    fails inside, the user reads what happened and what to do, never a JavaScript message."""
    pane.open(selection=selection_text())
    assert pane.run("#summarize-selection") == "done", pane.page.inner_text("#error")
    pane.page.evaluate("() => { window.Word.run = async () => { null.items; }; }")  # Word fails inside Insert
    pane.page.click("#insert")
    pane.page.wait_for_selector("#error", state="visible")
    shown = pane.page.inner_text("#error")
    assert "Cannot read properties" not in shown and "null" not in shown, shown
    assert pane.page.inner_text("#error-hint").strip()
    pane.page.set_viewport_size({"width": 400, "height": 800})
    pane.page.screenshot(path=str(SCREENSHOTS / "word-pane-error.png"))


RECORD_STATUS = """window.addEventListener('DOMContentLoaded', () => {
    window.__statuses = [];
    const status = document.getElementById('status');
    new MutationObserver(() => window.__statuses.push([status.textContent,
            document.getElementById('progress').hidden ? null : document.getElementById('progress').max]))
        .observe(status, { childList: true, characterData: true, subtree: true });
});"""


def test_progress_reads_as_in_the_extension(pane):
    """Issue 17.2: the pane showed raw counts ("reading 264/1175") where the extension showed a
    percentage and a bar. Both now use lib/view.js's words and a 0-100 bar."""
    pane.page.add_init_script(RECORD_STATUS)
    pane.open(document=readable_docx())
    assert pane.run("#summarize-document") == "done", pane.page.inner_text("#error")
    statuses = pane.page.evaluate("window.__statuses")
    texts = [text for text, _ in statuses]
    raw = [t for t in texts if re.search(r"\d+/\d+", t)]
    assert not raw, raw
    progress = [(t, bar) for t, bar in statuses if re.fullmatch(r"(Reading the text…|Combining the parts…) \d+%", t)
                or t.startswith("Summarizing part")]
    assert progress, texts
    assert all(bar == 100 for _, bar in progress), progress


def test_server_url_is_read_by_the_extensions_rule(pane):
    """The pane takes lib/settings.js's normalizeServerUrl: a bare host:port gets http://, and
    what is no http(s) address is refused with a message instead of being saved."""
    pane.open()
    pane.page.fill("#server-url", " 127.0.0.1:8000// ")
    pane.page.click("#save-settings")
    pane.page.wait_for_selector("#settings-status:has-text('Saved')")
    assert pane.page.input_value("#server-url") == "http://127.0.0.1:8000"
    for refused in ("ftp://example.org", "http://"):
        pane.page.evaluate("document.getElementById('settings-status').textContent = ''")
        pane.page.fill("#server-url", refused)
        pane.page.click("#save-settings")
        pane.page.wait_for_selector("#settings-status:has-text('server address')")
        assert "Saved" not in pane.page.text_content("#settings-status")


def test_citation_statuses_are_shown_distinctly_in_the_pane(pane):
    """Every status's look at once, fed as events to the pane's real summary view (the shared
    lib/view.js with the pane's CSS) in the pane itself; the live server's replaced and unverified
    items reach that view as test_extension.py's live test shows in the panel."""
    pane.open()
    pane.page.set_viewport_size({"width": 400, "height": 800})
    pane.page.evaluate(FEED % "./lib/view.js", [FED_EVENTS[:1], "document"])
    pane.page.screenshot(path=str(SCREENSHOTS / "word-pane-preview.png"))
    seen = pane.page.evaluate(FEED % "./lib/view.js", [FED_EVENTS, "document"])
    pane.page.screenshot(path=str(SCREENSHOTS / "word-pane-labels.png"))
    assert_statuses_shown(seen, "document")


def test_a_server_away_for_seconds_is_waited_for_and_resumed(pane):
    """Issue 17.3 in the pane, which now shares the extension's resume policy: the stream is cut
    and the server refuses connections for 3 s; the pane says it reconnects and resumes with
    Last-Event-ID instead of failing."""
    proxy = browser.FlakyProxy(int(pane.server.url.rsplit(":", 1)[1]))
    try:
        pane.page.add_init_script(RECORD_STATUS)
        text = re.sub(r"<[^>]+>", "\n", long_page(40))
        pane.open(selection=text, base=proxy.url, server_url=proxy.url)
        pane.page.click("#summarize-selection")
        pane.page.wait_for_selector("body[data-job-id]", timeout=60_000)
        job_id = pane.page.get_attribute("body", "data-job-id")
        deadline = time.monotonic() + 60
        while not proxy.received(b"\n: keep-alive\n\n") and time.monotonic() < deadline:
            time.sleep(0.1)
        cut = time.monotonic()
        proxy.refuse(3)
        deadline = cut + 40
        while not proxy.sent(f"GET /jobs/{job_id}/events".encode(), cut) and time.monotonic() < deadline:
            time.sleep(0.05)
        resumed = proxy.sent(f"GET /jobs/{job_id}/events".encode(), cut)
        # A bound for the behaviour (the old pane never came back), with room for a loaded machine.
        assert resumed and resumed - cut <= 3 + 9, pane.page.evaluate("window.__statuses")
        assert proxy.sent(b"Last-Event-ID:", cut)
        assert any("reconnecting" in t for t, _ in pane.page.evaluate("window.__statuses"))
        pane.page.wait_for_function("!/reconnect/i.test(document.getElementById('status').textContent)"
                                    " && document.body.dataset.state === 'running'", timeout=60_000)
        pane.page.click("#stop")
    finally:
        proxy.close()


def test_summarize_changes_sends_the_whole_file_and_shows_the_changes_by_author(pane):
    from tests import review_files

    document = review_files.contract()
    pane.open(document=document, sliceBytes=4096)
    assert pane.run("#summarize-changes") == "done", pane.page.inner_text("#error")
    assert pane.uploaded_file() == document  # the file with its revision marks, not the text
    post = next(r for r in pane.requests if r.method == "POST" and r.url.endswith("/summarize"))
    head = f"Content-Type: {post.headers['content-type']}\r\n\r\n".encode()
    message = BytesParser(policy=policy.default).parsebytes(head + post.post_data_buffer)
    fields = {p.get_param("name", header="content-disposition"): p.get_content()
              for p in message.iter_parts() if not p.get_filename()}
    assert fields["focus"] == "changes"
    shown = pane.page.inner_text("#summary")
    assert any(name in shown for name in ("Alice Moreau", "Bob Lind", "Carol Diaz")), shown
    pane.page.screenshot(path=str(SCREENSHOTS / "word-pane-changes.png"))
