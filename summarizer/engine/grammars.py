"""GBNF grammars that make llama.cpp produce only the shapes the summary types allow.

Sampling under a grammar cannot emit a token that breaks it: key points are at most N lines that
each start with "- ", a headline is one line of at most N words, a paragraph has no line break.
When the grammar is complete only end-of-text is allowed, so the count is a hard limit, not a
request. The guard still checks everything afterwards (a grammar cannot judge content).
"""

from summarizer import shapes

_START = r'[^ \n\r\t#*<>"-]'
"""First character of an item: not space, heading, emphasis, tag, quote or another bullet."""


def key_points(count):
    """1..`count` lines, each "- " + text + newline."""
    return "\n".join([
        f"root ::= {_up_to('item', '', count)}",
        f"item ::= \"- \" {_START} [^\\n\\r]* \"\\n\"",
    ]) + "\n"


def headline(max_words):
    """One line of 1..`max_words` words separated by single spaces."""
    return "\n".join([
        f"root ::= first {_up_to('word', ' ', max_words - 1)}" if max_words > 1 else "root ::= first",
        # Commas and colons only end a word: gluing words with them ("a,b,c") is not a way around
        # the word limit.
        f"first ::= {_START} [^ \\n\\r\\t,;:]* [,;:]?",
        "word ::= [^ \\n\\r\\t,;:]+ [,;:]?",
    ]) + "\n"


def paragraph():
    """One paragraph: no line break, no leading list or heading marker."""
    return f"root ::= {_START} [^\\n\\r]*\n"


def for_options(options, strict=False):
    """The grammar for `options`, or None where free text is better (a paragraph unless `strict`)."""
    kind, rules = shapes.TYPES[options.type].grammar, shapes.of(options)
    if kind == "bullets":
        return key_points(rules.items)
    if kind == "headline":
        return headline(rules.max_words)
    return paragraph() if strict else None


def _up_to(rule, separator, count):
    """GBNF for 1..`count` of `rule` (0..count when `separator`): nested optionals, which every
    llama.cpp grammar parser accepts (no {m,n} repetition needed)."""
    if count <= 0:
        return ""
    sep = f'"{separator}" ' if separator else ""
    inner = ""
    for _ in range(count - 1):
        inner = f"({sep}{rule} {inner})?".replace(" )", ")")
    body = f"{sep}{rule} {inner}".strip()
    return f"({body})?" if separator else body
