"""Grounding: match each summary item to the source sentences that support it, by lexical overlap.

No model and no network: an item is supported when enough of its *information* (content words
weighted by how rare they are in the document, IDF) is found in one or two source sentences.
Words the document never uses weigh most, so an invented name or number pulls support down,
while a paraphrase that keeps the key terms keeps it up.

This module also holds the small lexical toolkit (sentences, content words) that guard.py and
extractive.py share, so the three agree on what a sentence and a word are, and finds the source
sentences that are instructions planted for the model rather than content (`injected_instructions`).
"""

import math
import re
import unicodedata
from collections import Counter, defaultdict

SUPPORT_THRESHOLD = 0.5
"""An item is `supported` when at least half of its IDF-weighted content words occur in its best
one or two source sentences. Chosen from first principles, not fitted: below half, most of what
the item says (names, numbers, claims) is not in the text it claims to summarise."""

MIN_SOURCE_SCORE = 0.2
"""A source sentence is listed under an item only from this score up (weaker matches are noise)."""

MAX_SOURCES = 3
"""Most source locations listed per item (the extension shows them as clickable links)."""

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof st jr sr inc ltd co corp vs etc e.g i.e u.s u.k no fig al approx dept "
    "gen gov sen rep jan feb mar apr jun jul aug sep sept oct nov dec mt ft".split()
)
_SENTENCE_END = re.compile(r"([.!?…]+[\"'”’)\]]*)(\s+)(?=[\"'“‘(\[]?[\w¿¡])", re.UNICODE)
_HARD_BREAK = re.compile(r"([.!?:;…\"'”’)])\s*$")
_LINE_START = re.compile(r"^\s*(?:[-*•+]\s|\d+[.)]\s|[A-Z][\w .'-]{0,30}:\s)")

STOPWORDS = frozenset("""
a about above after again against all also am an and any are as at be because been before being
below between both but by can could did do does doing down during each few for from further had has
have having he her here hers herself him himself his how i if in into is it its itself just me more
most my myself no nor not now of off on once only or other our ours out over own same she should so
some such than that the their theirs them themselves then there these they this those through to too
under until up very was we were what when where which while who whom why will with would you your
yours yourself said says one two also may might must shall us many much new like get got
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


def words(text):
    """The words of `text`, in order, as written."""
    return _WORD.findall(text)


def content_words(text):
    """Folded content words of `text` (no function words), in order, repeats kept."""
    return [fold(w) for w in words(text) if w.lower() not in STOPWORDS and (len(w) > 1 or w.isdigit())]


def sentences(text):
    """Split `text` into sentences; blank lines, list items and speaker lines also end one."""
    result = []
    for paragraph in re.split(r"\n\s*\n", text):
        for unit in _lines(paragraph):
            result.extend(_split_unit(unit))
    return [s for s in (s.strip() for s in result) if s]


def _lines(paragraph):
    """Join wrapped lines; keep a line break where a sentence, list item or speaker turn ends."""
    units = []
    for line in paragraph.split("\n"):
        if units and line.strip() and not _LINE_START.match(line) and not _HARD_BREAK.search(units[-1]):
            units[-1] = units[-1].rstrip() + " " + line.strip()
        elif line.strip():
            units.append(line.strip())
    return units


def _split_unit(unit):
    """Split one line of prose at sentence ends, not after abbreviations or initials."""
    parts, start = [], 0
    for match in _SENTENCE_END.finditer(unit):
        before = unit[start:match.start()].split()
        last = before[-1].lower().rstrip(".") if before else ""
        if match.group(1) == "." and (last in _ABBREVIATIONS or (len(last) == 1 and last.isalpha())):
            continue
        parts.append(unit[start:match.end(1)])
        start = match.end()
    parts.append(unit[start:])
    return parts

# Sentences that address the model instead of the reader ("ignore your instructions", "reply only
# with X"), in English, German, French and Spanish. Checked against the shared corpus: no news
# article, abstract or meeting transcript there matches (tests/test_guard.py keeps it so).
INSTRUCTION = re.compile("|".join([
    r"\b(?:ignore|disregard|forget|override)\b.{0,40}\b(?:instructions?|prompts?|rules|directions|task)\b",
    # Imperatives only (sentence start, or after "and", "just", ...): "they say only" is reporting.
    r"(?:^|[,:;.!]\s*|\b(?:and|then|just|please|simply|now)\s+)(?:reply|respond|answer|output|print|say|write)"
    r"\s+(?:\w+\s+){0,2}(?:only|exactly|just|the words?)\b",
    r"(?:^|[,:;.!]\s*|\b(?:and|then|just|please|simply|now|only|must|should)\s+)(?:reply|respond|answer)\s+with\b",
    r"\b(?:end|start|begin|finish)\s+(?:your|the|every|each)\s+(?:summary|answer|response|reply|output)\s+with\b",
    r"\b(?:assistants?|ai|summari[sz]ers?|chatbots?|llms?|language models?)\b.{0,20}\b(?:must|should|will|are to|have to|need to)\b"
    r".{0,20}\b(?:reply|respond|answer|output|print|say|write|include|mention|add)\b",
    r"\b(?:instead|from now on|ab jetzt|von nun an|désormais|à partir de maintenant|a partir de ahora|en su lugar)"
    r"\b.{0,30}\b(?:say|write|reply|respond|output|print|answer|antwort\w*|schreib\w*|répond\w*|écri\w*"
    r"|respond\w*|contest\w*|escrib\w*)\b",
    r"\b(?:please|kindly)\b.{0,15}\b(?:say|write|reply|respond|output|print|answer)\b",
    r"\b(?:when|if|before|after) you (?:summari[sz]e|process) (?:this|it|the)\b",
    r"\b(?:du musst|sie müssen|tu dois|vous devez|debes|tienes que|usted debe)\b.{0,30}"
    r"\b(?:antworten|schreiben|sagen|ausgeben|répondre|écrire|dire|afficher|responder|contestar|escribir|decir)\b",
    r"\b(?:system prompt|new instructions?|do not summari[sz]e|summary must)\b",
    r"\b(?:ignorier|vergiss|missachte)\w*\b.{0,50}\b(?:anweisung|befehl|regel|aufgabe)",
    r"\b(?:antworte|antworten sie|schreibe|schreiben sie|schreib|gib|geben sie)\b.{0,40}"
    r"\b(?:nur|ausschließlich|mit dem wort|das wort)\b",
    r"\b(?:ignore[zr]?|oublie[zr]?)\b.{0,50}\b(?:instructions?|consignes?|règles?)\b",
    r"\b(?:répondez|réponds|écrivez|écris|affichez|affiche)\b.{0,40}"
    r"\b(?:uniquement|seulement|par le mot|avec le mot|le mot)\b",
    r"\b(?:ignora|ignore|olvida|omite)\w*\b.{0,50}\b(?:instrucciones|indicaciones|reglas|órdenes)\b",
    r"\b(?:responde|responda|escribe|escriba|contesta|conteste|contestar|responder|escribir)\b.{0,40}"
    r"\b(?:solo|sólo|solamente|únicamente|con la palabra|la palabra)\b",
]), re.I)


class SourceIndex:
    """The document's sentences, each with its block's locator, and the IDF of every word."""

    def __init__(self, blocks):
        self.sentences, self.locators, self.terms = [], [], []
        for block in blocks:
            text, locator = _block_fields(block)
            for sentence in sentences(text):
                self.sentences.append(sentence)
                self.locators.append(locator)
                self.terms.append(set(content_words(sentence)))
        self.postings = defaultdict(list)
        for index, terms in enumerate(self.terms):
            for term in terms:
                self.postings[term].append(index)
        count = len(self.sentences)
        self._unseen_idf = math.log(count + 1) + 1.0
        self.idf = {t: math.log((count + 1) / (len(p) + 0.5)) + 1.0 for t, p in self.postings.items()}

    def weight(self, term):
        """IDF of `term`; a word the document never uses weighs the most."""
        return self.idf.get(term, self._unseen_idf)

    def support(self, text):
        """(score, [(sentence index, score)...] best first) for how well the source backs `text`."""
        terms = Counter(content_words(text))
        total = sum(self.weight(t) * n for t, n in terms.items())
        if not total:
            return 0.0, []
        candidates = Counter()
        for term in terms:
            for index in self.postings.get(term, ()):
                candidates[index] += self.weight(term) * terms[term]
        ranked = sorted(((i, w / total) for i, w in candidates.items()), key=lambda p: -p[1])
        if not ranked:
            return 0.0, []
        # An abstractive item often fuses two sentences: score the best pair's union too.
        best = ranked[0][1]
        for other, _ in ranked[1:6]:
            union = self.terms[ranked[0][0]] | self.terms[other]
            best = max(best, sum(self.weight(t) * n for t, n in terms.items() if t in union) / total)
        return best, ranked


def cite(items, blocks, *, threshold=SUPPORT_THRESHOLD, index=None):
    """Citations for summary `items` (strings) against document `blocks` (Block or dict).

    Returns one dict per item: {"item": i, "text", "score", "supported", "sources": [{"locator",
    "score", "quote"}]} with the best-matching sentences (at most MAX_SOURCES, distinct blocks).
    Pass a prebuilt `index` (SourceIndex) to cite several summaries of one document cheaply.
    """
    index = index or SourceIndex(blocks)
    citations = []
    for number, item in enumerate(items):
        score, ranked = index.support(item)
        sources, seen = [], []
        for sentence, sentence_score in ranked:
            if sentence_score < MIN_SOURCE_SCORE or len(sources) == MAX_SOURCES:
                break
            locator = index.locators[sentence]
            if locator in seen:
                continue
            seen.append(locator)
            sources.append({"locator": dict(locator), "score": round(sentence_score, 3),
                            "quote": index.sentences[sentence]})
        citations.append({"item": number, "text": item, "score": round(score, 3),
                          "supported": score >= threshold, "sources": sources})
    return citations


def strict(citations):
    """Strict mode: only the supported citations, renumbered; their texts are the items to keep."""
    kept = [dict(c) for c in citations if c["supported"]]
    for number, citation in enumerate(kept):
        citation["item"] = number
    return kept


def supported_share(citations):
    """Share of items with source support (1.0 for no items: nothing unsupported was said)."""
    return sum(c["supported"] for c in citations) / len(citations) if citations else 1.0


def injected_instructions(source):
    """Sentences of the document that address the model (planted instructions), plus the sentence
    right after an "ignore your instructions" one, which usually carries the payload."""
    found, units = [], sentences(source)
    for number, sentence in enumerate(units):
        if INSTRUCTION.search(sentence):
            found.append(sentence)
            if number + 1 < len(units) and units[number + 1] not in found:
                found.append(units[number + 1])
    return found


def instruction_terms(source):
    """Lower-cased words that occur in the document only inside planted instructions.

    A summary that uses one of them is repeating the instruction's payload (a canary, a slogan),
    not the document's content: such items are dropped.
    """
    planted = injected_instructions(source)
    if not planted:
        return set()
    inside = {w.lower() for s in planted for w in words(s)}
    outside = {w.lower() for s in sentences(source) if s not in planted
               for w in words(s)}
    return {w for w in inside - outside - STOPWORDS if len(w) > 2}


def _block_fields(block):
    """(text, locator) of a Block, a {"text", "locator"} dict, or a plain string."""
    if isinstance(block, str):
        return block, {}
    if isinstance(block, dict):
        return block.get("text", ""), block.get("locator", {})
    return block.text, block.locator
