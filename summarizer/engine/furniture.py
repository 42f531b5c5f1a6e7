"""Page furniture and fragments: text of a page that is not a statement of its content.

A summary item must say something: a clause with a verb, not a caption label (`Yankovic: "Weird
Al"`), a byline, a kicker in capitals ("CAN THEY SAVE THEMSELVES?") or a prompt to the reader about
the page itself ("Scroll down for video", "Click here for all the latest news", "Share this with
Email"). Three general tests, no list of phrases:

- a *clause*: a sentence has a finite verb, seen without a tagger through the closed classes of
  English that mark one (auxiliaries and modals, a subject pronoun before a word, a past tense
  in -ed or an irregular one, a present tense in -s after its subject);
- *reader prompts*: an imperative of the page's interface (scroll, click, tap, subscribe, sign
  up...), or of reading it (share, follow, watch, read...) pointing at the page (here, more, us,
  video, link, newsletter...), or a notice that the page's media does not work on the reader's
  device or browser: instructions and notices of the page, not its content;
- *capitals*: a sentence most of whose words are in capitals is a kicker or a label;
- *leaders*: a run of leader dots is a line of a table of contents ("Notices . . . . . vii").

Measured on the sentences the summary may use (salience.readable, 6-60 words) of the development
corpus: bench/README.md "Page furniture", `python bench/furniture.py`.

Non-English text has no English clause markers: the clause test applies only where a sentence
uses English function words (a few of the commonest), so a German or French sentence is never
called a fragment for lacking "is".
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

_INTERFACE_VERBS = r"scroll|click|tap|swipe|subscribe|sign\s+up|sign\s+in|log\s+in|continue\s+reading|like\s+us"
"""Verbs that only a page's interface says to its reader: such an imperative is a prompt alone."""
_READER_VERBS = (r"share|follow|watch|see|view|read|comment|join|listen|email|print|download|"
                 r"register|find\s+out|learn")
"""Verbs of reading a page that are also ordinary words ("Share prices fell"): a prompt only with
what they point to."""
_POINTED = r"here|us|now|more|down|up|below|above"
"""What a reader verb points to right after it ("Read more", "Like us", "Watch now")."""
_PAGE_NOUNS = (r"videos?|photos?|pictures?|gallery|link|page|story|article|newsletter|podcast|app|"
               r"comments?|here|below|above|twitter|facebook|instagram|whatsapp|youtube")
"""What a reader verb points to within four words ("Watch the video", "Follow us on Twitter")."""
_READER_PROMPT = re.compile(rf"^\W*(?:(?:{_INTERFACE_VERBS})\b|(?:{_READER_VERBS})\W+(?:{_POINTED})\b"
                            rf"|(?:{_READER_VERBS})\b(?:\W+\w+){{0,3}}?\W+(?:{_PAGE_NOUNS})\b)", re.I)
"""An imperative to the reader about the page itself."""

_LEADING_PROMPT = re.compile(
    rf"^\W*(?:(?:scroll\s+(?:down|up)|click\s+here|tap\s+here|swipe)\b(?:\s+(?:for|to\s+see|to\s+read)"
    rf"(?:\s+(?:the|more|all))?(?:\s+(?:videos?|pictures|photos|gallery|more|latest)\b)?)?\s*[.:!-]*\s*"
    rf"|(?:{_INTERFACE_VERBS}|{_READER_VERBS})\b[^:.!?]{{0,30}}:\s+)", re.I)
"""A reader prompt glued before a page's sentence ("Scroll down for video Abase Hussen, left,
took ...", "Watch the video: A professor ..."): the sentence after it is content."""

_READERS_MEDIUM = r"(?:this|your)\s+(?:device|browser)"
"""The reader's own device or browser, pointed at ("this device", "your browser"): what only a
page says of the software it is read on."""
_THIS_MEDIA = r"\bthis\s+(?:[\w-]+\s+)?(?:video|audio|content|player|graphic|interactive|feature|page)\b"
"""The page's own media, pointed at ("this interactive video", "this content")."""
_FAILS = (r"(?:is|are|be|may|might|will|can|does|do)\s*(?:n't|\s+not)\s+(?:be\s+)?"
          r"(?:supported|available|work|play|support)")
"""That something does not work or is not offered."""
_FAILS_ON_MEDIUM = rf"\b{_FAILS}\b[^.!?]{{0,40}}?\b(?:on|in|with|by)\s+{_READERS_MEDIUM}"
"""That something does not work on the reader's device ("... is not supported on this device")."""
_MEDIUM_NOTICE = re.compile(rf"{_FAILS_ON_MEDIUM}|\b{_READERS_MEDIUM}\s+{_FAILS}\b"
                            rf"|{_THIS_MEDIA}[^.!?]{{0,30}}?\b{_FAILS}\b[^.!?]{{0,30}}?\b(?:devices|browsers)\b",
                            re.I)
"""A notice of the page about its own media on the reader's device ("Media playback is not
supported on this device", "this interactive video may not work on some older browsers", "Your
browser does not support the video tag"): the page's, not its content."""
_LEADING_NOTICE = re.compile(rf"^[^.!?]{{0,60}}?{_FAILS_ON_MEDIUM}(?=[A-Z0-9\"'“‘])", re.I)
"""Such a notice glued before a page's sentence by an extractor that dropped the media player
between them ("Media playback is not supported on this deviceDel Potro secured ...")."""

_LEADERS = re.compile(r"(?:\.[ \t]){4,}\.|(?:\.{5,}|…[ \t]?…)[ \t]*(?:\d+|[ivxlcdm]+)[ \t]*$", re.I)
"""A table of contents' leader dots: five or more spaced out (". . . . .", wherever the sentence
splitter left the page number), or five or more (two ellipses) before a page number ending the
line. Prose's own ellipsis is three dots; a row of dots after a sentence with no page number is a
separator a page put there (CNN/DM's "win. ......"), and the sentence is still one."""

_TRAIL_STEP = re.compile(r"\s[»›]\s")
"""The separator of a navigation trail ("Home › News › Politics", "Mensagens » Mensagens de
Autoestima » ..."): a page's breadcrumbs, which an extractor can keep as a line of text. Not
">", which prose and papers write between quantities ("a > b > c")."""

TRAIL_LABEL_WORDS = 6
"""Most words of each step of a navigation trail: its steps are the names of sections, and two
separators between longer stretches are prose (a comparison, a quotation in French marks)."""

_CAPITAL_PAIR = re.compile(r"[A-Z]{2,}[^\w]+[A-Z]{2,}")
"""Two words in capitals in a row."""

FRAGMENT_WORDS = 6
"""The model's item without a clause is dropped below this many words (`Yankovic: "Weird Al"`, a
caption it copied): a label states nothing. A longer phrase ("Point about the harbour and its
quay", an outline's line) is kept from the model; a document's sentence is held to the whole
rule, since salience.readable takes sentences of 6 words and more."""

CAPITALS_SHARE = 0.6
"""A sentence at least this share of whose words (of two letters or more) are all capitals is a
kicker, a label or a shouted prompt ("SCROLL DOWN FOR VIDEO"), not a statement."""


_TRAILING_LABEL = re.compile(r"(?:^|\s)[A-Z][\w'-]*(?: [A-Z][\w'-]*){0,2}:\s*$")
"""A speaker's label at a sentence's end (the next turn's, glued on), or a label alone."""


def reason(sentence):
    """Why `sentence` is not a statement of content ("reader_prompt", "contents_line", "navigation",
    "capitals", "lead_in", "no_clause"), or None when it is one. A lead-in ends with a colon: it
    introduces what follows ("... here are five ways to enjoy Christmas online:", "The Latest on a
    deadly stabbing (all times local):") and, shown alone, says none of it; not where the colon
    ends a speaker's label that a transcript glued on ("... drawing malarkey Industrial Designer:")."""
    sentence = strip_prompt(sentence)
    if sentence.rstrip().endswith(":") and not _TRAILING_LABEL.search(sentence):
        return "lead_in"
    if _READER_PROMPT.match(sentence) or _MEDIUM_NOTICE.search(sentence):
        return "reader_prompt"
    if _LEADERS.search(sentence):
        return "contents_line"
    if _trail(sentence):
        return "navigation"
    if _CAPITAL_PAIR.search(sentence):  # only then can most words be in capitals
        long_words = [w for w in lexicon.words(sentence) if len(w) > 1 and w.isalpha()]
        if long_words and sum(w.isupper() for w in long_words) >= CAPITALS_SHARE * len(long_words):
            return "capitals"
    if not _FINITE.isdisjoint(lexicon.words(sentence.lower())):
        return None  # most sentences: an auxiliary or "said" (the preview checks 100k tokens)
    found = lexicon.words(sentence)
    return None if found and has_clause(found) else "no_clause"


_RELATIVE = re.compile(r",\s*(?:who|whom|whose|which)\b[^,;:]*|\b(?:who|whom|whose|which|that)\s+"
                       r"(?:(?:\w+ly|has|have|had|is|are|was|were|will|would|can|could|may|might|be|been|"
                       r"not|also|only|still)\s+)*[\w'’-]+", re.I)
"""A relative clause, whose verb is not the sentence's: between commas whole ("The man, who has
been named, ..."); without commas its pronoun and verb ("The silver car that hit | Mr Zhang")."""


def states(cut, sentence):
    """Whether `cut`, a part of `sentence` shown alone (a headline), states something: no
    furniture, and a verb outside its relative clauses that is more than a word in -ing (the first
    clause of a long sentence is often only its subject: "A row involving Taylor Swift", "The
    silver car that hit Mr Zhang on his motorbike"). Whether it is English enough to tell is told
    from the whole sentence: a cut may have none of its function words."""
    english = not lexicon.ENGLISH_MARKERS.isdisjoint(w.lower() for w in lexicon.words(sentence))
    main = lexicon.words(_RELATIVE.sub("", cut))
    return reason(cut) is None and has_clause(main, participle=False, english=english) and \
        not (english and _FINITE.isdisjoint(w.lower() for w in main) and _verb_left_out(cut, sentence))


_CLAUSE_OPENERS = frozenset("""
after although and as because before but if once or since so than that though till unless until
when whenever where whereas which while who whom whose""".split())
"""Words that open a clause of its own: a verb after one is not the verb of the clause before."""


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
            if word in _FINITE and word not in ("being", "having"):
                return True
    return False


def _trail(sentence):
    """Whether `sentence` is a navigation trail: three or more short steps between separators, and
    no French opening quotation mark (whose closing one is "»")."""
    steps = _TRAIL_STEP.split(sentence)
    return len(steps) >= 3 and not set("«‹") & set(sentence) and \
        all(len(lexicon.words(step)) <= TRAIL_LABEL_WORDS for step in steps)


def has_clause(found, participle=True, english=None):
    """Whether the words `found` (lexicon.words of a sentence) have a verb, or are not English
    enough to tell. Loose on purpose: telegraphic statements people write as summaries ("Created
    by ... in 2001", "Proposes a method ...", "Villa travel to the Etihad to play ...") pass; labels,
    listings and captions of names do not. `participle=False`: a word in -ing is no verb (in a cut,
    "A row involving Taylor Swift", it is a noun's modifier). `english`: whether the whole sentence
    is English, where `found` is a part of it (None: told from `found`)."""
    lower = [w.lower().replace("’", "'") for w in found]
    distinct = set(lower)
    if not distinct.isdisjoint(_FINITE):
        return True
    if not english if english is not None else distinct.isdisjoint(lexicon.ENGLISH_MARKERS):
        return not _all_names(found)  # a label of names says nothing in any language
    for number, word in enumerate(lower):
        head, _, tail = word.partition("'")
        if tail in _CONTRACTED or \
                (tail == "s" and head in _SUBJECTS | _WH):
            return True
        if not found[number].isupper() and len(word) > 3 and word.endswith(("ed", "ing") if participle else "ed"):
            return True
        if _present_tense(number, lower, found) or _plural_subject(number, lower, found):
            return True
        if number == 0 and len(lower) > 1 and word not in lexicon.STOPWORDS and lower[1] in _OBJECTS:
            return True  # an imperative: "Keep a journal", "See the plan"
        if word in _SUBJECTS or word == "to":
            after = number + 1 + (number + 1 < len(found) and (
                lower[number + 1] in _ADVERBS or (len(lower[number + 1]) > 4 and lower[number + 1].endswith("ly"))))
            if after < len(found) and found[after].islower() and lower[after] not in _FUNCTION_WORDS:
                return True
    return False


_FINITE = _AUXILIARIES | _IRREGULAR_PAST

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


def opens_predicate(word):
    """Whether `word`, after "and" or "or", opens a predicate or a clause of its own ("and
    promised to ...", "and will expect ...", "and you fancy ..."): an auxiliary, a past form or a
    personal pronoun. A noun or an adjective joined to the one before ("first and second order",
    "Beijing and the Hong Kong government") does not."""
    lower = word.lower().strip(",;:.!?\"'”’")
    return lower in _FINITE or lower in _PERSONAL or (len(lower) > 3 and lower.endswith("ed"))


def _present_tense(number, lower, found):
    """A word in -s that is a verb by its place: after a name or a noun ("Smith says", "the
    company makes"), or opening a sentence ("Proposes a method ...")."""
    word = lower[number]
    if not word.endswith("s") or word.endswith(("ss", "us", "is", "'s")) or len(word) < 4:
        return False
    if number == 0:
        return not found[0].isupper() and len(found) > 1 and not found[1].isdigit()
    return found[number].islower() and (found[number - 1][:1].isupper() or lower[number - 1] not in lexicon.STOPWORDS)


def _plural_subject(number, lower, found):
    """A lower-case word between a plural or a name and a function word or a name: a verb in
    the plural present ("Israelis live in", "Liverpool face Aston Villa", "people visit the")."""
    if number == 0 or number + 1 >= len(found) or not found[number].islower() or lower[number] in lexicon.STOPWORDS:
        return False
    before, after = found[number - 1], found[number + 1]
    subject = before[:1].isupper() or (before.islower() and before.endswith("s") and not before.endswith("ss"))
    return subject and lower[number - 1] not in lexicon.STOPWORDS and \
        (lower[number + 1] in lexicon.STOPWORDS or after[:1].isupper())


def _all_names(found):
    return all(w[:1].isupper() or w.isdigit() for w in found)


def strip_prompt(sentence):
    """`sentence` without a reader prompt or a notice glued before it ("Scroll down for video
    The ...", "Media playback is not supported on this deviceDel Potro ...")."""
    match = _LEADING_PROMPT.match(sentence) or _LEADING_NOTICE.match(sentence)
    if not match or match.end() == len(sentence):
        return sentence
    rest = sentence[match.end():]
    return rest if rest[:1].isupper() or rest[:1].isdigit() or rest[:1] in "\"'“‘" else sentence
