"""Token counts without the model's tokenizer: an estimate that errs high, never low.

Used where no tokenizer can be read: an API process without the model file, or an upstream server
with no tokenize endpoint (Ollama) and no local GGUF configured. Characters per token differ by
a factor of eight between English prose and Chinese or digit runs, so one ratio cannot be both safe
and useful; each kind of character is costed apart instead, at the rate of a small English-centric
vocabulary (the bundled SmolLM2's 49k tokens), which splits more than the large vocabularies of
the models people serve (Llama 3's 128k, Qwen's 151k) and so over-counts for them.

Margin (tests/test_estimate.py, SmolLM2's own tokenizer as the truth): never under the real count
on any of 2,537 paragraphs of web pages in a dozen languages, CNN/DM articles, meeting transcripts,
digits, code, URLs, base64, Russian, Chinese, Japanese, Korean, Hindi, Arabic and emoji; 1.5-1.8x
the real count on English prose (median 1.77 on CNN/DM), so chunks sized by it are about 40%
smaller than they could be. That is the price of a fallback that must not overflow a context; a
tokenize endpoint or a local GGUF (upstream_tokenizer) avoids it. Byte-level BPE never needs more
tokens than UTF-8 bytes, which bounds the non-ASCII rates.
"""

import math
import re

LETTERS_PER_TOKEN = 3.0
"""A run of ASCII letters costs ceil(len / 3) tokens: common English words are one token, rare
words and other languages written in Latin letters (German, Indonesian) split into several."""

CAPITALS_PER_TOKEN = 2.0
"""A word in capitals costs ceil(len / 2): vocabularies hold few upper-case pieces (measured 2.2
letters per token on web headlines)."""

SCRIPT_TOKENS_PER_BYTE = 0.7
"""Tokens per UTF-8 byte of a two-byte character (accented Latin, Greek, Cyrillic, Arabic, Hebrew)
or of a CJK ideograph or kana: measured 0.37-0.5 and 0.6-0.65 (two tokens per ideograph)."""

OTHER_TOKENS_PER_BYTE = 1.0
"""Any other non-ASCII character (emoji, symbols, presentation forms, Indic scripts) is counted at
the byte-level bound: rare in a small vocabulary, one token per byte."""

_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]")
"""Kana and CJK ideographs: the three-byte characters vocabularies do merge (Hangul measured three
tokens a syllable, the byte-level bound)."""

MARGIN = 1.1
"""Multiplied onto the sum, for the rare words and scripts the rates above do not cover."""

PER_MESSAGE_TOKENS = 8
"""A chat template's markers around one message (ChatML: `<|im_start|>role\\n` ... `<|im_end|>\\n`,
5 tokens; Llama 3's header tokens, 5; Gemma's, 6)."""

TEMPLATE_TOKENS = 16
"""A chat template's fixed part: the generation prompt (`<|im_start|>assistant\\n`) and a BOS."""

_RUNS = re.compile(r" ?[A-Z]?[a-z]+| ?[A-Z]+(?![a-z])| ?[0-9]|[\x21-\x2f\x3a-\x40\x5b-\x60\x7b-\x7e]|\n+|[^\x00-\x7f]")
"""Words split where their case changes (camelCase and base64 split there too), single digits
(most vocabularies split numbers per digit or per three), single punctuation marks, newline runs
and single non-ASCII characters; a space is folded into the word after it, except before a digit,
where many tokenizers give it a token of its own."""


_BLOB = re.compile(r"[!-~]{24,}")
"""A long ASCII run without spaces; one mixing letters and digits (base64, hashes, keys) is random
text, which no vocabulary merges: measured 1.2 characters a token, so it costs one per character."""


def estimate_tokens(text):
    """An upper estimate of the tokens `text` takes in a model's tokenizer (see the module's margin)."""
    total = 0.0
    for blob in _BLOB.findall(text):
        if any(c.isdigit() for c in blob) and any(c.isalpha() for c in blob):
            total += len(blob)
            text = text.replace(blob, " ", 1)
    for run in _RUNS.findall(text):
        last = run[-1]
        if last.isascii() and last.isalpha():
            word = run.lstrip()
            per_token = CAPITALS_PER_TOKEN if word.isupper() else LETTERS_PER_TOKEN
            total += math.ceil(len(word) / per_token)
        elif last.isdigit():
            total += len(run)  # " 7" is two tokens in vocabularies that split digits
        elif last.isascii():
            total += 1
        else:
            size = len(run.encode("utf-8"))
            rate = SCRIPT_TOKENS_PER_BYTE if size == 2 or _CJK.match(run) else OTHER_TOKENS_PER_BYTE
            total += size * rate
    return math.ceil(total * MARGIN) + 1


def estimate_prompt(messages):
    """An upper estimate of the tokens chat `messages` take once a chat template wraps them."""
    return (sum(estimate_tokens(m["content"]) + PER_MESSAGE_TOKENS for m in messages)
            + TEMPLATE_TOKENS)


class EstimatedTokenizer:
    """The tokenizer interface (count_tokens, prompt_length, truncate, n_ctx) over the estimate."""

    def __init__(self, n_ctx):
        self.n_ctx = n_ctx

    def count_tokens(self, text, special=False):
        return estimate_tokens(text)

    def prompt_length(self, messages):
        return estimate_prompt(messages)

    def truncate(self, text, tokens):
        """The longest prefix of `text`, cut between words, whose estimate fits `tokens`."""
        low, high = 0, len(text)
        while low < high:  # binary search: the estimate grows with the prefix
            middle = (low + high + 1) // 2
            if estimate_tokens(text[:middle]) <= tokens:
                low = middle
            else:
                high = middle - 1
        cut = text[:low]
        return cut if low == len(text) else cut.rsplit(" ", 1)[0] if " " in cut else cut
