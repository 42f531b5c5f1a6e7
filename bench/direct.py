"""The engine's own limit: the worker's model calls made directly in one process.

Same document, same plan (summarizer.longdocs.planning), same prompts, grammars, sampling and guard
(the engine's own `pipeline.summarize` and `mapreduce.map_notes` / `reduce_notes`), the same
model object over llama-cpp-python — and no HTTP, no queue, no Redis: the run handed to the
engine's functions drops events, progress, metrics and cancel checks. The service's end-to-end time
divided by this one is its overhead ratio. Time inside llama.cpp (prompt reading and sampling) is
clocked apart, so the in-process Python around it (planning, guard, grounding) shows too. Usage
(prompt and completion tokens) is reported beside the service's, so a run where the two did
different work shows itself.
"""

import time

from summarizer.longdocs import mapreduce, planning
from summarizer.engine import pipeline


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
    """A run (see summarizer/engine/pipeline.py) with nothing behind it but the model."""

    def __init__(self, model, settings):
        self.began = time.perf_counter()
        self.model, self.settings = _TimedModel(model), settings
        self.first_token_s = None

    def emit(self, event, data):
        if event == "token" and self.first_token_s is None:
            self.first_token_s = time.perf_counter() - self.began

    def check_cancel(self):
        """Nobody cancels here."""

    def progress(self, *args, **kwargs):
        """Progress has no one to go to here."""

    def measured(self, *args, **kwargs):
        """No metrics here."""

    def recovered(self, step):
        """No metrics here."""


def summarize(model, settings, document, options):
    """The document's summary by the worker's path, timed: a dict like the service's result."""
    context = DirectContext(model, settings)
    chunks = planning.plan_chunks(document, options, settings, tokenizer=model)
    usage = {"prompt_tokens": 0, "completion_tokens": 0}
    if len(chunks) == 1:
        fields = pipeline.summarize(context, document, options, usage)
    else:
        notes = [mapreduce.map_notes(context, chunk.text, index, len(chunks), usage)
                 for index, chunk in enumerate(chunks)]
        fields = mapreduce.reduce_notes(context, document, options, notes, usage)
    return {
        "summary": fields["summary"], "chunks": len(chunks), "usage": usage,
        "attempts": len(fields.get("guard", {}).get("attempts", [])), "fallback": fields.get("fallback"),
        "seconds": time.perf_counter() - context.began, "model_seconds": context.model.seconds,
        "first_token_s": context.first_token_s,
    }
