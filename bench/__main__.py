"""`make bench` / `python -m bench`: every benchmark's default set, one after the other.

Each runs in its own process (its own model, its own logging; one failing does not stop the
rest) and writes its own section of bench/README.md and its plots:

- extraction (bench/extraction.py): HTML quality vs trafilatura, PDF/Word throughput;
- performance (bench/perf.py): overhead vs llama.cpp direct, LangChain, scaling, latency, workers;
- summary quality (bench/quality.py) on a subset (QUALITY_QUICK).

The default set is sized to finish in about 15 minutes on 2 CPU cores; `--full` runs the large
sets (50k/100k-token documents, every quality document) and takes hours there. The load test
(bench/load.py: hundreds of streams, a burst of submissions, bounded at 5 minutes) has no quick
mode and prints rather than writes its report, so it runs only with `--full`.
"""

import argparse
import logging
import subprocess
import sys
import time
from pathlib import Path

log = logging.getLogger("bench")
REPO = Path(__file__).resolve().parents[1]

QUALITY_QUICK = ["--n", "2", "--sets", "cnndm,xsum,scitldr"]
"""Quality subset for routine runs: 2 documents of each short set (its table states n), about 40 s
on 2 idle cores, where its own default (20 each + 5 QMSum) takes most of an hour. It writes its own
section ("Summary quality, routine subset"), so the default run's table stays in the README. QMSum is left to
`--full` here: one transcript costs 45 s, and the performance step already scores the service on
QMSum transcripts (by map-reduce over the whole of each, where quality.py reads only the head)."""


def steps(full):
    """(name, command) of each benchmark in the order run: quick ones first."""
    python = sys.executable
    return [
        ("extraction", [python, "bench/extraction.py"]),
        ("performance", [python, "-m", "bench.perf", *(["--full"] if full else [])]),
        ("quality", [python, "bench/quality.py", *(["--full"] if full else QUALITY_QUICK)]),
        *([("load", [python, "-m", "bench.load"])] if full else []),
    ]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--full", action="store_true", help="the large sets (hours on 2 cores)")
    parser.add_argument("--only", default="", help="comma-separated step names: extraction,performance,quality,load")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    chosen = [s for s in steps(args.full) if not args.only or s[0] in args.only.split(",")]
    outcomes = []
    began = time.perf_counter()
    for name, command in chosen:
        log.info("running %s: %s", name, " ".join(command[1:]))
        started = time.perf_counter()
        code = subprocess.run(command, cwd=REPO).returncode
        outcomes.append((name, code, time.perf_counter() - started))
        log.info("%s %s in %.0f s", name, "done" if code == 0 else f"FAILED ({code})", outcomes[-1][2])
    for name, code, seconds in outcomes:
        log.info("%-12s %-10s %6.0f s", name, "ok" if code == 0 else f"exit {code}", seconds)
    log.info("all benchmarks: %.0f s", time.perf_counter() - began)
    return max((code for _, code, _ in outcomes), default=0)


if __name__ == "__main__":
    sys.exit(main())
