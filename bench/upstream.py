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

Writes the "## Upstream backend" section of bench/README.md and bench/results/upstream.json.
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


def llama_cpp_python_server(model_path, n_ctx, threads, batch):
    port = free_port()
    return Server([sys.executable, "-m", "llama_cpp.server", "--model", model_path,
                   "--host", "127.0.0.1", "--port", str(port), "--n_ctx", str(n_ctx),
                   "--n_threads", str(threads), "--n_batch", str(batch),
                   "--interrupt_requests", "false"], port)


def llama_server(binary, model_path, n_ctx, threads, batch, slots):
    port = free_port()
    return Server([binary, "-m", model_path, "--host", "127.0.0.1", "--port", str(port),
                   "-c", str(n_ctx * slots), "-np", str(slots), "-t", str(threads),
                   "-b", str(batch)], port)


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
                                 settings.n_batch) as server:
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
        settings.resolved_model_path, settings.n_ctx, settings.n_threads, settings.n_batch))]
    binary = os.environ.get("SUMMARIZER_TEST_LLAMA_SERVER") or shutil.which("llama-server")
    if binary:
        servers.append(("llama-server -np 4", lambda: llama_server(
            binary, settings.resolved_model_path, settings.n_ctx, settings.n_threads,
            settings.n_batch, 4)))
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
    q = statistics.quantiles(values, n=4) if len(values) > 1 else values * 3
    return statistics.median(values), q[0], q[-1]


def report(settings, rows, mapped_rows, seconds):
    ratios = [r["upstream_s"] / r["local_s"] for r in rows]
    median, low, high = spread(ratios)
    cpu_median, cpu_low, cpu_high = spread([r["upstream_cpu_s"] / r["local_cpu_s"] for r in rows])
    extra = [r["upstream_s"] - r["local_s"] for r in rows]
    same = sum(r["same_summary"] for r in rows)
    lines = [
        "## Upstream backend", "",
        f"`.venv/bin/python -m bench.upstream` ({time.strftime('%Y-%m-%d')}, {seconds / 60:.0f} min, "
        f"a shared 2-core machine). Model `{Path(settings.resolved_model_path).stem}`, n_ctx "
        f"{settings.n_ctx}, {settings.n_threads} threads, n_batch {settings.n_batch}, seed "
        f"{settings.seed}, in process (backend llama-cpp) and behind llama-cpp-python's server "
        "on loopback (backend openai), the engine's own path (bench/direct.py) without queue.", "",
        f"**Overhead of the HTTP hop** on {len({r['doc'] for r in rows})} CNN/DM articles (about 1k "
        f"tokens, key points) x {len(rows) // max(1, len({r['doc'] for r in rows}))} alternating runs: "
        f"upstream / in-process wall time **{median:.2f}x** (quartiles {low:.2f}-{high:.2f}), "
        f"{statistics.median(extra):+.2f} s median per summary; CPU time (ours + the server's) "
        f"**{cpu_median:.2f}x** (quartiles {cpu_low:.2f}-{cpu_high:.2f}); the same summary in "
        f"{same} of {len(rows)} runs.", "",
        "| document | in process s (cpu) | upstream s (cpu) | wall ratio | cpu ratio | same answer |",
        "|---|---|---|---|---|---|",
        *[f"| {r['doc'][:22]} | {r['local_s']:.2f} ({r['local_cpu_s']:.2f}) | {r['upstream_s']:.2f} "
          f"({r['upstream_cpu_s']:.2f}) | {r['upstream_s'] / r['local_s']:.2f} | "
          f"{r['upstream_cpu_s'] / r['local_cpu_s']:.2f} | {'yes' if r['same_summary'] else 'no'} |"
          for r in rows],
        "", "**Chunks in flight** (map calls at once, as SUMMARIZER_UPSTREAM_CONCURRENCY), a QMSum "
        "transcript by map-reduce:", "",
        "| server | in flight | chunks | map s | total s |", "|---|---|---|---|---|",
        *[f"| {r['server']} | {r['in_flight']} | {r['chunks']} | {r['map_s']} | {r['total_s']} |"
          for r in mapped_rows], "",
        "No gain is to be had from llama-cpp-python's server: it runs one sequence at a time behind a "
        "lock, so four requests only queue there. llama-server batches its slots, but on two CPU "
        "cores decoding is bound by the cores themselves, not by reading the weights, so four "
        "sequences share the same arithmetic; on a GPU one step for four sequences costs little "
        "more than for one, which is where concurrency pays.", "",
        "On a GPU: start `llama-server -m model.gguf -ngl 99 -c 32768 -np 8` (or `vllm serve "
        "<model> --max-num-seqs 8`), point `SUMMARIZER_UPSTREAM_URL` at it, and compare a long "
        "document with `depth=thorough` at SUMMARIZER_UPSTREAM_CONCURRENCY=1 and =8 (one worker; "
        "`summarizer_stage_duration_seconds{stage=\"map\"}` and the result's `timings.generate_ms`), "
        "or run this script with SUMMARIZER_TEST_LLAMA_SERVER set to a CUDA build. llama-server's "
        "`/slots` shows the slots busy at once; its `-c` is shared by the slots, so give it "
        "n_ctx x slots.",
    ]
    write_section("## Upstream backend", "\n".join(lines) + "\n")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--docs", type=int, default=6)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    reason = documents.available()
    if reason:
        sys.exit(reason)
    settings = Settings.from_mapping({"n_ctx": 4096, "n_threads": args.threads, "n_batch": 256})
    began = time.perf_counter()
    docs, long_doc = load_documents(args, settings)
    rows = overhead(args, settings, docs)
    mapped_rows = concurrency(args, settings, long_doc)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps({"overhead": rows, "concurrency": mapped_rows}, indent=1))
    report(settings, rows, mapped_rows, time.perf_counter() - began)


if __name__ == "__main__":
    main()
