"""The model behind an OpenAI-compatible server (backend `openai`), with engine/backend.py's Model:
`generate(messages, ...)` gives a Generation to iterate for text pieces; `count_tokens`,
`prompt_length`, `truncate`, `n_ctx` and `name` size the prompts. Nothing is loaded: the worker
needs no GPU, and several jobs of one worker may call the server at once (it batches them).

Tokens are counted by the server where it can (llama-server, vLLM, llama-cpp-python's server),
else by a local GGUF's tokenizer (`upstream_tokenizer`), else by engine/estimate.py's estimate,
which errs high. The context is the smaller of the server's own (where it says) and `n_ctx`.
"""

import functools
import itertools
import logging
import threading

from summarizer.engine import estimate, llm
from summarizer.engine.stream import RemoteGeneration
from summarizer.engine.upstream import Upstream, UpstreamError, UpstreamUnavailable

log = logging.getLogger(__name__)

GRAMMAR_FIELDS = {"llama-server": "grammar", "llama-cpp-python": "grammar", "vllm": "vllm"}
"""Servers that sample under a GBNF grammar, and how they are told (vLLM: see _grammar_body)."""

PENALTY_FIELDS = {"llama-server": "repeat_penalty", "llama-cpp-python": "repeat_penalty",
                  "vllm": "repetition_penalty"}
"""The repeat penalty's name on servers that take one; others get only standard OpenAI fields
(OpenAI's own API refuses unknown ones)."""

COUNT_CACHE_SIZE = 8192
"""Texts whose token counts are kept: sentence selection counts every sentence, and a retry or the
reduce step counts the same ones again."""


class UpstreamModel:
    """A chat model served by an OpenAI-compatible server; thread-safe."""

    def __init__(self, settings, retries=None):
        """`settings`: config.UpstreamSettings; `retries` overrides its retries (the API asks once)."""
        self.settings = settings
        self.upstream = Upstream(settings)
        self.retries = settings.retries if retries is None else retries
        self._server = None
        self._lock = threading.Lock()
        self._grammar_refused = False
        self._local_tokenizer = None
        self.count_tokens = functools.lru_cache(maxsize=COUNT_CACHE_SIZE)(self._count)

    # --- what the server is ------------------------------------------------------------------
    def server(self, retries=None):
        """The probe's findings, learned on first use and kept (asked again after a failure)."""
        with self._lock:
            if self._server is None:
                self._server = self.upstream.probe(self.retries if retries is None else retries)
                log.info("upstream %s: %s, model %s, context %s, slots %s", self.upstream.where,
                         self._server.kind, self._server.model, self._server.n_ctx, self._server.slots)
                if self._server.n_ctx and self._server.n_ctx < self.settings.n_ctx:
                    log.warning("the upstream's context (%d) is smaller than n_ctx (%d): using %d",
                                self._server.n_ctx, self.settings.n_ctx, self._server.n_ctx)
            return self._server

    def unavailable(self):
        """The UpstreamUnavailable error while the server cannot be reached now, else None (one
        quick request; a server that answers but refuses, say a wrong key, counts as reachable)."""
        error = self.upstream.health()
        return error if isinstance(error, UpstreamUnavailable) else None

    @property
    def probed(self):
        return self._server is not None

    @property
    def name(self):
        model = self.server().model
        return model.rsplit("/", 1)[-1].removesuffix(".gguf")  # llama.cpp servers name the file

    @property
    def n_ctx(self):
        return min(self.server().n_ctx or self.settings.n_ctx, self.settings.n_ctx)

    @property
    def concurrency(self):
        """Jobs one worker runs at once: the setting, else the server's slots, else 1. Asked once
        at a worker's start: a server that is down then is not waited for."""
        return self.settings.concurrency or self.server(retries=0).slots or 1

    @property
    def grammar_support(self):
        """Where a summary's grammar is applied: "upstream", or "none" (the guard alone)."""
        kind = self.server().kind
        return "upstream" if kind in GRAMMAR_FIELDS and not self._grammar_refused else "none"

    # --- tokens ------------------------------------------------------------------------------
    def _count(self, text, special=False):
        kind = self.server().kind
        if kind == "llama-server":
            return len(self._post("/tokenize", {"content": text})["tokens"])
        if kind == "vllm":
            return self._post("/tokenize", {"model": self.server().model, "prompt": text,
                                             "add_special_tokens": False})["count"]
        if kind == "llama-cpp-python":
            return self._post("/extras/tokenize/count", {"input": text})["count"]
        return self.local_tokenizer().count_tokens(text)

    def prompt_length(self, messages):
        """Tokens the chat prompt of `messages` takes, chat template included."""
        server = self.server()
        if server.kind == "llama-server":
            return self._post("/v1/chat/completions/input_tokens",
                              {"model": server.model, "messages": messages})["input_tokens"]
        if server.kind == "vllm":
            return self._post("/tokenize", {"model": server.model, "messages": messages,
                                            "add_generation_prompt": True})["count"]
        tokenizer = self.local_tokenizer()
        if server.kind == "llama-cpp-python" or isinstance(tokenizer, estimate.EstimatedTokenizer):
            # the server's template is unknown here: its markers are estimated, the text counted
            return (sum(self.count_tokens(m["content"]) + estimate.PER_MESSAGE_TOKENS
                        for m in messages) + estimate.TEMPLATE_TOKENS)
        return tokenizer.prompt_length(messages)

    def truncate(self, text, tokens):
        """`text` cut (between words) to at most `tokens` tokens, by bisection on the count."""
        words = text.split(" ")
        low, high = 0, len(words)
        while low < high:
            middle = (low + high + 1) // 2
            if self.count_tokens(" ".join(words[:middle])) <= tokens:
                low = middle
            else:
                high = middle - 1
        return " ".join(words[:low])

    def local_tokenizer(self):
        """The tokenizer of `upstream_tokenizer`'s GGUF (weights not loaded), else the estimate."""
        if self._local_tokenizer is None:
            if self.settings.tokenizer:
                from summarizer.config import Settings

                model = Settings.from_mapping({"model_path": self.settings.tokenizer,
                                               "n_ctx": self.settings.n_ctx}).model
                self._local_tokenizer = llm.load_tokenizer(model)
            else:
                self._local_tokenizer = estimate.EstimatedTokenizer(self.settings.n_ctx)
        return self._local_tokenizer

    def _post(self, path, body):
        return self.upstream.call("POST", path, body, retries=self.retries)

    # --- generation --------------------------------------------------------------------------
    def generate(self, messages, *, max_tokens, temperature, seed, grammar=None, repeat_penalty=1.1,
                 on_prefill=None, kept=""):
        """A Generation for chat `messages`; iterate it for text pieces. `kept` needs nothing
        here: the document's part is the same text at the start of every question's prompt, which
        the server's prefix cache reuses (llama-server's cache_prompt, vLLM's prefix caching)."""
        return RemoteGeneration(self, messages, self.request_body(
            messages, max_tokens, temperature, seed, grammar, repeat_penalty), on_prefill)

    def request_body(self, messages, max_tokens, temperature, seed, grammar, repeat_penalty):
        server = self.server()
        body = {"model": server.model, "messages": messages, "max_tokens": max_tokens,
                "temperature": temperature, "seed": seed, "stream": True,
                "stream_options": {"include_usage": True}}
        if server.kind in PENALTY_FIELDS:
            body[PENALTY_FIELDS[server.kind]] = repeat_penalty
        if server.kind == "llama-server":
            body["cache_prompt"] = True  # its default since 2024, said for older builds
            # Timings in every chunk, not only the last: an answer the guard stops early still
            # says how much of the prompt came from the cache and how long the rest took to read.
            body["timings_per_token"] = True
        if grammar and self.grammar_support == "upstream":
            body.update(_grammar_body(server, grammar))
        return body

    def grammar_refused(self, error):
        """The server refused a request with a grammar: go on without (the guard still holds)."""
        if not self._grammar_refused:
            log.warning("the upstream refused a grammar (%s); the guard alone checks the output "
                        "from now on", error.message)
        self._grammar_refused = True


def _grammar_body(server, grammar):
    """The request fields that carry a GBNF grammar to `server`."""
    if server.kind != "vllm":
        return {"grammar": grammar}
    # vLLM 0.12 replaced guided_grammar by structured_outputs (its structured-outputs docs)
    if _version(server.version) < (0, 12):
        return {"guided_grammar": grammar}
    return {"structured_outputs": {"grammar": grammar}}


def _version(text):
    """(major, minor) of a version string like "0.11.2"; an unknown one counts as the newest."""
    numbers = []
    for part in text.split(".")[:2]:
        digits = "".join(itertools.takewhile(str.isdigit, part))
        if not digits:
            break
        numbers.append(int(digits))
    return tuple(numbers) if len(numbers) == 2 else (999, 0)


@functools.lru_cache(maxsize=2)
def load_upstream(settings):
    """The process's client for `settings` (config.UpstreamSettings), made once and kept."""
    return UpstreamModel(settings)


