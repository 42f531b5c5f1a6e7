"""Page furniture and fragments (summarizer/engine/furniture.py) on the development corpus: how
many sentences a summary may use it turns away, and which, against human-written summaries.

    python bench/furniture.py [--show N] [--time] [--notices]

Sentences: lexicon.sentences of the news (CNN/DM), XSum, SciTLDR texts and the web-gold article
texts of ../shared/corpus that candidates.readable accepted before the rule (6-60 words), and the
sentences of their reference summaries (CNN/DM highlights, SciTLDR TL;DRs), which people wrote as
statements: every one of those the rule turns away is a false positive. `--show` prints N of the
article sentences turned away per reason, to read. `--time` prints what the rule costs the preview:
CPU seconds of preview.preview (key points) over the CNN/DM texts as one document, median and
range of 5 runs (run it at another commit for the before).
"""

import argparse
import ast
import json
import random
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from summarizer.engine import candidates, furniture, lexicon, preview  # noqa: E402
from summarizer.extract.text import extract as text_document  # noqa: E402
from summarizer.options import SummaryOptions  # noqa: E402

CORPUS = REPO.parent / "shared" / "corpus"
SETS = {"cnndm": "summarization/frank_cnndm_test.jsonl", "xsum": "summarization/frank_xsum_test.jsonl",
        "scitldr": "summarization/scitldr_a_test.jsonl", "web gold": "extraction/gold.jsonl"}


def usable(text):
    """Sentences of `text` a summary could use before the rule (length and glued words)."""
    return [s for s in lexicon.sentences(text) if _readable_before(s)]


def _readable_before(sentence):
    found = lexicon.words(sentence)
    return candidates.MIN_WORDS <= len(found) <= candidates.MAX_WORDS and \
        max(map(len, found)) <= candidates.LONGEST_WORD


def references(row):
    """The reference summaries of a corpus row, as a list of strings."""
    found = row.get("references") or []
    if isinstance(found, str):
        found = ast.literal_eval(found) if found.startswith("[") else [found]
    return found


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--show", type=int, default=0)
    parser.add_argument("--time", action="store_true")
    parser.add_argument("--notices", action="store_true", help="notices about the reader's device")
    args = parser.parse_args()
    if args.time:
        return preview_time()
    if args.notices:
        return notices()
    turned = {}
    print("| sentences | n | turned away | reader prompt | capitals | lead-in | no clause |")
    print("|---|---|---|---|---|---|---|")
    for name, path in SETS.items():
        rows = [json.loads(line) for line in (CORPUS / path).open(encoding="utf-8")]
        groups = {"article": [s for r in rows for s in usable(r.get("text") or r.get("gold_text") or "")]}
        if name in ("cnndm", "scitldr"):
            groups["reference"] = [s for r in rows for ref in references(r) for s in lexicon.sentences(ref)]
        for group, sentences in groups.items():
            reasons = Counter(furniture.reason(s) for s in sentences)
            away = len(sentences) - reasons[None]
            for sentence in sentences:
                turned.setdefault((group, furniture.reason(sentence)), []).append(sentence)
            print(f"| {name} {group} | {len(sentences)} | {away} ({100 * away / len(sentences):.1f}%) | "
                  f"{reasons['reader_prompt']} | {reasons['capitals']} | {reasons['lead_in']} | {reasons['no_clause']} |")
    rng = random.Random(5)
    for (group, why), sentences in sorted(turned.items(), key=str):
        if why is None or not args.show:
            continue
        print(f"\n{group}, {why}: {len(sentences)}")
        for sentence in rng.sample(sentences, min(args.show, len(sentences))):
            print("   ", sentence[:160])


def notices():
    """Page notices about the reader's device (furniture._MEDIUM_NOTICE) in every text of the
    corpus: glued before a sentence (cut off it) or alone (turned away); then, per summary set,
    the previews `bench/quality.py` would show that carry one, and their ROUGE-1 over every
    document (run it at another commit for the before)."""
    from rouge_score import rouge_scorer

    from bench import quality

    for path in sorted(CORPUS.rglob("*.jsonl")):
        if path.parent.name == "injection" or not hasattr(furniture, "_LEADING_NOTICE"):
            continue
        texts = []
        for line in path.open(encoding="utf-8"):
            row = json.loads(line)
            texts += [row[k] for k in ("text", "gold_text") if isinstance(row.get(k), str)] + references(row)
            texts += [" ".join(row[k]) for k in ("article", "summary") if isinstance(row.get(k), list)]
        sentences = [s for t in dict.fromkeys(texts) for s in lexicon.sentences(t)]
        glued = sum(furniture.strip_prompt(s) != s and bool(furniture._LEADING_NOTICE.match(s)) for s in sentences)
        alone = sum(bool(furniture._MEDIUM_NOTICE.search(furniture.strip_prompt(s))) for s in sentences)
        print(f"{path.relative_to(CORPUS)}: {len(sentences)} sentences, {glued} with a notice cut off, "
              f"{alone} notices turned away")
    # At a commit without the rule only the ROUGE-1 of the previews is measured.
    notice = getattr(furniture, "_MEDIUM_NOTICE", None) or re.compile(r"(?!)")
    scorer = rouge_scorer.RougeScorer(["rouge1"], use_stemmer=True)
    for name in ("frank_cnndm_test", "frank_xsum_test", "scitldr_a_test"):
        spec, shown, scores = quality.SETS[name], 0, []
        for row in quality.load_set(CORPUS / "summarization", name, 0):
            text = preview.preview(text_document(row["text"], title=row.get("title", "")),
                                   SummaryOptions(type=spec.type, length=spec.length))["summary"]
            shown += any(notice.search(s) for s in lexicon.sentences(text))
            scores.append(max(scorer.score(ref, text)["rouge1"].fmeasure for ref in references(row)))
        print(f"{spec.label} previews: {len(scores)}, {shown} show a notice, ROUGE-1 "
              f"{100 * statistics.mean(scores):.2f}")


def preview_time():
    rows = [json.loads(line) for line in (CORPUS / SETS["cnndm"]).open(encoding="utf-8")]
    document = text_document("\n\n".join(row["text"] for row in rows))
    runs = []
    for _ in range(5):
        began = time.process_time()
        preview.preview(document, SummaryOptions())
        runs.append(time.process_time() - began)
    words = sum(len(block.text.split()) for block in document.blocks)
    print(f"preview of {words} words: {statistics.median(runs):.3f} CPU s ({min(runs):.3f}-{max(runs):.3f})")


if __name__ == "__main__":
    main()
