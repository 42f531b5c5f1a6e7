"""What fits one model call: how much document text a call can take beside its instructions and
its answer, and when a summary is one call whatever the document's length.

The API plans with these rules (longdocs/planning.py: one call or chunks) and the worker sizes its
call with them (engine/pipeline.py, engine/answer.py, longdocs/mapreduce.py's reduce): the plan and
the call agree because both read this module. `counter` is anything that counts like the model
(engine/backend.py's Tokenizer: `n_ctx`, `count_tokens`, `prompt_length`, `truncate`).
"""

import logging

from summarizer import shapes
from summarizer.engine import prompts

log = logging.getLogger(__name__)

SAFETY_TOKENS = 32
"""Room left in the context beyond prompt and answer: chat-template tokens a count may miss."""

TRIM_MARGIN_TOKENS = 8
"""Room `fit_messages` leaves when it checks a prompt that was already sized with SAFETY_TOKENS:
it only guards against an estimate that ran short, so it cuts as little as it can."""

TRIM_EXTRA_TOKENS = 16
"""Tokens cut beyond an overflow when a text is trimmed, so that the cut (which may split a word
into different tokens) does not overflow again."""


def one_call(options):
    """Whether `options` ask for one model call whatever the document's length: depth "fast" (the
    most salient sentences that fit SUMMARIZER_SELECTION_TOKENS), a question (the sentences
    that answer it) or a summary of changes (the changes, changes/summary.py)."""
    return options.depth == "fast" or bool(options.query) or options.focus == "changes"


def room(counter, empty_messages, answer_tokens):
    """Tokens of text that fit `counter`'s context beside `empty_messages` (the call's messages
    without its text) and `answer_tokens` of answer."""
    return counter.n_ctx - counter.prompt_length(empty_messages) - answer_tokens - SAFETY_TOKENS


def document_room(counter, options, settings, build):
    """Tokens of document text one summary call reads: what fits beside `build("")` (its messages
    without the text) and the answer `options` ask for, and with depth "fast" at most
    `settings.selection_tokens`, so the call's time is bounded whatever the length."""
    fits = room(counter, build(""), shapes.answer_tokens(options, settings.max_tokens))
    return min(settings.selection_tokens, fits) if options.depth == "fast" else fits


def map_room(counter, settings):
    """Tokens of document text one map call (notes on one part) can take."""
    return room(counter, prompts.map_messages("", 999, 999), prompts.map_budget(settings.max_tokens))


def fit_messages(model, text, build, answer_tokens):
    """`build(text)` messages whose prompt leaves `answer_tokens` free in the context. The API
    sized the text to fit; trimming here only guards against an estimate that ran short."""
    return build(fit_text(model, text, build, answer_tokens))


def fit_text(model, text, build, answer_tokens):
    """`text`, trimmed where `build(text)` would not leave `answer_tokens` free (fit_messages)."""
    budget = model.n_ctx - answer_tokens - TRIM_MARGIN_TOKENS
    overflow = model.prompt_length(build(text)) - budget
    if overflow <= 0:
        return text
    tokens = model.count_tokens(text)
    keep = max(0, tokens - overflow - TRIM_EXTRA_TOKENS)
    log.warning("trimming %d tokens that do not fit the context", tokens - keep)
    return model.truncate(text, keep)
