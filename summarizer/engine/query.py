"""Which sentences answer a question: BM25 of every sentence to the query, spread to its neighbours
and combined with salience, and whether the document answers the question at all.

BM25 (Robertson & Zaragoza, 2009) over the document's own sentences, on the same folded content
words every rule counts (lexicon.py), so "budgets" meets "budget". A transcript answers in the
turns around the one that names the topic, so relevance spreads to neighbours, halving per step.
Salience keeps a small share of the score: among sentences equally on the question, the one that
matters to the document first. Linear in the document's length like salience.py: a 50k-token
transcript is ranked in the API process for the preview, in well under a second.

What a sentence says about the question is the specific words it puts next to the question's
topic words (`said_about`): an answer that repeats the question and none of them has not
answered it (`unsaid`, issue 25.6).
"""

import dataclasses
import math

from summarizer.engine import facts, lexicon, salience, speech

BM25_K1, BM25_B = 1.2, 0.75
"""BM25's usual term-saturation and length-normalisation constants."""

QUERY_WEIGHT = 0.8
"""Share of a sentence's score that is its relevance to the query (scaled to the best sentence);
the rest is its salience (scaled alike)."""

NEIGHBOUR_DECAY = 0.5
NEIGHBOURS = 2
"""Relevance reaches this many sentences either side, times NEIGHBOUR_DECAY per step: the
answer to "what did they decide about X" is often the turn after the one that names X."""

MIN_COVERAGE = 0.25
"""The document answers a query when one of its most relevant sentences (TOP_SENTENCES), with
NEIGHBOURS sentences either side, carries at least this share of the query's IDF-weighted topic
words, and MIN_TERMS_MET of those the document uses. Near each other: a common topic word in one
turn and the specific ones in turns far apart ("budget" here, "experiments" there) are no answer
to "What budget did they approve for the experiments?". A word the document never uses weighs the
most, so a question about a topic the document does not mention falls below it however many of
its common words appear. Measured on QMSum's specific queries (`python bench/query.py
--coverage-sweep 0.2,0.25,0.3`, no model): 216 of 237 are answered on their own meeting and 217 of
230 refused when asked of a meeting of another series (0.2: 219 and 209; 0.3: 204 and 222); the
earlier rule (the words anywhere in the five sentences, at 0.35) answered 212 and refused 208.
What the model writes is checked against the source anyway (revise.py)."""

MIN_TERMS_MET = 2
"""Distinct topic words of the query that must meet in one sentence and its neighbours (all of
those the document uses, if fewer): one word alone, however rare, is the topic of a turn, not the
answer to a question that names two things the document speaks of ("the budget for the
experiments")."""

TOP_SENTENCES = 5
"""How many of the most relevant sentences the coverage is read from."""

ANSWER_REACH = 3
"""Content words either side of a question's topic word that make up what a sentence says about
it: the object, name or number a clause puts next to its topic ("we interviewed, uh, Jane Smith
for the wizard" says "Jane Smith" of "interview ... wizard"); farther words are the turn's other
business."""

STOCK_SHARE = 0.03
STOCK_MIN = 3
"""A word in more of the document's sentences than this share (and than STOCK_MIN, and than the
question's topic word beside it) is the document's stock, not what a sentence says about the
question: in QMSum meetings the fillers and speakers' labels are in 3-35% of the sentences ("uh"
10-24%, "yeah" 8-21%, "hmm", "mm" 3-9%, "grad" 35-51%), the nouns of their topics in 2-4%
("data", "button", "remote"). A short document has no stock: a name there recurs in two or three
of its sentences."""

ASKING_WORDS = frozenset(lexicon.fold(w) for w in """
summarize summarise summary summaries discuss discussed discussion discussions talk talked say
said tell told mention mentioned describe described explain explained think thought opinion
opinions view views give gave happen happened question questions answer document page article
text transcript meeting meetings group everyone anything something please according overall
general main mainly key point points regarding concerning decide decided decision decisions agree
agreed agreement disagree conclude concluded conclusion what's""".split())
"""Words of asking, not of the topic ("Summarize the discussion about X"): BM25 and the coverage
read the topic words only. A query made only of these asks for a summary of the whole."""


@dataclasses.dataclass
class Focus:
    """What a query makes of a document."""

    ranked: list
    """salience.Sentence candidates, scored for the query, best first."""
    answerable: bool
    coverage: float
    """Share of the query's weighted topic words met in one of its most relevant sentences and
    their neighbours (MIN_COVERAGE; 1.0 for a query without topic words)."""
    missing: list
    """The query's topic words (as written) that the document never uses."""
    relevant: int
    """How many candidates have any relevance to the query."""
    terms: frozenset = frozenset()
    """Folded keys of the query's topic words (topic_words)."""
    asked: frozenset = frozenset()
    """Folded keys of all the query's content words, asking words too: what repeats the question."""


def topic_words(query):
    """The query's words that name its topic, as written, without repeats."""
    seen, found = set(), []
    for word in lexicon.words(query):
        key = lexicon.fold(word)
        if word.lower() in lexicon.STOPWORDS or key in ASKING_WORDS or key in seen or len(word) < 2:
            continue
        seen.add(key)
        found.append(word)
    return found


def focus(index, query):
    """The Focus of `query` on the document of `index` (a grounding.SourceIndex)."""
    ranked = salience.rank(index)
    words = topic_words(query)
    terms = frozenset(lexicon.fold(w) for w in words)
    if not terms or not ranked:
        return Focus(ranked, bool(ranked), 1.0, [], len(ranked))
    scores = spread(bm25(index, terms), len(index.sentences))
    best_relevance = max(scores.values(), default=0.0)
    best_salience = max(s.score for s in ranked) or 1.0
    for sentence in ranked:
        relevance = scores.get(sentence.index, 0.0) / best_relevance if best_relevance else 0.0
        sentence.score = QUERY_WEIGHT * relevance + (1 - QUERY_WEIGHT) * sentence.score / best_salience
    ranked.sort(key=lambda s: (-s.score, s.index))
    direct = sorted((n for n in scores if scores[n] > 0 and _has_term(index, n, terms)),
                    key=lambda n: -scores[n])[:TOP_SENTENCES]
    used = {t for t in terms if t in index.postings}  # the topic words the document has
    coverage = max((_weighted_share(index, terms, near) for near in (_near(index, n) for n in direct)
                    if len(terms & near) >= min(MIN_TERMS_MET, len(used))), default=0.0)
    missing = [w for w in words if lexicon.fold(w) not in used]
    return Focus(ranked, coverage >= MIN_COVERAGE, round(coverage, 3), missing,
                 sum(1 for s in ranked if scores.get(s.index, 0.0) > 0), terms,
                 frozenset(lexicon.content_words(query)))


def said_about(index, number, focus):
    """Folded keys of what sentence `number` says about the question of `focus`: its content words
    within ANSWER_REACH of a topic word, less the document's stock words (STOCK_SHARE), clitics, the
    question's own words and the speaker's label (who speaks is not what is said); of those, only
    its names and numbers where it puts any there: the most specific thing a sentence says (the one
    a who, which, when or how many asks for). Empty for a sentence without a topic word."""
    spoken = speech.spoken(index.sentences[number])
    keys = lexicon.content_words(spoken)
    places = [key for key in keys if key in focus.terms]
    if not places:
        return set()
    bar = max(STOCK_MIN, STOCK_SHARE * len(index.sentences),
              max(len(index.postings.get(key, ())) for key in places))
    # Stock words are no distance: "the wizard, uh, you know, Fey" puts Fey next to the wizard.
    keys = [key for key in keys if len(index.postings.get(key, ())) <= bar]
    near = {keys[at] for place, key in enumerate(keys) if key in focus.terms
            for at in range(max(0, place - ANSWER_REACH), min(len(keys), place + ANSWER_REACH + 1))}
    # Keys of two letters are clitics ("we 're", "you 'll" fold to "re", "ll"), not what is said.
    told = {key for key in near - focus.asked if len(key) > 2 or key.isdigit()}
    named = facts.names(spoken, index.common) | {lexicon.fold(w) for w in lexicon.words(spoken)
                                                 if w.isdigit() or w.lower() in facts.NUMBER_WORDS}
    return told & named or told


def unsaid(index, focus, item, quotes):
    """Of the sentences `quotes` that an answer's `item` cites, those that say something about the
    question (said_about), most relevant to it first, when the item repeats the question's topic
    words and says none of it; [] when the item says some of it or is about something else. The
    rule of issue 25.6: "who did they interview as the wizard" cited the turn that named them and
    answered "they interviewed someone as the wizard"."""
    item_keys = set(lexicon.content_words(item))
    if not item_keys & focus.terms:
        return []
    numbers = [index.position(q) for q in quotes]
    told = {n: said_about(index, n, focus) for n in numbers if n < len(index.sentences)}
    if any(told[n] & item_keys for n in told):
        return []
    telling = sorted((n for n in told if told[n]),
                     key=lambda n: -_weighted_share(index, focus.terms, index.terms[n]))
    return [index.sentences[n] for n in telling]


def bm25(index, terms):
    """{sentence number: BM25 score} of the sentences that contain any of `terms`."""
    count = len(index.sentences) or 1
    lengths = [sum(counts.values()) for counts in index.counts]
    average = sum(lengths) / count or 1.0
    scores = {}
    for term in terms:
        postings = index.postings.get(term, ())
        idf = math.log((count - len(postings) + 0.5) / (len(postings) + 0.5) + 1)
        for n in postings:
            tf = index.counts[n][term]
            norm = tf * (BM25_K1 + 1) / (tf + BM25_K1 * (1 - BM25_B + BM25_B * lengths[n] / average))
            scores[n] = scores.get(n, 0.0) + idf * norm
    return scores


def spread(scores, total):
    """`scores` reaching NEIGHBOURS sentences either side, NEIGHBOUR_DECAY less per step."""
    spread_out = dict(scores)
    for n, score in scores.items():
        for step in range(1, NEIGHBOURS + 1):
            share = score * NEIGHBOUR_DECAY ** step
            for m in (n - step, n + step):
                if 0 <= m < total and share > spread_out.get(m, 0.0):
                    spread_out[m] = share
    return spread_out


def _near(index, number):
    """The terms of sentence `number` and of NEIGHBOURS sentences either side."""
    return set().union(*index.terms[max(0, number - NEIGHBOURS):number + NEIGHBOURS + 1])


def _has_term(index, number, terms):
    return not index.terms[number].isdisjoint(terms)


def _weighted_share(index, terms, found):
    terms = sorted(terms)  # often a set: floats summed in its hash order differ from run to run
    total = sum(index.weight(t) for t in terms)
    return sum(index.weight(t) for t in terms if t in found) / total if total else 1.0
