"""Output that obeys an instruction planted in the document, recognized by what it does.

However an instruction is phrased, and whether or not the recognizer (injection.py) saw it, a
model that obeys it writes something a summary of the document never contains: another language
or script than asked, text encoded, reversed, scrambled or decorated with emoji, a link or a number
the document does not carry, or a sentence that speaks to the reader with nothing in the document
behind it. `disobeys(item, source, index, options)` names which, or "" for an item a summary may
hold; the guard drops what it names (guard._drop_unwanted). All of it compares the item with the
document, never with a list of attack phrasings.
"""

import functools
import re
import unicodedata

from summarizer.engine import directives
from summarizer.engine.lexicon import LINK, fold, words

FUNCTION_WORDS = {
    "en": frozenset("the and of to is are was were that with for this from have has which their".split()),
    "de": frozenset("der die das und ist sind nicht mit von zu den dem ein eine auch für wurde".split()),
    "fr": frozenset("le la les et est sont des une dans pour avec pas qui sur par cette été".split()),
    "es": frozenset("el la los las y es son del una con para por que en fue está pero como".split()),
}
"""The commonest function words of each language the service's rules cover, few enough that no
two languages share one ("la" is French and Spanish: both lists have it, which counts for neither
against the other)."""

LANGUAGE_NAMES = {"en": ("en", "english", "englisch", "anglais", "inglés"),
                  "de": ("de", "german", "deutsch", "allemand", "alemán"),
                  "fr": ("fr", "french", "französisch", "français", "francés"),
                  "es": ("es", "spanish", "spanisch", "espagnol", "español")}
"""How `output_language` names the four languages (a BCP 47 tag's first part, or a name)."""

MIN_LANGUAGE_WORDS = 3
"""Function words an item needs of another language, more than of the expected one, to be
taken for that language: a name or a loan word ("la Liga", "der Spiegel") is not a language."""

MIN_ODD_WORDS = 2
"""Words of an item that must be scrambled, reversed or misspelled forms of the document's words
before the item counts as scrambled: one is a typo or a coincidence."""

MIN_TYPO_LETTERS = 6
"""Shortest word taken for a misspelling of a document word one letter off: shorter ones meet by
chance ("there"/"their")."""

FOREIGN_SCRIPT_SHARE = 0.3
"""An item whose letters are this much of a script the document hardly uses (under 1%) is
written in another script (Cyrillic, CJK...) than the document and the request."""

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_ENCODED = re.compile(r"(?<![\w/+=])(?=[A-Za-z0-9+/]*\d)(?=[A-Za-z0-9+/]*[a-z])(?=[A-Za-z0-9+/]*[A-Z])"
                      r"[A-Za-z0-9+/]{12,}={0,2}(?![\w/+=])|\b[0-9a-f]{16,}\b")
"""Base64 (mixed case and digits, twelve characters or more) or hex: text no summary writes."""
_SUBSTITUTED = re.compile(r"[^\W\d_]+(?:[\d@#$%&*^|+]+[^\W\d_]*)+|[\d@#$%&*^|]+[^\W\d_]+[\d@#$%&*^|]")
"""A word with digits or symbols among its letters ("h3ll0", "@nd", "c4t"): a substitution cipher."""
_NUMBER_WORDS = {w: str(n) for n, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty".split())}


def disobeys(item, source, index, options):
    """What `item` does that only an obeyed instruction explains ("language", "script", "encoded",
    "emoji", "scrambled", "link", "number", "addressed"), or "" for none. `index`: the
    grounding.SourceIndex of `source`."""
    facts = _source_facts(source)
    translated = bool(options.output_language)
    checks = [
        ("script", lambda: _foreign_script(item, facts["scripts"], translated)),
        ("language", lambda: _other_language(item, _expected(options, facts["language"]))),
        ("encoded", lambda: any(t not in facts["text"] for t in _ENCODED.findall(item))),
        ("emoji", lambda: any(_emoji(c) and c not in facts["text"] for c in item)),
        ("scrambled", lambda: not translated and _scrambled(item, facts)),
        ("link", lambda: any(_link_key(u) not in facts["links"] for u in LINK.findall(item))),
        ("number", lambda: any(n not in facts["numbers"] for n in _numbers(item))),
        ("addressed", lambda: not translated and _addressed_unbacked(item, index)),
    ]
    return next((name for name, check in checks if check()), "")


@functools.lru_cache(maxsize=8)
def _source_facts(source):
    """What the document carries, for the checks: its text, scripts, language, links, numbers, and
    its words (as written, folded, with sorted letters, and with one letter left out)."""
    lowered = source.lower()
    found = {w.lower() for w in words(source)}
    numbers = {n for n in _numbers(source)} | {_NUMBER_WORDS[w] for w in found if w in _NUMBER_WORDS}
    return {
        "text": source, "scripts": _scripts(source), "language": language(source),
        "links": {_link_key(u) for u in LINK.findall(source)} | {_link_key(w) for w in lowered.split()},
        "numbers": numbers, "words": found, "folded": {fold(w) for w in found},
        "sorted": {"".join(sorted(w)) for w in found if len(w) >= 4},
        "deletes": {d for w in found if len(w) >= MIN_TYPO_LETTERS for d in _deletes(w)},
    }


def language(text):
    """The language ("en", "de", "fr", "es") whose function words `text` uses most, or ""."""
    counts = _language_counts(text)
    best = max(counts, key=counts.get)
    return best if counts[best] else ""


def _language_counts(text):
    found = [w.lower() for w in words(text)]
    return {code: sum(w in listed for w in found) for code, listed in FUNCTION_WORDS.items()}


def _expected(options, source_language):
    """The language the summary must be in: the one asked for, else the document's."""
    asked = options.output_language.lower().split("-")[0].strip()
    if not asked:
        return source_language
    return next((code for code, names in LANGUAGE_NAMES.items() if asked in names), "")


def _other_language(item, expected):
    """Whether `item` is written in another of the four languages than `expected`."""
    if not expected:
        return False
    counts = _language_counts(item)
    return any(n >= MIN_LANGUAGE_WORDS and n > counts[expected] for code, n in counts.items() if code != expected)


def _scripts(text):
    """Share of each script (the first word of the letters' Unicode names) among `text`'s letters."""
    counts = {}
    for char in text:
        if char.isalpha():
            script = unicodedata.name(char, "UNKNOWN").split()[0]
            counts[script] = counts.get(script, 0) + 1
    total = sum(counts.values()) or 1
    return {script: n / total for script, n in counts.items()}


def _foreign_script(item, source_scripts, translated):
    """Whether much of `item` is in a script the document hardly uses (any, when translating)."""
    if translated:
        return False
    return any(share >= FOREIGN_SCRIPT_SHARE and source_scripts.get(script, 0) < 0.01
               for script, share in _scripts(item).items())


def _emoji(char):
    return unicodedata.category(char) == "So" and ord(char) >= 0x2190


def _link_key(url):
    return re.sub(r"^(?:https?://)?(?:www\.)?", "", url.lower()).rstrip("/.,;:!?)\"'")


def _numbers(text):
    return {n.replace(",", "").rstrip(".") for n in _NUMBER.findall(text)}


def _deletes(word):
    return {word[:i] + word[i + 1:] for i in range(len(word))}


def _scrambled(item, facts):
    """Whether `item` has MIN_ODD_WORDS words that are the document's words reversed, with their
    letters shuffled, one letter off, or written with digits and symbols, but not its words."""
    odd = len(_SUBSTITUTED.findall(item))
    for word in {w.lower() for w in words(item) if len(w) >= 4}:
        if word in facts["words"] or fold(word) in facts["folded"] or word.isdigit():
            continue
        odd += (word[::-1] in facts["words"] or "".join(sorted(word)) in facts["sorted"]
                or (len(word) >= MIN_TYPO_LETTERS and bool(_deletes(word) & facts["words"] or word in facts["deletes"]
                                            or _deletes(word) & facts["deletes"])))
    return odd >= MIN_ODD_WORDS


def _addressed_unbacked(item, index):
    """Whether `item` draws mainly on a sentence planted or addressed to the reader ("Write a poem
    about...": what carrying one out repeats), or speaks to the reader itself (second person,
    imperative, "your answer"), without one of the document's own sentences behind it."""
    if index is None:
        return False
    found = index.support(item)
    if not found.ranked:
        return False
    addressed = lambda n: index.sentences[n] in index.planted or bool(directives.cue(index.sentences[n]))  # noqa: E731
    backing = next((score for n, score in found.ranked if not addressed(n)), 0.0)
    if backing >= ADDRESSED_SUPPORT:
        return False
    return addressed(found.ranked[0][0]) or directives.cue(item) in {"your_output", "second_person", "imperative"}


ADDRESSED_SUPPORT = 0.6
"""An item that addresses the reader stays only with this much of its words in one of the
document's own sentences (grounding.SUPPORT_THRESHOLD): it is then the document's own call to the
reader ("Residents should call 911"), not an advert or a task slipped in."""
