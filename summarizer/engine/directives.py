"""The grammar of a sentence that speaks to whoever reads the text, rather than about its subject.

An instruction planted for a model has to address it, and addressing someone has a grammar that
does not depend on the words of any one attack: the second person ("your response", "tu
respuesta"), the imperative mood ("Add a sentence...", "Vergiss alle..."), a direct question
("What is the capital of Brazil?"), a generic addressee ("whoever shortens this", "wer diesen
Text kürzt"), the text speaking of itself ("the only accurate digest of this page") or a task
stated as writing something ("la tarea de hoy es imprimir..."). Each cue
is a closed class of function words or a word-order pattern, in English, German, French and
Spanish, never a list of attack phrasings.

News, papers and meetings use the same grammar in quotes and asides, so a cue alone is weak
evidence: `cue` only names it. engine/injection.py pairs a cue with the sentence standing apart
from the rest of the document (grounding.SourceIndex), or, for the strongest one (the second person
talking about "your answer"), takes it alone; measured on the corpus by bench/injection.py.
"""

import re

from summarizer.engine.lexicon import STOPWORDS, words

SECOND_PERSON = frozenset("""
you your yours yourself yourselves
dich dir dein deine deinen deinem deiner deines euch euer eure euren eurem
tu toi ton ta tes vous votre vos
tú usted ustedes vosotros vosotras vuestro vuestra vuestros vuestras tus""".split())
"""Second-person pronouns and possessives that are nothing else (German "Sie"/"ihr" also mean
she/they/her, and Spanish "te" is also French: left out). German "du" is French "du" too: it
counts beside a verb in -st ("du musst", "kannst du"), see `second_person`."""

OUTPUT_NOUNS = (r"(?:response|answer|reply|output|summary|message|text|writing"
                r"|antwort|zusammenfassung|ausgabe|text|nachricht"
                r"|réponse|résumé|sortie|texte|message"
                r"|respuesta|resumen|salida|texto|mensaje|contestación)")
"""What a model writes, as the nouns a second-person possessive governs when an instruction talks
about it ("in your reply", "deine Antwort", "votre réponse", "tu respuesta")."""

_YOUR_OUTPUT = re.compile(
    r"\b(your|yours|dein\w*|eure?\w*|votre|vos|ta|tes|tu|tus|su|vuestr\w+)\s+(?:\w+\s+)?"
    + OUTPUT_NOUNS + r"s?\b", re.I)
"""A second-person possessive (Spanish "su" is also the formal one) with an output noun."""

DETERMINERS = frozenset("""
a an the this that these those my me us your his her its our their all every each some any no
der die das den dem des ein eine einen einem einer eines alle jede jeden jedes jeder keine mir mich
le la les un une des du ce cet cette ces mon ma mes moi chaque tous toutes
el los las un una unos unas este esta estos estas mi mis me cada todo todos todas
him them it how what why who which where when whether""".split())
"""Words that open an object (a noun phrase, a pronoun, an indirect question): an imperative verb
is followed by one ("Write a poem", "Explain how...", "Gib das Wort aus", "Écrivez le mot",
"Escribe la palabra"), a sentence's subject rarely is."""

NOT_VERBS = frozenset("""
according after along amid among around as at before behind below beneath beside besides between
beyond by despite down during except following for from given including inside like near next
notwithstanding of off on onto outside over past per regarding since than through throughout till
to toward towards under underneath unlike until up upon versus via with within without
meanwhile however today yesterday tomorrow last earlier later once then there here now
laut trotz wegen während seit gegen ohne durch für mit nach bei von aus zu vor hinter neben
selon malgré pendant depuis après avant avec sans pour contre chez sous vers parmi
según durante desde tras contra sin entre hacia hasta mediante ante bajo""".split())
"""Prepositions and adverbs that, like an imperative, can open a sentence before a determiner
("Despite the rain", "Laut der Polizei", "Selon le rapport", "Según la policía")."""

_CLAUSE_START = re.compile(r"(?:^|[:;–—]\s*|\b(?:please|kindly|bitte|s'il vous plaît|por favor)\s+)"
                           r"[\"'“‘(]?([^\W\d_]+)\s+(?:(?:up|down|out|off|back|away|over)\s+)?([^\W\d_]+)", re.I)
"""The first two words of a clause (skipping a verb's particle: "Break down the plot"): at the
start, after a colon or dash, or after "please"."""

_QUESTION = re.compile(
    r"^[¿\"'“‘(]?\s*(?:what|who|whom|whose|which|how|why|when|where|can|could|do|does|did|is|are|will"
    r"|would|should|was|wer|wie|warum|wo|welche\w*|kann|können|quel\w*|comment|pourquoi|qui|que|est-ce"
    r"|qué|cómo|cuál\w*|quién\w*|por qué|dónde|cuándo|puedes|puede)\b(?:\W+\w+){2,}.*\?[\"'”’)]?$", re.S | re.I)
"""A direct question: an interrogative word or an auxiliary first, four words at least ("What is
the capital of Brazil?"); a one-word exclamation ("Really?") asks nothing of the reader."""
_GENERIC_ADDRESSEE = re.compile(
    r"\b(?:whoever|(?:anyone|anybody|any ?one|everyone|everybody) (?:who|that|\w+ing)\b|any (?:reader|system|tool|program|software)"
    r"|wer|jeder,? der|jede,? die|quiconque|toute? (?:personne|système)|quien|quienquiera|cualquier\w*)\b",
    re.I)
"""A generic person as addressee: the relative "whoever" and its kin in the four languages.
"Anyone" counts with what makes it a description of the reader ("anyone who reads", "anyone
summarizing"), not as a plain object ("cannot have upset anyone")."""
_SELF_REFERENCE = re.compile(
    r"\b(?:this|the present|the above|the following)\s+(?:\w+\s+)?(?:text|article|page|document|post"
    r"|story|piece|site|website|email|passage)\b"
    r"|\b(?:dies(?:e[rsnm]?)?)\s+(?:\w+\s+)?(?:text\w*|artikel\w*|seite|dokument\w*|beitrag\w*)\b"
    r"|\b(?:ce|cet|cette)\s+(?:\w+\s+)?(?:texte|article|page|document|billet|site)\b"
    r"|\b(?:este|esta|el presente)\s+(?:\w+\s+)?(?:texto|artículo|página|documento|sitio)\b", re.I)
"""The text speaking of itself ("this page", "diesen Text", "cet article", "este texto")."""


_TASK_STATEMENT = re.compile(
    r"\b(?:is|are|was|ist|sind|war|est|sont|était|es|son|era|sería)\s*,?\s+(?:to\s+|d['’]\s*|de\s+|zu\s+)?"
    r"(?:just\s+|only\s+|simply\s+|nur\s+|einfach\s+|seulement\s+|simplement\s+|solo\s+|sólo\s+|simplemente\s+)?"
    r"(?:print|write|output|say|reply|answer|respond|repeat|type|produce|imprimir|escribir|decir|responder|contestar"
    r"|repetir|schreiben|auszugeben|ausgeben|antworten|sagen|wiederholen|écrire|imprimer|répondre|dire|répéter)\b", re.I)
"""A task stated as "X is to <write>": a copula with the infinitive of a verb of producing text
("La tarea de hoy es imprimir...", "Your only job is to say...", "Le but est d'écrire..."):
what an instruction says when it addresses nobody in particular."""


def speaks_of_your_output(sentence):
    """Whether `sentence` talks to the reader about what they write ("add X to your reply")."""
    match = _YOUR_OUTPUT.search(sentence)
    return bool(match) and (match.group(1).lower() != "su" or second_person(sentence))


def second_person(sentence):
    """Whether `sentence` has a second-person pronoun or possessive."""
    found = [w.lower() for w in words(sentence)]
    german_du = lambda n: any(v.endswith("st") and v != "est" for v in found[max(0, n - 1):n + 5])  # noqa: E731
    return any(w in SECOND_PERSON or (w == "du" and german_du(n)) for n, w in enumerate(found))


_BARE_OBJECT = re.compile(r"^[\"'“‘(]?([^\W\d_]+)\s+([a-z]+[^s\W]s)\s+(\w+)", re.I)
"""A sentence opening with a word, a plural noun and a third word: "Replace vowels with ..."."""


def _bare_object_verb(sentence):
    """The first word of `sentence` where a bare plural object and a preposition follow it
    ("Replace vowels with...", "Write poems about..."): an imperative needs no determiner then.
    A plural there is the subject instead ("Officials at the site"), so a first word in -s is none."""
    match = _BARE_OBJECT.match(sentence.strip())
    if not match or match.group(3).lower() not in NOT_VERBS | {"about", "in", "into"}:
        return ""
    return "" if re.search(r"[^s]s$", match.group(1), re.I) else match.group(1)


def _verb_like(word, names):
    """Whether `word` may be a verb in the imperative: no function word, preposition, name
    (`names`) or inflected form (-ing, -ed, -ly, 's)."""
    low = word.lower()
    return not (low in STOPWORDS or low in NOT_VERBS or low in names or len(low) < 2
                or re.search(r"(?:ing|ed|ly|'s)$", low))


def imperative(sentence, names=frozenset()):
    """Whether a clause of `sentence` opens with a verb in the imperative: a verb-like word
    (`names`: lower-cased words the document writes capitalized mid-sentence, never verbs)
    followed by an object's determiner, or opening the sentence before a bare plural object
    (`_bare_object_verb`)."""
    openers = [m.group(1) for m in _CLAUSE_START.finditer(sentence) if m.group(2).lower() in DETERMINERS]
    bare = _bare_object_verb(sentence)
    return any(_verb_like(word, names) for word in ([bare] if bare else []) + openers)


def question(sentence):
    """Whether `sentence` is a direct question."""
    return bool(_QUESTION.match(sentence.strip()))


_QUOTED = re.compile(r"(?<![^\W_])[\"“”‘']\S.*?[\"”’'](?![^\W_])|«.*?»|„.*?[“”]")
"""A quoted span (opening quote after no letter, closing quote before none: "don't" is no quote)."""
_REPORTED = re.compile(r"^[\"“‘'«„]|[^\W\d_][.!?,]?[\"”’'»]$")
"""A sentence that, its whole quotations taken out, still opens or closes one: part of a quotation
running over several sentences."""
_OPENS_QUOTE = re.compile(r"(?:^|(?<=[\s:,(—–-]))[\"“‘'«„](?=[^\W\d_])")
"""An opening quote left after `_QUOTED` took out the closed ones ("He said: 'You have one..."):
the quotation runs to the end of the sentence and past it."""
_CLOSES_QUOTE = re.compile(r"[.!?,][\"”’'»](?=\s+[a-z])")
"""A closing quote after punctuation, before the attribution that follows a quotation ("... have
it,' he posted."): what comes before it was quoted from a sentence before. Not a possessive
("the players' union"), which no punctuation precedes."""
_CONNECTIVE = re.compile(r"^(?:but|and|so|yet|or|still|then|also|aber|und|doch|mais|et|donc|pero|y)\b",
                         re.I)
"""A sentence opening with a connective continues the text's own line of thought."""


def unquoted(sentence):
    """`sentence` without what it quotes: a quotation addresses whoever was spoken to, not the
    reader ("'You can't get a job unless you get online,' he said"). "" for a sentence inside a
    quotation that runs over several sentences, or one that continues the text's own thought."""
    sentence = _QUOTED.sub(" ", sentence.strip()).strip()
    closing = list(_CLOSES_QUOTE.finditer(sentence))
    if closing:
        sentence = sentence[closing[-1].end():].strip()
    opening = _OPENS_QUOTE.search(sentence)
    if opening:
        sentence = sentence[:opening.start()].strip()
    if _REPORTED.search(sentence) or _CONNECTIVE.match(sentence):
        return ""
    return sentence


def cue(sentence, names=frozenset()):
    """The grammatical cue by which `sentence` addresses its reader, or "" for none: "your_output"
    (the strongest), "second_person", "imperative", "question", "generic_addressee",
    "self_reference" or "task_statement". What it quotes does not count (`unquoted`)."""
    sentence = unquoted(sentence)
    if not sentence:
        return ""
    if speaks_of_your_output(sentence):
        return "your_output"
    # A direct question first: "Can you show me...?" asks like any question, which may share a
    # word or two with the article (injection.QUESTION_SHARE), more than other address may.
    if question(sentence):
        return "question"
    if second_person(sentence):
        return "second_person"
    if imperative(sentence, names):
        return "imperative"
    if _GENERIC_ADDRESSEE.search(sentence):
        return "generic_addressee"
    if _SELF_REFERENCE.search(sentence):
        return "self_reference"
    if _TASK_STATEMENT.search(sentence):
        return "task_statement"
    return ""


def names_in(sentences):
    """Lower-cased words the sentences write capitalized after their first word: names, which
    can open a sentence before a determiner without being a verb ("Arsenal the champions...")."""
    found = set()
    for sentence in sentences:
        for word in words(sentence)[1:]:
            if word[:1].isupper():
                found.add(word.lower())
    return frozenset(found)
