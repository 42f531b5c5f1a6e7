"""Every item shown obeys its type's rules on every path: sentences are not cut at initials or
abbreviations, page furniture and fragments are never items, and a headline stays a headline when
the document's own sentence takes a free place (issue 21, item 5)."""

import json
from pathlib import Path

import pytest

from summarizer import shapes
from summarizer.document import Block, Document
from summarizer.engine import candidates, furniture, grounding, guard, lexicon, preview, revise, salience
from summarizer.options import SummaryOptions

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


@pytest.mark.parametrize("text, expected", [
    ("The owner, Clarence J. Brown, said sales rose. They did.",
     ["The owner, Clarence J. Brown, said sales rose.", "They did."]),
    ("He lives at No. 10 Downing St. in London. He left.", ["He lives at No. 10 Downing St. in London.", "He left."]),
    ("She kept telling me no. Then she left.", ["She kept telling me no.", "Then she left."]),
    ('"Got her!" an officer said. "Step out."', ['"Got her!" an officer said.', '"Step out."']),
    ("The call went to U.S. Capitol Police on Friday. It was late.",
     ["The call went to U.S. Capitol Police on Friday.", "It was late."]),
    ("They left at 4:30 a.m. for the rally. It rained.", ["They left at 4:30 a.m. for the rally.", "It rained."]),
    ("The dam was named for the Clarence J.\nBrown family. It opened in 1950.",
     ["The dam was named for the Clarence J. Brown family.", "It opened in 1950."]),
    ("He was told no.\nThen he left.", ["He was told no.", "Then he left."]),
    ("The results were published today (Nov. 18) in a journal. Fig. 3 shows them.",
     ["The results were published today (Nov. 18) in a journal.", "Fig. 3 shows them."]),
    # Paragraphs joined without a space: still two sentences, but not at initials or in code.
    ("The firm collapsed in 2009.In 2010 the museum closed.", ["The firm collapsed in 2009.", "In 2010 the museum closed."]),
    ("It links Devon to the rest of the UK.The line shut.", ["It links Devon to the rest of the UK.", "The line shut."]),
    ("The U.S.Army and J.R.R.Tolkien met Mr.Smith. They talked.",
     ["The U.S.Army and J.R.R.Tolkien met Mr.Smith.", "They talked."]),
    ("Call Console.WriteLine(x) here. It prints.", ["Call Console.WriteLine(x) here.", "It prints."]),
    # ... and through a quotation mark, which goes with the sentence whose quote it opens or closes.
    ('He joined Arsenal in 2011."He has three years to go," he said.',
     ["He joined Arsenal in 2011.", '"He has three years to go," he said.']),
    ('"Players must do [the same]."And Zwanziger was optimistic.',
     ['"Players must do [the same]."', "And Zwanziger was optimistic."]),
    ('It was "unacceptable"."Hatred has no place," he said.', ['It was "unacceptable".', '"Hatred has no place," he said.']),
    # ... and before a bracket that opens with a capital: a listing glued on, not a citation.
    ("Their last games before EuroBasket starts.(BST)17:30 - BBC iPlayer",
     ["Their last games before EuroBasket starts.", "(BST)17:30 - BBC iPlayer"]),
    ("It was shown by Smith et al.(2019) that it works.", ["It was shown by Smith et al.(2019) that it works."]),
    # A caption without a stop run into the next sentence: split at the sentence's opener...
    ("He was expelled when he was found using his phone in a match A grandmaster has been thrown out.",
     ["He was expelled when he was found using his phone in a match", "A grandmaster has been thrown out."]),
    ("The boy was found at the zoo (file photo) The boy was rescued by his parents.",
     ["The boy was found at the zoo (file photo)", "The boy was rescued by his parents."]),
    ("The dog loves to chase after him The video maker laughed.",
     ["The dog loves to chase after him", "The video maker laughed."]),
    # ... but not in a name or a title, nor at a letter that names something.
    ("Mr Hussen told The Times yesterday that he felt ashamed.", ["Mr Hussen told The Times yesterday that he felt ashamed."]),
    ("Tunisia face Togo in Group A while Morocco play Libya.", ["Tunisia face Togo in Group A while Morocco play Libya."]),
    ("They sang Off The Wall and Baby Be Mine for him.", ["They sang Off The Wall and Baby Be Mine for him."]),
    # Two lines glued without a space or a stop: a lower-case word runs into a capitalized one...
    ("By Danny ShawBBC home affairs correspondentTheresa May's tariff was welcomed.",
     ["By Danny ShawBBC home affairs correspondent", "Theresa May's tariff was welcomed."]),
    ("Thousands of seamen lost their livesSource: National Maritime Museum",
     ["Thousands of seamen lost their lives", "Source: National Maritime Museum"]),
    # ... a closing bracket into a capitalized word, a capitalized opener into a word's end ...
    ("Of them, 628 ate lunches.(% denotes share)England's Trust commissioned it.",
     ["Of them, 628 ate lunches.", "(% denotes share)", "England's Trust commissioned it."]),
    ("Hereford expelled from Football ConferenceAnd former boss Foyle chose the same.",
     ["Hereford expelled from Football Conference", "And former boss Foyle chose the same."]),
    ("Copy this linkA review said there was no magic.", ["Copy this link", "A review said there was no magic."]),
    # ... and a stop into a word of one capital letter.
    ("He was last seen in December 2000.A search started on Saturday.",
     ["He was last seen in December 2000.", "A search started on Saturday."]),
    ("I have an apple-pen!I have a pen.", ["I have an apple-pen!", "I have a pen."]),
    # ... not in a name, a brand or a word that lost its space.
    ("As demonstrated on the CelebA dataset, the model learns.", ["As demonstrated on the CelebA dataset, the model learns."]),
    ("You can upgrade for $900 (Orig. $1,599) today.", ["You can upgrade for $900 (Orig. $1,599) today."]),
    ("Google, which owns YouTube, launched an iPhone app with McDonald.",
     ["Google, which owns YouTube, launched an iPhone app with McDonald."]),
    ("The minister admitted to theBreaker that her staff manage it.",
     ["The minister admitted to theBreaker that her staff manage it."]),
    # An abbreviation the splitter does not know, inside a bracket that closes, ends no sentence;
    # a bracket that does not close holds nothing.
    ("The quote is well known [Ukhuwah hal. 41] in the region. It spread.",
     ["The quote is well known [Ukhuwah hal. 41] in the region.", "It spread."]),
    ("Die Zahl stieg (vgl. Tab. 4 unten) im letzten Jahr. Sie fiel später.",
     ["Die Zahl stieg (vgl. Tab. 4 unten) im letzten Jahr.", "Sie fiel später."]),
    ("The plan (as drafted failed. It was dropped.", ["The plan (as drafted failed.", "It was dropped."]),
])
def test_sentences_are_not_cut_at_initials_abbreviations_or_quotes(text, expected):
    assert lexicon.sentences(text) == expected


@pytest.mark.parametrize("text, why", [
    ("Scroll down for video", "reader_prompt"),
    ("SCROLL DOWN FOR VIDEO", "reader_prompt"),
    ("Click here for all the latest Manchester City news.", "reader_prompt"),
    ("Share this with Email Facebook Messenger Twitter", "reader_prompt"),
    ("Follow us on Twitter @BBCNewsEnts for more stories", "reader_prompt"),
    ("WILL SOMEONE STAND UP FOR THE ESTABLISHMENT?", "capitals"),
    ('Yankovic: "Weird Al"', "no_clause"),
    ("By John Smith, Political Editor", "no_clause"),
    ("Photo: Getty Images", "no_clause"),
    ("@noksutagram <The Palace: Tale of Jang Noksu> ‘2018 Welcome Daehak-ro Festival’ Performance", "no_clause"),
    ("A nickname for Petrika the Albanian variation of Peter", "no_clause"),
    ("Artist’s impression of the new station at night", "no_clause"),
    ("Netgear Nighthawk R6700 AC1700 Router for $67.77", "no_clause"),
    ("Guilty across the board.", "no_clause"),  # a preposition between a name and "the" is no verb
    # A table's row or a navigation bar, cells between " | "; a page's title and its site's name is no row.
    ("| DL | Myles Garrett | 57 | 77% | 1 tackle (1 combined).", "table_row"),
    ("Cash on Hand | $53,458.45 | $43,592.74", "table_row"),
    ("Is Football Violence a Crime? | The New York Times", None),
    # A lead-in introduces what follows it, in any language.
    ("If you want to stay social this year, here are five ways to enjoy Christmas online:", "lead_in"),
    ("Akhirnya kita justru menganiaya mereka secara keji / biadab:", "lead_in"),
    ("So, my name's Cat and I'm really not very good at this whole drawing malarkey Industrial Designer:", None),
    # Notices of the page about its media on the reader's device, worded as other sites do.
    ("Your browser does not support the audio element.", "reader_prompt"),
    ("Video playback is not available on this device.", "reader_prompt"),
    ("Sorry, this interactive graphic may not work on older devices or browsers.", "reader_prompt"),
    # The page's notice of who pays for it, pointed at the page itself.
    ("This week's Tennis Podcast is sponsored by the Davis Cup by Rakuten Madrid Finals.", "reader_prompt"),
    ("This sponsored deal is brought to you by Dashlane.", "reader_prompt"),
    ("This post contains affiliate links, and we may earn a commission if you buy.", "reader_prompt"),
    # Glyph codes of a PDF whose font maps no glyph to its letter, from many scripts at once.
    ("ǐې޷Ҵо੿ࠁࠁউӝߊࣿ੹ߑೱ83 <Ӓې޷؀>ܿਬࠁݎউӝبࣿ୹ (4D Printing)", "garbled"),
    # A table of contents' line, as a PDF's text layer gives it.
    ("1.3 DB2 for i security controls. . . . . . . . . . . . . . . . . . . . . 2", "contents_line"),
    ("2 1.3 DB2 for i security controls. . . . . . . . . . . . . . . . . .", "contents_line"),
    ("3.1.4 Hydrographic ............................................. 14", "contents_line"),
    # A page's navigation trail (breadcrumbs), in any language.
    ("Mensagens » Mensagens de Autoestima » Só quem se Ama…", "navigation"),
    ("Startseite › Nachrichten › Politik › Der Haushalt ist beschlossen", "navigation"),
])
def test_page_furniture_and_fragments_are_named(text, why):
    assert furniture.reason(text) == why


@pytest.mark.parametrize("text", [
    "The council voted 31 to 12 to approve the budget on Tuesday.",
    "More than 600,000 Israelis live in settlements in east Jerusalem and the West Bank.",
    "Liverpool face Aston Villa in their FA Cup semi-final at Wembley on Sunday.",
    "Proposes a simple improvement to methods for unit pruning.",
    "In 2009 almost 300 people died in a quake in the central Abruzzo region.",
    "Die Regierung hat den Haushalt am Dienstag beschlossen.",
    "Le conseil municipal a approuvé le budget mardi.",
    "Watch the video: A professor of physics asked 100 people to rate faces.",
    "Scroll down for videos 2500 passengers on board the ship are at the mercy of the seas.",
    "Share prices fell more than 3% on Monday.",
    "The Tories promise a vote on Europe before the summer.",
    "Like more than 100 cities, Paris has a plan.",
    "See this year's results for the region, published by the council.",
    "The new app is not available on older devices, the company said.",
    "Microsoft said it will not support older browsers after May.",
    "The Open Championship is sponsored by Rolex, the organisers said.",
    "This is brought on by a virus, doctors believe.",
    "If you lose your device, there will be no way to get your data back.",
    "He paused... and then the crowd cheered as the results came in.",
    "Cheltenham will be relegated if they lose and Hartlepool win. .............................",
    "Il a dit « oui » puis « non » avant de partir.",
    "Kindle for PCをインストールすると自動でホットキーが設定され、「Ctrl＋Alt＋K」で立ち上がるようになります。",
    "For α=0.05 the critical value of 𝑧1−𝛼/2=1.96 is used in the test.",
    "The method holds whenever the margin a > b > c on every input we tried.",
    "Der Vorstand schrieb » wir bleiben « und » wir bauen « in seinem Brief an die Aktionäre.",
])
def test_statements_are_not_furniture(text):
    assert furniture.reason(text) is None


def test_a_prompt_glued_before_a_sentence_is_cut_off_the_item():
    assert preview.clean("Scroll down for video Abase Hussen, left, took his daughter to a rally.") == \
        "Abase Hussen, left, took his daughter to a rally."
    # An extractor that drops a media player leaves its notice glued to the next sentence.
    assert preview.clean("Audio playback is not supported on your browserThe mayor opened the bridge.") == \
        "The mayor opened the bridge."


CAPTIONED = Document("Man dies where his brother died", [
    Block("A man has died in a road accident in China eight months after his brother was killed there.", {"paragraph": 0}),
    Block("Tragic: The man, only named as Mr Zhang, was thrown off his motorbike by a car.", {"paragraph": 1}),
    Block("NEW DELHI: The police in the city said the driver of the car did not stop.", {"paragraph": 2}),
    Block("Zhang: My brother died at this junction and nobody has changed anything.", {"paragraph": 3}),
    Block("Relatives said Zhang had asked the council for traffic lights after the first accident.", {"paragraph": 4}),
    Block("The council said it would look at the junction again this year.", {"paragraph": 5}),
    Block("Drivers in the area have complained about the junction for a decade.", {"paragraph": 6}),
])


def test_a_captions_label_is_cut_off_the_item_but_not_a_speakers_name():
    """Pages print a caption's label before its sentence ("Tragic: The man ..."), which a
    summary showed; a name before a colon may say who speaks, and stays."""
    index = grounding.SourceIndex(CAPTIONED.blocks, CAPTIONED.title)
    assert preview.clean(CAPTIONED.blocks[1].text, index).startswith("The man, only named")
    assert preview.clean(CAPTIONED.blocks[2].text, index).startswith("The police in the city")
    assert preview.clean(CAPTIONED.blocks[3].text, index).startswith("Zhang: My brother")
    shown = preview.preview(CAPTIONED, SummaryOptions(type="key-points", length="long"))["summary"]
    assert "Tragic:" not in shown and "NEW DELHI" not in shown, shown
    headline = preview.preview(CAPTIONED, SummaryOptions(type="headline"))["summary"]
    assert not headline.startswith(("Tragic", "NEW DELHI")), headline


FURNISHED = Document("Council approves budget", [
    Block("Scroll down for video", {"paragraph": 0}),
    Block("The city council approved the budget for next year on Tuesday by 31 votes to 12.", {"paragraph": 1}),
    Block('Yankovic: "Weird Al"', {"paragraph": 2}),
    Block("CLICK HERE FOR ALL THE LATEST COUNCIL NEWS", {"paragraph": 3}),
    Block("Spending on buses rises by 12 percent, and two new tram lines will be built in the city.",
          {"paragraph": 4}),
    Block("Critics said that the rural districts were ignored in the plan for the budget.", {"paragraph": 5}),
    Block("By John Smith, Political Editor, in the council chamber", {"paragraph": 6}),
])


@pytest.mark.parametrize("kind", list(shapes.TYPES))
@pytest.mark.parametrize("length", shapes.LENGTHS)
def test_previews_of_every_type_show_no_furniture_and_keep_their_shape(kind, length):
    options = SummaryOptions(type=kind, length=length)
    data = preview.preview(FURNISHED, options)
    for citation in data["citations"]:
        assert furniture.reason(citation["text"]) in (None, "no_clause" if kind == "headline" else None)
        assert "Scroll" not in citation["text"] and "Weird Al" not in citation["text"]
    assert guard.violations(data["summary"], options) == []


def test_the_models_furniture_and_fragments_are_dropped():
    options = SummaryOptions(type="key-points", length="medium")
    raw = ("- Scroll down for video\n- Yankovic: \"Weird Al\"\n"
           "- The council approved the budget by 31 votes to 12.")
    checked = guard.enforce(raw, options, source=" ".join(b.text for b in FURNISHED.blocks))
    assert checked.items == ["The council approved the budget by 31 votes to 12."]
    assert checked.repairs.count("dropped_furniture") == 2
    headline = SummaryOptions(type="headline", length="short")
    assert guard.enforce("Scroll down for video", headline).items == []


LONG = ("People who have never been divorced can expect a retirement income 13% higher than a colleague "
        "who has divorced once, according to a study of pension savings by the insurer.")


def test_a_headline_filled_from_the_document_keeps_the_headline_word_limit():
    document = Document("Divorce and pensions", [Block(LONG, {"paragraph": 0}),
                                                 Block("The cost of divorce can wipe out savings.", {})])
    index = grounding.SourceIndex(document.blocks, document.title)
    for length in shapes.LENGTHS:
        options = SummaryOptions(type="headline", length=length)
        citations, summary = revise.revise(["Aliens landed in Paris in 1999 and met the mayor."],
                                           document, options, index, fill=[LONG])
        assert citations and citations[0]["status"] == "extracted"
        assert len(summary.split()) <= shapes.of(options).max_words, summary
        assert guard.violations(summary, options) == []


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"the shared corpus is absent ({CORPUS})")
def test_people_s_summaries_are_almost_never_called_furniture():
    """Measured with bench/furniture.py: 4 of 922 CNN/DM highlights and SciTLDR TL;DRs turned away,
    two of them furniture in the highlights themselves ("CLICK HERE for ...")."""
    sentences = []
    for name in ("frank_cnndm_test.jsonl", "scitldr_a_test.jsonl"):
        for line in (CORPUS / "summarization" / name).open(encoding="utf-8"):
            for reference in json.loads(line)["references"]:
                sentences += lexicon.sentences(reference)
    turned = [s for s in sentences if furniture.reason(s)]
    assert len(sentences) > 800 and len(turned) <= 0.01 * len(sentences), turned


def test_salience_never_offers_furniture_to_a_summary():
    assert not candidates.readable("Scroll down for video of the mayor and the council vote on Tuesday")
    assert not candidates.readable("By John Smith, Political Editor, in the council chamber")
    assert candidates.readable("The city council approved the budget on Tuesday by 31 votes to 12.")


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"the shared corpus is absent ({CORPUS})")
@pytest.mark.parametrize("name", ["frank_cnndm_test", "frank_xsum_test", "scitldr_a_test"])
def test_every_shape_holds_on_real_documents_on_the_preview_and_the_fill_path(name):
    """The preview, and a summary whose model item was dropped so that the document's sentences
    fill its places: no shape rule broken, no furniture, for every type and length. Before: 171 of
    900 such summaries of 25 documents per set broke a rule (headlines of up to 29 words)."""
    rows = [json.loads(line) for line in (CORPUS / "summarization" / f"{name}.jsonl").open(encoding="utf-8")]
    for row in rows[:10]:
        document = Document(row.get("title", ""), [Block(p, {"paragraph": i})
                                                   for i, p in enumerate(row["text"].split("\n")) if p.strip()])
        index = grounding.SourceIndex(document.blocks, document.title)
        best = sorted(salience.pick(salience.rank(index), index, count=12), key=lambda s: -s.score)
        fill = [preview.clean(s.text) for s in best]
        for kind in shapes.TYPES:
            for length in shapes.LENGTHS:
                options = SummaryOptions(type=kind, length=length)
                shown = preview.preview(document, options)
                citations, summary = revise.revise(["Aliens landed in Paris in 2099 and met the mayor."],
                                                   document, options, index, fill=fill)
                for text, items in ((shown["summary"], shown["citations"]), (summary, citations)):
                    assert guard.violations(text, options) == [], (row["id"], kind, length, text)
                    for item in items:
                        why = furniture.reason(item["text"])
                        assert why is None or (kind == "headline" and why == "no_clause"), (row["id"], item)
