"""Bounds on what a document may carry besides its text: the title, the metadata, the locators and
the number of blocks. One home for them, applied where a Document is made from client bytes (the
parse child before it answers, extract.dispatch for the readers that run in the API).

Each of these is copied: the title into every prompt and the `/extract` answer, a locator into
every citation, a heading into the locator of every block under it. A 3.6-million-character
`dc:title` in a 1 MB .pptx held the API 11 s; a 10,000-character heading over 10,000 short
paragraphs made a 79 KB text a 100 MB answer and a 100 MB Redis key (issue 23). Text is what a
summary is of, and max_chars bounds it; these bound what rides along.
"""

from summarizer.document import Block, Document
from summarizer.errors import PayloadTooLarge

MAX_TITLE_CHARS = 300
"""A title longer than this is a paragraph, not a title."""

MAX_FIELD_CHARS = 120
"""Longest string kept in metadata (author, language, speakers) or in a locator (a heading, a
speaker): a label, shown beside a citation. Each block's locator repeats the heading it falls
under, so this times max_blocks bounds what locators add to an answer (2.4 MB)."""

MAX_URL_CHARS = 4096
"""The metadata's `url` (where a fetched page ended up): long query strings are real; browsers
cut far longer ones, and 4 KiB is what the page fetcher itself accepts of a Location."""

MAX_LIST_ITEMS = 100
"""Most items of a metadata list (the speakers of a transcript)."""

ELLIPSIS = "\u2026"


def cut(text, limit):
    """`text` at most `limit` characters, marked with an ellipsis where it was cut."""
    return text if len(text) <= limit else text[:limit - 1].rstrip() + ELLIPSIS


def bounded(document, max_blocks):
    """`document` with its title, metadata and locator strings cut to their bounds; 413
    `too_many_blocks` when it has more than `max_blocks` blocks."""
    if len(document.blocks) > max_blocks:
        raise PayloadTooLarge(
            "too_many_blocks",
            f"The document has {len(document.blocks)} paragraphs (or cues, or pages); the limit "
            f"(max_blocks) is {max_blocks}. Split it, or join its short lines into paragraphs.")
    blocks = [Block(block.text, _field(block.locator)) for block in document.blocks]
    metadata = _field({k: v for k, v in document.metadata.items() if k != "url"})
    if isinstance(document.metadata.get("url"), str):
        metadata["url"] = cut(document.metadata["url"], MAX_URL_CHARS)
    return Document(cut(str(document.title or ""), MAX_TITLE_CHARS), blocks, metadata)


def _field(value):
    """A metadata or locator value with every string cut and every list shortened."""
    if isinstance(value, str):
        return cut(value, MAX_FIELD_CHARS)
    if isinstance(value, dict):
        return {cut(str(key), MAX_FIELD_CHARS): _field(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_field(item) for item in value[:MAX_LIST_ITEMS]]
    return value
