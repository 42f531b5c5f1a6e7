"""Load benchmark: many open event streams and a burst of submissions against `summarizer serve`.

    .venv/bin/python -m bench.load [--streams 200] [--burst 500] [--seconds 300] [--max-queue 250]

Starts the real service (bench/service.py: `summarizer serve` with embedded Redis, one worker
with the real model, gunicorn+gevent) in a temporary data directory on a free loopback port, then
from this second process on 127.0.0.1 only:

1. queues `--fillers` jobs, then `--stream-jobs` jobs behind them, so the streams below stay open
   while the worker drains the fillers (they see queue positions, then tokens, then `done`);
2. opens `--streams` SSE clients spread over the stream jobs (GET /jobs/<id>/events) and measures
   each one's time to its first event;
3. fires `--burst` POST /summarize submissions (distinct texts, cache=false) from 50 threads while
   the streams are open: 202 accepted, 429 refused (max_queue), anything else failed;
4. polls every accepted job until it ends or the time bound, then cancels what is still queued and
   checks that each accepted job is accounted for (finished, failed with a reason, or canceled);
   a job that is unknown (404) or otherwise unaccounted for is "lost".

Throughout, GET /healthz is timed every 100 ms (are new requests answered while the streams are
open?) and the gunicorn processes' CPU and RSS are sampled with psutil (bench/load_clients.py).
Prints the figures as JSON.
"""

import argparse
import json
import logging
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import requests

from bench.load_clients import Counter, Prober, Sampler, StreamClient
from bench.service import Service

TERMINAL = ("finished", "failed", "canceled")
WORDS = ("river harbour engine council budget winter library festival railway orchard bridge "
         "market school storm vaccine museum ferry canal garden tunnel").split()


def text_for(index):
    """A short distinct paragraph (distinct texts and cache=false: every job is real work)."""
    picked = [WORDS[(index * 7 + i * 3) % len(WORDS)] for i in range(6)]
    return (f"Report {index}: the town discussed its {picked[0]} and {picked[1]}. Officials said the "
            f"{picked[2]} would reopen after the {picked[3]} repairs, while residents asked about "
            f"the {picked[4]} and the {picked[5]}. A decision is expected next month.")


def submit(session, url, index):
    """POST one distinct text; returns (status, job_id or None, seconds, Retry-After)."""
    began = time.perf_counter()
    try:
        response = session.post(url + "/summarize", json={"text": text_for(index), "cache": False},
                                timeout=60)
    except requests.RequestException as exc:
        return f"exception {type(exc).__name__}", None, time.perf_counter() - began, None
    seconds = time.perf_counter() - began
    job_id = response.json().get("job_id") if response.status_code == 202 else None
    return response.status_code, job_id, seconds, response.headers.get("Retry-After")


def burst(url, count, offset, threads=50):
    """`count` submissions from `threads` threads at once."""
    local = threading.local()

    def one(index):
        if not hasattr(local, "session"):
            local.session = requests.Session()
        return submit(local.session, url, index)

    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(one, range(offset, offset + count)))


def account(url, job_ids, deadline):
    """Poll accepted jobs until all end or the deadline; cancel the rest; return their states."""
    session = requests.Session()
    states = {}
    pending = list(job_ids)
    while pending and time.monotonic() < deadline:
        still = []
        for job_id in pending:
            states[job_id] = _status(session, url, job_id)
            if states[job_id] not in TERMINAL:
                still.append(job_id)
        pending = still
        time.sleep(2)
    left_running = {job_id: states.get(job_id) for job_id in pending}
    for job_id in pending:  # the time bound: stop the worker's backlog, then check it is accounted
        session.delete(f"{url}/jobs/{job_id}", timeout=30)
    time.sleep(3)
    for job_id in pending:
        states[job_id] = _status(session, url, job_id)
    return states, left_running


def _status(session, url, job_id):
    try:
        response = session.get(f"{url}/jobs/{job_id}", timeout=30)
    except requests.RequestException:
        return "unreachable"
    if response.status_code == 404:
        return "lost (404)"
    if response.status_code != 200:
        return f"http {response.status_code}"
    body = response.json()
    if body["status"] == "failed" and (body.get("error") or {}).get("code") == "worker_lost":
        return "lost (worker)"
    return body["status"]


def _range(values):
    values = list(values)
    return (min(values), max(values)) if values else None


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else float("nan")


def run(args):
    """The whole benchmark against a started service; returns the report's figures."""
    env = {"SUMMARIZER_MAX_TOKENS": str(args.max_tokens), "SUMMARIZER_MAX_QUEUE": str(args.max_queue),
           "SUMMARIZER_HEARTBEAT_SECONDS": "5"}
    with Service(workers=1, extra_env=env) as service:
        url = service.base
        figures = {"port": service.port}
        sampler, counter = Sampler(lambda: service.processes()["api"]), Counter()
        prober = Prober(url, lambda: counter.value)
        sampler.start()
        prober.start()
        began = time.monotonic()
        deadline = began + args.seconds
        first = burst(url, args.fillers + args.stream_jobs, 0, threads=1)  # in queue order
        stream_jobs = [job for _, job, _, _ in first[args.fillers:] if job]
        clients = [StreamClient(url, stream_jobs[i % len(stream_jobs)], deadline, counter)
                   for i in range(args.streams)]
        for client in clients:
            client.start()
        wait_until = time.monotonic() + 30
        while counter.value < args.streams and time.monotonic() < wait_until:
            time.sleep(0.05)
        figures["streams_open_at_burst"] = counter.value
        burst_began = time.monotonic()
        results = burst(url, args.burst, 10_000)
        figures["burst_seconds"] = time.monotonic() - burst_began
        for client in clients:
            client.join(max(0.1, deadline - time.monotonic()))
        figures["streams_ended_at"] = time.monotonic() - began
        accepted = [job for _, job, _, _ in first + results if job]
        states, left = account(url, accepted, deadline)
        prober.done.set()
        sampler.done.set()
        figures.update(collect(first, results, clients, states, left, prober, sampler, counter))
        figures["seconds"] = time.monotonic() - began
        return figures


def collect(first, results, clients, states, left, prober, sampler, counter):
    """Counts and distributions of everything measured."""
    statuses = {}
    for status, _, _, _ in results:
        statuses[str(status)] = statuses.get(str(status), 0) + 1
    outcome = {}
    for state in states.values():
        outcome[state] = outcome.get(state, 0) + 1
    ttfe = [c.first_event for c in clients if c.first_event is not None]
    busy = [s for s, open_ in prober.samples if open_ >= 100]
    burst_latency = [seconds for status, _, seconds, _ in results if status in (202, 429)]
    return {
        "pre_jobs_accepted": sum(1 for _, job, _, _ in first if job),
        "burst": statuses,
        "retry_after_range": _range(int(r) for s, _, _, r in results if s == 429 and r),
        "submit_p50": percentile(burst_latency, 0.5), "submit_p99": percentile(burst_latency, 0.99),
        "streams": len(clients), "streams_peak": counter.peak,
        "stream_finals": {k: sum(1 for c in clients if c.final == k) for k in ("done", "error", None)},
        "stream_errors": [c.error for c in clients if c.error][:5],
        "failed": sum(v for k, v in statuses.items() if k not in ("202", "429"))
        + sum(1 for c in clients if c.error or c.first_event is None),
        "ttfe_p50": percentile(ttfe, 0.5), "ttfe_p99": percentile(ttfe, 0.99), "ttfe_n": len(ttfe),
        "job_outcomes": outcome, "left_at_deadline": len(left),
        "lost": sum(v for k, v in outcome.items() if k.startswith("lost") or k in
                    ("unreachable",) or k.startswith("http")),
        "healthz_p50": percentile(busy, 0.5), "healthz_p99": percentile(busy, 0.99),
        "healthz_max": max(busy, default=float("nan")), "healthz_n_busy": len(busy),
        "healthz_all_p99": percentile([s for s, _ in prober.samples], 0.99),
        "healthz_failures": prober.failures,
        "api_cpu_mean": statistics.fmean(sampler.cpu) if sampler.cpu else float("nan"),
        "api_cpu_max": max(sampler.cpu, default=float("nan")),
        "api_rss_max_mib": max(sampler.rss, default=0) / 2**20,
        "api_rss_start_mib": (sampler.rss[0] if sampler.rss else 0) / 2**20,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--streams", type=int, default=200)
    parser.add_argument("--burst", type=int, default=500)
    parser.add_argument("--stream-jobs", type=int, default=4)
    parser.add_argument("--fillers", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=300, help="bound on the whole run")
    parser.add_argument("--max-tokens", type=int, default=16)
    parser.add_argument("--max-queue", type=int, default=250)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    figures = run(args)
    print(json.dumps(figures, indent=2, default=str))
    return 1 if figures["failed"] or figures["lost"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
