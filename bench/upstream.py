"""Backend openai against backend llama-cpp: the cost of the HTTP hop, and chunks in flight.

1. Overhead: the same CNN/DM articles summarized by the engine (bench/direct.py: the worker's
   path, no queue) with the GGUF in process, then with the same GGUF behind llama-cpp-python's
   server (same n_ctx, threads, batch, seed), alternating, `--repeats` times; the ratio of the two
   per document, its median and spread, in wall time and in CPU time (this process, plus the
   server's for the upstream): on a shared machine other processes stretch wall times by a
   factor of two or more, CPU seconds much less. Same model, same sampling: the answers must
   agree, and the run says whether they did.
2. Concurrency: a long QMSum transcript by map-reduce, its map calls made by 1 and then 4
   threads at once against the server, as a worker with SUMMARIZER_UPSTREAM_CONCURRENCY=4 does:
   against llama-cpp-python's server (one sequence at a time behind a lock) and, where one is
   installed (SUMMARIZER_TEST_LLAMA_SERVER or PATH), llama.cpp's llama-server with 4 slots.

    .venv/bin/python -m bench.upstream [--docs 6 --repeats 2 --threads 2]

Writes the "## Bring your own inference server" section of bench/README.md and bench/results/upstream.json.
"""

import argparse
import concurrent.futures
import json
import logging
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

from bench import direct, documents
from bench.readme import write_section
from summarizer.config import Settings
from summarizer.document import Block, Document
from summarizer.engine.llm import load_model
from summarizer.engine.remote import UpstreamModel
from summarizer.longdocs import mapreduce, planning
from summarizer.options import SummaryOptions

log = logging.getLogger("bench.upstream")
REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results" / "upstream.json"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """An OpenAI-compatible server process on a loopback port, stopped on exit."""

    def __init__(self, command, port):
        self.port, self.url = port, f"http://127.0.0.1:{port}/v1"
        self.log = tempfile.NamedTemporaryFile("w+", prefix="bench-upstream-", suffix=".log")
        self.process = subprocess.Popen(command, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                socket.create_connection(("127.0.0.1", port), 0.5).close()
                time.sleep(1)  # the port opens before the model is loaded
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"server did not start: {open(self.log.name).read()[-2000:]}")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(timeout=30)


def llama_cpp_python_server(model_path, n_ctx, threads, batch, gpu_layers=0):
    port = free_port()
    return Server([sys.executable, "-m", "llama_cpp.server", "--model", model_path,
                   "--host", "127.0.0.1", "--port", str(port), "--n_ctx", str(n_ctx),
                   "--n_threads", str(threads), "--n_batch", str(batch),
                   "--n_gpu_layers", str(gpu_layers),
                   "--interrupt_requests", "false"], port)


def llama_server(binary, model_path, n_ctx, threads, batch, slots, gpu_layers=0):
    port = free_port()
    return Server([binary, "-m", model_path, "--host", "127.0.0.1", "--port", str(port),
                   "-c", str(n_ctx * slots), "-np", str(slots), "-t", str(threads),
                   "-b", str(batch), "-ngl", str(999 if gpu_layers < 0 else gpu_layers)], port)


def upstream_model(url, settings):
    return UpstreamModel(Settings.from_mapping({**_mapping(settings), "backend": "openai",
                                                "upstream_url": url}).upstream)


def _mapping(settings):
    return {"n_ctx": settings.n_ctx, "n_threads": settings.n_threads, "n_batch": settings.n_batch,
            "seed": settings.seed, "temperature": settings.temperature}


def timed(model, settings, document, options, server=None):
    """`direct.summarize`, with the CPU seconds it cost this process and `server`'s process."""
    processes = [psutil.Process()] + ([psutil.Process(server.process.pid)] if server else [])
    before = [sum(p.cpu_times()[:2]) for p in processes]
    result = direct.summarize(model, settings, document, options)
    result["cpu_s"] = sum(sum(p.cpu_times()[:2]) - b for p, b in zip(processes, before))
    return result


def overhead(args, settings, docs):
    """Per document: seconds in process and through the server, alternating which goes first."""
    local = load_model(settings.model)
    rows = []
    with llama_cpp_python_server(settings.resolved_model_path, settings.n_ctx, settings.n_threads,
                                 settings.n_batch, settings.n_gpu_layers) as server:
        remote = upstream_model(server.url, settings)
        direct.summarize(remote, settings, docs[0][0], docs[0][1])  # warm: probe, page cache
        direct.summarize(local, settings, docs[0][0], docs[0][1])
        for repeat in range(args.repeats):
            for number, (document, options, name) in enumerate(docs):
                order = [("local", local, None), ("upstream", remote, server)]
                if (repeat + number) % 2:
                    order.reverse()
                run = {kind: timed(model, settings, document, options, process)
                       for kind, model, process in order}
                rows.append({"doc": name, "repeat": repeat, **{
                    f"{kind}_s": round(run[kind]["seconds"], 3) for kind in run}, **{
                    f"{kind}_cpu_s": round(run[kind]["cpu_s"], 3) for kind in run},
                    "same_summary": run["local"]["summary"] == run["upstream"]["summary"],
                    "tokens": run["local"]["usage"], "upstream_tokens": run["upstream"]["usage"]})
                log.info("%s: local %.2f s (%.2f cpu), upstream %.2f s (%.2f cpu), same answer %s",
                         name, rows[-1]["local_s"], rows[-1]["local_cpu_s"], rows[-1]["upstream_s"],
                         rows[-1]["upstream_cpu_s"], rows[-1]["same_summary"])
    return rows


def mapped(model, settings, document, options, threads):
    """Map-reduce of `document` with its map calls `threads` at a time; seconds and chunk count."""
    context = direct.DirectContext(model, settings)
    chunks = planning.plan_chunks(document, options, settings, tokenizer=model)
    usage = {"prompt_tokens": 0, "completion_tokens": 0}
    began = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(threads) as pool:
        notes = list(pool.map(lambda item: mapreduce.map_notes(
            context, item[1].text, item[0], len(chunks), dict(usage)), enumerate(chunks)))
    map_seconds = time.perf_counter() - began
    mapreduce.reduce_notes(context, document, options, notes, usage)
    return {"chunks": len(chunks), "map_s": round(map_seconds, 2),
            "total_s": round(time.perf_counter() - began, 2)}


def concurrency(args, settings, long_doc):
    document, options, name = long_doc
    servers = [("llama-cpp-python", lambda: llama_cpp_python_server(
        settings.resolved_model_path, settings.n_ctx, settings.n_threads, settings.n_batch,
        settings.n_gpu_layers))]
    binary = os.environ.get("SUMMARIZER_TEST_LLAMA_SERVER") or shutil.which("llama-server")
    if binary:
        servers.append(("llama-server -np 4", lambda: llama_server(
            binary, settings.resolved_model_path, settings.n_ctx, settings.n_threads,
            settings.n_batch, 4, settings.n_gpu_layers)))
    rows = []
    for label, start in servers:
        with start() as server:
            model = upstream_model(server.url, settings)
            for threads in (1, 4) * args.repeats:
                row = {"server": label, "doc": name, "in_flight": threads,
                       **mapped(model, settings, document, options, threads)}
                rows.append(row)
                log.info("%s", row)
    return rows


def load_documents(args, settings):
    tokenizer = load_model(settings.model)
    short = documents.natural(tokenizer.count_tokens, "cnndm", 1000, args.docs)
    long = documents.natural(tokenizer.count_tokens, "qmsum", 10000, 1)
    as_doc = lambda d: Document("", [Block(p, {"paragraph": i}) for i, p in  # noqa: E731
                                     enumerate(d.text.split("\n")) if p.strip()])
    return ([(as_doc(d), SummaryOptions(**d.options), d.name) for d in short],
            (as_doc(long[0]), SummaryOptions(**long[0].options, depth="thorough"), long[0].name))


def spread(values):
    """Median, min and max: with a handful of runs on a shared machine, quartiles would hide the
    worst run, and the worst run is what another process on the two cores does to us."""
    return statistics.median(values), min(values), max(values)


def in_flight_table(mapped_rows):
    """Per server and chunks in flight: median, min-max and n of the map phase and the whole."""
    keys = sorted({(r["server"], r["in_flight"]) for r in mapped_rows})
    lines = ["| server | in flight | chunks | map s median (min-max) | total s median (min-max) | n |",
             "|---|---|---|---|---|---|"]
    for server, in_flight in keys:
        runs = [r for r in mapped_rows if (r["server"], r["in_flight"]) == (server, in_flight)]
        m, t = spread([r["map_s"] for r in runs]), spread([r["total_s"] for r in runs])
        lines.append(f"| {server} | {in_flight} | {runs[0]['chunks']} | {m[0]:.1f} ({m[1]:.1f}-"
                     f"{m[2]:.1f}) | {t[0]:.1f} ({t[1]:.1f}-{t[2]:.1f}) | {len(runs)} |")
    return lines


def why_in_flight(mapped_rows):
    """What the chunks-in-flight runs showed, server by server, and why."""
    def median_map(server, in_flight):
        runs = [r["map_s"] for r in mapped_rows if (r["server"], r["in_flight"]) == (server, in_flight)]
        return statistics.median(runs) if runs else None
    lines = []
    for server in sorted({r["server"] for r in mapped_rows}):
        one, four = median_map(server, 1), median_map(server, 4)
        if one and four:
            lines.append(f"{server}: map phase {four / one:.2f}x the time with 4 in flight as with 1 "
                         "(medians).")
    chunks = max((r["chunks"] for r in mapped_rows), default=0)
    return [" ".join(lines), "",
            f"The document has {chunks} chunks, so \"4 in flight\" is {min(chunks, 4)} at most. "
            "llama-cpp-python's server runs one sequence at a time behind a lock: requests sent "
            "together only queue there, so no gain is to be had from it on any hardware, and on "
            "these two cores the differences are other processes' load. llama.cpp's llama-server "
            "decodes its busy slots as one batch; with a 135M model on a CPU each decode step is "
            "short enough that its fixed costs (thread wake-ups, sampling, the HTTP loop) probably weigh "
            "much, and a batch shares them. With a model large enough to keep both cores busy on "
            "arithmetic, the work grows with the number of sequences and we expect this gain to "
            "shrink (not measured here). On a GPU a "
            "decode step reads the weights once for the whole batch, so several sequences cost "
            "little more than one: that is where concurrency pays."]


def report(settings, rows, mapped_rows, seconds, load):
    ratios = [r["upstream_s"] / r["local_s"] for r in rows]
    median, low, high = spread(ratios)
    cpu_median, cpu_low, cpu_high = spread([r["upstream_cpu_s"] / r["local_cpu_s"] for r in rows])
    extra = [r["upstream_s"] - r["local_s"] for r in rows]
    same = sum(r["same_summary"] for r in rows)
    lines = [
        "## Bring your own inference server", "",
        f"`.venv/bin/python -m bench.upstream` ({time.strftime('%Y-%m-%d')}, {seconds / 60:.0f} min, "
        f"a shared 2-core machine: 1-minute load average {load[0]:.2f} at the start, {load[1]:.2f} "
        "at the end, other sessions' tests and benches running beside it). "
        f"Model `{Path(settings.resolved_model_path).stem}`, n_ctx "
        f"{settings.n_ctx}, {settings.n_threads} threads, n_batch {settings.n_batch}, seed "
        f"{settings.seed}, in process (backend llama-cpp) and behind llama-cpp-python's server "
        "on loopback (backend openai), the engine's own path (bench/direct.py) without queue.", "",
        f"**Overhead of the HTTP hop** on {len({r['doc'] for r in rows})} CNN/DM articles (about 1k "
        f"tokens, key points) x {len(rows) // max(1, len({r['doc'] for r in rows}))} alternating runs: "
        f"upstream / in-process wall time **{median:.2f}x** median (min-max {low:.2f}-{high:.2f}, "
        f"n={len(rows)}), "
        f"{statistics.median(extra):+.2f} s median per summary; CPU time (ours + the server's) "
        f"**{cpu_median:.2f}x** (min-max {cpu_low:.2f}-{cpu_high:.2f}); the same summary in "
        f"{same} of {len(rows)} runs.", "",
        "| document | in process s (cpu) | upstream s (cpu) | wall ratio | cpu ratio | same answer |",
        "|---|---|---|---|---|---|",
        *[f"| {r['doc'][:22]} | {r['local_s']:.2f} ({r['local_cpu_s']:.2f}) | {r['upstream_s']:.2f} "
          f"({r['upstream_cpu_s']:.2f}) | {r['upstream_s'] / r['local_s']:.2f} | "
          f"{r['upstream_cpu_s'] / r['local_cpu_s']:.2f} | {'yes' if r['same_summary'] else 'no'} |"
          for r in rows],
        "", "**Chunks in flight** (map calls at once, as SUMMARIZER_UPSTREAM_CONCURRENCY), a QMSum "
        "transcript by map-reduce:", "",
        *in_flight_table(mapped_rows), "",
        *why_in_flight(mapped_rows), "",
        "On a GPU, against llama-server (a CUDA build, `cmake -B build -DGGML_CUDA=ON -DLLAMA_CURL=OFF "
        "&& cmake --build build -t llama-server`; the script gives it `-np 4` and `-c` n_ctx x 4):", "",
        "    SUMMARIZER_TEST_LLAMA_SERVER=$PWD/build/bin/llama-server \\",
        "      .venv/bin/python -m bench.upstream --docs 6 --repeats 3 --gpu-layers -1", "",
        "(llama-cpp-python built with CUDA too: README). Against vLLM, or any server already running, measure the service itself: one worker, a long "
        "document with `depth=thorough`, SUMMARIZER_UPSTREAM_CONCURRENCY=1 then 8, reading the "
        "map stage from `/metrics` and `timings.generate_ms` from each result:", "",
        "    vllm serve Qwen/Qwen2.5-7B-Instruct --max-model-len 16384 --max-num-seqs 8",
        "    SUMMARIZER_BACKEND=openai SUMMARIZER_UPSTREAM_URL=http://gpu-box:8000/v1 \\",
        "      SUMMARIZER_UPSTREAM_CONCURRENCY=8 summarizer worker",
        "    curl -s localhost:8000/metrics | grep num_requests_running   # sequences batched at once",
        "    curl -s $API/metrics | grep 'summarizer_stage_duration_seconds.*map'", "",
        "llama-server's `/slots` shows its slots busy at once; its `-c` is shared by the slots, so "
        "give it n_ctx x slots.",
    ]
    write_section("## Bring your own inference server", "\n".join(lines) + "\n")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--docs", type=int, default=6)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--gpu-layers", type=int, default=0,
                        help="layers on the GPU, in process and in both servers alike; -1: all")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    reason = documents.available()
    if reason:
        sys.exit(reason)
    settings = Settings.from_mapping({"n_ctx": 4096, "n_threads": args.threads, "n_batch": 256,
                                      "n_gpu_layers": args.gpu_layers})
    began, load_before = time.perf_counter(), os.getloadavg()[0]
    docs, long_doc = load_documents(args, settings)
    rows = overhead(args, settings, docs)
    mapped_rows = concurrency(args, settings, long_doc)
    RESULTS.parent.mkdir(exist_ok=True)
    load = (load_before, os.getloadavg()[0])
    RESULTS.write_text(json.dumps({"overhead": rows, "concurrency": mapped_rows, "load": load},
                                  indent=1))
    report(settings, rows, mapped_rows, time.perf_counter() - began, load)


if __name__ == "__main__":
    main()
