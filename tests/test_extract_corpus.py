"""Every PDF and Word file of ../shared/corpus through extract(): its own expected outcome, never an
unexpected exception, never past the time limit; similarity to the expected text where there is one.

Each file's outcome is in tests/data/corpus_expectations.json: some of its words (with the pages
that carry text, for PDFs) or the exact error code. That table was written from the files
(pdftotext, the Word XML, the manifests), not from our own output; a corpus file without an entry
fails, so a new file cannot pass unchecked.
"""

import collections
import json
import re
import unicodedata
from pathlib import Path

import pytest

from summarizer import errors
from summarizer.config import Settings
from summarizer.document import Source
from summarizer.extract import extract

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
EXPECTATIONS = json.loads((Path(__file__).parent / "data" / "corpus_expectations.json").read_text())
FORMATS = ("pdf", "docx")
pytestmark = pytest.mark.skipif(
    not (CORPUS / "pdf").is_dir(), reason=f"the shared corpus is absent ({CORPUS})"
)

#: Each file must finish well inside this (the child's own limit is parse_timeout below).
PARSE_TIMEOUT = 60


def manifest(fmt):
    """The corpus manifest of one format as {file: entry}; {} when the corpus is absent."""
    path = CORPUS / fmt / "manifest.jsonl"
    if not path.exists():
        return {}
    entries = (json.loads(line) for line in path.read_text().splitlines() if line.strip())
    return {entry["file"]: entry for entry in entries}


def corpus_files():
    return [(fmt, name) for fmt in FORMATS for name in sorted(manifest(fmt))]


def published_password(entry):
    """The password the source publishes for an encrypted sample (in the manifest notes)."""
    match = re.search(r"password '([^']+)'", entry.get("notes", ""))
    return match.group(1) if match else None


def expected_text(fmt, entry):
    """The corpus's expected text for a file, or None."""
    expected = entry.get("expected_text")
    if isinstance(expected, list):
        expected = expected[0] if expected else None
    return (CORPUS / fmt / expected["file"]).read_text(errors="replace") if expected else None


def words(text):
    """Bag of lower-cased word tokens, ignoring Markdown markup and HTML comments in references."""
    return collections.Counter(re.findall(r"\w+", re.sub(r"<!--.*?-->", " ", text).lower()))


def similarity(ours, reference):
    """Token precision, recall and F1 of our text against the reference."""
    a, b = words(ours), words(reference)
    hits = sum((a & b).values())
    precision, recall = hits / max(sum(a.values()), 1), hits / max(sum(b.values()), 1)
    return precision, recall, 2 * precision * recall / (precision + recall or 1)


def folded(text):
    """Compatibility-folded (ligatures such as "ﬁ" become "fi"), case-folded, one space apart."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def missing_words(text, expected):
    """The expected words that are not whole words of `text`. Not \\w+ tokens: an Arabic word
    carries vowel marks, which \\w does not match."""
    text = folded(text)
    return [word for word in expected
            if not re.search(rf"(?<!\w){re.escape(folded(word))}(?!\w)", text)]


@pytest.fixture(scope="module")
def settings():
    return Settings.from_mapping({"parse_timeout": PARSE_TIMEOUT})


def read(fmt, name, settings, password=None):
    data = (CORPUS / fmt / name).read_bytes()
    return extract(Source(kind="file", data=data, filename=name, password=password), settings)


def outcome_of(fmt, name, settings, password=None):
    """The Document, or the error code of the clean 4xx that refused the file."""
    try:
        return read(fmt, name, settings, password)
    except errors.SummarizerError as error:
        assert 400 <= error.status < 500, (error.code, error.message)
        return error.code


def assert_outcome(outcome, expected, pdf):
    if "error" in expected:
        text = outcome if isinstance(outcome, str) else outcome.text[:200]
        assert outcome == expected["error"], f"expected {expected['error']}, got {text!r}"
        return
    assert not isinstance(outcome, str), f"expected text, got {outcome}"
    assert not missing_words(outcome.text, expected["text"]), \
        (missing_words(outcome.text, expected["text"]), outcome.text[:300])
    if pdf:
        # OCR'd pages have a block per paragraph: each page once, in order
        pages = list(dict.fromkeys(block.locator["page"] for block in outcome.blocks))
        assert pages == expected.get("pages", [1]), "the pages that carry text"


def test_every_corpus_file_has_an_expected_outcome():
    assert corpus_files(), f"no manifest under {CORPUS}"
    for fmt in FORMATS:
        assert set(EXPECTATIONS[fmt]) == set(manifest(fmt)), fmt


@pytest.mark.parametrize("fmt, name", corpus_files())
def test_expectations_agree_with_the_manifest(fmt, name):
    """The table against what the manifest says of each file, so that neither is misread."""
    entry, expected = manifest(fmt)[name], EXPECTATIONS[fmt][name]
    # the pypdf files carry no `encrypted` field: their notes say so
    said = entry.get("status", "") + " " + entry.get("notes", "")
    encrypted = bool(entry.get("encrypted") or re.search(r"\bencrypted\b", said))
    assert encrypted == (expected.get("error") == f"{fmt}_encrypted")
    assert bool(published_password(entry)) == ("with_password" in expected)
    if fmt == "docx":  # the manifest counted the characters of the main part
        assert ("text" in expected) == (entry["approx_text_chars_main_part"] > 0)
    if entry.get("expected_text"):
        assert "text" in expected
    if expected.get("error") == "pdf_no_text":
        assert entry["images"] > 0, "only a scan (an image of text) has no text layer"


@pytest.mark.timeout(PARSE_TIMEOUT * 3)
@pytest.mark.parametrize("fmt, name", corpus_files())
def test_corpus_file_gives_its_expected_outcome(settings, fmt, name):
    expected = EXPECTATIONS[fmt].get(name)
    assert expected, f"{fmt}/{name} has no entry in tests/data/corpus_expectations.json"
    assert_outcome(outcome_of(fmt, name, settings), expected, fmt == "pdf")


@pytest.mark.timeout(PARSE_TIMEOUT * 3)
@pytest.mark.parametrize("fmt, name", [
    (fmt, name) for fmt, name in corpus_files() if published_password(manifest(fmt)[name])
])
def test_encrypted_file_with_its_published_password(settings, fmt, name):
    """PDFs open with the password the manifest publishes (and not with a wrong one); Word files
    stay refused: only PDFs take a password (README)."""
    password = published_password(manifest(fmt)[name])
    expected = EXPECTATIONS[fmt][name]["with_password"]
    assert_outcome(outcome_of(fmt, name, settings, password), expected, fmt == "pdf")
    if fmt == "pdf":
        assert outcome_of(fmt, name, settings, password + "-wrong") == "pdf_wrong_password"


def test_similarity_to_expected_text(settings):
    """Report similarity everywhere; assert floors on the aggregate and on precision.

    The references are other tools' output (docling's Markdown, POI's dump with metadata), which
    render charts, equations and merged cells differently, so per-file recall is only reported.
    Precision is meaningful per file: what we emit should be in the document.
    """
    rows = []
    for fmt, name in corpus_files():
        reference = expected_text(fmt, manifest(fmt)[name])
        if reference is not None:
            rows.append((name, *similarity(read(fmt, name, settings).text, reference)))
    assert rows, "the manifests name no expected text"
    for name, precision, recall, f1 in rows:
        print(f"{name[-55:]:55s} P {precision:.2f} R {recall:.2f} F1 {f1:.2f}")
    mean_f1 = sum(row[3] for row in rows) / len(rows)
    print(f"mean F1 over {len(rows)} files: {mean_f1:.3f}")
    assert mean_f1 >= 0.8
    assert all(precision >= 0.75 for _, precision, _, _ in rows), rows
