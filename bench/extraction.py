"""Extraction benchmark: HTML main-text quality against human gold, and file throughput (PDF, Word,
PowerPoint, meeting transcripts).

    .venv/bin/python bench/extraction.py [--corpus ../shared/corpus] [--no-write]

HTML: over `extraction/pages/*.html` + `gold.jsonl` (scrapinghub's article-extraction-benchmark),
token-level precision/recall/F1 on bags of whitespace tokens (the benchmark's own method), of our
HTML reader beside trafilatura's plain `extract()` with its defaults, in the same run; P, R and F1
are means over pages. Files: every corpus file of `pdf/`, `docx/`, `pptx/` and `transcripts/`
(.vtt, .srt and the subtitle test suite's .sbv) through the full `extract()` path (content sniffing,
zip checks, the sandboxed child), files/s, the units read (PDF pages, slides, subtitle cues) and
outcome counts. The table is printed and written under
"## Extraction" in bench/README.md.
"""

import argparse
import collections
import json
import logging
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import trafilatura  # noqa: E402

from bench import readme  # noqa: E402
from summarizer.config import Settings  # noqa: E402
from summarizer.document import Source  # noqa: E402
from summarizer.errors import SummarizerError  # noqa: E402
from summarizer.extract import extract  # noqa: E402
from summarizer.extract import html as html_format  # noqa: E402

log = logging.getLogger("bench.extraction")
SECTION = "## Extraction"

FORMATS = ("pdf", "docx")
"""Corpus folders read as uploads, in the "## Extraction" section."""

NEW_FORMATS = ("pptx", "transcripts")
"""Corpus folders of issue 16's formats, in their own section (NEW_SECTION)."""

NEW_SECTION = "## Extraction: slides and transcripts"

UNITS = ("pages", "slides", "cues")
"""What a format's metadata counts: PDF pages, slides of a deck, cues of a subtitle file."""


def token_prf(predicted, gold):
    """Precision, recall, F1 of bags of whitespace tokens."""
    ours, ref = collections.Counter(predicted.split()), collections.Counter(gold.split())
    hits = sum((ours & ref).values())
    precision, recall = hits / max(sum(ours.values()), 1), hits / max(sum(ref.values()), 1)
    return precision, recall, (2 * precision * recall / (precision + recall)) if hits else 0.0


def bench_html(corpus):
    """Mean P/R/F1 and pages/s for our reader and for trafilatura.extract()."""
    gold = [json.loads(line) for line in (corpus / "gold.jsonl").read_text().splitlines() if line]
    scores = {"ours": [], "trafilatura": []}
    seconds = {"ours": 0.0, "trafilatura": 0.0}
    readers = {
        "ours": lambda page, url: html_format.extract(page, url=url).text,
        "trafilatura": lambda page, url: trafilatura.extract(page, url=url) or "",
    }
    for item in gold:
        page = (corpus / "pages" / f"{item['id']}.html").read_bytes()
        for name, reader in readers.items():
            started = time.perf_counter()
            text = reader(page, item.get("url"))
            seconds[name] += time.perf_counter() - started
            scores[name].append(token_prf(text, item["gold_text"]))
    return {
        name: {
            "precision": _mean(s[0] for s in rows),
            "recall": _mean(s[1] for s in rows),
            "f1": _mean(s[2] for s in rows),
            "pages_per_s": len(rows) / seconds[name],
            "pages": len(rows),
        }
        for name, rows in scores.items()
    }


def bench_files(corpus, fmt, settings):
    """Files/s, MB/s and outcome counts of extract() over one format's corpus."""
    files = [p for p in sorted((corpus / fmt).iterdir()) if p.is_file() and p.suffix != ".jsonl"]
    outcomes, total_bytes, pages = collections.Counter(), 0, 0
    chars = 0
    started = time.perf_counter()
    for path in files:
        data = path.read_bytes()
        total_bytes += len(data)
        try:
            document = extract(Source(kind="file", data=data, filename=path.name), settings)
        except SummarizerError as error:
            outcomes[f"{error.status} {error.code}"] += 1
        else:
            # Transcripts: which reader took each (a broken .srt or an .sbv is read as plain text).
            read_as = document.metadata.get("format") or "plain text"
            outcomes["text" if fmt != "transcripts" else f"text ({read_as})"] += 1
            chars += len(document.text)
            pages += sum(document.metadata.get(unit, 0) for unit in UNITS)
    elapsed = time.perf_counter() - started
    return {"files": len(files), "files_per_s": len(files) / elapsed, "mb_per_s": total_bytes / 1e6 / elapsed,
            "pages": pages, "seconds": elapsed, "outcomes": dict(outcomes), "chars": chars}


def _mean(values):
    values = list(values)
    return sum(values) / len(values) if values else 0.0


def render(html, files):
    """The Markdown section: HTML quality table, then per-format throughput and outcomes."""
    lines = [
        SECTION, "",
        f"`.venv/bin/python bench/extraction.py` over `../shared/corpus` ({time.strftime('%Y-%m-%d')}; "
        "a shared 2-core machine, so rates are indicative). Our HTML reader also extracts metadata "
        "(title, author, date), which trafilatura's plain `extract()` skips: that is its lower "
        "pages/s. File times include starting the sandboxed parse child for every file.", "",
        f"HTML main text vs human gold ({html['ours']['pages']} pages; bag-of-whitespace-tokens, "
        "means over pages):", "",
        "| extractor | precision | recall | F1 | pages/s |", "|---|---|---|---|---|",
    ]
    labels = {"ours": "summarizer (trafilatura, no comments, fallback)",
              "trafilatura": "trafilatura `extract()` defaults"}
    for name, row in html.items():
        lines.append(f"| {labels[name]} | {row['precision']:.3f} | {row['recall']:.3f} | "
                     f"{row['f1']:.3f} | {row['pages_per_s']:.1f} |")
    lines += ["", "PDF and Word through `extract()`:", "",
              "| format | files | files/s | MB/s | PDF pages read | outcomes |", "|---|---|---|---|---|---|"]
    for fmt, row in files.items():
        outcomes = ", ".join(f"{code}: {n}" for code, n in sorted(row["outcomes"].items()))
        lines.append(f"| {fmt} | {row['files']} | {row['files_per_s']:.2f} | {row['mb_per_s']:.2f} | "
                     f"{row['pages'] or '-'} | {outcomes} |")
    return "\n".join(lines) + "\n"


def render_new(files):
    """The Markdown section of the slides and transcripts (issue 16): throughput and outcomes."""
    lines = [
        NEW_SECTION, "",
        f"`.venv/bin/python bench/extraction.py --only-new` over `../shared/corpus/pptx` (python-pptx's "
        "and Apache POI's test files, some malformed) and `../shared/corpus/transcripts` (webvtt-py's "
        "test subtitles, malformed ones among them, and the QMSum meetings as .vtt/.srt), "
        f"{time.strftime('%Y-%m-%d')}, a shared 2-core machine (rates are indicative). Every file "
        "goes through the full `extract()` path: sniffing, zip checks, the sandboxed parse child. "
        "Units: slides of the decks read, cues of the subtitle files read.", "",
        "| format | files | files/s | MB/s | units read | text chars | outcomes |",
        "|---|---|---|---|---|---|---|",
    ]
    for fmt, row in files.items():
        outcomes = ", ".join(f"{code}: {n}" for code, n in sorted(row["outcomes"].items()))
        lines.append(f"| {fmt} | {row['files']} | {row['files_per_s']:.2f} | {row['mb_per_s']:.2f} | "
                     f"{row['pages'] or '-'} | {row['chars']} | {outcomes} |")
    return "\n".join(lines) + "\n"



def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus")
    parser.add_argument("--no-write", action="store_true", help="print only; leave bench/README.md")
    parser.add_argument("--only-new", action="store_true", help="only the slides and transcripts")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    settings = Settings.from_env()
    sections = []
    if not args.only_new:
        html = bench_html(args.corpus / "extraction")
        files = {fmt: bench_files(args.corpus, fmt, settings) for fmt in FORMATS}
        sections.append((SECTION, render(html, files)))
    new = {fmt: bench_files(args.corpus, fmt, settings)
           for fmt in NEW_FORMATS if (args.corpus / fmt).is_dir()}
    sections.append((NEW_SECTION, render_new(new)))
    for heading, section in sections:
        print(section)
        if not args.no_write:
            readme.write_section(heading, section)


if __name__ == "__main__":
    main()
