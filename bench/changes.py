"""Summaries of changes (issue 26), measured in-process with the worker's own engine and model.

Two sets:
- Word files under review: the real ones with revision marks and comments (tests/data/review,
  copied from ../shared/corpus/docx) and ones made the way Word writes them (tests/review_files.py:
  a contract under review, 2,000 tiny revisions, an insertion inside a deletion, a comment with no
  anchor).
- Page versions: CNN/DM articles of ../shared/corpus/summarization (frank_cnndm_test.jsonl), two
  sentences a paragraph, each paired with an edited copy: a paragraph added, one removed, a number
  changed, two paragraphs swapped.

Per document: the share of change blocks cited by an item (of all, and of as many as the summary
has places for), the share of items citing a real change (must be 100%), the share of items the
support check backs, the time of the summary of changes against a plain summary of the same
document, and for pages what keeping one version costs in Redis (its stored, compressed bytes).

    .venv/bin/python -m bench.changes [--articles 8]
"""

import argparse
import json
import os
import re
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.direct import DirectContext  # noqa: E402
from summarizer import shapes  # noqa: E402
from summarizer.changes import blocks, summary, versions  # noqa: E402
from summarizer.config import Settings  # noqa: E402
from summarizer.document import Block, Document  # noqa: E402
from summarizer.engine import pipeline  # noqa: E402
from summarizer.engine.lexicon import sentences  # noqa: E402
from summarizer.extract import word  # noqa: E402
from summarizer.options import SummaryOptions  # noqa: E402
from summarizer.queue import documents  # noqa: E402
from tests import review_files  # noqa: E402

ARTICLES = REPO.parent / "shared" / "corpus" / "summarization" / "frank_cnndm_test.jsonl"
OPTIONS = SummaryOptions(type="key-points", length="long")
CHANGES = SummaryOptions(type="key-points", length="long", focus="changes")
ADDED = "The council said on Tuesday that a full report on the matter will be published next month."


def word_set():
    """(name, Document) of each Word file under review."""
    made = {"made: contract": review_files.contract(), "made: 2,000 tiny revisions":
            review_files.tiny_revisions(2000), "made: insert in delete":
            review_files.nested_insert_in_delete(), "made: unanchored comment":
            review_files.unanchored_comment()}
    real = {f"real: {p.name}": p.read_bytes() for p in sorted((REPO / "tests/data/review").glob("*.docx"))}
    return [(name, word.parse(data, max_chars=1_000_000)) for name, data in {**real, **made}.items()]


def paragraphs(text, title):
    """An article as a Document of two-sentence paragraphs."""
    said = sentences(text)
    return Document(title, [Block(" ".join(said[i:i + 2]), {"paragraph": i // 2})
                            for i in range(0, len(said), 2)])


def edited(document):
    """A copy with a paragraph added, one removed, a number changed and two swapped."""
    texts = [b.text for b in document.blocks]
    numbered = next((i for i, t in enumerate(texts) if re.search(r"\b\d+\b", t)), None)
    if numbered is not None:
        texts[numbered] = re.sub(r"\b(\d+)\b", lambda m: str(int(m.group(1)) + 7), texts[numbered], count=1)
    texts.insert(2, ADDED)
    del texts[len(texts) // 2]
    texts[-3], texts[-2] = texts[-2], texts[-3]
    return Document(document.title, [Block(t, {"paragraph": i}) for i, t in enumerate(texts)])


def page_set(count):
    rows = [json.loads(line) for line in ARTICLES.read_text("utf-8").splitlines() if line]
    chosen = [r for r in rows if len(sentences(r["text"])) >= 14][:count]
    return [(f"page: {r['id'][-8:]}", paragraphs(r["text"], r.get("title", ""))) for r in chosen]


def measure(model, settings, document, review):
    """One document's figures: the summary of changes and a plain summary, timed."""
    usage = {"prompt_tokens": 0, "completion_tokens": 0}
    began = time.perf_counter()
    fields = summary.summarize(DirectContext(model, settings), review, CHANGES, usage, title=document.title)
    changes_s = time.perf_counter() - began
    began = time.perf_counter()
    pipeline.summarize(DirectContext(model, settings), document, OPTIONS, dict(usage))
    plain_s = time.perf_counter() - began
    changed = blocks.document(review).blocks
    citations = fields["citations"]
    cited = {_block(c, changed) for c in citations} - {None}
    real = len(changed)
    return {"changes": real, "items": len(citations), "method": fields["method"],
            "covered": len(cited) / real if real else 1.0,
            "covered_of_places": len(cited) / min(real, shapes.of(CHANGES).items) if real else 1.0,
            "real": sum(_block(c, changed) is not None for c in citations) / len(citations)
            if citations else 1.0,
            "backed": sum(c["supported"] for c in citations) / len(citations) if citations else 1.0,
            "changes_s": changes_s, "plain_s": plain_s, "summary": fields["summary"]}


def _block(citation, changed):
    """The number of the change block a citation's first source is (same locator, the quote in
    its text), or None: a citation that names no real change."""
    source = citation["sources"][0] if citation["sources"] else None
    for number, block in enumerate(changed):
        if source and block.locator == source["locator"] and source["quote"] in block.text:
            return number
    return None


def table(rows):
    lines = ["| document | changes | items | covered (all) | covered (places) | cite a real change "
             "| backed | changes s | plain s |", "|---|---|---|---|---|---|---|---|---|"]
    for name, r in rows:
        lines.append(f"| {name} | {r['changes']} | {r['items']} | {r['covered']:.0%} | "
                     f"{r['covered_of_places']:.0%} | {r['real']:.0%} | {r['backed']:.0%} | "
                     f"{r['changes_s']:.1f} | {r['plain_s']:.1f} |")
    items = sum(r["items"] for _, r in rows)
    real = sum(r["real"] * r["items"] for _, r in rows)
    backed = sum(r["backed"] * r["items"] for _, r in rows)
    lines.append(f"| **all** | {sum(r['changes'] for _, r in rows)} | {items} | "
                 f"{sum(r['covered'] for _, r in rows) / len(rows):.0%} | "
                 f"{sum(r['covered_of_places'] for _, r in rows) / len(rows):.0%} | "
                 f"{real / items:.0%} | {backed / items:.1%} | "
                 f"{sum(r['changes_s'] for _, r in rows):.1f} | {sum(r['plain_s'] for _, r in rows):.1f} |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=8)
    parser.add_argument("--out", type=Path, default=None, help="also write the rows as JSON here")
    args = parser.parse_args(argv)
    from summarizer.engine.llm import load_model

    settings = Settings.from_mapping({"n_ctx": 4096, "seed": 1234})
    model = load_model(settings.model)
    rows, kept = [], []
    for name, document in word_set():
        rows.append((name, measure(model, settings, document, document.metadata.get("review"))))
    for name, document in page_set(args.articles):
        later = edited(document)
        rows.append((name, measure(model, settings, later, versions.compare(document, later))))
        kept.append((len(document.text.encode()), len(documents._packed(document, "bench")[1])))
    print(f"load: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f} "
          f"(1/5/15 min), {os.cpu_count()} CPUs, model {model.name}")
    print(table(rows))
    text, stored = sum(k[0] for k in kept), sum(k[1] for k in kept)
    print(f"kept version: {stored / len(kept) / 1024:.1f} KiB stored for {text / len(kept) / 1024:.1f} "
          f"KiB of text on average ({len(kept)} articles)")
    if args.out:
        args.out.write_text(json.dumps([{"name": n, **r} for n, r in rows], indent=1))


if __name__ == "__main__":
    main()
