"""PNG plots of bench/perf.py's results (matplotlib, no display needed)."""

import random
import statistics

SYSTEMS = (("service", "service (HTTP, queue, worker, SSE)", "tab:blue", "o"),
           ("direct", "llama.cpp direct (same calls)", "tab:green", "s"),
           ("langchain", "LangChain map_reduce", "tab:red", "^"))


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _ticker():
    import matplotlib.ticker

    return matplotlib.ticker


def plot_time(results, path):
    """Seconds vs document tokens, log-log, one series per system, a line through the medians."""
    plt = _pyplot()
    fig, axis = plt.subplots(figsize=(6.4, 4.2))
    for key, label, color, marker in SYSTEMS:
        points = [(d["tokens"], d[key]["seconds"]) for d in results["documents"] if key in d]
        if not points:
            continue
        axis.scatter(*zip(*points), color=color, marker=marker, alpha=0.6, label=label)
        axis.plot(*zip(*_medians(points)), color=color, alpha=0.8)
    axis.set_xscale("log")
    axis.set_yscale("log")
    plain = _ticker().FuncFormatter(lambda value, _: f"{value:,.0f}")
    for side in (axis.xaxis, axis.yaxis):
        side.set_major_formatter(plain)
        side.set_minor_formatter(plain)
    axis.set_xlabel("document length (model tokens)")
    axis.set_ylabel("seconds to the summary")
    axis.set_title(f"Time vs length ({results['machine']['cores']} CPU cores, {results['settings']['model']})",
                   fontsize=9)
    axis.grid(True, which="both", alpha=0.3)
    axis.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _medians(points):
    """(tokens, median seconds) per group of documents within 30% of each other's length."""
    groups = []
    for tokens, seconds in sorted(points):
        if groups and tokens <= groups[-1][0][0] * 1.3:
            groups[-1].append((tokens, seconds))
        else:
            groups.append([(tokens, seconds)])
    return [(statistics.median(t for t, _ in g), statistics.median(s for _, s in g)) for g in groups]


def plot_latency(results, path):
    """Distributions of time to first event, first token and cache-hit answers (ms, one panel each)."""
    plt = _pyplot()
    single = [d["service"]["stamps"] for d in results["documents"] if d["service"]["chunks"] == 1]
    single += results["latency"]["first"]
    warm = results["latency"].get("first_warm", [])
    series = [("first SSE event", [s["first_event"] * 1000 for s in single + warm]),
              ("first token, cold", [s["first_token"] * 1000 for s in single if "first_token" in s]),
              ("first token, prompt cached", [s["first_token"] * 1000 for s in warm]),
              ("cache hit", [v * 1000 for v in results["latency"]["cache_hit_s"]])]
    series = [(name, values) for name, values in series if values]
    fig, axes = plt.subplots(1, len(series), figsize=(3.2 * len(series), 3.6))
    jitter = random.Random(0)
    for axis, (name, values) in zip(axes if len(series) > 1 else [axes], series):
        axis.boxplot(values, whis=(0, 100), widths=0.5)
        axis.scatter([1 + jitter.uniform(-0.15, 0.15) for _ in values], values, s=10, alpha=0.5)
        axis.set_title(f"{name} (n={len(values)})", fontsize=9)
        axis.set_ylabel("ms")
        axis.set_xticks([])
        axis.grid(True, axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_workers(results, path):
    """Map jobs on a time line per worker: one worker x 2 threads above, two workers x 1 thread below."""
    throughput = results.get("throughput")
    if not throughput:
        return
    plt = _pyplot()
    fig, axes = plt.subplots(2, 1, figsize=(6.4, 3.6), sharex=True)
    for axis, (key, label) in zip(axes, (("one_worker", "1 worker x 2 threads"),
                                         ("two_workers", "2 workers x 1 thread"))):
        maps = throughput[key]["maps"]
        if not maps:
            continue
        origin = min(m[1] for m in maps)
        workers = sorted({m[0] for m in maps})
        for chunk, (worker, started, ended) in enumerate(maps):
            axis.barh(workers.index(worker), ended - started, left=started - origin, height=0.6,
                      color=f"C{chunk % 10}", edgecolor="black", alpha=0.7)
            axis.text(started - origin + (ended - started) / 2, workers.index(worker), f"chunk {chunk + 1}",
                      ha="center", va="center", fontsize=7)
        axis.set_yticks(range(len(workers)), [f"worker {i + 1}" for i in range(len(workers))])
        axis.set_title(f"{label}: end to end {throughput[key]['seconds']:.0f} s", fontsize=9)
    axes[-1].set_xlabel("seconds since the first map job started")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_all(results, directory):
    """Every plot into `directory`."""
    plot_time(results, directory / "perf_time.png")
    plot_latency(results, directory / "perf_latency.png")
    plot_workers(results, directory / "perf_workers.png")
