"""Every rule of a summary's shape, in one table: what each type and length may be.

The prompts, the grammars, the guard, the extractive summaries (preview and fallback), the option
lists of the front-ends and the OpenAPI description all read this module, so a rule is changed in
one place. Adding a summary type is one `SummaryType` entry (and its tests).

Counts follow Chrome's Summarizer API where it names them (3/5/7 key points, 12/17/22-word
headlines); sentence counts follow the wording the model is given ("one sentence", "two or three",
"four to six").
"""

import dataclasses

LENGTHS = ("short", "medium", "long")
FORMATS = ("markdown", "plain-text")
DEPTHS = ("fast", "thorough")
FOCUSES = ("document", "changes")
"""What a summary is of: the document as it reads, or its changes (changes/summary.py). Not in
`catalogue`: a front-end asks for changes with a button of its own (the Word pane's "Summarize
changes"), not a select that would offer them for pages that have no tracked changes."""

LENGTH_LABELS = {"short": "Short", "medium": "Medium", "long": "Long"}
FORMAT_LABELS = {"markdown": "Markdown", "plain-text": "Plain text"}
DEPTH_LABELS = {
    "fast": ("Fast", "One model call over the most important sentences: quick on any length."),
    "thorough": ("Thorough", "Every part of a long document summarized, then combined: slower."),
}


@dataclasses.dataclass(frozen=True)
class Shape:
    """The rules for one type at one length."""

    unit: str
    """What an item is: "bullet" (one line each), "sentence" (one paragraph), "line" (one line)."""
    items: int
    """Most items the summary may have (bullets, sentences, or 1 for a headline)."""
    answer_tokens: int
    """Generated-token budget: room for the longest valid answer, and a bound on what a looping
    model can cost."""
    extract_items: int
    """Sentences of an extractive summary of this shape (preview and fallback). Extracted
    sentences are long, so a paragraph takes the lower bound of its sentence range."""
    max_words: int = 0
    """Most words of the whole summary (headlines); 0: no word limit."""
    spec: str = ""
    """How the prompt names the length ("one short paragraph of two or three sentences")."""


@dataclasses.dataclass(frozen=True)
class SummaryType:
    """A kind of summary: its label in the front-ends, what the model is asked, and its shapes."""

    label: str
    description: str
    task: str
    """The request to the model; `{items}`, `{spec}`, `{words}` and `{list}` are filled from the
    shape and the format."""
    grammar: str
    """"bullets", "headline", or "paragraph"; a paragraph grammar only binds on the strict retry,
    since free text is better prose when the model behaves."""
    shapes: dict


_PARAGRAPH = {
    "short": ("exactly one sentence", 1, 1),
    "medium": ("one short paragraph of two or three sentences", 3, 2),
    "long": ("one paragraph of four to six sentences", 6, 4),
}
"""spec, most sentences, extractive sentences: shared by the one-paragraph types."""


def _paragraph_shapes(tokens):
    return {length: Shape("sentence", cap, tokens[length], extract, spec=spec)
            for length, (spec, cap, extract) in _PARAGRAPH.items()}


TYPES = {
    "key-points": SummaryType(
        "Key points", "The most important points as a list.",
        "the {items} most important points of the document as {list}, one sentence per point",
        "bullets", {
            "short": Shape("bullet", 3, 160, 3),
            "medium": Shape("bullet", 5, 260, 5),
            "long": Shape("bullet", 7, 360, 7),
        }),
    "tldr": SummaryType(
        "TL;DR", "The gist in a sentence or a short paragraph.",
        "a summary of {spec} that gives the gist of the document", "paragraph",
        _paragraph_shapes({"short": 80, "medium": 160, "long": 260})),
    "teaser": SummaryType(
        "Teaser", "What makes the document worth reading, without giving everything away.",
        "a teaser of {spec} that draws the reader into the document without giving everything away",
        "paragraph", _paragraph_shapes({"short": 80, "medium": 160, "long": 260})),
    "headline": SummaryType(
        "Headline", "One line, like a news headline.",
        "one headline for the document, at most {words} words, on one line", "headline", {
            "short": Shape("line", 1, 40, 1, max_words=12),
            "medium": Shape("line", 1, 50, 1, max_words=17),
            "long": Shape("line", 1, 60, 1, max_words=22),
        }),
}
"""The summary types, in the order the front-ends list them."""

TYPE_ALIASES = {"tl;dr": "tldr", "keypoints": "key-points", "key_points": "key-points"}

NOTES_TYPE, NOTES_LENGTH = "key-points", "medium"
"""The notes a map step writes on one part of a long document are held to the rules of this type
and length (up to five bullets), like a summary."""

NOTES_ANSWER_TOKENS = 192
"""Generated-token budget of the notes on one part: about five short facts. Less than a medium
key-points summary's, since notes need no polish and every map call pays for them."""


def shape(summary_type, length):
    """The Shape of `summary_type` at `length`."""
    return TYPES[summary_type].shapes[length]


def of(options):
    """The Shape that `options` (anything with .type and .length) asks for."""
    return shape(options.type, options.length)


def shown_alone(options):
    """Whether a summary shaped by `options` is one line or one sentence, read without the
    document around it: a headline, or a tl;dr or teaser whose extract is one sentence."""
    rules = of(options)
    return bool(rules.max_words) or (rules.unit != "bullet" and rules.extract_items == 1)


def list_wording(options):
    """How a task names a list in the format of `options` (the `{list}` of a task)."""
    if options.format == "markdown":
        return "a Markdown bullet list, each line starting with '- '"
    return "a list, each point on its own line starting with '- '"


def task(options):
    """What to write, in one sentence the model can follow."""
    kind, rules = TYPES[options.type], of(options)
    return kind.task.format(items=rules.items, spec=rules.spec, words=rules.max_words,
                            list=list_wording(options))


def answer_tokens(options, cap=0):
    """Tokens to allow for the answer, at most `cap` when one is set."""
    budget = of(options).answer_tokens
    return min(budget, cap) if cap else budget


def catalogue(depth="fast"):
    """The option lists the front-ends show: values, labels and defaults, from this table;
    `depth` is the server's default depth (a setting)."""
    return {
        "type": {"default": "key-points", "values": [
            {"value": name, "label": kind.label, "description": kind.description}
            for name, kind in TYPES.items()]},
        "length": {"default": "short", "values": [
            {"value": name, "label": LENGTH_LABELS[name]} for name in LENGTHS]},
        "format": {"default": "markdown", "values": [
            {"value": name, "label": FORMAT_LABELS[name]} for name in FORMATS]},
        "depth": {"default": depth, "values": [
            {"value": name, "label": DEPTH_LABELS[name][0], "description": DEPTH_LABELS[name][1]}
            for name in DEPTHS]},
    }
