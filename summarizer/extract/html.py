"""HTML pages (captured by the extension, uploaded or fetched): main content with trafilatura.

Comments are left out (they are not the page's content, and summaries should not quote them);
title, author, date, site and language are kept. When the main-content pass finds nothing or only
a scrap, a simpler extractor (trafilatura's baseline: article/paragraph text) is tried, and as a
last resort the page's whole visible text.
"""

import logging

import trafilatura
from trafilatura.metadata import extract_metadata

from summarizer.document import Block, Document
from summarizer.extract import text as text_format

log = logging.getLogger(__name__)

#: Below this many characters the main-content pass most likely missed the article (a short news
#: item is still several hundred characters), so the fallback is worth a try.
MIN_MAIN_CHARS = 250

_METADATA_FIELDS = ("author", "date", "url", "language", "sitename", "description")


def extract(html, url=None):
    """Main text of a page as paragraph blocks, with its metadata."""
    result = _main_content(html, url)
    text = (result or {}).get("text") or ""
    method = "trafilatura"
    if len(text.strip()) < MIN_MAIN_CHARS:
        fallback = _fallback_text(html)
        if len(fallback.strip()) > len(text.strip()):
            text, method = fallback, "fallback"
    metadata = _metadata(result, html, url)
    title = metadata.pop("title", "")
    blocks = [Block(line, {"paragraph": i}) for i, line in enumerate(_lines(text))]
    metadata.update({"format": "html", "extractor": method})
    return Document(title=title, blocks=blocks, metadata=metadata)


def _main_content(html, url):
    """trafilatura's main-content extraction with metadata, as a dict (None when it gives up)."""
    try:
        document = trafilatura.bare_extraction(
            html, url=url, with_metadata=True, include_comments=False, include_tables=True
        )
    except (ValueError, TypeError, AttributeError, RecursionError):
        log.warning("trafilatura failed on a page from %s", url, exc_info=True)
        return None
    if document is None:
        return None
    return document if isinstance(document, dict) else document.as_dict()


def _fallback_text(html):
    """Article/paragraph text (baseline), else all visible text; "" when the page has none."""
    try:
        _, text, _ = trafilatura.baseline(html)
        if text and text.strip():
            return text
        return trafilatura.html2txt(html) or ""
    except (ValueError, TypeError, AttributeError, RecursionError):
        return ""


def _metadata(result, html, url):
    """Title/author/date/... from the extraction, or from the page head when extraction failed."""
    fields = _strings(result)
    if not fields.get("title"):
        try:
            meta = extract_metadata(html, default_url=url)
        except (ValueError, TypeError, AttributeError, RecursionError):
            meta = None
        if meta is not None:
            fields = {**_strings(meta.as_dict()), **fields}
    metadata = {key: fields[key] for key in _METADATA_FIELDS if fields.get(key)}
    if url and "url" not in metadata:
        metadata["url"] = url
    title = fields.get("title")
    if title:
        metadata["title"] = text_format.normalize(title).strip()
    return metadata


def _strings(fields):
    """The non-empty string fields of an extraction result (it also holds lxml trees)."""
    return {k: v for k, v in (fields or {}).items() if isinstance(v, str) and v.strip()}


def _lines(text):
    """trafilatura puts one paragraph per line: each non-empty normalised line is a paragraph."""
    return [line.strip() for line in text_format.normalize(text).split("\n") if line.strip()]
