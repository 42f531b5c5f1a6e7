"""The engine's own limit: the worker's model calls made directly in one process.

Same document, same plan (summarizer.planning), same prompts, grammars, sampling and guard
(the pipeline's own `guarded_summary`, `JobContext.notes` and `mapreduce._collapse`), the same
model object over llama-cpp-python — and no HTTP, no queue, no Redis: the context handed to the
pipeline's functions drops events, progress, metrics and cancel checks. The service's end-to-end time
divided by this one is its overhead ratio. Time inside llama.cpp (prompt reading and sampling) is
clocked apart, so the in-process Python around it (planning, guard, grounding) shows too. Usage
(prompt and completion tokens) is reported beside the service's, so a run where the two did
different work shows itself.
"""

import contextlib
import time

from summarizer import mapreduce, pipeline, planning, prompts


class _Nothing:
    """Accepts every call (events, cancel checks, Redis commands for metrics) and does nothing."""

    def __getattr__(self, name):
        return lambda *args, **kwargs: None

    def pipeline(self, transaction=True):
        return contextlib.nullcontext(self)


class _FirstToken(_Nothing):
    """The event log: remembers when the first token event was appended."""

    def __init__(self, began):
        self.began, self.first_token_s = began, None

    def append(self, event, data):
        if event == "token" and self.first_token_s is None:
            self.first_token_s = time.perf_counter() - self.began


class _TimedModel:
    """The model, with the seconds spent inside its generations (llama.cpp) added up."""

    def __init__(self, model):
        self._model, self.seconds = model, 0.0

    def __getattr__(self, name):
        return getattr(self._model, name)

    def generate(self, messages, **params):
        return _TimedGeneration(self._model.generate(messages, **params), self)


class _TimedGeneration:
    def __init__(self, generation, clock):
        self._generation, self._clock = generation, clock

    def __getattr__(self, name):
        return getattr(self._generation, name)

    def __iter__(self):
        inner = iter(self._generation)
        try:
            while True:
                began = time.perf_counter()
                try:
                    piece = next(inner)
                except StopIteration:
                    return
                finally:
                    self._clock.seconds += time.perf_counter() - began
                yield piece
        finally:
            inner.close()


class DirectContext:
    """What the pipeline's functions use of a JobContext, with nothing behind it but the model."""

    notes = pipeline.JobContext.notes  # the map step exactly as a worker runs it

    def __init__(self, model, settings):
        self.began = time.perf_counter()
        self.model, self.settings = _TimedModel(model), settings
        self.events, self.cancel, self.connection = _FirstToken(self.began), _Nothing(), _Nothing()
        self.client_job_id = "direct"

    def progress(self, *args, **kwargs):
        """Progress has no one to go to here."""


def summarize(model, settings, document, options):
    """The document's summary by the worker's path, timed: a dict like the service's result."""
    context = DirectContext(model, settings)
    chunks = planning.plan_chunks(document, options, settings, tokenizer=model)
    answer = prompts.token_budget(options, settings.max_tokens)
    final = lambda text: prompts.messages_for(text, options, document.title)  # noqa: E731
    usage = {"prompt_tokens": 0, "completion_tokens": 0}
    if len(chunks) == 1:
        messages = pipeline.fit_messages(model, document.text, final, answer)
        fields = pipeline.guarded_summary(context, messages, options, document, answer, "reading", usage)
    else:
        notes = [_map(context, chunk, index, len(chunks), usage) for index, chunk in enumerate(chunks)]
        budget = planning.single_call_budget(model, options, settings, document.title)
        notes = mapreduce._collapse(context, notes, usage, budget)
        messages = pipeline.fit_messages(model, prompts.notes_document(notes), final, answer)
        fields = pipeline.guarded_summary(context, messages, options, document, answer, "reducing", usage)
    return {
        "summary": fields["summary"], "chunks": len(chunks), "usage": usage,
        "attempts": len(fields.get("guard", {}).get("attempts", [])), "fallback": fields.get("fallback"),
        "seconds": time.perf_counter() - context.began, "model_seconds": context.model.seconds,
        "first_token_s": context.events.first_token_s,
    }


def _map(context, chunk, index, total, usage):
    """Notes on one chunk, as map_job writes them."""
    answer = prompts.map_budget(context.settings.max_tokens)
    messages = pipeline.fit_messages(context.model, chunk.text,
                                     lambda text: prompts.map_messages(text, index + 1, total), answer)
    return context.notes(messages, chunk.text, usage)
