"""Markdown files (.md): the text a reader sees, without the markup, in blocks located by paragraph
and by the heading they fall under. Runs inside the parse child (see sandbox.py) like every
uploaded file format; pasted text keeps going through text.py.

Links and images keep their words (not their URLs), emphasis and code marks go, YAML front matter
gives the title, fenced code stays as text (a question may be about a command) without its fences.
"""

import re

from summarizer.document import Block, Document
from summarizer.errors import UnprocessableDocument
from summarizer.extract import text as text_format

_FRONT_MATTER = re.compile(r"\A---\n(.*?)\n(?:---|\.\.\.)\n", re.S)
_ATX = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)\s*$")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_RULE = re.compile(r"^ {0,3}([-*_])(?:\s*\1){2,}\s*$")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_REFERENCE = re.compile(r"^ {0,3}\[[^\]]+\]:\s+\S+")
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\[[^\]]*\])")
_AUTOLINK = re.compile(r"<(https?://[^>\s]+)>")
_EMPHASIS = re.compile(r"(\*\*|\*|~~)(?=\S)(.+?)(?<=\S)\1|(?<!\w)(__|_)(?=\S)(.+?)(?<=\S)\3(?!\w)")
"""Emphasis marks; underscores only at word edges, so snake_case names keep theirs."""
_CODE = re.compile(r"`+([^`]+)`+")
_HTML_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
_QUOTE = re.compile(r"^ {0,3}>\s?")

SIGNALS = (
    re.compile(r"^#{1,6}[ \t]+\S", re.M),  # ATX heading
    re.compile(r"^\S.*\n(?:=+|-+)[ \t]*$", re.M),  # setext heading
    re.compile(r"^(?:```|~~~)", re.M),  # code fence
    re.compile(r"\[[^\[\]\n]{1,300}\]\([^()\s]{1,500}\)"),  # inline link
    re.compile(r"^[ \t]*[-*+][ \t]+\S", re.M),  # bullet
    re.compile(r"\*\*[^\s*](?:[^*\n]{0,300}[^\s*])?\*\*|__[^\s_](?:[^_\n]{0,300}[^\s_])?__"),  # strong
    re.compile(r"^[ \t]*\|.*\|[ \t]*\n[ \t]*\|?[ \t]*:?-{3,}", re.M),  # table
)
"""Marks only Markdown makes: a text with two different ones, or a first line that is a heading,
is read as Markdown. Each pattern runs on client bytes in the API's one event loop, so each is
linear: no class that can run over the text its own delimiters open (the link's text, "anything
but ]", was scanned to the end of the line from every "[": 30 s for 64 KiB of "["), no run of
whitespace that crosses lines (23 s for 64 KiB of " \\n"), and bounded runs inside a mark."""

SNIFF_CHARS = 16384
"""Characters of a text file looked at to tell Markdown from plain text: marks show in the first
screens of any Markdown file, and the cost on the event loop stays a few milliseconds."""

FIRST_LINE_CHARS = 1000
"""Characters of the first line tried as an ATX heading: a longer one is not a title, and _ATX's
lazy run with trailing marks is quadratic on a long line of "# # # ..."."""


def looks_like(text):
    """Whether decoded text is Markdown (see SIGNALS); plain prose shows at most one of them."""
    sample = text[:SNIFF_CHARS]
    first = sample.lstrip("\ufeff").split("\n", 1)[0]
    if len(first) <= FIRST_LINE_CHARS and _ATX.match(first):
        return True
    return sum(bool(signal.search(sample)) for signal in SIGNALS) >= 2


def parse(data, *, max_chars, **_ignored):
    """Read a Markdown file into a Document, or raise 422 when it has no text."""
    source = text_format.normalize(text_format.decode(data))
    title, source = _front_matter(source)
    blocks, heading, total = [], None, 0
    for number, (kind, content) in enumerate(_paragraphs(source)):
        if kind == "heading":
            heading = content
            title = title or content
        locator = {"paragraph": number}
        if heading:
            locator["heading"] = heading
        total += len(content)
        if total > max_chars:
            break
        blocks.append(Block(content, locator))
    if not blocks:
        raise UnprocessableDocument("markdown_no_text", "This Markdown file contains no text.")
    return Document(title=title, blocks=blocks, metadata={"format": "markdown"})


def _front_matter(source):
    """(title from YAML front matter or "", the text without the front matter)."""
    match = _FRONT_MATTER.match(source)
    if not match:
        return "", source
    title = next((line.split(":", 1)[1].strip().strip("\"'") for line in match.group(1).split("\n")
                  if line.lower().startswith("title:")), "")
    return title, source[match.end():]


def _paragraphs(source):
    """("heading" | "text", plain text) for each heading and paragraph, in order."""
    paragraph, fenced = [], False
    lines = source.split("\n")
    for number, line in enumerate(lines):
        if _FENCE.match(line):  # a code block is a paragraph of its own
            yield from _flush(paragraph)
            fenced = not fenced
            continue
        if fenced:
            paragraph.append(line)
            continue
        following = lines[number + 1] if number + 1 < len(lines) else ""
        atx = _ATX.match(line)
        if atx or (line.strip() and _SETEXT.match(following) and not paragraph):
            yield from _flush(paragraph)
            yield "heading", inline(atx.group(2) if atx else line.strip())
            continue
        if not line.strip() or _RULE.match(line) or _SETEXT.match(line):
            yield from _flush(paragraph)
        elif not (_TABLE_RULE.match(line) or _REFERENCE.match(line)):
            paragraph.append(_QUOTE.sub("", line))
    yield from _flush(paragraph)


def _flush(paragraph):
    text = "\n".join(inline(line) for line in paragraph).strip()
    paragraph.clear()
    if text:
        yield "text", text


def inline(line):
    """A line without inline markup: images and links keep their words, marks go."""
    line = _IMAGE.sub(r"\1", line)
    line = _LINK.sub(r"\1", line)
    line = _AUTOLINK.sub(r"\1", line)
    line = _CODE.sub(r"\1", line)
    line = _HTML_TAG.sub("", line)
    for _ in range(3):  # nested emphasis (***x***) takes more than one pass
        line = _EMPHASIS.sub(lambda m: m.group(2) or m.group(4), line)
    return line.rstrip()
