"""Sizing work for the context window with the model's own tokenizer (no weights loaded)."""

import pytest

from summarizer.engine import prompts
from summarizer.config import Settings
from summarizer.document import Block, Document
from summarizer.engine.llm import load_model, load_tokenizer
from summarizer.options import SummaryOptions
from summarizer.engine.estimate import EstimatedTokenizer
from summarizer.longdocs.planning import map_chunk_budget, plan_chunks, single_call_budget

SETTINGS = Settings.from_mapping({"n_ctx": 1024, "n_threads": 1})


def document(paragraphs):
    return Document("A title", [Block(f"Paragraph {i}: " + "the quick brown fox jumps. " * 12,
                                      {"paragraph": i}) for i in range(paragraphs)])


def test_tokenizer_loads_without_weights_and_counts_like_the_model():
    tokenizer = load_tokenizer(SETTINGS.model)
    model = load_model(SETTINGS.model)
    text = "Grüße aus Köln — 42 tokens? Not quite."
    assert tokenizer.count_tokens(text) == model.count_tokens(text)
    messages = prompts.messages_for("doc", SummaryOptions())
    assert tokenizer.chat_prompt(messages) == model.chat_prompt(messages)


def test_a_short_document_is_one_chunk():
    chunks = plan_chunks(document(2), SummaryOptions(), SETTINGS)
    assert len(chunks) == 1


@pytest.mark.parametrize("kind", ["key-points", "headline"])
def test_every_chunk_and_its_prompt_fit_the_context(kind):
    tokenizer = load_tokenizer(SETTINGS.model)
    options = SummaryOptions(type=kind, length="long", depth="thorough")
    chunks = plan_chunks(document(40), options, SETTINGS)
    assert len(chunks) > 2
    for index, chunk in enumerate(chunks, start=1):
        prompt, _ = tokenizer.chat_prompt(prompts.map_messages(chunk.text, index, len(chunks)))
        used = tokenizer.count_tokens(prompt, special=True) + prompts.map_budget()
        assert used <= SETTINGS.n_ctx
    assert {loc["paragraph"] for c in chunks for loc in c.locators} == set(range(40))


def test_budgets_shrink_with_the_answer_and_grow_with_the_context():
    tokenizer = load_tokenizer(SETTINGS.model)
    short = single_call_budget(tokenizer, SummaryOptions(type="headline"), SETTINGS)
    long = single_call_budget(tokenizer, SummaryOptions(length="long"), SETTINGS)
    assert short > long > 0
    bigger = Settings.from_mapping({"n_ctx": 4096})  # the context is the tokenizer's (the model's)
    assert (map_chunk_budget(load_tokenizer(bigger.model), bigger)
            - map_chunk_budget(tokenizer, SETTINGS)) == 3072


def test_estimate_errs_on_the_side_of_smaller_chunks():
    tokenizer = load_tokenizer(SETTINGS.model)
    sample = document(5).text
    assert EstimatedTokenizer(1024).count_tokens(sample) >= tokenizer.count_tokens(sample)


def test_without_the_model_file_the_estimate_is_used(tmp_path):
    settings = Settings.from_mapping({"n_ctx": 1024, "model_path": str(tmp_path / "absent.gguf")})
    chunks = plan_chunks(document(40), SummaryOptions(depth="thorough"), settings)
    assert len(chunks) > 2


def test_fast_depth_is_one_call_whatever_the_length():
    """depth=fast never splits: the worker reads a selection that fits (engine/salience.py)."""
    chunks = plan_chunks(document(400), SummaryOptions(), SETTINGS)
    assert len(chunks) == 1 and len(chunks[0].locators) == 400
