"""How a document becomes work: one model call when it fits, chunks for map-reduce when not.

Runs in the API process with the model's tokenizer only (no weights). Where the API cannot read the
model file (an API node without the model volume), a conservative estimate of characters per token
sizes the chunks instead, and workers trim anything that still overflows.
"""

import logging
import math

from summarizer.engine import prompts
from summarizer import shapes
from summarizer.longdocs.chunking import Chunk, split_document
from summarizer.errors import ModelError
from summarizer.engine.llm import load_tokenizer

log = logging.getLogger(__name__)

SAFETY_TOKENS = 32
"""Room left in the context beyond prompt and answer: chat-template tokens the count may miss."""

OVERLAP_TOKENS = 64
"""Tokens of the previous chunk repeated at the start of the next."""

ESTIMATED_CHARS_PER_TOKEN = 2.5
"""Used only without the tokenizer; real text averages 3.5-4.5 chars/token, so this errs short."""


CHAT_TEMPLATE_TOKENS = 16
"""What an estimate adds for a chat template's role markers (ChatML's are about 5 per message)."""


class EstimatedTokenizer:
    """A stand-in for the tokenizer when the model file is not on this machine."""

    def count_tokens(self, text, special=False):
        return math.ceil(len(text) / ESTIMATED_CHARS_PER_TOKEN) + 1

    def prompt_length(self, messages):
        return self.count_tokens("\n".join(m["content"] for m in messages)) + CHAT_TEMPLATE_TOKENS


def tokenizer_for(settings):
    """The model's own tokenizer, or the estimate when it cannot be loaded here."""
    try:
        return load_tokenizer(settings.model)
    except ModelError as error:
        log.warning("sizing chunks by estimate: %s", error.message)
        return EstimatedTokenizer()


def _overhead(tokenizer, messages):
    return tokenizer.prompt_length(messages)


def single_call_budget(tokenizer, options, settings, title=""):
    """Document tokens that fit one summarize call with its instructions and answer."""
    overhead = _overhead(tokenizer, prompts.messages_for("", options, title))
    return settings.n_ctx - overhead - shapes.answer_tokens(options, settings.max_tokens) - SAFETY_TOKENS


def map_chunk_budget(tokenizer, settings):
    """Tokens of document text one map call can take."""
    overhead = _overhead(tokenizer, prompts.map_messages("", 999, 999))
    return settings.n_ctx - overhead - prompts.map_budget(settings.max_tokens) - SAFETY_TOKENS


def plan_chunks(document, options, settings, tokenizer=None):
    """[one Chunk] when the document fits one call, else the chunks for map-reduce."""
    text = document.text
    if options.depth == "fast":  # one call over the selection, whatever the length
        return [Chunk(text, [b.locator for b in document.blocks], 0)]
    tokenizer = tokenizer or tokenizer_for(settings)
    count = tokenizer.count_tokens
    total = count(text)
    if total <= single_call_budget(tokenizer, options, settings, document.title):
        return [Chunk(text, [b.locator for b in document.blocks], total)]
    return split_document(document.blocks, count, map_chunk_budget(tokenizer, settings), OVERLAP_TOKENS)
