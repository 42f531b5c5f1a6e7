"""POST /extract over HTTP: every corpus PDF/Word upload gives 200 or a clean 4xx JSON error (never
a 5xx), and each input kind (text, html+url, url, file) reaches the same intake code."""

import io
from pathlib import Path

import pytest

from summarizer import create_app
from test_extract_pdf import make_pdf

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"


def corpus_uploads():
    files = []
    for fmt in ("pdf", "docx"):
        folder = CORPUS / fmt
        if folder.is_dir():
            files += [p for p in sorted(folder.iterdir()) if p.is_file() and p.suffix != ".jsonl"]
    return files


@pytest.fixture
def extract_client(redis_url):
    app = create_app({"TESTING": True, "REDIS_URL": redis_url, "PARSE_TIMEOUT": "60"})
    return app.test_client()


def post_file(client, name, data, **fields):
    return client.post("/extract", data={"file": (io.BytesIO(data), name), **fields},
                       content_type="multipart/form-data")


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"the shared corpus is absent ({CORPUS})")
@pytest.mark.parametrize("path", corpus_uploads(), ids=lambda p: p.name)
def test_corpus_upload_is_200_or_clean_4xx(extract_client, path):
    response = post_file(extract_client, path.name, path.read_bytes())
    body = response.get_json()
    if response.status_code == 200:
        assert body["text"].strip() and body["blocks"]
    else:
        assert 400 <= response.status_code < 500, body
        assert set(body["error"]) >= {"code", "message"}


def test_pdf_upload_with_password_field(extract_client):
    response = post_file(extract_client, "a.pdf", make_pdf([["Hello from a PDF."]]), password="")
    assert response.status_code == 200
    assert response.get_json()["blocks"][0]["locator"] == {"page": 1}


def test_html_with_url(extract_client):
    html = "<html><head><title>T</title></head><body><article>" + "<p>Sentence of an article.</p>" * 20
    response = extract_client.post("/extract", json={"html": html + "</article></body></html>",
                                                     "url": "https://example.org/a"})
    assert response.status_code == 200
    assert response.get_json()["metadata"]["url"] == "https://example.org/a"


@pytest.mark.parametrize("url, status, code", [
    ("http://169.254.169.254/latest/meta-data/", 400, "url_not_allowed"),
    ("file:///etc/passwd", 400, "url_scheme_not_allowed"),
])
def test_refused_urls_are_json_errors(extract_client, url, status, code):
    response = extract_client.post("/extract", json={"url": url})
    assert response.status_code == status
    assert response.get_json()["error"]["code"] == code
