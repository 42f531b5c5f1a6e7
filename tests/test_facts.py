"""The fact check behind "every item backed by the source": a number, date, name, comparison or
negation an item states must be carried by the sentences it cites, whatever the word overlap.

The cases are the inventions users reported (issue 13) rewritten on made-up text, beside faithful
paraphrases of the same sentences, which must stay supported.
"""

import pytest

from summarizer.document import Block
from summarizer.engine import facts, grounding

ARTICLE = [
    Block("Gordon Sondland, the ambassador to the European Union, testified before the committee "
          "on Wednesday.", {"paragraph": 1}),
    Block("He said the meeting in Kyiv took place in September 2019.", {"paragraph": 2}),
    Block("In states where the drug is legal, there were 23% more past-month users than in states "
          "where it is not legal.", {"paragraph": 3}),
    Block("The committee voted 9 to 4 in favour of the new budget.", {"paragraph": 4}),
    Block("Officials did not approve the school construction project.", {"paragraph": 5}),
    Block("Kurt Volker, the former special envoy, was also called to testify.", {"paragraph": 6}),
]
TITLE = "Sondland testifies before the committee"


@pytest.fixture(scope="module")
def index():
    return grounding.SourceIndex(ARTICLE, TITLE)


@pytest.mark.parametrize("item, gap", [
    ("Sondland said the meeting in Kyiv took place on July 10, 2017.", "2017"),
    ("He said the Kyiv meeting took place in a July 2016 meeting.", "2016"),
    ("The number of past-month users rose by 23% compared with the previous month.", "relation:increase"),
    ("The committee voted 9 to 5 in favour of the new budget.", "5"),
    ("Kurt Volker said the meeting in Kyiv took place in September 2019.", "kurt"),
    ("Sondland testified before the committee on Thursday.", "thursda"),
    # Written in lower case, as many summarizers write: a name is still a name.
    ("kurt volker said the meeting in kyiv took place in september 2019.", "kurt"),
])
def test_an_invented_fact_makes_an_item_unsupported(index, item, gap):
    citation = grounding.citation(0, item, index)
    assert not citation["supported"], citation
    assert citation["status"] == "unverified"
    assert gap in citation["missing"], citation["missing"]


@pytest.mark.parametrize("item", [
    "Sondland, the ambassador to the European Union, testified before the committee on Wednesday.",
    "Sondland said the Kyiv meeting took place in September 2019.",
    "Legal states had 23% more past-month users than states where the drug is not legal.",
    "The committee voted 9 to 4 for the new budget.",
    "Officials did not approve the school construction project.",
    "Kurt Volker, the former special envoy, was called to testify too.",
    "kurt volker, the former special envoy, was called to testify too.",
])
def test_a_faithful_item_stays_supported(index, item):
    citation = grounding.citation(0, item, index)
    assert citation["supported"], citation
    assert citation["status"] == "supported" and "missing" not in citation


def test_an_added_negation_is_caught_too(index):
    citation = grounding.citation(0, "Sondland did not testify before the committee on Wednesday.", index)
    assert not citation["supported"] and "relation:not" in citation["missing"]


@pytest.mark.parametrize("text, expected", [
    ("It cost 1,200 euros, or 1200.0 in all.", {"1200"}),
    ("Three people and 3.5 percent; twelve of 40.", {"3", "3.5", "12", "40"}),
    ("The year 2019, on 10 July.", {"2019", "10"}),
    # A unit glued on or spaced is the same number; letters before digits make a name, not one.
    ("At 9pm, 64million people and a 10km run.", {"9", "64", "10"}),
    ("At 9 pm, 64 million people and a 10 km run.", {"9", "64", "10"}),
    ("The M25 and the G7 met.", set()),
])
def test_numbers_are_normalised(text, expected):
    assert facts.numbers(text) == expected


def test_a_common_word_at_the_start_of_a_sentence_is_not_a_name():
    common = facts.lowercase_keys("the residents of the town voted. residents said yes.")
    assert facts.names("Residents voted in Springfield.", common) == {facts.fold("Springfield")}


DENIALS = [
    Block("His wife Zara was scampering in hot pursuit; Mike Tindall wouldn't have moved any faster.",
          {"paragraph": 1}),
    Block("The minister will face no further action over the expenses claim, the police said.",
          {"paragraph": 2}),
    Block("According to two tools, no more than 44 per cent of the followers are real people.",
          {"paragraph": 3}),
]


@pytest.mark.parametrize("item, dropped", [
    # What a "not" denies is what follows it: its subject is not denied.
    ("Tindall's wife Zara was scampering in hot pursuit.", False),
    # A negated comparison bounds a quantity: "no more than 44" is "only 44".
    ("Only 44 per cent of the followers are real people, according to two tools.", False),
    ("The minister will face further action over the expenses claim.", True),
])
def test_a_dropped_denial_is_what_follows_the_not(item, dropped):
    citation = grounding.citation(0, item, grounding.SourceIndex(DENIALS))
    assert ("relation:not" in citation.get("missing", [])) is dropped, citation
