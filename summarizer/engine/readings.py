"""Kept readings: llama.cpp's state after it read a document's fixed part, so that a follow-up
about the same document (a question, or a summary of another type or length) reads only what
follows that part (a question's own sentences and the question, or the task), not the document
again.

A reading is the KV cache of sequence 0 (llama.cpp's `llama_state_seq_get_data`) and the tokens it
holds. The whole-context state of `Llama.save_state()` is not used: it also copies llama-cpp-
python's logits rows (n_batch x n_vocab floats, 50 MB with n_batch 256 and SmolLM2's 49,152-token
vocabulary), four times the KV of a 1,000-token excerpt; a restored reading is always followed by
at least one token evaluated (the question), which makes fresh logits anyway.

The cache is keyed by tokens, not by document_id: a reading is used only for a prompt that starts
with exactly its tokens, so it can never answer for another document or other options; it is
bounded in bytes and forgets the least recently used reading first. A forgotten one is simply read
again. One cache per loaded model (engine/llm.py), so per worker process; never shared.
"""

import collections
import ctypes
import dataclasses

SEQUENCE = 0
"""The llama.cpp sequence llama-cpp-python evaluates every prompt in."""


@dataclasses.dataclass(frozen=True)
class Reading:
    """The model state after reading `tokens`."""

    tokens: tuple
    data: bytes

    @property
    def size(self):
        return len(self.data)


class ReadingCache:
    """Readings by their tokens, at most `max_bytes` in all, least recently used forgotten first."""

    def __init__(self, max_bytes):
        self.max_bytes = max_bytes
        self._readings = collections.OrderedDict()  # tokens -> Reading, oldest use first
        self.bytes = 0

    def __len__(self):
        return len(self._readings)

    def longest(self, tokens):
        """The kept reading whose tokens are the longest prefix of `tokens`, or None; it counts as
        used. A linear scan: the cache holds tens of readings, and each test is one slice compare."""
        best = None
        for kept in self._readings.values():
            n = len(kept.tokens)
            if n <= len(tokens) and (best is None or n > len(best.tokens)) and tuple(tokens[:n]) == kept.tokens:
                best = kept
        if best is not None:
            self._readings.move_to_end(best.tokens)
        return best

    def keep(self, reading):
        """Keep `reading`, forgetting the least recently used ones until it fits; one larger than
        the whole bound is not kept."""
        if reading.size > self.max_bytes:
            return
        old = self._readings.pop(reading.tokens, None)
        self.bytes -= old.size if old else 0
        while self._readings and self.bytes + reading.size > self.max_bytes:
            self.bytes -= self._readings.popitem(last=False)[1].size
        self._readings[reading.tokens] = reading
        self.bytes += reading.size


def snapshot(llama):
    """The Reading of what `llama` (a llama_cpp.Llama) has evaluated so far."""
    import llama_cpp

    ctx = llama._ctx.ctx
    size = llama_cpp.llama_state_seq_get_size(ctx, SEQUENCE)
    buffer = (ctypes.c_uint8 * size)()
    written = llama_cpp.llama_state_seq_get_data(ctx, buffer, size, SEQUENCE)
    return Reading(tuple(llama.input_ids[: llama.n_tokens].tolist()), ctypes.string_at(buffer, written))


def restore(llama, reading):
    """Put `reading` back into `llama`'s KV cache, as if it had just read its tokens."""
    import llama_cpp

    llama._ctx.kv_cache_seq_rm(-1, 0, -1)
    buffer = (ctypes.c_uint8 * reading.size).from_buffer_copy(reading.data)
    if llama_cpp.llama_state_seq_set_data(llama._ctx.ctx, buffer, reading.size, SEQUENCE) != reading.size:
        llama.n_tokens = 0  # nothing usable is left: the next prompt is read whole
        raise RuntimeError("llama.cpp refused a kept reading")
    count = len(reading.tokens)
    llama.input_ids[:count] = reading.tokens
    llama.n_tokens = count
    llama._requires_eval = True
