"""HTML pages (captured by the extension, uploaded or fetched): main content with trafilatura.

Comments are left out (they are not the page's content, and summaries should not quote them);
title, author, date, site and language are kept. When the main-content pass finds nothing or only
a scrap, a simpler extractor (trafilatura's baseline: article/paragraph text) is tried, and as a
last resort the page's whole visible text.

Bytes are decoded as a browser would (WHATWG "determine the character encoding"): a byte-order
mark, then the charset the transport declared (when the caller knows it), then the page's own
`<meta charset>` or `http-equiv` declaration, then UTF-8 when the bytes are valid UTF-8, else
windows-1252 (the browsers' default for an undeclared page) unless a detector finds a non-Latin
script. A page the browser itself decoded that way although it was UTF-8 (served without any
charset, as Python's http.server does) arrives from the extension as text full of "Ã©": that
text is repaired back to what the bytes said.
"""

import codecs
import logging
import re

import trafilatura
from trafilatura.metadata import extract_metadata

from summarizer.document import Block, Document
from summarizer.extract import hidden, text as text_format

log = logging.getLogger(__name__)

#: Below this many characters the main-content pass most likely missed the article (a short news
#: item is still several hundred characters), so the fallback is worth a try.
MIN_MAIN_CHARS = 250

_METADATA_FIELDS = ("author", "date", "url", "language", "sitename", "description")

#: How far into the page a charset declaration is looked for. The standard's prescan stops at
#: 1024 bytes, but browsers also switch encoding for a `<meta charset>` met later in the head
#: (after long inline styles, say); the head of a real page fits in this.
DECLARATION_SCAN_BYTES = 65536

_META_CHARSET = re.compile(
    rb"<meta\b[^>]*?\bcharset\s*=\s*[\"']?\s*([A-Za-z0-9._:-]+)", re.IGNORECASE)
_BODY_START = re.compile(rb"<body[\s>]", re.IGNORECASE)

#: WHATWG encoding labels whose Python codec differs from their name: browsers decode these
#: labels with the superset encoding, so must we (a "latin1" page with curly quotes is cp1252).
_LABELS = {
    "iso-8859-1": "cp1252", "iso8859-1": "cp1252", "latin1": "cp1252", "l1": "cp1252",
    "ascii": "cp1252", "us-ascii": "cp1252", "windows-1252": "cp1252", "x-user-defined": "cp1252",
    "utf-16": "utf-8", "utf-16le": "utf-8", "utf-16be": "utf-8",  # a meta cannot declare these
    "gb2312": "gbk", "x-gbk": "gbk", "shift_jis": "cp932", "sjis": "cp932", "windows-31j": "cp932",
    "euc-kr": "cp949", "ks_c_5601-1987": "cp949", "iso-8859-9": "cp1254", "tis-620": "cp874",
}

#: Detector guesses that mean "some Latin single-byte page": read as windows-1252, as browsers do.
_LATIN_GUESSES = {"cp1250", "cp1252", "latin_1", "iso8859_15", "iso8859_2", "cp1257", "mac_roman",
                  "iso8859_4", "iso8859_13", "cp1254", "iso8859_9", "iso8859_3", "ascii"}


def codec_for(label):
    """The Python codec a browser would use for an encoding label, or None for an unknown one."""
    label = (label or "").strip().strip("\"'").lower()
    try:
        return codecs.lookup(_LABELS.get(label, label)).name if label else None
    except LookupError:
        return None


def declared_charset(data):
    """The codec the page declares in its head (`<meta charset>`, `http-equiv`), or None."""
    head = data[:DECLARATION_SCAN_BYTES]
    body = _BODY_START.search(head)
    for match in _META_CHARSET.finditer(head[: body.start()] if body else head):
        codec = codec_for(match.group(1).decode("ascii", "ignore"))
        if codec:
            return codec
    return None


def decode(data, charset=None):
    """The page's bytes as text, decoded the way a browser would (see the module's docstring)."""
    for bom, codec in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                       (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            return data[len(bom):].decode(codec, "replace")
    codec = codec_for(charset) or declared_charset(data)
    if codec:
        return data.decode(codec, "replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode(_undeclared_codec(data), "replace")


def _undeclared_codec(data):
    """windows-1252, unless a detector is sure the page is in a non-Latin script (Cyrillic, CJK)."""
    from charset_normalizer import from_bytes

    best = from_bytes(data[:DECLARATION_SCAN_BYTES]).best()
    guess = codecs.lookup(best.encoding).name if best is not None else "cp1252"
    return "cp1252" if guess in _LATIN_GUESSES else guess


def repair(html):
    """Text of a UTF-8 page that a browser read as windows-1252 (no charset anywhere), repaired.

    Only a page that declares no charset qualifies, and only when its whole text maps back to
    bytes that are valid UTF-8 with some non-ASCII in them: real windows-1252 text ("café") is
    not valid UTF-8 once encoded, so it is left alone.
    """
    if html.isascii() or declared_charset(html[:DECLARATION_SCAN_BYTES].encode("utf-8", "replace")):
        return html
    try:
        # The DOM serializer writes U+00A0 (the second byte of UTF-8 "à", misread) as &nbsp;.
        raw = html.replace("&nbsp;", "\u00a0").encode("cp1252", errors="summarizer-c1")
        return raw.decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return html


def _c1_controls(error):
    """The five bytes windows-1252 leaves undefined decode to U+0081... in browsers: map them back."""
    chars = error.object[error.start:error.end]
    if all(0x80 <= ord(c) <= 0x9F for c in chars):
        return bytes(ord(c) for c in chars), error.end
    raise error


codecs.register_error("summarizer-c1", _c1_controls)


def extract(html, url=None, charset=None):
    """Main text of a page as paragraph blocks, with its metadata. `html` is text (a page the
    browser already decoded) or bytes; `charset` is the one the HTTP response declared, if any."""
    html = decode(html, charset) if isinstance(html, bytes) else repair(html)
    # Before anything reads it: text a reader cannot see is not the page (extract/hidden.py).
    html = hidden.visible(html)
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
