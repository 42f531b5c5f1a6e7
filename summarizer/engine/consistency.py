"""Whether a summary item says what its source sentences say: signals of word order, phrasing and
facts, combined by weights learned from people's judgments of factual errors.

Word overlap alone lets through the errors readers cannot see: "Stewart expressed interest in new
director Paul Downton" uses only words of its source, but the source has Stewart wanting the job
Downton was sacked from. What gives such an item away is how it was put together: an item copied
in one piece from the document is what the document says; one stitched from short pieces taken
from far apart, in another order, with a word of modality or role the source sentence lacks, is
often not. `signals` measures that for one item against its best one or two source sentences (the
*window*, grounding.SourceIndex.support) and against the whole document; `probability` combines
the signals with the weights in consistency_weights.py, which `bench/factuality_train.py` fits
(plain logistic regression) on FRANK's validation split (../shared/corpus/factuality: 671 system
summaries of CNN/DM and XSum articles with human labels) and writes. No model, no network: a
dot product per item.
"""

import math

from summarizer.engine import consistency_weights
from summarizer.engine.lexicon import content_words, words

FAMILIES = {
    "modality": frozenset("will would could may might can should must shall expected likely "
                          "possible possibly perhaps reportedly allegedly".split()),
    "tense": frozenset("has have had been".split()),
    "role": frozenset("former new current ex late then future previous next acting interim".split()),
}
"""Small words that change a claim without changing its topic: an item using one of a family whose
window uses none ("will face further action" from "faced no further action", "new director" from
"former director") says something its source does not."""

FAR = 40
"""Tokens between two consecutive pieces of an item in the document beyond which the item joins
what the document says apart (different clauses or sentences): the place where who did what to
whom gets swapped."""

FACT_CAP = 2
"""Missing facts counted per kind at most: a third missing number says nothing a second did not."""


def tokens(text):
    """Lower-cased words of `text`, apostrophes split off ("Kilmarnock's" and the tokenised
    "kilmarnock 's" of many summarizers' output agree)."""
    found = []
    for word in words(text.lower().replace("’", "'")):
        found.extend(part for part in word.split("'") if part)
    return found


def signals(item, index, found, gaps):
    """The named signals of `item` (see consistency_weights.FEATURES) against `index` (a
    grounding.SourceIndex), given its support `found` and the facts it states that its sources
    lack (`gaps`, facts.missing)."""
    item_tokens = tokens(item)
    window = [t for n in sorted(found.used) for t in index.sentence_tokens(n)]
    terms = content_words(item)
    weight = sum(index.weight(t) for t in terms) or 1.0
    pieces = index.pieces(item_tokens)
    length = len(item_tokens) or 1
    joins = list(zip(pieces, pieces[1:]))
    return {
        "support": found.score,
        "unseen": sum(index.weight(t) for t in terms if t not in index.postings) / weight,
        "bigrams_in_window": _shared(_ngrams(item_tokens, 2), _ngrams(window, 2)),
        "trigrams_in_window": _shared(_ngrams(item_tokens, 3), _ngrams(window, 3)),
        "common_subsequence": _lcs(item_tokens, window) / length,
        "order_kept": _order_kept(terms, content_words(" ".join(index.sentences[n] for n in sorted(found.used)))),
        "missing_numbers": min(FACT_CAP, sum(g[:1].isdigit() for g in gaps)),
        "missing_names": min(FACT_CAP, sum(not g[:1].isdigit() and not g.startswith("relation:") for g in gaps)),
        "missing_relations": min(FACT_CAP, sum(g.startswith("relation:") for g in gaps)),
        "new_modality": sum(bool(set(item_tokens) & f) and not set(window) & f for f in FAMILIES.values()),
        "log_length": math.log(len(item_tokens) + 1),
        "sentences_used": len(found.used),
        "pieces_per_word": len(pieces) / length,
        "in_long_pieces": sum(p.length for p in pieces if p.length >= 3) / length,
        "longest_piece": max((p.length for p in pieces), default=0) / length,
        "far_joins": sum(b.start < a.end or b.start - a.end > FAR for a, b in joins) / (len(joins) or 1),
        "short_pieces": sum(p.length <= 2 for p in pieces) / (len(pieces) or 1),
    }


def probability(values):
    """How likely people would call an item with these `signals` consistent with its source."""
    z = consistency_weights.BIAS + sum(
        consistency_weights.WEIGHTS[name] * (values[name] - consistency_weights.MEANS[name])
        / consistency_weights.SCALES[name] for name in consistency_weights.FEATURES)
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def _ngrams(sequence, n):
    return {tuple(sequence[i:i + n]) for i in range(len(sequence) - n + 1)}


def _shared(mine, theirs):
    """Share of `mine` found in `theirs` (1.0 when there is nothing to find)."""
    return len(mine & theirs) / len(mine) if mine else 1.0


def _lcs(first, second):
    """Length of the longest common subsequence of two token lists."""
    if not first or not second:
        return 0
    previous = [0] * (len(second) + 1)
    for token in first:
        current = [0]
        for j, other in enumerate(second):
            current.append(previous[j] + 1 if token == other else max(previous[j + 1], current[j]))
        previous = current
    return previous[-1]


def _order_kept(terms, window_terms):
    """Share of pairs of the item's content words that the window has in the same order (1.0 when
    fewer than three are shared): "A beat B" against "B beat A"."""
    first = {}
    for position, term in enumerate(window_terms):
        first.setdefault(term, position)
    places = [first[t] for t in dict.fromkeys(terms) if t in first]
    if len(places) < 3:
        return 1.0
    pairs = [(a, b) for i, a in enumerate(places) for b in places[i + 1:]]
    return sum(a < b for a, b in pairs) / len(pairs)
