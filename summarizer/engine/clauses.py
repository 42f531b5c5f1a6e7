"""What makes words a clause: a finite verb, seen without a tagger through the closed classes of
English that mark one (auxiliaries and modals, a subject pronoun before a word, a past tense in -ed
or an irregular one, a present tense in -s after its subject), and where a clause of its own opens.
Page furniture (furniture.py) is text without one; a headline cut from a sentence must keep its
own (preview.py). Non-English text has no English clause markers: the tests apply only where a
sentence uses English function words (lexicon.ENGLISH_MARKERS).
"""

import re

from summarizer.engine import lexicon

_AUXILIARIES = frozenset("""
am is are was were be been being isn't aren't wasn't weren't has have had hasn't haven't hadn't
having do does did doesn't don't didn't will would shall should can could may might must won't
wouldn't can't cannot couldn't shouldn't mustn't 's 're 've 'd 'll ’s ’re ’ve ’d ’ll
""".split())
"""Words that make a clause finite wherever they stand."""

_SUBJECTS = frozenset("i you he she it we they who which that there this these those".split())
"""A subject pronoun (or relative) followed by a lower-case word is a clause ("they play")."""

_IRREGULAR_PAST = frozenset("""
said told took went made came gave got found began ran won lost left met saw thought brought
bought held kept led paid sent spent stood wrote became knew fell grew hit put set cut let sat
felt heard meant read rose broke chose drove ate flew forgot froze hid hung lay lit rode rang
sang sank shook shot shut slept slid sold spoke stole struck swam swore taught tore threw
understood woke wore beat bore built caught drew dug fought fled fed hurt laid lent quit sought
shone sprang stuck stung swept swung wept wound withdrew overcame undertook bid cost spread split
upset cast burst broadcast forecast
""".split())
"""Past tenses that do not end in -ed: the verb of most news sentences without an auxiliary."""

FINITE = _AUXILIARIES | _IRREGULAR_PAST
"""Words that make a clause finite: auxiliaries and irregular past tenses."""

_PERSONAL = frozenset("i you he she it we they".split())
"""Personal pronouns: one after "and" opens a clause of its own ("... and you fancy ...")."""

_FUNCTION_WORDS = lexicon.STOPWORDS - _AUXILIARIES
"""Function words that are not verbs: "to the" is no verb, "to be" is."""

_CONTRACTED = frozenset("t re ve ll d m".split())
"""What follows the apostrophe of a contracted verb: "didn't", "we're", "they've", "I'm"."""

_OBJECTS = frozenset("a an the this that these those your my our his her their its it them us me him".split())
"""Words that open the object of an imperative verb ("Keep a journal", "See the plan")."""

_WH = frozenset("what where here how let".split())
"""Words whose 's is "is" or "us" ("what's", "here's", "let's"), not a possessive."""

_ADVERBS = frozenset("also here now then still just first often never already even only".split())
"""Adverbs (with words in -ly) that may stand between a subject and its verb ("We here propose")."""

_RELATIVE = re.compile(r",\s*(?:who|whom|whose|which)\b[^,;:]*|\b(?:who|whom|whose|which|that)\s+"
                       r"(?:(?:\w+ly|has|have|had|is|are|was|were|will|would|can|could|may|might|be|been|"
                       r"not|also|only|still)\s+)*[\w'’-]+", re.I)
"""A relative clause, whose verb is not the sentence's: between commas whole ("The man, who has
been named, ..."); without commas its pronoun and verb ("The silver car that hit | Mr Zhang")."""

_CLAUSE_OPENERS = frozenset("""
after although and as because before but if once or since so than that though till unless until
when whenever where whereas which while who whom whose""".split())
"""Words that open a clause of its own: a verb after one is not the verb of the clause before."""

SUBORDINATORS = frozenset("""
after although because before if once since though unless until when whenever whereas whether
while how what why where""".split())
"""Words that open a subordinate clause, or a clause that names a question without asking it
("Why Evidence Action Beta is promising", a post's list of its parts): a part of a sentence that
opens with one states something only with the main clause after it (`subordinate`)."""

_PREPOSITIONS = frozenset("""
across amid among amongst beside besides beyond despite near toward towards within without""".split())
"""Prepositions that lexicon.STOPWORDS leaves out: never a verb in the plural ("years since the",
like the clause openers)."""


def has_clause(found, participle=True, english=None):
    """Whether the words `found` (lexicon.words of a sentence) have a verb, or are not English
    enough to tell. Loose on purpose: telegraphic statements people write as summaries ("Created
    by ... in 2001", "Proposes a method ...", "Villa travel to the Etihad to play ...") pass; labels,
    listings and captions of names do not. `participle=False`: a word in -ing is no verb (in a cut,
    "A row involving Taylor Swift", it is a noun's modifier), nor an infinitive that opens the
    words ("To celebrate 50 years since the band's formation" is the purpose of the sentence's
    verb, which the cut left out). `english`: whether the whole sentence
    is English, where `found` is a part of it (None: told from `found`)."""
    lower = [w.lower().replace("’", "'") for w in found]
    distinct = set(lower)
    if not distinct.isdisjoint(FINITE):
        return True
    if not (lexicon.english(found) if english is None else english):
        return not _all_names(found)  # a label of names says nothing in any language
    for number, word in enumerate(lower):
        if _contracted(word):
            return True
        if not found[number].isupper() and len(word) > 3 and word.endswith(("ed", "ing") if participle else "ed"):
            return True
        if _present_tense(number, lower, found) or _plural_subject(number, lower, found):
            return True
        if number == 0 and len(lower) > 1 and word not in lexicon.STOPWORDS and lower[1] in _OBJECTS:
            return True  # an imperative: "Keep a journal", "See the plan"
        if word in _SUBJECTS or (word == "to" and (number or participle)):
            after = number + 1 + (number + 1 < len(found) and (
                lower[number + 1] in _ADVERBS or (len(lower[number + 1]) > 4 and lower[number + 1].endswith("ly"))))
            if after < len(found) and found[after].islower() and lower[after] not in _FUNCTION_WORDS:
                return True
    return False


def opens_predicate(word):
    """Whether `word`, after "and" or "or", opens a predicate or a clause of its own ("and
    promised to ...", "and will expect ...", "and you fancy ..."): an auxiliary, a past form or a
    personal pronoun. A noun or an adjective joined to the one before ("first and second order",
    "Beijing and the Hong Kong government") does not."""
    lower = word.lower().strip(",;:.!?\"'”’")
    return lower in FINITE or lower in _PERSONAL or (len(lower) > 3 and lower.endswith("ed"))


def has_main_verb(cut, sentence):
    """Whether `cut`, a part of `sentence`, has a verb of its own clause: outside its relative
    clauses (`_RELATIVE`), more than a word in -ing, and not one the sentence has after the cut
    (`_verb_left_out`). Whether it is English enough to tell is told from the whole sentence: a
    cut may have none of its function words."""
    english = lexicon.english(lexicon.words(sentence))
    main = lexicon.words(_RELATIVE.sub("", cut))
    return has_clause(main, participle=False, english=english) and \
        not (english and FINITE.isdisjoint(w.lower() for w in main) and _verb_left_out(cut, sentence))


def subordinate(cut):
    """Whether `cut` is a subordinate clause alone: it opens with a subordinator, and has no
    clause after a comma nor a second verb (`_verb_groups`) where it has no comma ("When the
    offending substance is feathers in a duvet", "If we all have a think": headlines cut from a
    sentence's first clause; not "While we're at home we still have to stay hydrated")."""
    found = lexicon.words(cut)
    if not found or found[0].lower() not in SUBORDINATORS or cut.rstrip().endswith("?"):
        return False
    _, comma, rest = cut.partition(", ")
    if comma:
        return not has_clause(lexicon.words(rest))
    # A relative clause's verb is not a main clause's, nor is "cost" of "cost-effective" a verb.
    main = lexicon.words(re.sub(r"(?<=\w)-(?=\w)", "", _RELATIVE.sub("", cut)))
    return _verb_groups([w.lower().replace("’", "'") for w in main]) < 2


def _verb_groups(lower):
    """How many verbs of finite clauses the lower-cased words have: an auxiliary, an irregular
    past, a contracted verb and a subject pronoun before a verb ("you live"), a pronoun or an
    auxiliary and the verb after it counted once ("If your name is Nigel | you are twice as
    likely" has two). Not a word in -ed, as often an adjective ("While automated architecture
    search may ...")."""
    places = [n for n, word in enumerate(lower) if word in FINITE or _contracted(word)
              or (word in _PERSONAL and n + 1 < len(lower) and lower[n + 1] not in _FUNCTION_WORDS)]
    # "you are", "has been": one verb; "What he said | was true": two.
    return sum(1 for n, place in enumerate(places)
               if not n or place - places[n - 1] > 1 or lower[places[n - 1]] not in _AUXILIARIES | _PERSONAL)


def _contracted(word):
    """Whether `word` is a contracted verb ("didn't", "we're", "it's")."""
    head, _, tail = word.partition("'")
    return tail in _CONTRACTED or (tail == "s" and head in _SUBJECTS | _WH)


def _verb_left_out(cut, sentence):
    """Whether the words of `sentence` after `cut` have an auxiliary or an irregular past before
    any clause of their own opens (a clause opener, or punctuation: a colon, a quotation, a
    dash): the verb of the cut's clause ("The two general types of self-locking nuts currently |
    in use are the all-metal type ...")."""
    tail = re.escape(" ".join(cut.split()[-2:]))
    found = re.search(rf"(?<![\w'’]){tail}(?![\w'’])(.*)", " ".join(sentence.split()))
    # A cut at a comma (its first clause) goes on after it: "After deliberating for 11 hours |,
    # jurors found ..."; a colon, a quotation or a dash opens something of its own.
    rest = re.sub(r"^\s*,", "", found.group(1)) if found and tail else ""
    for run in re.split(r"[;:\"“”‘(—–]|'\s|\s'", rest)[:1]:
        for word in lexicon.words(run.lower()):
            if word in _CLAUSE_OPENERS:
                return False
            if word in FINITE and word not in ("being", "having"):
                return True
    return False


def _present_tense(number, lower, found):
    """A word in -s that is a verb by its place: after a name or a noun ("Smith says", "the
    company makes"), or opening a sentence ("Proposes a method ..."); not after a number, which
    counts it ("50 years")."""
    word = lower[number]
    if not word.endswith("s") or word.endswith(("ss", "us", "is", "'s")) or len(word) < 4:
        return False
    if number == 0:
        return not found[0].isupper() and len(found) > 1 and not found[1].isdigit()
    before = found[number - 1]
    return found[number].islower() and not before.isdigit() and \
        (before[:1].isupper() or lower[number - 1] not in lexicon.STOPWORDS)


def _plural_subject(number, lower, found):
    """A lower-case word between a plural or a name and a function word or a name: a verb in
    the plural present ("Israelis live in", "Liverpool face Aston Villa", "people visit the"). Not
    a word of two letters: the part of a name that a hyphen joined ("Daehak-ro Festival"); nor
    after a capitalized word in the singular that an article opens, a noun's modifier ("the
    Albanian variation of Peter"), nor after a possessive ("artist’s impression of")."""
    if number == 0 or number + 1 >= len(found) or not found[number].islower() or len(lower[number]) < 3 or \
            lower[number] in lexicon.STOPWORDS | _CLAUSE_OPENERS | _PREPOSITIONS:
        return False
    before, after = found[number - 1], found[number + 1]
    modifier = number >= 2 and lower[number - 2] in ("the", "a", "an") and not before.endswith("s")
    possessive = before.endswith(("'s", "’s"))
    subject = not possessive and ((before[:1].isupper() and not modifier) or
                                  (before.islower() and before.endswith("s") and not before.endswith("ss")))
    return subject and lower[number - 1] not in lexicon.STOPWORDS and \
        (lower[number + 1] in lexicon.STOPWORDS or after[:1].isupper())


def _all_names(found):
    return all(w[:1].isupper() or w.isdigit() for w in found)
