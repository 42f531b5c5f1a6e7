"""An answer says what its sources say about the question (issue 25.6): "who did they interview as
the wizard" cited the turn that gave the name and never said it. An item that repeats the
question and none of what its cited turn puts next to the question's words gives way to that turn;
one that carries it stays. No model: the items are what a weak model writes."""

import functools

from summarizer.engine import answer, grounding, query, revise
from summarizer.extract import text as text_format
from summarizer.options import parse_options
from tests.changes_double import Run, ScriptedModel

QUESTION = "Who did they interview as the wizard?"
WIZARD_TURN = "Ben: So the person we interviewed as the wizard , uh , Fey Nakamura , was great ."
MEETING = text_format.extract("\n".join([
    "Anna: The new website goes live in May after the design review.",
    "Ben: The support team answered twice as many tickets this quarter.",
    "Carla: For the study we need a wizard who can improvise the answers.",
    WIZARD_TURN,
    "Dev: The mobile app crashed less often after the last release.",
    "Anna: Hiring for the data team is slower than we planned.",
]))
OPTIONS = parse_options({"type": "tldr", "length": "short", "query": QUESTION})
NAMELESS = "The person we interviewed as the wizard was great."
NAMED = "The person we interviewed as the wizard, Fey Nakamura, was great."


def revised(item):
    index = grounding.SourceIndex(MEETING.blocks, MEETING.title)
    focus = query.focus(index, QUESTION)
    rule = functools.partial(query.unsaid, index, focus)
    return revise.revise([item], MEETING, OPTIONS, index, unsaid=rule)


def test_what_a_turn_says_about_the_question_is_the_name_beside_its_words():
    index = grounding.SourceIndex(MEETING.blocks, MEETING.title)
    focus = query.focus(index, QUESTION)
    assert query.said_about(index, 3, focus) == {"fey", "nakamur"}  # not the speaker, not "uh"
    assert query.said_about(index, 0, focus) == set()  # no word of the question


def test_an_answer_that_repeats_the_question_without_the_name_is_replaced_by_the_turn():
    assert grounding.citation(0, NAMELESS, grounding.SourceIndex(MEETING.blocks))["supported"]
    (entry,), summary = revised(NAMELESS)
    assert entry["status"] == "replaced" and entry["supported"] and entry["original"] == NAMELESS
    # The turn as said once, without its "uh" and "So" (the quote is the turn as the transcript has it).
    assert entry["text"] == "Ben: The person we interviewed as the wizard, Fey Nakamura, was great."
    assert "Fey Nakamura" in summary
    assert entry["sources"][0]["quote"] == WIZARD_TURN


def test_an_answer_that_gives_the_name_is_kept():
    (entry,), summary = revised(NAMED)
    assert entry["status"] == "supported" and summary == NAMED


def test_the_answer_of_the_model_is_held_to_the_rule_end_to_end():
    for written, status in ((NAMELESS, "replaced"), (NAMED, "supported")):
        run = Run(ScriptedModel(written))
        fields = answer.answer(run, MEETING, OPTIONS, {"prompt_tokens": 0, "completion_tokens": 0})
        assert fields["answered"] and len(run.model.calls) == 1
        assert fields["citations"][0]["status"] == status, fields["citations"]
        assert "Fey Nakamura" in fields["summary"], fields["summary"]
