"""Plain text and Markdown: decode, normalise whitespace, repair cheap mojibake, keep paragraphs."""

import codecs
import re
import textwrap
import unicodedata

import charset_normalizer

from summarizer.document import Block, Document

_BLANK_LINES = re.compile(r"\n[ \t\f\v\u00a0\u3000]*\n\s*")
_INNER_SPACES = re.compile(r"(?<=\S)[ \t\f\v\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
# C0/C1 controls and zero-width characters carry no text; tabs and newlines are kept.
_INVISIBLE = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\u200b\u200c\u200e\u200f\u2060\ufeff\ufffe]")
_MD_HEADING = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$")

# UTF-8 read as cp1252/latin-1. Only the tell-tale lead characters are repaired: "Â"/"Ã" (Latin-1
# range), "Ð"/"Ñ" (Cyrillic) and "â" + two (punctuation, euro), each followed by what cp1252 shows
# for continuation bytes. Other lead characters (é, à...) start too many legitimate sequences.
_CP1252_HIGH = "\u20ac\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u017d" \
    "\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u017e\u0178"
_CONT = "[\u0080-\u00bf" + _CP1252_HIGH + "]"
_MOJIBAKE = re.compile(f"[\u00c2\u00c3\u00d0\u00d1]{_CONT}|\u00e2{_CONT}{_CONT}")


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
    return data.decode(_guess_encoding(data[:262144]), "replace")


def _guess_encoding(sample):
    """charset_normalizer's guess; among equally plausible ones, cp1252 (the commonest legacy one)."""
    matches = charset_normalizer.from_bytes(sample)
    best = matches.best()
    if best is None:
        return "cp1252"
    tied = [match.encoding for match in matches if match.chaos <= best.chaos + 0.01]
    return "cp1252" if "cp1252" in tied else best.encoding


def repair_mojibake(text):
    """Undo UTF-8 that was decoded as cp1252/latin-1 ("Ã©" -> "é"), only where the undo is exact."""
    if not _MOJIBAKE.search(text):
        return text
    return _MOJIBAKE.sub(_unmangle, text)


def _unmangle(match):
    """One suspicious run back to the UTF-8 character it was, or unchanged when it was not one."""
    run = match.group(0)
    try:
        raw = bytes(_cp1252_byte(char) for char in run)
        return raw.decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return run


def _cp1252_byte(char):
    """The byte a cp1252 (or, for its five holes, latin-1) decoder turned into `char`."""
    try:
        return char.encode("cp1252")[0]
    except UnicodeEncodeError:
        return ord(char)  # > 255 raises ValueError in bytes(): not mojibake


def normalize(text):
    """NFC, one newline style, no invisible characters, single inner spaces, no trailing spaces."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _INVISIBLE.sub("", repair_mojibake(text))  # repair first: it needs the C1 characters
    lines = (_INNER_SPACES.sub(" ", line).rstrip() for line in text.split("\n"))
    return "\n".join(lines)


def paragraphs(text):
    """Normalised paragraphs (blank-line separated); indentation inside one is kept for Markdown."""
    chunks = _BLANK_LINES.split(normalize(text))
    return [textwrap.dedent(chunk).strip() for chunk in chunks if chunk.strip()]


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
