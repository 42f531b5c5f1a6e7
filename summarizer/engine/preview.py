"""Extractive summaries of any type and length from the document's own most salient sentences:
the instant preview (the first event of every stream, computed in the API process without the
model), and the fallback when the model's answers keep breaking the rules.

Every item is a sentence of the document, or for a headline a cut of one, so it is backed by its
source by construction and cannot obey an instruction planted in the document (salience leaves
planted sentences out).
"""

import re

from summarizer import shapes
from summarizer.engine import clauses, furniture, grounding, guard, lexicon, salience, speech

METHOD = "extractive"
"""How a preview or fallback is made; a result written by the model says "model"."""

_CAPTION_LABEL = re.compile(r"^([A-Z][a-z]+|[A-Z][A-Z'-]+(?: [A-Z][A-Z'-]+){0,2}):\s+(?=[A-Z\"'‘“])")
"""A caption's or a kicker's label before its sentence ("Shocked: Pensioner Terry Cooper said
...", "EXPERT VERDICT: 'All ...", "NEW DELHI: Their ..."), where it names nobody (`_labels_only`:
"Hampton: I ..." may say who speaks)."""

_DATELINE = re.compile(
    r"^(?:[A-Z][A-Z.'\-]+(?:[ ,]+[A-Z][A-Za-z.'\-]*){0,3}\s*(?:\([A-Za-z .]{1,20}\))?\s*(?:--|—|–|-)\s*"
    r"|\((?:CNN|AP|Reuters|AFP|dpa)\)\s*(?:--|—|–|-)?\s*)")
"""A news dateline before the first sentence: "WASHINGTON (AP) — ", "LONDON, England (CNN) -- ",
"(CNN) -- ". Its place name is in capitals, which keeps "John Smith -- the mayor" whole."""

ASIDE_WORDS = 8
"""Longest aside between commas (an age, an apposition) a headline drops to fit its word limit."""

HEADLINE_MIN_WORDS = 6
"""Fewest words a headline cut at a phrase's end keeps; below, the cut falls at the word limit."""

PHRASE_OPENERS = frozenset("""
in on at from with for by after before during since until over under into about against between
through without within across among amid near which who whom whose where when while because
although though as if than but""".split())
"""Words that open a phrase or a clause: cut before one, a headline ends where a phrase does. Not
"of", "to" or "that", which bind what precedes them ("the number of people", "is set to", "will
say that", "show that lack of desire"). "and" and "or" are JOINERS."""

BINDERS = frozenset("a an the his her their its our my your of that than if because although "
                    "whether which who whose".split())
"""Words that bind what follows them: a phrase does not end after one ("... is really relevant in
the sense that, | if you want to"). Not every function word: "it", "here", "like" and a
stranded "with" end a clause ("... which I disagree with")."""

_BEFORE_PRONOUN_THAT = PHRASE_OPENERS | frozenset(("towards", "like", "of", "to"))
"""Prepositions after which "that" is a pronoun, not the word that opens a clause ("heading
towards that"): such a "that" ends a phrase (`_phrase`)."""

DANGLING = frozenset("""
and or but nor am is are was were be been being has have had do does did will would shall should
can could may might must to such so more most less very too not just only also even as""".split())
"""Words that lean on what follows them and go from a cut's end, where the phrase before them
ends: a conjunction ("... a shift in Disney's business strategy | and, potentially, ..."), an
auxiliary ("... from this year's competition | to be with ..."), a word of degree ("... tasks |
such as ...")."""

JOINERS = frozenset(("and", "or"))
"""Words that join names and words as often as clauses ("the duo Al Kellock and Dougie Hall",
"first and second order"): a phrase ends before one only where a predicate of its own follows
(clauses.opens_predicate: "... apologised to supporters | and promised to hand out ticket
refunds")."""

_COMPOUND_HEADS, _COMPOUND_TAILS = frozenset(("in", "on", "at")), frozenset(("with", "for"))
"""A preposition, a bare noun and "with" or "for" are one preposition ("in connection with", "in
line with", "at odds with", "in exchange for"): a cut before its last word ends inside it ("...
charged with falsifying records in connection")."""

_APPOSITION_OPENERS = frozenset("the a an his her their its our my".split())
"""How an apposition after a name opens ("Nigalidze, the current Georgian champion, ...")."""

_RELATIVE_OPENERS = frozenset("who whom whose which".split())
"""How a relative clause between commas opens ("The committee, which met ..., approved")."""

_LIST_MARK = re.compile(r"^[-–—•*▪●◦]\s+(?=\S)")
"""A list's bullet before a paragraph's sentence ("- This week's ..."): the page's layout, and a
headline or a sentence that starts "- " shows as a bullet in Markdown."""

_PARENTHESES = re.compile(r"\s*\([^()]{0,80}\)")
_ATTRIBUTION = re.compile(r",?\s+(?:he|she|they|it|officials?|police|[A-Z][\w.'-]*(?:\s[A-Z][\w.'-]*)?)"
                          r"\s+(?:said|says|told\s+\w+|added|reported)\.?$")


def extract(index, options, ranked=None, salient=True):
    """An extractive summary of the document of `index` (grounding.SourceIndex) shaped like
    `options` asks, as a guard.Checked. `ranked` (salience.rank of it) saves ranking it again;
    `salient=False` says `ranked` is another order (a question's, the changes'), kept as it is
    where a summary of one sentence would weigh the salience of each by its length."""
    ranked = salience.rank(index, options) if ranked is None else ranked
    rules = shapes.of(options)
    # Only sentences the guard keeps as an item: a lead-in ("Here are 15 tips to help ...") is
    # filler to it, and a one-sentence summary of that sentence alone came out empty.
    if rules.max_words:
        ranked = salience.standalone(ranked, index) if salient else ranked
        cuts = {}

        def cut(s):  # (its cut, whether that ends where a phrase does), made once per sentence
            if s.index not in cuts:
                cuts[s.index] = _cut(s.text, rules.max_words, index)
            return cuts[s.index]

        kept = lambda s: guard.items(cut(s)[0], options)  # noqa: E731
        # A cut that still states something ("A group of physicians" was the first clause of a
        # sentence too long to show whole) and that the support check backs (a turn's cut without
        # its "uh"s is not always), one that ends where a phrase does from a sentence ranked lower
        # if need be. A document of labels alone still gets one.
        stated = lambda s: kept(s) and _stated(cut(s)[0], s.text, index)  # noqa: E731
        best = salience.pick(ranked, index, count=1, usable=lambda s: stated(s) and cut(s)[1]) \
            or salience.pick(ranked, index, count=1, usable=stated) \
            or salience.pick(ranked, index, count=1, usable=kept)
        lines = [cut(best[0])[0]] if best else []
    else:
        count = rules.items if rules.unit == "bullet" else rules.extract_items
        if salient and shapes.shown_alone(options):
            ranked = salience.gist(ranked, index)
        lines = [clean(s.text, index) for s in salience.pick(
            ranked, index, count=count, usable=lambda s: guard.items(clean(s.text, index), options))]
    # Blank lines between sentences: each stays one item even where it has no closing stop to
    # split at (a transcript turn ending "and {disfmarker}" would take in the next one).
    separator = "\n" if rules.unit == "bullet" else "\n\n"
    raw = separator.join(("- " if rules.unit == "bullet" else "") + line for line in lines if line)
    return guard.enforce(raw, options)


def headline_cut(sentence, max_words, index=None):
    """(The headline cut from `sentence` (`headline`), or None where it states nothing
    (furniture.states: only the sentence's subject, "A row involving Taylor Swift"); whether it
    ends where a phrase does: the whole sentence, its first clause or a cut before a phrase's
    opener (`_phrase_end`), not one at the word limit, which stops wherever it falls ("... drew a
    South Dakota-sized", "The other thing is that the current remote controls": two of twelve
    headlines through the service))."""
    cut, at_phrase = _cut(sentence, max_words, index)
    return (cut if furniture.states(cut, sentence) else None), at_phrase


def _stated(cut, sentence, index):
    """Whether a headline `cut` from `sentence` states something that its source backs."""
    return furniture.states(cut, sentence) and grounding.citation(0, cut, index)["supported"]


def preview(document, options):
    """The `preview` event's data: {"summary", "citations", "type", "length", "format", "method"}."""
    index = grounding.SourceIndex(document.blocks, document.title)
    checked = extract(index, options)
    citations = grounding.cite(checked.items, document.blocks, index=index, status="extracted")
    return {"summary": checked.text, "citations": citations, "type": options.type,
            "length": options.length, "format": options.format, "method": METHOD}


def clean(sentence, index=None):
    """A document sentence as a summary item: without a leading news dateline, a caption's label
    (`_CAPTION_LABEL`), or a prompt to the reader glued before it ("Scroll down for video The
    ...": furniture.strip_prompt). Of a transcript's turn (`index`: the grounding.SourceIndex of
    its document), its speaker's label and what is said as a reader would write it down
    (speech.fluent, as its headline has it): "Marketing: It has to be new with some new
    technology inside" for "Marketing: it has to be new with some of uh new uh technology inside"."""
    said = speech.fluent(sentence) if index is not None and index.transcript else ""
    if said:  # a turn that trails off ("... from the sofa, and, um") ends where it was going on
        label = lexicon.TURN.match(sentence)
        said = said if lexicon.stopped(said) else " ".join(guard.trimmed(said.split()))
        sentence = (label.group(0) if label else "") + said
    label = _CAPTION_LABEL.match(sentence) if index is not None and not index.transcript else None
    if label and _labels_only(label.group(1), index):
        sentence = sentence[label.end():]
    sentence = _LIST_MARK.sub("", _DATELINE.sub("", sentence, count=1).strip(), count=1)
    return _quotes_closed(furniture.strip_prompt(sentence))


def _quotes_closed(sentence):
    """`sentence` with its straight double quotes paired, as an excerpt is quoted: a quotation
    that goes on past its end is closed there ('Fraser added: "Despite wishing ... to Aberdeen.'),
    one that began before it is opened at its start ('It's as good ... from an England point of
    view," Vaughan told ...'). A quote that opens the sentence is left alone, paired or not: XSum
    puts a paragraph's closing quote at the start of the next ('"Mr Ratcliffe, 41, believes ...'),
    where a quotation of several paragraphs opens each alike ('"It kept us sane, ...'); where the
    sentence's own quotes pair after it, it is the stray one and goes ('"The former inmate claimed
    drones flew goods "straight up to prison windows", but ...'). One tl;dr in ten of XSum's
    development half had an unpaired one."""
    # An inch or a second after a number ('a 5" screen') is no quotation mark, and a sentence
    # with curly ones may pair a curly with a straight one ('“We're On It"').
    marks = [m.start() for m in re.finditer('"', sentence) if not sentence[m.start() - 1:m.start()].isdigit()]
    if len(marks) % 2 == 0 or "“" in sentence or "”" in sentence:
        return sentence
    if marks[0] == 0:
        return sentence[1:] if len(marks) >= 3 else sentence
    if marks[-1] == len(sentence) - 1 and sentence[-2:-1] == " ":
        return sentence[:-1].rstrip()  # a quotation the splitter sent to the next sentence
    opened = sum(sentence[at - 1] in " ([{:—–-" for at in marks)
    return sentence + '"' if opened > len(marks) - opened else '"' + sentence


def _labels_only(label, index):
    """Whether a caption's `label` names nobody: words in capitals, or a word the document (of
    `index`) writes in lower case or nowhere but in this one sentence (a name, "Hampton", is
    written elsewhere too)."""
    key = lexicon.fold(label)
    return label.isupper() or key in index.common or len(set(index.postings.get(key, ()))) <= 1


def headline(sentence, max_words, index=None):
    """A headline of at most `max_words` words cut from `sentence`: no dateline, no parentheses,
    no closing attribution ("..., officials said"), its first clause when the whole is too long.
    `index`: the grounding.SourceIndex of its document (`clean`). Of a transcript's sentence,
    what is said without the speaker's label, "uh"s and restarts (speech.fluent): "Marketing: Uh
    we have we have an hour" was a headline."""
    return _cut(sentence, max_words, index)[0]


def _cut(sentence, max_words, index):
    """(`headline`'s cut of `sentence`, whether it ends where a phrase does)."""
    transcript = index is not None and index.transcript
    said = speech.fluent(sentence) if transcript else sentence
    text = _ATTRIBUTION.sub("", _PARENTHESES.sub("", clean(said, None if transcript else index))).rstrip(" .;:,")
    if len(text.split()) > max_words:
        text = _without_asides(text, max_words)
    if len(text.split()) > max_words:
        first = re.split(r"[,;:]\s|\s[—–-]+\s", text, maxsplit=1)[0].split()
        # Only where the clause ends as a phrase does (`_phrase`): a meeting's headline ended
        # "... is really relevant in the sense that", before ", um, if you want to".
        first = _phrase(first)
        if first and 4 <= len(first) <= max_words and furniture.states(" ".join(first), text):
            text = " ".join(first)
    words = text.split()
    if len(words) <= max_words:
        return text, True
    cut = _phrase_end(words, max_words)
    if cut is None:
        return " ".join(guard.trimmed(words[:max_words])), False
    return " ".join(cut), True


def _without_asides(text, max_words):
    """`text` without the asides between commas that it can spare, until it fits in `max_words`:
    after a name, an age or an apposition without a verb ("Terry Cooper, 79, was enjoying ...",
    "Gaioz Nigalidze, the current Georgian champion, was expelled ..."); after a noun, a relative
    clause that only adds to it ("The committee, which met for six hours, approved ...": a cut
    before its end has the clause's verb, not the sentence's). Not an item of a list ("Paris,
    London and Berlin"), nor after the sentence's first word but for an age ("However, the plan,
    ..." has no name before it)."""
    parts = text.split(", ")
    at = 1
    while len(" ".join(parts).split()) > max_words and at < len(parts) - 1:
        aside, before, after = parts[at].split(), parts[at - 1].split(), parts[at + 1].split()
        age = parts[at].isdigit()
        named = before and before[-1][:1].isupper() and (age or at > 1 or len(before) > 1)
        apposition = 0 < len(aside) <= ASIDE_WORDS and aside[0].lower() in _APPOSITION_OPENERS and \
            not clauses.has_clause(lexicon.words(parts[at]))
        relative = bool(aside) and aside[0].lower() in _RELATIVE_OPENERS
        # "Grant Allen, 38, of Harlow, travelled": without the age the place would be his name's.
        if (relative or named and (age or apposition)) and after and \
                after[0].lower() not in ("and", "or", "of", "from"):
            parts[at - 1] = parts[at - 1] + " " + parts.pop(at + 1)
            del parts[at]
        else:
            at += 1
    return ", ".join(parts)


def _phrase_end(words, max_words):
    """The words of a headline cut at `max_words` up to the last phrase that ends before a
    preposition, conjunction or relative word (`_opens_phrase`: "... was expelled | from the
    Dubai Open Chess tournament"), so the cut does not end in the middle of a name or a phrase,
    nor on a word that needs what follows it (`_phrase`); None where no such place leaves
    HEADLINE_MIN_WORDS words with a verb ("Last week, 27 community centres | in 17 US states
    reported ..." has none: the cut falls at the limit)."""
    whole = " ".join(words)
    for end in range(max_words, HEADLINE_MIN_WORDS - 1, -1):
        # A preposition before a relative word is the relative clause's ("a type of pneumonitis
        # | in which"); before another opener it may close a phrase ("nurses filling in | for").
        relative = words[end].lower() in _RELATIVE_OPENERS and words[end - 1].lower() in PHRASE_OPENERS
        cut = _opens_phrase(words, end) and not relative and _phrase(words[:end])
        if cut and len(cut) >= HEADLINE_MIN_WORDS and furniture.states(" ".join(cut), whole):
            return cut
    return None


def _phrase(words):
    """`words` without the words at their end that lean on what follows (`DANGLING`: "... a shift
    in Disney's business strategy and", "... this year's competition to be"), or None where they
    then end on one that binds it (`BINDERS`; "that" after a preposition is a pronoun: "heading
    towards that"). Not every function word goes, as a cut at the limit's do (guard.trimmed): a
    particle or an object ends a phrase ("dug up", "saved him", "will look like")."""
    given = len(words)
    while len(words) > 1 and words[-1].lower().strip(",;:") in DANGLING:
        words = words[:-1]
    last, before = words[-1].lower().strip(",;:"), words[-2].lower() if len(words) > 1 else ""
    bound = last in BINDERS and not (last == "that" and before in _BEFORE_PRONOUN_THAT)
    # What a leaning word went from is no particle: "... foreign fighters from | more than".
    stranded = len(words) < given and last in lexicon.ENGLISH_STOPWORDS
    return None if bound or stranded else words


def _opens_phrase(words, at):
    """Whether `words[at]` opens a phrase or a clause (PHRASE_OPENERS, JOINERS), and does not end
    a compound preposition (`_COMPOUND_HEADS`)."""
    word = words[at].lower()
    bare_noun = at >= 2 and words[at - 1].isalpha() and words[at - 1].islower()
    if word in _COMPOUND_TAILS and bare_noun and words[at - 2].lower() in _COMPOUND_HEADS:
        return False
    return word in PHRASE_OPENERS or \
        (word in JOINERS and at + 1 < len(words) and clauses.opens_predicate(words[at + 1]))
