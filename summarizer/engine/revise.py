"""Every item backed by the source: the last step between the model's guarded answer and the reader.

Each item is checked against the document (grounding: its words and its facts). A supported item
stays. An unsupported one is replaced by the document's own sentence that carries what it was
about (with that sentence's citation), or dropped in strict mode, and the result says which. Items
that say the same thing twice, or that would quote the same sentence twice, are merged. An answer
in another language than the document's (output_language) cannot be checked word by word: its
items stay, marked unverified. An answer to a question may hold its items to one more rule
(`unsaid`, engine/query.py's): a supported item that leaves out what its sources say about the
question gives way to the source that says it, replaced like an unsupported one.
"""

from summarizer import shapes
from summarizer.engine import candidates, grounding, guard, lexicon, preview
from summarizer.engine.loops import near_duplicate

FILL_OVERLAP = 0.5
"""A salient sentence fills a free place only if less than this share of its words is said by an
item already: otherwise it repeats the item."""

REPLACE_MIN_SCORE = 0.3
"""An unsupported item whose best source sentence carries at least this share of its (IDF-weighted)
words is a distortion of that sentence, which takes its place; below it the item is about nothing
the document says and is dropped (a weak match would put an unrelated sentence in its place)."""


def revise(items, document, options, index, *, translated=False, fill=(), unsaid=None):
    """(citations, summary text) for the model's `items` held to the source. When fewer items are
    left than the summary's shape asks for, sentences of `fill` (the document's most salient, best
    first) that say something new take the free places, marked "extracted". `unsaid(item, quotes)`:
    of the sentences a supported item cites, those that say what it should have and does not, best
    first (none: it stays); the first that can stand in takes its place."""
    rules = shapes.of(options)
    kept, used, seen = [], set(), []
    labels = None  # a heading or a caption never stands in for an item; found once one is replaced
    for item in items:
        if any(near_duplicate(lexicon.content_words(item), other) for other in seen):
            continue  # the model said it twice
        entry = grounding.citation(len(kept), item, index)
        if not entry["supported"] and not translated:
            if options.strict:
                continue
            labels = candidates.labels(index) if labels is None else labels
            entry = _replacement(entry, item, index, rules, used, _distorted(item, index, labels))
            if entry is None:
                continue
        elif unsaid and not translated:  # a supported item: the branch above took the others
            instead = unsaid(item, [s["quote"] for s in entry["sources"]])
            entry = _replacement(entry, item, index, rules, used, instead) or entry
        key = lexicon.content_words(entry["text"])
        if any(near_duplicate(key, other) for other in seen):
            continue
        seen += [key, lexicon.content_words(item)]
        used.update(s["quote"] for s in entry["sources"][:1])
        kept.append(entry)
    if not options.strict and not translated:
        kept += _filled(kept, fill, index, rules, used, seen)
    if rules.unit == "bullet":  # key points read in the document's order
        kept.sort(key=lambda entry: _position(entry, index))
    for number, entry in enumerate(kept):
        entry["item"] = number
    return kept, guard.render([c["text"] for c in kept], options)


def _distorted(item, index, labels):
    """The source sentences an unsupported `item` may be a distortion of, best first, but the
    lines that label rather than state (`labels`: candidates.labels, which the preview and the
    fill leave out too: "Meal Prep for A Little More Obsessed", a page's heading, was a key point
    in place of the model's)."""
    for sentence, score in index.support(item).ranked:
        if score < REPLACE_MIN_SCORE:
            return
        if sentence not in labels:
            yield index.sentences[sentence]


def _replacement(entry, item, index, rules, used, quotes):
    """The citation of the first of the source sentences `quotes` that can stand in for
    `item` (readable, not planted, not quoted already, supported as cleaned), or None. A headline
    is only a cut that ends where a phrase does (preview.headline_cut): without one, the model's
    headline goes and its place is filled (`_filled`) from the document's most salient sentences
    ("... drew a South Dakota-sized" was a replacement through the service)."""
    for quote in quotes:
        if quote in used or quote in index.planted or not candidates.readable(quote):
            continue
        text, at_phrase = (preview.headline_cut(quote, rules.max_words, index) if rules.max_words
                           else (preview.clean(quote, index), True))
        if text is None or not at_phrase:
            continue
        replaced = grounding.citation(entry["item"], text, index, status="replaced")
        if not replaced["supported"]:
            continue
        replaced.update(status="replaced", original=item)
        return replaced
    return None


def _filled(kept, fill, index, rules, used, seen):
    """Citations of `fill` sentences for the places the model's items left free. A headline's
    takes a headline cut from the sentence, as a replacement does: the first that ends where a
    phrase does (preview.headline_cut), as the preview's choice does, and a cut at the word limit
    only where none does."""
    shown = {sentence: preview.headline_cut(sentence, rules.max_words, index) if rules.max_words
             else (sentence, True) for sentence in fill}  # (its text as an item, ends at a phrase)
    free = (rules.items if rules.unit == "bullet" else rules.extract_items) - len(kept)
    added = []
    for sentence in sorted(fill, key=lambda sentence: not shown[sentence][1]):
        if len(added) >= free:
            break
        key, text = lexicon.content_words(sentence), shown[sentence][0]
        if text is None or sentence in used or not key or any(_covered(key, other) for other in seen):
            continue
        entry = grounding.citation(0, text, index, status="extracted")
        if entry["supported"]:
            added.append(entry)
            seen.append(key)
            used.add(sentence)
    return added


def _covered(key, other):
    """Whether most of the words of `key` are said already by `other`."""
    return len(set(key) & set(other)) >= FILL_OVERLAP * len(set(key))


def _position(entry, index):
    """Where in the document an item's best source is (items without one go last)."""
    quote = entry["sources"][0]["quote"] if entry["sources"] else None
    return index.position(quote) if quote else len(index.sentences)


def replaced_share(citations):
    """Share of items that are the document's sentences in place of the model's (0 for none)."""
    return sum(c.get("status") == "replaced" for c in citations) / len(citations) if citations else 0.0
