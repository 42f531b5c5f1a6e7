"""The shape rules as the README promises them, written out here independently of
summarizer/shapes.py, so a wrong entry in that table fails the tests instead of passing them."""

KEY_POINTS = {"short": 3, "medium": 5, "long": 7}
"""Most bullets of a key-points summary (Chrome's Summarizer API)."""

HEADLINE_WORDS = {"short": 12, "medium": 17, "long": 22}
"""Most words of a headline (Chrome's Summarizer API)."""

PARAGRAPH_SENTENCES = {"short": 1, "medium": 3, "long": 6}
"""Most sentences of a tl;dr or teaser: one; two or three; four to six."""

EXTRACT_SENTENCES = {"short": 1, "medium": 2, "long": 4}
"""Sentences of an extractive tl;dr or teaser: the lower end of each range (extracted sentences
are long)."""
