"""Every type/length rule lives in shapes.py: its numbers are the ones the README promises, and a
new summary type is one table entry that every reader of the table (options, prompts, grammars,
the guard, the preview, GET /options, the OpenAPI description) picks up with no other change."""

import pytest

from summarizer import shapes
from summarizer.document import Block, Document
from summarizer.engine import grammars, guard, preview, prompts
from summarizer.options import LENGTHS, SummaryOptions, parse_options
from summarizer.web import openapi
from tests import rules


@pytest.mark.parametrize("length", LENGTHS)
def test_the_table_holds_the_promised_numbers(length):
    assert shapes.shape("key-points", length).items == rules.KEY_POINTS[length]
    assert shapes.shape("headline", length).max_words == rules.HEADLINE_WORDS[length]
    for kind in ("tldr", "teaser"):
        assert shapes.shape(kind, length).items == rules.PARAGRAPH_SENTENCES[length]
        assert shapes.shape(kind, length).extract_items == rules.EXTRACT_SENTENCES[length]


OUTLINE = shapes.SummaryType(
    "Outline", "The document's sections as a short list.",
    "an outline of the document as {list}, one line per section, at most {items} lines", "bullets",
    {"short": shapes.Shape("bullet", 4, 120, 4), "medium": shapes.Shape("bullet", 6, 200, 6),
     "long": shapes.Shape("bullet", 9, 300, 9)})

DOCUMENT = Document("Harbour works", [Block(text, {"paragraph": n}) for n, text in enumerate([
    "The harbour authority rebuilt the northern quay after the storm in March.",
    "Ships now wait two days less for a berth than they did a year before.",
    "The channel will be dredged so that larger ships can enter at low tide.",
    "Costs rose by a tenth, paid for by a new fee on cargo landed at night.",
    "The fishermen asked for a new market hall beside the quay.",
    "The city council will vote on the market hall in the autumn.",
])])


@pytest.fixture
def outline(monkeypatch):
    monkeypatch.setitem(shapes.TYPES, "outline", OUTLINE)
    return parse_options({"type": "outline", "length": "short"})


def test_a_new_type_is_one_table_entry(outline, app):
    assert outline.type == "outline"
    assert "an outline of the document as a Markdown bullet list" in prompts.messages_for("text", outline)[1]["content"]
    assert "at most 4 lines" in prompts.messages_for("text", outline)[1]["content"]
    assert grammars.for_options(outline) == grammars.key_points(4)
    five = "\n".join(f"- Point {n} about the harbour and its quay." for n in range(5))
    checked = guard.enforce(five, outline)
    assert len(checked.items) == 4 and guard.violations(checked.text, outline) == []
    shown = preview.preview(DOCUMENT, outline)
    assert shown["type"] == "outline" and 1 <= len(shown["citations"]) <= 4
    assert guard.violations(shown["summary"], outline) == []
    listed = app.test_client().get("/options").get_json()["options"]["type"]["values"]
    assert {"value": "outline", "label": "Outline",
            "description": "The document's sections as a short list."} in listed
    assert "outline" in openapi.document()["paths"]["/summarize"]["post"]["requestBody"]["content"][
        "application/json"]["schema"]["properties"]["type"]["enum"]


def test_an_unknown_type_is_refused_until_it_is_in_the_table():
    with pytest.raises(Exception) as refused:
        parse_options({"type": "outline"})
    assert "outline" in str(refused.value) and SummaryOptions().type == "key-points"
