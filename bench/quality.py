"""Summary quality benchmark: ROUGE of the service's summaries beside lead-k, TextRank and its own
instant preview.

    .venv/bin/python bench/quality.py [--n 20] [--qmsum-n 10] [--full] [--sets cnndm,xsum] [--no-write]

Over ../shared/corpus/summarization: each document goes through the worker's own path in-process
(engine.pipeline.summarize with the run of bench/direct.py: the salient-sentence selection, the
prompt, grammar and LoopDetector, the guard and its recovery policy, and revise.py's source check
that replaces unsupported items), and through the preview the API sends first (engine.preview);
lead-k and TextRank run on the same documents in the same run. Scores: ROUGE-1/2/L F1 x100
(rouge-score, Porter stemming, best over the references), means over documents. Also: the share of
items supported (the service's own check), the share backed by an independent lexical check (below),
the share replaced by source sentences, how often the first attempt was degenerate and the
extractive fallback fired, rule breaks (guard.violations; must be 0), and seconds per document.

Independent check ("backed"): an item is backed when at least 60% of its Porter-stemmed words
(rouge-score's tokenizer, not the service's) occur in one source sentence or two adjacent ones, and
every number it states occurs in the document. It shares no code with engine/grounding.py.

Writes bench/results/quality.json (per document), bench/quality.png and the "## Summary quality"
section of bench/README.md.
"""

import argparse
import dataclasses
import json
import logging
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from rouge_score import rouge_scorer  # noqa: E402

from rouge_score import tokenize as rouge_tokenize  # noqa: E402
from nltk.stem import porter  # noqa: E402

from bench import baselines, readme  # noqa: E402
from bench.direct import DirectContext  # noqa: E402
from summarizer.config import Settings  # noqa: E402
from summarizer.engine import grounding, guard, lexicon, pipeline, preview, salience  # noqa: E402
from summarizer.engine.llm import load_model  # noqa: E402
from summarizer.extract.text import extract as text_document  # noqa: E402
from summarizer.options import SummaryOptions  # noqa: E402

log = logging.getLogger("bench.quality")
SECTION = "## Summary quality"
ROUTINE_SECTION = "## Summary quality, routine subset"
"""Where a run smaller than the default (`make bench`'s quick subset) writes, so it never replaces
the table of the default or full sets."""

DEFAULT_N = 20
"""Documents per set in a default run (QMSum: --qmsum-n)."""
METRICS = ("rouge1", "rouge2", "rougeL")
SYSTEMS = ("model", "written", "hindsight", "strict", "preview", "lead", "textrank")
"""model: what the service shows (closer_summary's choice); written: the model's summary it chose
from; hindsight: per document the better of written and preview by ROUGE-1, the most any choice
between the two could reach."""

BACKED_SHARE = 0.6
"""Independent check: share of an item's stemmed words that one or two adjacent source sentences
must hold for the item to count as backed."""


@dataclasses.dataclass(frozen=True)
class Spec:
    """One corpus set: its name, the summary type/length that matches its references, k of lead-k."""

    label: str
    type: str
    length: str
    k: int


SETS = {
    # Highlights are 3-4 short sentences: three key points, lead-3.
    "frank_cnndm_test": Spec("CNN/DailyMail", "key-points", "short", 3),
    # One-sentence references: a one-sentence tldr, lead-1.
    "frank_xsum_test": Spec("XSum", "tldr", "short", 1),
    "scitldr_a_test": Spec("SciTLDR", "tldr", "short", 1),
    # A general summary paragraph of a meeting: a long tldr (4-6 sentences), lead-5.
    "qmsum_val": Spec("QMSum", "tldr", "long", 5),
}


def load_set(corpus, name, n, offset=0):
    """`n` documents of a set from its `offset`-th (all from there with n=0)."""
    rows = [json.loads(line) for line in (corpus / f"{name}.jsonl").read_text("utf-8").splitlines() if line]
    return rows[offset:offset + n] if n else rows[offset:]


class RecordingContext(DirectContext):
    """The benchmark's run: also keeps the raw text of every attempt the model made."""

    def __init__(self, model, settings):
        super().__init__(model, settings)
        self.raws = [""]

    def emit(self, event, data):
        super().emit(event, data)
        if event == "token":
            self.raws[-1] += data["text"]
        elif event == "status" and data.get("status") == "retrying":
            self.raws.append("")


def summarize(model, settings, row, options):
    """The worker's summary of one corpus row, as pipeline.summarize makes it, and the model's
    summary it chose from: (result fields, model's fields, raw attempts, seconds, usage)."""
    document = text_document(row["text"], title=row.get("title", ""))
    run = RecordingContext(model, settings)
    usage = {"prompt_tokens": 0, "completion_tokens": 0}
    started = time.perf_counter()
    index = grounding.SourceIndex(document.blocks, document.title)
    ranked = salience.rank(index, options)
    written = pipeline.written_summary(run, document, options, usage, index, ranked)
    fields = pipeline.closer_summary(written, document, options, index, ranked)
    return fields, written, run.raws, time.perf_counter() - started, usage


def score(scorer, prediction, references):
    """ROUGE F1 x100 per metric, best over the references."""
    best = scorer.score_multi(references, prediction)
    return {m: 100 * best[m].fmeasure for m in METRICS}


class IndependentCheck:
    """The "backed" share: rouge-score's own tokenizer and Porter stemmer, no service code."""

    def __init__(self):
        self.stemmer = porter.PorterStemmer()

    def tokens(self, text):
        return [self.stemmer.stem(t) for t in rouge_tokenize.tokenize(text, None) if len(t) > 2 or t.isdigit()]

    def backed(self, item, document_sentences, document_text):
        words = set(self.tokens(item))
        if not words:
            return True
        numbers = {t for t in rouge_tokenize.tokenize(item, None) if t.isdigit()}
        if not numbers <= set(rouge_tokenize.tokenize(document_text, None)):
            return False
        units = [set(self.tokens(s)) for s in document_sentences]
        pairs = units + [a | b for a, b in zip(units, units[1:])]
        return max((len(words & unit) / len(words) for unit in pairs), default=0) >= BACKED_SHARE


def bench_set(model, settings, scorer, rows, spec, checker):
    """Per-document records for one set: the service, its strict mode, its preview, lead-k, TextRank."""
    options = SummaryOptions(type=spec.type, length=spec.length)
    records = []
    for number, row in enumerate(rows):
        fields, written, raws, seconds, usage = summarize(model, settings, row, options)
        document = text_document(row["text"], title=row.get("title", ""))
        began = time.perf_counter()
        early = preview.preview(document, options)["summary"]
        preview_ms = (time.perf_counter() - began) * 1000
        citations = fields["citations"]
        # Strict mode: the model's supported items only; nothing left means the extractive summary.
        kept = [c["text"] for c in citations if c["status"] in ("supported", "extracted")]
        strict = guard.render(kept, options) if kept else early
        lead = " ".join(baselines.lead(row["text"], spec.k))
        textrank = " ".join(baselines.central(row["text"], spec.k))
        sentences = lexicon.sentences(row["text"])
        own = score(scorer, early, row["references"])
        model_written = score(scorer, written["summary"], row["references"])
        records.append({
            "id": row["id"], "summary": fields["summary"], "preview_text": early, "seconds": seconds,
            "written_text": written["summary"], "written_fallback": bool(written.get("fallback")),
            "preview_ms": preview_ms, "usage": usage,
            "model": score(scorer, fields["summary"], row["references"]), "written": model_written,
            # The ceiling of any rule choosing per document between the two (closer_summary's choice).
            "hindsight": max(model_written, own, key=lambda s: s["rouge1"]),
            "strict": score(scorer, strict, row["references"]), "strict_fallback": not kept,
            "preview": own,
            "lead": score(scorer, lead, row["references"]),
            "textrank": score(scorer, textrank, row["references"]),
            "items": len(citations), "supported": sum(c["supported"] for c in citations),
            "replaced": sum(c.get("status") == "replaced" for c in citations),
            "backed": sum(checker.backed(c["text"], sentences, row["text"]) for c in citations),
            "degenerate": bool(fields["guard"]["attempts"][0]["problems"]),
            "fallback": fields.get("fallback"), "attempts": fields["guard"]["attempts"], "raw": raws,
            "citations": citations, "violations": guard.violations(fields["summary"], options),
        })
        log.info("%s %d/%d %.1fs R1=%.1f (preview %.1f) replaced %d/%d %r", spec.label, number + 1,
                 len(rows), seconds, records[-1]["model"]["rouge1"], records[-1]["preview"]["rouge1"],
                 records[-1]["replaced"], len(citations), fields["summary"][:80])
    return records


def summary_row(spec, records, k):
    """Means of one set's records for the table."""
    n = len(records)

    def mean(system, metric):
        return sum(r[system][metric] for r in records) / n

    items = sum(r["items"] for r in records)
    share = lambda key: sum(r[key] for r in records) / items if items else 1.0  # noqa: E731
    return {
        "set": spec.label, "n": n, "type": f"{spec.type}/{spec.length}", "k": k,
        **{f"{system}_{m}": mean(system, m) for system in SYSTEMS for m in METRICS},
        "strict_fallback": sum(r["strict_fallback"] for r in records) / n,
        "supported": share("supported"), "backed": share("backed"), "replaced": share("replaced"),
        "degenerate": sum(r["degenerate"] for r in records) / n,
        "fallback": sum(bool(r["fallback"]) for r in records) / n,
        "violations": sum(bool(r["violations"]) for r in records),
        "seconds": sum(r["seconds"] for r in records) / n,
        "seconds_max": max(r["seconds"] for r in records),
        "preview_ms": max(r["preview_ms"] for r in records),
    }


def render(rows, settings, model_name, full, heading=SECTION, plot_name="quality.png"):
    """The README section: how it was run, the table, the plot."""
    scope = "full sets" if full else "a subset of each set (first n documents)"
    lines = [
        heading, "",
        f"`bench/quality.py`, {scope}; model `{model_name}` through the worker's own path in-process "
        f"(selection of at most {settings.selection_tokens} tokens of salient sentences, guard, "
        f"recovery, source check; n_ctx={settings.n_ctx}, n_threads={settings.n_threads or 'auto'}, "
        f"temperature={settings.temperature}, seed={settings.seed}), CPU. ROUGE F1 x100, stemmed, best "
        "over references; the preview (the first event of every stream), lead-k and TextRank (k "
        "sentences) on the same documents in the same run. service: what it shows, the model's "
        "summary or the preview's sentences, whichever is closer to the document "
        "(pipeline.closer_summary); model's: the model's summary it chose from (R1); hindsight: per "
        "document the better of the two by ROUGE-1, the most any such choice could reach (R1). "
        "supported: items the service's check backs (words and facts); backed: items an independent "
        "lexical check backs (see the script); "
        "replaced: items replaced by the document's own sentence; strict: only the model's supported "
        "items, extractive where none is left (share in brackets); degenerate: first attempt "
        "unusable; fallback: extractive summary instead of the model's; rule breaks: outputs "
        "violating their type/length/format (guard.violations); s/doc: mean (max) seconds of the "
        "worker's path; preview: slowest preview of the set.",
        "",
        "| set | n | type | service R1 / R2 / RL | model's | hindsight | strict (fallback) | preview "
        "| lead-k (k) | TextRank | supported | backed | replaced | degenerate | fallback | rule breaks "
        "| s/doc | preview ms |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        trio = {s: " / ".join(f"{r[f'{s}_{m}']:.1f}" for m in METRICS) for s in SYSTEMS}
        lines.append(
            f"| {r['set']} | {r['n']} | {r['type']} | {trio['model']} | {r['written_rouge1']:.1f} | "
            f"{r['hindsight_rouge1']:.1f} | {trio['strict']} "
            f"({r['strict_fallback']:.0%}) | {trio['preview']} | {trio['lead']} ({r['k']}) | "
            f"{trio['textrank']} | {r['supported']:.0%} | {r['backed']:.0%} | {r['replaced']:.0%} | "
            f"{r['degenerate']:.0%} | {r['fallback']:.0%} | {r['violations']} | "
            f"{r['seconds']:.1f} ({r['seconds_max']:.1f}) | {r['preview_ms']:.0f} |")
    lines += ["", f"![ROUGE per set]({plot_name})", ""]
    return "\n".join(lines)


def plot(rows, path):
    """Grouped bars: ROUGE-1/2/L per set for the model, lead-k and TextRank."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    systems = [("model", "service"), ("strict", "service, strict"), ("preview", "preview"),
               ("lead", "lead-k"), ("textrank", "TextRank")]
    fig, axes = plt.subplots(1, len(METRICS), figsize=(4 * len(METRICS), 3.6), sharey=True)
    width = 0.8 / len(systems)
    for axis, metric in zip(axes, METRICS):
        for offset, (system, label) in enumerate(systems):
            xs = [n + offset * width for n in range(len(rows))]
            axis.bar(xs, [r[f"{system}_{metric}"] for r in rows], width, label=label)
        axis.set_xticks([n + width * (len(systems) - 1) / 2 for n in range(len(rows))],
                        [r["set"] for r in rows], rotation=20)
        axis.set_title(metric.upper().replace("ROUGE", "ROUGE-"))
    axes[0].set_ylabel("F1 x100")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=len(systems), fontsize=8)
    fig.tight_layout(rect=(0, 0.08, 1, 1))
    fig.savefig(path, dpi=110)



def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus" / "summarization")
    parser.add_argument("--n", type=int, default=DEFAULT_N, help=f"documents per set (default {DEFAULT_N})")
    parser.add_argument("--qmsum-n", type=int, default=10, help="QMSum transcripts (default 10)")
    parser.add_argument("--full", action="store_true", help="every document of every set")
    parser.add_argument("--offset", type=int, default=0,
                        help="skip this many documents of each set: the next --n, to check a rule on "
                             "documents it was not looked at on (with --no-write)")
    parser.add_argument("--sets", default="", help="comma-separated subset of set names (substrings)")
    parser.add_argument("--no-write", action="store_true", help="print only; leave bench/ alone")
    parser.add_argument("--results", type=Path, default=None,
                        help="also write the per-document records to this JSON file")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("summarizer").setLevel(logging.WARNING)
    settings = Settings.from_env()
    model = load_model(settings.model)
    scorer = rouge_scorer.RougeScorer(list(METRICS), use_stemmer=True)
    checker = IndependentCheck()
    rows, details = [], {}
    for name, spec in SETS.items():
        if args.sets and not any(part in name for part in args.sets.split(",")):
            continue
        n = 0 if args.full else (args.qmsum_n if name == "qmsum_val" else args.n)
        documents = load_set(args.corpus, name, n, args.offset)
        records = bench_set(model, settings, scorer, documents, spec, checker)
        details[name] = records
        rows.append(summary_row(spec, records, spec.k))
    routine = not args.full and args.n < DEFAULT_N
    heading, stem = (ROUTINE_SECTION, "quality-routine") if routine else (SECTION, "quality")
    section = render(rows, settings, model.name, args.full, heading, f"{stem}.png")
    print(section)
    if args.results:
        args.results.write_text(json.dumps({"table": rows, "documents": details}, indent=1))
    if not args.no_write:
        results = REPO / "bench" / "results"
        results.mkdir(exist_ok=True)
        (results / f"{stem}.json").write_text(json.dumps({"table": rows, "documents": details}, indent=1))
        plot(rows, REPO / "bench" / f"{stem}.png")
        readme.write_section(heading, section)


if __name__ == "__main__":
    main()
