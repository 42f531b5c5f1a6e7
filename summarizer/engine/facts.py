"""The checkable facts of a sentence: numbers, names and dates, and the words that carry a
comparison, a change or a negation. A summary item that states one its sources do not carry is not
supported, whatever its word overlap: "July 10, 2017", a changed comparison ("a 23% increase on the
previous month" for "23% more than in other states"), a swapped name or a flipped "not" are the
inventions readers fear, and overlap alone lets them through.

Lexical and English-first (numbers and names work in any Latin-script language; the relation words
are English, German, French and Spanish where they are single words).
"""

import re

from summarizer.engine.lexicon import STOPWORDS, fold, words

_NUMBER = re.compile(r"(?<![\w.])(\d{1,3}(?:[,.\u202f ]\d{3})+|\d+)(?:[.,](\d+))?(?=[^\W\d_]*(?!\w))")
"""1,234 / 1 234 / 1.5 / 2017: digit groups with thousands separators, an optional fraction, and
a unit glued on or not ("9pm" and "9 pm", "64million" and "64 million" state the same number)."""

NUMBER_WORDS = {
    "zero": "0", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
    "seven": "7", "eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12",
    "thirteen": "13", "fourteen": "14", "fifteen": "15", "sixteen": "16", "seventeen": "17",
    "eighteen": "18", "nineteen": "19", "twenty": "20", "thirty": "30", "forty": "40",
    "fifty": "50", "sixty": "60", "seventy": "70", "eighty": "80", "ninety": "90",
    "hundred": "100", "dozen": "12", "half": "0.5", "twice": "2", "double": "2", "triple": "3",
}
"""Number words that state a quantity, as the digits a source may use instead ("one" is left out:
it is as often a pronoun or "a" as a count)."""

RELATIONS = {
    "increase": "increase increased increases increasing rise rises rose risen rising grow grows "
                "grew grown growing growth gain gains gained jump jumped surge surged soar soared "
                "climb climbed boost boosted",
    "decrease": "decrease decreased decreases decreasing decline declined declines declining fall "
                "falls fell fallen falling drop drops dropped dropping shrink shrank shrunk plunge "
                "plunged slump slumped reduce reduced reduction",
    "more": "more higher greater larger bigger exceed exceeds exceeded highest greatest largest "
            "mehr höher größer plus supérieur más mayor",
    "less": "less fewer lower smaller least lowest smallest fewest weniger niedriger moins "
            "inférieur menos menor",
    "earlier": "previous prior earlier ago former formerly vorher früher précédent anterior",
    "later": "next following later upcoming future nächste suivant próximo",
    "not": "not no never none neither nor without cannot nothing nobody n't kein keine keinen "
           "nicht nie niemals pas jamais aucun aucune ningún ninguna nunca",
}
"""Families of words that carry a relation; an item that uses one needs a word of the same family
in its sources (a different family, or none, is a changed claim)."""

MONTHS = frozenset(
    "january february march april may june july august september october november december "
    "monday tuesday wednesday thursday friday saturday sunday".split())
"""Dates named in words: checked like names even where a sentence starts with one."""

_RELATION_OF = {word: family for family, members in RELATIONS.items() for word in members.split()}


def numbers(text):
    """The quantities in `text`, normalised ("1,200" and "1200" agree; "five" is "5")."""
    found = set()
    for whole, fraction in _NUMBER.findall(text):
        digits = re.sub(r"[,.\u202f ]", "", whole)
        found.add(digits.lstrip("0") or "0" if not fraction or set(fraction) == {"0"}
                  else f"{digits.lstrip('0') or '0'}.{fraction.rstrip('0')}")
    for word in words(text.lower()):
        if word in NUMBER_WORDS:
            found.add(NUMBER_WORDS[word])
    return found


def relations(text):
    """The relation families (increase, less, not, ...) `text` uses."""
    lowered = text.lower().replace("’", "'")
    found = {_RELATION_OF[w] for w in words(lowered) if w in _RELATION_OF}
    if "n't" in lowered:
        found.add("not")
    return found


def names(text, common, seen=()):
    """Folded keys of the names in `text`: words that are not function words and that the document
    never writes in lower case (`common`: folded keys of its lower-case words), written capitalised
    or known to the document (`seen`, folded keys of the words it has, where it writes them only
    capitalised), and month and day names. A summary written in lower case, as four of FRANK's five
    CNN/DM systems and all four XSum ones write ("lady gaga and lourdes leon have been wearing the
    body jewellery", where the sentence it draws on names neither), names people as much as one in
    capitals does: without `seen` its names were never checked. On FRANK's sentences, names found
    so and missing from the cited sentences: 110 in summaries people marked wrong, 10 in faithful
    ones."""
    found = set()
    for word in words(text):
        lower, key = word.lower(), fold(word)
        if lower in MONTHS:
            found.add(key)
        elif (word[:1].isupper() or key in seen) and key not in common \
                and lower not in STOPWORDS and lower not in NUMBER_WORDS and lower not in _RELATION_OF:
            found.add(key)
    return found


def lowercase_keys(text):
    """Folded keys of the words `text` writes in lower case (they are common words, not names)."""
    return {fold(w) for w in words(text) if w.islower()}


def missing(item, sources, common, seen=()):
    """The facts `item` states that `sources` (the text it cites) does not carry, as readable
    strings: numbers, names (`names`: `common` and `seen` are the document's), and relations
    ("relation:increase")."""
    source_keys = {fold(w) for w in words(sources)}
    gaps = sorted(numbers(item) - numbers(sources))
    gaps += sorted(w for w in names(item, common, seen) if w not in source_keys)
    gaps += [f"relation:{r}" for r in sorted(relations(item) - relations(sources))]
    return gaps


NEGATION_REACH = 3
"""Content words after a source's "not" that make up what it denies (its scope)."""


def dropped_negation(item, sentences):
    """["relation:not"] when a source sentence the item draws on (`sentences`) denies what the item
    states without the denial: "will face no further action" told as "will face further action".
    A denial's scope is what follows it: the item states it when it has the first content word
    after the "not" and one more of the next NEGATION_REACH, and drops the denial when it has no
    negation of its own. Words before the "not" are not denied ("Tindall wouldn't have moved" says
    nothing against "Tindall's wife was in pursuit"), a "not" in a clause the item leaves out does
    not count (compressing a sentence is not contradicting it), and a negated comparison bounds a
    quantity rather than denying it ("no more than 44 per cent" is "only 44 per cent")."""
    if "not" in relations(item):
        return []
    said = {fold(w) for w in words(item) if w.lower() not in STOPWORDS}
    for sentence in sentences:
        source = words(sentence.lower().replace("’", "'"))
        for at, word in enumerate(source):
            if not _is_negation(word) or _bounds_a_quantity(source[at + 1:]):
                continue
            scope = _scope(source[at + 1:])
            if scope and scope[0] in said and len(set(scope) & said) >= 2:
                return ["relation:not"]
    return []


def _is_negation(word):
    return _RELATION_OF.get(word) == "not" or word.endswith("n't")


def _bounds_a_quantity(following):
    """Whether a negation followed by the words `following` is a negated comparison: "no more
    than", "not less than", "none other than"."""
    return bool(following) and (_RELATION_OF.get(following[0]) in ("more", "less") or following[0] == "other")


def _scope(following):
    """Folded keys of the first NEGATION_REACH content words of `following`, up to the next
    negation."""
    scope = []
    for word in following:
        if _is_negation(word) or len(scope) == NEGATION_REACH:
            break
        if word not in STOPWORDS and len(word) > 1:
            scope.append(fold(word))
    return scope
