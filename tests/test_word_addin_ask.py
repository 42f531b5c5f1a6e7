"""Issue 16 in the Word add-in's task pane (real headless Chromium, the real server, Office.js
replaced by tests/office_double.js as in test_word_addin_pane.py): "Ask about this document"
sends the question with the document_id of the summary, so Word does not hand the document over
again, and the answer streams in like a summary."""

import pytest

from test_word_addin_pane import DONE_OR_ERROR, chromium, pane, readable_docx  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser, pytest.mark.model]


def test_a_question_about_the_document_is_asked_by_its_document_id(pane):  # noqa: F811 - the fixture
    document = readable_docx()
    pane.open(document=document, sliceBytes=65536)
    assert pane.run("#summarize-document") == "done", pane.page.inner_text("#error")
    assert pane.page.is_visible("#ask-form")
    reads = len(pane.double()["getFileCalls"])
    first = next(r for r in pane.responses if r.url.endswith("/summarize"))
    document_id = first.headers["x-document-id"]

    pane.page.fill("#ask", "What is this document about?")
    pane.page.click("#ask-run")
    pane.page.wait_for_selector("body[data-asked]", timeout=60_000)
    pane.page.wait_for_selector(DONE_OR_ERROR, timeout=240_000)
    assert pane.page.get_attribute("body", "data-state") in ("done", "idle"), pane.page.inner_text("#error")
    assert pane.page.get_attribute("body", "data-asked") == "document_id"
    asked = [r for r in pane.requests if r.method == "POST" and r.url.endswith("/summarize")][-1]
    body = asked.post_data_json
    assert body["document_id"] == document_id and body["query"] == "What is this document about?"
    assert "text" not in body and "file" not in (asked.post_data or "")
    assert len(pane.double()["getFileCalls"]) == reads, "Word was asked for the document again"
    assert pane.page.inner_text("#question") == "Question: What is this document about?"
    note = pane.page.inner_text("#summary-note")
    assert note.startswith(("Machine-written answer", "Machine-picked", "Not answered")), note
