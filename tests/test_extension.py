"""The browser extension in a real chromium against the real service (`live_server`).

The toolbar click is the real one: CDP `Extensions.triggerAction` runs the extension's action for
a tab exactly as a click does (activeTab grant, `action.onClicked`, side panel opened), and the
test then reads the real side panel through `tests/browser.py`. Pages are served by the test on
`localhost` while the API is on `127.0.0.1`, so the click's activeTab grant never covers the API
and the calls rely on the server's CORS setting, as they do for a user.
"""

import html
import http.server
import json
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest
import requests

import browser  # tests/browser.py (pytest puts tests/ on sys.path)

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
EXT_DIR = REPO / "extension" / "browser"
SCREENSHOTS = EXT_DIR / "screenshots"
PANEL = "panel/panel.html"
WEB_EXT = EXT_DIR / "node_modules" / ".bin" / "web-ext"
LINT_IGNORE = ["node_modules", "package.json", "package-lock.json", "screenshots", "icons/icon.svg"]

ARTICLE = """<!DOCTYPE html><html lang="en"><head><title>How Lisbon rebuilt its harbour</title>
<style>p { margin: 1.2em 0; }</style><script>window.tracking = true;</script></head><body><article>
<h1>How Lisbon rebuilt its harbour</h1>
<p>On the morning of 1 November 1755 an earthquake, a tsunami and a fire destroyed most of
Lisbon, the capital of Portugal, and killed tens of thousands of its people.</p>
<p>The chief minister, the Marquis of Pombal, ordered the city centre rebuilt on a grid of wide
streets, with the harbour front opened up as a great square facing the river Tagus.</p>
<p>Engineers designed the gaiola, a cage of wooden beams inside the masonry walls, so that the
new buildings would flex in an earthquake instead of collapsing.</p>
<p>Soldiers marched around model buildings to test the cages, one of the first recorded
earthquake tests of a building design.</p>
<p id="selected">The rebuilt district, called the Baixa Pombalina, still stands today and is
among the earliest examples of earthquake-resistant construction in Europe.</p>
</article></body></html>"""


def long_page(paragraphs=60):
    """A long article, so that the job is still running when the test presses Stop."""
    body = "".join(
        f"<p>Section {i}: the committee examined harbour wall number {i}, measured its stones, "
        f"counted {i * 7} broken beams and recommended that crews repair it before winter {1756 + i % 9}.</p>"
        for i in range(paragraphs)
    )
    return f"<!DOCTYPE html><html><head><title>Harbour survey</title></head><body>{body}</body></html>"


def make_pdf(lines):
    """A one-page PDF with `lines` of Helvetica text, written by hand (no PDF library needed)."""
    esc = lambda s: s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")  # noqa: E731
    stream = "BT /F1 11 Tf 72 740 Td 15 TL " + " ".join(f"({esc(line)}) '" for line in lines) + " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = "%PDF-1.4\n", []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n"
    out += "".join(f"{offset:010d} 00000 n \n" for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    return out.encode("latin-1")


PDF_LINES = [
    "Annual report of the Lisbon harbour authority.",
    "The authority rebuilt the northern quay in wood and stone after the storm of March.",
    "Ships now wait two days less for a berth than they did the year before.",
    "The authority plans to dredge the channel so that larger ships can enter at low tide.",
    "Costs rose by a tenth, paid for by a new fee on cargo landed at night.",
]
TRICKY = """<!DOCTYPE html><html><head><title>Markup in the way</title></head><body>
<p>An unrelated first paragraph about the weather in Porto.</p>
<p id="passage">The <b>gaiola</b>, a \u201ccage\u201d of wooden
   beams, was tested by <a href="#">marching soldiers</a>.</p>
<p id="third">A third paragraph that no quote matches.</p></body></html>"""
# UTF-8 without any declared charset, served as plain "text/html" as Python's http.server does:
# browsers fall back to windows-1252 and show "cafÃ©" (issue 17.4).
NO_CHARSET = """<!DOCTYPE html><html><head><title>The café on the quay</title></head><body><article>
<p>The Café Zürich opened on the quay of Lisbon in 1922, serving coffee to the crews of the ships
that crowded the harbour every morning.</p>
<p>Its owner, a naïve young baker from Porto, called it “the smallest café in Europe” because it
had only three tables — and a counter so narrow that two customers could not pass.</p>
<p>During the war the café became a meeting place for refugees waiting for a ship to America, who
paid for their coffee with whatever they still owned.</p>
<p>Today the building is a museum, and the three tables stand where they stood in 1922.</p>
</article></body></html>"""
PAGES = {
    "/tricky.html": ("text/html; charset=utf-8", TRICKY.encode()),
    "/nocharset.html": ("text/html", NO_CHARSET.encode("utf-8")),
    "/article.html": ("text/html; charset=utf-8", ARTICLE.encode()),
    # Only the preview test reads this one: an earlier test's cached result would replay the whole
    # stream at once, and a replay says nothing about when a preview comes.
    "/fresh.html": ("text/html; charset=utf-8", ARTICLE.replace(
        "</article>", "<p>The square was renamed Praça do Comércio after the trade it was built for.</p></article>").encode()),
    "/long.html": ("text/html; charset=utf-8", long_page().encode()),
    "/report.pdf": ("application/pdf", make_pdf(PDF_LINES)),
}


class _PageHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's naming)
        content_type, body = PAGES.get(self.path.split("?")[0], ("text/plain", b""))
        self.send_response(200 if body else 404)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass  # keep pytest's output for failures


@pytest.fixture(scope="module")
def pages():
    """Base URL of the test pages, on `localhost` (a different host from the API's 127.0.0.1)."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _PageHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://localhost:{server.server_address[1]}"
    server.shutdown()


class Extension:
    """The browser with the extension loaded; `server` is set once it is configured for one."""

    def __init__(self, context):
        self.context, self.server = context, None
        self.id = browser.extension_id(context)
        self.worker = context.service_workers[0]
        self.tab = context.pages[0] if context.pages else context.new_page()

    def configure(self, **settings):
        """Write extension settings (as the options page's Save does)."""
        self.worker.evaluate("(s) => chrome.storage.local.set(s)", settings)

    def panel(self, timeout):
        return browser.attach(self.context, f"chrome-extension://{self.id}/{PANEL}", timeout=timeout)

    def click(self):
        """Click the toolbar button on the tab; return the side panel once it took this click."""
        try:
            before = self.panel(timeout=0).evaluate("document.body.dataset.request || ''")
        except TimeoutError:
            before = ""  # no panel open yet
        clicked = time.monotonic()
        browser.trigger_action(self.context, self.tab, self.id)
        panel = self.panel(timeout=20)
        # Each click's request carries a fresh nonce, which the panel shows when it starts the run.
        panel.wait_for(f"document.body.dataset.request && document.body.dataset.request !== {before!r}", 20)
        return panel, clicked

    def job(self, job_id):
        response = requests.get(f"{self.server.url}/jobs/{job_id}", headers=self.server.auth, timeout=10)
        response.raise_for_status()
        return response.json()


@pytest.fixture(scope="module")
def chromium():
    """Chromium with the unpacked extension loaded (no server needed yet)."""
    reason = browser.skip_reason()
    if reason:
        pytest.skip(reason)
    with browser.launch(EXT_DIR) as context:
        yield Extension(context)


@pytest.fixture
def extension(chromium, live_server):
    """The extension configured for the real service."""
    if chromium.server is None:
        _require_cors(live_server)
        chromium.server = live_server
        chromium.configure(serverUrl=live_server.url, token=live_server.token,
                           options={"type": "key-points", "length": "short"}, outputLanguage="")
    return chromium


def _require_cors(server):
    """The extension calls the API from its own origin: the server must allow it (CORS)."""
    preflight = requests.options(f"{server.url}/summarize", timeout=10, headers={
        "Origin": "chrome-extension://iilgffjefigjlfpfhpehbchgiefkknjh",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type",
    })
    if "Access-Control-Allow-Origin" not in preflight.headers:
        pytest.fail("live_server does not allow the extension's origin: start it with "
                    "SUMMARIZER_CORS_ORIGINS='chrome-extension://*'")


def wait_done(panel, timeout=120):
    """Wait for the panel's run to end; return its outcome and fail with the error shown, if any."""
    outcome = panel.wait_for("document.body.dataset.outcome", timeout)
    if outcome == "error":
        pytest.fail("panel shows an error: " + panel.evaluate("document.getElementById('error').innerText"))
    return outcome


def wait_job(panel, timeout=60):
    """Wait until the server named the job (its `status` event); fail with the panel's error if any."""
    panel.wait_for("document.body.dataset.jobId || document.body.dataset.outcome", timeout)
    if panel.evaluate("document.body.dataset.outcome") == "error":
        pytest.fail("panel shows an error: " + panel.evaluate("document.getElementById('error').innerText"))
    return panel.evaluate("document.body.dataset.jobId")


def text_of(panel, element_id):
    return panel.evaluate(f"document.getElementById('{element_id}').innerText")


def screenshot(panel, name):
    SCREENSHOTS.mkdir(exist_ok=True)
    panel.screenshot(str(SCREENSHOTS / name))


@pytest.mark.browser
@pytest.mark.model
def test_toolbar_click_streams_summary_into_panel(extension, pages, record_property):
    extension.tab.goto(f"{pages}/article.html")
    panel, clicked = extension.click()
    panel.wait_for("document.body.dataset.firstTokenMs", 120)
    first_token_s = time.monotonic() - clicked
    assert wait_done(panel) == "done"
    record_property("click_to_first_token_s", round(first_token_s, 3))

    assert int(panel.evaluate("document.body.dataset.tokens")) >= 2, "the summary did not stream"
    assert text_of(panel, "summary").strip()
    assert text_of(panel, "source") == "How Lisbon rebuilt its harbour"
    assert panel.evaluate("document.getElementById('error').hidden")
    assert extension.job(panel.evaluate("document.body.dataset.jobId"))["status"] == "finished"
    screenshot(panel, "panel-summary.png")


@pytest.mark.browser
@pytest.mark.model
def test_selection_is_summarized_instead_of_page(extension, pages):
    extension.tab.goto(f"{pages}/article.html")
    extension.tab.evaluate("""() => {
        const range = document.createRange();
        range.selectNodeContents(document.getElementById('selected'));
        getSelection().removeAllRanges();
        getSelection().addRange(range);
    }""")
    panel, _ = extension.click()
    assert wait_done(panel) == "done"
    assert text_of(panel, "source").startswith("Selected text (")
    assert text_of(panel, "summary").strip()


@pytest.mark.browser
@pytest.mark.model
def test_pdf_tab_is_uploaded_and_summarized(extension, pages):
    extension.tab.goto(f"{pages}/report.pdf")
    panel, _ = extension.click()
    assert wait_done(panel) == "done"
    assert text_of(panel, "source") == "PDF: report.pdf"
    assert text_of(panel, "summary").strip()
    screenshot(panel, "panel-pdf.png")


@pytest.mark.browser
@pytest.mark.model
def test_long_page_shows_parts_and_stop_cancels_the_server_job(extension, pages):
    extension.tab.goto(f"{pages}/long.html")
    panel, _ = extension.click()
    job_id = wait_job(panel)
    # A long page is split into parts; the panel says which part is being summarized.
    status = panel.wait_for("/Summarizing part \\d+ of \\d+/.test(document.getElementById('status-text').textContent)"
                            " && document.getElementById('status-text').textContent", 60)
    assert int(status.split(" of ")[1].split()[0]) > 1
    screenshot(panel, "panel-progress.png")
    panel.evaluate("document.getElementById('stop').click()")
    assert panel.wait_for("document.body.dataset.outcome", 30) == "stopped"
    assert "cancelled" in text_of(panel, "status")
    assert extension.job(job_id)["status"] == "canceled"


@pytest.mark.browser
@pytest.mark.model
def test_closing_the_panel_cancels_the_server_job(extension, pages):
    extension.tab.goto(f"{pages}/long.html")
    panel, _ = extension.click()
    job_id = wait_job(panel)
    panel.close()
    deadline = time.monotonic() + 15
    while extension.job(job_id)["status"] not in ("canceled", "finished", "failed") and time.monotonic() < deadline:
        time.sleep(0.2)
    assert extension.job(job_id)["status"] == "canceled"


@pytest.mark.browser
def test_wrong_token_is_shown_as_an_error(extension, pages):
    extension.tab.goto(f"{pages}/article.html")
    extension.configure(token="not-the-token")
    try:
        panel, _ = extension.click()
        assert panel.wait_for("document.body.dataset.outcome", 30) == "error"
        assert text_of(panel, "error-message").startswith("Token rejected by ")
        assert "options" in text_of(panel, "error-hint")
        assert not text_of(panel, "summary").strip(), "the error must not be shown as the summary"
        screenshot(panel, "panel-error.png")
    finally:
        extension.configure(token=extension.server.token)


@pytest.mark.browser
@pytest.mark.model
def test_clicking_a_key_point_highlights_its_source(extension, pages):
    extension.tab.goto(f"{pages}/article.html")
    panel, _ = extension.click()
    assert wait_done(panel) == "done"
    # A summary with no clickable item is a lost feature, not a reason to skip (issue 18.5).
    cited = panel.evaluate("document.querySelectorAll('#summary li.cited').length")
    assert cited, "the panel shows no cited item: citations were lost on the way (server or panel)"
    panel.evaluate("document.querySelector('#summary li.cited').click()")
    highlighted = extension.tab.wait_for_function("""() => {
        const h = CSS.highlights.get('summarizer-citation');
        return h && [...h].map((range) => range.toString()).join(' ');
    }""", timeout=10000).json_value()
    page_text = " ".join(extension.tab.inner_text("body").split())
    assert len(highlighted) > 10 and " ".join(highlighted.split()) in page_text
    assert panel.evaluate("document.getElementById('cite-note').hidden")
    extension.tab.screenshot(path=str(SCREENSHOTS / "page-citation.png"))


@pytest.mark.browser
@pytest.mark.model
def test_preview_is_shown_at_once_then_replaced_and_the_final_is_labelled(extension, pages, record_property):
    """Issue 13/17.5 on the live service: the `preview` event is rendered as soon as it arrives,
    marked as a preview, replaced by the model's words, and the final summary says how it was
    made: machine-written, or the page's own sentences where the server fell back to them (the
    bundled model's words on this page may break a rule, which the server decides, not the test)."""
    extension.tab.goto(f"{pages}/fresh.html")
    panel, clicked = extension.click()
    panel.wait_for("document.body.dataset.previewMs", 30)
    record_property("click_to_preview_s", round(time.monotonic() - clicked, 3))
    job_id = wait_job(panel)
    assert wait_done(panel) == "done"
    phases = panel.evaluate("document.body.dataset.phases").split()
    assert phases[0] == "preview" and phases[-1] == "final", phases
    assert int(panel.evaluate("document.body.dataset.previewMs")) < int(panel.evaluate("document.body.dataset.firstTokenMs"))
    note = text_of(panel, "summary-note")
    made = "Machine-picked" if extension.job(job_id)["result"].get("fallback") == "extractive" else "Machine-written"
    assert note.startswith(made), note
    assert panel.evaluate("document.getElementById('summary').dataset.phase") == "final"


FEED = """async ([events, noun]) => {
    const { SummaryView } = await import(%r);
    const view = new SummaryView({ body: document.getElementById('summary'),
                                   note: document.getElementById('summary-note'), noun, onPick: () => {} });
    const seen = [];
    for (const [kind, data] of events) {
        if (kind === 'preview') view.preview(data);
        else if (kind === 'token') { view.token(data.text); view.render(); }
        else if (kind === 'done') view.done(data);
        const items = [...document.querySelectorAll('#summary li')].map((li) => ({
            text: li.textContent, status: li.dataset.status ?? null, badge: li.dataset.badge ?? null, title: li.title,
            verified: li.classList.contains('verified'), cited: li.classList.contains('cited'),
            border: getComputedStyle(li).borderLeftColor,
            after: getComputedStyle(li, '::after').content }));
        seen.push({ phase: view.body.dataset.phase, note: view.note.textContent, items });
    }
    return seen;
}"""
PREVIEW = {"summary": "- The earthquake of 1755 destroyed most of Lisbon.\n- Engineers designed the gaiola.",
           "type": "key-points", "length": "short", "format": "markdown", "method": "extractive",
           "citations": [{"item": 0, "text": "The earthquake of 1755 destroyed most of Lisbon.", "score": 1.0,
                          "supported": True, "sources": [{"locator": {"paragraph": 0}, "score": 1.0,
                                                           "quote": "an earthquake destroyed most of Lisbon"}]},
                         {"item": 1, "text": "Engineers designed the gaiola.", "score": 1.0, "supported": True,
                          "sources": [{"locator": {"paragraph": 2}, "score": 1.0, "quote": "Engineers designed the gaiola"}]}]}
SOURCE = [{"locator": {"paragraph": 1}, "score": 0.9, "quote": "the Marquis of Pombal ordered the city centre rebuilt"}]
FINAL = {"summary": "- Pombal rebuilt the centre on a grid.\n- The harbour front opened as a square facing the river Tagus.\n"
                    "- Soldiers tested the cages.\n- Pombal will rebuild the port.\n"
                    "- The district is a UNESCO site since 1998.",
         "type": "key-points", "length": "medium", "format": "markdown", "model": "SmolLM2-135M-Instruct",
         "supported_share": 0.5, "replaced_share": 0.25,
         "citations": [
             {"item": 0, "text": "Pombal rebuilt the centre on a grid.", "score": 0.8, "supported": True,
              "status": "supported", "sources": SOURCE},
             {"item": 1, "text": "The harbour front opened as a square facing the river Tagus.", "score": 0.9,
              "supported": True, "status": "replaced", "original": "The harbour became a park.", "sources": SOURCE},
             {"item": 2, "text": "Soldiers tested the cages.", "score": 0.2, "supported": False, "sources": SOURCE},
             {"item": 3, "text": "Pombal will rebuild the port.", "score": 0.7, "supported": False, "status": "unverified",
              "missing": ["phrasing", "word:port"], "sources": SOURCE},
             {"item": 4, "text": "The district is a UNESCO site since 1998.", "score": 0.1, "supported": False,
              "status": "unverified", "missing": ["1998"], "sources": []}]}
FED_EVENTS = [["preview", PREVIEW], ["token", {"text": "- Pombal"}], ["done", FINAL]]
GREEN = "rgb(26, 127, 55)"


def assert_statuses_shown(seen, noun):
    """What FED_EVENTS must look like, in the panel or in the Word pane."""
    preview, writing, final = seen
    assert preview["phase"] == "preview" and preview["note"].startswith(f"Preview: sentences from the {noun}")
    assert [i["status"] for i in preview["items"]] == ["extracted", "extracted"]
    assert all(i["verified"] and i["border"] == GREEN for i in preview["items"])
    assert preview["items"][1]["title"].startswith(f"The {noun}'s own sentence. Checked against “Engineers designed the gaiola” (paragraph 3).")
    assert writing["phase"] == "writing" and [i["text"] for i in writing["items"]] == ["Pombal"]
    assert final["phase"] == "final" and final["note"].startswith("Machine-written summary (SmolLM2-135M-Instruct)")
    assert "1 of 5 checked" in final["note"] and "1 replaced" in final["note"] and "3 not verified" in final["note"]
    supported, replaced, unsupported, rephrased, unverified = final["items"]
    assert supported["status"] == "supported" and supported["verified"] and supported["border"] == GREEN
    assert replaced["status"] == "replaced" and not replaced["verified"] and replaced["border"] != GREEN
    assert "could not be verified" in replaced["badge"] and "could not be verified" in replaced["after"]
    # Issue 21.6: the tooltip names the source sentence and what was compared; a failure says why.
    quote = "“the Marquis of Pombal ordered the city centre rebuilt” (paragraph 2)"
    assert supported["title"].startswith(f"Verified (score 0.80). Checked against {quote}. Compared: words, names (Pombal).")
    assert replaced["title"].startswith("The model wrote: “The harbour became a park.”") and quote in replaced["title"]
    for item in (unsupported, rephrased, unverified):  # `supported: false` from an older server is unverified
        assert item["status"] == "unverified" and item["badge"].startswith("not verified") and "not verified" in item["after"]
        assert not item["verified"] and not item["cited"] and item["border"] != GREEN
        assert item["badge"] in item["after"] and "Check it before you rely on it" in item["title"]
    assert unsupported["badge"] == f"not verified: its words do not match the {noun} (score 0.20)"
    assert quote in unsupported["title"]
    assert rephrased["badge"] == f"not verified: not in the {noun}: port; the {noun} does not say it this way"
    assert unverified["badge"] == f"not verified: not in the {noun}: 1998"
    assert f"No sentence of the {noun} matches it. Compared: words, names (UNESCO), numbers (1998)." in unverified["title"]
    assert supported["text"] == "Pombal rebuilt the centre on a grid."  # the marks are not in the text


@pytest.mark.browser
def test_citation_statuses_are_shown_distinctly_in_the_panel(chromium):
    """Every status's look at once (supported, replaced, unverified, and an older server's
    `supported: false`), fed as events to the panel's real summary view (lib/view.js, with the
    panel's CSS) in the panel page itself; the live server's replaced and unverified items are
    test_replaced_and_unverified_items_of_the_live_server_are_shown_as_such."""
    page = chromium.context.new_page()
    try:
        page.set_viewport_size({"width": 400, "height": 720})
        page.goto(f"chrome-extension://{chromium.id}/{PANEL}")
        seen = page.evaluate(FEED % "/lib/view.js", [FED_EVENTS[:1], "page"])
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "panel-preview.png"))
        seen = page.evaluate(FEED % "/lib/view.js", [FED_EVENTS, "page"])
        page.screenshot(path=str(SCREENSHOTS / "panel-labels.png"))
    finally:
        page.close()
    assert_statuses_shown(seen, "page")


PICK = """(() => {
    for (const [name, value] of [['type', 'headline'], ['length', 'long']]) {
        const select = document.getElementById(`option-${name}`);
        select.value = value;
        select.dispatchEvent(new Event('change', { bubbles: true }));
    }
    document.getElementById('run').click();
})()"""


@pytest.mark.browser
def test_a_pick_in_the_panel_is_for_its_page_and_the_toolbar_starts_from_the_defaults(extension, pages):
    """Issue 24.6: Type/Length picked in the panel for one page no longer apply to the next page's
    toolbar click, and the panel says which options are in force and whose they are."""
    in_force = "JSON.parse(document.body.dataset.inForce || '{}')"
    extension.tab.goto(f"{pages}/article.html")
    panel, _ = extension.click()
    panel.wait_for("document.body.dataset.inForce", 20)
    assert panel.evaluate(in_force)["type"] == "key-points"
    assert text_of(panel, "in-force").endswith("your defaults (extension options)")
    panel.evaluate("document.getElementById('stop').click()")
    panel.wait_for("document.body.dataset.state === 'idle'", 20)
    panel.evaluate(PICK)  # the user picks a long headline for this page and summarizes again
    panel.wait_for(f"{in_force}.type === 'headline'", 20)
    assert panel.evaluate(in_force)["length"] == "long"
    assert "Headline · Long" in text_of(panel, "in-force") and "picked in this panel" in text_of(panel, "in-force")
    extension.tab.goto(f"{pages}/fresh.html")
    panel, _ = extension.click()
    panel.wait_for(f"{in_force}.type === 'key-points'", 20)
    assert panel.evaluate(in_force)["length"] == "short"
    assert panel.evaluate("document.getElementById('option-type').value") == "key-points"
    assert text_of(panel, "in-force").endswith("your defaults (extension options)")
    panel.evaluate("document.getElementById('stop').click()")


TLDR = {"summary": "Pombal rebuilt the centre on a grid. The harbour front opened as a square.",
        "type": "tldr", "length": "medium", "format": "markdown", "model": "SmolLM2-135M-Instruct",
        "citations": [
            {"item": 0, "text": "Pombal rebuilt the centre on a grid.", "score": 0.8, "supported": True,
             "status": "supported", "sources": SOURCE},
            {"item": 1, "text": "The harbour front opened as a square.", "score": 0.9, "supported": True,
             "status": "replaced", "original": "The harbour became a park.", "sources": SOURCE}]}


@pytest.mark.browser
def test_a_paragraph_summary_is_shown_once_with_its_items_marked_in_place(chromium):
    """Issue 24.6: a tl;dr or headline is not repeated under "Where this comes from"; its
    sentences carry their status and source where they stand."""
    page = chromium.context.new_page()
    try:
        page.goto(f"chrome-extension://{chromium.id}/{PANEL}")
        shown = page.evaluate("""async (result) => {
            const { SummaryView } = await import('/lib/view.js');
            const body = document.getElementById('summary');
            const view = new SummaryView({ body, note: document.getElementById('summary-note'),
                                           noun: 'page', onPick: () => {} });
            view.done(result);
            return { text: body.innerText, headings: body.querySelectorAll('h3').length,
                     items: [...body.querySelectorAll('span.item')].map((s) => [s.textContent, s.dataset.status,
                                                                                s.classList.contains('cited')]) };
        }""", TLDR)
    finally:
        page.close()
    assert shown["headings"] == 0 and shown["text"].count("Pombal rebuilt") == 1, shown
    assert shown["items"] == [["Pombal rebuilt the centre on a grid.", "supported", True],
                              ["The harbour front opened as a square.", "replaced", True]]


@pytest.mark.browser
def test_one_reconnect_is_shown_then_quick_ones_stay_quiet(chromium):
    """Issue 24.6: after a server restart the status flipped between "connection lost" and
    "reconnected" while the server was up. The first drop is shown; a later one that is back at
    the first try leaves the status alone; one that lasts is shown again."""
    page = chromium.context.new_page()
    try:
        page.goto(f"chrome-extension://{chromium.id}/{PANEL}")
        shown = page.evaluate("""async () => {
            const { describeEvent } = await import('/lib/view.js');
            const said = (type, data) => describeEvent({ type, data })?.text ?? null;
            return [said('reconnecting', { attempt: 1, reason: 'dropped', round: 1 }),
                    said('resumed', { attempt: 1, round: 1 }),
                    said('reconnecting', { attempt: 1, reason: 'dropped', round: 2 }),
                    said('resumed', { attempt: 1, round: 2 }),
                    said('reconnecting', { attempt: 2, reason: 'unreachable', round: 3 })];
        }""")
    finally:
        page.close()
    first, back, again, back_again, lasting = shown
    assert "reconnecting (attempt 1)" in first and back.startswith("Reconnected")
    assert again is None and back_again is None
    assert "reconnecting (attempt 2)" in lasting


STATUSES_SHOWN = "[...document.querySelectorAll('#summary [data-status]')].map((e) => e.dataset.status)"
FREBERG_HASH = "5588d9eecfe630bbe8ac41600cd377c0bc810670"


def freberg_page():
    """A CNN/DM obituary (FRANK's validation set) on which the bundled model, at the test
    settings, writes a headline the source check replaces and, asked for German, a tl;dr the
    check cannot read: what the live service decides, shown live. (Since issue 22's output check,
    its English tl;dr and key points asked in German are dropped, which leaves the extractive
    summary; both options were picked again by running the live server on this page, and the
    German ones again when items began to show their quotation marks paired, which changes the
    excerpt the model reads.)"""
    path = SHARED / "corpus" / "factuality" / "frank_valid.jsonl"
    if not path.exists():
        pytest.skip(f"the shared corpus is not at {path.parent}")
    with open(path) as handle:
        article = next(json.loads(line)["article"] for line in handle if FREBERG_HASH in line)
    article = " ".join(article) if isinstance(article, list) else article
    paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in article.split("\n") if p.strip())
    return f"<!DOCTYPE html><html lang=en><head><title>Stan Freberg</title></head><body><article>{paragraphs}</article></body></html>"


@pytest.mark.browser
@pytest.mark.model
@pytest.mark.parametrize("tries, language, status", [
    ([{"type": "headline", "length": "short"}, {"type": "tldr", "length": "medium"},
      {"type": "tldr", "length": "long"}], "", "replaced"),
    ([{"type": "tldr", "length": "medium"}, {"type": "headline", "length": "short"},
      {"type": "key-points", "length": "medium"}], "de", "unverified"),
])
def test_replaced_and_unverified_items_of_the_live_server_are_shown_as_such(extension, pages, tries,
                                                                            language, status):
    """Issue 24.7: the live server replaces an invented item with the page's sentence, and marks
    one it cannot check (another language) unverified; the panel shows exactly the statuses of
    the server's result, and says so in its label. The document's marker (issue 22's
    datamarking) changes the model's wording, and which items the check replaces, with the page
    and the model build: the options are tried in turn until the server decides so (each
    of them did on this page when run alone), and every result is checked against the panel."""
    PAGES["/freberg.html"] = ("text/html; charset=utf-8", freberg_page().encode())
    seen = []
    for options in tries:
        extension.configure(options=options, outputLanguage=language)
        try:
            extension.tab.goto(f"{pages}/freberg.html")
            panel, _ = extension.click()
            job_id = wait_job(panel)
            assert wait_done(panel, 240) == "done"
            result = extension.job(job_id)["result"]
        finally:
            extension.configure(options={"type": "key-points", "length": "short"}, outputLanguage="")
        statuses = [c["status"] for c in result["citations"]]
        assert panel.evaluate(STATUSES_SHOWN) == statuses
        seen.append(statuses)
        if status in statuses:
            label = text_of(panel, "summary-note")
            assert ("replaced by the page's own sentence" if status == "replaced" else "not verified") in label
            return
    pytest.fail(f"the live server never decided {status!r} on this page: {seen}")


@pytest.mark.browser
@pytest.mark.model
def test_page_without_charset_is_read_right_and_its_passages_found(extension, pages):
    """Issue 17.4: a UTF-8 page served without any charset. Chromium shows it as windows-1252
    ("cafÃ©") and the extension sends what it shows; the summary and its quotes must say "café",
    and a quote must still be found (by its text, not the paragraph fallback) in the misread page."""
    extension.tab.goto(f"{pages}/nocharset.html")
    assert extension.tab.evaluate("document.characterSet") == "windows-1252"
    panel, _ = extension.click()
    assert wait_done(panel) == "done"
    job_id = panel.evaluate("document.body.dataset.jobId")
    stream = requests.get(f"{extension.server.url}/jobs/{job_id}/events", headers=extension.server.auth, timeout=30).text
    events = [json.loads(line[5:]) for line in stream.splitlines() if line.startswith("data:")]
    preview = events[0]
    quotes = [s["quote"] for c in preview["citations"] for s in c["sources"]]
    shown = preview["summary"] + text_of(panel, "summary") + " ".join(quotes)
    assert "Ã" not in shown and "â€" not in shown, shown
    assert "\u00e9" in preview["summary"] + " ".join(quotes)  # é, read as the page meant it
    found = panel.evaluate(f"({HIGHLIGHT})({json.dumps([quotes[0], None])})")
    assert found["found"] and found["how"] == "text", found


HIGHLIGHT = """async ([quote, hint]) => {
    const { highlightPassage } = await import('/lib/page.js');
    const [tab] = await chrome.tabs.query({ active: true, currentWindow: true });
    const [injection] = await chrome.scripting.executeScript(
        { target: { tabId: tab.id }, func: highlightPassage, args: [quote, hint] });
    return injection.result;
}"""


@pytest.mark.browser
def test_highlight_finds_a_quote_across_markup(chromium, pages):
    """The passage is found by its text although the page splits it with tags, quotes, newlines."""
    before = chromium.worker.evaluate("chrome.storage.local.get('serverUrl')").get("serverUrl")
    chromium.configure(serverUrl="http://127.0.0.1:9")  # nothing listens: the click fails fast
    try:
        chromium.tab.goto(f"{pages}/tricky.html")
        panel, _ = chromium.click()  # the click grants activeTab, which the highlight needs
        assert panel.wait_for("document.body.dataset.outcome", 30) == "error"
        assert text_of(panel, "error-message") == "Server not reachable at http://127.0.0.1:9: is it running?"

        def highlight(quote, hint=None):
            return panel.evaluate(f"({HIGHLIGHT})({json.dumps([quote, hint])})")

        found = highlight('The gaiola, a "cage" of wooden beams, was tested by marching soldiers.')
        assert found["found"] and found["how"] == "text"
        passage = chromium.tab.inner_text("#passage")
        assert " ".join(found["text"].split()) == " ".join(passage.split()).rstrip(".")
        marked = chromium.tab.evaluate("[...CSS.highlights.get('summarizer-citation')][0].toString()")
        assert marked == found["text"]
        SCREENSHOTS.mkdir(exist_ok=True)
        chromium.tab.screenshot(path=str(SCREENSHOTS / "page-highlight.png"))

        assert highlight("A sentence that is nowhere in this page at all.")["found"] is False
        by_hint = highlight("Not in the page either, but the locator names a paragraph.", {"paragraph": 2})
        assert by_hint["found"] and by_hint["how"] == "paragraph" and "third paragraph" in by_hint["text"]
    finally:
        if before:
            chromium.configure(serverUrl=before)
        else:
            chromium.worker.evaluate("chrome.storage.local.remove('serverUrl')")


@pytest.fixture
def options_page(extension):
    page = extension.context.new_page()
    page.goto(f"chrome-extension://{extension.id}/options/options.html")
    # The page marks when it has its settings and the server's option lists; give it a moment.
    deadline = time.monotonic() + 5
    while not page.evaluate("document.body.dataset.ready") and time.monotonic() < deadline:
        time.sleep(0.05)
    yield page
    page.close()


def test_connection(options_page, url, token):
    """Fill the options page's server and token, press Test connection, wait for the outcome."""
    options_page.fill("#serverUrl", url)
    options_page.fill("#token", token)
    options_page.click("#test")
    deadline = time.monotonic() + 15  # polled from here: the page's CSP forbids wait_for_function's eval
    while time.monotonic() < deadline:
        result = options_page.inner_text("#test-result")
        if result != "Testing…" and (result or options_page.is_visible("#test-error")):
            return
        time.sleep(0.05)
    raise TimeoutError("Test connection did not answer in 15 s")


test_connection.__test__ = False  # a helper, not a test


@pytest.mark.browser
def test_options_page_tests_the_connection(extension, options_page):
    test_connection(options_page, extension.server.url, extension.server.token)
    assert options_page.is_hidden("#test-error"), options_page.inner_text("#test-error")
    assert options_page.inner_text("#test-result").startswith("Connected to summarizer")
    test_connection(options_page, extension.server.url, "not-the-token")
    assert options_page.is_visible("#test-error")
    assert options_page.inner_text("#test-error-message").startswith("Token rejected")


@pytest.mark.browser
@pytest.mark.parametrize("where", ["wrong path", "another web server"])
def test_test_connection_says_no_to_what_is_not_this_service(extension, options_page, pages, where):
    """Issue 17.1: a summarizer URL with a path, or another web server, is not "reachable": Test
    connection asks GET /options for service "summarizer" and says what to fix."""
    url = f"{extension.server.url}/api" if where == "wrong path" else pages
    test_connection(options_page, url, extension.server.token)
    assert options_page.inner_text("#test-result") == ""
    assert options_page.is_visible("#test-error")
    assert options_page.get_attribute("#test-error", "data-code") == "not_summarizer"
    assert "not reachable" not in options_page.inner_text("#test-error-message")  # it is there, just not ours
    assert "without a path" in options_page.inner_text("#test-error-hint")


@pytest.mark.browser
def test_url_without_scheme_is_accepted_alike_by_test_and_save(extension, options_page):
    """Issue 17.1: "127.0.0.1:PORT" was "Connected" in Test but refused by Save ("Please enter a
    URL"). Both now complete it to http://, and Save stores that."""
    bare = extension.server.url.removeprefix("http://")
    options_page.fill("#serverUrl", bare)
    options_page.fill("#token", extension.server.token)
    options_page.click("#save")
    options_page.wait_for_selector("#saved:has-text('Saved')", timeout=5000)
    stored = extension.worker.evaluate("chrome.storage.local.get('serverUrl')")
    assert stored["serverUrl"] == extension.server.url
    test_connection(options_page, bare, extension.server.token)
    assert options_page.inner_text("#test-result").startswith("Connected to summarizer"), options_page.inner_text("#test-error")
    assert options_page.input_value("#serverUrl") == extension.server.url
    # The selects are the server's own lists (its GET /options), not the built-in fallback.
    assert "as the server offers" in options_page.inner_text("#options-source")


@pytest.mark.browser
@pytest.mark.parametrize("where", ["another web server", "nothing listening"])
def test_every_panel_error_says_what_to_do_next(extension, pages, where):
    """Issue 17.1: pointed at another web server the panel said only "The server answered 501
    Unsupported method ('POST')."; every error now comes with a next step."""
    extension.tab.goto(f"{pages}/article.html")
    extension.configure(serverUrl=pages if where == "another web server" else "http://127.0.0.1:9")
    try:
        panel, _ = extension.click()
        assert panel.wait_for("document.body.dataset.outcome", 30) == "error"
        hint = text_of(panel, "error-hint")
        assert "options" in hint and ("server URL" in hint), hint
        assert not text_of(panel, "summary").strip()
        if where == "another web server":
            assert panel.evaluate("document.getElementById('error').dataset.code") == "not_summarizer"
            screenshot(panel, "panel-error-hint.png")
    finally:
        extension.configure(serverUrl=extension.server.url)


def lost_stream_run(extension, pages, proxy):
    """Start a long summary through `proxy` and wait until its stream carries heartbeats."""
    extension.configure(serverUrl=proxy.url)
    extension.tab.goto(f"{pages}/long.html")
    panel, _ = extension.click()
    job_id = wait_job(panel)
    deadline = time.monotonic() + 60
    heartbeat = b"\n: keep-alive\n\n"  # the SSE comment, not the "Connection: keep-alive" header
    while not proxy.received(heartbeat) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert proxy.received(heartbeat), "the server sent no heartbeat in 60 s"
    return panel, job_id


def assert_follows_again(panel, proxy, job_id, since, within):
    """The panel said it reconnects, resumed with Last-Event-ID within `within` s, and goes on."""
    resumed = None
    deadline = since + within + 30
    while resumed is None and time.monotonic() < deadline:
        resumed = proxy.sent(f"GET /jobs/{job_id}/events".encode(), since)
        time.sleep(0.05)
    assert resumed is not None, f"the panel never resumed the stream; its status went {panel.evaluate('window.__statuses')}"
    # A bound for the behaviour, not a speed figure: the old panel waited 15 s on a silent stream
    # and never came back after a refusal; the bounds leave room for a loaded 2-core machine.
    assert resumed - since <= within, f"resumed only after {resumed - since:.1f} s"
    assert proxy.sent(b"Last-Event-ID:", since), "resumed without Last-Event-ID"
    statuses = panel.evaluate("window.__statuses")
    assert any("reconnecting" in s for s in statuses), statuses
    # Following again: a real event after the resume changes the status line.
    panel.wait_for("(() => { const t = document.getElementById('status-text').textContent;"
                   " return t && !/reconnect/i.test(t) && document.body.dataset.outcome !== 'error'; })()", 60)
    assert panel.evaluate("document.body.dataset.outcome") != "error", text_of(panel, "error")


RECORD_STATUSES = """(() => { window.__statuses = [];
    new MutationObserver(() => window.__statuses.push(document.getElementById('status-text').textContent))
        .observe(document.getElementById('status-text'), { childList: true, characterData: true, subtree: true });
    return true; })()"""


@pytest.mark.browser
@pytest.mark.model
def test_a_stream_gone_silent_is_resumed_within_seconds(extension, pages):
    """Issue 17.3: a connection that stops carrying bytes without closing (a hung or restarted
    server, a dropped network) froze the panel. The server sends a heartbeat every second here;
    after three silent heartbeats the panel says so and resumes with Last-Event-ID."""
    proxy = browser.FlakyProxy(int(extension.server.url.rsplit(":", 1)[1]))
    try:
        panel, job_id = lost_stream_run(extension, pages, proxy)
        panel.evaluate(RECORD_STATUSES)
        frozen = time.monotonic()
        proxy.freeze()
        assert_follows_again(panel, proxy, job_id, frozen, within=10)
        panel.evaluate("document.getElementById('stop').click()")
    finally:
        proxy.close()
        extension.configure(serverUrl=extension.server.url)


@pytest.mark.browser
@pytest.mark.model
def test_a_server_away_for_seconds_is_waited_for_and_resumed(extension, pages):
    """Issue 17.3: a restarting server closes the stream and refuses connections for a while.
    The panel used to try once and show "not reachable"; it now says it reconnects, tries
    again for about 30 s, and resumes where the stream broke off."""
    proxy = browser.FlakyProxy(int(extension.server.url.rsplit(":", 1)[1]))
    try:
        panel, job_id = lost_stream_run(extension, pages, proxy)
        panel.evaluate(RECORD_STATUSES)
        cut = time.monotonic()
        proxy.refuse(3)
        assert_follows_again(panel, proxy, job_id, cut, within=3 + 9)
        panel.evaluate("document.getElementById('stop').click()")
    finally:
        proxy.close()
        extension.configure(serverUrl=extension.server.url)


@pytest.mark.browser
def test_markdown_is_rendered_without_markup_from_the_summary(chromium):
    """A summary is untrusted: HTML in it stays text, and only http(s) links survive."""
    page = chromium.context.new_page()
    try:
        page.goto(f"chrome-extension://{chromium.id}/{PANEL}")
        rendered = page.evaluate("""async () => {
            const { renderMarkdown } = await import('/lib/markdown.js');
            const box = document.createElement('div');
            box.append(renderMarkdown('- **bold** <img src=x onerror="window.pwned=1">\\n' +
                '- [bad](javascript:window.pwned=1) [good](https://example.org/a)\\n\\n# Title'));
            return { html: box.innerHTML, imgs: box.querySelectorAll('img').length,
                     hrefs: [...box.querySelectorAll('a')].map((a) => a.href), items: box.querySelectorAll('li').length };
        }""")
    finally:
        page.close()
    assert rendered["imgs"] == 0 and "&lt;img" in rendered["html"]
    assert rendered["hrefs"] == ["https://example.org/a"]
    assert rendered["items"] == 2 and "<strong>bold</strong>" in rendered["html"]


@pytest.mark.browser
def test_sse_parser_handles_split_chunks(chromium):
    page = chromium.context.new_page()
    try:
        page.goto(f"chrome-extension://{chromium.id}/{PANEL}")
        events = page.evaluate("""async () => {
            const { SseParser } = await import('/lib/sse.js');
            const parser = new SseParser();
            const chunks = [': heartbeat\\r\\n\\r\\nid: 1-0\\r\\nevent: tok', 'en\\r\\ndata: {"text":"a"}\\r', '\\n\\r\\n',
                            'id: 2-0\\nevent: done\\ndata: line1\\ndata: line2\\n\\n'];
            return chunks.flatMap((chunk) => parser.push(chunk));
        }""")
    finally:
        page.close()
    assert events == [
        {"id": "1-0", "event": "token", "data": '{"text":"a"}'},
        {"id": "2-0", "event": "done", "data": "line1\nline2"},
    ]


def test_web_ext_lint_reports_no_errors_for_firefox():
    if not shutil.which("node"):
        pytest.skip("node is not installed: web-ext lint needs Node.js and npm (apt-get install nodejs npm)")
    if not WEB_EXT.exists():
        pytest.skip(f"{WEB_EXT} is missing: run tests/setup_browser.sh (npm ci in extension/browser)")
    command = [str(WEB_EXT), "lint", "--output", "json", "--source-dir", str(EXT_DIR),
               "--ignore-files", *LINT_IGNORE]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=EXT_DIR)
    report = json.loads(result.stdout)
    assert report["summary"]["errors"] == 0, json.dumps(report["errors"], indent=1)
    # The two expected warnings come from the one-manifest-for-both-browsers design (README).
    unexpected = [w for w in report["warnings"]
                  if w["code"] not in ("MANIFEST_PERMISSIONS", "BACKGROUND_SERVICE_WORKER_IGNORED")]
    assert not unexpected, json.dumps(unexpected, indent=1)
