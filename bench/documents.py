"""Benchmark documents from ../shared/corpus/summarization, chosen by their length in model tokens.

About 1k tokens: CNN/DailyMail articles (one model call). About 10k: QMSum meeting transcripts that
are that long by themselves (map-reduce over three chunks), so both keep their human references for
ROUGE. Longer ones (50k, 100k) are QMSum transcripts joined end to end: realistic text for timing
and memory, with no reference summary.
"""

import dataclasses
import json
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "summarization"
"""Where the shared corpus lives next to the checkout (../shared/corpus/summarization)."""

TOLERANCE = 0.15
"""A natural document is "about N tokens" within this share of N."""


@dataclasses.dataclass
class BenchDocument:
    """One document: its bytes as uploaded, its token count, the options that fit its references."""

    name: str
    data: bytes
    tokens: int
    options: dict
    references: list = dataclasses.field(default_factory=list)
    set: str = ""

    @property
    def text(self):
        return self.data.decode("utf-8")


SETS = {
    # As bench/quality.py: highlights are 3-4 short sentences; a meeting summary is a paragraph.
    "cnndm": ("frank_cnndm_test", {"type": "key-points", "length": "short"}),
    "qmsum": ("qmsum_val", {"type": "tldr", "length": "long"}),
}


def available(corpus=CORPUS):
    """Why the corpus cannot be used, or None when it can."""
    missing = [name for name, _ in SETS.values() if not (corpus / f"{name}.jsonl").is_file()]
    return f"{corpus} lacks {', '.join(missing)}.jsonl" if missing else None


def _rows(corpus, set_name):
    path = corpus / f"{SETS[set_name][0]}.jsonl"
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def natural(count_tokens, set_name, target, n, corpus=CORPUS):
    """The `n` documents of a set closest to `target` tokens (within TOLERANCE), closest first."""
    candidates = []
    for row in _rows(corpus, set_name) if n > 0 else []:
        tokens = count_tokens(row["text"])
        if abs(tokens - target) <= TOLERANCE * target:
            candidates.append((abs(tokens - target), tokens, row))
    candidates.sort(key=lambda c: c[0])  # stable: corpus order among equals
    return [BenchDocument(f"{set_name}-{row['id']}", row["text"].encode("utf-8"), tokens,
                          dict(SETS[set_name][1]), row["references"], set_name)
            for _, tokens, row in candidates[:n]]


def joined(count_tokens, target, corpus=CORPUS):
    """QMSum transcripts joined end to end and cut at a line to about `target` tokens."""
    parts, total = [], 0
    for row in _rows(corpus, "qmsum"):
        if total >= target:
            break
        for line in row["text"].splitlines():
            if total >= target:
                break
            parts.append(line)
            total += count_tokens(line) + 1
        parts.append("")  # a blank line between meetings: a paragraph break for the chunker
    text = "\n".join(parts).strip()
    return BenchDocument(f"qmsum-joined-{target // 1000}k", text.encode("utf-8"), count_tokens(text),
                         dict(SETS["qmsum"][1]), [], "qmsum-joined")
