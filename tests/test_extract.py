"""The intake entry point: dispatch by content, text/Markdown and HTML readers, limits and refusals."""

import pytest

from summarizer import errors
from summarizer.config import Settings
from summarizer.document import Source
from summarizer.extract import extract, sniff
from summarizer.extract import text as text_format

ARTICLE = """<!doctype html><html lang="en"><head><title>Tide tables explained | Coast News</title>
<meta name="author" content="Rita Marsh"><meta property="article:published_time" content="2024-03-05">
</head><body>
<nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></nav>
<article><h1>Tide tables explained</h1>
<p>Tides are the rise and fall of sea levels caused by the combined effects of the gravitational
forces exerted by the Moon and the Sun and the rotation of the Earth.</p>
<p>Tide tables list the predicted times and heights of high and low water for a given place,
and sailors, anglers and walkers on tidal flats rely on them every day.</p>
<p>Local geography changes the timing considerably: a long estuary can delay high water by hours
compared with the open coast only a few kilometres away.</p>
</article>
<div class="comments"><p>Great article, subscribe to my channel!</p></div>
<footer>Copyright Coast News. All rights reserved.</footer></body></html>"""


@pytest.fixture
def settings():
    return Settings.from_mapping({})


def test_text_paragraphs_whitespace_and_locators(settings):
    document = extract(Source(kind="text", text="  First   line\r\nstill first.\n\n\n\nSecond\u200b one.  "), settings)
    assert [b.text for b in document.blocks] == ["First line\nstill first.", "Second one."]
    assert [b.locator for b in document.blocks] == [{"paragraph": 0}, {"paragraph": 1}]


def test_markdown_headings_locate_paragraphs_and_title(settings):
    markdown = "# Release notes\n\nIntro.\n\n## Fixes\n\n- crash on start\n  - nested item\n\nDone."
    document = extract(Source(kind="text", text=markdown), settings)
    assert document.title == "Release notes"
    fixes = document.blocks[3]
    assert fixes.text == "- crash on start\n  - nested item"  # list indentation survives
    assert fixes.locator == {"paragraph": 3, "heading": "Fixes"}


@pytest.mark.parametrize("broken, fixed", [
    ("CafÃ© au lait", "Café au lait"),
    ("itâ€™s â€œfineâ€\x9d", "it’s “fine”"),
    ("ÐŸÑ€Ð¸Ð²ÐµÑ‚", "Привет"),
])
def test_mojibake_is_repaired(broken, fixed):
    assert text_format.normalize(broken) == fixed


@pytest.mark.parametrize("clean", ["naïve café » São Ångström", "Ça va? À bientôt", "ÀÉÎÕÜ"])
def test_clean_accented_text_is_untouched(clean):
    assert text_format.normalize(clean) == clean


@pytest.mark.parametrize("data", [
    "Prix: 5 € – déjà payé".encode("cp1252"),
    "Prix: 5 € – déjà payé".encode("utf-16"),
    "\ufeffPrix: 5 € – déjà payé".encode("utf-8"),
])
def test_text_files_in_other_encodings(settings, data):
    document = extract(Source(kind="file", data=data, filename="notes.txt"), settings)
    assert document.text == "Prix: 5 € – déjà payé"


def test_html_main_content_without_boilerplate_or_comments(settings):
    document = extract(Source(kind="html", html=ARTICLE, url="https://news.example/tides"), settings)
    assert "gravitational" in document.text and "estuary" in document.text
    assert "subscribe" not in document.text
    assert "All rights reserved" not in document.text
    assert document.title.startswith("Tide tables explained")
    assert document.metadata["author"] == "Rita Marsh"
    assert document.metadata["url"] == "https://news.example/tides"
    assert all("paragraph" in b.locator for b in document.blocks)


def test_html_fallback_when_main_extraction_is_tiny(settings):
    page = "<html><body><div><span>Short note: the meeting moved to Friday 10:00.</span></div></body></html>"
    document = extract(Source(kind="html", html=page), settings)
    assert "meeting moved to Friday" in document.text


def test_uploaded_html_is_detected_by_content(settings):
    data = ARTICLE.encode("utf-8")
    document = extract(Source(kind="file", data=data, filename="page.txt"), settings)
    assert "gravitational" in document.text and "<p>" not in document.text


@pytest.mark.parametrize("data, words", [
    (b"\x1f\x8b\x08\x00" + b"\x00" * 64, "gzip"),
    (b"\x00\x01\x02\x03" * 100, "unknown"),
    (b"{\\rtf1\\ansi hello}", "RTF"),
])
def test_unsupported_files_are_415_saying_what_they_are(settings, data, words):
    with pytest.raises(errors.UnsupportedMediaType) as caught:
        extract(Source(kind="file", data=data, filename="doc.pdf", content_type="application/pdf"), settings)
    assert words in caught.value.message


@pytest.mark.parametrize("source", [
    Source(kind="text", text="  \n\n "),
    Source(kind="file", data=b""),
    Source(kind="html", html="<html><body><nav></nav></body></html>"),
])
def test_empty_input_is_400(settings, source):
    with pytest.raises(errors.BadRequest) as caught:
        extract(source, settings)
    assert caught.value.code == "empty_input"


def test_unknown_kind_is_400(settings):
    with pytest.raises(errors.BadRequest):
        extract(Source(kind="fax"), settings)


def test_char_limit_applies_to_every_kind():
    settings = Settings.from_mapping({"max_chars": 1000})
    with pytest.raises(errors.PayloadTooLarge) as caught:
        extract(Source(kind="text", text="word " * 1000), settings)
    assert "max_chars" in caught.value.message


def test_sniff_ignores_names_and_finds_formats():
    assert sniff.sniff(b"junk\n%PDF-1.7\n")[0] == sniff.PDF  # leading junk is legal
    assert sniff.sniff(b"  <!-- c --><!DOCTYPE html><p>x")[0] == sniff.HTML
    assert sniff.sniff("# Title\n\ntext".encode())[0] == sniff.MARKDOWN  # read by extract/markdown.py
    assert sniff.sniff("Title\n\ntext".encode())[0] == sniff.TEXT
    assert sniff.sniff(b"PK\x03\x04 truncated")[0] == sniff.DOCX  # reported later as damaged
