"""A worker's memory over its first jobs: RSS and how often the model file is mapped, after 1 and
after N jobs through `summarizer serve` (the check behind "one model per worker").

    .venv/bin/python -m bench.worker_memory [--jobs 20]
    .venv/bin/python -m bench.worker_memory --questions 30 --cache-mb 64 [--summaries]

Runs the service of the current directory's `summarizer` package (run it from another checkout to
measure that one), one worker, short texts with `cache` off; prints one Markdown row.

With `--questions N`: a question about each of N different CNN/DM articles
(../shared/corpus/summarization), with SUMMARIZER_READING_CACHE_MB=`--cache-mb`: each question
leaves a kept reading (engine/readings.py), so the worker's RSS grows with the readings until the
bound, then stays. Prints RSS after each tenth question beside the bound. `--summaries`: a
headline of each article instead, which keeps its reading too (issue 25.4).
"""

import argparse
import json
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.service import Service  # noqa: E402

TEXT = ("The council approved the budget on Tuesday. It adds two bus lines and a library branch. "
        "Work starts in March and ends next year, the mayor said.")


def model_mappings(process, path):
    """MiB of `path` mapped into `process` (psutil.Process), summed over its mappings."""
    return sum(m.rss for m in process.memory_maps(grouped=True) if m.path == path) / 2**20, \
        sum(1 for m in process.memory_maps(grouped=False) if m.path == path)


ARTICLES = REPO.parent / "shared" / "corpus" / "summarization" / "frank_cnndm_test.jsonl"


def questions(count, cache_mb, summaries=False):
    """Worker RSS (MiB) after questions about (or with `summaries`, headlines of) `count` different
    articles, with a reading bound of `cache_mb`; prints a row per tenth."""
    asked = {"type": "headline"} if summaries else {"query": "What happened?", "type": "headline"}
    articles = [json.loads(line)["text"] for line in ARTICLES.read_text("utf-8").splitlines()][:count]
    rows = []
    with Service(workers=1, extra_env={"SUMMARIZER_READING_CACHE_MB": str(cache_mb)}) as service:
        worker = service.processes()["worker"][0]
        rows.append((0, worker.memory_info().rss / 2**20, 0, 0))
        for number, text in enumerate(articles, start=1):
            _, _, result = service.wait_json(text, {"cache": False, **asked})
            if number % 10 == 0 or number in (1, count):
                usage = result["usage"]
                rows.append((number, worker.memory_info().rss / 2**20, usage["prompt_tokens"],
                             usage["cached_tokens"]))
    print(f"| {'headlines' if summaries else 'questions'} asked | worker RSS MiB (bound {cache_mb} MiB of "
          "readings) | prompt tokens of the last |")
    print("|---|---|---|")
    for number, rss, prompt, _ in rows:
        print(f"| {number} | {rss:.0f} | {prompt} |")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--jobs", type=int, default=20)
    parser.add_argument("--questions", type=int, default=0)
    parser.add_argument("--cache-mb", type=int, default=64)
    parser.add_argument("--summaries", action="store_true", help="with --questions: headlines instead")
    args = parser.parse_args(argv)
    if args.questions:
        return questions(args.questions, args.cache_mb, args.summaries)
    from summarizer.config import default_model_path

    model_file = os.path.realpath(default_model_path())
    rows = []
    with Service(workers=1) as service:
        worker = service.processes()["worker"][0]
        for number in range(1, args.jobs + 1):
            service.wait_json(f"{TEXT} Item {number}.", {"cache": False})
            if number in (1, args.jobs):
                mapped, regions = model_mappings(worker, model_file)
                rows.append((number, worker.memory_info().rss / 2**20, mapped, regions))
    print("| after jobs | worker RSS MiB | model file resident MiB | mappings of the model file |")
    print("|---|---|---|---|")
    for number, rss, mapped, regions in rows:
        print(f"| {number} | {rss:.0f} | {mapped:.0f} | {regions} |")


if __name__ == "__main__":
    main()
