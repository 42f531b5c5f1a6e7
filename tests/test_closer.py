"""A summary the model wrote from the document's edges gives way to the document's own most
salient sentences (engine/pipeline.closer_summary): each of its items may be backed by the source
and still carry less of the document than the preview does."""

import math

import pytest

from summarizer import shapes
from summarizer.engine import grounding, pipeline, salience
from summarizer.extract.text import extract as text_document
from summarizer.options import SummaryOptions
from tests.changes_double import Run, ScriptedModel

DOCUMENT = text_document(
    "The city council approved a new budget for public transport on Tuesday. "
    "The transport budget adds two bus lines and raises the council's spending on trams. "
    "Council members said the new bus lines will serve the northern districts of the city. "
    "The budget for public transport grows by a tenth, the council said. "
    "The meeting started late because the room's heating had failed in the morning. "
    "Tram and bus fares stay the same under the budget the council approved.",
    title="Council approves transport budget")
OPTIONS = SummaryOptions(type="tldr", length="short")
EDGE = "The meeting started late because the room's heating had failed in the morning."
CENTRE = "The city council approved a new budget for public transport on Tuesday."


def summary_of(written):
    run = Run(ScriptedModel(written))
    return pipeline.summarize(run, DOCUMENT, OPTIONS, {"prompt_tokens": 0, "completion_tokens": 0})


def test_a_backed_summary_from_the_documents_edge_gives_way_to_its_own_central_sentence():
    fields = summary_of(EDGE)
    closeness = fields["guard"]["closeness"]
    assert closeness["extractive"] > closeness["model"]
    assert fields["method"] == "extractive" and fields["fallback"] == "extractive"
    assert EDGE not in fields["summary"] and "budget" in fields["summary"]
    assert all(c["status"] == "extracted" and c["supported"] for c in fields["citations"])


def test_a_summary_as_close_to_the_document_as_its_own_sentences_is_kept():
    fields = summary_of(CENTRE)
    assert fields["method"] == "model" and "fallback" not in fields
    assert fields["summary"] == CENTRE
    assert fields["guard"]["closeness"]["model"] >= fields["guard"]["closeness"]["extractive"]


def test_a_summary_in_another_language_is_not_compared_word_for_word():
    run = Run(ScriptedModel("Le conseil a voté le budget des transports mardi."))
    options = SummaryOptions(type="tldr", length="short", output_language="French")
    fields = pipeline.summarize(run, DOCUMENT, options, {"prompt_tokens": 0, "completion_tokens": 0})
    assert fields["method"] == "model" and "closeness" not in fields["guard"]


@pytest.mark.parametrize("options", [SummaryOptions(type="key-points"), SummaryOptions(type="tldr", length="short")],
                         ids=["several items", "one sentence"])
def test_a_summary_is_measured_on_the_scale_that_ranks_the_documents_sentences(options):
    # The title is part of that scale: a sentence naming what the title names ranks higher, and a
    # summary naming it must count as closer by the same amount, or the choice between the two
    # weighs them differently. So is where a list's items come from (the position prior): the
    # model's key points copied from the end weigh as the preview's sentences from there would.
    # A summary of one sentence, which the model fuses from several, has no place of its own.
    index = grounding.SourceIndex(DOCUMENT.blocks, DOCUMENT.title)
    ranked = salience.rank(index, options)
    measured = salience.closeness(index, ranked, [[s.text] for s in ranked], options)
    bonus = salience.LEAD_BONUS if shapes.shown_alone(options) else salience.LIST_LEAD_BONUS
    for sentence, closeness in zip(ranked, measured):
        lead = 1 + bonus * math.exp(-math.log(2) * sentence.index / salience.POSITION_HALF_LIFE)
        assert closeness == pytest.approx(sentence.score / lead if shapes.shown_alone(options) else sentence.score)
    untitled = grounding.SourceIndex(DOCUMENT.blocks, "")
    assert salience.closeness(index, ranked, [[CENTRE]], options) > \
        salience.closeness(untitled, salience.rank(untitled, options), [[CENTRE]], options)


STOREY = text_document(
    "Sarah Storey won the time trial at the para-cycling world championships in Italy on Tuesday.\n\n"
    "She has now won sixteen world titles at the championships in cycling and swimming, more than any "
    "other British para-athlete in the long history of the world championships.\n\n"
    "The race was held in heavy rain on a hilly course near the town of Maniago.")
REFERRING = ("She has now won sixteen world titles at the championships in cycling and swimming, more than "
             "any other British para-athlete in the long history of the world championships.")


def test_a_one_sentence_summary_that_refers_back_gives_way_to_one_that_stands_alone():
    """Copied whole from the document, the model's tl;dr is backed and as close to the document as
    the preview's sentence (which the closeness rule would keep), but read alone it does not say
    who "she" is."""
    fields = pipeline.summarize(Run(ScriptedModel(REFERRING)), STOREY, OPTIONS,
                                {"prompt_tokens": 0, "completion_tokens": 0})
    assert fields["guard"]["refers_back"] and fields["method"] == "extractive"
    assert fields["summary"].startswith("Sarah Storey won the time trial")
    # A list keeps it: the items before it say who she is.
    listed = pipeline.summarize(Run(ScriptedModel("- Sarah Storey won the time trial in Italy.\n- " + REFERRING)),
                                STOREY, SummaryOptions(type="key-points", length="short"),
                                {"prompt_tokens": 0, "completion_tokens": 0})
    assert "refers_back" not in listed["guard"]
