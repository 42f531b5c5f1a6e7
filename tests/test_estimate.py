"""The token estimate used where no tokenizer can be had: never under the real count, and not far over.

The truth is the bundled SmolLM2's own tokenizer, a small English-centric vocabulary that splits
more than the models people serve; the corpus is the shared evaluation corpus (web pages in a
dozen languages, news, meeting transcripts) and samples of what those lack."""

import json
import statistics
from pathlib import Path

import pytest

from summarizer.config import Settings
from summarizer.engine.estimate import EstimatedTokenizer, estimate_prompt, estimate_tokens
from summarizer.engine.llm import load_tokenizer
from summarizer.engine import prompts
from summarizer.options import SummaryOptions
from tests.conftest import SHARED

CORPUS = SHARED / "corpus"

SAMPLES = [
    "2024-03-15 12,345.67 USD; 98.6% of 1,024 items (ids 77831, 99120, 4410) passed.",
    "def f(x):\n    return {k: v for k, v in x.items() if v is not None}  # filter\n",
    "Городской совет проголосовал во вторник за строительство новой публичной библиотеки.",
    "市议会周二投票决定在旧火车站附近建造一座新的公共图书馆。该图书馆将耗资一千二百万美元。",
    "市議会は火曜日、古い駅の近くに新しい公共図書館を建設することを決議した。",
    "시의회는 화요일 옛 기차역 근처에 새 공공 도서관을 짓기로 의결했다.",
    "नगर परिषद ने मंगलवार को पुराने रेलवे स्टेशन के पास एक नया सार्वजनिक पुस्तकालय बनाने के लिए मतदान किया।",
    "صوت مجلس المدينة يوم الثلاثاء على بناء مكتبة عامة جديدة بالقرب من محطة السكك الحديدية القديمة.",
    "Great job 🎉🎉 👍 — thanks!! ✨✨✨ WILL THEY BASH THE BILLIONAIRES?",
    "https://example.org/a/b?c=d&e=f#g getElementById(userNameField) 29 Corey LaJoie 401 0 0 0 2",
    "aGVsbG8gd29ybGQgdGhpcyBpcyBiYXNlNjQgZW5jb2RlZCB0ZXh0IQ== 9f86d081884c7d659a2feaa0c55ad015",
]


@pytest.fixture(scope="module")
def tokenizer():
    return load_tokenizer(Settings.from_mapping({"n_ctx": 1024}).model)


def corpus_pieces():
    """Whole documents and their paragraphs: web pages, CNN/DM articles, meeting transcripts."""
    if not CORPUS.is_dir():
        pytest.skip(f"the shared corpus is not at {CORPUS}")
    texts = [json.loads(line)["gold_text"] for line in open(CORPUS / "extraction" / "gold.jsonl")]
    for name, count in (("frank_cnndm_test.jsonl", 30), ("qmsum_val.jsonl", 2)):
        with open(CORPUS / "summarization" / name) as handle:
            texts += [json.loads(line)["text"][:20000] for _, line in zip(range(count), handle)]
    return [piece for text in texts for piece in [text] + [p for p in text.split("\n") if p.strip()]]


def test_never_under_the_real_count(tokenizer):
    pieces = corpus_pieces() + SAMPLES
    under = [(estimate_tokens(p), tokenizer.count_tokens(p), p[:80]) for p in pieces
             if estimate_tokens(p) < tokenizer.count_tokens(p)]
    assert not under, under[:5]
    english = [estimate_tokens(p) / tokenizer.count_tokens(p) for p in corpus_pieces()[-200:]]
    print(f"{len(pieces)} pieces; estimate/real on the last 200: median "
          f"{statistics.median(english):.2f}, max {max(english):.2f}")


MAX_DOCUMENT_RATIO = 2.4
"""Highest estimate/real on a whole document: measured 2.22 (a web page of the extraction set) and
2.12 (CNN/DM) on 2026-12-02; above it chunks would be needlessly small, the estimate's only cost."""

MAX_PIECE_RATIO = 2.75
"""Highest estimate/real on any piece of at least MIN_PIECE_TOKENS: measured 2.61 (the Hindi sample;
English paragraphs with many short words 2.59). Shorter pieces round up to a whole token."""

MIN_PIECE_TOKENS = 20

ENGLISH_MEDIAN = (1.5, 1.9)
"""The README's 1.5-1.8x on English prose: the median on whole CNN/DM articles measured 1.77."""


def test_never_far_over_the_real_count(tokenizer):
    documents = [piece for piece in corpus_pieces() if "\n" in piece]  # whole ones (skips without)
    with open(CORPUS / "summarization" / "frank_cnndm_test.jsonl") as handle:
        articles = [json.loads(line)["text"] for _, line in zip(range(30), handle)]
    documents += articles
    ratio = lambda text: estimate_tokens(text) / tokenizer.count_tokens(text)  # noqa: E731
    english = statistics.median(ratio(article) for article in articles)
    assert ENGLISH_MEDIAN[0] <= english <= ENGLISH_MEDIAN[1], english
    assert max(map(ratio, documents)) <= MAX_DOCUMENT_RATIO
    pieces = [p for p in corpus_pieces() + SAMPLES if tokenizer.count_tokens(p) >= MIN_PIECE_TOKENS]
    over = [(round(ratio(p), 2), p[:60]) for p in pieces if ratio(p) > MAX_PIECE_RATIO]
    assert not over, over[:5]


def test_a_chat_prompt_estimate_covers_the_template(tokenizer):
    for text in SAMPLES:
        for options in (SummaryOptions(), SummaryOptions(type="headline", format="plain-text")):
            messages = prompts.messages_for(text, options, "A title")
            assert estimate_prompt(messages) >= tokenizer.prompt_length(messages)


def test_truncate_keeps_a_prefix_that_fits():
    estimate = EstimatedTokenizer(1024)
    text = " ".join(SAMPLES)
    for budget in (5, 40, 200):
        cut = estimate.truncate(text, budget)
        assert text.startswith(cut) and estimate.count_tokens(cut) <= budget
    assert estimate.truncate("short", 100) == "short"
