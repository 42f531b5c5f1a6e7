"""GBNF grammars: well-formed for llama.cpp, and real generation under them has the promised shape."""

import re

import pytest

from tests import rules
from summarizer.engine import grammars, llm
from summarizer.options import LENGTHS, SummaryOptions

from tests.model_fixture import model  # noqa: F401 - the shared real-model fixture

ALL_GRAMMARS = [grammars.key_points(n) for n in sorted(set(rules.KEY_POINTS.values()))] + \
    [grammars.headline(n) for n in sorted(set(rules.HEADLINE_WORDS.values()))] + \
    [grammars.paragraph(), grammars.headline(1), grammars.key_points(1)]


@pytest.mark.parametrize("count", [1, 3, 7])
def test_key_points_grammar_allows_at_most_count_items(count):
    root = grammars.key_points(count).split("\n")[0]
    assert root.count("item") == count and root.count("?") == count - 1


@pytest.mark.parametrize("words", [1, 12, 22])
def test_headline_grammar_allows_at_most_words(words):
    root = grammars.headline(words).split("\n")[0]
    assert root.count("first") == 1 and root.count("word") == words - 1


@pytest.mark.parametrize("length", LENGTHS)
def test_grammar_per_type(length):
    assert grammars.for_options(SummaryOptions(length=length)) == grammars.key_points(rules.KEY_POINTS[length])
    assert grammars.for_options(SummaryOptions(type="headline", length=length)) == \
        grammars.headline(rules.HEADLINE_WORDS[length])
    for kind in ("tldr", "teaser"):
        assert grammars.for_options(SummaryOptions(type=kind, length=length)) is None
        assert grammars.for_options(SummaryOptions(type=kind, length=length), strict=True) == grammars.paragraph()


def parses(model, gbnf):  # noqa: F811 - pytest fixture name
    """True when llama.cpp's own grammar parser accepts `gbnf` for this model's vocabulary."""
    import llama_cpp

    sampler = llama_cpp.llama_sampler_init_grammar(model.llama._model.vocab, gbnf.encode(), b"root")
    if not sampler:
        return False
    llama_cpp.llama_sampler_free(sampler)
    return True


@pytest.mark.model
def test_llama_cpp_parses_every_grammar(model):  # noqa: F811
    for gbnf in ALL_GRAMMARS:
        assert parses(model, gbnf), gbnf
        assert llm._compiled(gbnf) is llm._compiled(gbnf)  # parsed once, reused
    assert not parses(model, "root ::= missing-rule\n")  # the check itself can fail


def generate(model, instruction, gbnf, max_tokens=64):  # noqa: F811
    messages = [{"role": "system", "content": "You are a helpful assistant."},
                {"role": "user", "content": instruction}]
    generation = model.generate(messages, max_tokens=max_tokens, temperature=0.2, seed=1234,
                                grammar=gbnf)
    return "".join(generation), generation.finish_reason


@pytest.mark.model
def test_key_points_grammar_caps_a_model_asked_for_ten(model):  # noqa: F811
    text, finish = generate(model, "List ten different fruits, one per line, each line starting with '- '.",
                            grammars.key_points(3), max_tokens=80)
    lines = text.rstrip("\n").split("\n")
    assert 1 <= len(lines) <= 3, text
    assert all(line.startswith("- ") and len(line) > 2 for line in lines), text
    assert finish == "stop", f"max_tokens, not the grammar, ended the answer ({finish}): {text!r}"


@pytest.mark.model
def test_headline_grammar_keeps_one_short_line(model):  # noqa: F811
    text, _ = generate(model, "Write three long paragraphs about the history of Rome.", grammars.headline(6))
    assert "\n" not in text and 1 <= len(text.split(" ")) <= 6, text
    assert not re.match(r"[\s#*\"-]", text), text
    assert not re.search(r"[,;:]\S", text), text  # no words glued by punctuation


@pytest.mark.model
def test_paragraph_grammar_has_no_line_break(model):  # noqa: F811
    text, _ = generate(model, "Write a bulleted list of five colours.", grammars.paragraph(), max_tokens=40)
    assert text and "\n" not in text and not text.startswith(("-", "*", "#")), text
