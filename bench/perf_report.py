"""Tables and plots of bench/perf.py's results: the "## Performance" section of bench/README.md.

    .venv/bin/python -m bench.perf_report [bench/results/perf.json] [--no-write]   # re-render only
"""

import argparse
import json
import math
import statistics
from pathlib import Path

from bench import perf_plots, readme

SECTION = "## Performance"
BENCH = Path(__file__).resolve().parent
METRICS = ("rouge1", "rouge2", "rougeL")
SYSTEMS = (("service", "service"), ("direct", "llama.cpp direct"), ("langchain", "LangChain"))


def spread(values, scale=1.0, digits=1):
    """"median (min-max)" of `values` times `scale`."""
    values = [v * scale for v in values if v is not None]
    if not values:
        return "-"
    return f"{statistics.median(values):.{digits}f} ({min(values):.{digits}f}-{max(values):.{digits}f})"


def percentiles(values):
    """{"n", "p50", "p90", "p99", "min", "max"} of `values` (linear interpolation between ranks)."""
    ordered = sorted(values)

    def at(share):
        position = share * (len(ordered) - 1)
        low = int(position)
        high = min(low + 1, len(ordered) - 1)
        return ordered[low] + (ordered[high] - ordered[low]) * (position - low)

    return {"n": len(ordered), "p50": at(0.5), "p90": at(0.9), "p99": at(0.99),
            "min": ordered[0], "max": ordered[-1]}


SIZE_CLASSES = (1000, 10000, 50000, 100000)
"""The nominal document sizes the benchmark picks documents for (within documents.TOLERANCE)."""


def size_class(tokens):
    """A document's length bucket, the nearest nominal size on a log scale: "1k", "10k", "50k"..."""
    nearest = min(SIZE_CLASSES, key=lambda size: abs(math.log(max(tokens, 1) / size)))
    return f"{nearest // 1000}k"


def header(results):
    m, s = results["machine"], results["settings"]
    load = f"{m['load_before'][0]:.1f} / {m.get('load_after', [float('nan')])[0]:.1f}"
    return [
        SECTION, "",
        f"`make bench` (`python -m bench`, {s['mode']} set) on {m['cpu']}, {m['cores']} cores, "
        f"{m['ram_gib']} GiB RAM; {m['date']}, commit `{m['commit']}`"
        f"{' (+ uncommitted core changes)' if m.get('dirty') else ''}; 1-minute load before / after: "
        f"{load}. Model `{s['model']}`, n_ctx={s['n_ctx']}, n_batch={s['n_batch']}, "
        f"n_threads={s['n_threads']} in every system, OMP_WAIT_POLICY=PASSIVE (set by the package). "
        "The machine is shared with other work: treat single numbers as indicative and read the "
        "spreads. Benchmarks run in `bench/perf.py`; raw numbers in `bench/results/perf.json`.", "",
        *[f"Scaling documents of {', '.join(run['sizes'])} tokens: a separate run "
          f"(`python -m bench.perf --scaling-only`, then `python -m bench.perf_report`), same machine, "
          f"{run['date']}, commit `{run['commit']}`, 1-minute load before: {run['load_before'][0]:.1f}."
          for run in results.get("scaling_runs", [])],
        *([""] if results.get("scaling_runs") else []),
    ]


def goals_table(results):
    """The issue's goals beside what this run measured."""
    docs = results["documents"]
    tens = [d for d in docs if 8000 <= d["tokens"] <= 12000]
    ratio = [d["service"]["seconds"] / d["direct"]["seconds"] for d in tens]
    lines = ["| goal | measured | met |", "|---|---|---|"]
    if ratio:
        lines.append(f"| overhead ratio <= 1.05 at ~10k tokens | {spread(ratio, digits=3)} (n={len(ratio)}) "
                     f"| {_met(statistics.median(ratio) <= 1.05)} |")
    for name in sorted({d["set"] for d in docs if "langchain" in d}):
        group = [d for d in docs if d["set"] == name and "langchain" in d]
        speed = [d["langchain"]["seconds"] / d["service"]["seconds"] for d in group]
        rouge = _mean_rouge(results.get("rouge", {}), group)
        better = rouge and rouge["service"] >= rouge["langchain"]
        score = f", ROUGE-1 {rouge['service']:.1f} vs {rouge['langchain']:.1f}" if rouge else ""
        lines.append(f"| >= 2x faster than LangChain at >= ROUGE, {name} | {spread(speed, digits=2)}x{score} "
                     f"| {_met(statistics.median(speed) >= 2 and (better or not rouge))} |")
    per_token = [d["service"]["seconds"] / d["tokens"] for d in docs]
    rss = [d["service"]["rss_mib"].get("worker", 0) for d in docs]
    if len(docs) > 1:
        lines.append(f"| time per token flat within 20% ({min(d['tokens'] for d in docs)}-"
                     f"{max(d['tokens'] for d in docs)} tokens) | max/min {max(per_token) / min(per_token):.2f} "
                     f"| {_met(max(per_token) / min(per_token) <= 1.2)} |")
        lines.append(f"| worker memory flat | {min(rss):.0f}-{max(rss):.0f} MiB | {_met(max(rss) <= 1.2 * min(rss))} |")
    hits = results["latency"]["cache_hit_s"]
    if hits:
        p99 = percentiles([h * 1000 for h in hits])["p99"]
        lines.append(f"| cache hit p99 < 20 ms | {p99:.1f} ms (n={len(hits)}) | {_met(p99 < 20)} |")
    return lines + [""]


def _met(condition):
    return "yes" if condition else "**no**"


def _mean_rouge(scores, group):
    """Mean ROUGE-1 of service and LangChain over the scored documents of `group`, or None."""
    scored = [scores[d["name"]] for d in group if d["name"] in scores and "langchain" in scores[d["name"]]]
    if not scored:
        return None
    return {s: statistics.mean(x[s]["rouge1"] for x in scored) for s in ("service", "langchain")}


def overhead_table(docs):
    lines = [
        "### Overhead: the service end to end vs llama.cpp called directly", "",
        "Same document, plan, prompts, grammars, guard and model calls; *direct* = the pipeline's "
        "functions in one process of their own with no HTTP, queue or Redis (`bench/direct.py`), of which *model* "
        "is the time inside llama.cpp; *service* = multipart upload -> extraction -> RQ -> worker -> "
        "SSE `done`, `cache=false`, one worker. Where the difference goes: *extract*, *queued* "
        "(enqueue to a worker starting the job) and *generate* (the worker's model work, events "
        "included) are the result's `timings`; *in-worker* = generate - direct (Redis token events, "
        "progress, cancel checks, metrics); *other* = end to end - extract - queued - generate "
        "(upload, planning, enqueue, job set-up, SSE delivery). Tokens: prompt/completion of "
        "service | direct (equal when both did the same work).",
        "",
        "| document | tokens | chunks | direct s (model s) | service s | ratio | extract ms | queued ms "
        "| in-worker ms | other ms | first event ms | tokens service \\| direct |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for d in docs:
        sv, dr = d["service"], d["direct"]
        t = sv["timings"]
        other = sv["seconds"] * 1000 - t["extract_ms"] - t["queued_ms"] - t["generate_ms"]
        lines.append(
            f"| {d['name'][:28]} | {d['tokens']} | {sv['chunks']} | {dr['seconds']:.1f} ({dr['model_seconds']:.1f}) "
            f"| {sv['seconds']:.1f} | {sv['seconds'] / dr['seconds']:.3f} | {t['extract_ms']} | {t['queued_ms']} "
            f"| {t['generate_ms'] - dr['seconds'] * 1000:.0f} | {other:.0f} | {sv['stamps']['first_event'] * 1000:.0f} "
            f"| {sv['usage']['prompt_tokens']}/{sv['usage']['completion_tokens']} \\| "
            f"{dr['usage']['prompt_tokens']}/{dr['usage']['completion_tokens']} |")
    lines += ["", "| size | n | overhead ratio, median (min-max) | service s | direct s |", "|---|---|---|---|---|"]
    for size, group in _by_size(docs).items():
        lines.append(f"| {size} | {len(group)} | {spread([d['service']['seconds'] / d['direct']['seconds'] for d in group], digits=3)} "
                     f"| {spread([d['service']['seconds'] for d in group])} | {spread([d['direct']['seconds'] for d in group])} |")
    return lines + [""]


def langchain_table(results, scores):
    docs = [d for d in results["documents"] if "langchain" in d]
    if not docs:
        return ["### LangChain map_reduce", "", f"Not run: {results['langchain_skipped']}.", ""]
    lines = [
        "### LangChain map_reduce vs the service", "",
        "`load_summarize_chain(chain_type=\"map_reduce\")` (langchain-classic) over `LlamaCpp` "
        "(langchain-community), same GGUF and engine settings, its own splitter at the service's map "
        "chunk size and overlap, `token_max` fitting the context, max_tokens = the service's map "
        "budget (`bench/langchain_baseline.py`). LangChain gets the service's engine settings, not "
        "its own defaults: n_batch 256 (its default of 8 reads prompts several times slower) and the "
        "GGUF's RoPE base (it passes 10000 unless told, overriding SmolLM2's 100000 and garbling "
        "the output). Speed-up = LangChain s / service s. Prompt tokens: "
        "every token the model read. ROUGE F1 x100 (rouge-score, stemmed, best over references).", "",
        "| document | tokens | service s | LangChain s | speed-up | prompt tokens service / LangChain "
        "| model calls LangChain | R1/R2/RL service | R1/R2/RL direct | R1/R2/RL LangChain |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for d in docs:
        trio = {system: " / ".join(f"{scores[d['name']][system][m]:.1f}" for m in METRICS)
                if d["references"] else "-" for system, _ in SYSTEMS}
        lines.append(
            f"| {d['name'][:28]} | {d['tokens']} | {d['service']['seconds']:.1f} | {d['langchain']['seconds']:.1f} "
            f"| {d['langchain']['seconds'] / d['service']['seconds']:.2f} | {d['service']['usage']['prompt_tokens']} / "
            f"{d['langchain']['usage']['prompt_tokens']} | {d['langchain']['calls']} "
            f"| {trio['service']} | {trio['direct']} | {trio['langchain']} |")
    lines += ["", "| set | n | speed-up, median (min-max) | R1/R2/RL service | R1/R2/RL LangChain |", "|---|---|---|---|---|"]
    for name in sorted({d["set"] for d in docs}):
        group = [d for d in docs if d["set"] == name]
        scored = [scores[d["name"]] for d in group if d["references"]]
        means = {s: " / ".join(f"{statistics.mean(x[s][m] for x in scored):.1f}" for m in METRICS)
                 if scored else "-" for s in ("service", "langchain")}
        lines.append(f"| {name} | {len(group)} | {spread([d['langchain']['seconds'] / d['service']['seconds'] for d in group], digits=2)} "
                     f"| {means['service']} | {means['langchain']} |")
    return lines + [""]


def scaling_table(docs):
    lines = [
        "### Scaling with document length", "",
        "Time per input token (ms) end to end, and peak resident memory (MiB) during that document, "
        "sampled every 50 ms: the service's worker and API (gunicorn master + gevent worker), and the "
        "process each in-process system ran in. Worker, direct and LangChain figures include the "
        "mapped model and its KV cache.", "",
        "| document | tokens | chunks | service ms/token | direct ms/token | LangChain ms/token "
        "| worker MiB | API MiB | direct MiB | LangChain MiB |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for d in sorted(docs, key=lambda d: d["tokens"]):
        lc = f"{d['langchain']['seconds'] * 1000 / d['tokens']:.2f}" if "langchain" in d else "-"
        lc_rss = f"{d['langchain'].get('rss_mib', {}).get('process', 0):.0f}" if "langchain" in d else "-"
        rss = d["service"]["rss_mib"]
        lines.append(f"| {d['name'][:28]} | {d['tokens']} | {d['service']['chunks']} "
                     f"| {d['service']['seconds'] * 1000 / d['tokens']:.2f} | {d['direct']['seconds'] * 1000 / d['tokens']:.2f} "
                     f"| {lc} | {rss.get('worker', 0):.0f} | {rss.get('api_total', 0):.0f} "
                     f"| {d['direct'].get('rss_mib', {}).get('process', 0):.0f} | {lc_rss} |")
    return lines + [""]


def latency_table(results):
    lat, docs = results["latency"], results["documents"]
    single = [d["service"]["stamps"] for d in docs if d["service"]["chunks"] == 1] + lat["first"]
    warm = lat.get("first_warm", [])
    rows = {
        "first SSE event": [s["first_event"] for s in single + warm],
        "first token, ~1k-token document, cold": [s["first_token"] for s in single if "first_token" in s],
        "first token, same document again (prompt cached)": [s["first_token"] for s in warm],
        "cache hit, `?wait=true` JSON": lat["cache_hit_s"],
    }
    lines = ["### Latency", "",
             "From just before the request to the event, ms, `cache=false` except the cache hits. First "
             "event and cold first token: every one-chunk request of this run on a document the worker had "
             "not seen (the timed ones above, and more stopped after their first token), so the whole "
             "prompt is read first; warm: the last of those again, whose prompt llama.cpp still holds. "
             "Cache hit: a request answered from the summary cache (goal p99 < 20 ms).", "",
             "| measure | n | p50 | p90 | p99 | min | max |", "|---|---|---|---|---|---|---|"]
    for name, values in rows.items():
        if values:
            p = percentiles([v * 1000 for v in values])
            lines.append(f"| {name} | {p['n']} | {p['p50']:.1f} | {p['p90']:.1f} | {p['p99']:.1f} "
                         f"| {p['min']:.1f} | {p['max']:.1f} |")
    return lines + ["", "![latency distributions](perf_latency.png)", ""]


def throughput_table(results):
    tp = results.get("throughput")
    if not tp:
        return []
    lines = ["### One worker or two on 2 cores", "",
             f"`{tp['name']}` ({tp['tokens']} tokens), `cache=false`: one worker with 2 threads vs two "
             "workers with 1 thread each (SUMMARIZER_WORKERS / SUMMARIZER_N_THREADS). Map phase: first "
             "map job start to last map job end, from RQ's job records; workers: distinct worker names "
             "on the map jobs.", "",
             "| set-up | end to end s | map phase s | map jobs per worker |", "|---|---|---|---|"]
    for label, key in (("1 worker x 2 threads", "one_worker"), ("2 workers x 1 thread", "two_workers")):
        maps = tp[key]["maps"]
        phase = max(m[2] for m in maps) - min(m[1] for m in maps) if maps else 0
        per = {}
        for worker, _, _ in maps:
            per[worker] = per.get(worker, 0) + 1
        lines.append(f"| {label} | {tp[key]['seconds']:.1f} | {phase:.1f} | {sorted(per.values(), reverse=True)} |")
    return lines + ["", "![map jobs per worker](perf_workers.png)", ""]


def _by_size(docs):
    groups = {}
    for d in sorted(docs, key=lambda d: d["tokens"]):
        groups.setdefault(size_class(d["tokens"]), []).append(d)
    return groups


def render(results):
    """The whole section as Markdown."""
    scores = results.get("rouge", {})
    docs = results["documents"]
    lines = header(results) + goals_table(results) + overhead_table(docs) + langchain_table(results, scores)
    lines += scaling_table(docs) + ["![time vs document length](perf_time.png)", ""]
    lines += latency_table(results) + throughput_table(results)
    return "\n".join(lines)


def write(results):
    """Plots next to the README and the section in it, other sections untouched."""
    perf_plots.plot_all(results, BENCH)
    readme.write_section(SECTION, render(results))


def merge(results, extra):
    """`results` with the documents of a --scaling-only run added (its machine line kept apart)."""
    merged = dict(results, documents=results["documents"] + extra["documents"],
                  rouge={**results.get("rouge", {}), **extra.get("rouge", {})})
    merged["scaling_runs"] = results.get("scaling_runs", []) + [
        {**extra["machine"], "sizes": sorted({size_class(d["tokens"]) for d in extra["documents"]})}]
    return merged


def main(argv=None):
    parser = argparse.ArgumentParser(description="Re-render the Performance section from saved results.")
    parser.add_argument("results", nargs="?", type=Path, default=BENCH / "results" / "perf.json")
    parser.add_argument("--scaling", type=Path, action="append", default=[],
                        help="a --scaling-only run's results to add (default: perf-scaling.json if present)")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args(argv)
    results = json.loads(args.results.read_text())
    default_scaling = BENCH / "results" / "perf-scaling.json"
    for path in args.scaling or ([default_scaling] if default_scaling.exists() else []):
        results = merge(results, json.loads(path.read_text()))
    print(render(results))
    if not args.no_write:
        write(results)


if __name__ == "__main__":
    main()
