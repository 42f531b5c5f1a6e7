"""A worker's memory over its first jobs: RSS and how often the model file is mapped, after 1 and
after N jobs through `summarizer serve` (the check behind "one model per worker").

    .venv/bin/python -m bench.worker_memory [--jobs 20]

Runs the service of the current directory's `summarizer` package (run it from another checkout to
measure that one), one worker, short texts with `cache` off; prints one Markdown row.
"""

import argparse
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


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--jobs", type=int, default=20)
    args = parser.parse_args(argv)
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
