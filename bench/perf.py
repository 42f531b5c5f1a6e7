"""Performance benchmarks: overhead vs llama.cpp called directly, LangChain, scaling, latency, workers.

    .venv/bin/python -m bench.perf [--full] [--short 2] [--long 2] [--sizes 50000,100000] [--no-write]
    .venv/bin/python -m bench.perf --scaling-only --sizes 50000   # then: python -m bench.perf_report

One run, one machine, one model (the bundled SmolLM2-135M-Instruct unless SUMMARIZER_MODEL_PATH says
otherwise), n_threads=2 everywhere (1 per worker with two workers). Documents are run one after the
other through each system in turn (direct, service, LangChain), so load from other users of the
machine lands on all three alike; direct and LangChain each run in a child process of their own
(bench/children.py), as the service's worker does. Writes bench/results/perf.json;
bench/perf_report.py turns it into the "## Performance" section of bench/README.md and the PNGs.
"""

import argparse
import contextlib
import json
import logging
import os
import platform
import subprocess
import time
from pathlib import Path

from summarizer.engine.llm import load_tokenizer

from bench import children, documents, langchain_baseline, memory
from bench.children import THREADS, Child
from bench.service import Service

log = logging.getLogger("bench.perf")
REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results" / "perf.json"


def run_child(child, function, *args):
    """A call in a child process, with that process's peak memory."""
    with memory.PeakRSS(child.roles) as peak:
        record = child.call(function, *args)
    return dict(record, rss_mib=peak.peaks)


def run_service(service, doc):
    """Upload -> SSE done, with the worker's and API's peak memory and the map jobs' workers."""
    with memory.PeakRSS(service.processes) as peak:
        result, stamps, events = service.summarize(doc.data, dict(doc.options, cache=False))
    job_id = next(e[2]["job_id"] for e in events if e[1] == "status")
    maps = service.map_jobs(job_id) if result.get("chunks", 1) > 1 else []
    return {"summary": result["summary"], "usage": result["usage"], "timings": result["timings"],
            "chunks": result.get("chunks", 1), "seconds": stamps["end"], "stamps": stamps,
            "attempts": len(result.get("guard", {}).get("attempts", [])), "fallback": result.get("fallback"),
            "rss_mib": peak.peaks, "maps": maps, "events": len(events)}


def run_document(doc, n_ctx, direct, service, chain):
    """One document through every system; a dict of their results."""
    record = {"name": doc.name, "set": doc.set, "tokens": doc.tokens, "options": doc.options,
              "references": doc.references}
    record["direct"] = run_child(direct, children.direct_summary, n_ctx, doc.data, doc.options)
    record["service"] = run_service(service, doc)
    if chain:
        record["langchain"] = run_child(chain, children.langchain_summary, n_ctx, doc.text)
    log.info("%s (%d tokens): direct %.1fs, service %.1fs%s", doc.name, doc.tokens,
             record["direct"]["seconds"], record["service"]["seconds"],
             f", langchain {record['langchain']['seconds']:.1f}s" if chain else "")
    return record


def latency(service, fresh, repeats, cache_hits):
    """Time to first event and token, each request stopped after its first token: on documents
    the worker has not seen (cold: the whole prompt is read first), then the last one again
    (warm: llama.cpp finds the prompt in its cache); then cache-hit answers."""
    cold = [service.first_token(doc.data, dict(doc.options, cache=False)) for doc in fresh]
    warm = [service.first_token(fresh[-1].data, dict(fresh[-1].options, cache=False))
            for _ in range(repeats if fresh else 0)]
    doc = fresh[-1] if fresh else None
    hits = []
    if doc:
        service.wait_json(doc.text, doc.options)  # fills the cache
        for _ in range(cache_hits):
            seconds, state, _ = service.wait_json(doc.text, doc.options)
            if state == "hit":
                hits.append(seconds)
    return {"first": cold, "first_warm": warm, "cache_hit_s": hits}


def throughput(doc, one_worker_record, settings):
    """The same multi-chunk document on 2 workers x 1 thread, beside 1 worker x 2 threads."""
    with Service(workers=2, n_threads=1, extra_env=_service_env(settings)) as service:
        service.summarize(b"Warm-up. " * 20, {"cache": False, "type": "headline"})
        record = run_service(service, doc)
    return {"name": doc.name, "tokens": doc.tokens,
            "one_worker": {k: one_worker_record[k] for k in ("seconds", "maps", "timings")},
            "two_workers": {k: record[k] for k in ("seconds", "maps", "timings", "rss_mib")}}


def rouge(records):
    """{document: {system: {metric: F1 x100}}}: stemmed, best over the references."""
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    scores = {}
    for record in records:
        if record["references"]:
            scores[record["name"]] = {
                system: {m: 100 * s.fmeasure for m, s in
                         scorer.score_multi(record["references"], record[system]["summary"]).items()}
                for system in ("service", "direct", "langchain") if system in record}
    return scores


def _service_env(settings):
    """What the service must share with the in-process systems besides threads."""
    return {"SUMMARIZER_N_CTX": str(settings.n_ctx)}


def warm_up(n_ctx, direct, service, chain, doc):
    """Models loaded, and one untimed pass through the service and direct on a document not
    measured afterwards: first-use imports, grammar parsing, page cache (but no prompt left in a
    KV cache for a measured one). LangChain has no first-use work beyond its model load."""
    direct.call(children.load, n_ctx, "direct")
    if chain:
        chain.call(children.load, n_ctx, "langchain")
    direct.call(children.direct_summary, n_ctx, doc.data, doc.options)
    service.summarize(doc.data, dict(doc.options, cache=False))


def machine():
    """CPU model, cores, RAM, date and commit of this run."""
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    ram = next((int(line.split()[1]) / 2**20 for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal")), 0)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True,
                            text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--", "summarizer"], cwd=REPO,
                           capture_output=True, text=True).stdout.strip()
    return {"cpu": cpu, "cores": os.cpu_count(), "ram_gib": round(ram, 1), "commit": commit,
            "dirty": bool(dirty), "date": time.strftime("%Y-%m-%d %H:%M %Z"),
            "load_before": os.getloadavg()}


def collect(args):
    """Every benchmark of this run, as one JSON-able dict."""
    settings = children.settings_for(args.n_ctx)
    model = load_tokenizer(settings.model)
    count = model.count_tokens
    ones = documents.natural(count, "cnndm", 1000, args.short + args.first_token_runs)
    short, fresh = ones[:args.short], ones[args.short:]
    spare = documents.natural(count, "cnndm", 450, 1)  # warm-up: short, and never measured
    long = documents.natural(count, "qmsum", 10000, args.long)
    sized = [documents.joined(count, size) for size in args.sizes]
    why_not = langchain_baseline.unavailable() if not args.no_langchain else "--no-langchain"
    results = {"machine": machine(), "settings": {"n_ctx": settings.n_ctx, "n_threads": THREADS,
               "n_batch": settings.n_batch, "model": model.name, "mode": "full" if args.full else "default"},
               "langchain_skipped": why_not, "documents": []}
    began = time.perf_counter()
    with contextlib.ExitStack() as stack:
        direct = stack.enter_context(Child())
        chain = None if why_not else stack.enter_context(Child())
        service = stack.enter_context(Service(workers=1, n_threads=THREADS, extra_env=_service_env(settings)))
        warm_up(args.n_ctx, direct, service, chain, spare[0])
        for doc in short + long + sized:
            compare = doc not in long[args.langchain_long:] and doc.tokens <= args.langchain_max
            results["documents"].append(run_document(doc, args.n_ctx, direct, service,
                                                     chain if compare else None))
        if not args.scaling_only:
            results["latency"] = latency(service, fresh, args.warm_runs, args.cache_hits)
    multi = [(doc, record) for doc, record in zip(short + long + sized, results["documents"])
             if record["service"]["chunks"] > 1]
    if multi and not args.scaling_only:  # the shortest multi-chunk document: keep it cheap
        doc, record = multi[0]
        results["throughput"] = throughput(doc, record["service"], settings)
    results["rouge"] = rouge(results["documents"])
    results["machine"]["load_after"] = os.getloadavg()
    results["seconds"] = time.perf_counter() - began
    return results


def parse(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--full", action="store_true", help="more documents, 50k and 100k tokens")
    parser.add_argument("--short", type=int, default=2, help="~1k-token CNN/DailyMail documents")
    parser.add_argument("--long", type=int, default=2, help="~10k-token QMSum transcripts")
    parser.add_argument("--sizes", default="", help="comma-separated token sizes of joined transcripts")
    parser.add_argument("--first-token-runs", type=int, default=3,
                        help="more ~1k-token documents, timed to their first token only")
    parser.add_argument("--warm-runs", type=int, default=3, help="the last of those again (prompt cached)")
    parser.add_argument("--cache-hits", type=int, default=100)
    parser.add_argument("--langchain-long", type=int, default=1,
                        help="how many of the ~10k-token documents LangChain also runs on")
    parser.add_argument("--langchain-max", type=int, default=20000,
                        help="largest document (tokens) LangChain also runs on")
    parser.add_argument("--no-langchain", action="store_true")
    parser.add_argument("--scaling-only", action="store_true",
                        help="only the --sizes documents through direct and service (no latency, "
                        "workers or LangChain); raw results to perf-scaling.json, which the report "
                        "merges into the default run's (bench/results/perf.json)")
    parser.add_argument("--n-ctx", type=int, default=0, help="context size for every system "
                        "(default: SUMMARIZER_N_CTX or 4096); small values make quick multi-chunk checks")
    parser.add_argument("--no-write", action="store_true",
                        help="leave bench/README.md and the plots alone (raw results are still saved)")
    parser.add_argument("--results", type=Path, help=f"where the raw results go (default {RESULTS})")
    args = parser.parse_args(argv)
    if args.full:
        args.short, args.long = max(args.short, 8), max(args.long, 4)
        args.langchain_long = args.long
        args.sizes = args.sizes or "50000,100000"
        args.langchain_max = max(args.langchain_max, 100000)
    if args.scaling_only:
        args.short = args.long = args.first_token_runs = 0
        args.no_langchain = True
        args.results = args.results or RESULTS.with_name("perf-scaling.json")
        args.sizes = args.sizes or "50000,100000"
    args.sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    return args


def main(argv=None):
    args = parse(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    logging.getLogger("summarizer").setLevel(logging.WARNING)
    missing = documents.available()
    if missing:
        log.warning("performance benchmarks skipped: %s", missing)
        return 0
    results = collect(args)
    path = args.results or RESULTS
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(results, indent=1))
    # The report is the default run's, with the --scaling-only run's documents added when there is one.
    report_from = RESULTS if args.scaling_only else path
    if report_from.exists():
        from bench import perf_report

        perf_report.main([str(report_from), *(["--no-write"] if args.no_write else [])])
    return 0


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        raise SystemExit(main())
