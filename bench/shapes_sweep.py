"""The document's own sentences as a summary, for every file of the corpus in every shape: what
the preview and the fallback (engine/preview.py, no model) show of PDFs, Word and PowerPoint
files, transcripts and web pages, beside the news sets bench/quality.py scores.

    .venv/bin/python bench/shapes_sweep.py [--pages 102] [--show 3]

Every file of ../shared/corpus/{pdf,docx,pptx,transcripts} and the first --pages web pages of
extraction/pages, read as POST /summarize reads an upload (extract.dispatch, the parse child),
then previewed at each type x length x format (24 shapes). Counted per summary: empty (nothing
shown), guard.violations (the shape rules; must be 0 but for empty), and per item: page
furniture (furniture.reason; a headline may be a phrase), a heading or table-of-contents line,
and items under four words. Files the service refuses (encrypted, no text) are skipped and
counted. About 4 minutes on 2 cores. `--show N` prints N examples of each finding.
"""

import argparse
import collections
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from summarizer import shapes  # noqa: E402
from summarizer.config import Settings  # noqa: E402
from summarizer.engine import candidates, furniture, guard, lexicon, preview  # noqa: E402
from summarizer.errors import SummarizerError  # noqa: E402
from summarizer.extract.dispatch import from_bytes  # noqa: E402
from summarizer.options import SummaryOptions  # noqa: E402

CORPUS = REPO.parent / "shared" / "corpus"
FOLDERS = ("pdf", "docx", "pptx", "transcripts")
SHORT_ITEM_WORDS = 4
"""An item of fewer words is a label, not a point (a headline is exempt); Chinese and Japanese
counted by characters, as a summary counts them (candidates.word_count)."""

CONTENTS_LINE = re.compile(r"(?:\.[ \t]){4,}\.|\.{5,}[ \t]*\w{1,6}[ \t]*$")
"""A table of contents' line, counted here by its own pattern so that code from before
furniture.py knew it is measured alike."""


def files(pages):
    found = [p for folder in FOLDERS for p in sorted((CORPUS / folder).iterdir())
             if p.suffix in (".pdf", ".docx", ".pptx", ".vtt", ".srt")]
    return found + sorted((CORPUS / "extraction" / "pages").iterdir())[:pages]


def findings(summary, citations, options):
    """What is wrong with one preview: a list of (kind, text)."""
    found = [(kind, summary) for kind in guard.violations(summary, options)]
    for citation in citations:
        item = citation["text"]
        why = furniture.reason(item)
        if why and why != "contents_line" and not (options.type == "headline" and why == "no_clause"):
            found.append((f"furniture: {why}", item))
        if CONTENTS_LINE.search(item):
            found.append(("contents line", item))
        if item.lstrip().startswith("#"):
            found.append(("heading", item))
        if options.type != "headline" and candidates.word_count(lexicon.words(item)) < SHORT_ITEM_WORDS:
            found.append(("short item", item))
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=102, help="web pages of extraction/pages")
    parser.add_argument("--show", type=int, default=0, help="examples to print per finding")
    args = parser.parse_args()
    settings = Settings.from_env()
    every = [SummaryOptions(type=t, length=n, format=f)
             for t in shapes.TYPES for n in shapes.LENGTHS for f in shapes.FORMATS]
    counts, examples, refused, read, summaries = collections.Counter(), collections.defaultdict(list), 0, 0, 0
    documents_with = collections.defaultdict(set)
    for path in files(args.pages):
        try:
            document = from_bytes(path.read_bytes(), settings)
        except SummarizerError:
            refused += 1
            continue
        read += 1
        for options in every:
            shown = preview.preview(document, options)
            summaries += 1
            for kind, text in findings(shown["summary"], shown["citations"], options):
                counts[kind] += 1
                documents_with[kind].add(path.name)
                examples[kind].append(f"{path.parent.name}/{path.name[:40]} {options.type}: {text[:120]!r}")
    print(f"{read} files read ({refused} refused), {summaries} summaries\n")
    print("| finding | summaries or items | files |")
    print("|---|---|---|")
    for kind, count in counts.most_common():
        print(f"| {kind} | {count} | {len(documents_with[kind])} |")
    for kind in counts:
        for line in examples[kind][:args.show]:
            print(f"{kind}: {line}")


if __name__ == "__main__":
    main()
