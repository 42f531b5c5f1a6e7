"""Every item backed by the source: what revise.py does with the model's items (no model needed:
the items are what a weak model writes, taken from the cases users reported)."""

import dataclasses

from summarizer.document import Block, Document
from summarizer.engine import grounding, revise
from summarizer.options import SummaryOptions

DOCUMENT = Document("City budget approved", [
    Block("The city council approved the budget for next year on Tuesday by 31 votes to 12.",
          {"paragraph": 0}),
    Block("Spending on buses rises by 12 percent, and two new tram lines will be built.",
          {"paragraph": 1}),
    Block("Critics said that the rural districts were ignored in the plan.", {"paragraph": 2}),
])
KEY_POINTS = SummaryOptions(type="key-points", length="short")


def revised(items, options=KEY_POINTS):
    index = grounding.SourceIndex(DOCUMENT.blocks, DOCUMENT.title)
    return revise.revise(items, DOCUMENT, options, index, translated=bool(options.output_language))


def test_a_supported_item_stays_as_written():
    citations, summary = revised(["The council approved next year's budget by 31 votes to 12."])
    assert [c["status"] for c in citations] == ["supported"]
    assert summary == "- The council approved next year's budget by 31 votes to 12."


def test_an_item_with_a_wrong_number_is_replaced_by_the_sentence_it_came_from():
    citations, summary = revised(["Spending on buses rises by 20 percent, with three new tram lines."])
    (entry,) = citations
    assert entry["status"] == "replaced" and entry["supported"]
    assert entry["text"] == DOCUMENT.blocks[1].text
    assert entry["original"] == "Spending on buses rises by 20 percent, with three new tram lines."
    assert entry["sources"][0]["locator"] == {"paragraph": 1}
    assert "20 percent" not in summary
    assert revise.replaced_share(citations) == 1.0


def test_strict_mode_drops_instead_of_replacing():
    strict = dataclasses.replace(KEY_POINTS, strict=True)
    citations, summary = revised(["Spending on buses rises by 20 percent.",
                                  "Critics said the rural districts were ignored."], strict)
    assert [c["text"] for c in citations] == ["Critics said the rural districts were ignored."]
    assert [c["item"] for c in citations] == [0]


def test_an_item_about_nothing_in_the_document_is_dropped_not_replaced():
    citations, _ = revised(["Aliens landed in Paris in 1999 and were welcomed by the mayor.",
                            "Critics said the rural districts were ignored."])
    assert [c["status"] for c in citations] == ["supported"]


def test_repeats_are_merged():
    citations, _ = revised(["Critics said the rural districts were ignored.",
                            "The council approved the budget by 31 votes to 12.",
                            "Critics said that rural districts were ignored."])
    assert len(citations) == 2


def test_two_distortions_of_one_sentence_do_not_quote_it_twice():
    citations, _ = revised(["Spending on buses rises by 20 percent.",
                            "Spending on buses rises by 30 percent."])
    quotes = [c["text"] for c in citations]
    assert len(quotes) == len(set(quotes))


def test_a_translation_is_kept_and_marked_unverified():
    german = dataclasses.replace(KEY_POINTS, output_language="de")
    citations, summary = revised(["Der Stadtrat hat den Haushalt mit 31 zu 12 Stimmen angenommen."], german)
    assert [c["status"] for c in citations] == ["unverified"]
    assert "Stadtrat" in summary


def headline_revised(sentences, item, fill=()):
    """revise.revise of the model's short headline `item` against a document of `sentences`."""
    document = Document("", [Block(text, {"paragraph": n}) for n, text in enumerate(sentences)])
    index = grounding.SourceIndex(document.blocks, document.title)
    return revise.revise([item], document, SummaryOptions(type="headline", length="short"), index,
                         translated=False, fill=fill)


def test_a_headline_replacement_is_not_cut_to_the_sentences_subject():
    """The model's headline replaced by the source's sentence was "A row involving Taylor Swift":
    a cut that states nothing; the next sentence that gives a headline stands in."""
    citations, summary = headline_revised([
        "A row involving Taylor Swift, her former record label and a couple of big name US politicians "
        "looks like it's coming to an end.",
        "Big Machine Records said Taylor Swift may perform her old songs at the awards.",
    ], "A row involving Taylor Swift and Big Machine ends")
    assert summary and not summary.startswith("A row involving"), summary


SLOGAN = ("The state's new slogan for an anti-drug campaign drew a South Dakota-sized share of attention on "
          "social media Monday.")
"""Cut at 12 words, this sentence stops inside a phrase: "... drew a South Dakota-sized"."""


def test_a_headline_replacement_ends_where_a_phrase_does_where_a_source_sentence_allows():
    """The model's headline replaced by a source's sentence cut at the word limit read "The state's
    new slogan for an anti-drug campaign drew a South Dakota-sized" through the service; another
    sentence it draws on gives a headline that ends where a phrase does."""
    citations, summary = headline_revised([
        SLOGAN, "The governor defended the anti-drug campaign and its slogan at a news conference.",
    ], "Anti-drug campaign slogan draws a South Dakota-sized storm")
    assert [c["status"] for c in citations] == ["replaced"]
    assert summary == "The governor defended the anti-drug campaign and its slogan", summary


def test_a_headline_is_never_a_cut_at_the_word_limit_where_a_salient_sentence_gives_another():
    """The only sentence the model's headline draws on cuts at the limit ("... drew a South
    Dakota-sized"): the headline's place goes to a salient sentence that ends where a phrase does."""
    sentences = [SLOGAN, "Officials said the campaign would reach every school in the state this winter."]
    citations, summary = headline_revised(sentences, "A slogan drew a South Dakota-sized storm of attention online",
                                          fill=sentences)
    assert [c["status"] for c in citations] == ["extracted"]
    assert summary == "Officials said the campaign would reach every school", summary


MEAL_PLAN = Document("", [Block(text, {"paragraph": n}) for n, text in enumerate([
    "Meal Prep for A Little More Obsessed",
    "This meal plan works for both programs, so there is no need for a new plan when you switch.",
    "Breakfast is oats with berries and a spoon of nut butter on most days of the week.",
    "Lunch is a salad with grilled chicken, chickpeas and a light lemon dressing.",
    "Dinner is fish or tofu with roasted vegetables and a small portion of brown rice.",
    "Snacks are fruit, yogurt or a handful of almonds between the main meals.",
])])


def test_a_heading_never_stands_in_for_an_item():
    """A page's heading was a key point through the service: the model's item about the meal
    prep matched it best, and it took the item's place. A line of a prose page that labels rather
    than states (candidates.labels) is left out of the preview and the fill, and of this path too."""
    index = grounding.SourceIndex(MEAL_PLAN.blocks, MEAL_PLAN.title)
    citations, _ = revise.revise(["Meal prep for A Little More Obsessed takes one hour on Sundays."],
                                 MEAL_PLAN, KEY_POINTS, index)
    assert "Meal Prep for A Little More Obsessed" not in [c["text"] for c in citations], citations
