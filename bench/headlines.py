"""Headlines cut from a sentence: how many end where a phrase does, and how many stop in the
middle of one ("... claimed the number of people", "... in the Dubai Open").

    .venv/bin/python bench/headlines.py [--lengths short,medium]

The preview's headline (engine/preview.py, no model) of every text of the CNN/DM, XSum and SciTLDR
development sets and of the web pages' gold text in ../shared/corpus (495 texts), at each length.
Counted per headline: *whole*, the source sentence itself (less its parentheses and closing
period); *unfinished*, a cut whose next word in the source is neither punctuation nor a word that
opens a phrase (PHRASE_STARTS); *supported*, the support check backs it (the preview
shows only such a cut where it has one); and the mean length in words. About a minute on 2 cores.
"""

import argparse
import json
import re
import statistics
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from summarizer.engine import preview  # noqa: E402
from summarizer.extract.text import extract as text_document  # noqa: E402
from summarizer.options import SummaryOptions  # noqa: E402

CORPUS = REPO.parent / "shared" / "corpus"
PHRASE_STARTS = frozenset("""
in on at from with for by after before during since until over under into about against between
through without within across among amid near which who whom whose where when while because
although though as if than but""".split())
"""Words that open a phrase or a clause, the measure's own (preview.PHRASE_OPENERS' words of
2026-12-04), so that code from before and after that rule is measured alike."""
SETS = ("summarization/frank_cnndm_test.jsonl", "summarization/frank_xsum_test.jsonl",
        "summarization/scitldr_a_test.jsonl", "extraction/gold.jsonl")


def texts():
    for name in SETS:
        for line in (CORPUS / name).open(encoding="utf-8"):
            row = json.loads(line)
            text = row.get("text") or row.get("gold_text") or ""
            if text.strip():
                yield text


def plain(sentence):
    """`sentence` as a headline would give it whole: without parentheses or its closing period."""
    return re.sub(r"\s*\([^()]*\)", "", sentence).strip().rstrip(".").strip()


def unfinished(headline, source):
    """Whether `headline`, cut from `source`, stops where the source goes on inside a phrase."""
    source = plain(source)
    if headline.rstrip(".") == source:
        return False
    tail = " ".join(headline.split()[-2:])
    at = source.find(tail)
    following = source[at + len(tail):].lstrip() if at >= 0 else ""
    return bool(following) and following[0] not in ",;:.-–—" and \
        following.split()[0].lower().strip(",") not in PHRASE_STARTS


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lengths", default="short,medium")
    args = parser.parse_args()
    if not CORPUS.is_dir():
        sys.exit(f"the corpus is absent ({CORPUS})")
    documents = [text_document(text) for text in texts()]
    print("| length | headlines | whole sentence | unfinished | supported | words (mean) |")
    print("|---|---|---|---|---|---|")
    for length in args.lengths.split(","):
        counts, words = {"whole": 0, "unfinished": 0, "supported": 0}, []
        for document in documents:
            shown = preview.preview(document, SummaryOptions(type="headline", length=length))
            citation = shown["citations"][0] if shown["citations"] else {"supported": False, "sources": []}
            source = citation["sources"][0]["quote"] if citation["sources"] else ""
            headline = shown["summary"]
            words.append(len(headline.split()))
            counts["supported"] += bool(citation["supported"])
            counts["whole"] += headline.rstrip(".") == plain(source)
            counts["unfinished"] += bool(headline) and unfinished(headline, source)
        print(f"| {length} | {len(documents)} | {counts['whole']} | {counts['unfinished']} | "
              f"{counts['supported']} | {statistics.mean(words):.2f} |")


if __name__ == "__main__":
    main()
