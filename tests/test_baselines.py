"""The benchmark's baselines (bench/baselines.py): lead-k and TextRank centrality."""

import json
import re
from pathlib import Path

import pytest

from bench import baselines

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "summarization"

# Five sentences about one topic (solar power) and two off-topic ones: the topical ones share
# words with each other, so TextRank must rank them above the outliers.
DOC = (
    "Solar power capacity grew fast in Europe this year. "
    "My neighbour's cat likes to sleep on the warm car roof. "
    "New solar farms in Spain added more capacity than any year before. "
    "Cheaper solar panels made solar power capacity attractive for farms and homes. "
    "The football match on Sunday ended in a draw. "
    "Europe plans to double solar capacity again by 2030 with new farms. "
    "Grid operators in Europe must store solar power for the evening."
)
OUTLIERS = ("cat", "football")


def test_lead_takes_the_first_sentences():
    assert baselines.lead(DOC, 2) == [
        "Solar power capacity grew fast in Europe this year.",
        "My neighbour's cat likes to sleep on the warm car roof."]


def test_textrank_prefers_central_sentences_in_document_order():
    picked = baselines.central(DOC, 3)
    assert len(picked) == 3
    assert not any(word in " ".join(picked) for word in OUTLIERS)
    positions = [DOC.index(s) for s in picked]
    assert positions == sorted(positions)


def test_excluded_sentences_are_never_picked():
    best = baselines.central(DOC, 1)[0]
    assert best not in baselines.central(DOC, 3, exclude=[best])


def test_empty_and_tiny_documents():
    assert baselines.central("", 3) == []
    assert baselines.central("Just one sentence here.", 3) == ["Just one sentence here."]


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus/summarization is absent")
def test_textrank_beats_the_worst_sentences_on_real_news():
    """Word overlap with the human highlights: central sentences beat the least central ones."""
    rows = [json.loads(line) for line in (CORPUS / "frank_cnndm_test.jsonl").open()][:15]

    def overlap(sentences, reference):
        words, ref = set(re.findall(r"\w+", " ".join(sentences).lower())), set(re.findall(r"\w+", reference.lower()))
        return len(words & ref) / max(len(words), 1)

    top = bottom = 0.0
    for row in rows:
        ranked = baselines.rank(row["text"])
        top += overlap([s for _, s in ranked[:3]], row["references"][0])
        bottom += overlap([s for _, s in ranked[-3:]], row["references"][0])
    assert top > bottom * 1.2
