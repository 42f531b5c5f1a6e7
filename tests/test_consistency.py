"""The support check beyond word overlap (engine/consistency.py, facts.dropped_negation): who did
what to whom, modality, dropped denials; measured against people's judgments (FRANK validation
split) and against the documents' own sentences."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from summarizer.engine import consistency_weights, grounding, preview

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
FRANK = CORPUS / "factuality" / "frank_valid.jsonl"

ARTICLE = (
    "Former England captain Michael Vaughan is the bookmakers' favourite to become the new director "
    "of cricket. The ECB sacked Paul Downton on Wednesday after a poor World Cup. Alec Stewart said he "
    "would be interested in the job that Downton lost. The ECB will not appoint anyone before the "
    "summer, a spokesman said. Stewart played 133 Tests for England between 1990 and 2003. The board "
    "could name a shortlist next month, according to reports. Downton had been in the role for 14 "
    "months. Stewart praised the players and said the team needed stability after a difficult winter.")


def check(item):
    return grounding.cite([item], [ARTICLE])[0]


@pytest.mark.parametrize("item", [
    "The ECB sacked Paul Downton on Wednesday after a poor World Cup.",
    "Alec Stewart said he would be interested in the job that Downton lost.",
    "Stewart played 133 Tests for England between 1990 and 2003.",
    "Downton had been in the role for 14 months.",
])
def test_what_the_article_says_is_supported(item):
    assert check(item)["supported"], check(item)


@pytest.mark.parametrize("item, why", [
    # Every word is in the article; who did what to whom is not.
    ("Paul Downton sacked the ECB after a poor World Cup on Wednesday.", "roles swapped"),
    ("Alec Stewart expressed interest in new director Paul Downton.", "a description on the wrong person"),
    ("The ECB will appoint a director before the summer.", "the denial dropped"),
    ("The ECB's favourite to become director is Michael Vaughan.", "the bookmakers' favourite"),
    ("Stewart played 144 Tests for England between 1990 and 2003.", "a number changed"),
])
def test_recombined_claims_are_not_supported(item, why):
    found = check(item)
    assert not found["supported"], (why, found)
    assert found["missing"], "an item that fails says why"


def test_a_dropped_denial_is_named():
    assert "relation:not" in check("The ECB will appoint anyone before the summer.")["missing"]


def test_score_is_a_probability_and_orders_copy_above_recombination():
    copied = check("The ECB sacked Paul Downton on Wednesday after a poor World Cup.")["score"]
    swapped = check("Paul Downton sacked the ECB after a poor World Cup on Wednesday.")["score"]
    assert 0 <= swapped < consistency_weights.THRESHOLD <= copied <= 1


def corpus_rows(name, count):
    path = CORPUS / "summarization" / f"{name}.jsonl"
    if not path.exists():
        pytest.skip(f"{path} is absent (the shared corpus is not beside this checkout)")
    with path.open(encoding="utf-8") as lines:
        return [json.loads(next(lines)) for _ in range(count)]


@pytest.mark.parametrize("name", ["frank_cnndm_test", "scitldr_a_test", "frank_xsum_test"])
def test_the_documents_own_sentences_and_headline_cuts_are_supported(name):
    """A replacement or an extracted item is the document's own sentence, or its cut to a
    headline: the check must pass it (measured 99.2% over 45 documents; what fails are fragments
    such as '"' or 'Of the parents questioned', and cuts that lose a denial)."""
    checked = passed = 0
    for row in corpus_rows(name, 10):
        index = grounding.SourceIndex([row["text"]])
        for sentence in index.sentences:
            if len(sentence.split()) < 6:
                continue
            for text in (sentence, preview.headline(sentence, 12)):
                checked += 1
                passed += grounding.citation(0, text, index)["supported"]
    assert passed / checked >= 0.97, (passed, checked)


def frank_rows():
    if not FRANK.exists():
        pytest.skip(f"{FRANK} is absent (the shared corpus is not beside this checkout)")
    return [json.loads(line) for line in FRANK.open(encoding="utf-8")]


def test_against_people_on_frank_validation():
    """The figures bench/README.md gives for the default settings (today: CNN/DM balanced accuracy
    73.2, 60% of all faithful summaries kept, a supported summary right 82% of the time; before
    this check 61.6 / 81% / 60%). Loose bounds: this guards the weights being lost or mis-loaded."""
    rows = frank_rows()
    indexes, verdicts = {}, []
    for row in rows:
        index = indexes.setdefault(row["hash"], grounding.SourceIndex([" ".join(row["article"])]))
        verdicts.append(all(c["supported"] for c in grounding.cite(row["summary"], None, index=index)))
    consistent = [r["consistent"] for r in rows]
    kept = sum(v and c for v, c in zip(verdicts, consistent)) / sum(consistent)
    right = sum(v and c for v, c in zip(verdicts, consistent)) / sum(verdicts)
    cnndm = [(v, c) for v, c, r in zip(verdicts, consistent, rows) if r["dataset"] == "cnndm"]
    caught = sum(not v and not c for v, c in cnndm) / sum(not c for _, c in cnndm)
    kept_cnndm = sum(v and c for v, c in cnndm) / sum(c for _, c in cnndm)
    assert kept >= 0.5 and right >= 0.77 and (kept_cnndm + caught) / 2 >= 0.69, (kept, right, caught)


def test_the_committed_weights_are_what_the_training_script_fits(tmp_path):
    """consistency_weights.py is written by bench/factuality_train.py, never by hand."""
    frank_rows()
    script = (f"import sys; sys.path.insert(0, {str(REPO / 'bench')!r}); import factuality_train as t\n"
              f"t.WEIGHTS = __import__('pathlib').Path({str(tmp_path / 'w.py')!r})\n"
              "sys.argv = ['t', '--folds', '2']; t.main()")
    subprocess.run([sys.executable, "-c", script], check=True, capture_output=True, cwd=REPO)
    assert (tmp_path / "w.py").read_text() == (REPO / "summarizer/engine/consistency_weights.py").read_text()


def test_the_check_gives_the_same_scores_whatever_the_process_hash_seed():
    """Python orders a set of words by a hash seeded anew in every process, and a sum of floats in
    that order broke a tie between source sentences one way or the other: one FRANK summary's
    support was 0.337 in some processes and 0.316 in others, so the fit, and a verdict of the API
    against the worker's, depended on the run."""
    frank_rows()
    script = (f"import sys, json; sys.path.insert(0, {str(REPO / 'bench')!r}); import factuality_train as t\n"
              "rows = t.load_rows(); values, _, _ = t.sentence_signals(rows)\n"
              "print(json.dumps(values.round(12).tolist()))")
    runs = [subprocess.run([sys.executable, "-c", script], check=True, capture_output=True, text=True, cwd=REPO,
                           env={**os.environ, "PYTHONHASHSEED": seed}).stdout
            for seed in ("0", "4")]
    assert runs[0] == runs[1]
