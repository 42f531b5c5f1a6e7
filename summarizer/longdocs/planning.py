"""How a document becomes work: one model call when it fits, chunks for map-reduce when not.

Runs in the API process with the model's tokenizer only (no weights), or, with backend openai, the
upstream server's own counts and context. Where neither can be had (an API node without the model
volume, an upstream that is down or has no tokenizer), engine/estimate.py's estimate, which errs
high, sizes the chunks instead, and workers trim anything that still overflows. Every budget is
taken from the tokenizer's context (`n_ctx`), which is the upstream's when it says.
"""

from summarizer.engine import budget, prompts
from summarizer.engine.backend import tokenizer_for
from summarizer.longdocs.chunking import Chunk, split_document

OVERLAP_TOKENS = 64
"""Tokens of the previous chunk repeated at the start of the next."""


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
