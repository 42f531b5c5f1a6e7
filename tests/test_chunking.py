import pytest

from summarizer.longdocs.chunking import split_document
from summarizer.document import Block


def words(text):
    return len(text.split())


def paragraphs(count, size=20, heading=None):
    return [Block(" ".join(f"w{i}_{j}." if j % 10 == 9 else f"w{i}_{j}" for j in range(size)),
                  {"paragraph": i, **({"heading": heading} if heading else {})})
            for i in range(count)]


def test_small_document_is_one_chunk_with_every_locator():
    blocks = paragraphs(3)
    chunks = split_document(blocks, words, chunk_tokens=1000)
    assert len(chunks) == 1
    assert chunks[0].locators == [b.locator for b in blocks]
    assert chunks[0].text.split() == " ".join(b.text for b in blocks).split()


@pytest.mark.parametrize("limit, overlap", [(50, 0), (50, 10), (64, 25), (200, 40)])
def test_every_chunk_fits_and_every_block_is_covered(limit, overlap):
    blocks = paragraphs(40, size=23)
    chunks = split_document(blocks, words, chunk_tokens=limit, overlap_tokens=overlap)
    assert all(words(c.text) <= limit for c in chunks)
    covered = {loc["paragraph"] for c in chunks for loc in c.locators}
    assert covered == set(range(40))
    assert [b.text for b in blocks] == [t for t in dict.fromkeys(
        p for c in chunks for p in c.text.split("\n\n"))]


def test_overlap_repeats_the_tail_of_the_previous_chunk():
    chunks = split_document(paragraphs(10, size=10), words, chunk_tokens=40, overlap_tokens=12)
    for before, after in zip(chunks, chunks[1:]):
        assert after.text.split("\n\n")[0] == before.text.split("\n\n")[-1]


def test_oversized_block_is_split_at_sentences_then_words():
    sentence = " ".join(["word"] * 30) + "."
    giant = Block(" ".join([sentence] * 5) + " " + " ".join(["x"] * 300), {"page": 7})
    chunks = split_document([giant], words, chunk_tokens=40)
    assert all(words(c.text) <= 40 for c in chunks)
    assert all(c.locators == [{"page": 7}] for c in chunks)
    assert sum(words(c.text) for c in chunks) == words(giant.text)


def test_breaks_before_a_new_section_when_the_chunk_is_half_full():
    blocks = paragraphs(3, size=10, heading="Intro") + [
        Block(b.text, {"paragraph": 3 + i, "heading": "Methods"}) for i, b in enumerate(paragraphs(2, 10))]
    chunks = split_document(blocks, words, chunk_tokens=60)
    assert [loc["heading"] for loc in chunks[1].locators] == ["Methods", "Methods"]


def test_a_tiny_limit_is_refused():
    with pytest.raises(ValueError):
        split_document(paragraphs(1), words, chunk_tokens=2)
