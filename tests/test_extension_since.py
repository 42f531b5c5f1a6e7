"""Issue 26 in the browser extension, in Debian's chromium against the real service: a page
summarized again offers "What changed since <date>" (its history has the earlier reading's
document_id); the answer says nothing changed when nothing did, and tells the change when the page
changed. The machinery (fixtures, the real toolbar click) is tests/test_extension.py's."""

import pytest

import test_extension
from test_extension import chromium, extension, pages, screenshot, text_of, wait_done  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser]

PAGE = """<!doctype html><html><head><title>Ferry timetable</title></head><body><article>
<h1>Ferry timetable</h1>
<p>The ferry from Norwick to the island leaves the harbour at nine every morning in summer.</p>
<p>A return ticket costs twelve euros for adults and six euros for children under twelve.</p>
<p>Bicycles travel free, but cars must be booked at the harbour office a day in advance.</p>
</article></body></html>"""


def serve(path, html):
    test_extension.PAGES[path] = ("text/html; charset=utf-8", html.encode())


def summarize(extension, url):
    extension.tab.goto(url)
    panel, _ = extension.click()
    assert wait_done(panel, 240) == "done"
    return panel


def since(panel):
    label = panel.wait_for("!document.getElementById('since').hidden && "
                           "document.getElementById('since').textContent")
    assert label.startswith("What changed since ")
    panel.evaluate("(() => { delete document.body.dataset.outcome; "
                   "document.getElementById('since').click(); return true; })()")
    assert wait_done(panel, 240) == "done"
    return text_of(panel, "summary")


@pytest.mark.model
def test_a_page_summarized_again_offers_what_changed_and_says_nothing_did(extension, pages):
    serve("/ferry.html", PAGE)
    first = summarize(extension, f"{pages}/ferry.html")
    assert first.evaluate("document.getElementById('since').hidden")  # nothing earlier to compare
    panel = summarize(extension, f"{pages}/ferry.html")
    assert since(panel) == "Nothing changed since the earlier version."
    assert text_of(panel, "summary-note").startswith("Nothing to summarize")  # not "machine-written"
    screenshot(panel, "panel-since.png")


@pytest.mark.model
def test_a_changed_page_is_told_from_its_changes(extension, pages):
    serve("/ferry2.html", PAGE)
    summarize(extension, f"{pages}/ferry2.html")
    serve("/ferry2.html", PAGE.replace("twelve euros for adults", "fifteen euros for adults"))
    panel = summarize(extension, f"{pages}/ferry2.html")
    told = since(panel)
    assert told and "Nothing changed" not in told
    job = extension.job(panel.evaluate("document.body.dataset.jobId"))["result"]
    assert job["focus"] == "changes" and job["citations"]
    assert {c["change"]["change"] for c in job["citations"]} == {"edited"}
