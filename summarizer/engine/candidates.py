"""Which sentences of a document a summary may show: statements of a readable length, not page
furniture (furniture.py), not a heading, and in a document written in sentences, not a line that
labels rather than states (a caption, a link, a heading without its Markdown). salience.py ranks
these; revise.py fills a dropped item only with one of them.
"""

import re

from summarizer.engine import furniture, lexicon

MIN_WORDS, MAX_WORDS = 6, 60
"""Sentences a summary may use: shorter are fragments ("Yeah ."), longer are run-ons or tables.
When a document has none in range, every sentence is a candidate."""

_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
"""A Chinese character or Japanese kana: scripts written without spaces between words."""

CJK_CHARS_PER_WORD = 2
"""Characters of Chinese or Japanese text that count as a word (`word_count`): their words run one
to four characters, most often two."""

LONGEST_WORD = 24
"""Longer "words" are words glued together by a page's markup or links, not prose."""

PROSE_SHARE = 0.7
"""A document (not a transcript) at least this share of whose usable sentences (`readable`) end
with a stop is written in sentences: there a line of at most LABEL_WORDS words without one is a
heading, a caption or a link ("How to listen to The Tennis Podcast", "Related: Possible Water
Plumes on Europa", "Photos: ..."), not a statement to show. Of the corpus's web pages, 93 of 102
are prose by this measure (87 when every line counted, a page's links and short lines too: such
lines were 43 of the 2,929 items of their previews then)."""

LABEL_WORDS = 12
"""Longest line, in words, that counts as a label where it lacks a stop (PROSE_SHARE): the short
headline's word limit (shapes.py), as long as headlines and headings run."""


def readable(text):
    """A sentence a summary may use: MIN_WORDS to MAX_WORDS words besides its links (a label and
    its link, "Listen: http://po.st/TP_615", is an address; Chinese and Japanese counted by
    characters, `word_count`), none of them a run of words glued together
    ("withEmailFacebookMessenger", a page's share bar), and a statement, not page furniture or a
    fragment (furniture.py: captions, bylines, "Scroll down for video")."""
    found = lexicon.words(lexicon.LINK.sub(" ", text))
    return MIN_WORDS <= word_count(found) <= MAX_WORDS and \
        max((len(w) for w in found if not _CJK.search(w)), default=0) <= LONGEST_WORD and \
        furniture.reason(text) is None


def word_count(found):
    """How many words the words `found` (lexicon.words) are, a run of Chinese or Japanese
    characters (one of them, written without spaces) counted CJK_CHARS_PER_WORD to the word."""
    return sum(max(1, len(_CJK.findall(w)) // CJK_CHARS_PER_WORD) if _CJK.search(w) else 1 for w in found)


def heading(sentence):
    """Whether a Sentence is a heading of its document (Word's "## Methods", a Markdown "# ..."):
    the block it is in is the heading it names. A label of a part, not a statement of it: as an
    item it read "- ## Case B - prose with ...", and a one-sentence summary lost it whole (the
    guard drops heading lines), leaving nothing."""
    return sentence.locator.get("heading") == sentence.text.lstrip("#").strip()


def labels(index):
    """Positions of the lines of a prose document that label rather than state (PROSE_SHARE).
    The share is of the lines a summary may use (`readable`): a page's list of links and short
    lines ("Download: http://...") says nothing of whether its text is written in sentences."""
    if index.transcript:
        return set()
    ended = {n: lexicon.stopped(s) for n, s in enumerate(index.sentences) if readable(s)}
    if sum(ended.values()) < PROSE_SHARE * len(ended):
        return set()
    return {n for n, stop in ended.items()
            if not stop and len(lexicon.words(index.sentences[n])) <= LABEL_WORDS}
