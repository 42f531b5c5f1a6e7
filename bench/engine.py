"""llama.cpp's engine settings on long prompts: prompt and generation speed, and memory, per setting.

    .venv/bin/python -m bench.engine [--tokens 3500] [--runs 3]

Each combination (n_batch/n_ubatch, flash attention, KV cache type) loads the bundled model in a
fresh child process (as a worker would: one model per process), reads one prompt of about --tokens
tokens from a corpus transcript from an empty cache, then generates 64 tokens; --runs rounds (each
round runs every combination once, so a change of the machine's load falls on all alike) give
each figure's median and range. Prints a Markdown table; the defaults in summarizer/config.py
were chosen from it (bench/README.md, "Engine settings").
"""

import argparse
import json
import multiprocessing
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

COMBINATIONS = [
    # (n_batch, n_ubatch, flash_attn, kv_cache_type)
    (256, 256, False, "f16"), (512, 512, False, "f16"), (512, 256, False, "f16"),
    (256, 256, True, "f16"), (512, 512, True, "f16"), (256, 256, True, "q8_0"),
]


def _measure(combination, prompt_text, tokens, queue):
    import psutil

    from summarizer.config import Settings
    from summarizer.engine.llm import Model

    n_batch, n_ubatch, flash_attn, kv = combination
    settings = Settings.from_mapping({"n_ctx": 4096, "n_batch": n_batch, "n_ubatch": n_ubatch,
                                      "flash_attn": flash_attn, "kv_cache_type": kv})
    model = Model(settings.model)
    ids = model.llama.tokenize(prompt_text.encode(), add_bos=False)[:tokens]
    began = time.perf_counter()
    model.llama.reset()
    model.llama.eval(ids)
    prompt_s = time.perf_counter() - began
    generated, began = 0, time.perf_counter()
    for _ in range(64):
        token = model.llama.sample(temp=0.0)
        model.llama.eval([token])
        generated += 1
    generate_s = time.perf_counter() - began
    queue.put({"prompt_tps": len(ids) / prompt_s, "generate_tps": generated / generate_s,
               "rss_mib": psutil.Process().memory_info().rss / 2**20})


def measure(combination, prompt_text, tokens):
    queue = multiprocessing.get_context("spawn").Queue()
    process = multiprocessing.get_context("spawn").Process(
        target=_measure, args=(combination, prompt_text, tokens, queue))
    process.start()
    result = queue.get(timeout=600)
    process.join()
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--tokens", type=int, default=3500)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    corpus = REPO.parent / "shared" / "corpus" / "summarization" / "qmsum_val.jsonl"
    prompt_text = json.loads(corpus.read_text().splitlines()[0])["text"]
    print("| n_batch | n_ubatch | flash_attn | KV cache | prompt tok/s median (min-max) "
          "| generate tok/s median (min-max) | RSS MiB |")
    print("|---|---|---|---|---|---|---|")
    # Round-robin, so a change in the machine's load falls on every combination alike.
    results = {combination: [] for combination in COMBINATIONS}
    for _ in range(args.runs):
        for combination in COMBINATIONS:
            results[combination].append(measure(combination, prompt_text, args.tokens))
    for combination in COMBINATIONS:
        runs = results[combination]

        def figure(key):
            values = [r[key] for r in runs]
            return f"{statistics.median(values):.0f} ({min(values):.0f}-{max(values):.0f})"

        print(f"| {' | '.join(str(c) for c in combination)} | {figure('prompt_tps')} | "
              f"{figure('generate_tps')} | {max(r['rss_mib'] for r in runs):.0f} |", flush=True)


if __name__ == "__main__":
    main()
