"""Time to something worth reading: the `preview` event and `done` through `summarizer serve`, for
documents of about 1k, 10k, 50k and 100k tokens, with the worker idle and with it busy.

    .venv/bin/python -m bench.firstsecond [--runs 5] [--sizes 1000,10000,50000,100000] [--thorough]

Documents are QMSum meeting transcripts (../shared/corpus) joined and cut to size, uploaded as
text files (multipart, as the CLI does), `cache` off and each request's text made unique. Times are
seconds from just before the upload to the event's arrival at the client. "busy": a long job of
the same size is running on the (only) worker while the request is made. With --thorough, one
`depth=thorough` run of each size up to 10k tokens is added for comparison (map-reduce on 2 cores
takes minutes per 10k tokens). Prints a Markdown table (bench/README.md, "First second").
"""

import argparse
import json
import statistics
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.service import Service  # noqa: E402
from summarizer.config import Settings  # noqa: E402
from summarizer.engine.llm import load_tokenizer  # noqa: E402

CORPUS = REPO.parent / "shared" / "corpus" / "summarization" / "qmsum_val.jsonl"


def transcript_lines():
    return [line for row in map(json.loads, CORPUS.read_text().splitlines()) for line in row["text"].split("\n")]


def document(lines, tokens, count_tokens, start=0):
    """About `tokens` tokens of meeting transcripts (whole lines), from line `start` on (wrapping).

    Each run reads from another start: the worker's llama.cpp context keeps the last prompt and
    reuses its longest common prefix, so a second run over the same text would time a cache hit
    (3.5-4.7 s instead of 10-17 s for a first reading), which a newly opened page never gets."""
    picked, total = [], 0
    for line in lines[start:] + lines[:start]:
        if total >= tokens:
            break
        picked.append(line)
        total += count_tokens(line) + 1
    return "\n".join(picked), total


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def timed(service, text, options):
    """(seconds to the preview event, seconds to done, result) of one streamed request."""
    result, stamps, events = service.summarize(text.encode(), options)
    preview = next(t for t, name, _ in events if name == "preview")
    assert events[0][1] == "preview", "the preview is the first event"
    return preview, stamps["end"], result


def run_size(service, texts, blockers=()):
    """Preview and done times of one request per text; with `blockers`, each while the worker
    summarizes the blocker of the same number."""
    previews, dones = [], []
    for number, text in enumerate(texts):
        blocker = None
        if blockers:
            blocker = threading.Thread(target=service.summarize,
                                       args=((blockers[number] + f"\n\nBlocker {time.time()}.").encode(),
                                             {"cache": False, "type": "tldr", "length": "long"}))
            blocker.start()
            time.sleep(1.5)  # let the worker take the blocking job first
        preview, done, _ = timed(service, text + f"\n\nRun {number} {time.time()}.", {"cache": False})
        previews.append(preview)
        dones.append(done)
        if blocker:
            blocker.join()
    return previews, dones


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sizes", default="1000,10000,50000,100000")
    parser.add_argument("--thorough", action="store_true")
    args = parser.parse_args(argv)
    tokenizer = load_tokenizer(Settings.from_env().model)
    rows = []
    with Service(workers=1) as service:
        service.summarize(b"Warm-up. " * 20, {"cache": False, "type": "headline"})
        lines = transcript_lines()
        for size in (int(s) for s in args.sizes.split(",")):
            # Starts spread over the corpus: every request, blocker or timed, is a new document.
            made = [document(lines, size, tokenizer.count_tokens, start=n * len(lines) // (3 * args.runs + 1))
                    for n in range(3 * args.runs + 1)]
            tokens = round(statistics.median(count for _, count in made))
            texts = [text for text, _ in made]
            text = texts[-1]
            for busy in (False, True):
                timed_texts = texts[args.runs:2 * args.runs] if busy else texts[:args.runs]
                previews, dones = run_size(service, timed_texts, texts[2 * args.runs:3 * args.runs] if busy else ())
                rows.append((tokens, "busy" if busy else "idle", "fast", previews, dones))
                print(f"{tokens} tokens {'busy' if busy else 'idle'}: preview {previews} done {dones}", flush=True)
            if args.thorough and size <= 10000:
                preview, done, result = timed(service, text + f"\n\nThorough {time.time()}.",
                                              {"cache": False, "depth": "thorough"})
                rows.append((tokens, "idle", "thorough", [preview], [done]))
    print("| tokens | worker | depth | n | preview p50 / p95 / max s | done p50 / p95 / max s |")
    print("|---|---|---|---|---|---|")
    for tokens, state, depth, previews, dones in rows:
        spread = lambda v: f"{statistics.median(v):.2f} / {percentile(v, 0.95):.2f} / {max(v):.2f}"  # noqa: E731
        print(f"| {tokens} | {state} | {depth} | {len(previews)} | {spread(previews)} | {spread(dones)} |")


if __name__ == "__main__":
    main()
