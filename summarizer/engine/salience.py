"""Which sentences of a document matter: a salience score for every sentence, and selections of the
best ones without repeats, by count (the preview) or by a token budget (what the model reads).

The score of a sentence is its centrality (cosine of its TF-IDF vector with the whole document's,
as in centroid summarizers) raised by closeness to the title and to the start of the document
(authors put what matters first; news most of all). Redundancy is removed with maximal marginal
relevance (Carbonell & Goldstein, 1998): each pick is the best sentence that is not too like the
ones already picked. Linear in the document's length, so a 100k-token document is ranked in well
under a second in the API process (no graph of all sentence pairs, unlike TextRank).
"""

import dataclasses
import math
import re
import statistics
from collections import Counter

from summarizer import shapes
from summarizer.engine import candidates, lexicon

POSITION_HALF_LIFE = 3
"""Position prior: the sentence this many sentences into the document keeps half of the lead
bonus (1 + LEAD_BONUS at the start, falling as exp(-ln 2 * sentence number / half life)): authors
of news, papers and reports state the point in their opening sentences, however long the
document is. A half-life counted as a share of the document (a quarter, before) gave the tenth
sentence of a 200-sentence report 87% of the first one's bonus and the fiftieth half. Chosen
among a few priors, none fitted per set or document, on the whole development half
(bench/README.md, "Summary quality on the whole development half", bench/lead_prior.py): the
preview's ROUGE-1 rose on CNN/DM, XSum and SciTLDR alike; a larger LEAD_BONUS helps CNN/DM and
costs XSum and SciTLDR. A meeting transcript gets no prior (TRANSCRIPT_LENGTH_POWER)."""

LEAD_BONUS = 0.5
"""How much the first sentence's score is multiplied up (x1.5 at the start) in prose, for a
summary of one sentence (shapes.shown_alone) and where no shape is given (a question's ranking
starts from it)."""

LIST_LEAD_BONUS = 1.0
"""The lead bonus (x2 at the start) for a summary of several sentences or items: key points and
paragraphs restate a document's main points, which news, papers and reports state first, in
order; a summary of one sentence is its gist, chosen by what the sentence carries (`gist`).
Measured on the whole development half (bench/README.md, "Where a summary's items come from"):
with `closeness` weighing where items come from, CNN/DM's key points rise above lead-3; the one
sentence of XSum's and SciTLDR's tl;drs keeps LEAD_BONUS, since XSum's articles lost their first
sentence to be its reference (a stronger prior costs it 0.9 of the preview's ROUGE-1)."""

TRANSCRIPT_LENGTH_POWER = 0.5
"""In a transcript (grounding.SourceIndex.transcript), where a sentence comes says little
(greetings first, decisions anywhere) and longer turns say more: no lead bonus, and a sentence's
score is multiplied by its word count to this power instead. Both the words and the weighted words
of a transcript's sentence are what is said (SourceIndex.said): its speaker's label, in every
turn of the speaker, and the fillers every speaker says made a short turn as central as a long
one."""

GIST_LENGTH_POWER = 0.5
"""A summary of one sentence (a short tl;dr or teaser) ranks prose sentences by what they carry:
the score (a cosine, which measures how focused a sentence is on the document, not how much of it
the sentence holds) times its word count to this power, as a transcript's turns are (`gist`). Of
two equally central sentences, the longer states more of the gist; a list has several items to
carry it and keeps the plain score. Chosen among 0.3-1.0 on the whole development half
(bench/README.md, "A summary of one sentence carries the most it can"): the lowest power at which
XSum's summaries reached TextRank's (from 1.0 below; level with it, 18.51 against 18.54, since
glued sentences are split), with SciTLDR's 0.45 lower and still 2.3 above it; the power
transcripts have. 0.3 has the better sum over the two sets."""

_TITLE_PARTS = re.compile(r"\s+[|–—-]\s+")
"""Where a page's title joins its headline and its site's name ("The Festival | Inexhibit",
"Story - Site"): the page's first line is often the headline alone, as its heading."""

TITLE_WEIGHT = 0.5
"""Weight of a sentence's similarity to the title, added to its centrality."""

MMR_POOL = 400
"""Candidates MMR considers, best first: enough to fill any selection that fits a context, few
enough that picking stays fast on a 100k-token document (each pick compares with every pick)."""

REDUNDANCY = 0.6
"""MMR trade-off: a candidate's score is reduced by this times its similarity to the closest
sentence already picked; at 0.6 a near-copy of a picked sentence is never picked."""


@dataclasses.dataclass
class Sentence:
    """A sentence of the document and where it is."""

    index: int
    """Position among the document's sentences (grounding.SourceIndex.sentences)."""
    text: str
    locator: dict
    vector: dict = dataclasses.field(default_factory=dict, repr=False)
    score: float = 0.0


def sentences_of(index):
    """The document's sentences (of a grounding.SourceIndex) in order, with their locators,
    without a sentence that only repeats the title, or the title without the site's name."""
    title_keys = [Counter(lexicon.content_words(part))
                  for part in [index.title, *_TITLE_PARTS.split(index.title)]]
    return [Sentence(n, text, index.locators[n]) for n, text in enumerate(index.sentences)
            if not any(key and index.counts[n] == key for key in title_keys)]


def rank(index, options=None):
    """Every candidate Sentence of the document (a grounding.SourceIndex) with its score, best
    first, for a summary shaped by `options` (`lead_bonus`). Planted instructions are still among
    them: `pick` leaves them out."""
    every = sentences_of(index)
    labels = candidates.labels(index)
    usable = [s for s in every if candidates.readable(s.text) and not candidates.heading(s)
              and s.index not in labels] or every
    if not usable:
        return []
    relevance = _Relevance(index, usable, _vectorize(usable, index))
    bonus = lead_bonus(options)
    for sentence in usable:
        if index.transcript:
            length = len(index.said_words[sentence.index])
            sentence.score = relevance(sentence.vector) * length ** TRANSCRIPT_LENGTH_POWER
        else:
            sentence.score = relevance(sentence.vector) * _prior(sentence.index, bonus)
    return sorted(usable, key=lambda s: (-s.score, s.index))


def lead_bonus(options):
    """The lead bonus of a summary shaped by `options`: LIST_LEAD_BONUS for several sentences or
    items, LEAD_BONUS for one or no shape given."""
    return LEAD_BONUS if options is None or shapes.shown_alone(options) else LIST_LEAD_BONUS


def _prior(number, bonus):
    """The position prior of the document's sentence `number` (POSITION_HALF_LIFE)."""
    return 1 + bonus * math.exp(-math.log(2) * number / POSITION_HALF_LIFE)


def gist(ranked, index):
    """`ranked` (as `rank` gives it) reordered for a summary of one sentence: `standalone`, and
    scores times word count to GIST_LENGTH_POWER (GIST_LENGTH_POWER says why), as copies; a
    transcript's ranking already weighs its turns' length and is returned as it is."""
    if index.transcript:
        return ranked
    return _reweighed(standalone(ranked, index), lambda s: len(lexicon.words(s.text)) ** GIST_LENGTH_POWER)


def standalone(ranked, index):
    """`ranked` with a sentence that opens by referring back (lexicon.refers_back) scored below
    every other, in its order, as copies: shown without what precedes it, a summary of one
    sentence or a headline takes one only where no other is usable. Not a transcript's turns."""
    if index.transcript:
        return ranked
    return _reweighed(ranked, lambda s: _BELOW if lexicon.refers_back(s.text) else 1.0)


def _reweighed(ranked, weight):
    """Copies of `ranked` with each score times `weight(sentence)`, best first."""
    weighed = [dataclasses.replace(s, score=s.score * weight(s)) for s in ranked]
    return sorted(weighed, key=lambda s: (-s.score, s.index))


_BELOW = 1e-6
"""Puts a score below any of a sentence that stands alone (a cosine times some dozen words)."""


def pick(ranked, index, count=None, budget=None, cost=None, usable=None):
    """The best sentences without repeats (MMR) and without planted instructions, at most `count`
    of them, or as many as fit `budget` when each costs `cost(sentence)`; in document order.
    `usable(sentence)`, when given, must hold of every sentence picked."""
    chosen, spent = [], 0
    pool = list(ranked[:MMR_POOL])
    while pool and (count is None or len(chosen) < count):
        best = max(pool, key=lambda s: s.score - REDUNDANCY * _closest(s, chosen))
        pool.remove(best)
        if index.is_planted(best.index) or (usable and not usable(best)):
            continue
        if budget is not None:
            price = cost(best)
            if spent + price > budget:
                continue  # a shorter one further down may still fit
            spent += price
        if _closest(best, chosen) < 0.95:
            chosen.append(best)
    return sorted(chosen, key=lambda s: s.index)


def closeness(index, ranked, summaries, options):
    """How close each of `summaries` (each a list of items) is to the document as a whole (its
    candidate sentences `ranked`), so that a summary and the document's own best sentences are
    compared as sentences are: the relevance `rank` ranks them by (`_Relevance`), title included
    (bench/README.md, "The title counts in the choice"), times the position prior of where their
    items come from for the shape `options` asks (`_weight`)."""
    relevance = _Relevance(index, ranked, _idf(ranked, index))
    return [relevance(relevance.vector(" ".join(items))) * _weight(items, index, options)
            for items in summaries]


def _weight(items, index, options):
    """Several items of prose: the mean position prior (`rank`) of the sentences they come from
    (their best match, grounding.SourceIndex.check), so a summary the model wrote from the
    document's later sentences weighs as the preview's sentences from there would. Not a summary
    of one sentence, which the model fuses from several (its place is none of theirs; weighing
    its length as `gist` does instead moved XSum +0.45 and SciTLDR -1.22, bench/README.md), nor
    a transcript's, which has no position prior."""
    if shapes.shown_alone(options) or index.transcript or not items:
        return 1.0
    bonus = lead_bonus(options)
    return statistics.fmean(_prior(found.ranked[0][0], bonus) if found.ranked else 1.0
                            for found, _ in map(index.check, items))


class _Relevance:
    """How relevant a TF-IDF vector is to a document: its cosine with the centroid of the
    document's candidate `sentences` (vectorized), plus TITLE_WEIGHT times its cosine with the
    title's vector; one scale for sentences (`rank`) and whole summaries (`closeness`)."""

    def __init__(self, index, sentences, idf):
        self.idf = idf
        self.centroid = _normalized(_sum(s.vector for s in sentences))
        self.title = self.vector(index.title)

    def vector(self, text):
        return _normalized(_tfidf(Counter(lexicon.content_words(text)), self.idf))

    def __call__(self, vector):
        return _cosine(vector, self.centroid) + TITLE_WEIGHT * _cosine(vector, self.title)


def _closest(sentence, chosen):
    return max((_cosine(sentence.vector, other.vector) for other in chosen), default=0.0)


def _vectorize(sentences, index):
    """Give `sentences` L2-normalised TF-IDF vectors (IDF over the sentences themselves); returns
    the IDF."""
    idf = _idf(sentences, index)
    for sentence in sentences:
        sentence.vector = _normalized(_tfidf(index.said[sentence.index], idf))
    return idf


def _idf(sentences, index):
    """IDF of every term of `sentences` (of `index`), over those sentences themselves."""
    counts = Counter(term for s in sentences for term in index.said[s.index])
    size = len(sentences)
    return {term: math.log((size + 1) / (n + 0.5)) + 1.0 for term, n in counts.items()}


def _tfidf(tf, idf):
    return {term: (1 + math.log(n)) * idf.get(term, 0.0) for term, n in tf.items() if idf.get(term)}


def _sum(vectors):
    total = Counter()
    for vector in vectors:
        total.update(vector)
    return dict(total)


def _normalized(vector):
    norm = math.sqrt(sum(v * v for v in vector.values()))
    return {k: v / norm for k, v in vector.items()} if norm else {}


def _cosine(a, b):
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(k, 0.0) for k, v in a.items())
