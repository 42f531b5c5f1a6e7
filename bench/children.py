"""The in-process systems (llama.cpp direct, LangChain), each in a child process of its own.

Like the service's worker, each holds one model in its own process, loaded once (on its first call,
before any timer starts) and kept: so neither shares memory, caches or threads with the other or
with the benchmark driver, and each one's peak memory can be read apart. Timings are taken inside
the child (no inter-process transfer in them).
"""

import concurrent.futures
import functools
import multiprocessing
import os

import psutil

THREADS = 2
"""Cores of the reference machine; every system gets them all."""


class Child:
    """One spawned process that runs the calls it is given, one at a time."""

    def __init__(self):
        self.pool = concurrent.futures.ProcessPoolExecutor(
            max_workers=1, mp_context=multiprocessing.get_context("spawn"))
        self.pid = self.pool.submit(os.getpid).result()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.pool.shutdown(wait=True, cancel_futures=True)

    def call(self, function, *args):
        return self.pool.submit(function, *args).result()

    def roles(self):
        """For memory.PeakRSS: this child as the only process."""
        return {"process": [psutil.Process(self.pid)]}


@functools.lru_cache(maxsize=1)
def settings_for(n_ctx):
    """The benchmark's settings: the environment's, with THREADS threads and `n_ctx` if set."""
    from summarizer.config import Settings

    return Settings.from_env(overrides={"n_threads": THREADS, **({"n_ctx": n_ctx} if n_ctx else {})})


def direct_summary(n_ctx, data, options):
    """In the child: the worker's model calls on the document `data` (see bench/direct.py)."""
    from bench import direct
    from summarizer.extract import text as text_format
    from summarizer.engine.llm import load_model
    from summarizer.options import SummaryOptions

    settings = settings_for(n_ctx)
    model = load_model(settings.model)
    return direct.summarize(model, settings, text_format.extract_bytes(data), SummaryOptions(**options))


@functools.lru_cache(maxsize=1)
def _chain(n_ctx):
    from bench.langchain_baseline import LangChainSummarizer
    from summarizer.engine.llm import load_tokenizer

    settings = settings_for(n_ctx)
    return LangChainSummarizer(settings, load_tokenizer(settings.model))


def langchain_summary(n_ctx, text):
    """In the child: LangChain's map_reduce chain on `text` (see bench/langchain_baseline.py)."""
    return _chain(n_ctx).summarize(text)


def load(n_ctx, system):
    """In the child: load `system`'s model now, so that no timed call pays for it."""
    if system == "direct":
        from summarizer.engine.llm import load_model

        load_model(settings_for(n_ctx).model)
    else:
        _chain(n_ctx)
    return os.getpid()
