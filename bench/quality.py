"""Summary quality benchmark: ROUGE of the model's guarded summaries beside lead-k and TextRank.

    .venv/bin/python bench/quality.py [--n 20] [--qmsum-n 5] [--full] [--sets cnndm,xsum] [--no-write]

Over ../shared/corpus/summarization: each document is summarized in-process by the default model
(summarizer.engine.llm) through prompts.messages_for, recovery.run_model (grammar + LoopDetector), the guard
and its recovery policy, exactly the worker's single-call path; lead-k and TextRank run on the same
documents in the same run. Scores: ROUGE-1/2/L F1 x100 (rouge-score, Porter stemming, best over the
references), means over documents. Also: the share of summary items with source support
(grounding.cite), how often the first attempt was degenerate, how often any retry and the extractive
fallback fired, outputs breaking their type/length rules (guard.violations; must be 0), and seconds per
document of the model path. QMSum transcripts longer than the context are cut to its head for the
model (map-reduce is the service's job); the baselines read the whole transcript.

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

from summarizer.engine import extractive, grounding, guard, prompts, recovery  # noqa: E402
from summarizer import shapes  # noqa: E402
from bench import readme  # noqa: E402
from summarizer.config import Settings  # noqa: E402
from summarizer.extract.text import extract as text_document  # noqa: E402
from summarizer.engine.llm import load_model  # noqa: E402
from summarizer.options import SummaryOptions  # noqa: E402
from summarizer.engine.pipeline import fit_messages  # noqa: E402

log = logging.getLogger("bench.quality")
SECTION = "## Summary quality"
ROUTINE_SECTION = "## Summary quality, routine subset"
"""Where a run smaller than the default (`make bench`'s quick subset) writes, so it never replaces
the table of the default or full sets."""

DEFAULT_N = 20
"""Documents per set in a default run (QMSum: --qmsum-n)."""
METRICS = ("rouge1", "rouge2", "rougeL")
SYSTEMS = ("model", "strict", "lead", "textrank")


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


def load_set(corpus, name, n):
    """The first `n` documents of a set (all with n=0)."""
    rows = [json.loads(line) for line in (corpus / f"{name}.jsonl").read_text("utf-8").splitlines() if line]
    return rows[:n] if n else rows


def summarize(model, settings, row, options):
    """The model's guarded summary of one corpus row: (outcome, citations, raw outputs, seconds)."""
    document = text_document(row["text"], title=row.get("title", ""))
    budget = shapes.answer_tokens(options, settings.max_tokens)
    started = time.perf_counter()
    messages = fit_messages(model, document.text,
                            lambda text: prompts.messages_for(text, options, document.title), budget)

    raws = []

    def generate(asked, attempt):
        answer = recovery.run_model(model, asked, options, attempt, max_tokens=budget,
                                    temperature=settings.temperature, seed=settings.seed)
        raws.append(answer[0])
        return answer

    index = grounding.SourceIndex(document.blocks)
    outcome = recovery.summarize(generate, messages, options, document.text, index=index)
    citations = grounding.cite(outcome.checked.items, document.blocks, index=index)
    return outcome, citations, raws, time.perf_counter() - started


def score(scorer, prediction, references):
    """ROUGE F1 x100 per metric, best over the references."""
    best = scorer.score_multi(references, prediction)
    return {m: 100 * best[m].fmeasure for m in METRICS}


def bench_set(model, settings, scorer, rows, spec):
    """Per-document records for one set: the model, lead-k and TextRank."""
    options = SummaryOptions(type=spec.type, length=spec.length)
    records = []
    for number, row in enumerate(rows):
        outcome, citations, raws, seconds = summarize(model, settings, row, options)
        # Strict mode: unsupported items dropped; nothing left means the extractive fallback.
        kept = [c["text"] for c in grounding.strict(citations)]
        strict = guard.render(kept, options) if kept else extractive.summarize(row["text"], options).text
        lead = " ".join(extractive.lead(row["text"], spec.k))
        textrank = " ".join(extractive.central(row["text"], spec.k))
        records.append({
            "id": row["id"], "summary": outcome.checked.text, "seconds": seconds,
            "model": score(scorer, outcome.checked.text, row["references"]),
            "strict": score(scorer, strict, row["references"]), "strict_fallback": not kept,
            "lead": score(scorer, lead, row["references"]),
            "textrank": score(scorer, textrank, row["references"]),
            "items": len(citations), "supported": sum(c["supported"] for c in citations),
            "degenerate": bool(outcome.attempts[0]["problems"]), "recovered": outcome.recovered,
            "fallback": outcome.fallback, "attempts": outcome.attempts, "raw": raws,
            "violations": guard.violations(outcome.checked.text, options),
        })
        log.info("%s %d/%d %.1fs R1=%.1f %r %s", spec.label, number + 1, len(rows), seconds,
                 records[-1]["model"]["rouge1"], outcome.checked.text[:80],
                 [(a["attempt"], a["problems"]) for a in outcome.attempts if a["problems"]])
    return records


def summary_row(spec, records, k):
    """Means of one set's records for the table."""
    n = len(records)

    def mean(system, metric):
        return sum(r[system][metric] for r in records) / n

    items = sum(r["items"] for r in records)
    return {
        "set": spec.label, "n": n, "type": f"{spec.type}/{spec.length}", "k": k,
        **{f"{system}_{m}": mean(system, m) for system in SYSTEMS for m in METRICS},
        "strict_fallback": sum(r["strict_fallback"] for r in records) / n,
        "supported": sum(r["supported"] for r in records) / items if items else 1.0,
        "degenerate": sum(r["degenerate"] for r in records) / n,
        "recovered": sum(r["recovered"] for r in records) / n,
        "fallback": sum(bool(r["fallback"]) for r in records) / n,
        "violations": sum(bool(r["violations"]) for r in records),
        "seconds": sum(r["seconds"] for r in records) / n,
    }


def render(rows, settings, model_name, full, heading=SECTION, plot_name="quality.png"):
    """The README section: how it was run, the table, the plot."""
    scope = "full sets" if full else "a subset of each set (first n documents)"
    lines = [
        heading, "",
        f"`bench/quality.py`, {scope}; model `{model_name}` in-process through the guard and its "
        f"recovery policy (n_ctx={settings.n_ctx}, n_threads={settings.n_threads or 'auto'}, "
        f"temperature={settings.temperature}, seed={settings.seed}), CPU. ROUGE F1 x100, stemmed, "
        "best over references; lead-k and TextRank (k sentences) on the same documents in the same run. "
        "supported: share of summary items with source support (grounding threshold "
        f"{grounding.SUPPORT_THRESHOLD}); degenerate: first attempt unusable; retried / fallback: "
        "share of documents where a retry / the extractive fallback fired; rule breaks: outputs "
        "violating their type/length/format (guard.violations). strict: the same outputs with "
        "unsupported items dropped (grounding.strict), extractive where none is left (share in brackets).",
        "",
        "| set | n | type | model R1 / R2 / RL | strict R1 / R2 / RL (fallback) | lead-k R1 / R2 / RL (k) "
        "| TextRank R1 / R2 / RL | supported | degenerate | retried | fallback | rule breaks | s/doc |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        trio = {s: " / ".join(f"{r[f'{s}_{m}']:.1f}" for m in METRICS) for s in SYSTEMS}
        lines.append(
            f"| {r['set']} | {r['n']} | {r['type']} | {trio['model']} | {trio['strict']} "
            f"({r['strict_fallback']:.0%}) | {trio['lead']} ({r['k']}) | {trio['textrank']} | "
            f"{r['supported']:.0%} | {r['degenerate']:.0%} | {r['recovered']:.0%} | "
            f"{r['fallback']:.0%} | {r['violations']} | {r['seconds']:.1f} |")
    lines += ["", f"![ROUGE per set]({plot_name})", ""]
    return "\n".join(lines)


def plot(rows, path):
    """Grouped bars: ROUGE-1/2/L per set for the model, lead-k and TextRank."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    systems = [("model", "model (guarded)"), ("strict", "model, strict"), ("lead", "lead-k"),
               ("textrank", "TextRank")]
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
    parser.add_argument("--qmsum-n", type=int, default=5, help="QMSum transcripts (default 5)")
    parser.add_argument("--full", action="store_true", help="every document of every set")
    parser.add_argument("--sets", default="", help="comma-separated subset of set names (substrings)")
    parser.add_argument("--no-write", action="store_true", help="print only; leave bench/ alone")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("summarizer").setLevel(logging.WARNING)
    settings = Settings.from_env()
    model = load_model(settings.model)
    scorer = rouge_scorer.RougeScorer(list(METRICS), use_stemmer=True)
    rows, details = [], {}
    for name, spec in SETS.items():
        if args.sets and not any(part in name for part in args.sets.split(",")):
            continue
        n = 0 if args.full else (args.qmsum_n if name == "qmsum_val" else args.n)
        records = bench_set(model, settings, scorer, load_set(args.corpus, name, n), spec)
        details[name] = records
        rows.append(summary_row(spec, records, spec.k))
    routine = not args.full and args.n < DEFAULT_N
    heading, stem = (ROUTINE_SECTION, "quality-routine") if routine else (SECTION, "quality")
    section = render(rows, settings, model.name, args.full, heading, f"{stem}.png")
    print(section)
    if not args.no_write:
        results = REPO / "bench" / "results"
        results.mkdir(exist_ok=True)
        (results / f"{stem}.json").write_text(json.dumps({"table": rows, "documents": details}, indent=1))
        plot(rows, REPO / "bench" / f"{stem}.png")
        readme.write_section(heading, section)


if __name__ == "__main__":
    main()
