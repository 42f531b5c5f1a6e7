"""The summary of a document that fits one model call, held to the rules and cited.

Every function here takes a *run*: what the caller (a worker's JobContext, the benchmark's direct
context, a test) provides around the model. A run has

- ``model`` (engine.llm.Model) and ``settings`` (temperature, seed, max_tokens are read);
- ``check_cancel()``, which raises JobCanceled when the client has gone;
- ``emit(event, data)`` for client events (``token``; ``status`` ``retrying``);
- ``progress(stage, done, total, **extra)``;
- ``measured(stage, seconds, tokens)`` and ``recovered(step)`` for metrics.

The engine never talks to Redis or the queue itself: the run does.
"""

import logging
import time

from summarizer import shapes
from summarizer.engine import extractive, grounding, guard, prompts, recovery

log = logging.getLogger(__name__)


def summarize(run, document, options, usage):
    """The summary fields of a result for `document` (one model call's worth of text)."""
    run.check_cancel()
    answer_tokens = shapes.answer_tokens(options, run.settings.max_tokens)
    messages = fit_messages(
        run.model, document.text, lambda text: prompts.messages_for(text, options, document.title),
        answer_tokens)
    return guarded_summary(run, messages, options, document, answer_tokens, "reading", usage)


def guarded_summary(run, messages, options, document, answer_tokens, reading_stage, usage):
    """Stream the model's answer, hold it to the rules (retry, or fall back to an extractive
    summary), and cite the source for every item. Returns the result's summary fields."""
    def reading(done, total):
        run.check_cancel()
        run.progress(reading_stage, done, total)

    def stream(piece):
        run.check_cancel()
        run.emit("token", {"text": piece})

    def attempt(asked, how):
        if how is not recovery.ATTEMPTS[0]:  # clients drop what they streamed so far
            run.emit("status", {"status": "retrying", "attempt": how.name})
        began = time.perf_counter()
        before = usage["completion_tokens"]
        answer = recovery.run_model(
            run.model, asked, options, how, max_tokens=answer_tokens,
            temperature=run.settings.temperature, seed=run.settings.seed,
            on_piece=stream, on_prefill=reading, usage=usage)
        run.measured("generate", time.perf_counter() - began, usage["completion_tokens"] - before)
        return answer

    index = grounding.SourceIndex(document.blocks)
    outcome = recovery.summarize(attempt, messages, options, document.text, index=index)
    for step in [a["attempt"] for a in outcome.attempts[1:]] + [outcome.fallback] * bool(outcome.fallback):
        run.recovered(step)
    fields = outcome.result_fields()
    citations = grounding.cite(outcome.checked.items, document.blocks, index=index)
    summary = outcome.checked.text
    if options.strict:
        citations = grounding.strict(citations)
        summary = guard.render([c["text"] for c in citations], options)
        if not citations:  # nothing the source supports: its own most central sentences instead
            fallback = extractive.summarize(document.text, options)
            citations = grounding.cite(fallback.items, document.blocks, index=index)
            summary, fields["fallback"] = fallback.text, "extractive"
    return {"summary": summary, "citations": citations,
            "supported_share": round(grounding.supported_share(citations), 3), **fields}


def fit_messages(model, text, build, answer_tokens):
    """`build(text)` messages whose prompt leaves `answer_tokens` free in the context. The API
    sized the text to fit; trimming here only guards against an estimate that ran short."""
    budget = model.n_ctx - answer_tokens - 8
    messages = build(text)
    overflow = len(model.prompt_tokens(model.chat_prompt(messages)[0])) - budget
    if overflow > 0:
        tokens = model.llama.tokenize(text.encode("utf-8"), add_bos=False)
        keep = max(0, len(tokens) - overflow - 16)
        log.warning("trimming %d tokens that do not fit the context", len(tokens) - keep)
        messages = build(model.llama.detokenize(tokens[:keep]).decode("utf-8", errors="ignore"))
    return messages
