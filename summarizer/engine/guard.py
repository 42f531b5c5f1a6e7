"""The hard rules around the model's output: shape, repetition, filler, echoes and injections.

`enforce(raw, options, source=...)` repairs what it can (filler stripped, bullets normalised and
capped, Markdown removed from plain text, a loop cut, items that obey an instruction planted in the
document dropped) and reports what it could not (`problems`: empty, too short, mostly a loop); the
recovery policy (recovery.py) retries or falls back on those. `LoopDetector` sees the same loops
while tokens stream, so a looping model is stopped instead of running to its token budget.
"""

import dataclasses
import re

from summarizer.engine import furniture, grounding, injection, lexicon, obedience, prompts
from summarizer import shapes
from summarizer.engine.loops import LoopDetector, loop_start, near_duplicate  # noqa: F401 - guard API

MIN_WORDS = 3
"""Fewer words than this is not a summary of any type (a headline needs a subject and a verb)."""

PLAIN_BULLET = "• "
"""Bullet of plain-text key points: a list the reader can see, but no Markdown list syntax."""

MARKDOWN_BULLET = "- "

OFF_SOURCE_SCORE = 0.25
"""A summary none of whose items has even a quarter of its (IDF-weighted) content words in the
document is about something else ("Okay, the document is about nature."): degenerate. Not applied
when `output_language` is set, since a translation shares no words with its source."""

ECHO_SHARE = 0.6
"""An item whose content words are mostly the prompt's own (and more so than the document's) is an
echo of the instructions, not a summary."""

# Repeated: a small model numbers its bullets ("- 1. Security"), and the number is not content.
_BULLET = re.compile(r"^\s*(?:(?:[-*•+–]|\d{1,2}[.)]|\(\d{1,2}\))\s+)+")
_SPACE_BEFORE_PUNCTUATION = re.compile(r"(?<=\w)\s+(?=[.,;:!?](?:\s|$))")
"""" ." copied from tokenized sources (QMSum transcripts write "the project ."); not the reader's text."""
_HEADING = re.compile(r"^\s*#{1,6}\s*")
_LABEL = re.compile(
    r"^\s*(?:\*\*|__)?(?:the\s+)?(?:summary|key\s+points|main\s+points|headline|teaser|tl;?\s?dr|title"
    r"|bullet\s+points|zusammenfassung|résumé|resumen)(?:\s+of\s+the\s+(?:document|text|article))?"
    r"\s*(?:\*\*|__)?\s*[:\-–]\s*(?:\*\*|__)?", re.I)
_GARBLED = re.compile(r"(?<!\S)(?!\S*(?:://|@))(?=\S{20})(?=\S*[^\W\d_])\S*?[^\W_][,;:.][^\W_]+[,;:.][^\W_]\S*")
"""A long run of words glued by punctuation without spaces: what a weak model writes when a grammar
or its own sampling fails it. URLs and e-mail addresses are exempt."""
_META = re.compile(r"\b(?:summary|summari[sz]e|document|sentences?|bullets?|instructions?|headline)\b", re.I)
_TAGS = re.compile(r"[<{\[]\s*/?\s*document(?:\s+⟦[0-9a-f]{4}⟧)?\s*[>}\]]", re.I)
_HTML = re.compile(r"</?(?:em|strong|b|i|u|s|p|br|hr|span|div|a|h[1-6]|ul|ol|li|sup|sub|code|pre|"
                   r"blockquote|mark|small|del|ins|font|table|tr|td|th)\b[^<>]{0,80}?/?>", re.I)
"""An HTML tag (<em>, </p>, <br/>, <a href=...>): a small model writes markup no format asks for,
and an unclosed "<em>" opened a teaser in the Markdown panel. The elements of text formatting
and structure, a closed class; a name in angle brackets ("<The Palace: Tale of Jang Noksu>",
a page's title) is text."""
_YES = (r"(?:sure|certainly|of course|absolutely|okay|ok|great|alright|gerne|natürlich|klar"
        r"|selbstverständlich|d['’]accord|bien sûr|volontiers|claro|por supuesto|vale|desde luego)")
_HERE = r"(?:here(?:'s| is| are)|hier (?:ist|sind)|voici|voilà|aquí (?:tienes|está|están|hay|va))"
_FILLER = re.compile(
    rf"^[¡¿]?(?:{_YES}\b\s?[!.,]?\s*)?(?:{_HERE}\b[^.:!\n]*|as an ai\b.*|i(?:'m| am) (?:sorry|an ai|happy|glad)\b.*"
    r"|i hope (?:this|that|it) helps\b.*|let me know\b.*|(?:please )?feel free\b.*"
    rf"|is there anything else\b.*|(?:i )?(?:can|could) (?:you|i) (?:help|assist)\b.*|{_YES}\b)\s?[.:!?]?$", re.I)
_FILLER_PREFIX = re.compile(
    rf"^[¡¿]?(?:{_YES}\s?[!,.]\s*)?(?:(?:in summary|to summarize|in short|overall|zusammenfassend|en résumé"
    rf"|en resumen)[,:]|{_HERE}\b[^.:!\n]*:)\s*|^[¡¿]?{_YES}\s?[!,.]\s+", re.I)


@dataclasses.dataclass
class Checked:
    """The guarded summary: its text, its items, what was repaired and what could not be."""

    text: str
    items: list
    repairs: list = dataclasses.field(default_factory=list)
    problems: list = dataclasses.field(default_factory=list)

    @property
    def degenerate(self):
        """True when the output is unusable even after repair: recover (retry or fall back)."""
        return bool(self.problems)

    def to_dict(self):
        return {"repairs": self.repairs, "problems": self.problems}


def enforce(raw, options, *, source="", finished=True, index=None):
    """Repair `raw` model output into a summary of `options`' type, length and format.

    `source` is the document text (finds planted instructions, checks the summary is about it;
    `index`, a grounding.SourceIndex of it, saves rebuilding one per attempt); `finished` is False
    when the model hit its token budget, so a cut-off last item is dropped.
    """
    checked = Checked("", [])
    index = index or (grounding.SourceIndex([source]) if source else None)
    units = _units(raw, options, checked)
    if index is not None and index.title:
        units = _without_title(units, index.title, checked)
    units = _drop_unwanted(units, options, source, index, checked)
    # An answer cut by the token budget ends mid-sentence; a headline has no closing punctuation.
    if not finished and units and shapes.of(options).unit != "line" and not re.search(r"[.!?…\"'”’)]$", units[-1]):
        units = units[:-1]
        checked.repairs.append("dropped_cut_off")
    checked.items = _shape(units, options, checked)
    checked.text = render(checked.items, options)
    if not checked.items:
        checked.problems.append("empty")
    elif len(lexicon.words(checked.text)) < MIN_WORDS:
        checked.problems.append("too_short")
    elif source and not options.output_language:
        content = _content_index(index)
        if max(content.support(item).score for item in checked.items) < OFF_SOURCE_SCORE:
            checked.problems.append("off_source")
    return checked


def _content_index(index):
    """The index of what the document says, without the instructions planted in it: a summary
    that only echoes those is not about the document."""
    if not index.planted:
        return index
    return grounding.SourceIndex([s for s in index.sentences if s not in index.planted])


def items(text, options):
    """The items of an already-guarded summary: bullets, sentences, or the headline."""
    return enforce(text, options).items


def render(items, options):
    """Summary text for `items` in the type and format of `options`."""
    if shapes.of(options).unit == "bullet":
        bullet = MARKDOWN_BULLET if options.format == "markdown" else PLAIN_BULLET
        return "\n".join(bullet + item for item in items)
    return " ".join([_closed(item) for item in items[:-1]] + items[-1:])


def _units(raw, options, checked):
    """Lines (key-points, headline) or sentences (tldr, teaser) of `raw`, de-looped and unlabelled."""
    unit = shapes.of(options).unit
    text = prompts.unmarked(_TAGS.sub("", raw.replace("```", ""))).strip()
    if _HTML.search(text):
        checked.repairs.append("stripped_markup")
        text = _HTML.sub("", text)
    cut = loop_start(text)
    if cut is not None:
        checked.repairs.append("cut_loop")
        if cut < len(text) / 2:
            checked.problems.append("loop")
        text = re.sub(r"\s*(?:[-*•+]|\d{1,2}[.)])?\s*$", "", text[:cut])  # no dangling bullet
    # Headings are labels ("## Key points") except in a headline, where one may be the answer.
    lines = [_HEADING.sub("", line).strip() for line in text.split("\n")
             if unit == "line" or not _HEADING.match(line)]
    if unit == "bullet":
        units = _bullets(lines)
    elif unit == "line":
        units = [line for line in lines if line]
    else:
        units = lexicon.sentences("\n".join(_BULLET.sub("", line) for line in lines))
    return [u for u in (_SPACE_BEFORE_PUNCTUATION.sub("", _LABEL.sub("", u)).strip() for u in units) if u]


def violations(text, options):
    """What in `text` breaks the rules of `options` (an independent check of enforce's output)."""
    found = []
    rules = shapes.of(options)
    lines = text.split("\n")
    if not text.strip():
        found.append("empty")
    if rules.unit == "bullet":
        bullet = MARKDOWN_BULLET if options.format == "markdown" else PLAIN_BULLET
        if len(lines) > rules.items:
            found.append("too_many_items")
        if not all(line.startswith(bullet) for line in lines):
            found.append("not_a_bullet")
    elif "\n" in text:
        found.append("not_one_line")
    if rules.max_words and len(text.split()) > rules.max_words:
        found.append("too_many_words")
    if rules.unit == "sentence" and len(lexicon.sentences(text)) > rules.items:
        found.append("too_many_sentences")
    body = "\n".join(line.removeprefix(PLAIN_BULLET) for line in lines)
    if options.format == "plain-text" and (strip_markdown(body) != body.strip() or "**" in body):
        found.append("markdown_in_plain_text")
    if _HTML.search(text):
        found.append("html_tag")
    if _TAGS.search(text):
        found.append("document_tag")
    return found


def _bullets(lines):
    """Bullet items; wrapped lines join their bullet; text with no bullets is split into sentences."""
    if not any(_BULLET.match(line) for line in lines):
        return lexicon.sentences(" ".join(lines))
    units = []
    for line in lines:
        if _BULLET.match(line):
            units.append(_BULLET.sub("", line))
        elif line and units and line[0].islower():
            units[-1] += " " + line
        elif line and not line.endswith(":"):
            units.append(line)
    return units


def _drop_unwanted(units, options, source, index, checked):
    """Without filler, repeats, echoed instructions and anything a planted instruction asked for."""
    planted = index.instruction_terms if source and index is not None else set()
    prompt_terms = set(lexicon.content_words(prompts.instructions(options)))
    source_terms = set(lexicon.content_words(source))
    kept, seen = [], []
    for unit in units:
        unit = _FILLER_PREFIX.sub("", _ungarbled(unit, checked)).strip()
        key = lexicon.content_words(unit)
        if not unit or _FILLER.match(unit.strip("*_ ")):
            checked.repairs.append("dropped_filler")
        elif any(near_duplicate(key, other) for other in seen):
            checked.repairs.append("dropped_repeat")
        elif planted & {w.lower() for w in lexicon.words(unit)} or (source and injection.addresses_model(unit)):
            checked.repairs.append("dropped_injected")
        elif _echoes(key, prompt_terms, source_terms) or (
                index and _META.search(unit) and index.support(unit).score < OFF_SOURCE_SCORE):
            # The second: talks about "the document" or "the summary" but not about its content.
            checked.repairs.append("dropped_echo")
        elif _furniture(unit, options):
            checked.repairs.append("dropped_furniture")
        elif source and obedience.disobeys(unit, source, index, options):
            checked.repairs.append("dropped_obeyed")  # does what only a planted instruction asks
        else:
            kept.append(unit)
            seen.append(key)
    repeats = checked.repairs.count("dropped_repeat")
    if repeats >= max(2, len(kept)):
        checked.problems.append("loop")  # more repeated than said: the model was stuck
    return kept


def _furniture(unit, options):
    """Whether the model's `unit` is page furniture (a prompt to the reader, a line in capitals)
    or a fragment too short to state anything (furniture.py); a headline may be a phrase."""
    why = furniture.reason(unit)
    if why == "no_clause":
        return shapes.of(options).unit != "line" and len(lexicon.words(unit)) < furniture.FRAGMENT_WORDS
    return why is not None


def _without_title(units, title, checked):
    """Units without a copy of the document's title glued to their start ("Title Body text..."),
    which a small model writes when it reads the title as the first sentence."""
    head = lexicon.words(title)
    if len(head) < 3:
        return units
    kept = []
    for unit in units:
        found = lexicon.words(unit)
        if [w.lower() for w in found[:len(head)]] == [w.lower() for w in head] and len(found) > len(head) + 2:
            end = [m.end() for m in re.finditer(r"[^\W_]+(?:['’][^\W_]+)*", unit)][len(head) - 1]
            unit = unit[end:].lstrip(" :.-–—|")
            checked.repairs.append("dropped_title")
        kept.append(unit)
    return kept


def _ungarbled(unit, checked):
    """`unit` up to its first garbled token (a small model's "compris,196.3.3.4,unit.cour")."""
    match = _GARBLED.search(unit)
    if not match:
        return unit
    checked.repairs.append("cut_garbled")
    words = trimmed(unit[:match.start()].split())
    return " ".join(words) if len(words) >= MIN_WORDS else ""


def trimmed(words):
    """A cut run of words that does not end on a function word ("... es el", "... quoted The") or
    a comma: of English where the words are English (lexicon.english: "the man", "in the war" and
    "a son" end an English cut, whatever "man", "war" and "son" are in German or Spanish). A
    capitalized one after a capitalized word is part of a name and stays ("Scottish League Two",
    "Plan A"); "I" never is. The one rule for every cut: the guard's cap and the preview's
    headline (preview.headline)."""
    words = list(words)
    function = lexicon.ENGLISH_STOPWORDS if lexicon.english(words) else lexicon.STOPWORDS
    while len(words) > 1 and words[-1].lower().strip(",;:") in function and not \
            (words[-1] != "I" and words[-1][:1].isupper() and words[-2][:1].isupper()):
        words.pop()
    return words[:-1] + [words[-1].rstrip(",;:-–")] if words else words


def _shape(units, options, checked):
    """Cap count and length per type/length; strip Markdown where the format says plain text."""
    if options.format == "plain-text" or shapes.of(options).unit != "bullet":
        stripped = [strip_markdown(u) for u in units]
        if stripped != units and options.format == "plain-text":
            checked.repairs.append("stripped_markdown")
        units = [u for u in stripped if u]
    rules = shapes.of(options)
    if len(units) > rules.items:
        checked.repairs.append("capped_items")
        units = units[:rules.items]
    if rules.max_words and units:
        units = [_headline(units[0], rules.max_words, checked)]
    return [u for u in units if u]


def _closed(sentence):
    """A sentence of a paragraph with its closing stop before the next one: a page's standfirst
    or a transcript's turn has none, and it ran into the next ("... to contract medieval disease
    A HUNTER who killed and ate ..."). The item itself stays the source's words."""
    return sentence if lexicon.stopped(sentence) else sentence.rstrip(" ,;:–-") + "."


_QUOTES = "\"'“”‘’"
"""Quotation marks a model puts around a whole headline."""

_PAIRED = {"\"": "\"", "'": "'", "“": "”", "”": "“", "‘": "’", "’": "‘"}
"""The mark that pairs with each quotation mark (its closing one, or its opening one)."""


def _headline(line, max_words, checked):
    """One line of at most `max_words` words, without the quotes around it or a closing period. A
    quote that closes a quotation inside the line stays ("... high taxes are 'immoral'")."""
    line = line.strip().strip("*_").rstrip(".").strip()
    if len(line) > 1 and line[0] in _QUOTES and line[-1] in _QUOTES:
        line = line[1:-1]  # a headline the model put in quotes
    # A quotation cut short opens and never closes (or closes what never opened): no mark then.
    if line[:1] in _QUOTES and _PAIRED[line[0]] not in line[1:]:
        line = line[1:]
    if line[-1:] in _QUOTES and _PAIRED[line[-1]] not in line[:-1]:
        line = line[:-1]
    line = line.rstrip(".,;:-– ").strip()
    parts = line.split()
    if len(parts) > max_words:
        checked.repairs.append("capped_words")
        line = " ".join(trimmed(parts[:max_words]))
    return line


def strip_markdown(text):
    """`text` without Markdown syntax: emphasis, code, links, headings, quotes, bullet markers."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)
    text = re.sub(r"(?<![\w*])[*_](\S(?:.*?\S)?)[*_](?![\w*])", r"\1", text)
    text = re.sub(r"`+([^`]*)`+", r"\1", text)
    text = _BULLET.sub("", _HEADING.sub("", re.sub(r"^\s*>\s?", "", text)))
    return re.sub(r"\s{2,}", " ", text.replace("**", "").replace("`", "")).strip()


def _echoes(key, prompt_terms, source_terms):
    """True when an item restates the instructions rather than the document."""
    if len(key) < 2:
        return False
    from_prompt = sum(w in prompt_terms for w in key) / len(key)
    from_source = sum(w in source_terms for w in key) / len(key)
    return from_prompt >= ECHO_SHARE and from_prompt > from_source
