"""Split a document into chunks that fit the model's context, on its own structure.

Pure functions: the token counter is passed in (the model's own tokenizer in production, anything
in tests). Chunks break between blocks (paragraphs, pages), before headings where it does not waste
much room, and inside an oversized block only at sentence (then word) boundaries. Each chunk keeps
the locators of the blocks it holds and starts with a small overlap from the previous chunk, so a
point that straddles a boundary is seen whole once.
"""

import dataclasses
import re

SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s+|\n+")

HEADING_BREAK_FILL = 0.5
"""Break before a new section once the current chunk is at least this full, keeping sections whole."""

SEPARATOR_TOKENS = 2
"""Tokens the blank line between two pieces costs when they are joined into one chunk."""


@dataclasses.dataclass
class Chunk:
    text: str
    locators: list
    tokens: int


@dataclasses.dataclass
class _Piece:
    text: str
    locator: dict
    tokens: int


def split_document(blocks, count_tokens, chunk_tokens, overlap_tokens=0):
    """Chunks of at most `chunk_tokens` (as counted by `count_tokens`) covering every block."""
    if chunk_tokens < 8:
        raise ValueError("chunk_tokens is too small to hold any text")
    pieces = [piece for block in blocks for piece in _pieces(block, count_tokens, chunk_tokens)]
    chunks, current = [], []
    for piece in pieces:
        used = sum(p.tokens + SEPARATOR_TOKENS for p in current)
        if current and (used + piece.tokens > chunk_tokens
                        or (_starts_section(current[-1], piece)
                            and used >= HEADING_BREAK_FILL * chunk_tokens)):
            chunks.append(_chunk(current))
            current = _overlap(current, overlap_tokens, chunk_tokens - piece.tokens)
        current.append(piece)
    if current:
        chunks.append(_chunk(current))
    return chunks


def _starts_section(previous, piece):
    heading = piece.locator.get("heading")
    return bool(heading) and heading != previous.locator.get("heading")


def _pieces(block, count_tokens, chunk_tokens):
    """A block as one piece, or split at sentences (then words) when it is larger than a chunk."""
    tokens = count_tokens(block.text)
    if tokens <= chunk_tokens:
        return [_Piece(block.text, block.locator, tokens)]
    pieces = []
    for sentence in (s for s in SENTENCE_END.split(block.text) if s.strip()):
        size = count_tokens(sentence)
        if size <= chunk_tokens:
            pieces.append(_Piece(sentence, block.locator, size))
        else:
            pieces.extend(_word_pieces(sentence, block.locator, count_tokens, chunk_tokens))
    return pieces


def _word_pieces(text, locator, count_tokens, chunk_tokens):
    """Runs of words under the limit; a single word over it is cut by characters."""
    pieces, words = [], text.split()
    start = 0
    while start < len(words):
        end = len(words)
        while end > start + 1 and count_tokens(" ".join(words[start:end])) > chunk_tokens:
            end = start + max(1, (end - start) // 2) if end - start > 64 else end - 1
        run = " ".join(words[start:end])
        while count_tokens(run) > chunk_tokens:
            run = run[: len(run) // 2]
        pieces.append(_Piece(run, locator, count_tokens(run)))
        start = end
    return pieces


def _overlap(previous, overlap_tokens, room):
    """The tail pieces of the previous chunk that fit in `overlap_tokens` (and in `room`)."""
    budget = min(overlap_tokens, room)
    tail = []
    for piece in reversed(previous):
        if piece.tokens + SEPARATOR_TOKENS > budget:
            break
        tail.insert(0, piece)
        budget -= piece.tokens + SEPARATOR_TOKENS
    return tail


def _chunk(pieces):
    locators = []
    for piece in pieces:
        if piece.locator not in locators:
            locators.append(piece.locator)
    return Chunk("\n\n".join(p.text for p in pieces), locators, sum(p.tokens for p in pieces))
