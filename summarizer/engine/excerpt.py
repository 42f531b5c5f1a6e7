"""What the model reads of a document that does not fit its call: the most salient sentences
(salience.py) that fit a token budget, in document order, as one text. Sentences of one run stay
together; a gap between runs is a blank line, so the model sees where the document was cut."""

from summarizer.engine import salience


def text(index, budget, count_tokens, ranked=None):
    """The document's most salient sentences that fit `budget` tokens, in document order, as text
    for the model (planted instructions left out). A document that fits is read whole. `ranked`
    (as salience.rank gives, or scored otherwise, e.g. for a query: engine/query.py) replaces the
    salience ranking."""
    return as_text(sentences(index, budget, count_tokens, ranked))


def sentences(index, budget, count_tokens, ranked=None):
    """The sentences `text` reads, in document order."""
    every = [s for s in salience.sentences_of(index) if s.text not in index.planted]
    if sum(count_tokens(s.text) + 1 for s in every) <= budget:
        return every
    ranked = salience.rank(index) if ranked is None else ranked
    return salience.pick(ranked, index, budget=budget, cost=lambda s: count_tokens(s.text) + 1)


def as_text(picked):
    """`picked` sentences (in document order) as the model reads them."""
    return "\n\n".join(_runs(picked))


def _runs(picked):
    """Texts of consecutive runs of `picked` sentences (adjacent in the document, same block)."""
    runs, previous = [], None
    for sentence in picked:
        if previous and sentence.index == previous.index + 1 and sentence.locator == previous.locator:
            runs[-1] += " " + sentence.text
        else:
            runs.append(sentence.text)
        previous = sentence
    return runs
