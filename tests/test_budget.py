"""What fits one model call has one home (engine/budget.py): the API's plan (longdocs/planning.py)
and the worker's calls (engine/pipeline.py, engine/answer.py) follow a change made there."""

import dataclasses

import pytest

from summarizer import shapes
from summarizer.config import Settings
from summarizer.document import Block, Document
from summarizer.engine import answer, budget, excerpt, pipeline, prompts
from summarizer.engine.llm import load_tokenizer
from summarizer.longdocs import planning
from summarizer.options import SummaryOptions

SETTINGS = Settings.from_mapping({"n_ctx": 1024, "n_threads": 1, "selection_tokens": 4096})
DOCUMENT = Document("Harbour works", [Block(f"The harbour crane number {i} lifted steel beams "
                                            "for the new pier on the east side of the bay.",
                                            {"paragraph": i}) for i in range(60)])


class _Read(Exception):
    """Raised where the worker would start reading: the room it chose is known by then."""


class _Run:
    """A run (pipeline.py) whose model is the real tokenizer; it never gets to generate."""

    def __init__(self, settings):
        self.model, self.settings = load_tokenizer(settings.model), settings

    def check_cancel(self):
        pass


@pytest.fixture
def rooms(monkeypatch):
    """The document room each of the three callers uses, for options and settings."""
    def text(index, room, count_tokens, ranked=None):
        raise _Read(room)

    def split_room(room):  # a question's room, before it is shared by its two parts
        raise _Read(room)

    monkeypatch.setattr(excerpt, "text", text)
    monkeypatch.setattr(answer, "split_room", split_room)

    def measure(options, settings=SETTINGS):
        run, found = _Run(settings), {}
        for name, call in (("pipeline", pipeline.summarize), ("answer", answer.answer)):
            asked = dataclasses.replace(options, query="Which crane lifted the steel beams?") \
                if name == "answer" else options
            with pytest.raises(_Read) as read:
                call(run, DOCUMENT, asked, {"prompt_tokens": 0, "completion_tokens": 0})
            found[name] = read.value.args[0]
        found["planning"] = planning.single_call_budget(run.model, options, settings, DOCUMENT.title)
        return found

    return measure


def test_the_three_callers_agree_with_the_rule(rooms):
    options = SummaryOptions(depth="thorough")
    tokenizer = load_tokenizer(SETTINGS.model)
    expected = (tokenizer.n_ctx - budget.SAFETY_TOKENS
                - tokenizer.prompt_length(prompts.messages_for("", options, DOCUMENT.title))
                - shapes.answer_tokens(options, SETTINGS.max_tokens))
    found = rooms(options)
    assert found["pipeline"] == found["planning"] == expected
    assert 0 < expected - found["answer"] < 100, "a question's prompt is a little longer"


def test_changing_the_safety_margin_in_one_place_moves_all_three(rooms, monkeypatch):
    options = SummaryOptions(depth="thorough")
    before = rooms(options)
    monkeypatch.setattr(budget, "SAFETY_TOKENS", budget.SAFETY_TOKENS + 100)
    after = rooms(options)
    assert {name: before[name] - after[name] for name in before} == \
        {"pipeline": 100, "answer": 100, "planning": 100}


def test_the_fast_cap_is_one_rule(rooms, monkeypatch):
    fast = SummaryOptions(depth="fast")
    capped = rooms(fast, dataclasses.replace(SETTINGS, selection_tokens=300))
    assert capped["pipeline"] == capped["answer"] == 300
    monkeypatch.setattr(budget, "document_room", lambda counter, options, settings, build: 123)
    assert set(rooms(fast).values()) == {123}


def test_one_call_decides_the_plan(monkeypatch):
    long_document = Document("T", DOCUMENT.blocks * 10)
    thorough = SummaryOptions(depth="thorough")
    assert len(planning.plan_chunks(long_document, thorough, SETTINGS)) > 1
    monkeypatch.setattr(budget, "one_call", lambda options: True)
    assert len(planning.plan_chunks(long_document, thorough, SETTINGS)) == 1


def test_the_list_wording_is_shared_by_summaries_and_answers(monkeypatch):
    monkeypatch.setattr(shapes, "list_wording", lambda options: "A LIST OF DOTS")
    options = SummaryOptions(type="key-points", query="What?")
    assert "A LIST OF DOTS" in shapes.task(options) and "A LIST OF DOTS" in answer.task(options)
