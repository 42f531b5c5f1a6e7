"""Every PDF and Word file of ../shared/corpus through extract(): text or a clean 4xx, never an
unexpected exception, never past the time limit; similarity to the expected text where there is one.

Expected outcomes come from the corpus manifests (encrypted, malformed, no text in the main part),
not from looking at our own output.
"""

import collections
import json
import re
from pathlib import Path

import pytest

from summarizer import errors
from summarizer.config import Settings
from summarizer.document import Source
from summarizer.extract import extract

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
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
    return [(fmt, name) for fmt in ("pdf", "docx") for name in sorted(manifest(fmt))]


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


@pytest.fixture(scope="module")
def settings():
    return Settings.from_mapping({"parse_timeout": PARSE_TIMEOUT})


def read(fmt, name, settings, password=None):
    data = (CORPUS / fmt / name).read_bytes()
    return extract(Source(kind="file", data=data, filename=name, password=password), settings)


@pytest.mark.timeout(PARSE_TIMEOUT * 3)
@pytest.mark.parametrize("fmt, name", corpus_files())
def test_corpus_file_gives_text_or_a_clean_4xx(settings, fmt, name):
    entry = manifest(fmt)[name]
    try:
        document = read(fmt, name, settings)
    except errors.SummarizerError as error:
        assert 400 <= error.status < 500, (error.code, error.message)
        assert error.code not in ("parse_timeout", "parse_failed"), error.message
        outcome = error.code
    else:
        assert document.text.strip()
        outcome = "text"
    encrypted = entry.get("encrypted") or "encrypt" in entry.get("status", "")
    if encrypted:
        assert outcome in ("pdf_encrypted", "docx_encrypted")
    elif entry.get("status", "ok").startswith("malformed"):
        assert outcome != "text"
    elif entry.get("approx_text_chars_main_part", 0) > 0:  # Word files: the manifest counted text
        assert outcome == "text"
    elif entry.get("expected_text"):
        assert outcome == "text"


@pytest.mark.parametrize("fmt, name", [
    (fmt, name) for fmt, name in corpus_files()
    if fmt == "pdf" and published_password(manifest(fmt)[name])
])
def test_encrypted_pdf_opens_with_its_published_password(settings, fmt, name):
    document = read(fmt, name, settings, password=published_password(manifest(fmt)[name]))
    assert document.text.strip()


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
    if not rows:
        pytest.skip("no expected texts in the corpus")
    for name, precision, recall, f1 in rows:
        print(f"{name[-55:]:55s} P {precision:.2f} R {recall:.2f} F1 {f1:.2f}")
    mean_f1 = sum(row[3] for row in rows) / len(rows)
    print(f"mean F1 over {len(rows)} files: {mean_f1:.3f}")
    assert mean_f1 >= 0.8
    assert all(precision >= 0.75 for _, precision, _, _ in rows), rows
