"""The shape rules as the README promises them, written out here independently of
summarizer/shapes.py, so a wrong entry in that table fails the tests instead of passing them; and
`breaks()`, which checks a summary against them with definitions of its own (a plain sentence
count, a real Markdown parser), not summarizer's helpers (guard.violations, guard.strip_markdown,
lexicon.sentences): a rule checked with the code under test's own measure passes whatever that
measure gets wrong."""

import re

from markdown_it import MarkdownIt

KEY_POINTS = {"short": 3, "medium": 5, "long": 7}
"""Most bullets of a key-points summary (Chrome's Summarizer API)."""

HEADLINE_WORDS = {"short": 12, "medium": 17, "long": 22}
"""Most words of a headline (Chrome's Summarizer API)."""

PARAGRAPH_SENTENCES = {"short": 1, "medium": 3, "long": 6}
"""Most sentences of a tl;dr or teaser: one; two or three; four to six."""

EXTRACT_SENTENCES = {"short": 1, "medium": 2, "long": 4}
"""Sentences of an extractive tl;dr or teaser: the lower end of each range (extracted sentences
are long)."""

COMMONMARK = MarkdownIt("commonmark")
"""A real Markdown parser (CommonMark, raw HTML on): what a client's renderer would see."""

SENTENCE_END = re.compile(r"[.!?…]+[\"'’”)\]]*(?=\s|$)")
"""End punctuation (with closing quotes or brackets) before a space or the end: a plain count, no
abbreviation list, which is enough for the test texts (they have no "e.g." or "U.S.")."""

FUNCTION_WORDS = {"a", "an", "the", "of", "and", "or", "but", "to", "in", "on", "at", "by", "for",
                  "with", "from", "as", "into", "than", "that", "which", "is", "are", "was", "were",
                  "be", "will", "has", "have", "its", "their", "his", "her"}
"""Words a headline cannot end on: it would read cut off."""

_PLAIN_INLINE = {"text", "softbreak"}
_PLAIN_BLOCKS = {"paragraph_open", "paragraph_close", "inline"}


def sentence_count(text):
    """Sentences in `text`: end punctuation, plus a last sentence left without any."""
    ends = list(SENTENCE_END.finditer(text))
    tail = text[ends[-1].end():] if ends else text
    return len(ends) + bool(re.search(r"\w", tail))


def _top_blocks(tokens):
    return [token.type for token in tokens if token.level == 0 and token.nesting == 1]


def _has_markup(tokens):
    """Anything the parser reads as Markdown: a block other than a paragraph, or inline markup
    (emphasis, code, links, escapes, hard breaks, HTML)."""
    inline = [child.type for token in tokens if token.type == "inline" for child in token.children]
    return any(t.type not in _PLAIN_BLOCKS for t in tokens) or not set(inline) <= _PLAIN_INLINE


def breaks(text, kind, length, fmt):
    """The README's rules that `text`, a summary of `kind`/`length`/`fmt`, breaks (a list of
    names, [] when it keeps them all)."""
    if not text.strip():
        return ["empty"]
    found, lines, tokens = [], text.split("\n"), COMMONMARK.parse(text)
    if kind == "key-points":
        bullet = "- " if fmt == "markdown" else "• "
        if len(lines) > KEY_POINTS[length]:
            found.append("too_many_items")
        if not all(line.startswith(bullet) and line[len(bullet):].strip() for line in lines):
            found.append("not_a_bullet")
        items = sum(token.type == "list_item_open" and token.level == 1 for token in tokens)
        if fmt == "markdown" and (_top_blocks(tokens) != ["bullet_list_open"] or items != len(lines)):
            found.append("not_one_list")
    else:
        if "\n" in text:
            found.append("not_one_line")
        if _top_blocks(tokens) != ["paragraph_open"]:
            found.append("not_a_paragraph")  # a heading, list, quote or code block
    if kind == "headline":
        words = text.split()
        if len(words) > HEADLINE_WORDS[length]:
            found.append("too_many_words")
        if words[-1].lower().strip(".,;:!?\"'") in FUNCTION_WORDS:
            found.append("cut_off_headline")
    if kind in ("tldr", "teaser") and sentence_count(text) > PARAGRAPH_SENTENCES[length]:
        found.append("too_many_sentences")
    if fmt == "plain-text" and _has_markup(tokens):
        found.append("markdown_in_plain_text")
    if any(t.type.startswith("html") for t in tokens) or \
            any(c.type.startswith("html") for t in tokens if t.children for c in t.children):
        found.append("markup_tag")
    return found
