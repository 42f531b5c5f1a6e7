"""What a transcript's turn says: without its speaker's label, the transcriber's notes, the
interjections everyone says, restarts, and the words that take the floor. grounding.py reads a
transcript's sentences by what they say; the preview shows a turn as a reader would write it down.
"""

import re

from summarizer.engine import lexicon

FILLERS = frozenset("uh um er erm ah oh mm hmm mhm huh yeah yep okay ok".split())
"""Interjections of speech, which transcripts are full of: they say nothing either. In QMSum's
meetings they were 8% of the words taken for content, and a turn of nothing but "uh, yeah, um"
looked as central as a decision. Kept apart from STOPWORDS: only what is said in a transcript
(`said_words`) leaves them out."""

NOTE = re.compile(r"[ \t]*\{[^{}\n]{1,40}\}")
"""A transcriber's note in curly braces ("{vocalsound}", "{disfmarker}", "{gap}"): nobody said it.
Only transcripts are read for them: in a paper, braces hold content ("{-1,+1}")."""


def spoken(sentence):
    """What a sentence of a transcript says: without its speaker's label (who speaks is not what
    is said)."""
    return lexicon.TURN.sub("", sentence, count=1)


def said_words(sentence):
    """The words of what a transcript's `sentence` says (`spoken`), without FILLERS."""
    return [w for w in lexicon.words(spoken(sentence)) if w.lower() not in FILLERS]


_RESTART = re.compile(r"(?<![\w'’])([\w'’]+(?:\s+[\w'’]+){0,2})(?:,?\s+\1)+(?![\w'’])", re.IGNORECASE)
"""One to three words said again at once: a speaker's restart ("we have we have", "that that")."""


_PARTIAL_RESTART = re.compile(r"(?<![\w'’])((?:[\w'’]+\s+){1,2})([\w'’]{1,4})\s+(?=\1\2[\w'’])", re.IGNORECASE)
"""A restart in the middle of a word: one or two words and the word's beginning, then the same
words and the whole word ("I th I think", "we w we want")."""

_FRAGMENT = re.compile(r"(?<![\w'’])([A-Za-z]{1,3})\s+(?=(?:\1\s+)*\1[\w'’])", re.IGNORECASE)
"""A word's beginning said before the whole word ("these th three", "w w we could", "N no"): kept
where it is a word of its own (lexicon.STOPWORDS: "a about", "I it", "in into"). QMSum's
development meetings have 676 such fragments."""

_TAKING_THE_FLOOR = re.compile(r"^(?:(?:and|but|well|i mean|you know)(?:,\s*|\s+)|so(?:,\s*|\s+(?=(?:i|we|you|they|"
                               r"he|she|it|the|that|this|there|if|what)\b)))+", re.I)
"""Words a speaker opens a turn with to take the floor, not part of what is said ("So, I think",
"And then", "But sometimes", "I mean, that's"); "so" only before a comma or a clause's subject
("So far", "So many people" say something)."""


def fluent(sentence):
    """What a transcript's `sentence` says, as a reader would write it down: without its
    speaker's label, interjections (FILLERS), restarts (of words, within one, and a word's
    beginning before it: `_FRAGMENT`) and the words a turn opens with to take the floor
    (`_TAKING_THE_FLOOR`): "Grad B: Uh we have we have an hour , um" -> "We have an hour", "But
    sometimes the Tango mode ..." -> "Sometimes the Tango mode ...".
    All three are English: a sentence without lexicon.ENGLISH_MARKERS keeps them ("que é um
    trabalho" is Portuguese's "that is a work", "Er hat" German's "He has")."""
    is_english = lexicon.english(lexicon.words(sentence))
    kept = " ".join(w for w in spoken(sentence).split() if not is_english or w.lower().strip(",.;") not in FILLERS)
    if is_english:
        kept = _FRAGMENT.sub(lambda m: m.group(0) if m.group(1).lower() in lexicon.STOPWORDS else "", kept)
    text = re.sub(r"\s+([,.;:?!])", r"\1", _RESTART.sub(r"\1", _PARTIAL_RESTART.sub("", kept)))
    text = re.sub(r"([,;:])(?:\s*[,;:])+", r"\1", text).lstrip(",;: ")  # "so, uh, in" -> "so, in"
    text = (_TAKING_THE_FLOOR.sub("", text) or text) if is_english else text
    return text[:1].upper() + text[1:]


def without_notes(text):
    """`text` without a transcriber's notes in curly braces (NOTE)."""
    return NOTE.sub("", text).strip()
