"""Page furniture and fragments: text of a page that is not a statement of its content.

A summary item must say something: a clause with a verb, not a caption label (`Yankovic: "Weird
Al"`), a byline, a kicker in capitals ("CAN THEY SAVE THEMSELVES?") or a prompt to the reader about
the page itself ("Scroll down for video", "Click here for all the latest news", "Share this with
Email"). Three general tests, no list of phrases:

- a *clause*: a sentence has a finite verb (clauses.py);
- *reader prompts*: an imperative of the page's interface (scroll, click, tap, subscribe, sign
  up...), or of reading it (share, follow, watch, read...) pointing at the page (here, more, us,
  video, link, newsletter...), a notice that the page's media does not work on the reader's
  device or browser, or of who pays for the page: instructions and notices of the page, not its
  content;
- *capitals*: a sentence most of whose words are in capitals is a kicker or a label;
- *leaders*: a run of leader dots is a line of a table of contents ("Notices . . . . . vii").

Measured on the sentences the summary may use (candidates.readable, 6-60 words) of the development
corpus: bench/README.md "Page furniture", `python bench/furniture.py`.

Non-English text has no English clause markers: the clause test applies only where a sentence
uses English function words (a few of the commonest), so a German or French sentence is never
called a fragment for lacking "is".
"""

import re
import unicodedata

from summarizer.engine import clauses, lexicon

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

_SPONSOR_NOTICE = re.compile(
    r"^\W*this\b[^.!?]{0,40}?\b(?:is|was|are|were)\s+(?:sponsored|brought\s+to\s+you|paid\s+for|"
    r"underwritten)\s+by\b|\b(?:this|our)\s+(?:[\w-]+\s+){0,2}(?:contains?|includes?|may\s+contain)\s+"
    r"affiliate\s+links\b|\bwe\s+(?:may|might|will)\s+(?:earn|receive|get)\s+(?:a|an\s+affiliate)\s+commission\b",
    re.I)
"""A page's notice of who pays for it ("This week's Tennis Podcast is sponsored by ...", "This
sponsored deal is brought to you by ...", "We may earn a commission ..."): pointed at the page
itself ("this", "we"), so not a sponsorship the page reports ("The Open is sponsored by ...")."""

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

TABLE_CELLS = 3
"""Cells between " | " from which a line is a table's row, not a sentence (two are a page's title
and its site's name: "Story | Site")."""

_CAPITAL_PAIR = re.compile(r"[A-Z]{2,}[^\w]+[A-Z]{2,}")
"""Two words in capitals in a row."""

FRAGMENT_WORDS = 6
"""The model's item without a clause is dropped below this many words (`Yankovic: "Weird Al"`, a
caption it copied): a label states nothing. A longer phrase ("Point about the harbour and its
quay", an outline's line) is kept from the model; a document's sentence is held to the whole
rule, since candidates.readable takes sentences of 6 words and more."""

CAPITALS_SHARE = 0.6
"""A sentence at least this share of whose words (of two letters or more) are all capitals is a
kicker, a label or a shouted prompt ("SCROLL DOWN FOR VIDEO"), not a statement."""


_HANDLE = re.compile(r"(?<![\w@#])[@#]\w+")
"""A social network's handle or hashtag ("@noksutagram", "#AMAs"): a name, not a verb that opens
an imperative (clauses.has_clause reads "noksutagram The Palace" as "Keep a journal")."""

GARBLED_SCRIPTS = 5
"""Writing systems among a sentence's letters from which it is a PDF text layer's glyph codes,
not text ("ǐې޷Ҵо੿ࠁࠁউӝߊࣿ੹ߑೱ79", nine scripts, where the font maps no glyph to its letter). Of the
corpus files' 40,800 sentences, none of the others has more than three (Japanese mixes kanji,
kana and Latin; a formula adds Greek)."""

_SCRIPT_FAMILIES = {"HIRAGANA": "CJK", "KATAKANA": "CJK", "KATAKANA-HIRAGANA": "CJK",
                    "IDEOGRAPHIC": "CJK", "HALFWIDTH": "CJK", "FULLWIDTH": "CJK"}
"""Unicode name prefixes that write one language together (Japanese, Chinese)."""

_TRAILING_LABEL = re.compile(r"(?:^|\s)[A-Z][\w'-]*(?: [A-Z][\w'-]*){0,2}:\s*$")
"""A speaker's label at a sentence's end (the next turn's, glued on), or a label alone."""


def reason(sentence):
    """Why `sentence` is not a statement of content ("garbled", "reader_prompt", "contents_line",
    "navigation", "table_row", "capitals", "lead_in", "no_clause"), or None when it is one. Glyph
    codes of a PDF's text layer are garbled (GARBLED_SCRIPTS). A table's row (cells between " | ",
    as Word's, slides' and pages' tables are read) states nothing alone: "| DL | Myles Garrett |
    57 | 77% | 1 tackle (1 combined).", a navigation bar. A lead-in ends with a colon: it
    introduces what follows ("... here are five ways to enjoy Christmas online:", "The Latest on a
    deadly stabbing (all times local):") and, shown alone, says none of it; not where the colon
    ends a speaker's label that a transcript glued on ("... drawing malarkey Industrial Designer:")."""
    sentence = strip_prompt(sentence)
    if not sentence.isascii() and len(_scripts(sentence)) >= GARBLED_SCRIPTS:
        return "garbled"
    if sentence.rstrip().endswith(":") and not _TRAILING_LABEL.search(sentence):
        return "lead_in"
    if _READER_PROMPT.match(sentence) or _MEDIUM_NOTICE.search(sentence) or _SPONSOR_NOTICE.search(sentence):
        return "reader_prompt"
    if _LEADERS.search(sentence):
        return "contents_line"
    if _trail(sentence):
        return "navigation"
    if sentence.count(" | ") >= TABLE_CELLS - 1:
        return "table_row"
    if _CAPITAL_PAIR.search(sentence):  # only then can most words be in capitals
        long_words = [w for w in lexicon.words(sentence) if len(w) > 1 and w.isalpha()]
        if long_words and sum(w.isupper() for w in long_words) >= CAPITALS_SHARE * len(long_words):
            return "capitals"
    if not clauses.FINITE.isdisjoint(lexicon.words(sentence.lower())):
        return None  # most sentences: an auxiliary or "said" (the preview checks 100k tokens)
    found = lexicon.words(_HANDLE.sub(" ", sentence))
    return None if found and clauses.has_clause(found) else "no_clause"


def states(cut, sentence):
    """Whether `cut`, a part of `sentence` shown alone (a headline), states something: no
    furniture, and the verb of its own clause (clauses.has_main_verb: "A row involving Taylor
    Swift" and "The silver car that hit Mr Zhang on his motorbike" are subjects), not only a
    subordinate clause's (clauses.subordinate: "When the offending substance is feathers in a
    duvet")."""
    return reason(cut) is None and clauses.has_main_verb(cut, sentence) and not clauses.subordinate(cut)


def _scripts(sentence):
    """The writing systems of `sentence`'s letters, by the first word of their Unicode names."""
    names = {unicodedata.name(c, "?").split(" ", 1)[0] for c in set(sentence) if c.isalpha()}
    return {_SCRIPT_FAMILIES.get(name, name) for name in names}


def _trail(sentence):
    """Whether `sentence` is a navigation trail: three or more short steps between separators, and
    no French opening quotation mark (whose closing one is "»")."""
    steps = _TRAIL_STEP.split(sentence)
    return len(steps) >= 3 and not set("«‹") & set(sentence) and \
        all(len(lexicon.words(step)) <= TRAIL_LABEL_WORDS for step in steps)


def strip_prompt(sentence):
    """`sentence` without a reader prompt or a notice glued before it ("Scroll down for video
    The ...", "Media playback is not supported on this deviceDel Potro ...")."""
    match = _LEADING_PROMPT.match(sentence) or _LEADING_NOTICE.match(sentence)
    if not match or match.end() == len(sentence):
        return sentence
    rest = sentence[match.end():]
    return rest if rest[:1].isupper() or rest[:1].isdigit() or rest[:1] in "\"'“‘" else sentence
