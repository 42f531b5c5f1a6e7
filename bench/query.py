"""Questions about meetings: QMSum's specific queries, answered by the service's engine, scored
beside a query-aware extractive baseline; and the time of a question on a whole transcript vs a
follow-up on its kept document_id, through the real service.

    .venv/bin/python bench/query.py [--queries 24] [--timed 6] [--transcripts 4] [--no-write]
                                    [--workers 2] [--upstream llama-cpp-python]

Quality (in this process, the worker's own path, engine/answer.py, with the bundled model): for the
first `--queries` specific queries of ../shared/corpus/summarization/qmsum_val.jsonl (taken round
robin over the meetings, so every meeting is asked), ROUGE-1/2/L F1 (rouge-score, stemmed) of the
answer (type tldr, length long: a paragraph, like the gold answers) against the gold answer; beside
it, in the same run, the baseline: the transcript's sentences with the highest BM25 to the query
(engine/query.py's BM25 alone, no salience, no neighbours), in document order, cut to the answer's
word count (the same length, so ROUGE compares content, not length). Also how many queries the
engine judged answered, and the same rate for queries of a meeting of another series (which it
should refuse: the ICSI, AMI and parliament meetings share no topic).

Time (through `summarizer serve`, one worker): for `--timed` meetings, the .vtt/.srt transcript
from ../shared/corpus/transcripts uploaded with its first query (upload, sniffing, the sandboxed
parse, the preview, the model), then its second query sent with the result's document_id.

Transcripts: for `--transcripts` meetings, the general summary of the .vtt/.srt file beside the
same meeting sent as text, ROUGE-1 against the reference summary: a transcript file must
summarize as well as its text.

The tables are printed and written under "## Questions (QMSum)" in bench/README.md.
"""

import argparse
import json
import logging
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from rouge_score import rouge_scorer  # noqa: E402

from bench import readme  # noqa: E402
from bench.direct import DirectContext  # noqa: E402
from summarizer.config import Settings  # noqa: E402
from summarizer.document import Source  # noqa: E402
from summarizer.engine import answer, grounding, pipeline, query  # noqa: E402
from summarizer.engine.llm import load_model  # noqa: E402
from summarizer.extract import extract  # noqa: E402
from summarizer.extract.text import extract as text_document  # noqa: E402
from summarizer.options import SummaryOptions  # noqa: E402

log = logging.getLogger("bench.query")
SECTION = "## Questions (QMSum)"
METRICS = ("rouge1", "rouge2", "rougeL")
CORPUS = REPO.parent / "shared" / "corpus"
ANSWER = dict(type="tldr", length="long")
"""The shape asked for: a paragraph of four to six sentences, as QMSum's gold answers are."""
FOLLOW_UPS = {
    "question": lambda first, second: ({**ANSWER, "query": first}, {**ANSWER, "query": second}),
    "summary": lambda first, second: (ANSWER, {"type": "key-points"}),
}
"""The timed part's two requests about a meeting, given its first two questions."""


def series(meeting_id):
    """ICSI (Bed, Bmr, Bro), AMI (ES, IS, TS) or parliament (covid, education) meetings."""
    if meeting_id[:3] in ("Bed", "Bmr", "Bro"):
        return "icsi"
    return "parliament" if "_" in meeting_id else "ami"


def load(corpus):
    rows = [json.loads(line) for line in (corpus / "summarization" / "qmsum_val.jsonl").read_text().splitlines() if line]
    return rows


def round_robin(rows, count):
    """(row, query) pairs, one query of each meeting in turn, until `count`."""
    picked, depth = [], 0
    while len(picked) < count and any(depth < len(r["specific_queries"]) for r in rows):
        picked += [(r, r["specific_queries"][depth]) for r in rows if depth < len(r["specific_queries"])]
        depth += 1
    return picked[:count]


def bm25_baseline(index, question, words):
    """The sentences with the highest BM25 to `question`, in document order, cut to `words` words."""
    terms = {t for t in (query.lexicon.fold(w) for w in query.topic_words(question))}
    scores = query.bm25(index, terms) if terms else {}
    chosen, total = [], 0
    for number in sorted(scores, key=lambda n: -scores[n]):
        if total >= words:
            break
        chosen.append(number)
        total += len(index.sentences[number].split())
    text = " ".join(index.sentences[n] for n in sorted(chosen))
    return " ".join(text.split()[:max(words, 1)])


def bench_quality(model, settings, rows, count):
    """Per query: ROUGE of ours and of the baseline, answered or not, seconds."""
    scorer = rouge_scorer.RougeScorer(list(METRICS), use_stemmer=True)
    records = []
    for row, item in round_robin(rows, count):
        document = text_document(row["text"])
        options = SummaryOptions(**ANSWER, query=item["query"])
        run, usage = DirectContext(model, settings), {"prompt_tokens": 0, "completion_tokens": 0}
        began = time.perf_counter()
        fields = answer.answer(run, document, options, usage)
        seconds = time.perf_counter() - began
        index = grounding.SourceIndex(document.blocks, document.title)
        ours = fields["summary"] if fields["answered"] else ""
        words = len(ours.split()) or len(item["answer"].split())
        baseline = bm25_baseline(index, item["query"], words)
        # The preview event of the same request: the question's sentences, no model, same length.
        quick = answer.preview_event(document, options)["summary"] if fields["answered"] else ""
        quick = " ".join(quick.split()[:words])
        records.append({
            "id": row["id"], "answered": fields["answered"], "seconds": seconds,
            "method": fields.get("method"), "words": words,
            "ours": {m: 100 * s.fmeasure for m, s in scorer.score(item["answer"], ours).items()},
            "bm25": {m: 100 * s.fmeasure for m, s in scorer.score(item["answer"], baseline).items()},
            "preview": {m: 100 * s.fmeasure for m, s in scorer.score(item["answer"], quick).items()},
        })
        log.info("%s %s %.1fs R1 %.1f vs %.1f", row["id"], fields["answered"], seconds,
                 records[-1]["ours"]["rouge1"], records[-1]["bm25"]["rouge1"])
    return records


def refusals(rows):
    """(own queries answered, own total, other-series queries refused, other total), no model."""
    own = answered = refused = other = 0
    indexes = {r["id"]: grounding.SourceIndex(text_document(r["text"]).blocks) for r in rows}
    for row in rows:
        foreign = next(r for r in rows[rows.index(row) + 1:] + rows if series(r["id"]) != series(row["id"]))
        for item in row["specific_queries"]:
            own += 1
            answered += query.focus(indexes[row["id"]], item["query"]).answerable
        for item in foreign["specific_queries"]:
            other += 1
            refused += not query.focus(indexes[row["id"]], item["query"]).answerable
    return answered, own, refused, other


def coverage_sweep(rows, thresholds):
    """Answerability at each threshold: how engine/query.py's MIN_COVERAGE was chosen."""
    chosen = query.MIN_COVERAGE
    try:
        for threshold in thresholds:
            query.MIN_COVERAGE = threshold
            answered, own, refused, other = refusals(rows)
            print(f"MIN_COVERAGE {threshold}: {answered} of {own} answered on their own meeting, "
                  f"{refused} of {other} refused on another series' (sum {answered + refused})")
    finally:
        query.MIN_COVERAGE = chosen


def transcript_file(corpus, meeting_id):
    for suffix in (".vtt", ".srt"):
        path = corpus / "transcripts" / f"qmsum__{meeting_id}{suffix}"
        if path.is_file():
            return path
    return None


def answerable(row):
    """The meeting's queries the engine answers (no model needed to tell)."""
    index = grounding.SourceIndex(text_document(row["text"]).blocks)
    return [q["query"] for q in row["specific_queries"] if query.focus(index, q["query"]).answerable]


def bench_time(corpus, rows, count, workers=1, upstream_url=None, asking="question"):
    """Per meeting: seconds of the first question (upload of the transcript file) and of a
    follow-up on its document_id, through `summarizer serve` with `workers` workers (and backend
    openai against `upstream_url`, if given); and of each, the seconds outside the model (end to
    end less the result's generate_ms): what a follow-up can save. `asking` "summary": a summary
    (tldr long) instead of the first question, then the meeting's key points (FOLLOW_UPS)."""
    from bench.service import STREAM_TIMEOUT_SECONDS, Service

    timed = []
    chosen = [(r, answerable(r)) for r in rows if transcript_file(corpus, r["id"])]
    chosen = [(r, asked) for r, asked in chosen if len(asked) >= 2][:count]
    extra = {"SUMMARIZER_BACKEND": "openai", "SUMMARIZER_UPSTREAM_URL": upstream_url} if upstream_url else {}
    with Service(workers=workers, extra_env=extra) as service:
        for row, asked in chosen:
            path = transcript_file(corpus, row["id"])
            first, second = FOLLOW_UPS[asking](*asked[:2])
            result, stamps, _ = service.summarize(path.read_bytes(), {**first, "cache": False},
                                                  filename=path.name)
            began = time.perf_counter()
            response = service.session.post(
                f"{service.base}/summarize?wait=true", timeout=STREAM_TIMEOUT_SECONDS,
                json={**second, "cache": False, "document_id": result["document_id"]})
            follow_up = time.perf_counter() - began
            response.raise_for_status()
            second = response.json()
            timed.append({"id": row["id"], "bytes": path.stat().st_size, "first": stamps["end"],
                          "follow_up": follow_up, "extract_ms": result["timings"]["extract_ms"],
                          "follow_extract_ms": second["timings"]["extract_ms"],
                          "first_rest": stamps["end"] - result["timings"]["generate_ms"] / 1000,
                          "follow_rest": follow_up - second["timings"]["generate_ms"] / 1000,
                          "reading": (result["timings"].get("reading_ms", 0), second["timings"].get("reading_ms", 0)),
                          "read": tuple(r["usage"]["prompt_tokens"] - r["usage"].get("cached_tokens", 0)
                                        for r in (result, second)),
                          "load": os.getloadavg()[0],
                          "answered": (result.get("answered"), second.get("answered"))})
            log.info("%s first %.1fs follow-up %.1fs reading %s ms, tokens read %s, load %.2f", row["id"],
                     stamps["end"], follow_up, timed[-1]["reading"], timed[-1]["read"], timed[-1]["load"])
    return timed


def bench_transcripts(model, settings, corpus, rows, count):
    """Per meeting: ROUGE-1 of the summary of its transcript file and of its text."""
    scorer = rouge_scorer.RougeScorer(["rouge1"], use_stemmer=True)
    options = SummaryOptions(type="tldr", length="long")
    out = []
    for row in [r for r in rows if transcript_file(corpus, r["id"])][:count]:
        path = transcript_file(corpus, row["id"])
        scores = {}
        for name, document in (("text", text_document(row["text"])),
                               ("file", extract(Source(kind="file", data=path.read_bytes(), filename=path.name), settings))):
            usage = {"prompt_tokens": 0, "completion_tokens": 0}
            fields = pipeline.summarize(DirectContext(model, settings), document, options, usage)
            scores[name] = 100 * scorer.score_multi(row["references"], fields["summary"])["rouge1"].fmeasure
        out.append({"id": row["id"], "format": path.suffix[1:], **scores})
        log.info("%s text %.1f file %.1f", row["id"], scores["text"], scores["file"])
    return out


def _mean_sd(values):
    values = list(values)
    if not values:
        return "-"
    spread = statistics.stdev(values) if len(values) > 1 else 0.0
    return f"{statistics.mean(values):.1f} ± {spread:.1f}"


def render(quality, refused, timed, transcripts, model_name, settings, served="one worker", follow_up="question"):
    answered_q = [r for r in quality if r["answered"]]
    lines = [SECTION, "",
             f"`.venv/bin/python bench/query.py` ({time.strftime('%Y-%m-%d')}, model {model_name}, "
             f"selection_tokens {settings.selection_tokens}, n_ctx {settings.n_ctx}; a shared 2-core "
             "machine). Means ± standard deviation over queries; ROUGE F1 x100 against QMSum's gold "
             "answer. The baseline is the transcript's top sentences by BM25 to the query, cut to the "
             "same number of words as our answer, and so is the preview (the `preview` event "
             "of the same request: the question's most relevant sentences).", "",
             f"Quality, {len(quality)} specific queries (answered by the engine: {len(answered_q)}):", "",
             "| system | ROUGE-1 | ROUGE-2 | ROUGE-L |", "|---|---|---|---|"]
    systems = (("ours", "summarizer answer (`query`, tldr long, the model)"),
               ("preview", "summarizer preview (the question's sentences, no model)"),
               ("bm25", "BM25 top sentences (baseline)"))
    for name, label in systems:
        lines.append(f"| {label} | " + " | ".join(_mean_sd(r[name][m] for r in quality) for m in METRICS) + " |")
    lines += ["", f"The same, over the {len(answered_q)} queries the engine answered (an unanswered one "
              "scores 0 above):", "", "| system | ROUGE-1 | ROUGE-2 | ROUGE-L |", "|---|---|---|---|"]
    for name, label in systems:
        lines.append(f"| {label} | " + " | ".join(_mean_sd(r[name][m] for r in answered_q) for m in METRICS) + " |")
    wins = sum(r["ours"]["rouge1"] > r["bm25"]["rouge1"] for r in quality)
    diffs = [r["ours"]["rouge1"] - r["bm25"]["rouge1"] for r in quality]
    lines += ["", f"Paired ROUGE-1 difference (ours - baseline): {_mean_sd(diffs)}; ours higher on "
              f"{wins} of {len(quality)} queries. Methods: "
              + ", ".join(f"{m}: {sum(r['method'] == m for r in quality)}"
                          for m in sorted({r['method'] for r in quality})) + ".", ""]
    answered, own, refused_n, other = refused
    lines += [f"Answerability (no model): {answered} of {own} QMSum queries answered on their own "
              f"meeting; {refused_n} of {other} queries of a meeting of another series refused.", ""]
    if timed:
        firsts, follows = [t["first"] for t in timed], [t["follow_up"] for t in timed]
        ratios = [t["first"] / t["follow_up"] for t in timed]
        rest_first, rest_follow = [t["first_rest"] for t in timed], [t["follow_rest"] for t in timed]
        asked = ("its first query, then its second query" if follow_up == "question" else
                 "a request for a tl;dr (long), then for its key points")
        lines += [f"Time per request through `summarizer serve` ({served}), {len(timed)} meetings "
                  f"(transcript file uploaded with {asked} by document_id):", "",
                  "| request | seconds (mean ± sd) | min | max |", "|---|---|---|---|",
                  f"| first: upload + extract + answer | {_mean_sd(firsts)} | {min(firsts):.1f} | {max(firsts):.1f} |",
                  f"| follow-up by document_id | {_mean_sd(follows)} | {min(follows):.1f} | {max(follows):.1f} |",
                  f"| first, outside the model | {_mean_sd(rest_first)} | {min(rest_first):.1f} | {max(rest_first):.1f} |",
                  f"| follow-up, outside the model | {_mean_sd(rest_follow)} | {min(rest_follow):.1f} | {max(rest_follow):.1f} |",
                  "", "Per meeting (model reading time from the result's `timings.reading_ms`, tokens "
                  "read: `usage.prompt_tokens` less `usage.cached_tokens`, all attempts; load: "
                  "1-minute load average after the follow-up):", "",
                  "| meeting | first s | follow-up s | ratio | reading ms first / follow-up | tokens read first / follow-up | load |",
                  "|---|---|---|---|---|---|---|"]
        lines += [f"| {t['id']} | {t['first']:.1f} | {t['follow_up']:.1f} | {t['first'] / t['follow_up']:.1f} "
                  f"| {t['reading'][0]} / {t['reading'][1]} | {t['read'][0]} / {t['read'][1]} | {t['load']:.2f} |"
                  for t in timed]
        reported = all(t["reading"][0] for t in timed)  # llama-cpp-python's server reports no timings
        reading = (f"{statistics.median(t['reading'][0] / max(1, t['reading'][1]) for t in timed):.1f}x"
                   if reported else "not reported by the server")
        lines += ["", f"Median first / follow-up: {statistics.median(ratios):.1f}x; median reading time "
                  f"first / follow-up: {reading}.",
                  "", f"First / follow-up per meeting: {_mean_sd(ratios)} (min {min(ratios):.2f}); outside "
                  f"the model: {_mean_sd(a / b for a, b in zip(rest_first, rest_follow))}; "
                  f"extraction of the first: {_mean_sd(t['extract_ms'] for t in timed)} ms, of the "
                  f"follow-ups: {max(t['follow_extract_ms'] for t in timed)} ms. A follow-up saves what "
                  "it does not repeat (upload, sniffing, the parse child, the document's preview "
                  "ranking); the model's answer is the same work in both, so the end-to-end ratio "
                  "is that of the time outside the model only where the model is fast.", ""]
    if transcripts:
        lines += ["General summary (tldr long) of the transcript file vs the same meeting as text, "
                  "ROUGE-1 against the reference summary:", "",
                  "| meeting | file | as text | as file |", "|---|---|---|---|"]
        lines += [f"| {t['id']} | {t['format']} | {t['text']:.1f} | {t['file']:.1f} |" for t in transcripts]
        lines.append(f"| mean | | {_mean_sd(t['text'] for t in transcripts)} | {_mean_sd(t['file'] for t in transcripts)} |")
    return "\n".join(lines) + "\n"


def upstream_server(kind, settings):
    """The server `kind` (--upstream) on the bundled GGUF with the service's context and threads."""
    from bench import upstream

    shape = (settings.resolved_model_path, settings.n_ctx, settings.n_threads or 2, settings.n_batch)
    if kind == "llama-server":
        binary = os.environ.get("SUMMARIZER_TEST_LLAMA_SERVER") or shutil.which("llama-server")
        if not binary:
            raise SystemExit("--upstream llama-server: no llama-server on PATH or in SUMMARIZER_TEST_LLAMA_SERVER")
        return upstream.llama_server(binary, *shape, 1, settings.n_gpu_layers)
    return upstream.llama_cpp_python_server(*shape, settings.n_gpu_layers)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--queries", type=int, default=24)
    parser.add_argument("--timed", type=int, default=6)
    parser.add_argument("--transcripts", type=int, default=4)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--workers", type=int, default=1,
                        help="workers of `summarizer serve` for the timed part (follow-ups are routed "
                             "to the one keeping the reading: queue/routing.py)")
    parser.add_argument("--upstream", choices=("llama-cpp-python", "llama-server"),
                        help="time the questions with backend openai against this server, started "
                             "here with the same GGUF, n_ctx, threads and batch (llama-server: one "
                             "slot; the binary from SUMMARIZER_TEST_LLAMA_SERVER or PATH)")
    parser.add_argument("--follow-up", choices=sorted(FOLLOW_UPS), default="question",
                        help="what the timed part asks of each meeting: two questions, or a summary "
                             "and then a summary with other options (issue 25.4)")
    parser.add_argument("--coverage-sweep", metavar="0.3,0.35,0.4",
                        help="only print answerability at each MIN_COVERAGE (no model, no README)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    settings = Settings.from_env()
    rows = load(args.corpus)
    if args.coverage_sweep:
        return coverage_sweep(rows, [float(v) for v in args.coverage_sweep.split(",")])
    model = load_model(settings.model)
    quality = bench_quality(model, settings, rows, args.queries)
    transcripts = bench_transcripts(model, settings, args.corpus, rows, args.transcripts) if args.transcripts else []
    refused = refusals(rows)
    timed, served = [], f"{args.workers} worker{'s' * (args.workers > 1)}"
    if args.timed and args.upstream:
        # The service's own workers use 2 threads here (bench/service.py): so does the server.
        with upstream_server(args.upstream, settings) as server:
            timed = bench_time(args.corpus, rows, args.timed, args.workers, server.url, args.follow_up)
        served += f", backend openai against {args.upstream}'s server"
    elif args.timed:
        timed = bench_time(args.corpus, rows, args.timed, args.workers, asking=args.follow_up)
    section = render(quality, refused, timed, transcripts, model.name, settings, served, args.follow_up)
    print(section)
    if not args.no_write:
        readme.write_section(SECTION, section)


if __name__ == "__main__":
    main()
