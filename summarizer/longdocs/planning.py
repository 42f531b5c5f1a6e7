"""How a document becomes work: one model call when it fits, chunks for map-reduce when not.

Runs in the API process with the model's tokenizer only (no weights), or, with backend openai, the
upstream server's own counts and context. Where neither can be had (an API node without the model
volume, an upstream that is down or has no tokenizer), engine/estimate.py's estimate, which errs
high, sizes the chunks instead, and workers trim anything that still overflows. Every budget is
taken from the tokenizer's context (`n_ctx`), which is the upstream's when it says.
"""

import functools
import logging

from summarizer.engine import budget, prompts
from summarizer.engine.estimate import EstimatedTokenizer
from summarizer.engine.llm import load_tokenizer
from summarizer.engine.remote import UpstreamModel
from summarizer.errors import ModelError, UpstreamError
from summarizer.longdocs.chunking import Chunk, split_document

log = logging.getLogger(__name__)

OVERLAP_TOKENS = 64
"""Tokens of the previous chunk repeated at the start of the next."""


def tokenizer_for(settings):
    """The model's own tokenizer (the upstream's, with backend openai), or the estimate when it
    cannot be had here."""
    if settings.backend == "openai":
        return _upstream_tokenizer(settings)
    try:
        return load_tokenizer(settings.model)
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
    return UpstreamModel(upstream_settings, retries=0)


def single_call_budget(tokenizer, options, settings, title=""):
    """Document tokens that fit one summarize call with its instructions and answer."""
    return budget.document_room(tokenizer, options, settings,
                                lambda text: prompts.messages_for(text, options, title))


def map_chunk_budget(tokenizer, settings):
    """Tokens of document text one map call can take."""
    return budget.map_room(tokenizer, settings)


def plan_chunks(document, options, settings, tokenizer=None):
    """[one Chunk] when the document fits one call, else the chunks for map-reduce."""
    text = document.text
    if budget.one_call(options):  # one call over the selection, whatever the length
        return [Chunk(text, [b.locator for b in document.blocks], 0)]
    tokenizer = tokenizer or tokenizer_for(settings)
    count = tokenizer.count_tokens
    total = count(text)
    if total <= single_call_budget(tokenizer, options, settings, document.title):
        return [Chunk(text, [b.locator for b in document.blocks], total)]
    return split_document(document.blocks, count, map_chunk_budget(tokenizer, settings), OVERLAP_TOKENS)
