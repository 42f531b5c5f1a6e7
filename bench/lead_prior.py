"""The preview's ROUGE-1 per lead prior: how the position prior of the salience score
(engine/salience.py: POSITION_HALF_LIFE in sentences, LEAD_BONUS) moves each set, and with it
the length weight of a one-sentence summary (GIST_LENGTH_POWER).

    .venv/bin/python bench/lead_prior.py [--priors 3:0.5,3:1,10:0.5] [--sets cnndm,xsum,scitldr]
    .venv/bin/python bench/lead_prior.py --priors 3:0.5:0,3:0.5:0.5,3:0.5:1 --sets xsum,scitldr \
        --records RESULTS.json

Over every document of each development set in ../shared/corpus/summarization, with the type and
length bench/quality.py uses for it: the preview (engine/preview.py, no model) scored against
the references, beside lead-k and TextRank, for the whole set and its two halves (first and
second half of its documents). A prior is HALF_LIFE:BONUS[:GIST_POWER[:LIST_BONUS]]: BONUS is
the lead bonus of a summary of one sentence (salience.LEAD_BONUS), LIST_BONUS that of several
sentences or items (salience.LIST_LEAD_BONUS), GIST_POWER salience.GIST_LENGTH_POWER; the two
left out keep their defaults. About 3 minutes for the default six priors on 2 cores.

With --records (files bench/quality.py writes with --results, covering every document of the
sets), each cell also gives what the service would show: per document, the model's summary those
records hold or this preview, whichever is closer to the document (pipeline.closer_summary's
rule), the preview where the model's summary was the fallback. The model's summaries are the
recorded ones: a prior also changes what the model reads of a long document, which this leaves
out.
"""

import argparse
import json
import statistics
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from rouge_score import rouge_scorer  # noqa: E402

from bench import baselines  # noqa: E402
from bench.quality import SETS, load_set  # noqa: E402
from summarizer.engine import grounding, guard, pipeline, preview, salience  # noqa: E402
from summarizer.extract.text import extract as text_document  # noqa: E402
from summarizer.options import SummaryOptions  # noqa: E402

CORPUS = REPO.parent / "shared" / "corpus" / "summarization"


def documents(name, scorer):
    """(document, references, (lead-k's ROUGE-1, TextRank's)) for every row of a set."""
    spec = SETS[name]
    rows = []
    for row in load_set(CORPUS, name, 0):
        score = lambda sentences: scorer(" ".join(sentences), row["references"])  # noqa: E731
        baseline = (score(baselines.lead(row["text"], spec.k)), score(baselines.central(row["text"], spec.k)))
        rows.append((text_document(row["text"], title=row.get("title", "")), row["references"], baseline))
    return rows


def service(document, options, record):
    """What the service shows of `document` given the model's summary in its quality `record`:
    that summary or the preview, whichever is closer to the document (pipeline.closer_summary)."""
    index = grounding.SourceIndex(document.blocks, document.title)
    ranked = salience.rank(index, options)
    # Records before "written_fallback" was kept: the model's fallback is the preview itself.
    fell_back = record.get("written_fallback", record["fallback"] and record["written_text"] == record["preview_text"])
    if fell_back:
        return preview.extract(index, options, ranked).text
    # The records keep the model's summary as text: its items are its lines or sentences, as
    # the guard split them when it was made.
    items = guard.enforce(record["written_text"], options).items
    written = {"summary": record["written_text"], "citations": [{"text": item} for item in items], "guard": {}}
    return pipeline.closer_summary(written, document, options, index, ranked)["summary"]


def halves(values):
    middle = len(values) // 2
    return statistics.mean(values), statistics.mean(values[:middle]), statistics.mean(values[middle:])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--priors", default="3:0.5,3:0.75,3:1,3:2,2:3,10:0.5")
    parser.add_argument("--sets", default="cnndm,xsum,scitldr")
    parser.add_argument("--records", default="", help="bench/quality.py --results files, comma-separated")
    args = parser.parse_args()
    records = {}
    for path in filter(None, args.records.split(",")):
        records.update(json.loads(Path(path).read_text())["documents"])
    rouge = rouge_scorer.RougeScorer(["rouge1"], use_stemmer=True)
    def scorer(text, references):
        return 100 * rouge.score_multi(references, text)["rouge1"].fmeasure

    names = [n for n in SETS if any(part in n for part in args.sets.split(","))]
    rows = {name: documents(name, scorer) for name in names}
    default_power, default_list = salience.GIST_LENGTH_POWER, salience.LIST_LEAD_BONUS
    print("| prior (half-life, bonus[, gist power]) | " + " | ".join(
        f"{SETS[n].label}: preview (halves) / better baseline (halves)"
        + (" / service" if n in records else "") for n in names) + " |")
    print("|---" * (len(names) + 1) + "|")
    for prior in args.priors.split(","):
        half_life, bonus, *rest = (float(part) for part in prior.split(":"))
        salience.POSITION_HALF_LIFE, salience.LEAD_BONUS = half_life, bonus
        salience.GIST_LENGTH_POWER = rest[0] if rest else default_power
        salience.LIST_LEAD_BONUS = rest[1] if len(rest) > 1 else default_list
        cells = []
        for name in names:
            options = SummaryOptions(type=SETS[name].type, length=SETS[name].length)
            shown = halves([scorer(preview.preview(document, options)["summary"], references)
                            for document, references, _ in rows[name]])
            # The better of the two baselines' means, as issue 21 compares (not the better per document).
            better = [max(lead, central) for lead, central in zip(
                halves([b[0] for _, _, b in rows[name]]), halves([b[1] for _, _, b in rows[name]]))]
            cell = "{:.2f} ({:.2f}, {:.2f}) / {:.2f} ({:.2f}, {:.2f})".format(*shown, *better)
            if name in records:
                cell += " / {:.2f} ({:.2f}, {:.2f})".format(*halves([
                    scorer(service(document, options, record), references)
                    for (document, references, _), record in zip(rows[name], records[name])]))
            cells.append(cell)
        print(f"| {prior.replace(':', ', ')} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
