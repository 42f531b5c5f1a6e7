"""PDF with pypdf: the text layer page by page, each page a block located by {"page": n}.

Runs inside the parse child (see sandbox.py): pypdf has a history of loops and memory blow-ups on
crafted files, so the caller never runs this in the API or worker process. Pages whose text layer
is missing or garbage (pdfocr.is_garbage) are read by OCR (pdfocr.py) when the child was given
OCR options; a PDF in which neither finds text is refused with 422 `pdf_no_text`.
"""

import io
import logging
import re
from collections import Counter

import pypdf
from pypdf.errors import DependencyError, FileNotDecryptedError, LimitReachedError, PyPdfError

from summarizer.document import Block, Document
from summarizer.errors import PayloadTooLarge, UnprocessableDocument
from summarizer.extract import text as text_format

#: Bytes of non-whitespace tolerated after the last `%%EOF`: writers end the file with it, some
#: tools append a little junk; more than this is the start of content whose end was cut off.
EOF_SLACK = 1024

#: Lines at each end of a page where running headers and footers stand (title, chapter, page
#: number, copyright: often two or three lines, one above the other).
RUNNING_EDGE_LINES = 3

#: A line at a page's edge that recurs, page numbers aside, on at least this share of the pages
#: (and on RUNNING_MIN_PAGES of them) is a running header or footer: page furniture that was glued
#: to the first sentence of every page ("National Hydro Network, Data Model – Edition 1.0 2004-06
#: GeoBase® 7 2.1 LRS model ..."). A quarter, not a half, because books alternate their headers
#: between even pages (the book's title) and odd ones (the chapter's).
RUNNING_PAGE_SHARE = 0.25
RUNNING_MIN_PAGES = 3

_PAGE_NUMBERS = re.compile(r"\b(?:\d+|[ivxlcdm]+)\b", re.I)


def parse(data, *, password=None, max_pages, max_chars, ocr_options=None, **_ignored):
    """Read a PDF into a Document, or raise a SummarizerError saying why it cannot be read."""
    logging.getLogger("pypdf").setLevel(logging.ERROR)  # font warnings are noise per page
    if is_truncated(data):
        raise _truncated()
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        _unlock(reader, password)
        count = len(reader.pages)
        if count > max_pages:
            raise PayloadTooLarge(
                "too_many_pages",
                f"This PDF has {count} pages; the limit (max_pages) is {max_pages}.",
            )
        blocks, empty = _pages(reader, count, max_chars)
        blocks = _dehyphenated(_without_running_lines(blocks))
        metadata = _metadata(reader, count)
    except LimitReachedError:
        raise UnprocessableDocument(
            "pdf_stream_too_large",
            "A compressed stream in this PDF inflates beyond the parser's safety limit.",
        ) from None
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError,
            AssertionError, RecursionError, EOFError, OSError, ZeroDivisionError):
        raise UnprocessableDocument(
            "pdf_damaged", "This PDF is damaged and cannot be read; try re-saving it."
        ) from None
    if empty and ocr_options:
        blocks, empty = _with_ocr(data, blocks, empty, password, max_chars, ocr_options)
        metadata["ocr_pages"] = sorted({block.locator["page"] for block in blocks if "box" in block.locator})
    if not blocks:
        raise UnprocessableDocument(
            "pdf_no_text",
            "This PDF has no text layer and OCR found no text in its pages"
            if ocr_options else "This PDF has no text layer (a scan or images of text?).",
        )
    metadata["pages_without_text"] = empty
    return Document(title=metadata.pop("title", ""), blocks=blocks, metadata=metadata)


def _with_ocr(data, blocks, empty, password, max_chars, ocr_options):
    """The text-layer blocks plus the OCR of the `empty` pages, in page order; and the pages
    that are still without text. A scan (no text layer at all) is OCR'd whole or refused (413
    past max_ocr_pages, 422 ocr_unavailable); a PDF with text is never refused for its pages
    without: OCR reads the first max_ocr_pages of them, where Tesseract is installed."""
    from summarizer.extract import pdfocr

    wanted = empty[:ocr_options["max_pages"]] if blocks else empty
    try:
        read = pdfocr.read_pages(data, wanted, password=password, ocr_options=ocr_options,
                                 max_chars=max_chars - sum(len(block.text) for block in blocks))
    except UnprocessableDocument as error:
        if blocks and error.code == "ocr_unavailable":
            return blocks, empty
        raise
    blocks = sorted(blocks + read, key=lambda block: block.locator["page"])  # stable: keeps order
    found = {block.locator["page"] for block in read}
    return blocks, [number for number in empty if number not in found]


def is_truncated(data):
    """True when the file does not end with `%%EOF` (give or take EOF_SLACK bytes of junk)."""
    end = data.rfind(b"%%EOF")
    return end < 0 or len(data[end + 5:].strip(b"\x00\t\n\r\f ")) > EOF_SLACK


def _unlock(reader, password):
    """Decrypt with the given password, or with the empty user password many PDFs have."""
    if not reader.is_encrypted:
        return
    try:
        if password:
            if not reader.decrypt(password):
                raise UnprocessableDocument(
                    "pdf_wrong_password", "The password does not open this PDF."
                )
        elif not reader.decrypt(""):
            raise UnprocessableDocument(
                "pdf_encrypted", "This PDF is encrypted: send its password as `password`."
            )
    except (DependencyError, NotImplementedError):
        raise UnprocessableDocument(
            "pdf_encryption_unsupported", "This PDF uses an encryption the server cannot read."
        ) from None


def _pages(reader, count, max_chars):
    """One block per page with text; also the 1-based numbers of pages without any."""
    blocks, empty, total = [], [], 0
    for number in range(1, count + 1):
        try:
            raw = reader.pages[number - 1].extract_text() or ""
        except FileNotDecryptedError:
            raise UnprocessableDocument(
                "pdf_encrypted", "This PDF is encrypted: send its password as `password`."
            ) from None
        page_text = "\n".join(line.strip() for line in text_format.normalize(raw).split("\n"))
        page_text = page_text.strip()
        while "\n\n\n" in page_text:
            page_text = page_text.replace("\n\n\n", "\n\n")
        if not page_text or _garbage(page_text):
            empty.append(number)
            continue
        total += len(page_text)
        if total > max_chars:
            raise PayloadTooLarge(
                "too_many_chars",
                f"This PDF has more than {max_chars} characters of text (max_chars).",
            )
        blocks.append(Block(page_text, {"page": number}))
    return blocks, empty


def _without_running_lines(blocks):
    """The page blocks without their running headers and footers (RUNNING_PAGE_SHARE); a page
    that is nothing else (the same line on every page) keeps it."""
    pages = [block.text.split("\n") for block in blocks]
    edges = [_edge_keys(lines) for lines in pages]
    seen = Counter(key for keys in edges for key in set(keys.values()))
    needed = max(RUNNING_MIN_PAGES, RUNNING_PAGE_SHARE * len(blocks))
    running = {key for key, count in seen.items() if count >= needed and any(c.isalpha() for c in key)}
    if not running:
        return blocks
    kept = []
    for block, lines, keys in zip(blocks, pages, edges):
        text = "\n".join(line for n, line in enumerate(lines) if keys.get(n) not in running).strip()
        kept.append(Block(text, block.locator) if text else block)
    return kept


_LINE_END_HYPHEN = re.compile(r"([^\W\d_]+)-\n([^\W\d_]*[a-z][^\W\d_]*)")
"""A word broken at a line's end by a hyphen, its second part in lower case ("classifi-" /
"cation"); read as "classifi- cation" once the lines are joined."""


def _dehyphenated(blocks):
    """`blocks` with each word broken at a line's end joined again: with its hyphen where both
    parts are words the document writes elsewhere and the whole is not ("state-of-the-" / "art",
    "self-" / "supervised"), else without it ("classifi-" / "cation", "Ef-" / "fects": typeset text
    breaks words at syllables, and "Ef- fects" was a tl;dr's first word)."""
    vocabulary = Counter(word.lower() for block in blocks for word in re.findall(r"[^\W\d_]+", block.text))

    def joined(match):
        head, tail = match.group(1), match.group(2)
        # Each part is counted once where it was broken: a word is written elsewhere if counted twice.
        compound = vocabulary[head.lower()] > 1 and vocabulary[tail.lower()] > 1 and not vocabulary[(head + tail).lower()]
        return f"{head}-{tail}" if compound else head + tail

    return [Block(_LINE_END_HYPHEN.sub(joined, block.text), block.locator) for block in blocks]


def _edge_keys(lines):
    """{position: _running_key} of a page's first and last RUNNING_EDGE_LINES non-empty lines."""
    filled = [n for n, line in enumerate(lines) if line.strip()]
    return {n: _running_key(lines[n]) for n in filled[:RUNNING_EDGE_LINES] + filled[-RUNNING_EDGE_LINES:]}


def _running_key(line):
    """A line as it recurs from page to page: without its page number ("GeoBase® iv", "GeoBase® 7")."""
    return " ".join(_PAGE_NUMBERS.sub("#", line).lower().split())


def _garbage(page_text):
    from summarizer.extract.pdfocr import is_garbage  # one home for the rule, beside the OCR

    return is_garbage(page_text)


def _metadata(reader, count):
    """Title, author, date and page count, where the document info has them."""
    metadata = {"pages": count, "format": "pdf"}
    try:
        info = reader.metadata or {}
        fields = {"title": info.get("/Title"), "author": info.get("/Author")}
        date = info.creation_date if hasattr(info, "creation_date") else None
    except (PyPdfError, ValueError, TypeError, KeyError, AttributeError):
        return metadata
    for key, value in fields.items():
        if isinstance(value, str) and value.strip():
            metadata[key] = text_format.normalize(value).strip()
    if date is not None:
        metadata["date"] = date.isoformat()
    return metadata


def _truncated():
    """The 422 for a file cut short."""
    return UnprocessableDocument(
        "pdf_truncated", "This PDF is truncated (its end is missing); upload the complete file."
    )
