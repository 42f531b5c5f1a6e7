"""Plain text and Markdown: decode, normalise whitespace, repair cheap mojibake, keep paragraphs."""

import codecs
import re
import unicodedata

import charset_normalizer

from summarizer.document import Block, Document

_BLANK_LINES = re.compile(r"\n[ \t\f\v\u00a0\u3000]*\n\s*")
_INNER_SPACES = re.compile(r"(?<=\S)[ \t\f\v\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
# C0/C1 controls and zero-width characters carry no text; tabs and newlines are kept.
_INVISIBLE = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\u200b\u200c\u200e\u200f\u2060\ufeff\ufffe]")
_MD_HEADING = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$")

# UTF-8 read as cp1252/latin-1: a lead byte (U+00C2-U+00F4) followed by continuation bytes, which
# cp1252 shows as U+0080-U+00BF or as one of its smart punctuation substitutes.
_CP1252_HIGH = "\u20ac\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u017d" \
    "\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u017e\u0178"
_MOJIBAKE = re.compile("[\u00c2-\u00f4][\u0080-\u00bf" + _CP1252_HIGH + "]{1,3}")


def decode(data):
    """Bytes to str: BOM first, then UTF-8, then charset detection, then cp1252 as a last resort."""
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                          (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(encoding, "replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    best = charset_normalizer.from_bytes(data[:262144]).best()
    encoding = best.encoding if best is not None else "cp1252"
    return data.decode(encoding, "replace")


def repair_mojibake(text):
    """Undo UTF-8 that was decoded as cp1252/latin-1 ("Ã©" -> "é"), only where the undo is exact."""
    if not _MOJIBAKE.search(text):
        return text
    return _MOJIBAKE.sub(_unmangle, text)


def _unmangle(match):
    """One suspicious run back to what UTF-8 meant, or unchanged when it was not mojibake."""
    run = match.group(0)
    for encoding in ("cp1252", "latin-1"):
        try:
            return run.encode(encoding).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
    return run


def normalize(text):
    """NFC, one newline style, no invisible characters, single inner spaces, no trailing spaces."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = repair_mojibake(_INVISIBLE.sub("", text))
    lines = (_INNER_SPACES.sub(" ", line).rstrip() for line in text.split("\n"))
    return "\n".join(lines)


def paragraphs(text):
    """Normalised paragraphs (blank-line separated); indentation inside one is kept for Markdown."""
    chunks = _BLANK_LINES.split(normalize(text))
    return [chunk.strip("\n").rstrip() for chunk in chunks if chunk.strip()]


def extract(text, title=""):
    """Each paragraph is a block located by its index, and by the Markdown heading it falls under."""
    blocks, heading = [], None
    for index, paragraph in enumerate(paragraphs(text)):
        match = _MD_HEADING.match(paragraph.split("\n", 1)[0])
        if match:
            heading = match.group(2)
            if index == 0 and not title:
                title = heading
        locator = {"paragraph": index}
        if heading:
            locator["heading"] = heading
        blocks.append(Block(paragraph, locator))
    return Document(title=title, blocks=blocks, metadata={})


def extract_bytes(data, title=""):
    """Decode an uploaded text file, then extract it like pasted text."""
    return extract(decode(data), title=title)
