"""Which model a process uses, and what every backend and every caller of the engine provides.

`SUMMARIZER_BACKEND` picks the backend here and nowhere else: `llama-cpp` is engine/llm.py (a GGUF
run in this process), `openai` is engine/remote.py (an OpenAI-compatible server). The worker asks
for its model (`load_backend`), the API for a tokenizer to plan with (`tokenizer_for`), /readyz
whether an upstream must answer (`uses_upstream`). llm.py and remote.py know nothing of each
other's choice; remote.py reads a local GGUF's tokenizer through llm.py, never the other way.

The interfaces below were only written in docstrings before; they are Protocols so a new backend
(or a test's stand-in) can be checked against them.
"""

import functools
import logging
from typing import Callable, Iterator, Protocol

from summarizer.engine import llm, remote
from summarizer.engine.estimate import EstimatedTokenizer
from summarizer.errors import ModelError, UpstreamError

log = logging.getLogger(__name__)

UPSTREAM = "openai"
"""The `SUMMARIZER_BACKEND` value of an OpenAI-compatible server; anything else is a local GGUF
(config.py bounds the setting to the two)."""


class Tokenizer(Protocol):
    """Counts as the model reads: what the API plans with and every prompt is sized by."""

    n_ctx: int

    def count_tokens(self, text: str) -> int: ...

    def prompt_length(self, messages: list) -> int: ...

    def truncate(self, text: str, tokens: int) -> str: ...


class Generation(Protocol):
    """One completion: iterate it for text pieces; counts and the finish reason fill in as it goes."""

    prompt_tokens: int
    completion_tokens: int
    cached_tokens: int
    """Prompt tokens the model did not read again (its cache held them)."""
    finish_reason: str | None

    def __iter__(self) -> Iterator[str]: ...


class Model(Tokenizer, Protocol):
    """A model a worker generates with (llm.Model, remote.UpstreamModel)."""

    name: str
    grammar_support: str
    """Where a GBNF grammar binds: "local", "upstream" or "none" (the guard alone)."""
    concurrency: int
    """Jobs one worker may run on it at once."""
    parameters: int
    """Its weights, 0 when unknown (an upstream server's): prompts.marks reads it; optional."""

    def generate(self, messages: list, *, max_tokens: int, temperature: float, seed: int,
                 grammar: str | None = None, repeat_penalty: float = 1.1,
                 on_prefill: Callable[[int, int], None] | None = None,
                 kept: str = "") -> Generation: ...


class Run(Protocol):
    """What the caller of the engine provides around the model (a worker's JobContext, the
    benchmark's direct context, a test); the engine never talks to Redis or the queue itself."""

    model: Model
    settings: object
    """config.Settings: temperature, seed, max_tokens and selection_tokens are read."""

    def check_cancel(self) -> None:
        """Raises JobCanceled when the client has gone."""

    def emit(self, event: str, data: dict) -> None:
        """A client event: `token`, `status` `retrying`."""

    def progress(self, stage: str, done: int, total: int, **extra) -> None: ...

    def measured(self, stage: str, seconds: float, tokens: int) -> None: ...

    def recovered(self, step: str) -> None: ...


def uses_upstream(settings):
    """Whether `settings` (config.Settings) put the model on an upstream server."""
    return settings.backend == UPSTREAM


def load_backend(settings):
    """The process's model for `settings`: the GGUF loaded here, or the client of the upstream
    server, which loads nothing."""
    if uses_upstream(settings):
        return remote.load_upstream(settings.upstream)
    return llm.load_model(settings.model)


def tokenizer_for(settings):
    """What the API plans with: the model's own tokenizer (no weights), the upstream's counts, or
    the estimate (engine/estimate.py, which errs high) where neither can be had here."""
    if uses_upstream(settings):
        return _upstream_tokenizer(settings)
    try:
        return llm.load_tokenizer(settings.model)
    except ModelError as error:
        log.warning("sizing chunks by estimate: %s", error.message)
        return EstimatedTokenizer(settings.n_ctx)


def _upstream_tokenizer(settings):
    """The upstream's counts, asked once per call (a request must not wait out the workers'
    back-off); the estimate while the server cannot be reached."""
    tokenizer = _upstream_counter(settings.upstream)
    try:
        tokenizer.server()
    except UpstreamError as error:
        log.warning("sizing chunks by estimate: %s", error.message)
        return EstimatedTokenizer(settings.n_ctx)
    return tokenizer


@functools.lru_cache(maxsize=2)
def _upstream_counter(upstream_settings):
    return remote.UpstreamModel(upstream_settings, retries=0)
