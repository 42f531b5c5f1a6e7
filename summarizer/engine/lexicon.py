"""The small lexical toolkit every rule shares: sentences, words, content words and their keys.

guard.py, grounding.py, salience.py, facts.py and loops.py all use these, so they agree on what
a sentence and a word are. Everything here is pure and fast: the preview runs it over documents of
100k tokens in the API process.
"""

import functools
import re
import unicodedata

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)

_CJK_END = re.compile(r"(?<=[。！？])(?![。！？」』）】〕\"”’)\]])")
"""Where a Chinese or Japanese sentence ends: after its full stop, exclamation or question mark
and the closing brackets and quotes after it, with no space before the next one."""

_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof st jr sr inc ltd co corp vs etc e.g i.e u.s u.k al approx dept "
    "gen gov sen rep lt col sgt capt rev ave jan feb mar apr jun jul aug sep sept oct nov dec "
    "mt ft".split()
)
"""Words written with a period that seldom end a sentence ("Mr.", "Oct.", "Corp.")."""
_NUMBERED = frozenset("no nos fig figs vol p pp art sec ch".split())
"""Abbreviations only before a number ("No. 10", "Fig. 3"): "no." is also the word that ends
"she kept telling me no."."""
_DOTTED = re.compile(r"(?:[A-Z]\.)+[A-Z]")
"""Initials and acronyms written with periods ("J.P.", "U.S.", "P.O."): like a single initial,
they end a sentence too seldom to split at ("U.S. Highway 36", "artist L.M. Rendall")."""
_SENTENCE_END = re.compile(r"([.!?…]+[\"'”’)\]]*)"
                           r"(\s+|(?:(?<=[A-Za-z\d%)\]\"”][.!?])|(?<=[A-Za-z\d%)\]\"”][.!?][\"”]))"
                           r"(?=[A-Z][a-z]*[\s,;:'’]|\())(?=[\"'“‘(\[]?([\w¿¡%]))", re.UNICODE)
"""A sentence's end: its punctuation and the space after it, or no space where paragraphs were
joined without one ("... in 2009.In 2010 the museum ...", "... in 2011."He has ...", "... in
December 2000.A search ...": a period, and the quotation mark after it, glued to a capitalized word
that a space or a comma follows, which a file name or a code's "Console.WriteLine" is not, or to an
opening bracket: "... before EuroBasket starts.(BST)17:30-19:30 - BBC iPlayer", a listing glued on,
"... ate school lunches.(% denotes ...", a table's caption)."""
BRACKET_REACH = 120
"""Characters after a stop within which an open bracket must close for the stop to be inside it:
an aside, not a bracket that never closes (a list's "1)", a stray "(")."""

OPENERS = frozenset("""
a an the this these those another he she it they we his her its their but and when after while
although however meanwhile elsewhere there""".split())
"""Words that open sentences and are written in capitals inside one only as part of a name or a
title ("The Times", "We Are on TV"), which a capitalized word follows: capitalized after a word
and before a lower-case one, such a word starts a sentence that a line without a stop ran into.
Pages print captions, and PDFs headings, without one; the 126 CNN/DM articles of the development
half, flattened, had 141, and a preview's item read "Gaioz Nigalidze ... was expelled ... when
he was found using his smartphone in the middle of a match A chess grandmaster has been thrown
out ...". Closed classes, no list of phrases: determiners, subject pronouns and possessives, and
the conjunctions and adverbs that open a clause. A caption that runs into a sentence opening
with a name ("... in the Tyne-Wear derby Head coach John Carver said") is not told apart."""
_GLUED_OPENER = re.compile(r"(%s)(?= [a-z])" % "|".join(w.capitalize() for w in OPENERS))
"""A capitalized opener before a lower-case word; what comes before it is checked apart
(`_ran_into`: a look-behind here made the whole splitter twice as slow)."""

REFERS_BACK = frozenset("he she they him them his her their its but and also".split())
"""Words with which a sentence opens by referring back to what came before it: third-person
pronouns and possessives, and "but", "and", "also". Alone, such a sentence does not say who "she"
is or what "but" turns from ("She has won 11 gold, eight silver ..."), so a summary of one
sentence takes one only where no other is usable (salience.gist). Not "it", as often an empty
subject ("It is difficult to ...") as a reference. In a list the items before it may say it:
measured, the rule cost CNN/DM's key points 0.3-0.6 ROUGE-1 and was kept to one sentence
(bench/README.md, "A summary of one sentence stands alone"). Closed classes, no phrases."""

REFERS_BACK_BEFORE_COMMA = frozenset("""
however instead still yet so thus therefore hence then nevertheless moreover furthermore
additionally""".split())
"""Connectives that refer back where a comma follows them ("However, past work has ..."), and
open a construction of their own where none does ("Instead of pitting ...", "So far ...")."""
_OPENING = re.compile(r"\W*([A-Za-z]+)(,?)")

_HARD_BREAK = re.compile(r"([.!?:;…\"'”’)。！？：」』）])\s*$")
_STOPPED = re.compile(r"[.!?…。！？][\"'”’)\]」』）]*$")
TURN = re.compile(r"^[A-Z][\w .'-]{0,30}:\s")
"""A speaker's name and a colon opening a line of a transcript ("Anna: ...")."""
_LINE_START = re.compile(r"^\s*(?:[-*•+]\s|\d+[.)]\s|" + TURN.pattern[1:] + ")")

ENGLISH_STOPWORDS = frozenset("""
a about above after again against all also am an and any are as at be because been before being
below between both but by can could did do does doing down during each few for from further had has
have having he her here hers herself him himself his how i if in into is it its itself just me more
most my myself no nor not now of off on once only or other our ours out over own same she should so
some such than that the their theirs them themselves then there these they this those through to too
under until up very was we were what when where which while who whom why will with would you your
yours yourself said says one two also may might must shall us many much new like get got""".split())
"""English function words (and the commonest verbs of reporting)."""

STOPWORDS = ENGLISH_STOPWORDS | frozenset("""
der die das den dem des ein eine einer eines einem einen und oder aber nicht ist sind war waren wird
werden wurde wurden hat haben hatte mit von zu zum zur im in am an auf aus bei für nach über unter
vor als auch wie sich es er sie wir ihr ich du man dass daß noch nur so schon sehr bis durch um
le la les un une des du de et ou mais ne pas est sont était été sera ont avait avec pour par dans sur
au aux ce cette ces qui que quoi dont il elle ils elles nous vous je tu se sa son ses leur leurs plus
y en à été être fait comme très aussi
el los las unos unas del al y o pero no es son era fue ser ha han había con para por en sobre
este esta estos estas ese esa que quien cual él ella ellos ellas nosotros yo tú se su sus lo le les
más muy también como ya""".split())
"""Function words in English, German, French and Spanish: they carry no content to ground."""

ENGLISH_MARKERS = frozenset("the of to and for with from by".split())
"""Commonest English function words that other languages of the corpus do not spell alike
("in", "a", "an" are German, Welsh, Dutch words too): a sentence with none of them is not read by
English rules (furniture's clause test, speech.FILLERS)."""


def english(found):
    """Whether the words `found` (`words` of a sentence) are English enough to read by English
    rules: one of ENGLISH_MARKERS among them, and at least half their letters in ASCII (a
    Japanese sentence that names "Kindle for PC" is not read by them)."""
    return not ENGLISH_MARKERS.isdisjoint(w.lower() for w in found) and \
        2 * sum(len(w) for w in found if w.isascii()) >= sum(map(len, found))


@functools.lru_cache(maxsize=1 << 16)
def fold(word):
    """Lower-case, strip accents, crude suffix stem, cut to 7 characters: one key per word family.

    Truncation stemming is language-agnostic and good enough for overlap ("elections"/"elected"
    and "Wahlen"/"Wahl" meet); a collision now and then costs little in a recall score.
    """
    word = unicodedata.normalize("NFKD", word.lower().replace("’", "'"))
    head, _, tail = "".join(ch for ch in word if not unicodedata.combining(ch)).partition("'")
    # French/Italian elision (d'autres, l'université, qu'il) keeps the word after the apostrophe;
    # English contractions and possessives (don't, city's) keep the one before.
    word = tail if tail and (len(head) <= 2 or head == "qu") else head
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            word = word[: -len(suffix)]
            break
    return word[:7]


LINK = re.compile(
    r"\b(?:https?://\S+|www\.\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|[a-z0-9-]{2,}(?:\.[a-z0-9-]{2,})*\.(?:com|org|net"
    r"|xyz|info|io|co|biz|app|ly|me|tv|online|site|top|club|ru|cn|uk|de|fr|es|gov|edu)\b(?:/\S*)?)", re.I)
"""A link, an e-mail address or a bare domain ("http://po.st/TP_615", "example.com/offer"): an
address, not words of a statement, though `words` reads its parts as words."""


def words(text):
    """The words of `text`, in order, as written."""
    return _WORD.findall(text)


def stopped(sentence):
    """Whether `sentence` ends with a stop (a closing quote or bracket after it allowed)."""
    return bool(_STOPPED.search(sentence.rstrip()))


def content_words(text):
    """Folded content words of `text` (no function words), in order, repeats kept."""
    return [fold(w) for w in words(text) if w.lower() not in STOPWORDS and (len(w) > 1 or w.isdigit())]


def sentences(text):
    """Split `text` into sentences; blank lines, list items and speaker lines also end one."""
    result = []
    for paragraph in re.split(r"\n\s*\n", text):
        for unit in _lines(paragraph):
            for piece in _CJK_END.split(unit):
                result.extend(_split_unit(piece))
    return [s for s in (s.strip() for s in result) if s]


def _lines(paragraph):
    """Join wrapped lines; keep a line break where a sentence, list item or speaker turn ends (a
    line wrapped after an initial or an abbreviation, "the Clarence J." / "Brown Dam", has not)."""
    units = []
    for line in paragraph.split("\n"):
        if units and line.strip() and not _LINE_START.match(line) and (
                not _HARD_BREAK.search(units[-1]) or _wrapped_after_abbreviation(units[-1], line)):
            units[-1] = units[-1].rstrip() + " " + line.strip()
        elif line.strip():
            units.append(line.strip())
    return units


def _split_unit(unit):
    """Split one line of prose at sentence ends: not after abbreviations or initials, and not
    before a lower-case word (a quotation's end with its attribution: '"Got her!" an officer
    said', "8 a.m. shift", "i.i.d. data"); then where a line without a stop ran into the next
    sentence (`_unglued`). Measured against sentencex, syntok and blingfire on hand-labelled
    corpus cases: bench/splitters.py, bench/README.md."""
    parts, start = [], 0
    for match in _SENTENCE_END.finditer(unit):
        if match.group(3).islower() or _abbreviation(unit[start:match.start()], match) or \
                _in_brackets(unit, start, match.end(1)):
            continue
        opens_next = _opens_next(unit, match)
        parts.append(unit[start:match.end(1) - opens_next])
        start = match.end() - opens_next
    parts.append(unit[start:])
    return [piece for part in parts for glued in _unglued(part) for piece in _line_joins(glued)]


def _in_brackets(unit, start, at):
    """Whether `at` is inside a bracket opened since `start` that closes within BRACKET_REACH
    characters after it: an abbreviation the splitter does not know, inside one, ends no sentence
    ("О’Генри[наст. имя Уильям Сидни Портер]", "(approx. 40 km)")."""
    for opening, closing in ("()", "[]"):
        if unit.count(opening, start, at) > unit.count(closing, start, at) and \
                closing in unit[at:at + BRACKET_REACH]:
            return True
    return False


def _opens_next(unit, match):
    """1 where the sentence end `match` is glued to the next sentence through a straight quotation
    mark that opens the next sentence's quote rather than closing one (no quote is open before it:
    'told BBC News NI."No fault of ...' against '[to do the same]."And Zwanziger said'), else 0."""
    glued_quote = not match.group(2) and match.group(1).endswith('"')
    return int(glued_quote and unit.count('"', 0, match.start(1)) % 2 == 0)


def _unglued(part):
    """`part` split before each capitalized OPENER that a line without a stop ran into
    (`_ran_into`) and that a lower-case word follows: where a caption or a heading printed without
    a stop runs into the next sentence ("... food banks such as this one in Glasgow Another
    independent food bank organisation warned ...", "... expelled from Football ConferenceAnd
    former Hereford boss Foyle ...")."""
    pieces, start = [], 0
    for match in _GLUED_OPENER.finditer(part):
        at = match.start()
        if _ran_into(part[start:at], match.group(1)):
            pieces.append(part[start:at].rstrip(" "))
            start = at
    pieces.append(part[start:])
    return pieces


def _ran_into(before, opener):
    """Whether `opener` starts a sentence that the text `before` it ran into: after a space and a
    word ending in a lower-case letter, a digit or a closing bracket, or glued to a word's end in
    lower case ("Copy this linkA review ..."). "A" and "An" not after a capitalized word ("in Group
    A while", "Plan A is", "the CelebA dataset")."""
    words = before.split()
    last = words[-1] if words else ""
    if before.endswith(" "):
        ends = last[-1:].islower() or last[-1:].isdigit() or last.endswith(")")
    else:
        ends = before[-2:].isalpha() and before[-2:].islower()
    return ends and not (opener in ("A", "An") and last[:1].isupper())


_LINE_JOIN = re.compile(r"(?<![\w'’-])([a-z]{3,}|[a-z]+\))(?=[A-Z][a-z]+(?:['’]s)?(?![\w'’-]))")
"""A word in lower case, or a closing bracket, glued to a capitalized one: two lines a page's
flattening joined without a space or a stop ("... as it eruptedThe two countries ...", "By Danny
ShawBBC home affairs correspondentTheresa May's ...", "(% denotes proportion ...)England's School
Food Trust ..."). A name is capitalized where it is glued ("YouTube", "McDonald"), "iPhone" has one
lower-case letter, and "theBreaker" lost a space, not a line's end."""


def _line_joins(part):
    """`part` split where two lines were glued (`_LINE_JOIN`)."""
    pieces, start = [], 0
    for match in _LINE_JOIN.finditer(part):
        if match.group(1) not in STOPWORDS:
            pieces.append(part[start:match.end()])
            start = match.end()
    pieces.append(part[start:])
    return pieces


def _wrapped_after_abbreviation(unit, line):
    """Whether `unit` ends with an initial or an abbreviation that `line` continues."""
    match = _SENTENCE_END.match(unit.rstrip() + " " + line.strip(), len(unit.rstrip()) - 1)
    return bool(match) and unit.rstrip().endswith(".") and _abbreviation(unit.rstrip()[:-1], match)


def _abbreviation(before, match):
    """Whether the period of `match` ends an abbreviation or initials (the last word of `before`)
    rather than a sentence."""
    if match.group(1) != ".":
        return False
    words = before.split()
    written = words[-1].lstrip("([\"'“‘") if words else ""
    last = written.lower().rstrip(".")
    if last in _NUMBERED:
        return match.group(3).isdigit()
    initial = len(last) == 1 and last.isalpha() and last != "i"  # "as am I." ends a sentence
    return last in _ABBREVIATIONS or initial or bool(_DOTTED.fullmatch(written))


def refers_back(sentence):
    """Whether `sentence` opens by referring back to what came before it (REFERS_BACK,
    REFERS_BACK_BEFORE_COMMA)."""
    opening = _OPENING.match(sentence)
    if not opening:
        return False
    word = opening.group(1).lower()
    return word in REFERS_BACK or (word in REFERS_BACK_BEFORE_COMMA and opening.group(2) == ",")
