"""A scripted model and a run around it, for the summary of changes without llama.cpp: each
generation returns the next scripted answer; a model with no script fails the test if called."""

from summarizer.config import Settings


class _Generation:
    def __init__(self, text):
        self.text, self.prompt_tokens, self.completion_tokens = text, 100, len(text.split())
        self.finish_reason = "stop"

    def __iter__(self):
        yield self.text


class ScriptedModel:
    """Counts a word as a token; `generate` returns the scripted answers in turn."""

    name, grammar_support, concurrency, n_ctx = "scripted", "none", 1, 4096

    def __init__(self, *answers):
        self.answers, self.calls = list(answers), []

    def count_tokens(self, text):
        return len(text.split())

    def prompt_length(self, messages):
        return sum(self.count_tokens(m["content"]) + 4 for m in messages)

    def truncate(self, text, tokens):
        return " ".join(text.split()[:tokens])

    def generate(self, messages, **params):
        self.calls.append(messages)
        assert self.answers, "the model was called"
        return _Generation(self.answers.pop(0))


class Run:
    """engine/backend.py's Run with nothing behind it."""

    def __init__(self, model):
        self.model, self.settings, self.events = model, Settings.from_mapping({}), []

    def check_cancel(self):
        """Nobody cancels here."""

    def emit(self, event, data):
        self.events.append((event, data))

    def progress(self, *args, **kwargs):
        """Not shown here."""

    def measured(self, *args, **kwargs):
        """Not counted here."""

    def recovered(self, step):
        """Not counted here."""
