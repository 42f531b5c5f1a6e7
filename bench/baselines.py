"""The baselines of bench/quality.py: lead-k (the document's first k sentences) and TextRank (its
k most central sentences). The service itself uses summarizer/engine/salience.py.

TextRank (Mihalcea & Tarau, 2004): sentences are nodes, edges weigh shared content words
normalised by sentence length, and PageRank over that graph ranks the sentences most of the
document "agrees with".
"""

import math
from collections import defaultdict

from summarizer.engine import lexicon

DAMPING = 0.85
"""PageRank damping, as in the TextRank paper."""

ITERATIONS = 50
"""Power-iteration steps; rankings settle well before this on documents of thousands of sentences."""

MIN_WORDS, MAX_WORDS = 6, 60
"""Candidate sentences: shorter are fragments ("Yeah ."), longer are run-ons or tables."""

MAX_CANDIDATES = 1500
"""Most sentences ranked (the graph is quadratic); longer documents are sampled evenly."""


def lead(text, k):
    """The first `k` sentences of `text` (the lead-k baseline)."""
    return lexicon.sentences(text)[:k]


def central(text, k, *, exclude=()):
    """The `k` most central sentences of `text` by TextRank, in document order."""
    ranked = rank(text, exclude=exclude)
    return [sentence for _, sentence in sorted(ranked[:k])]


def rank(text, *, exclude=()):
    """[(position, sentence)] best first: TextRank over candidate sentences of `text`."""
    skip = set(exclude)
    everything = [s for s in lexicon.sentences(text) if s not in skip]
    candidates = [(i, s) for i, s in enumerate(everything)
                  if MIN_WORDS <= len(lexicon.words(s)) <= MAX_WORDS] or list(enumerate(everything))
    if len(candidates) > MAX_CANDIDATES:
        step = len(candidates) / MAX_CANDIDATES
        candidates = [candidates[int(n * step)] for n in range(MAX_CANDIDATES)]
    scores = _pagerank(_graph([set(lexicon.content_words(s)) for _, s in candidates]))
    order = sorted(range(len(candidates)), key=lambda n: (-scores[n], n))
    return [candidates[n] for n in order]


def _graph(term_sets):
    """Weighted adjacency lists: shared content words over the sum of log lengths (TextRank)."""
    postings = defaultdict(list)
    for node, terms in enumerate(term_sets):
        for term in terms:
            postings[term].append(node)
    edges = [defaultdict(float) for _ in term_sets]
    for node, terms in enumerate(term_sets):
        shared = defaultdict(int)
        for term in terms:
            for other in postings[term]:
                if other > node:
                    shared[other] += 1
        for other, count in shared.items():
            norm = math.log(len(terms) + 1) + math.log(len(term_sets[other]) + 1)
            edges[node][other] = edges[other][node] = count / norm
    return edges


def _pagerank(edges):
    """PageRank scores of a weighted undirected graph given as adjacency dicts."""
    size = len(edges)
    if not size:
        return []
    totals = [sum(e.values()) for e in edges]
    # Each edge's share of its source node's out-weight, computed once for all iterations.
    shares = [[(other, weight / totals[other]) for other, weight in e.items()] for e in edges]
    scores = [1.0 / size] * size
    for _ in range(ITERATIONS):
        scores = [(1 - DAMPING) / size + DAMPING * sum(scores[o] * w for o, w in share)
                  for share in shares]
    return scores
