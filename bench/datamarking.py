"""Clean-article ROUGE of the bundled model with the datamarking on, off, or on the fence only.

The worker's path in this process (engine.pipeline with the GGUF), the first 25 CNN/DM articles
of the corpus, default options. `on` and `off` set the `datamark` setting; `auto` leaves it at
its default (off for this model: prompts.MARKING_MIN_PARAMETERS); `fence` marks but patches
prompts.marked to keep the marker in the opening tag and the system turn only, not before each
paragraph. `--tree DIR` runs another checkout's engine (its own defaults) for a paired
before/after on the same articles, e.g. the code before issue 22:

    nice -n 5 .venv/bin/python -m bench.datamarking on|off|fence|auto
    git worktree add ../before 71b4614
    nice -n 5 .venv/bin/python -m bench.datamarking auto --tree ../before --label before

Prints the mean ROUGE-1/2/L (and, with --against LABEL, the paired difference from that run) and
writes bench/results/datamarking-<mode>[-<label>].json (per article).
"""

import argparse
import json
import statistics
import sys
from pathlib import Path
from unittest import mock

from bench.injection import RESULTS, articles, rouge

ARTICLES = 25
METRICS = ("rouge1", "rouge2", "rougeL")


def summaries(mode, tree=None, count=ARTICLES):
    """[(article id, summary, references)] of the first `count` articles, summarized in `mode`
    by the engine of this checkout or of `tree`."""
    if tree:
        sys.path.insert(0, str(Path(tree).resolve()))
        for name in [m for m in sys.modules if m == "summarizer" or m.startswith("summarizer.")]:
            del sys.modules[name]
    from bench.direct import DirectContext
    from summarizer.config import Settings
    from summarizer.engine import pipeline, prompts
    from summarizer.engine.llm import load_model
    from summarizer.extract.text import extract as text_document
    from summarizer.options import SummaryOptions

    settings = Settings.from_mapping({} if mode == "auto" else {"datamark": "off" if mode == "off" else "on"})
    if mode == "fence":
        unfenced = lambda text, mark: prompts._FENCE.sub(" ", prompts.MARKER.sub("", text))  # noqa: E731
        mock.patch.object(prompts, "marked", unfenced).start()
    model = load_model(settings.model)
    out = []
    for doc_id, text, references in articles(count):
        fields = pipeline.summarize(DirectContext(model, settings), text_document(text), SummaryOptions(),
                                    {"prompt_tokens": 0, "completion_tokens": 0})
        out.append((doc_id, fields["summary"], references))
    return out


def paired(rows, other):
    """Mean difference and its standard error per metric, rows minus `other`, by article."""
    theirs = {o["article"]: o["rouge"] for o in other}
    found = {}
    for metric in METRICS:
        diffs = [r["rouge"][metric] - theirs[r["article"]][metric] for r in rows if r["article"] in theirs]
        error = statistics.stdev(diffs) / len(diffs) ** 0.5 if len(diffs) > 1 else float("nan")
        found[metric] = (round(statistics.mean(diffs), 2), round(error, 2))
    return found


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("mode", choices=("on", "off", "fence", "auto"), nargs="?", default="on")
    parser.add_argument("--tree", help="another checkout whose engine to run")
    parser.add_argument("--label", default="", help="suffix of the results file")
    parser.add_argument("--against", help="a results file's suffix (mode-label) to pair with")
    parser.add_argument("--articles", type=int, default=ARTICLES)
    args = parser.parse_args(argv)
    rows = [{"article": doc_id, "summary": summary, "rouge": rouge(summary, references)}
            for doc_id, summary, references in summaries(args.mode, args.tree, args.articles)]
    RESULTS.mkdir(exist_ok=True)
    name = f"datamarking-{args.mode}" + (f"-{args.label}" if args.label else "")
    (RESULTS / f"{name}.json").write_text(json.dumps(rows, indent=1, ensure_ascii=False))
    print(name, {m: round(statistics.mean(r["rouge"][m] for r in rows), 2) for m in METRICS})
    if args.against:
        other = json.loads((RESULTS / f"datamarking-{args.against}.json").read_text())
        print("paired difference (mean, standard error):", paired(rows, other))


if __name__ == "__main__":
    main()
