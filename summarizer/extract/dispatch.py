"""From a client's `Source` to a `Document`: pick the reader by content, enforce the intake limits."""

from summarizer.extract import fetch
from summarizer.errors import BadRequest, PayloadTooLarge, UnprocessableDocument, UnsupportedMediaType
from summarizer.extract import html as html_format
from summarizer.extract import bounds, sandbox, sniff, zipguard
from summarizer.extract.offload import off_loop
from summarizer.extract import text as text_format


def extract(source, settings, slots=None):
    """Read `source` into a Document; raise a SummarizerError (4xx) when it cannot be read.
    `slots` (sandbox.ParseSlots) bounds the PDF/Word parse children running at once."""
    if source.kind == "text":
        document = off_loop(text_format.extract, source.text or "")
    elif source.kind == "html":
        document = off_loop(html_format.extract, source.html or "", url=source.url)
    elif source.kind == "url":
        document = _from_url(source, settings, slots)
    elif source.kind == "file":
        document = from_bytes(source.data or b"", settings, password=source.password, slots=slots)
        if source.filename:
            document.metadata.setdefault("filename", source.filename)
    else:
        raise BadRequest("bad_source", f"Unknown input kind {source.kind!r}.")
    document = off_loop(bounds.bounded, document, settings.max_blocks)
    if not document.text.strip():
        raise BadRequest("empty_input", "The input has no text to summarize.")
    if len(document.text) > settings.max_chars:
        raise PayloadTooLarge(
            "too_many_chars",
            f"The document has {len(document.text)} characters of text; the limit (max_chars) "
            f"is {settings.max_chars}.",
        )
    return document


def from_bytes(data, settings, password=None, url=None, slots=None):
    """Read a file by what its bytes are: PDF, Word, PowerPoint, image, HTML, subtitles, Markdown or text;
    refuse anything else. Every file format but HTML and plain text is parsed in the sandbox."""
    if not data:
        raise BadRequest("empty_input", "The uploaded file is empty.")
    kind, description = off_loop(sniff.sniff, data)
    if kind == sniff.PDF:
        return sandbox.parse_in_child("pdf", data, settings, password=password, slots=slots)
    if kind in (sniff.DOCX, sniff.PPTX):
        zipguard.check_zip(
            data,
            max_unzipped_bytes=settings.max_unzipped_bytes,
            max_zip_ratio=settings.max_zip_ratio,
            kind=kind,
        )
        return sandbox.parse_in_child(kind, data, settings, slots=slots)
    if kind in (sniff.SUBTITLES, sniff.MARKDOWN, sniff.IMAGE):
        return sandbox.parse_in_child(kind, data, settings, slots=slots)
    if kind == sniff.HTML:
        return off_loop(html_format.extract, data, url=url)
    if kind == sniff.TEXT:
        return off_loop(text_format.extract_bytes, data)
    raise _refusal(description)


def _from_url(source, settings, slots):
    """Fetch the URL safely, then read the body by its content (and declared type for HTML)."""
    fetched = fetch.fetch(source.url or "", settings)
    kind, _ = sniff.sniff(fetched.data) if fetched.data else (None, "")
    declared = fetched.content_type.split(";", 1)[0].strip().lower()
    if kind in (sniff.HTML, sniff.TEXT) and (kind == sniff.HTML or "html" in declared):
        document = off_loop(html_format.extract, fetched.data, url=fetched.url,
                            charset=_charset(fetched.content_type))
    else:
        document = from_bytes(fetched.data, settings, password=source.password, url=fetched.url,
                              slots=slots)
    document.metadata["url"] = fetched.url
    return document


def _charset(content_type):
    """The charset a Content-Type header declares ("text/html; charset=iso-8859-1"), or None."""
    for parameter in content_type.split(";")[1:]:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            return value.strip().strip('"').lower()
    return None


def _refusal(description):
    """The 415/422 for a file the service does not read, saying what it looked like."""
    if description == "encrypted-ooxml":
        return UnprocessableDocument(
            "docx_encrypted",
            "This Office document is password-protected. Remove the password (Word: File > Info > "
            "Protect Document) and upload it again.",
        )
    if description == "legacy-doc":
        return UnsupportedMediaType(
            "legacy_doc", "This is an old binary Word file (.doc). Save it as .docx and try again."
        )
    return UnsupportedMediaType(
        "unsupported_type",
        f"This looks like {description}. Supported: PDF, Word (.docx/.docm/.dotx), "
        "PowerPoint (.pptx), HTML, WebVTT (.vtt), SubRip (.srt) and SubViewer (.sbv) transcripts, "
        "plain text, Markdown, and images of text (PNG, JPEG, TIFF, WebP, GIF; read by OCR).",
    )
