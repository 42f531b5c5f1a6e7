"""Kept readings (engine/readings.py, issue 25): a worker keeps the model's state after a
document's fixed part, bounded in bytes, and a prompt that starts with exactly those tokens reads
only the rest. The cache's rules run without the model; the rest on the bundled model."""

import pytest

from summarizer.config import Settings
from summarizer.engine import llm, readings
from summarizer.engine.readings import Reading, ReadingCache


def reading(tokens, size):
    return Reading(tuple(tokens), b"x" * size)


def test_the_longest_kept_prefix_of_a_prompt_is_found_and_nothing_else():
    cache = ReadingCache(1000)
    cache.keep(reading([1, 2], 10))
    cache.keep(reading([1, 2, 3, 4], 10))
    cache.keep(reading([9, 9, 9], 10))
    assert cache.longest([1, 2, 3, 4, 5]).tokens == (1, 2, 3, 4)
    assert cache.longest([1, 2, 3, 7]).tokens == (1, 2)
    assert cache.longest([1, 3]) is None, "a reading is used only for a prompt that starts with it"
    assert cache.longest([9, 9]) is None, "nor for a shorter one"


def test_the_bound_forgets_the_least_recently_used_first():
    cache = ReadingCache(30)
    for first in (1, 2, 3):
        cache.keep(reading([first, 0], 10))
    cache.longest([1, 0, 5])  # 1 is used again: 2 is now the oldest
    cache.keep(reading([4, 0], 10))
    assert cache.bytes == 30 and len(cache) == 3
    assert cache.longest([2, 0, 5]) is None and cache.longest([1, 0, 5]) is not None
    cache.keep(reading([5, 0], 31))
    assert len(cache) == 3, "a reading larger than the whole bound is not kept"
    assert ReadingCache(0).longest([1]) is None


def model_with(megabytes):
    settings = Settings.from_mapping({"n_threads": 2, "reading_cache_mb": megabytes})
    return llm.Model(settings.model)


DOCUMENT = "\n".join(f"Crane {i} lifted {i * 3} steel beams for pier {i % 4} on day {i}." for i in range(20))


def ask(model, question, document=DOCUMENT):
    kept = f"<document>\n{document}\n"
    messages = [{"role": "system", "content": "You answer questions about the document."},
                {"role": "user", "content": f"{kept}</document>\nThe reader's question: {question}"}]
    generation = model.generate(messages, max_tokens=12, temperature=0.2, seed=1, kept=kept)
    text = "".join(generation)
    return text, generation


@pytest.mark.model
def test_a_follow_up_reads_only_its_question_and_a_forgotten_reading_is_read_again():
    model = model_with(256)
    _, first = ask(model, "How many beams did crane 5 lift?")
    assert first.cached_tokens == 0 and 0 < first.kept_tokens < first.prompt_tokens
    assert len(model.readings) == 1 and model.readings.bytes > 0
    ask(model, "Which pier is crane 2 for?", document=DOCUMENT.replace("Crane", "Hoist"))  # another document between
    text, follow_up = ask(model, "On which day did crane 7 work?")
    assert follow_up.cached_tokens >= first.kept_tokens, "the first document's reading was kept"
    assert follow_up.prompt_tokens - follow_up.cached_tokens < 30, "only the question is read"
    assert text.strip()

    size = model.readings.bytes // 2  # room for one reading: the other document's pushed it out
    model.readings = ReadingCache(size)
    ask(model, "Which pier is crane 2 for?", document=DOCUMENT.replace("Crane", "Hoist"))
    model.readings = ReadingCache(size)  # forgotten
    text, again = ask(model, "On which day did crane 9 work?")
    assert again.cached_tokens < 30 and text.strip(), "a forgotten reading is simply read again " \
        "(only the instructions both documents share were still in llama.cpp's cache)"
    assert len(model.readings) == 1, "and kept anew"


@pytest.mark.model
def test_no_reading_is_kept_when_the_bound_is_zero():
    model = model_with(0)
    ask(model, "How many beams did crane 5 lift?")
    assert len(model.readings) == 0
    assert Settings.from_mapping({}).reading_cache_mb == 256


@pytest.mark.model
def test_a_reading_llama_cpp_refuses_is_read_again(monkeypatch):
    import llama_cpp

    model = model_with(256)
    ask(model, "How many beams did crane 5 lift?")
    ask(model, "Which pier is crane 2 for?", document=DOCUMENT.replace("Crane", "Hoist"))
    monkeypatch.setattr(llama_cpp, "llama_state_seq_set_data", lambda *args: 0)
    text, again = ask(model, "On which day did crane 7 work?")
    assert again.cached_tokens == 0 and text.strip()
